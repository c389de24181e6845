"""What the driver does when things go wrong: a stalled byte stream, a
module that restarted, an unanswered command, a send without SEND OK.
Loaded the first time one happens (start() unloads it again on a board:
the boot's lost ATs resynchronise), so a session that goes well does not
carry it.
"""

from . import events as ev
from .command import Command, FAILED, TIMED_OUT
from .errors import ModemError
from .errors import timed_out, _restarted
from .operations import PROBE
from .rxbuf import RxBuffer
from .state import INITIAL



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


def module_restarted(ops):
    """RDY after start(): the module restarted.  Its sockets, buffers
    and half-done commands are gone; so is everything owed by it."""
    proto = ops.proto
    open_ones = [s for s in proto.sockets if s.state != INITIAL]
    proto.reset_after_reboot()
    for s in open_ones:
        s.restarted = True  # told to the socket's next call
    proto.abandon(FAILED, 550)
    ops._desync = False
    ops._probes = 0
    ops.ip = None
    raise _restarted()


def resync(ops):
    """A command went unanswered, so its reply may still be on its way,
    and the next command must not take it for its own (all OKs look
    alike).  Ask something only one answer contains: AT+CMEE? says
    +CMEE: <n> before its final result, and the probe takes no final
    result before such a line (Command.needs_line): the ones before it
    are owed by earlier commands.  The module answers in order, so once
    the probe's answer is in, nothing older can come.  Then what the lost
    answer may have said about the sockets, the module's table says
    (reconcile)."""
    yield from _probed(ops)
    for slot in ops.proto.sockets:
        if slot.state != INITIAL:
            from .reconcile import reconcile
            yield from reconcile(ops)
            if ops._desync:
                # one of its own answers came late: probe again (without
                # asking again, or a slow module would loop)
                yield from _probed(ops)
            break


def _probed(ops):
    ops._resyncing = True
    try:
        yield from _resync_probes(ops)
    finally:
        ops._resyncing = False


def _resync_probes(ops):
    proto = ops.proto
    probe = _probe(ops)
    ops._write(proto.submit(probe, ops.now_ms()))
    ops._probes += 1
    answered = False
    while True:
        yield from ops._finish(probe)
        if probe.status == TIMED_OUT:
            if answered:
                break  # the older probes were never heard (a mute module)
            raise timed_out("no answer from the module")
        answered = True
        ops._probes -= 1
        if ops._probes <= 0:
            break
        # an older probe's answer, late: wait for the newer one too,
        # writing nothing (it is still on its way through the module)
        probe = _probe(ops)
        proto.submit(probe, ops.now_ms())
    if proto.wire is probe:
        proto.abandon()
    ops._probes = 0
    ops._desync = False


def _probe(ops):
    probe = Command(PROBE, reply_ms=ops.reply_ms)
    probe.needs_line = True
    return probe


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
