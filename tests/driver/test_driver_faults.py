"""Every fault the emulator can stage, against the driver: URCs at each frame
boundary, mangled output bytes, delayed replies, SEND FAIL, a late CLOSE OK,
reboots, a mute module, a remote close.  Nothing received may be lost or
duplicated except where the wire itself destroyed it, and the driver must
always come back."""
import errno
import time

import pytest

import bc26

from driver_support import (NASTY, assert_no_duplicates, commands_since,
                            parse_records, records, recv_exactly, wait_for)

MODES = {"buffer": bc26.BUFFER, "push": bc26.DIRECT_PUSH}


def _fast(modem):
    """Short command timeouts: a fault costs tenths of seconds, not tens."""
    modem.reply_ms = 300
    modem.send_ms = 600


def _connect(pool, addr, timeout=2):
    s = pool.socket()
    s.settimeout(timeout)
    s.connect(addr)
    return s


def _is_timeout(e):
    return isinstance(e, OSError) and e.errno == errno.ETIMEDOUT


# -- URCs at every frame boundary ----------------------------------------------

URCS = ["+CSCON: 1", "+CEREG: 1", "+QATWAKEUP", '+QIURC: "closed",4',
        '+QIURC: "recv",9', "+IP: 127.0.0.1"]


@pytest.mark.parametrize("at", ["now", "after_echo", "before_prompt",
                                "before_ok", "after_ok"])
@pytest.mark.parametrize("mode", sorted(MODES))
def test_urcs_at_every_boundary_of_sends_and_reads(modem, emu, tcp_addr, mode, at):
    pool = bc26.SocketPool(modem, access_mode=MODES[mode])
    s = _connect(pool, tcp_addr)
    targets = ["AT+QISEND"] if mode == "push" else ["AT+QISEND", "AT+QIRD"]
    for rnd in range(3):
        for target in targets:
            for line in URCS:
                emu.faults.inject_urc(line, at=at, on=target)
        if at == "now":
            time.sleep(0.02)
        data = NASTY * (rnd + 1)
        s.send(data)
        assert recv_exactly(s, len(data)) == data
    seen = repr(modem.poll())  # the unclaimed URCs, newest last
    assert "CSCON" in seen and "QATWAKEUP" in seen
    # the spurious ones left every socket alone
    assert [i.connect_id for i in modem.sockets()] == [s.connect_id]
    s.close()


def test_urc_between_ok_and_close_ok(modem, emu, tcp_addr):
    pool = bc26.SocketPool(modem)
    s = _connect(pool, tcp_addr)
    emu.faults.inject_urc("+CSCON: 0", at="after_ok", on="AT+QICLOSE")
    s.close()
    assert modem.sockets() == []


def test_data_urc_between_ok_and_send_ok(modem, emu, tcp_addr):
    """A real receive URC of another socket lands between OK and SEND OK."""
    pool = bc26.SocketPool(modem)
    a = _connect(pool, tcp_addr)
    b = _connect(pool, tcp_addr)
    b.send(b"for b")
    assert wait_for(lambda: emu.sockets()[b.connect_id]["nodes"])
    emu.faults.inject_urc('+QIURC: "recv",%d,5' % b.connect_id,
                          at="after_ok", on="AT+QISEND")
    a.send(b"for a")
    assert recv_exactly(a, 5) == b"for a"
    assert recv_exactly(b, 5) == b"for b"
    a.close()
    b.close()


@pytest.mark.parametrize("mode", sorted(MODES))
def test_a_stray_send_ok_before_the_prompt_ends_no_send(modem, emu, tcp_addr, mode):
    """A SEND OK nobody is owed (a late one, a firmware's duplicate) lands
    before the '>' of a data-mode send: the payload still goes, and the
    send ends by its own SEND OK."""
    pool = bc26.SocketPool(modem, access_mode=MODES[mode])
    s = _connect(pool, tcp_addr)
    data = NASTY * 2  # more than small_send: data mode
    emu.faults.inject_urc("SEND OK", at="before_prompt", on="AT+QISEND=")
    assert s.send(data) == len(data)
    assert recv_exactly(s, len(data)) == data
    assert "SendOk" in repr(modem.poll())  # unclaimed, not the send's
    s.send(b"after")  # the module is not left in data mode
    assert recv_exactly(s, 5) == b"after"
    s.close()


# -- mangled output bytes --------------------------------------------------------

# "+QIRD: 9,0" with its comma dropped reads "+QIRD: 90", a length the module
# could really send: the tokenizer takes the next 90 bytes -- OK and later
# replies -- as payload.  No framing can tell; that one offset is left out.
# (A damaged length above 512 is refused: test_dropped_comma_in_read_header.)


