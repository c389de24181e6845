"""recv_into() at its edges, each found by reading the data path: a read
left early (a cancelled task) or timed out half way keeps every byte, and a
loss a stream read meets after some bytes is still told."""
import asyncio
import errno
import os
import time

import pytest

import bc26
import bc26.aio
from bc26.host.serial_port import open_uart
from driver_support import recv_exactly, wait_for


def test_cancelled_async_read_loses_nothing(make_emu, tcp_addr):
    emu = make_emu()
    data = bytes(range(200))

    async def main():
        m = bc26.aio.Modem(open_uart(emu.url))
        assert emu.wait_ready(5)
        await m.start(timeout=10)
        await m.open_socket(0, "TCP", "127.0.0.1", tcp_addr[1], 0,
                            bc26.BUFFER, 5)
        await m.send(0, data)
        await asyncio.sleep(0.3)
        await m.poll()
        emu.faults.delay_reply(0.5, on="AT+QIRD")
        early = bytearray(300)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(m.recv_into(0, early, 0, 5000), 0.2)
        got = bytearray()
        buf = bytearray(300)
        while len(got) < len(data):
            n = await m.recv_into(0, buf, 0, 3000)
            assert n, "end of stream before the data"
            got += buf[:n]
        m.close()
        return bytes(got)

    assert asyncio.run(main()) == data


def test_read_timing_out_half_way_returns_what_landed(make_emu, tcp_addr):
    # 64-byte frames and a slow line: the read's reply outlasts reply_ms
    # after part of its payload has landed in the caller's buffer
    emu = make_emu(baud=9600)
    m = bc26.Modem(open_uart(emu.url), tokenizer=bc26.Tokenizer(1536, 64))
    assert emu.wait_ready(5)
    m.start(timeout=20)
    m.open_socket(0, "TCP", "127.0.0.1", tcp_addr[1], 0, bc26.BUFFER, 5)
    data = os.urandom(512)
    m.send(0, data)
    time.sleep(0.8)
    m.poll()
    m.reply_ms = 300  # the 512-byte reply takes ~550 ms at 9600 baud
    got = bytearray()
    buf = bytearray(512)
    end = time.monotonic() + 20
    while len(got) < len(data) and time.monotonic() < end:
        try:
            got += buf[:m.recv_into(0, buf, 0, 3000)]
        except OSError as e:
            assert e.errno == errno.ETIMEDOUT
        m.reply_ms = 2000
    assert bytes(got) == data
    m.close()


def test_loss_met_by_a_stream_read_is_told_by_the_next(make_emu, tcp_addr):
    emu = make_emu()
    m = bc26.Modem(open_uart(emu.url), rx_capacity=64, rx_limit=128)
    assert emu.wait_ready(5)
    m.start(timeout=10)
    pool = bc26.SocketPool(m, access_mode=bc26.DIRECT_PUSH)
    s = pool.socket()
    s.settimeout(2)
    s.connect(tcp_addr)
    s.send(b"A" * 1000)  # the echo pours in while the driver waits
    time.sleep(0.5)
    s.send(b"x")
    buf = bytearray(4000)
    n = s.readinto(buf, 4000)  # what came before the loss
    assert 0 < n <= 128 and bytes(buf[:n]) == b"A" * n
    with pytest.raises(OSError) as err:
        s.readinto(buf, 10)
    assert err.value.errno == errno.ENOBUFS
    s.close()
    m.close()


@pytest.mark.parametrize("timeout", [0.3, 0])
def test_a_lost_recv_notice_strands_nothing_for_long(modem, emu, tcp_addr,
                                                     timeout):
    """The module says "recv" once until drained: if that line is lost,
    short reads (0.3 s, or non-blocking polls) still get the data once a
    second of fruitless waiting has passed -- the driver asks by itself."""
    pool = bc26.SocketPool(modem)
    s = pool.socket()
    s.settimeout(5)
    s.connect(tcp_addr)
    s.send(b"first")
    assert s.recv(100) == b"first"
    s.settimeout(0)
    with pytest.raises(OSError):
        s.recv(100)  # drained: the next data is announced once
    modem.small_send = 0  # the layout below is data mode's
    urc = b'\r\n+QIURC: "recv",%d,6\r\n' % s.connect_id
    emu.faults.drop_output(len(urc), len(b"\r\n> \r\nOK\r\n\r\nSEND OK\r\n"))
    s.settimeout(timeout)
    s.send(b"second")
    t0 = time.monotonic()
    got = b""
    while not got and time.monotonic() - t0 < 4:
        try:
            got = s.recv(100)
        except OSError as e:
            assert e.errno in (errno.ETIMEDOUT, errno.EAGAIN), e
            time.sleep(0.05)
    assert got == b"second"
    assert time.monotonic() - t0 < 2.5  # about a second, not 30
    s.close()


def test_end_of_stream_after_a_switch_to_push_with_data_announced(
        modem, emu, tcp_addr):
    """Data announced in buffer mode, then AT+QISWTMD to direct push (the
    module pushes what it held), then the peer closes: the data, then the
    end of the stream -- not a wait for a read that push mode never needs."""
    pool = bc26.SocketPool(modem)
    s = pool.socket()
    s.settimeout(3)
    s.connect(tcp_addr)
    s.send(b"held")
    assert wait_for(lambda: modem.poll() is not None
                    and modem.proto.sockets[s.connect_id].module_data)
    modem.set_access_mode(s.connect_id, bc26.DIRECT_PUSH)
    assert recv_exactly(s, 4) == b"held"
    emu.faults.remote_close(s.connect_id)
    assert s.recv(10) == b""
    s.close()
