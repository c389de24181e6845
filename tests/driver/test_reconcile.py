"""After a lost answer the driver corrects its socket table by the module's
own (AT+QISTATE): a socket whose end was lost with the answer ends as a
remote close does (its bytes, then end of stream, a send raises EPIPE); a
peer's close whose URC was lost is learnt; a close whose CLOSE OK was lost
is done when the module no longer lists the socket.  Real emulator, real
loopback sockets."""
import errno
import time

import pytest

import bc26

from driver_support import commands_since, recv_exactly, wait_for

MODES = {"buffer": bc26.BUFFER, "push": bc26.DIRECT_PUSH}


def _fast(modem):
    modem.reply_ms = 300
    modem.send_ms = 600


@pytest.fixture
def closing(modem, tcp_addr, monkeypatch):
    """(pool, socket) to close, CLOSE OK awaited 1 s instead of the
    manual's 10 s (the tests' time)."""
    import bc26.command
    monkeypatch.setitem(bc26.command._RESULTS, "QICLOSE", ("close", 1000))
    _fast(modem)
    pool = bc26.SocketPool(modem)
    return pool, _connect(pool, tcp_addr)


def _connect(pool, addr, timeout=2):
    s = pool.socket()
    s.settimeout(timeout)
    s.connect(addr)
    return s


def _one_socket(modem, addr, mode="buffer"):
    """(pool, socket): short timeouts, one connected socket."""
    _fast(modem)
    pool = bc26.SocketPool(modem, access_mode=MODES[mode])
    return pool, _connect(pool, addr)


def _lose_an_answer(modem, emu):
    """One command goes unanswered (the module is mute for it)."""
    emu.faults.mute()
    with pytest.raises(OSError) as exc:
        modem.counters(4)  # no socket there: the answer would be an error
    assert exc.value.errno == errno.ETIMEDOUT
    emu.faults.unmute()


@pytest.mark.parametrize("mode", sorted(MODES))
def test_a_socket_gone_while_an_answer_was_lost_ends_as_a_remote_close(
        modem, emu, tcp_echo, tcp_addr, mode):
    _fast(modem)
    pool = bc26.SocketPool(modem, access_mode=MODES[mode])
    gone = _connect(pool, tcp_addr)
    kept = _connect(pool, tcp_addr)
    kept.send(b"before")
    assert recv_exactly(kept, 6) == b"before"
    _lose_an_answer(modem, emu)
    emu.faults.drop_socket(gone.connect_id)  # no URC says so
    mark = len(emu.log)
    kept.send(b"after")  # resynchronises first, then asks the module
    assert recv_exactly(kept, 5) == b"after"
    lines = commands_since(emu, mark)
    assert b"AT+CMEE?" in lines and b"AT+QISTATE?" in lines, lines
    assert lines.index(b"AT+CMEE?") < lines.index(b"AT+QISTATE?")
    assert gone.recv(10) == b""  # at once: no wait for data that cannot come
    with pytest.raises(OSError) as exc:
        gone.send(b"x")
    assert exc.value.errno == errno.EPIPE
    gone.close()  # the module answers for a socket it does not have; fine
    assert [i.connect_id for i in modem.sockets()] == [kept.connect_id]
    kept.send(b"still")
    assert recv_exactly(kept, 5) == b"still"
    kept.close()


@pytest.mark.parametrize("mode", sorted(MODES))
def test_a_peer_close_whose_urc_was_lost_is_learnt(modem, emu, tcp_addr, mode):
    pool, s = _one_socket(modem, tcp_addr, mode)
    s.send(b"last words")
    if mode == "push":
        assert recv_exactly(s, 10) == b"last words"
    else:
        assert wait_for(lambda: emu.sockets()[s.connect_id]["nodes"])
    emu.faults.mute()  # the "closed" URC is lost with the answer
    with pytest.raises(OSError):
        modem.counters(4)
    emu.faults.remote_close(s.connect_id)
    time.sleep(0.05)
    emu.faults.unmute()
    mark = len(emu.log)
    assert modem.socket_state(s.connect_id).state == 4
    assert b"AT+QISTATE?" in commands_since(emu, mark)
    got = b"" if mode == "push" else recv_exactly(s, 10)
    assert got in (b"", b"last words")
    assert s.recv(10) == b""
    with pytest.raises(OSError) as exc:
        s.send(b"too late")
    assert exc.value.errno == errno.EPIPE
    s.close()
    assert modem.sockets() == []


