"""bc26.aio waits on the UART instead of polling it, and tasks sharing one
modem do not wait behind each other's operations (against the emulator
on a pty and on a TCP port)."""
import asyncio
import errno
import os
import sys

import pytest

import bc26
import bc26.aio
from bc26.host.serial_port import open_uart

from driver_support import TRANSPORTS

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "mpy"))
from aio_mqtt import mqtt_round_trip  # noqa: E402


async def _started(emu):
    modem = bc26.aio.Modem(open_uart(emu.url))
    assert emu.wait_ready(5)
    assert await modem.start(timeout=10) == "127.0.0.1"
    return modem


async def _echo(modem, cid, data):
    assert await modem.send(cid, data) == len(data)
    got = bytearray()
    buf = bytearray(600)
    while len(got) < len(data):
        n = await modem.recv_into(cid, buf, 0, 5000)
        assert n, "connection closed"
        got += buf[:n]
    return bytes(got)


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("mode", [bc26.BUFFER, bc26.DIRECT_PUSH],
                         ids=["buffer", "push"])
def test_an_idle_wait_reads_the_uart_only_when_bytes_come(make_emu, tcp_addr,
                                                          mode):
    emu = make_emu()

    async def main():
        modem = await _started(emu)
        await modem.open_socket(0, "TCP", tcp_addr[0], tcp_addr[1], 0, mode, 5)
        buf = bytearray(64)
        waiting = asyncio.ensure_future(modem.recv_into(0, buf, 0, 1500))
        await asyncio.sleep(0.2)
        before = modem.reads
        await asyncio.sleep(1.0)  # the module says nothing meanwhile
        idle_reads = modem.reads - before
        with pytest.raises(OSError) as exc:
            await waiting
        assert exc.value.errno == errno.ETIMEDOUT
        # still serves: bytes that come wake the waiting task
        assert await _echo(modem, 0, b"after the wait") == b"after the wait"
        await modem.close_socket(0)
        modem.close()
        return idle_reads

    # the polling shell read ~1,700 times a second
    assert asyncio.run(main()) == 0


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_waiting_recv_does_not_hold_up_a_send_on_another_socket(make_emu,
                                                                  tcp_addr):
    emu = make_emu()

    async def main():
        modem = await _started(emu)
        for cid in (0, 1):
            await modem.open_socket(cid, "TCP", tcp_addr[0], tcp_addr[1], 0,
                                    bc26.BUFFER, 5)
        buf = bytearray(64)
        waiting = asyncio.ensure_future(modem.recv_into(0, buf, 0, 3000))
        await asyncio.sleep(0.1)
        data = bytes(range(256)) * 2
        got = await _echo(modem, 1, data)
        # the echo on socket 1 was done while socket 0's recv still waited
        still_waiting = not waiting.done()
        with pytest.raises(OSError):
            await waiting
        for cid in (0, 1):
            await modem.close_socket(cid)
        modem.close()
        return got, data, still_waiting

    got, data, still_waiting = asyncio.run(main())
    assert got == data
    assert still_waiting


@pytest.mark.parametrize("mode", [bc26.BUFFER, bc26.DIRECT_PUSH],
                         ids=["buffer", "push"])
def test_tasks_on_several_sockets_each_get_their_own_bytes(make_emu, tcp_addr,
                                                           udp_addr, mode):
    """Four tasks at once, each echoing on its own socket (buffer mode:
    their AT+QIRD reads take turns on the wire and land in the right
    buffers); nothing lost, duplicated or crossed."""
    emu = make_emu()

    async def one(modem, cid, rounds):
        out = []
        for r in range(rounds):
            data = bytes([cid, r]) * (100 + 37 * cid + r)
            out.append(await _echo(modem, cid, data) == data)
        return out

    async def main():
        modem = await _started(emu)
        for cid in range(4):
            await modem.open_socket(cid, "TCP", tcp_addr[0], tcp_addr[1], 0,
                                    mode, 5)
        results = await asyncio.gather(*[one(modem, cid, 5) for cid in range(4)])
        states = await modem.sockets()
        for cid in range(4):
            await modem.close_socket(cid)
        modem.close()
        return results, sorted(s.connect_id for s in states)

    results, open_ids = asyncio.run(main())
    assert results == [[True] * 5] * 4
    assert open_ids == [0, 1, 2, 3]


def test_a_uart_without_a_descriptor_is_still_served(make_emu, tcp_addr):
    """No fileno(): read every few milliseconds (the fallback)."""
    emu = make_emu()

    class NoDescriptor:
        def __init__(self, uart):
            self._uart = uart

        def write(self, data):
            return self._uart.write(data)

        def readinto(self, buf):
            return self._uart.readinto(buf)

    async def main():
        uart = open_uart(emu.url)
        modem = bc26.aio.Modem(NoDescriptor(uart))
        assert emu.wait_ready(5)
        assert await modem.start(timeout=10) == "127.0.0.1"
        await modem.open_socket(0, "TCP", tcp_addr[0], tcp_addr[1])
        got = await _echo(modem, 0, b"no descriptor")
        await modem.close_socket(0)
        uart.close()
        return got

    assert asyncio.run(main()) == b"no descriptor"


