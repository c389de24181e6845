"""Bad input on every public call raises ValueError or TypeError before a
single byte reaches the UART: the driver's own write log and the module's
command log both stay unchanged."""
import asyncio

import pytest

import bc26
import bc26.aio

from driver_support import no_traffic

IMMUTABLE = b"0123456789"
LONGEST = bc26.checks.MAX_WAIT_S  # seconds: the clock holds no more
BIG = b"x" * 100


def _cases():
    """(id, call(modem, pool, connected_socket, fresh_socket), exceptions)"""
    V, T = ValueError, TypeError
    VT = (ValueError, TypeError)
    c = []

    def add(name, fn, exc=VT):
        c.append(pytest.param(fn, exc, id=name))

    # -- Modem ----------------------------------------------------------------
    add("start-timeout-negative", lambda m, p, s, f: m.start(timeout=-1), V)
    add("start-timeout-zero", lambda m, p, s, f: m.start(timeout=0), V)
    add("start-timeout-str", lambda m, p, s, f: m.start(timeout="9"), T)
    add("resolve-empty", lambda m, p, s, f: m.resolve(""), V)
    add("resolve-quote", lambda m, p, s, f: m.resolve('a"b.com'), V)
    add("resolve-crlf-injection",
        lambda m, p, s, f: m.resolve("a.com\r\nAT+QPOWD=1"), V)
    add("resolve-semicolon", lambda m, p, s, f: m.resolve("a.com;+QPOWD=1"), V)
    add("resolve-ctrl-z", lambda m, p, s, f: m.resolve("a\x1a.com"), V)
    add("resolve-too-long", lambda m, p, s, f: m.resolve("a" * 300), V)
    add("resolve-bad-ipv4", lambda m, p, s, f: m.resolve("300.1.1.1"), V)
    add("resolve-none", lambda m, p, s, f: m.resolve(None), T)
    add("resolve-int", lambda m, p, s, f: m.resolve(1234), T)
    add("set_dns-not-an-address", lambda m, p, s, f: m.set_dns("dns.google"), V)
    add("set_dns-injection",
        lambda m, p, s, f: m.set_dns('8.8.8.8","1.1.1.1'), V)
    add("set_dns-secondary-bad",
        lambda m, p, s, f: m.set_dns("8.8.8.8", "1.1.1"), V)
    add("set_dns-int", lambda m, p, s, f: m.set_dns(8), T)
    add("get_dns-args", lambda m, p, s, f: m.get_dns(1), T)
    add("ping-timeout-0", lambda m, p, s, f: m.ping("127.0.0.1", timeout=0), V)
    add("ping-timeout-256",
        lambda m, p, s, f: m.ping("127.0.0.1", timeout=256), V)
    add("ping-count-0", lambda m, p, s, f: m.ping("127.0.0.1", count=0), V)
    add("ping-count-11", lambda m, p, s, f: m.ping("127.0.0.1", count=11), V)
    add("ping-size-31", lambda m, p, s, f: m.ping("127.0.0.1", size=31), V)
    add("ping-size-201", lambda m, p, s, f: m.ping("127.0.0.1", size=201), V)
    add("ping-size-str", lambda m, p, s, f: m.ping("127.0.0.1", size="32"), T)
    add("ping-count-bool", lambda m, p, s, f: m.ping("127.0.0.1", count=True), T)
    add("ping-host-bad", lambda m, p, s, f: m.ping("bad host"), V)
    add("ntp-host-bad", lambda m, p, s, f: m.ntp("pool.ntp.org\r"), V)
    add("ntp-port-0", lambda m, p, s, f: m.ntp("127.0.0.1", port=0), V)
    add("ntp-port-65536", lambda m, p, s, f: m.ntp("127.0.0.1", port=65536), V)
    add("ntp-set_clock-str",
        lambda m, p, s, f: m.ntp("127.0.0.1", set_clock="yes"), VT)
    add("sockets-args", lambda m, p, s, f: m.sockets(1, 2), T)
    add("sockets-context", lambda m, p, s, f: m.sockets(0), V)
    add("socket_state-id", lambda m, p, s, f: m.socket_state(5), V)
    add("send_text-quote", lambda m, p, s, f: m.send_text(0, 'a"b'), V)
    add("send_hex-long", lambda m, p, s, f: m.send_hex(0, bytes(513)), V)
    add("send_variable-ctrl-z", lambda m, p, s, f: m.send_variable(0, b"\x1a"), V)
    add("open-protocol-type", lambda m, p, s, f: m.open_socket(
        0, "TCP", "::1", 7, protocol_type=2), V)
    add("last_error-args", lambda m, p, s, f: m.last_error(0), T)
    add("configure-dataformat-2",
        lambda m, p, s, f: m.configure(dataformat=(2, 0)), V)
    add("configure-dataformat-short",
        lambda m, p, s, f: m.configure(dataformat=(1,)), VT)
    add("configure-dataformat-int",
        lambda m, p, s, f: m.configure(dataformat=1), T)
    add("configure-viewmode-2", lambda m, p, s, f: m.configure(viewmode=2), V)
    add("configure-showlength-str",
        lambda m, p, s, f: m.configure(showlength="1"), T)
    add("configure-echomode--1", lambda m, p, s, f: m.configure(echomode=-1), V)
    add("configure-second-bad",  # nothing is sent, not even the good part
        lambda m, p, s, f: m.configure(viewmode=0, showlength=7), V)
    add("configure-unknown", lambda m, p, s, f: m.configure(speed=1), T)
    add("set_access_mode-id-5", lambda m, p, s, f: m.set_access_mode(5, 0), V)
    add("set_access_mode-mode-2", lambda m, p, s, f: m.set_access_mode(0, 2), V)
    add("command-str", lambda m, p, s, f: m.command("AT"), T)
    add("command-no-cr", lambda m, p, s, f: m.command(b"AT"), V)
    add("command-two-lines",
        lambda m, p, s, f: m.command(b"AT\rAT+QPOWD=1\r"), V)
    add("command-not-at", lambda m, p, s, f: m.command(b"+++\r"), V)
    add("open_socket-id-5",
        lambda m, p, s, f: m.open_socket(5, "TCP", "127.0.0.1", 80), V)
    add("open_socket-id-neg",
        lambda m, p, s, f: m.open_socket(-1, "TCP", "127.0.0.1", 80), V)
    add("open_socket-service",
        lambda m, p, s, f: m.open_socket(1, "SCTP", "127.0.0.1", 80), V)
    add("open_socket-port-0",
        lambda m, p, s, f: m.open_socket(1, "TCP", "127.0.0.1", 0), V)
    add("open_socket-port-65536",
        lambda m, p, s, f: m.open_socket(1, "TCP", "127.0.0.1", 65536), V)
    add("open_socket-local-port",
        lambda m, p, s, f: m.open_socket(1, "UDP", "127.0.0.1", 80, 70000), V)
    add("open_socket-access",
        lambda m, p, s, f: m.open_socket(1, "TCP", "127.0.0.1", 80, 0, 3), V)
    add("open_socket-host",
        lambda m, p, s, f: m.open_socket(1, "TCP", 'x",0,0\rAT', 80), V)
    add("open_socket-timeout",
        lambda m, p, s, f: m.open_socket(1, "TCP", "127.0.0.1", 80, 0, 0, -5), V)
    add("close_socket-id-5", lambda m, p, s, f: m.close_socket(5), V)
    add("close_socket-id-str", lambda m, p, s, f: m.close_socket("0"), T)
    add("send-id-5", lambda m, p, s, f: m.send(5, b"x"), V)
    add("send-id-neg", lambda m, p, s, f: m.send(-1, b"x"), V)
    add("send-str", lambda m, p, s, f: m.send(s.connect_id, "text"), T)
    add("send-int", lambda m, p, s, f: m.send(s.connect_id, 12), T)
    add("send-none", lambda m, p, s, f: m.send(s.connect_id, None), T)
    add("counters-id-9", lambda m, p, s, f: m.counters(9), V)
    add("recv_into-id-5", lambda m, p, s, f: m.recv_into(5, bytearray(4)), V)
    add("recv_into-bytes",
        lambda m, p, s, f: m.recv_into(s.connect_id, IMMUTABLE), T)
    add("recv_into-nbytes-neg",
        lambda m, p, s, f: m.recv_into(s.connect_id, bytearray(4), -1), V)
    add("recv_into-timeout-neg",
        lambda m, p, s, f: m.recv_into(s.connect_id, bytearray(4), 0, -1), V)
    add("recv_into-timeout-past-the-clock", lambda m, p, s, f: m.recv_into(
        s.connect_id, bytearray(4), 0, LONGEST * 1000 + 1), V)
    add("open_socket-timeout-past-the-clock", lambda m, p, s, f: m.open_socket(
        1, "TCP", "127.0.0.1", 80, 0, 0, LONGEST + 1), V)
    add("start-timeout-past-the-clock",
        lambda m, p, s, f: m.start(timeout=LONGEST + 0.5), V)
    add("command-result-past-the-clock",
        lambda m, p, s, f: m.command(b"AT\r", LONGEST * 1000 + 1), V)
    add("poll-args", lambda m, p, s, f: m.poll(1), T)

    # -- SocketPool ---------------------------------------------------------------
    add("pool-access-mode", lambda m, p, s, f: bc26.SocketPool(m, 2), V)
    add("getaddrinfo-port-neg", lambda m, p, s, f: p.getaddrinfo("echo.test", -1), V)
    add("getaddrinfo-port-big",
        lambda m, p, s, f: p.getaddrinfo("echo.test", 65536), V)
    add("getaddrinfo-port-float",
        lambda m, p, s, f: p.getaddrinfo("echo.test", 80.5), T)
    add("getaddrinfo-port-name",
        lambda m, p, s, f: p.getaddrinfo("echo.test", "http"), V)
    add("getaddrinfo-host-injection",
        lambda m, p, s, f: p.getaddrinfo('echo.test"\rAT', 80), V)
    add("getaddrinfo-host-none", lambda m, p, s, f: p.getaddrinfo(None, 80), T)
    add("getaddrinfo-family", lambda m, p, s, f: p.getaddrinfo("echo.test", 80, 99), V)
    add("getaddrinfo-type", lambda m, p, s, f: p.getaddrinfo("echo.test", 80, 0, 5), V)
    add("socket-family", lambda m, p, s, f: p.socket(99, p.SOCK_STREAM), V)
    add("socket-type", lambda m, p, s, f: p.socket(p.AF_INET, 3), V)

    # -- Socket ---------------------------------------------------------------------
    add("connect-no-port", lambda m, p, s, f: f.connect(("127.0.0.1",)), VT)
    add("connect-str", lambda m, p, s, f: f.connect("127.0.0.1:80"), VT)
    add("connect-port-0", lambda m, p, s, f: f.connect(("127.0.0.1", 0)), V)
    add("connect-port-big", lambda m, p, s, f: f.connect(("127.0.0.1", 99999)), V)
    add("connect-port-str", lambda m, p, s, f: f.connect(("127.0.0.1", "80")), T)
    add("connect-host-quote", lambda m, p, s, f: f.connect(('a"b', 80)), V)
    add("connect-host-crlf",
        lambda m, p, s, f: f.connect(("a\r\nAT+QICLOSE=0", 80)), V)
    add("connect-host-empty", lambda m, p, s, f: f.connect(("", 80)), V)
    add("send-text", lambda m, p, s, f: s.send("text"), T)
    add("send-list", lambda m, p, s, f: s.send([1, 2]), T)
    add("sendall-none", lambda m, p, s, f: s.sendall(None), T)
    add("write-int", lambda m, p, s, f: s.write(7), T)
    add("sendto-str", lambda m, p, s, f: s.sendto("x", ("127.0.0.1", 9)), T)
    add("sendto-bad-address", lambda m, p, s, f: f.sendto(b"x", ("127.0.0.1",)), VT)
    add("sendto-bad-port", lambda m, p, s, f: f.sendto(b"x", ("127.0.0.1", -3)), V)
    add("settimeout-negative", lambda m, p, s, f: s.settimeout(-1), V)
    add("settimeout-nan", lambda m, p, s, f: s.settimeout(float("nan")), V)
    add("settimeout-str", lambda m, p, s, f: s.settimeout("1"), T)
    add("settimeout-past-the-clock",
        lambda m, p, s, f: s.settimeout(LONGEST + 1), V)
    add("sock-recv_into-bytes", lambda m, p, s, f: s.recv_into(IMMUTABLE), T)
    add("sock-recv_into-nbytes-neg", lambda m, p, s, f: s.recv_into(bytearray(4), -1), V)
    add("recv_into-nbytes-str", lambda m, p, s, f: s.recv_into(bytearray(4), "2"), T)
    add("recv-negative", lambda m, p, s, f: s.recv(-1), V)
    add("recv-str", lambda m, p, s, f: s.recv("10"), T)
    add("recvfrom_into-bytes", lambda m, p, s, f: s.recvfrom_into(IMMUTABLE), T)
    add("readinto-bytes", lambda m, p, s, f: s.readinto(IMMUTABLE), T)
    add("read-str", lambda m, p, s, f: s.read("5"), T)
    return c


