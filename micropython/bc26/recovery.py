"""What the driver does when things go wrong: a stalled byte stream, a
module that restarted, a send without SEND OK, an open that failed, a
close without CLOSE OK.  Loaded the first time one happens, so a session
that goes well does not carry it.  (An unanswered
command's resync is Operations._resync: every start() needs one.)
"""

from . import commands as C
from . import events as ev
from .command import FAILED, TIMED_OUT
from .errors import ModemError
from .errors import _restarted
from .rxbuf import RxBuffer
from .state import INITIAL, CONNECTING, CLOSING


def unstall(ops):
    """A direct-push socket's receive buffer is full and the byte stream
    stands still behind its payload, while the driver waits for the
    module (the reply may be queued behind it).  The module pushes with
    no flow control: let the buffer grow, up to rx_limit; past that the
    payload is counted lost (recv_into() reports it) and the stream
    goes on."""
    proto = ops.proto
    slot = proto._sink
    rx = slot.rx
    if rx is not None and rx.cap < ops.rx_limit:
        bigger = RxBuffer(min(rx.cap * 2, ops.rx_limit))
        bigger.write(rx.peek())
        slot.rx = bigger
    else:
        proto.drop_held()
    proto.resume(ops.now_ms())


def reset_after_reboot(proto):
    """The module restarted (RDY, or AT+QRST's OK): its sockets are gone,
    its buffers empty, and nothing owed by it will come."""
    proto.land(0, None, 0)
    for s in proto.sockets:
        s.reset()
    proto._sync_push_mask()
    for c in proto.awaiting:
        c.finish(FAILED, 550)
    proto.awaiting = []
    proto.ip = None
    if proto._late_sends:
        proto._late_sends = 0


def module_restarted(ops):
    """RDY after start(): the module restarted.  Its sockets, buffers
    and half-done commands are gone; so is everything owed by it."""
    proto = ops.proto
    open_ones = [s for s in proto.sockets if s.state != INITIAL]
    reset_after_reboot(proto)
    for s in open_ones:
        s.restarted = True  # told to the socket's next call
    proto.abandon(FAILED, 550)
    ops._desync = False
    ops._probes = 0
    ops.ip = None
    raise _restarted()


def send_failed(ops, cmd, n):
    """Generator: the send did not end in SEND OK.  A lost SEND OK (or
    the OK before it) is reconciled with the module's own <sent>
    counter; anything else raises."""
    cid = cmd.connect_id
    if cmd.status == TIMED_OUT:
        try:
            sent = (yield from ops._op_counters(cid))[0]
        except OSError:
            ops._check(cmd)
        slot = ops.proto.sockets[cid]
        before = slot.sent
        slot.sent = sent
        if sent >= before + n:
            return
        ops._check(cmd)
    for e in cmd.results:
        if e.kind is ev.SendFail:
            raise ModemError(-1, "SEND FAIL: nothing was sent")
    ops._check(cmd)


def open_failed(ops, cmd, slot):
    """Generator: AT+QIOPEN on slot did not end connected; cmd's error is
    raised once the socket's id is left as the module has it."""
    cid = slot.connect_id
    if cmd.error == 563:
        # a socket the driver did not know of (opened before it
        # started): learn it from the module, never close it
        yield from ops._cmd(C.qistate(1, cid), raise_error=False)
        if slot.state == CONNECTING:  # no line about it came back
            slot.reset()
            ops.proto._sync_push_mask()
    else:
        # manual: after a failed open, AT+QICLOSE frees the socket --
        # the id is not free until then (bc26.aio: another task's
        # open must not take it, or the clean-up would close that one)
        slot.state = CLOSING
        yield from ops._cmd(C.qiclose(cid), cid, raise_error=False)
        slot.reset()
        ops.proto._sync_push_mask()
    if cmd.error is not None and cmd.error > 0:
        ops._owed_error = cmd.error  # the clean-up reset the module's
    ops._check(cmd)


def close_timed_out(ops, slot):
    """Generator: no CLOSE OK in time.  The id is not free until the
    module says so: a resync (when the OK was lost too) or the module's
    table (reconcile.py) settles it."""
    slot.state = CLOSING
    if ops._desync:
        yield from ops._ready()  # the resync reconciles
    else:
        from .reconcile import reconcile
        yield from reconcile(ops, slot.connect_id)


def late_close_ok(proto):
    """A CLOSE OK nobody awaits: one after its AT+QICLOSE gave up waiting
    (close_timed_out).  It frees the socket left closing -- when there is
    exactly one (it carries no id; AT+QISTATE can tell, so guess none)."""
    closing = None
    for s in proto.sockets:
        if s.state == CLOSING:
            if closing is not None:
                return
            closing = s
    if closing is not None:
        closing.reset()
        proto._sync_push_mask()


def cancel_variable(cmd):
    """A variable-length send (AT+QISEND=<id>) given up before its data
    went: ESC goes at the prompt instead, so nothing is sent.  The module
    ends data mode with OK and no SEND OK; the protocol then ends the
    command FAILED 571 (Command.cancelled), the manual's cancel send."""
    cmd.payload = b"\x1b"
    cmd.result = None  # no SEND OK to wait for,
    cmd.result_ms = 0  # nor its time after the OK
    cmd.cancelled = True


def end_data_mode(shell, cmd):
    """A blocking operation left by an exception while its send cmd waits
    at the module's '>' prompt: the module takes what follows as payload
    until exactly its length has come, so the payload goes now -- at the
    prompt, or blind when the prompt's deadline says so -- or, for a
    variable-length send, ESC.  What answers it the protocol routes later,
    or its deadline ends.  (bc26.aio does the same for a cancelled task.)"""
    if cmd.variable:
        cancel_variable(cmd)
    try:
        while shell.proto.wire is cmd and not cmd.phase and not cmd.done:
            if shell._advance(cmd):
                break
            shell._pump(cmd.wait)
    except Exception:
        pass  # no prompt came, or the UART failed: the next resync sorts it
