"""The fault matrix: every fault kind of the emulator (cpython/emulator/
faults.py) x both access modes (BUFFER, DIRECT_PUSH) x TCP and UDP.  Each
cell runs numbered records (driver_support.records: b"<0000123>", 9 bytes
each, so loss and duplication can be counted) through bc26.SocketPool
sockets against a loopback echo server, arms its fault at one point of the
traffic, and records what happened; the last test prints the figure, one
row per cell (it shows in ``pytest -q`` output).

The traffic of a cell, on short timeouts (modem.reply_ms 300, send_ms 600
as test_driver_faults._fast; socket timeout 0.3 s):

    round 0   2 records  (18 bytes: one AT+QISENDEX line)
    round 1   5 records  (45 bytes: data mode, the '>' prompt)
    faulted   the fault armed, then the fault's own traffic (below)
    post      2 records, then 5 records, on the socket then in use
    drain     while an echo the module had is still missing: one read of
              1.1 s (past the driver's reconciling read, which comes after
              a wait of 1 s); then 0.05 s more for stragglers
    recovery  a fresh socket, default timeouts (reply_ms 2000, send_ms
              10000, socket 5 s): 5 records must come back exactly, with
              no exception -- the driver recovered

Each round reads until its records came (or a read raises, or EOF).

The columns (bytes; a record is 9 bytes):

    sent        records whose send() returned.  (A send that raised
                ETIMEDOUT may still have gone -- the module was only slow:
                its records are then expected like any other, and counted
                in received but not in sent.)
    received    every byte recv() returned
    lost        records that should have come and did not: those the
                module received (the loopback server got them, so it echoed
                them; over loopback UDP loses nothing either) and those
                whose send() returned -- plus fill_buffer letters that did
                not come.  Excused loss (below) is included.
    duplicated  records the application got twice, records the server
                got twice (sent again by the driver), letters beyond those
                filled in
    hangs       calls whose wall time passed their timeout + margin (the
                budgets: fault_matrix_support.Ledger: send reply_ms +
                send_ms, recv the socket timeout, connect reply_ms + max(
                timeout, 1 s), close reply_ms + 10 s, start its timeout;
                margin 2 x reply_ms + 0.3 s)
    exception   what the application's calls raised, by call (a built-in
                OSError by its errno)
    recovered   the fresh socket after the cell worked
    verdict     ok, or the invariants the cell failed

The invariants, every cell: duplicated == 0; hangs == 0; no record
arrives that was never sent; no byte arrives that is neither an intact
record nor a fill letter ("garbage": reply bytes taken for payload) beyond
what the fault itself damaged; no exception but those the fault allows
(below) -- in particular no read times out on data the module holds; no
exception before the fault; the fault did happen; lost == 0 except as the
fault allows (below); recovered.

The fault kinds -- what is armed, when, and what loss or exception it
allows (anything not listed is not allowed):

    urc@<at>       inject_urc of six foreign URCs (+CSCON, +CEREG,
                   +QATWAKEUP, "closed" and "recv" of unused ids, +IP) at
                   boundary <at> (now, after_echo, before_prompt,
                   before_ok, after_ok) of the next AT+QISENDEX,
                   AT+QISEND=, AT+QICLOSE, AT+QIOPEN and (buffer mode)
                   AT+QIRD -- "before_prompt": of the data-mode send only,
                   the one command with a prompt.  No data is touched: no
                   loss, no exception.  The URCs must reach poll().
    remote_close   10 nodes of fill letters and the round's echo in the
                   module (buffer mode: its nodes; direct push: on the
                   UART), then remote_close: every byte must come, then
                   EOF (recv b""); the two post sends raise EPIPE (and are
                   not sent).  No loss.
    buff_full      fill_buffer: 20 nodes of 64 letters (buffer mode: the
                   module's buffer full, "buff full"; direct push: 20
                   pushes), then a round behind them: all 1280 letters and
                   the records must come.  No loss, no exception.
    send_fail      send_fail_next(2): the round's two sends (one line, one
                   data mode) raise ModemError (SEND FAIL) and their
                   records never reach the server.  Not a loss: the send
                   said so.  Nothing else is lost.
    late_close     a second socket holds an unread echo; late_close_ok(0.3)
                   and the first socket is closed: close() must wait for
                   CLOSE OK (>= 0.25 s), the second socket's data all
                   comes, a new socket gets the freed id and works.  No
                   loss, no exception.
    drop_payload   drop_output of one byte inside a payload (byte 13: a
                   digit of the round's second record; buffer mode: of the
                   AT+QIRD reply, armed once the echo is in the module;
                   direct push: of the pushed echo).  That record may be
                   lost, its remains and the one byte after the payload
                   that the announced length then takes in are garbage (at
                   most 10 bytes); a read of that round may time out.
                   Nothing else.  The record must indeed be hit.
    corrupt_payload  corrupt_output (xor 0x5A) of the same byte: that
                   record arrives damaged (garbage, at most 9 bytes), a
                   read of that round may time out; nothing else.
    lost_send_ok   drop_output of the S of SEND OK, for a line send and a
                   data-mode send: the driver must learn from the module's
                   counters (AT+QISEND=<id>,0) that the data went.  No
                   exception, nothing sent twice, no loss.
    mangled_recv_urc  the application had read until EAGAIN; corrupt_output
                   of one byte of the "recv" URC after the round's SEND OK.
                   Buffer mode: the data waits in the module, which says
                   "recv" once until drained: the driver must still read it
                   -- no loss; reads may time out until it has waited a
                   second in vain and asks itself.  Direct push: that URC
                   is the push's header, so the push is destroyed: its 5
                   records may be lost (garbage at most 45 bytes), a read
                   may time out; nothing else.
    dropped_recv_urc  the same with the whole "recv" URC line dropped
                   (drop_output of its 24 bytes): same allowances.
    delay_within   delay_reply(0.1 s) on AT+QISENDEX, AT+QISEND=<id>,45,
                   (buffer mode) AT+QIRD, then on AT+QICLOSE and AT+QIOPEN
                   (the socket closed and another opened), all inside
                   reply_ms: no loss, no exception, no command repeated.
    delay_beyond   delay_reply(0.4 s) on the same commands, past reply_ms:
                   any call may raise ETIMEDOUT (a connect is retried, up
                   to 3 times, as an application would), but what the
                   module got arrives, once.  No loss.
    reboot         an echo left unread (in the module, or pushed to the
                   driver), then reboot_in_data_mode(after=20) under the
                   next data-mode send: that send must raise NotReady
                   (ECONNRESET), and so must the socket's next recv (or
                   it delivers the unread echo).  The unread echo may be
                   lost -- allowed only because NotReady told the
                   application.  Then start() and a new socket:
                   nothing after the reboot may be lost.
    mute           the round's echo is in the module, then mute: a send
                   (and in buffer mode a recv) must time out (ETIMEDOUT;
                   the send's records never reach the server), unmute, and
                   the unread echo must still come.  No other loss.
    mute_rx        the application had read until EAGAIN; mute, 3 nodes
                   of 64 letters arrive (fill_buffer), unmute.  Buffer
                   mode: the data waits in the module, its "recv" URC went
                   unsaid: no loss; reads may time out until the driver
                   asks by itself (a second of fruitless waiting, at most
                   every 30 s).  Direct push: the pushes
                   were never said (the module did not deliver them):
                   those letters may be lost, nothing else.
    lost_socket    every echo read; mute, a command that times out (its
                   answer lost), drop_socket (the module forgets the
                   socket, no URC), unmute.  The resync's AT+QISTATE?
                   finds it gone: the reader gets end of stream, both
                   post-round sends raise EPIPE.  No loss.

Cells the driver is known to fail are marked xfail(strict=True) in KNOWN,
with the reason; their assertions are the same.
"""
import collections
import errno
import time