# -- async sockets and streams ---------------------------------------------------

@pytest.mark.parametrize("mode", [bc26.BUFFER, bc26.DIRECT_PUSH],
                         ids=["buffer", "push"])
def test_async_sockets_and_streams(make_emu, tcp_addr, udp_addr, mosquitto,
                                   mode):
    emu = make_emu()

    async def main():
        modem = await _started(emu)
        data = bytes(range(256)) * 3
        async with bc26.aio.Socket(modem, bc26.aio.SOCK_STREAM, mode) as s:
            s.settimeout(5)
            await s.connect(("echo.test", tcp_addr[1]))  # resolved first
            assert await s.sendall(data) == len(data)
            got = b""
            while len(got) < len(data):
                got += await s.recv(300)
            assert got == data
            s.settimeout(0)
            with pytest.raises(OSError) as exc:
                await s.recv(10)
            assert exc.value.errno == errno.EAGAIN
        assert s.connect_id == -1
        u = bc26.aio.Socket(modem, bc26.aio.SOCK_DGRAM, mode)
        u.settimeout(5)
        await u.connect(udp_addr)
        await u.send(b"one datagram")
        assert await u.recv(64) == b"one datagram"
        await u.close()
        reader, writer = await bc26.aio.open_connection(
            modem, "127.0.0.1", tcp_addr[1], mode, timeout=5)
        writer.write(b"line one\nline two\n")
        writer.write(b"rest")
        await writer.drain()
        lines = [await reader.readline(), await reader.readline(),
                 await reader.readexactly(4)]
        writer.close()
        await writer.wait_closed()
        mqtt = await mqtt_round_trip(modem, mosquitto, mode, data)
        left = await modem.sockets()
        modem.close()
        return lines, mqtt, left

    lines, mqtt, left = asyncio.run(main())
    assert lines == [b"line one\n", b"line two\n", b"rest"]
    assert mqtt == (b"bc26/aio/%d" % mode, bytes(range(256)) * 3)
    assert left == []


# -- tasks that go away, small reads, closing --------------------------------------

async def _cancelled_before_the_prompt(emu, tcp_addr, send, delay=0.4):
    """A started modem with socket 0 open, after send(modem) was
    cancelled while the module had not yet shown its (late) '>'."""
    modem = await _started(emu)
    await modem.open_socket(0, "TCP", tcp_addr[0], tcp_addr[1], 0,
                            bc26.BUFFER, 5)
    emu.faults.delay_reply(delay, on="AT+QISEND")  # '>' comes late
    task = asyncio.ensure_future(send(modem))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    return modem


async def _second_send(modem, n):
    """Send b"second" on socket 0, then read n bytes back from the echo."""
    assert await modem.send(0, b"second") == 6
    got = b""
    buf = bytearray(64)
    while len(got) < n:
        k = await modem.recv_into(0, buf, 0, 5000)
        assert k, "the echo connection closed"
        got += buf[:k]
    return got


def test_a_send_cancelled_before_its_prompt_still_ends_its_exchange(make_emu,
                                                                    tcp_addr):
    """Cancelled while the module has not yet shown '>': the payload still
    goes at the prompt (the module would take the next command as data),
    and the next send on the modem works."""
    emu = make_emu()

    async def main():
        modem = await _cancelled_before_the_prompt(
            emu, tcp_addr, lambda m: m.send(0, b"first|"))
        got = await _second_send(modem, 12)
        modem.close()
        return got

    assert asyncio.run(main()) == b"first|second"


@pytest.mark.parametrize("blind", [False, True], ids=["at-prompt", "blind"])
def test_a_variable_length_send_cancelled_at_its_prompt_sends_nothing(
        make_emu, tcp_addr, blind):
    """Cancelled before its '>' (shown late): a variable-length send (data
    up to Ctrl-Z) ends its data mode with ESC at the prompt, the manual's
    cancel, so none of its data goes out; the module's last error is 571
    and the next send on the modem works.  blind: the '>' is later than
    the driver waits for it, so the ESC goes without it (see
    DataPath._advance), and cancels all the same."""
    emu = make_emu()

    async def send(modem):
        if blind:
            modem.reply_ms = 300  # the '>' comes after 0.8 s
        return await modem.send_variable(0, b"never sent")

    async def main():
        mark = len(emu.log)
        modem = await _cancelled_before_the_prompt(
            emu, tcp_addr, send, 0.8 if blind else 0.4)
        # the ESC's OK, then the module's record of the cancel
        code, _ = await modem.last_error()
        kinds = [(e.kind, e.data) for e in emu.log[mark:]
                 if e.kind in ("data", "cancel")]
        got = await _second_send(modem, 6)
        await asyncio.sleep(0.2)  # anything more would be here by now
        sent = (await modem.counters(0))[0]
        modem.close()
        return code, kinds, got, sent

    code, kinds, got, sent = asyncio.run(main())
    if not blind:
        # (blind, the ESC's OK comes after the driver gave up on it, and
        # its resync's probe has the module's last error since)
        assert code == 571
    assert kinds[0][0] == "cancel"
    assert all(kind != "data" or data == b"second" for kind, data in kinds)
    assert got == b"second"
    assert sent == 6


