"""Fixtures for the driver tests: the emulator (on a pty, or on a TCP port
reached through pyserial's socket:// URL), loopback servers, and a started
bc26.Modem on it.

Tests that want both transports parametrise ``transport``:

    @pytest.mark.parametrize("transport", TRANSPORTS)
    def test_x(modem, ...): ...

Everything else runs on the pty, the cheaper of the two.
"""
import pytest

import bc26
from bc26.emulator import Emulator
from bc26.emulator.servers import (DNSServer, SNTPServer, TCPEchoServer,
                                   UDPEchoServer)

from driver_support import EMU_FAST, WireWatch

NAMES = {"echo.test": ["127.0.0.1"], "two.test": ["127.0.0.1", "127.0.0.2"]}


# -- loopback servers: stateless enough to share across the session ------------

@pytest.fixture(scope="session")
def dns_server():
    with DNSServer(NAMES, ttl=600) as s:
        yield s


@pytest.fixture(scope="session")
def sntp_server():
    with SNTPServer() as s:
        yield s


@pytest.fixture
def tcp_echo():
    """Per test: tests check what the server received."""
    with TCPEchoServer() as s:
        yield s


@pytest.fixture
def udp_echo():
    with UDPEchoServer() as s:
        yield s


@pytest.fixture
def tcp_addr(tcp_echo):
    return ("127.0.0.1", tcp_echo.port)


@pytest.fixture
def udp_addr(udp_echo):
    return ("127.0.0.1", udp_echo.port)


# -- the emulator and the driver -------------------------------------------------

@pytest.fixture
def transport():
    """"pty" or "tcp" (parametrise it to run a test on both)."""
    return "pty"


@pytest.fixture
def make_emu(transport, dns_server, sntp_server):
    """make_emu(**options) -> a started Emulator, closed at the end."""
    made = []

    def make(**kw):
        opts = dict(EMU_FAST)
        opts.update(dns_servers=["127.0.0.1"], dns_port=dns_server.port,
                    ntp_port=sntp_server.port)
        if transport == "pty":
            opts["pty"] = True
        else:
            opts["listen"] = ("127.0.0.1", 0)
        opts.update(kw)
        emu = Emulator(**opts).start()
        made.append(emu)
        return emu
    yield make
    for emu in reversed(made):
        emu.close()


@pytest.fixture
def make_modem(make_emu):
    """make_modem(**emulator_options) -> (emu, started Modem, WireWatch)."""
    made = []

    def make(start=True, **kw):
        emu = make_emu(**kw)
        wire = WireWatch()
        modem = bc26.Modem.open(emu.url, log=wire)
        made.append(modem)
        # a TCP-port emulator powers up when the client connects
        assert emu.wait_ready(5), "the emulator did not boot"
        if start:
            assert modem.start(timeout=10) == "127.0.0.1"
        return emu, modem, wire
    yield make
    for modem in reversed(made):
        modem.close()


@pytest.fixture
def setup(make_modem):
    """(emu, modem, wire) with the default emulator options."""
    return make_modem()


@pytest.fixture
def emu(setup):
    return setup[0]


@pytest.fixture
def modem(setup):
    return setup[1]


@pytest.fixture
def wire(setup):
    return setup[2]


@pytest.fixture
def pool(modem):
    return bc26.SocketPool(modem)


@pytest.fixture
def push_pool(modem):
    return bc26.SocketPool(modem, access_mode=bc26.DIRECT_PUSH)
