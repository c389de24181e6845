"""Fixtures for the emulator tests: the emulator on a pty with a terminal,
and the loopback servers."""
import pytest

from bc26.emulator import Emulator
from bc26.emulator.servers import (DNSServer, PayloadServer, SNTPServer,
                                   TCPEchoServer, UDPEchoServer)

from emu_support import FAST, open_term


@pytest.fixture
def make_emu():
    """make_emu(**options) -> (emulator, term); both closed at the end."""
    made = []

    def make(**kw):
        opts = dict(FAST)
        opts.update(kw)
        opts.setdefault("pty", True)
        emu = Emulator(**opts).start()
        made.append(emu)
        term = open_term(emu)
        made.append(term)
        return emu, term
    yield make
    for obj in reversed(made):
        obj.close()


@pytest.fixture
def emu_term(make_emu):
    return make_emu()


@pytest.fixture
def tcp_echo():
    with TCPEchoServer() as s:
        yield s


@pytest.fixture
def sink():
    """A TCP server that keeps what it receives and never answers."""
    with PayloadServer(b"", close=False) as s:
        yield s


@pytest.fixture
def udp_echo():
    with UDPEchoServer() as s:
        yield s


@pytest.fixture
def dns_server():
    with DNSServer({"iot.quectel.com": ["127.0.0.1"],
                    "ntp5.aliyun.com": ["127.0.0.1"],
                    "echo.test": ["127.0.0.1", "127.0.0.2"]}, ttl=600) as s:
        yield s


@pytest.fixture
def sntp_server():
    with SNTPServer() as s:
        yield s