def _exchange(s, first, n=1):
    """One send and the read of its echo; timeouts tolerated.  Returns the
    bytes that came."""
    data = records(first, n)
    got = bytearray()
    try:
        s.send(data)
    except OSError as e:
        assert _is_timeout(e), repr(e)
    try:
        while not got.endswith(data[-9:]):
            got += s.recv(4096)
    except OSError as e:
        assert _is_timeout(e), repr(e)
    return bytes(got) + _drain(s)


def _drain(s):
    """A non-blocking read: in buffer mode it ends with "+QIRD: 0", so the
    next exchange starts from a known state."""
    timeout = s.gettimeout()
    s.settimeout(0)
    got = b""
    try:
        while True:
            got += s.recv(4096)
    except OSError as e:
        assert e.errno in (errno.EAGAIN, errno.ETIMEDOUT), repr(e)
    finally:
        s.settimeout(timeout)
    return got


def _sweep(modem, emu, wire, tcp_echo, tcp_addr, mode, arm, form):
    """Arm a one-byte fault at every offset of one exchange's output in
    turn; after each, a clean exchange must work completely.  form: the
    send goes in data mode ('>' prompt) or in one line (AT+QISENDEX)."""
    if form == "data":
        modem.small_send = 0
    pool = bc26.SocketPool(modem, access_mode=MODES[mode])
    s = _connect(pool, tcp_addr)
    got = bytearray()
    # measure one exchange
    got += _exchange(s, 0)
    mark = len(wire.inp)
    got += _exchange(s, 1)
    length = len(wire.inp) - mark
    if mode == "buffer":
        assert wire.inp[mark:] == _clean_layout(1, form)
    rec = 2
    for skip in range(length):
        if mode == "buffer" and arm is drop and \
                skip == _clean_layout(rec, form).find(b"+QIRD: 9,") + 8:
            continue  # the comma: indistinguishable from a real length
        # the faulted exchange: short timeouts, any of them may expire
        modem.reply_ms, modem.send_ms = 200, 250
        s.settimeout(0.2)
        arm(emu, skip)
        got += _exchange(s, rec)
        rec += 1
        emu.faults.clear()
        # the next exchange: generous timeouts, and none may expire
        modem.reply_ms, modem.send_ms = 2000, 10000
        s.settimeout(5)
        probe = records(rec, 1)
        rec += 1
        s.send(probe)
        while not got.endswith(probe):
            got += s.recv(4096)
        got += _drain(s)
        numbers = parse_records(got)
        assert_no_duplicates(numbers)
        assert set(numbers) <= set(range(rec))
    sent = parse_records(tcp_echo.received)
    assert len(sent) == len(set(sent)), "a record was sent twice"
    s.close()
    return skip


def _clean_layout(rec, form):
    """The module's output for one exchange in buffer mode (showlength 1)."""
    data = records(rec, 1)
    return ((b"\r\n> " if form == "data" else b"") + b"\r\nOK\r\n\r\nSEND OK\r\n\r\n+QIURC: \"recv\",0,9\r\n"
            b"\r\n+QIRD: 9,0\r\n" + data + b"\r\n\r\nOK\r\n"
            b"\r\n+QIRD: 0\r\n\r\nOK\r\n")


def drop(emu, skip):
    emu.faults.drop_output(1, skip)


def corrupt(emu, skip):
    emu.faults.corrupt_output(1, skip)


@pytest.mark.parametrize("form", ["data", "line"])
@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("arm", [drop, corrupt], ids=["drop", "corrupt"])
def test_mangled_output_byte_at_every_offset(modem, emu, wire, tcp_echo,
                                             tcp_addr, mode, arm, form):
    last = _sweep(modem, emu, wire, tcp_echo, tcp_addr, mode, arm, form)
    assert last > 40  # the sweep covered a whole exchange


# A header longer than AT+QIRD can return (512) is refused as damaged.
def test_dropped_comma_in_read_header(modem, emu, tcp_addr):
    _fast(modem)
    pool = bc26.SocketPool(modem)
    s = _connect(pool, tcp_addr, timeout=0.4)
    s.send(records(0, 10))
    assert wait_for(lambda: emu.sockets()[s.connect_id]["nodes"])
    # the reply to AT+QIRD=0,512 is "\r\n+QIRD: 90,0\r\n...": drop the comma
    emu.faults.drop_output(1, len(b"\r\n+QIRD: 90"))
    got = bytearray()
    try:
        got += s.recv(4096)
    except OSError as e:
        assert _is_timeout(e)
    emu.faults.clear()
    probe = records(10, 1)
    s.send(probe)
    while not got.endswith(probe):
        got += s.recv(4096)
    assert b"OK" not in got  # no reply bytes in the socket's data