import pytest

import bc26

from driver_support import records
from fault_matrix_support import COLUMNS, REC, Ledger, exc_name, render

MODES = {"buffer": bc26.BUFFER, "push": bc26.DIRECT_PUSH}
PROTOS = ("tcp", "udp")
URCS = ["+CSCON: 1", "+CEREG: 1", "+QATWAKEUP", '+QIURC: "closed",4',
        '+QIURC: "recv",9', "+IP: 127.0.0.1"]
HIT = 13  # the payload byte a byte fault hits: a digit of the 2nd record

RESULTS = {}  # (fault, mode, proto) -> row (dict with COLUMNS)


def _fast(modem):
    """Short command timeouts (as test_driver_faults._fast)."""
    modem.reply_ms = 300
    modem.send_ms = 600


def _restarted(e):
    return isinstance(e, bc26.NotReady) and e.errno == errno.ECONNRESET


def _timeout(e):
    return isinstance(e, OSError) and e.errno == errno.ETIMEDOUT


class Cell:
    """What a scenario works with: the ledger, the pool, the fault's
    expectations."""

    def __init__(self, ledger, pool, addr, mode):
        self.c = ledger
        self.pool = pool
        self.addr = addr
        self.mode = mode
        self.emu = ledger.emu
        self.modem = ledger.modem
        # allowed(what, exception) -> bool; the default: none at all
        self.allowed = lambda what, e: False
        self.garbage_ok = 0

    def check(self, cond, text):
        if not cond:
            self.c.failures.append(text)

    def post(self, sk):
        self.c.exchange(sk, 2)
        self.c.exchange(sk, 5)
        return sk