def test_small_reads_on_two_sockets_at_once_keep_their_bytes(make_emu, tcp_addr):
    """recv_into with 10-byte buffers (reads into the socket's own buffer)
    on two buffer-mode sockets at once, while each read's reply may come
    with the other's "recv" notice."""
    emu = make_emu()

    async def drain(modem, cid, n):
        got = b""
        buf = bytearray(10)
        while len(got) < n:
            got += buf[:await modem.recv_into(cid, buf, 0, 5000)]
        return got

    async def main():
        modem = await _started(emu)
        for cid in (0, 1):
            await modem.open_socket(cid, "TCP", tcp_addr[0], tcp_addr[1], 0,
                                    bc26.BUFFER, 5)
        a, b = bytes(range(0, 200)), bytes(range(55, 255))
        await modem.send(0, a)
        await modem.send(1, b)
        got = await asyncio.gather(drain(modem, 0, len(a)), drain(modem, 1, len(b)))
        modem.close()
        return got, [a, b]

    got, sent = asyncio.run(main())
    assert got == sent


def test_close_wakes_the_tasks_still_waiting(make_emu, tcp_addr):
    emu = make_emu()

    async def main():
        modem = await _started(emu)
        await modem.open_socket(0, "TCP", tcp_addr[0], tcp_addr[1])
        waiting = asyncio.ensure_future(modem.recv_into(0, bytearray(8)))
        await asyncio.sleep(0.1)
        modem.close()
        with pytest.raises(OSError) as exc:
            await asyncio.wait_for(waiting, 2)
        return exc.value.errno

    assert asyncio.run(main()) == errno.EBADF


def test_connects_at_once_take_different_sockets(make_emu, tcp_addr):
    emu = make_emu()

    async def one(modem, i, connected, all_in):
        async with bc26.aio.Socket(modem) as s:
            s.settimeout(5)
            await s.connect(("127.0.0.1", tcp_addr[1]))
            connected.append(s.connect_id)
            if len(connected) == 3:
                all_in.set()
            await all_in.wait()  # all three open at once
            data = b"task %d\n" % i
            await s.sendall(data)
            got = b""
            while len(got) < len(data):
                got += await s.recv(64)
            return s.connect_id, got == data

    async def main():
        modem = await _started(emu)
        connected, all_in = [], asyncio.Event()
        got = await asyncio.gather(*[one(modem, i, connected, all_in)
                                     for i in range(3)])
        modem.close()
        return got

    got = asyncio.run(main())
    assert sorted(cid for cid, _ in got) == [0, 1, 2]
    assert all(ok for _, ok in got)


@pytest.mark.parametrize("mode", [bc26.BUFFER, bc26.DIRECT_PUSH],
                         ids=["buffer", "push"])
def test_async_udp_datagrams_over_ipv6(make_emu, mode):
    """bc26.aio's sockets: one recv is one datagram, IPv6 on ::1, sendto
    to another address than the connected one refused."""
    from bc26.emulator.servers import UDPEchoServer
    emu = make_emu()

    async def main():
        modem = await _started(emu)
        with UDPEchoServer(host="::1") as echo:
            u = bc26.aio.Socket(modem, bc26.aio.SOCK_DGRAM, mode,
                                bc26.aio.AF_INET6)
            u.settimeout(5)
            big = bytes(range(256)) * 4 + b"end"  # 1027: over one AT+QIRD
            await u.sendto(b"first", ("::1", echo.port))
            await u.sendto(big, ("::1", echo.port))
            with pytest.raises(OSError) as exc:
                await u.sendto(b"no", ("::1", echo.port + 1))
            assert exc.value.errno == errno.EISCONN
            assert await u.recvfrom(2048) == (b"first", ("::1", echo.port))
            assert await u.recv(2048) == big
            await u.close()
            received = list(echo.received)
        modem.close()
        return received

    assert asyncio.run(main()) == [b"first", bytes(range(256)) * 4 + b"end"]
