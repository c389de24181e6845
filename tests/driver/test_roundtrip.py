"""Data through the module: echo round trips in every access mode and data
format, bulk transfers checked by SHA-256, several sockets at once, a remote
close right after data, a full module buffer."""
import calendar
import errno
import os
import time

import pytest

import bc26
from bc26.emulator.servers import PayloadServer

from driver_support import (NASTY, TRANSPORTS, recv_exactly, sha, wait_for)

MODES = {"buffer": bc26.BUFFER, "push": bc26.DIRECT_PUSH}


def _pool(modem, mode, hexfmt):
    if hexfmt:
        modem.configure(dataformat=(1, 1))
    return bc26.SocketPool(modem, access_mode=MODES[mode])


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("hexfmt", [False, True], ids=["text", "hex"])
@pytest.mark.parametrize("mode", sorted(MODES))
def test_tcp_echo_every_byte(modem, emu, tcp_addr, mode, hexfmt):
    pool = _pool(modem, mode, hexfmt)
    with pool.socket(pool.AF_INET, pool.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(tcp_addr)
        assert emu.sockets()[s.connect_id]["access"] == MODES[mode]
        for _ in range(2):
            assert s.send(NASTY) == len(NASTY)
            assert recv_exactly(s, len(NASTY)) == NASTY
        # larger than one data-mode chunk (1460 text, 730 hex)
        big = NASTY * 6
        s.sendall(big)
        assert recv_exactly(s, len(big)) == big
    if hexfmt:
        assert emu.settings()["send_hex"] == 1
        assert emu.settings()["recv_hex"] == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("hexfmt", [False, True], ids=["text", "hex"])
@pytest.mark.parametrize("mode", sorted(MODES))
def test_udp_echo_every_byte(modem, udp_echo, udp_addr, mode, hexfmt):
    pool = _pool(modem, mode, hexfmt)
    before = len(udp_echo.received)
    with pool.socket(pool.AF_INET, pool.SOCK_DGRAM) as u:
        u.settimeout(5)
        u.sendto(NASTY, udp_addr)
        assert recv_exactly(u, len(NASTY)) == NASTY
        u.sendto(b"x", udp_addr)
        buf = bytearray(16)
        n, addr = u.recvfrom_into(buf)
        assert (bytes(buf[:n]), addr) == (b"x", udp_addr)
    assert udp_echo.received[before:] == [NASTY, b"x"]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("mode", sorted(MODES))
def test_one_mib_each_way(modem, tcp_addr, mode):
    pool = bc26.SocketPool(modem, access_mode=MODES[mode])
    data = os.urandom(1 << 20)
    got = bytearray()
    with pool.socket() as s:
        s.settimeout(10)
        s.connect(tcp_addr)
        step = 16384
        for i in range(0, len(data), step):
            s.sendall(data[i:i + step])
            while len(got) < i + step // 2:  # keep the echo flowing
                got += s.recv(4096)
        got += recv_exactly(s, len(data) - len(got))
    assert sha(bytes(got)) == sha(data)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_one_mib_download_then_eof(modem, mode):
    data = os.urandom(1 << 20)
    with PayloadServer(data, chunks=64) as srv:
        pool = bc26.SocketPool(modem, access_mode=MODES[mode])
        with pool.socket() as s:
            s.settimeout(10)
            s.connect(("127.0.0.1", srv.port))
            got = bytearray()
            while True:
                chunk = s.recv(8192)
                if not chunk:
                    break
                got += chunk
            assert s.recv(10) == b""  # EOF stays EOF
    assert len(got) == len(data)
    assert sha(bytes(got)) == sha(data)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_five_sockets_interleaved(modem, emu, tcp_addr, udp_addr, mode):
    pool = bc26.SocketPool(modem, access_mode=MODES[mode])
    kinds = [pool.SOCK_STREAM, pool.SOCK_DGRAM, pool.SOCK_STREAM,
             pool.SOCK_DGRAM, pool.SOCK_STREAM]
    socks = []
    for kind in kinds:
        s = pool.socket(pool.AF_INET, kind)
        s.settimeout(5)
        s.connect(tcp_addr if kind == pool.SOCK_STREAM else udp_addr)
        socks.append(s)
    assert sorted(s.connect_id for s in socks) == [0, 1, 2, 3, 4]
    states = modem.sockets()
    assert [(i.connect_id, i.service_type) for i in states] == [
        (s.connect_id, "TCP" if k == pool.SOCK_STREAM else "UDP")
        for s, k in zip(socks, kinds)]
    got = [bytearray() for _ in socks]
    sent = [bytearray() for _ in socks]
    for rnd in range(6):
        # everyone sends before anyone reads: the replies cross on the UART
        for k, s in enumerate(socks):
            msg = b"[%d:%d]" % (k, rnd) + NASTY[:100 + 37 * k]
            s.send(msg)
            sent[k] += msg
        for k in reversed(range(len(socks))):
            got[k] += recv_exactly(socks[k], len(sent[k]) - len(got[k]))
    for k in range(len(socks)):
        assert bytes(got[k]) == bytes(sent[k])
    for s in socks:
        s.close()
    assert modem.sockets() == []


@pytest.mark.parametrize("mode", sorted(MODES))
def test_remote_close_right_after_data(modem, mode):
    payload = NASTY * 20
    with PayloadServer(payload) as srv:
        pool = bc26.SocketPool(modem, access_mode=MODES[mode])
        s = pool.socket()
        s.settimeout(5)
        s.connect(("127.0.0.1", srv.port))
        # let the data and the close both reach the module first
        time.sleep(0.3)
        got = bytearray()
        while True:
            chunk = s.recv(1000)
            if not chunk:
                break
            got += chunk
        assert bytes(got) == payload
        assert s.recv(1) == b""
        s.close()
        assert modem.sockets() == []


def test_buffer_full_loses_nothing(modem, emu, tcp_addr):
    pool = bc26.SocketPool(modem)
    with pool.socket() as s:
        s.settimeout(5)
        s.connect(tcp_addr)
        cid = s.connect_id
        s.send(b"first")
        assert wait_for(lambda: len(emu.sockets()[cid]["nodes"]) == 1)
        emu.faults.fill_buffer(cid, size=100)  # the other 19 nodes
        assert wait_for(lambda: len(emu.sockets()[cid]["nodes"]) == 20)
        expected = b"first" + b"".join(bytes((65 + k,)) * 100 for k in range(19))
        # more data behind the full buffer: TCP flow control holds it
        s.send(b"later" * 100)
        expected += b"later" * 100
        assert recv_exactly(s, len(expected)) == expected
        assert modem.proto.sockets[cid].buff_full >= 1
        assert emu.sockets()[cid]["nodes"] == []


def test_buffer_full_twice(modem, emu, tcp_addr):
    pool = bc26.SocketPool(modem)
    with pool.socket() as s:
        s.settimeout(5)
        s.connect(tcp_addr)
        cid = s.connect_id
        for rnd in range(2):
            emu.faults.fill_buffer(cid, size=600)
            want = b"".join(bytes((65 + k % 26,)) * 600 for k in range(20))
            assert recv_exactly(s, len(want)) == want
        assert modem.proto.sockets[cid].buff_full == 2


def test_connection_refused_is_566(modem):
    import socket as _s
    probe = _s.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    pool = bc26.SocketPool(modem)
    s = pool.socket()
    s.settimeout(5)
    with pytest.raises(bc26.ModemError) as exc:
        s.connect(("127.0.0.1", port))
    assert exc.value.code == 566
    assert "566" in str(exc.value)
    assert isinstance(exc.value, OSError)
    # the driver freed the socket (AT+QICLOSE) and may try again
    assert modem.sockets() == []
    with pytest.raises(bc26.ModemError) as exc:
        s.connect(("127.0.0.1", port))
    assert exc.value.code == 566


def test_dns_failure_is_565(modem, pool):
    with pytest.raises(bc26.ModemError) as exc:
        modem.resolve("no-such-name.test")
    assert exc.value.code == 565
    # as CircuitPython's socketpool says it: gaierror, errno EAI_NONAME
    with pytest.raises(pool.gaierror) as exc:
        pool.getaddrinfo("no-such-name.test", 80)
    assert isinstance(exc.value, OSError)
    assert exc.value.errno == pool.EAI_NONAME == -2
    s = pool.socket()
    s.settimeout(5)
    with pytest.raises(bc26.ModemError) as exc:
        s.connect(("no-such-name.test", 80))
    assert exc.value.code == 565
    assert modem.sockets() == []


def test_dns_and_services(modem, pool, dns_server, sntp_server, tcp_addr):
    assert modem.get_dns() == ("127.0.0.1", None)
    modem.set_dns("127.0.0.1", "127.0.0.1")
    assert modem.get_dns() == ("127.0.0.1", "127.0.0.1")
    modem.set_dns("127.0.0.1")
    assert modem.get_dns()[0] == "127.0.0.1"
    assert modem.resolve("echo.test") == ["127.0.0.1"]
    assert modem.resolve("two.test") == ["127.0.0.1", "127.0.0.2"]
    assert modem.resolve("127.0.0.9") == ["127.0.0.9"]
    assert pool.getaddrinfo("two.test", 80) == [
        (pool.AF_INET, pool.SOCK_STREAM, 0, "", ("127.0.0.1", 80)),
        (pool.AF_INET, pool.SOCK_STREAM, 0, "", ("127.0.0.2", 80))]
    # a name works for connect too
    with pool.socket() as s:
        s.settimeout(5)
        s.connect(("echo.test", tcp_addr[1]))
        s.send(b"by name")
        assert recv_exactly(s, 7) == b"by name"


def test_ping(modem):
    r = modem.ping("127.0.0.1", timeout=2, count=3, size=48)
    assert (r.sent, r.received, r.lost) == (3, 3, 0)
    assert len(r.replies) == 3
    for ip, size, ms, ttl in r.replies:
        assert ip == "127.0.0.1" and size == 48 and ms >= 0 and ttl > 0
    assert r.min <= r.avg <= r.max
    assert "3/3" in repr(r)


def test_ping_with_losses(modem, emu):
    """Half the requests lost: the replies that came and the summary;
    every one lost: ModemError 569, as the module's last line says."""
    emu.faults.lose_pings(2)
    r = modem.ping("127.0.0.1", timeout=1, count=4)
    assert (r.sent, r.received, r.lost) == (4, 2, 2)
    assert len(r.replies) == 2 and r.failed == [569, 569]
    emu.faults.lose_pings(2)
    with pytest.raises(bc26.ModemError) as exc:
        modem.ping("127.0.0.1", timeout=1, count=2)
    assert exc.value.code == 569
    assert modem.ping("127.0.0.1", timeout=1, count=1).received == 1


def test_ping_by_name(modem):
    r = modem.ping("echo.test", timeout=1, count=1)
    assert (r.sent, r.received) == (1, 1)
    assert r.replies[0][0] == "127.0.0.1"


def test_ntp(modem, sntp_server):
    before = len(sntp_server.received)
    t = modem.ntp("127.0.0.1")
    assert len(t) == 7
    year, month, day, hour, minute, second, zone = t
    assert zone == 0  # UTC
    got = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    assert abs(got - time.time()) < 5
    assert len(sntp_server.received) > before


def test_sockets_and_counters(modem, pool, tcp_addr, udp_addr):
    assert modem.sockets() == []
    with pool.socket() as s, pool.socket(pool.AF_INET, pool.SOCK_DGRAM) as u:
        s.settimeout(5)
        u.settimeout(5)
        s.connect(tcp_addr)
        u.connect(udp_addr)
        info = {i.connect_id: i for i in modem.sockets()}
        t = info[s.connect_id]
        assert (t.service_type, t.host, t.remote_port, t.state,
                t.access_mode) == ("TCP", "127.0.0.1", tcp_addr[1], 2, 0)
        assert info[u.connect_id].service_type == "UDP"
        assert s.pending() == (0, 0, 0)
        s.send(b"x" * 1000)
        recv_exactly(s, 1000)
        assert wait_for(lambda: s.pending() == (1000, 1000, 0))
        u.send(b"y" * 10)
        assert u.pending()[0] == 10
        assert recv_exactly(u, 10) == b"y" * 10
    assert modem.sockets() == []


def test_last_error(modem, pool):
    assert modem.last_error() == (0, "operation successful")
    with pytest.raises(bc26.ModemError):
        modem.resolve("no-such-name.test")
    assert modem.last_error() == (565, "dns parse failed")


def test_push_burst_larger_than_the_ring(make_modem, tcp_addr):
    """Direct push has no flow control: while the driver sends, the echo
    pours in faster than the application reads -- none of it may be lost,
    and the sends must not wait for a reader."""
    emu, modem, _ = make_modem()
    small = bc26.Modem.open(emu.url, rx_capacity=1024)
    modem.close()  # the same port, now with a 1 KiB receive ring
    assert small.start(timeout=10) == "127.0.0.1"
    pool = bc26.SocketPool(small, access_mode=bc26.DIRECT_PUSH)
    data = os.urandom(64 * 1024)
    with pool.socket() as s:
        s.settimeout(5)
        s.connect(tcp_addr)
        s.sendall(data)  # 64 KiB out before a single read
        got = recv_exactly(s, len(data))
    assert sha(got) == sha(data)
    small.close()


def test_push_burst_past_rx_limit_is_reported(make_modem, tcp_addr):
    """With rx_limit small, what a burst pushes past it is lost -- and
    said so: the bytes before the loss arrive intact, then recv_into()
    raises ENOBUFS naming the count; every byte is either delivered or
    counted lost, and the socket goes on working."""
    emu, modem, _ = make_modem()
    small = bc26.Modem.open(emu.url, rx_capacity=1024, rx_limit=4096)
    modem.close()
    assert small.start(timeout=10) == "127.0.0.1"
    pool = bc26.SocketPool(small, access_mode=bc26.DIRECT_PUSH)
    data = os.urandom(32 * 1024)
    with pool.socket() as s:
        s.settimeout(5)
        s.connect(tcp_addr)
        s.sendall(data)  # 32 KiB out before a single read
        pieces = []  # (bytes, lost after them)
        got = bytearray()
        buf = bytearray(2048)
        sent_after = False
        while not got.endswith(b"after"):
            try:
                got += buf[:s.recv_into(buf)]
            except OSError as e:
                assert e.errno == errno.ENOBUFS
                pieces.append((bytes(got), int(str(e.args[1]).split()[0])))
                got = bytearray()
            if not sent_after and pieces:
                s.send(b"after")  # the socket still works after a loss
                sent_after = True
        assert pieces, "32 KiB cannot fit in 4 KiB unread"
        first = pieces[0][0]
        assert 0 < len(first) <= 4096 and first == data[:len(first)]
        total = sum(len(b) + lost for b, lost in pieces) + len(got)
        assert total == len(data) + 5
    small.close()


@pytest.mark.parametrize("hexfmt", [False, True], ids=["text", "hex"])
def test_push_quoted_variant(make_modem, tcp_addr, hexfmt):
    """Firmware that pushes inline and quoted: +QIURC: "recv",0,4,"data"."""
    emu, modem, _ = make_modem(recv_variant="quoted")
    pool = _pool(modem, "push", hexfmt)
    with pool.socket() as s:
        s.settimeout(5)
        s.connect(tcp_addr)
        payload = NASTY  # quotes inside are counted, not scanned for
        s.send(payload)
        assert recv_exactly(s, len(payload)) == payload


class ReadOnlyUART:
    """A UART with write() and a non-blocking read() only."""

    def __init__(self, url):
        import serial
        self.port = serial.serial_for_url(url, timeout=0)

    def write(self, data):
        return self.port.write(data)

    def read(self, n):
        return self.port.read(n) or None  # machine.UART says None: no data

    def close(self):
        self.port.close()


def test_uart_with_read_only(make_emu, tcp_addr):
    emu = make_emu()
    modem = bc26.Modem(ReadOnlyUART(emu.url))
    try:
        assert emu.wait_ready(5)
        assert modem.start(timeout=10) == "127.0.0.1"
        pool = bc26.SocketPool(modem)
        with pool.socket() as s:
            s.settimeout(5)
            s.connect(tcp_addr)
            s.send(NASTY)
            assert recv_exactly(s, len(NASTY)) == NASTY
    finally:
        modem.close()


def test_start_switches_a_module_that_is_off_on_with_its_pwrkey(make_emu):
    """start(power=...) presses PWRKEY (power.on()) once when the first AT
    goes unanswered, and brings the module up."""
    emu = make_emu()
    assert emu.wait_ready(5)
    emu.power_off()
    presses = []

    class Pwrkey:
        def on(self):
            presses.append(1)
            emu.power_on()

    modem = bc26.Modem.open(emu.url)
    try:
        assert modem.start(timeout=10, power=Pwrkey()) == "127.0.0.1"
        assert presses == [1]
        # a module that answers is not pressed (that would switch it off)
        assert modem.start(timeout=10, power=Pwrkey()) == "127.0.0.1"
        assert presses == [1]
    finally:
        modem.close()
