"""UDP through the pool: one recv is one datagram in both access modes (the
module keeps one node per datagram; a read never runs into the next), a
datagram is never split into several on the way out, and a connected UDP
socket never sends to an address it is not connected to."""
import errno
import os
import time

import pytest

import bc26

from driver_support import no_traffic, wait_for

SIZES = (1, 511, 512, 513, 1200, 1460)
MODES = {"buffer": bc26.BUFFER, "push": bc26.DIRECT_PUSH}


def _datagrams():
    # distinct contents, so a boundary in the wrong place cannot pass
    return [bytes([i + 1]) * 3 + os.urandom(n - 3) if n > 3 else bytes([i + 1]) * n
            for i, n in enumerate(SIZES)]


def _udp(modem, addr, mode):
    pool = bc26.SocketPool(modem, access_mode=MODES[mode])
    s = pool.socket(pool.AF_INET, pool.SOCK_DGRAM)
    s.settimeout(5)
    s.connect(addr)
    return pool, s


def _queue(emu, modem, s, udp_echo, datagrams, mode):
    """Send every datagram and let all the echoes arrive before any read."""
    for d in datagrams:
        assert s.send(d) == len(d)
    assert wait_for(lambda: len(udp_echo.received) == len(datagrams))
    if mode == "buffer":
        assert wait_for(lambda: len(emu.sockets()[s.connect_id]["nodes"])
                        == len(datagrams))
    else:  # pushed at once: give them time to be on the wire before any read
        time.sleep(0.3)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_each_recv_is_one_whole_datagram(modem, emu, udp_echo, udp_addr, mode):
    _, s = _udp(modem, udp_addr, mode)
    datagrams = _datagrams()
    _queue(emu, modem, s, udp_echo, datagrams, mode)
    assert udp_echo.received == datagrams  # one send, one datagram
    for d in datagrams:
        buf = bytearray(2048)
        n, addr = s.recvfrom_into(buf)
        assert bytes(buf[:n]) == d
        assert addr == udp_addr  # the sender
    s.settimeout(0)
    with pytest.raises(OSError) as exc:
        s.recv(2048)
    assert exc.value.errno == errno.EAGAIN
    s.close()


@pytest.mark.parametrize("mode", sorted(MODES))
def test_a_short_buffer_truncates_and_drops_the_rest(modem, emu, udp_echo,
                                                     udp_addr, mode):
    """As a BSD socket: the buffer's worth of the datagram, the rest of it
    gone; the next recv starts at the next datagram."""
    _, s = _udp(modem, udp_addr, mode)
    datagrams = _datagrams()
    _queue(emu, modem, s, udp_echo, datagrams, mode)
    for d in datagrams:
        assert s.recv(100) == d[:100]
    s.settimeout(0)
    with pytest.raises(OSError):
        s.recv(100)
    s.close()


@pytest.mark.parametrize("mode", sorted(MODES))
def test_two_small_datagrams_stay_two(modem, udp_echo, udp_addr, mode):
    _, s = _udp(modem, udp_addr, mode)
    s.send(b"dgram1")
    s.send(b"dgram2")
    assert wait_for(lambda: len(udp_echo.received) == 2)
    assert s.recv(64) == b"dgram1"
    assert s.recv(64) == b"dgram2"
    s.close()


@pytest.mark.parametrize("hexmode", [False, True])
def test_a_datagram_over_one_send_is_refused(modem, emu, wire, udp_echo,
                                             udp_addr, hexmode):
    _, s = _udp(modem, udp_addr, "buffer")
    if hexmode:
        modem.configure(dataformat=(1, 0))
    limit = 730 if hexmode else 1460
    with no_traffic(emu, wire):
        with pytest.raises(OSError) as exc:
            s.send(b"x" * (limit + 1))
    assert exc.value.errno == errno.EMSGSIZE
    assert s.send(b"y" * limit) == limit  # the limit itself goes, whole
    assert wait_for(lambda: len(udp_echo.received) == 1)
    assert udp_echo.received == [b"y" * limit]
    s.close()


def test_sendto_another_address_is_refused(modem, emu, wire, udp_echo,
                                           udp_addr):
    pool = bc26.SocketPool(modem)
    s = pool.socket(pool.AF_INET, pool.SOCK_DGRAM)
    s.settimeout(5)
    assert s.sendto(b"first", udp_addr) == 5
    assert wait_for(lambda: len(udp_echo.received) == 1)
    other = (udp_addr[0], udp_addr[1] + 1 if udp_addr[1] < 65535 else 1)
    with no_traffic(emu, wire):
        with pytest.raises(OSError) as exc:
            s.sendto(b"elsewhere", other)
    assert exc.value.errno == errno.EISCONN
    assert s.sendto(b"again", udp_addr) == 5  # the connected one still works
    assert wait_for(lambda: len(udp_echo.received) == 2)
    assert udp_echo.received == [b"first", b"again"]
    assert s.recvfrom(64) == (b"first", udp_addr)
    s.close()


def test_a_read_timing_out_inside_a_datagram_keeps_it_whole(make_modem,
                                                            udp_echo,
                                                            udp_addr):
    """The second AT+QIRD of a 1200-byte datagram gets no answer in time:
    recv raises the timeout, and the datagram comes whole with the next
    recv -- never as pieces."""
    emu, modem, wire = make_modem()
    armed = []

    def log(direction, data):
        wire(direction, data)
        if direction == "<" and b"+QIRD: 512," in data and not armed:
            armed.append(True)  # the next read's answer comes late
            emu.faults.delay_reply(0.6, on="AT+QIRD")
    modem.log = log
    _, s = _udp(modem, udp_addr, "buffer")
    datagram = os.urandom(1200)
    s.send(datagram)
    s.send(b"next")
    assert wait_for(lambda: len(emu.sockets()[s.connect_id]["nodes"]) == 2)
    modem.reply_ms = 300
    with pytest.raises(OSError) as exc:
        s.recv(2048)
    assert exc.value.errno == errno.ETIMEDOUT
    assert armed
    time.sleep(0.5)  # the late answer is taken in with the next call
    modem.reply_ms = 2000
    assert s.recv(2048) == datagram
    assert s.recv(2048) == b"next"
    s.close()


def test_a_pushed_datagram_longer_than_the_buffer_arrives_while_waiting(
        make_modem, udp_echo, udp_addr):
    """rx_capacity 1024 (a board's): an 1100-byte datagram pushed while
    recv waits grows the buffer and comes whole, in time."""
    import threading
    emu, modem, _ = make_modem(start=False)
    modem.close()
    modem = bc26.Modem.open(emu.url, rx_capacity=1024)
    try:
        modem.start(timeout=10)
        _, s = _udp(modem, udp_addr, "push")
        s.settimeout(3)
        threading.Timer(0.2, emu.faults.fill_buffer,
                        (s.connect_id, 1, 1100)).start()
        t = time.monotonic()
        assert len(s.recv(2048)) == 1100
        assert time.monotonic() - t < 2
        # read, the grown buffer goes back to rx_capacity (RAM on a board)
        assert modem.proto.sockets[s.connect_id].rx.cap == 1024
        s.sendto(b"after", udp_addr)
        assert s.recv(2048) == b"after"
    finally:
        modem.close()