# -- the scenarios: arm the fault, run the faulted round and the post rounds;
#    return the socket still in use ---------------------------------------

def urc_at(at):
    def scenario(cell, sk):
        c = cell.c
        targets = ["AT+QISENDEX", "AT+QISEND=", "AT+QICLOSE", "AT+QIOPEN"]
        if at == "before_prompt":
            targets = ["AT+QISEND="]  # the only command with a '>' prompt
        elif cell.mode == "buffer":
            targets.append("AT+QIRD")
        for target in targets:
            for line in URCS:
                cell.emu.faults.inject_urc(line, at=at, on=target)
        if at == "now":
            time.sleep(0.02)
        c.exchange(sk, 2)
        c.exchange(sk, 5)
        c.drain(sk)  # (what a close finds unread is gone: none is left)
        c.close(sk)
        sk = c.open(cell.pool, cell.addr)
        seen = repr(cell.modem.poll())
        cell.check("CSCON" in seen and "QATWAKEUP" in seen,
                   "the injected URCs never reached poll(): %s" % seen)
        return cell.post(sk)
    return scenario


def remote_close(cell, sk):
    c = cell.c
    cell.emu.faults.fill_buffer(sk.s.connect_id, nodes=10, size=64)
    c.letters_expected += 10 * 64
    nums, e = c.send(sk, 5)
    c.wait_module_has(sk, nums, cell.mode)
    cell.emu.faults.remote_close(sk.s.connect_id)
    c.read_until(sk, nums)
    err = c.read_to_eof(sk)
    cell.check(sk.eof, "no EOF after the remote close (%r)" % (err,))
    cell.allowed = lambda what, e: what == "send" and e.errno == errno.EPIPE
    cell.post(sk)  # both sends: EPIPE
    cell.check(len(sk.errors) == 2 and all(e.errno == errno.EPIPE
                                           for e in sk.errors),
               "sends after the remote close: %r" % (sk.errors,))
    return sk


def buff_full(cell, sk):
    c = cell.c
    cell.emu.faults.fill_buffer(sk.s.connect_id, nodes=20, size=64)
    c.letters_expected += 20 * 64
    nums, e = c.send(sk, 5)
    c.read_until(sk, nums, letters=c.letters_expected)
    return cell.post(sk)


def send_fail(cell, sk):
    c = cell.c
    cell.emu.faults.send_fail_next(2)
    failed = set()
    for n in (2, 5):  # one AT+QISENDEX line, one data-mode send
        nums, e = c.exchange(sk, n)
        cell.check(isinstance(e, bc26.ModemError) and "SEND FAIL" in str(e),
                   "SEND FAIL did not raise ModemError: %r" % (e,))
        failed |= nums
    told = [x for x in sk.errors]
    cell.allowed = lambda what, x: x in told
    cell.post(sk)
    cell.check(not failed & set(c.server_counts()),
               "a send that raised SEND FAIL reached the server")
    return sk