def test_a_close_whose_close_ok_was_lost_is_done_when_the_module_has_no_socket(
        modem, emu, tcp_addr, closing):
    pool, s = closing
    cid = s.connect_id
    emu.faults.late_close_ok(0.05)  # OK at once, CLOSE OK 50 ms later ...
    emu.faults.corrupt_output(count=8, skip=8)  # ... and it is mangled
    mark = len(emu.log)
    s.close()  # no CLOSE OK, but the module lists no socket: closed
    assert commands_since(emu, mark) == [b"AT+QICLOSE=%d" % cid,
                                         b"AT+QISTATE=1,%d" % cid]
    emu.faults.clear()
    again = _connect(pool, tcp_addr)
    assert again.connect_id == cid  # the id is free again
    again.close()


def test_a_close_the_module_still_works_on_keeps_the_id_until_close_ok(
        modem, emu, tcp_addr, closing):
    cid = closing[1].connect_id
    emu.faults.late_close_ok(2)  # past the driver's wait
    with pytest.raises(OSError) as exc:
        modem.close_socket(cid)
    assert exc.value.errno == errno.ETIMEDOUT
    assert modem.socket_state(cid).state == 3  # the module: still closing
    with pytest.raises(bc26.ModemError) as busy:
        modem.open_socket(cid, "TCP", *tcp_addr)
    assert busy.value.code == 563
    assert modem.free_socket() != cid
    # the late CLOSE OK frees it (poll() takes in what the module sends)
    assert wait_for(lambda: modem.poll() is not None and modem.free_socket() == cid, 5)
    emu.faults.clear()


def test_an_aio_socket_send_after_the_peer_closed_is_epipe(make_emu, tcp_addr):
    # as a pool socket's: the driver knows, so nothing goes to the module
    import asyncio
    from bc26.host.serial_port import open_uart
    emu = make_emu()

    async def main():
        modem = bc26.aio.Modem(open_uart(emu.url))
        try:
            await modem.start(timeout=10)
            s = bc26.aio.Socket(modem)
            s.settimeout(5)
            await s.connect(tcp_addr)
            emu.faults.remote_close(s.connect_id)
            assert await s.recv(10) == b""
            mark = len(emu.log)
            with pytest.raises(OSError) as exc:
                await s.send(b"too late")
            assert exc.value.errno == errno.EPIPE
            assert commands_since(emu, mark) == []
            await s.close()
        finally:
            modem.close()
    asyncio.run(main())


def test_a_late_answer_to_the_reconcile_is_resynchronised_too(modem, emu, tcp_addr):
    pool, s = _one_socket(modem, tcp_addr)
    s.send(b"hello")
    assert recv_exactly(s, 5) == b"hello"
    _lose_an_answer(modem, emu)
    emu.faults.delay_reply(0.5, on="AT+QISTATE")  # past reply_ms: late
    # the late OK of AT+QISTATE? must not be taken for this one's
    assert modem.counters(s.connect_id) == (5, 5, 0)
    s.send(b"again")
    assert recv_exactly(s, 5) == b"again"
    s.close()


@pytest.mark.parametrize("mode", sorted(MODES))
def test_a_mangled_line_of_the_table_ends_no_socket(modem, emu, tcp_addr, mode):
    pool, s = _one_socket(modem, tcp_addr, mode)
    _lose_an_answer(modem, emu)
    # after the probe's answer (CR LF +CMEE: 1 CR LF CR LF OK CR LF, 18
    # bytes) the table's line: its 'Q' mangled, the line is none of it
    emu.faults.corrupt_output(count=1, skip=21)
    mark = len(emu.log)
    s.send(b"alive")  # resync, reconcile; asked alone, the socket is there
    assert b"AT+QISTATE=1,%d" % s.connect_id in commands_since(emu, mark)
    assert recv_exactly(s, 5) == b"alive"
    assert modem.socket_state(s.connect_id).state == 2
    s.close()


def test_a_poll_of_a_desynchronised_modem_does_not_wait(modem, emu, tcp_addr):
    pool, s = _one_socket(modem, tcp_addr, "push")
    emu.faults.mute()
    with pytest.raises(OSError):
        modem.counters(4)  # lost: the driver is out of step now
    t = time.monotonic()
    with pytest.raises(OSError) as exc:
        modem.recv_into(s.connect_id, bytearray(8), 0, 0)
    assert exc.value.errno == errno.EAGAIN
    assert time.monotonic() - t < 0.1  # no resync for a poll
    emu.faults.unmute()
    s.send(b"back")
    assert recv_exactly(s, 4) == b"back"
    s.close()