def test_lost_send_ok_is_reconciled_by_the_counters(modem, emu, tcp_echo,
                                                   tcp_addr):
    """SEND OK mangled on the wire: the driver asks AT+QISEND=<id>,0, sees
    the bytes went out, and reports success -- nothing to send again."""
    _fast(modem)
    pool = bc26.SocketPool(modem)
    s = _connect(pool, tcp_addr)
    mark = len(emu.log)
    emu.faults.drop_output(1, len(b"\r\n> \r\nOK\r\n\r\n"))  # the S
    assert s.send(b"exactly once") == 12
    assert recv_exactly(s, 12) == b"exactly once"
    assert b"AT+QISEND=0,0" in commands_since(emu, mark)
    assert bytes(tcp_echo.received) == b"exactly once"
    s.send(b"+next")
    assert recv_exactly(s, 5) == b"+next"
    s.close()


@pytest.mark.parametrize("skip", [2, 9, 15, 17, 19, 20])
def test_mangled_recv_urc_loses_nothing(modem, emu, tcp_addr, skip):
    """The module says "recv" once until its buffer is drained: if that
    line is mangled, the driver must still go and read."""
    modem.small_send = 0  # the offsets below are data mode's
    pool = bc26.SocketPool(modem)
    s = _connect(pool, tcp_addr)
    s.send(b"first")
    assert recv_exactly(s, 5) == b"first"
    s.settimeout(0)
    with pytest.raises(OSError):
        s.recv(10)  # drained: the module will announce the next data
    s.settimeout(0.9)  # short of the 1 s after which it would ask anyway
    # the output after SEND OK is '\r\n+QIURC: "recv",0,6\r\n'
    emu.faults.corrupt_output(1, len(b"\r\n> \r\nOK\r\n\r\nSEND OK\r\n") + skip)
    s.send(b"second")
    assert recv_exactly(s, 6) == b"second"
    s.close()


# -- delayed replies ---------------------------------------------------------------

@pytest.mark.parametrize("on", ["AT+QISEND", "AT+QIRD", "AT+QISTATE"])
def test_delayed_reply_within_the_timeout(modem, emu, tcp_addr, on):
    """A slow module: the driver waits, never repeats a command."""
    pool = bc26.SocketPool(modem)
    s = _connect(pool, tcp_addr)
    modem.reply_ms = 1000
    emu.faults.delay_reply(0.4, on=on)
    mark = len(emu.log)
    data = records(0, 50)
    s.send(data)
    assert recv_exactly(s, len(data)) == data
    assert [i.connect_id for i in modem.sockets()] == [s.connect_id]
    lines = commands_since(emu, mark)
    assert lines.count(b"AT+QISEND=0,%d" % len(data)) == 1
    assert b"AT+CMEE?" not in lines  # no resynchronisation was needed
    s.close()


@pytest.mark.parametrize("mode,on", [
    ("buffer", "AT+QISEND"), ("buffer", "AT+QIRD"), ("buffer", "AT+QISTATE"),
    ("push", "AT+QISEND"), ("push", "AT+QISTATE")])  # push mode never reads
def test_delayed_reply_beyond_the_timeout(modem, emu, tcp_echo, tcp_addr,
                                          mode, on):
    """The reply comes after the driver gave up: the command may fail with
    a timeout, but its late reply is not taken for the next command's, and
    late data still reaches the socket -- once."""
    _fast(modem)
    pool = bc26.SocketPool(modem, access_mode=MODES[mode])
    s = _connect(pool, tcp_addr, timeout=1)
    got = bytearray()
    sent = bytearray()
    for rnd in range(4):
        if rnd == 1:
            emu.faults.delay_reply(0.8, on=on)
        data = records(rnd * 20, 20)
        if on == "AT+QISTATE" and rnd == 1:
            with pytest.raises(OSError) as exc:
                modem.sockets()
            assert exc.value.errno == errno.ETIMEDOUT
        try:
            s.send(data)
            sent += data
        except OSError as e:
            assert _is_timeout(e)
        deadline = time.monotonic() + 3
        while len(got) < len(sent) and time.monotonic() < deadline:
            try:
                got += s.recv(4096)
            except OSError as e:
                assert _is_timeout(e)
    assert bytes(got) == bytes(sent)
    assert bytes(tcp_echo.received) == bytes(sent)
    assert [i.connect_id for i in modem.sockets()] == [s.connect_id]
    s.close()