def late_close(cell, sk):
    c = cell.c
    other = c.open(cell.pool, cell.addr)
    nums, _ = c.send(other, 5)  # its echo stays unread for now
    cell.emu.faults.late_close_ok(0.3)
    freed = sk.s.connect_id
    wall = c.close(sk)
    cell.check(wall >= 0.25, "close() did not wait for CLOSE OK (%.3f s)" % wall)
    cell.emu.faults.late_close_ok(0)
    c.read_until(other, nums)
    cell.post(other)
    c.drain(other)
    c.close(other)
    new = c.open(cell.pool, cell.addr)
    cell.check(new.s.connect_id == freed, "the freed id %d was not reused (%d)"
               % (freed, new.s.connect_id))
    return cell.post(new)


def byte_fault(arm, garbage):
    def scenario(cell, sk):
        c = cell.c
        hit = c.next + HIT // REC
        c.excused.add(hit)
        cell.garbage_ok = garbage
        cell.allowed = lambda what, e: what == "recv" and _timeout(e)
        cid = sk.s.connect_id
        if cell.mode == "buffer":
            # the echo in the module, its "recv" URC out: the next output is
            # the reply to the driver's AT+QIRD=<id>,512
            nums, e = c.send(sk, 5)
            c.wait_module_has(sk, nums, cell.mode)
            arm(cell.emu, len(b"\r\n+QIRD: 45,0\r\n") + HIT)
            c.read_until(sk, nums)
        else:
            # the next output: the send's replies, then the pushed echo
            arm(cell.emu, len(b"\r\n> \r\nOK\r\n\r\nSEND OK\r\n")
                + len(b'\r\n+QIURC: "recv",%d,45\r\n' % cid) + HIT)
            c.exchange(sk, 5)
        cell.emu.faults.clear()
        cell.post(sk)
        cell.check(hit not in set(c.app_counts()),
                   "the fault missed its record %d" % hit)
        return sk
    return scenario


def _drop(emu, skip):
    emu.faults.drop_output(1, skip)


def _corrupt(emu, skip):
    emu.faults.corrupt_output(1, skip)


def lost_send_ok(cell, sk):
    """A byte of SEND OK dropped: the driver must learn from the module's
    counters that the data went -- no exception, nothing sent twice."""
    c = cell.c
    query = b"AT+QISEND=%d,0" % sk.s.connect_id
    for n, prompt in ((2, b""), (5, b"\r\n> ")):
        mark = len(cell.emu.log)
        cell.emu.faults.drop_output(1, len(prompt + b"\r\nOK\r\n\r\n"))
        c.exchange(sk, n)
        cell.emu.faults.clear()
        lines = [x.data for x in cell.emu.log[mark:] if x.kind == "line"]
        cell.check(query in lines, "the counters were never asked: %r" % lines)
    return cell.post(sk)


def _drained(cell, sk):
    """Read until EAGAIN, as a polling application does: the driver then
    knows the module's buffer empty, and the module's next "recv" URC is
    all that announces new data."""
    old = sk.s.gettimeout()
    sk.s.settimeout(0)
    try:
        while True:
            cell.c.recv(sk, quiet=True)
    except OSError:
        pass
    finally:
        sk.s.settimeout(old)


def recv_urc_fault(arm):
    """A fault on the "recv" URC after the round's SEND OK, once the
    application had read until EAGAIN.  Buffer mode: the data waits in
    the module, which says "recv" once until its buffer is drained: no
    loss (reads may time out until the driver asks by itself).  Direct push: that line is the
    push's header, so the push is destroyed: its records may be lost."""
    def scenario(cell, sk):
        c = cell.c
        _drained(cell, sk)
        if cell.mode == "push":
            c.excused |= set(range(c.next, c.next + 5))
            cell.garbage_ok = 5 * REC
        # a read may time out; buffer mode: until the driver, after a
        # second of fruitless waiting, asks the module itself
        cell.allowed = lambda what, e: what == "recv" and _timeout(e)
        urc = b'\r\n+QIURC: "recv",%d,45\r\n' % sk.s.connect_id
        ahead = b"\r\n> \r\nOK\r\n\r\nSEND OK\r\n"
        mark = len(c.wire.inp)
        arm(cell.emu, len(ahead), urc)
        nums, _ = c.send(sk, 5)
        # the URC is out once the module has the data (buffer mode: in its
        # nodes; direct push: the payload, after it, on the UART)
        c.wait_module_has(sk, nums, cell.mode)
        cell.modem.poll()
        cell.emu.faults.clear()
        seen = bytes(c.wire.inp[mark:])
        cell.check(seen.startswith(ahead) and urc not in seen,
                   "the fault missed the URC: %r" % seen[:80])
        c.read_until(sk, nums)
        return cell.post(sk)
    return scenario