@pytest.fixture
def targets(modem, pool, tcp_addr):
    s = pool.socket()
    s.settimeout(2)
    s.connect(tcp_addr)
    s.send(BIG)  # data waiting: a read that got through would take it
    fresh = pool.socket()
    yield s, fresh
    s.close()


@pytest.mark.parametrize("call,exc", _cases())
def test_bad_input_never_reaches_the_uart(modem, pool, targets, emu, wire,
                                          call, exc):
    s, fresh = targets
    with no_traffic(emu, wire):
        with pytest.raises(exc):
            call(modem, pool, s, fresh)
    # and the driver is none the worse for it
    assert [i.connect_id for i in modem.sockets()] == [s.connect_id]
    assert fresh.connect_id == -1


def test_aio_bad_input_never_reaches_the_uart(make_emu, tcp_addr):
    emu = make_emu()

    async def main():
        from driver_support import WireWatch
        from bc26.host.serial_port import open_uart
        wire = WireWatch()
        modem = bc26.aio.Modem(open_uart(emu.url), log=wire)
        assert emu.wait_ready(5)
        await modem.start(timeout=10)
        cases = [
            (lambda: modem.resolve('x"y'), ValueError),
            (lambda: modem.ping("127.0.0.1", count=0), ValueError),
            (lambda: modem.send(7, b"x"), ValueError),
            (lambda: modem.open_socket(0, "TCP", "127.0.0.1", 0), ValueError),
            (lambda: modem.command("AT"), TypeError),
            (lambda: modem.recv_into(0, b"ro"), TypeError),
        ]
        for call, exc in cases:
            with no_traffic(emu, wire):
                with pytest.raises(exc):
                    await call()
        modem.close()
    asyncio.run(main())


def test_modem_needs_a_uart():
    with pytest.raises(TypeError):
        bc26.Modem(object())
    with pytest.raises(TypeError):
        bc26.Modem(None)

    class WriteOnly:
        def write(self, b):
            raise AssertionError("nothing may be written")
    with pytest.raises(TypeError):
        bc26.Modem(WriteOnly())

    class Fine(WriteOnly):
        def readinto(self, b):
            return 0
    with pytest.raises(TypeError):
        bc26.Modem(Fine(), log="not callable")
    bc26.Modem(Fine())  # constructing writes nothing