def test_delayed_prompt_is_answered_once(modem, emu, tcp_echo, tcp_addr):
    """No '>' in time, no word at all: the module may just be slow -- the
    payload goes, exactly once, and the send succeeds."""
    _fast(modem)
    modem.small_send = 0  # a send that waits for '>'
    pool = bc26.SocketPool(modem)
    s = _connect(pool, tcp_addr)
    mark = len(emu.log)
    emu.faults.delay_reply(0.5, on="AT+QISEND")
    data = records(0, 5)
    s.send(data)
    assert recv_exactly(s, len(data)) == data
    assert [e.data for e in emu.log[mark:] if e.kind == "data"] == [data]
    assert tcp_echo.received.count(data) == 1


# -- SEND FAIL, late CLOSE OK -----------------------------------------------------------

@pytest.mark.parametrize("mode", sorted(MODES))
def test_send_fail_raises_and_sends_nothing(modem, emu, tcp_echo, tcp_addr, mode):
    pool = bc26.SocketPool(modem, access_mode=MODES[mode])
    s = _connect(pool, tcp_addr)
    s.send(b"before;")
    emu.faults.send_fail_next()
    with pytest.raises(bc26.ModemError) as exc:
        s.send(b"lost;")
    assert "SEND FAIL" in str(exc.value)
    s.send(b"after;")
    assert recv_exactly(s, 13) == b"before;after;"
    assert s.pending()[0] == 13
    assert b"lost" not in tcp_echo.received
    s.close()


def test_late_close_ok(modem, emu, tcp_addr):
    pool = bc26.SocketPool(modem)
    s = _connect(pool, tcp_addr)
    cid = s.connect_id
    emu.faults.late_close_ok(0.4)
    t = time.monotonic()
    s.close()
    assert time.monotonic() - t >= 0.35  # waited for CLOSE OK ...
    assert modem.sockets() == []         # ... and the socket is free
    s2 = _connect(pool, tcp_addr)
    assert s2.connect_id == cid
    s2.send(b"again")
    assert recv_exactly(s2, 5) == b"again"
    s2.close()


def test_close_ok_too_late_keeps_the_id_taken(modem, emu, tcp_addr):
    """No CLOSE OK within the close's time: ETIMEDOUT, and the id is not
    handed out again until a close succeeds."""
    modem.open_socket(0, "TCP", *tcp_addr)
    emu.faults.late_close_ok(1.5)
    try:
        # the close's result deadline, made short for the test
        from bc26 import command
        old = command._RESULTS["QICLOSE"]
        command._RESULTS["QICLOSE"] = ("close", 500)
        with pytest.raises(OSError) as exc:
            modem.close_socket(0)
    finally:
        command._RESULTS["QICLOSE"] = old
    assert exc.value.errno == errno.ETIMEDOUT
    assert modem.free_socket() == 1  # 0 is not free yet
    with pytest.raises(bc26.ModemError):
        modem.open_socket(0, "TCP", *tcp_addr)
    time.sleep(1.2)  # the late CLOSE OK comes and goes
    emu.faults.late_close_ok(0)
    modem.close_socket(0)  # now it closes (the module: nothing there)
    assert modem.free_socket() == 0


def test_pool_socket_whose_close_ok_is_late_frees_its_id(modem, emu,
                                                         tcp_addr):
    """Through the pool: close() times out waiting for CLOSE OK; when the
    late CLOSE OK comes, the id is free again (never lost for good)."""
    from bc26 import command
    pool = bc26.SocketPool(modem)
    s = _connect(pool, tcp_addr)
    cid = s.connect_id
    emu.faults.late_close_ok(1.0)
    old = command._RESULTS["QICLOSE"]
    command._RESULTS["QICLOSE"] = ("close", 300)
    try:
        with pytest.raises(OSError):
            s.close()
    finally:
        command._RESULTS["QICLOSE"] = old
    assert s.connect_id == cid  # it still names its id: close() again works
    assert modem.free_socket() != cid
    emu.faults.late_close_ok(0)
    assert wait_for(lambda: modem.poll() is not None
                    and modem.free_socket() == cid, timeout=3)
    s2 = _connect(pool, tcp_addr)
    assert s2.connect_id == cid
    s2.send(b"again")
    assert recv_exactly(s2, 5) == b"again"
    s2.close()