def _corrupt_urc(emu, skip, urc):
    emu.faults.corrupt_output(1, skip + len(b"\r\n+QIU"))  # the R


def _drop_urc(emu, skip, urc):
    emu.faults.drop_output(len(urc), skip)  # all of it


def mute_rx(cell, sk):
    """Data arrives while the module is mute (fill_buffer: 3 nodes of 64
    letters), after the application had read until EAGAIN.  Buffer mode:
    the data waits in the module, its "recv" URC went unsaid: no loss.
    Direct push: the pushes were never said -- the module did not deliver
    them: those letters may be lost, nothing else."""
    c = cell.c
    _drained(cell, sk)
    cell.emu.faults.mute()
    cell.emu.faults.fill_buffer(sk.s.connect_id, nodes=3, size=64)
    if cell.mode == "buffer":
        c.letters_expected += 3 * 64
        # its "recv" URC went unsaid: reads may time out until the driver
        # asks the module itself, after a second of fruitless waiting
        cell.allowed = lambda what, e: what == "recv" and _timeout(e)
    else:
        cell.garbage_ok = 3 * 64  # should any of it come after all
    time.sleep(0.05)
    cell.emu.faults.unmute()
    nums, _ = c.exchange(sk, 5)
    c.read_until(sk, nums, letters=c.letters_expected)
    return cell.post(sk)


def delay(seconds, beyond):
    def scenario(cell, sk):
        c = cell.c
        # (the data-mode send by its exact line: "AT+QISEND=" would also
        # catch the AT+QISEND=<id>,0 that reconciles a late line send)
        ons = ["AT+QISENDEX", "AT+QISEND=%d,45" % sk.s.connect_id]
        if cell.mode == "buffer":
            ons.append("AT+QIRD")
        for on in ons:
            cell.emu.faults.delay_reply(seconds, on=on)
        if beyond:
            cell.allowed = lambda what, e: _timeout(e)
        mark = len(cell.emu.log)
        t = time.monotonic()
        c.exchange(sk, 2)
        c.exchange(sk, 5)
        wall = time.monotonic() - t
        if not beyond:
            lines = [x.data for x in cell.emu.log[mark:] if x.kind == "line"]
            sends = [x for x in lines if x.startswith(b"AT+QISEND")]
            cell.check(len(sends) == 2, "a delayed command was repeated: %r"
                       % (lines,))
        cell.check(wall >= seconds * 2 * 0.9, "the delays never happened")
        for on in ("AT+QICLOSE", "AT+QIOPEN"):
            cell.emu.faults.delay_reply(seconds, on=on)
        c.drain(sk)  # (what a close finds unread is gone: none is left)
        t = time.monotonic()
        c.close(sk)
        for attempt in range(3):  # as an application would
            try:
                sk = c.open(cell.pool, cell.addr)
                break
            except OSError as e:
                cell.check(beyond, "connect: %r" % (e,))
        cell.check(time.monotonic() - t >= seconds * 2 * 0.9,
                   "the delays never happened")
        return cell.post(sk)
    return scenario


def reboot(cell, sk):
    c = cell.c
    unread, _ = c.send(sk, 5)
    c.wait_module_has(sk, unread, cell.mode)
    cell.emu.faults.reboot_in_data_mode(after=20)
    cell.allowed = lambda what, e: _restarted(e)
    nums, e = c.send(sk, 5)
    cell.check(_restarted(e), "the reboot under a send did not raise "
               "NotReady(ECONNRESET): %r" % (e,))
    err = c.read_until(sk, unread)
    cell.check(_restarted(err) or unread <= sk.got(),
               "recv after the reboot: %r, not NotReady(ECONNRESET)" % (err,))
    if any(_restarted(x) for x in sk.errors):
        c.excused |= unread  # lost with the module, and the user was told
    c.close(sk)
    c.timed("start", c.budget("start", timeout=10), cell.modem.start,
            timeout=10)
    return cell.post(c.open(cell.pool, cell.addr))


