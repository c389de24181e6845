"""Socket semantics as CPython and the CircuitPython socketpool define them:
timeouts and their errors, non-blocking reads, recv_into, the stream
methods, the context manager, the five-socket limit -- and silence while
nothing happens."""
import errno
import time

import pytest

import bc26
from bc26.emulator.servers import PayloadServer

from driver_support import (TRANSPORTS, commands_since, no_traffic,
                            recv_exactly, wait_for)

MODES = {"buffer": bc26.BUFFER, "push": bc26.DIRECT_PUSH}


@pytest.fixture(params=sorted(MODES))
def mode_pool(request, modem):
    return bc26.SocketPool(modem, access_mode=MODES[request.param])


def _connect(pool, addr, kind=None, timeout=2):
    s = pool.socket(pool.AF_INET, kind or pool.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(addr)
    return s


# -- timeouts --------------------------------------------------------------------

@pytest.mark.parametrize("transport", TRANSPORTS)
def test_timeout_raises_etimedout(mode_pool, emu, wire, tcp_addr):
    s = _connect(mode_pool, tcp_addr, timeout=0.3)
    assert s.gettimeout() == 0.3
    t = time.monotonic()
    with no_traffic(emu, wire):
        with pytest.raises(OSError) as exc:
            s.recv(10)
    elapsed = time.monotonic() - t
    assert 0.25 <= elapsed < 1.0
    e = exc.value
    assert e.errno == errno.ETIMEDOUT == 110
    assert e.args == (110, "timed out")
    buf = bytearray(4)
    with pytest.raises(OSError) as exc:
        s.recv_into(buf)
    assert exc.value.args == (110, "timed out")
    # the socket still works afterwards
    s.send(b"late")
    assert recv_exactly(s, 4) == b"late"
    s.close()


def test_nonblocking_read_raises_eagain(mode_pool, emu, wire, tcp_addr):
    s = _connect(mode_pool, tcp_addr)
    s.settimeout(0)
    assert s.gettimeout() == 0
    with no_traffic(emu, wire):
        with pytest.raises(OSError) as exc:
            s.recv(10)
    assert exc.value.errno == errno.EAGAIN == 11
    s.setblocking(True)
    assert s.gettimeout() is None
    s.setblocking(False)
    assert s.gettimeout() == 0
    with pytest.raises(OSError) as exc:
        s.recv_into(bytearray(3))
    assert exc.value.errno == errno.EAGAIN
    # data that has arrived is returned without waiting
    s.settimeout(2)
    s.send(b"ready")
    assert recv_exactly(s, 1) == b"r"
    s.settimeout(0)
    assert s.recv(100) == b"eady"
    s.close()


def test_blocking_socket_waits_for_late_data(mode_pool):
    with PayloadServer(b"first|second", chunks=2, gap=0.4, close=False) as srv:
        s = _connect(mode_pool, ("127.0.0.1", srv.port))
        s.settimeout(None)
        assert s.gettimeout() is None
        assert recv_exactly(s, 6) == b"first|"
        t = time.monotonic()
        assert recv_exactly(s, 6) == b"second"
        assert time.monotonic() - t > 0.2
        s.close()


# -- reading into buffers --------------------------------------------------------------

def test_recv_into_sizes(mode_pool, tcp_addr):
    s = _connect(mode_pool, tcp_addr)
    data = bytes(range(100))
    s.send(data)
    buf = bytearray(64)
    got = bytearray()
    n = s.recv_into(buf, 0)  # 0: up to len(buf)
    assert 1 <= n <= 64
    got += buf[:n]
    while len(got) < 64:
        n = s.recv_into(buf, 64 - len(got))
        got += buf[:n]
    n = s.recv_into(buf, 10)  # at most nbytes
    assert 1 <= n <= 10
    got += buf[:n]
    mv = memoryview(bytearray(50))
    while len(got) < 100:
        n = s.recv_into(mv[5:], 0)  # a memoryview slice works too
        got += mv[5:5 + n]
    assert bytes(got) == data
    s.close()


def test_recvfrom_and_sendto_on_udp(mode_pool, udp_addr):
    u = mode_pool.socket(mode_pool.AF_INET, mode_pool.SOCK_DGRAM)
    u.settimeout(2)
    assert u.sendto(b"datagram", udp_addr) == 8  # connects on first use
    data, addr = u.recvfrom(100)
    assert (data, addr) == (b"datagram", udp_addr)
    u.sendto(b"two", udp_addr)
    buf = bytearray(10)
    assert u.recvfrom_into(buf) == (3, udp_addr)
    assert buf[:3] == b"two"
    u.close()


# -- stream methods ------------------------------------------------------------------------

def test_stream_methods(mode_pool):
    payload = b"HTTP/1.0 200 OK\r\nA: b\r\n\r\n" + bytes(range(256)) * 4
    with PayloadServer(payload, chunks=7, gap=0.01) as srv:
        s = _connect(mode_pool, ("127.0.0.1", srv.port))
        assert s.write(b"GET / HTTP/1.0\r\n\r\n") == 18
        assert s.readline() == b"HTTP/1.0 200 OK\r\n"
        assert s.readline() == b"A: b\r\n"
        assert s.readline() == b"\r\n"
        assert s.read(10) == bytes(range(10))  # read(n): exactly n
        buf = bytearray(246)
        assert s.readinto(buf) == 246  # fills the whole buffer
        assert buf == bytes(range(10, 256))
        rest = s.read()  # to the end of the stream
        assert rest == bytes(range(256)) * 3
        assert s.read(5) == b""
        assert s.readline() == b""
        s.close()
        assert srv.received == b"GET / HTTP/1.0\r\n\r\n"


def test_read_stops_short_at_eof(mode_pool):
    with PayloadServer(b"short") as srv:
        s = _connect(mode_pool, ("127.0.0.1", srv.port))
        assert s.read(100) == b"short"
        buf = bytearray(10)
        assert s.readinto(buf) == 0
        s.close()


# -- life cycle ------------------------------------------------------------------------------

def test_context_manager_closes(modem, emu, pool, tcp_addr):
    with pool.socket(pool.AF_INET, pool.SOCK_STREAM) as s:
        s.settimeout(2)
        s.connect(tcp_addr)
        cid = s.connect_id
        assert cid >= 0
        assert [i.connect_id for i in modem.sockets()] == [cid]
    assert s.connect_id == -1
    assert modem.sockets() == []
    assert emu.sockets() == {}
    with pytest.raises(OSError) as exc:
        s.recv(1)
    assert exc.value.errno == errno.ENOTCONN
    s.close()  # closing twice is harmless


def test_exception_inside_with_still_closes(modem, pool, tcp_addr):
    with pytest.raises(RuntimeError):
        with pool.socket() as s:
            s.settimeout(2)
            s.connect(tcp_addr)
            raise RuntimeError("boom")
    assert modem.sockets() == []


def test_sixth_socket_raises(modem, emu, wire, pool, tcp_addr, udp_addr):
    socks = [_connect(pool, tcp_addr if k % 2 else udp_addr,
                      pool.SOCK_STREAM if k % 2 else pool.SOCK_DGRAM)
             for k in range(5)]
    sixth = pool.socket()
    with no_traffic(emu, wire):
        with pytest.raises(OSError) as exc:
            sixth.connect(tcp_addr)
    assert exc.value.errno == errno.ENFILE
    assert sixth.connect_id == -1
    socks[2].close()
    sixth.settimeout(2)
    sixth.connect(tcp_addr)
    assert sixth.connect_id == 2
    sixth.send(b"sixth")
    assert recv_exactly(sixth, 5) == b"sixth"
    for s in socks + [sixth]:
        s.close()
    assert modem.sockets() == []


def test_connect_twice_raises(pool, tcp_addr, emu, wire):
    s = _connect(pool, tcp_addr)
    with no_traffic(emu, wire):
        with pytest.raises(OSError) as exc:
            s.connect(tcp_addr)
    assert exc.value.errno == errno.EISCONN
    s.close()


def test_send_before_connect_raises(pool, emu, wire):
    s = pool.socket()
    with no_traffic(emu, wire):
        with pytest.raises(OSError) as exc:
            s.send(b"x")
    assert exc.value.errno == errno.ENOTCONN


def test_empty_send_is_free(pool, tcp_addr, emu, wire):
    s = _connect(pool, tcp_addr)
    with no_traffic(emu, wire):
        assert s.send(b"") == 0
    s.close()


def test_setsockopt_is_accepted(pool, tcp_addr):
    s = _connect(pool, tcp_addr)
    s.setsockopt(pool.IPPROTO_TCP, pool.TCP_NODELAY, 1)
    s.setsockopt(pool.SOL_SOCKET, pool.SO_REUSEADDR, 1)
    s.close()


# -- no AT traffic while idle --------------------------------------------------------------------

@pytest.mark.parametrize("transport", TRANSPORTS)
def test_no_traffic_while_idle(modem, emu, wire, tcp_addr, udp_addr):
    buffered = _connect(bc26.SocketPool(modem), tcp_addr)
    pushed = _connect(bc26.SocketPool(modem, access_mode=bc26.DIRECT_PUSH),
                      tcp_addr)
    dgram = _connect(bc26.SocketPool(modem), udp_addr, bc26.SocketPool.SOCK_DGRAM)
    for s in (buffered, pushed, dgram):  # traffic first, then quiet
        s.send(b"hi")
        assert recv_exactly(s, 2) == b"hi"
        _drain(s)
    with no_traffic(emu, wire, settle=0):
        time.sleep(1.0)
        modem.poll()  # taking in URCs never writes
    # blocked in recv (short of a whole second), still nothing is asked
    for s in (buffered, pushed, dgram):
        s.settimeout(0.3)
        with no_traffic(emu, wire, settle=0):
            with pytest.raises(OSError) as exc:
                s.recv(1)
        assert exc.value.errno == errno.ETIMEDOUT


def test_blocking_recv_does_not_poll(modem, emu):
    """A recv that waits for data waits for the module's URC: no AT+QIRD
    before it (nor any other command)."""
    with PayloadServer(b"x" * 10 + b"y" * 10, chunks=2, gap=1.0,
                       close=False) as srv:
        s = _connect(bc26.SocketPool(modem), ("127.0.0.1", srv.port))
        s.settimeout(None)
        assert recv_exactly(s, 10) == b"x" * 10
        _drain(s)
        mark = len(emu.log)
        t0 = time.monotonic()
        assert recv_exactly(s, 10) == b"y" * 10
        waited = time.monotonic() - t0
        assert waited > 0.6
        lines = commands_since(emu, mark)
        assert lines and all(line.startswith(b"AT+QIRD=") for line in lines)
        first = emu.log[mark].t
        last_before = emu.log[mark - 1].t
        assert first - last_before > 0.6  # nothing during the wait
        s.close()


def _drain(s):
    """Read until the module says its buffer is empty (a non-blocking read
    ends with AT+QIRD answering 0 in buffer mode)."""
    timeout = s.gettimeout()
    s.settimeout(0)
    with pytest.raises(OSError) as exc:
        s.recv(100)
    assert exc.value.errno == errno.EAGAIN
    s.settimeout(timeout)


def test_pending_counters(pool, tcp_addr, emu):
    s = _connect(pool, tcp_addr)
    assert s.pending() == (0, 0, 0)
    s.send(b"z" * 3000)
    recv_exactly(s, 3000)
    assert wait_for(lambda: s.pending() == (3000, 3000, 0))
    s.close()


def test_stream_reads_like_micropython_streams(mode_pool, tcp_addr):
    # umqtt.simple polls with setblocking(False) + read(1) and expects None
    s = _connect(mode_pool, tcp_addr)
    s.setblocking(False)
    assert s.read(1) is None
    assert s.readinto(bytearray(4)) is None
    # a timeout after some bytes hands over what came instead of losing it
    s.settimeout(0.3)
    s.send(b"abc")
    assert s.read(10) == b"abc"
    s.close()


def test_send_after_an_unread_remote_close_is_epipe(modem, emu, pool, tcp_addr):
    """Whether or not the driver has read the "closed" URC yet, a send on
    a socket the peer closed raises EPIPE."""
    s = pool.socket()
    s.settimeout(5)
    s.connect(tcp_addr)
    emu.faults.remote_close(s.connect_id)
    time.sleep(0.05)  # the URC is on the wire, not read yet
    with pytest.raises(OSError) as exc:
        s.send(b"x" * 30)
    assert exc.value.errno == errno.EPIPE
    assert s.recv(10) == b""
    with pytest.raises(OSError) as exc:
        s.send(b"x" * 30)
    assert exc.value.errno == errno.EPIPE
    s.close()


def test_a_timed_out_readline_keeps_the_line_so_far(pool, tcp_addr):
    s = pool.socket()
    s.settimeout(3)
    s.connect(tcp_addr)
    s.settimeout(0.5)
    s.send(b"HTTP/1.1 2")  # the peer's line, its first part
    with pytest.raises(OSError) as e:
        s.readline()
    assert e.value.errno == errno.ETIMEDOUT
    s.send(b"00 OK\r\n")
    assert s.readline() == b"HTTP/1.1 200 OK\r\n"  # nothing lost
    s.send(b"rest")
    with pytest.raises(OSError):
        s.read()  # to the end of a stream that does not end
    s.send(b"!")
    assert s.recv(10) + s.recv(10) == b"rest!"
    s.close()


def test_a_retried_close_leaves_the_next_owner_of_the_id_alone(make_modem, tcp_addr):
    """A close without CLOSE OK in time raises and keeps its id; once the
    late CLOSE OK frees it, another socket may take that id -- and the
    first socket's close(), tried again, must not close that one."""
    emu, modem, wire = make_modem()
    modem.reply_ms = 300
    pool = bc26.SocketPool(modem)
    a = pool.socket()
    a.settimeout(3)
    a.connect(tcp_addr)
    cid = a.connect_id
    emu.faults.late_close_ok(11)  # past the 10 s CLOSE OK deadline
    with pytest.raises(OSError):
        a.close()
    emu.faults.late_close_ok(0)  # (from now on CLOSE OK comes with OK)
    assert a.connect_id == cid  # still the module's: close() may retry
    with pytest.raises(OSError) as e:
        a.send(b"x")  # closing: no traffic on it any more
    assert e.value.errno == errno.EBADF
    assert wait_for(lambda: (modem.poll(), modem.proto.sockets[cid].state)[1] == 0,
                    timeout=5)
    b = pool.socket()
    b.settimeout(3)
    b.connect(tcp_addr)
    assert b.connect_id == cid
    mark = len(emu.log)
    a.close()  # the late CLOSE OK finished it: nothing to do
    assert a.connect_id == -1
    assert not [c for c in commands_since(emu, mark) if c.startswith(b"AT+QICLOSE")]
    b.send(b"still open")
    assert b.recv(20) == b"still open"
    b.close()