def test_late_close_ok_emulator_option(make_modem, tcp_addr):
    emu, modem, _ = make_modem(close_ok_delay=0.3)
    pool = bc26.SocketPool(modem)
    for _ in range(2):
        s = _connect(pool, tcp_addr)
        s.send(b"x")
        assert recv_exactly(s, 1) == b"x"
        s.close()
    assert modem.sockets() == []


# -- reboots ------------------------------------------------------------------------------

def _restarted(e):
    return isinstance(e, OSError) and e.errno == errno.ECONNRESET and \
        "restarted" in str(e)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_reboot_in_data_mode(modem, emu, tcp_addr, mode):
    pool = bc26.SocketPool(modem, access_mode=MODES[mode])
    s = _connect(pool, tcp_addr)
    s.send(b"x" * 100)
    assert recv_exactly(s, 100) == b"x" * 100
    emu.faults.reboot_in_data_mode(after=700)
    with pytest.raises(OSError) as exc:
        s.send(b"y" * 3000)
    assert _restarted(exc.value), repr(exc.value)
    assert isinstance(exc.value, bc26.NotReady)
    # the socket is gone with the module: every use says so
    with pytest.raises(OSError) as exc:
        s.recv(10)
    assert _restarted(exc.value)
    with pytest.raises(OSError) as exc:
        s.send(b"z")
    assert _restarted(exc.value)
    s.close()  # closing a dead socket is fine
    assert modem.start(timeout=10) == "127.0.0.1"
    s = _connect(pool, tcp_addr)
    s.send(b"alive")
    assert recv_exactly(s, 5) == b"alive"
    s.close()


def test_reboot_while_receiving(modem, emu, tcp_addr):
    from bc26.emulator.servers import PayloadServer
    with PayloadServer(b"p" * 20000, close=False) as srv:
        pool = bc26.SocketPool(modem)
        s = _connect(pool, ("127.0.0.1", srv.port))
        assert len(recv_exactly(s, 500)) == 500
        emu.reboot()
        with pytest.raises(OSError) as exc:
            for _ in range(100):
                assert s.recv(4096), "EOF instead of an error"
        assert _restarted(exc.value), repr(exc.value)
    assert modem.start(timeout=10) == "127.0.0.1"
    assert modem.sockets() == []
    assert modem.resolve("echo.test") == ["127.0.0.1"]


def test_reboot_while_idle(modem, emu, tcp_addr):
    pool = bc26.SocketPool(modem)
    s = _connect(pool, tcp_addr)
    emu.reboot()
    assert emu.wait_ready(5)
    with pytest.raises(OSError) as exc:
        s.recv(1)
    assert _restarted(exc.value)
    assert modem.sockets() == []
    assert modem.start(timeout=10) == "127.0.0.1"
    s.close()
    s = _connect(pool, tcp_addr)
    s.send(b"up")
    assert recv_exactly(s, 2) == b"up"


# -- a mute module ------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", sorted(MODES))
def test_mute_module_times_out_then_recovers(modem, emu, tcp_echo, tcp_addr, mode):
    _fast(modem)
    pool = bc26.SocketPool(modem, access_mode=MODES[mode])
    s = _connect(pool, tcp_addr, timeout=0.5)
    emu.faults.mute()
    for call in (lambda: s.send(b"muted"), lambda: s.recv(1),
                 lambda: modem.sockets(), lambda: modem.resolve("echo.test"),
                 lambda: s.pending()):
        with pytest.raises(OSError) as exc:
            call()
        assert exc.value.errno == errno.ETIMEDOUT, repr(exc.value)
    emu.faults.unmute()
    s.send(b"speaking")
    assert recv_exactly(s, 8) == b"speaking"
    assert b"muted" not in tcp_echo.received
    assert [i.connect_id for i in modem.sockets()] == [s.connect_id]
    s.close()


# -- remote close ---------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", sorted(MODES))
def test_remote_close_fault(modem, emu, tcp_addr, mode):
    pool = bc26.SocketPool(modem, access_mode=MODES[mode])
    s = _connect(pool, tcp_addr)
    s.send(NASTY)
    assert wait_for(lambda: emu.sockets()[s.connect_id]["nodes"]
                    or mode == "push")
    time.sleep(0.05)
    emu.faults.remote_close(s.connect_id)
    got = bytearray()
    while True:
        chunk = s.recv(1000)
        if not chunk:
            break
        got += chunk
    assert bytes(got) == NASTY
    assert s.recv(10) == b""
    with pytest.raises(OSError) as exc:
        s.send(b"too late")
    assert exc.value.errno == errno.EPIPE
    infos = modem.sockets()
    assert [(i.connect_id, i.state) for i in infos] == [(s.connect_id, 4)]
    s.close()
    assert modem.sockets() == []