def mute(cell, sk):
    c = cell.c
    unread, _ = c.send(sk, 5)
    c.wait_module_has(sk, unread, cell.mode)
    cell.emu.faults.mute()
    cell.allowed = lambda what, e: _timeout(e)
    nums, e = c.send(sk, 5)
    cell.check(_timeout(e), "a send to a mute module: %r, not ETIMEDOUT" % (e,))
    if cell.mode == "buffer":  # (pushed, the echo is in the driver already)
        try:
            c.recv(sk)
            cell.check(False, "a recv from a mute module returned")
        except OSError as x:
            cell.check(_timeout(x), "recv from a mute module: %r" % (x,))
    cell.emu.faults.unmute()
    c.read_until(sk, unread)
    cell.check(not nums & set(c.server_counts()),
               "a send the mute module ignored reached the server")
    return cell.post(sk)


def lost_socket(cell, sk):
    """The module loses the socket without a word (no URC) while one of
    its answers is lost too: the resync's AT+QISTATE? finds it gone, so it
    ends as a remote close -- EOF for the reader, EPIPE for a send."""
    c = cell.c
    c.exchange(sk, 5)  # all echoed and read: nothing is lost with it
    cell.emu.faults.mute()
    try:
        cell.modem.counters(4)  # (no socket 4: its answer would be an error)
        cell.check(False, "a mute module answered")
    except OSError as e:
        cell.check(_timeout(e), "counters() from a mute module: %r" % (e,))
    cell.emu.faults.drop_socket(sk.s.connect_id)
    cell.emu.faults.unmute()
    cell.allowed = lambda what, e: what == "send" and e.errno == errno.EPIPE
    err = c.read_to_eof(sk)
    cell.check(sk.eof, "no EOF for the lost socket (%r)" % (err,))
    cell.post(sk)  # both sends: EPIPE
    cell.check(len(sk.errors) == 2 and all(e.errno == errno.EPIPE
                                           for e in sk.errors),
               "sends on the lost socket: %r" % (sk.errors,))
    return sk


SCENARIOS = {
    "urc@now": urc_at("now"),
    "urc@after_echo": urc_at("after_echo"),
    "urc@before_prompt": urc_at("before_prompt"),
    "urc@before_ok": urc_at("before_ok"),
    "urc@after_ok": urc_at("after_ok"),
    "remote_close": remote_close,
    "buff_full": buff_full,
    "send_fail": send_fail,
    "late_close": late_close,
    "drop_payload": byte_fault(_drop, REC + 1),
    "corrupt_payload": byte_fault(_corrupt, REC),
    "lost_send_ok": lost_send_ok,
    "mangled_recv_urc": recv_urc_fault(_corrupt_urc),
    "dropped_recv_urc": recv_urc_fault(_drop_urc),
    "delay_within": delay(0.1, beyond=False),
    "delay_beyond": delay(0.4, beyond=True),
    "reboot": reboot,
    "mute": mute,
    "mute_rx": mute_rx,
    "lost_socket": lost_socket,
}

# Cells the driver is known to fail: (fault, mode, proto) -> the reason
# (xfail, strict: a fix makes them fail until they are taken out of here).
KNOWN = {}  # none today


def _params():
    out = []
    for fault in SCENARIOS:
        for mode in MODES:
            for proto in PROTOS:
                marks = ()
                reason = KNOWN.get((fault, mode, proto))
                if reason:
                    marks = (pytest.mark.xfail(reason=reason, strict=True),)
                out.append(pytest.param(fault, mode, proto, marks=marks,
                                        id="%s-%s-%s" % (fault, mode, proto)))
    return out


def _recovery(c, pool, addr):
    """A fresh socket, default timeouts: one exchange must come back whole."""
    modem = c.modem
    modem.reply_ms, modem.send_ms = 2000, 10000
    try:
        sk = c.open(pool, addr, timeout=5)
    except OSError:
        return False
    nums, e = c.exchange(sk, 5)
    ok = e is None and not sk.errors and sk.got() >= nums and \
        b"".join(sk.chunks) == records(min(nums), 5)
    c.close(sk)
    return ok and not sk.errors


