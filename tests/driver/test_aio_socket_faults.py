"""bc26.aio's sockets and streams when a wait is cancelled, or an address is
bad: no socket of the module is left taken with no owner, a close can be
tried again, no written byte is lost or sent twice, and nothing bad reaches
the UART (against the emulator)."""
import asyncio

import pytest

import bc26
import bc26.aio
from bc26.host.serial_port import open_uart

from driver_support import no_traffic


class Wire:
    """Modem(log=...): what the driver wrote and read, in order."""

    def __init__(self):
        self.events = []

    def __call__(self, direction, data):
        self.events.append((direction, bytes(data)))

    def first(self, direction, needle):
        for i, (d, data) in enumerate(self.events):
            if d == direction and needle in data:
                return i
        return None


async def _started(emu, wire=None):
    modem = bc26.aio.Modem(open_uart(emu.url), log=wire)
    assert emu.wait_ready(5)
    assert await modem.start(timeout=10) == "127.0.0.1"
    return modem


async def _connected(emu, addr):
    """A started modem and a socket connected to addr on it."""
    modem = await _started(emu)
    s = bc26.aio.Socket(modem)
    await s.connect(addr)
    return modem, s


def _states(modem):
    return [s.state for s in modem.proto.sockets]


def test_a_cancelled_connect_leaves_no_socket_taken(make_emu, tcp_addr):
    """wait_for() gives up on a connect whose +QIOPEN comes late: the
    socket the module opens anyway is closed (after its +QIOPEN, as the
    manual wants), and its id is free again."""
    emu = make_emu()
    wire = Wire()

    async def main():
        modem = await _started(emu, wire)
        emu.faults.delay_reply(1.0, on="AT+QIOPEN")
        s = bc26.aio.Socket(modem)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(s.connect(tcp_addr), 0.3)
        assert s.connect_id == -1
        await asyncio.sleep(2.0)
        states = _states(modem)
        again = bc26.aio.Socket(modem)
        await again.connect(tcp_addr)
        cid = again.connect_id
        await again.close()
        modem.close()
        return states, cid

    states, cid = asyncio.run(main())
    assert states == [0] * 5
    assert cid == 0
    opened = wire.first("<", b"+QIOPEN: 0,0")
    closed = wire.first(">", b"AT+QICLOSE=0")
    assert opened is not None and closed is not None and closed > opened


def test_a_cancelled_close_keeps_the_id_for_a_retry(make_emu, tcp_addr):
    """A close cancelled before its AT+QICLOSE went out (another task
    holds the wire): the socket keeps its id, and close() again closes it."""
    emu = make_emu()

    async def main():
        modem, s = await _connected(emu, tcp_addr)
        emu.faults.delay_reply(1.0, on="AT+QIDNSGIP")
        other = asyncio.ensure_future(modem.resolve("echo.test"))
        await asyncio.sleep(0.1)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(s.close(), 0.2)
        await other
        kept = s.connect_id, _states(modem)
        mark = len(emu.log)
        await s.close()
        lines = [e.data for e in emu.log[mark:] if e.kind == "line"]
        after = s.connect_id, _states(modem)
        modem.close()
        return kept, lines, after

    kept, lines, after = asyncio.run(main())
    assert kept == (0, [2, 0, 0, 0, 0])
    assert lines == [b"AT+QICLOSE=0"]
    assert after == (-1, [0] * 5)


def test_a_close_cancelled_in_flight_never_closes_the_next_owner(make_emu,
                                                                 tcp_addr):
    """Cancelled after its AT+QICLOSE went out, a close keeps the id until
    the module answered; once CLOSE OK freed it and another socket took
    it, the first one's close() and send() leave that one alone."""
    emu = make_emu()

    async def main():
        modem, a = await _connected(emu, tcp_addr)
        emu.faults.delay_reply(0.6, on="AT+QICLOSE")
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(a.close(), 0.2)
        kept = a.connect_id
        await asyncio.sleep(1.0)
        await modem.poll()
        b = bc26.aio.Socket(modem)
        b.settimeout(3)
        await b.connect(tcp_addr)
        mark = len(emu.log)
        with pytest.raises(OSError):
            await a.send(b"stale")
        await a.close()
        lines = [e.data for e in emu.log[mark:] if e.kind == "line"]
        await b.send(b"for b")
        echoed = await b.recv(16)
        ids = a.connect_id, b.connect_id, _states(modem)
        await b.close()
        modem.close()
        return kept, lines, echoed, ids

    kept, lines, echoed, ids = asyncio.run(main())
    assert kept == 0
    assert lines == []
    assert echoed == b"for b"
    assert ids == (-1, 0, [2, 0, 0, 0, 0])


def test_a_cancelled_drain_loses_no_bytes(make_emu, tcp_echo, tcp_addr):
    """A drain() cancelled while another task holds the wire: what was
    written still goes, once and in order, before what is written next."""
    emu = make_emu()

    async def main():
        modem = await _started(emu)
        reader, writer = await bc26.aio.open_connection(modem, *tcp_addr,
                                                        timeout=5)
        emu.faults.delay_reply(1.0, on="AT+QIDNSGIP")
        other = asyncio.ensure_future(modem.resolve("echo.test"))
        await asyncio.sleep(0.1)
        writer.write(b"FIRST-")
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(writer.drain(), 0.2)
        await other
        writer.write(b"SECOND")
        await writer.drain()
        got = b""
        while len(got) < 12:
            try:
                chunk = await reader.read(100)
            except OSError:  # ETIMEDOUT: no more comes
                break
            if not chunk:
                break
            got += chunk
        with pytest.raises(asyncio.TimeoutError):  # nothing more: no copy
            await asyncio.wait_for(reader.read(100), 0.5)
        writer.close()
        await writer.wait_closed()
        modem.close()
        return got

    assert asyncio.run(main()) == b"FIRST-SECOND"


@pytest.mark.parametrize("port,exc", [(70000, ValueError), (0, ValueError),
                                      ("80", TypeError)])
def test_a_bad_port_never_reaches_the_uart(make_emu, port, exc):
    """connect() and a first sendto() check the port before a name is
    resolved (no AT+QIDNSGIP for an address that cannot be opened)."""
    emu = make_emu()

    async def main():
        modem = await _started(emu)
        tcp = bc26.aio.Socket(modem)
        udp = bc26.aio.Socket(modem, bc26.aio.SOCK_DGRAM)
        with no_traffic(emu):
            with pytest.raises(exc):
                await tcp.connect(("echo.test", port))
            with pytest.raises(exc):
                await udp.sendto(b"x", ("echo.test", port))
        with no_traffic(emu):
            with pytest.raises(ValueError):  # as bc26.SocketPool's
                await tcp.connect(("echo.test",))
        ids = tcp.connect_id, udp.connect_id, _states(modem)
        modem.close()
        return ids

    assert asyncio.run(main()) == (-1, -1, [0] * 5)


def test_a_cancelled_wait_closed_does_not_stop_the_closing(make_emu, tcp_addr):
    """wait_closed() cancelled while CLOSE OK is late: the close goes on,
    and wait_closed() again waits for its end."""
    emu = make_emu()

    async def main():
        modem = await _started(emu)
        reader, writer = await bc26.aio.open_connection(modem, *tcp_addr)
        cid = writer._sock.connect_id
        emu.faults.late_close_ok(1.0)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), 0.3)
        await writer.wait_closed()
        states = _states(modem)
        modem.close()
        return cid, states

    cid, states = asyncio.run(main())
    assert cid == 0 and states == [0] * 5