@pytest.mark.parametrize("fault,mode,proto", _params())
def test_cell(fault, mode, proto, make_modem, request):
    server = request.getfixturevalue(proto + "_echo")
    addr = request.getfixturevalue(proto + "_addr")
    emu, modem, wire = make_modem()
    _fast(modem)
    pool = bc26.SocketPool(modem, access_mode=MODES[mode])
    c = Ledger(emu, modem, wire, proto == "udp", server)
    cell = Cell(c, pool, addr, mode)
    row = dict(fault=fault, mode=mode, proto=proto)
    RESULTS[(fault, mode, proto)] = row
    started = time.monotonic()
    try:
        sk = c.open(pool, addr)
        c.exchange(sk, 2)
        c.exchange(sk, 5)
        clean = len(c.exceptions)
        sk = SCENARIOS[fault](cell, sk)
        emu.faults.clear()
        c.drain(sk)
        if not sk.closed:
            c.close(sk)
        c.recovered = _recovery(c, pool, addr)
    except Exception as e:
        row.update(verdict="CRASH %r" % (e,))
        raise
    finally:
        t = c.tally()
        row.update({k: t[k] for k in COLUMNS if k in t})
        row["recovered"] = {True: "yes", False: "NO", None: "-"}[c.recovered]
        row["wall"] = time.monotonic() - started
        row["slowest"] = t["slowest"]
    # -- the invariants ---------------------------------------------------
    f = c.failures
    if c.exceptions[:clean]:
        f.append("exceptions before the fault: %s" % _excs(c.exceptions[:clean]))
    bad = [(w, e) for w, e in c.exceptions[clean:]
           if not cell.allowed(w, e)]
    if bad:
        f.append("unexpected exceptions: %s" % _excs(bad))
    if t["duplicated"]:
        f.append("%d bytes duplicated" % t["duplicated"])
    if t["hangs"]:
        f.append("calls past their timeout + margin (call, s, budget s): %r"
                 % (t["hang_calls"],))
    if t["unexcused"]:
        f.append("%d bytes lost (records %r)" % (t["unexcused"],
                                                 t["unexcused_records"]))
    if t["phantom"]:
        f.append("records never sent arrived: %r" % (t["phantom"],))
    if t["garbage"] > cell.garbage_ok:
        f.append("%d bytes of garbage in the data (%d allowed)"
                 % (t["garbage"], cell.garbage_ok))
    if not c.recovered:
        f.append("a fresh socket after the cell did not work")
    verdict = "ok" if not f else "FAIL: " + "; ".join(f)
    if (fault, mode, proto) in KNOWN:
        verdict = "xfail (known) " + verdict
    row["verdict"] = verdict
    assert not f, "%s-%s-%s:\n  %s\n  exceptions: %s" % (
        fault, mode, proto, "\n  ".join(f), _excs(c.exceptions, detail=True))


def _excs(pairs, detail=False):
    if detail:
        return ", ".join("%s:%r" % (w, e) for w, e in pairs) or "none"
    counts = collections.Counter("%s:%s" % (w, exc_name(e)) for w, e in pairs)
    return ", ".join(k + ("" if n == 1 else " x%d" % n)
                     for k, n in sorted(counts.items())) or "none"


def _short(text, width=78):
    return text if len(text) <= width else text[:width - 3] + "..."


def test_zz_print_the_matrix(capsys):
    """Last: the figure, one row per cell that ran (shown by pytest -q)."""
    if not RESULTS:
        pytest.skip("no cell of the matrix ran in this session")
    order = {f: i for i, f in enumerate(SCENARIOS)}
    rows = sorted(RESULTS.values(), key=lambda r: (
        order[r["fault"]], list(MODES).index(r["mode"]), r["proto"]))
    table = render([dict(r, verdict=_short(r.get("verdict", "?")))
                    for r in rows])
    closest = max(r.get("slowest", 0.0) for r in rows)
    with capsys.disabled():
        print("\n\nbc26 fault matrix (%s tokenizer): %d cells, %d ok, %d "
              "known failures (xfail); %.1f s\n%s\n(the call closest to its "
              "budget of timeout + margin ended %.2f s %s it)\n"
              % (bc26.IMPLEMENTATION, len(rows),
                 sum(r.get("verdict") == "ok" for r in rows),
                 sum(r.get("verdict", "").startswith("xfail") for r in rows),
                 sum(r.get("wall", 0.0) for r in rows), table,
                 abs(closest), "before" if closest <= 0 else "AFTER"))
    assert all("verdict" in r for r in rows)
