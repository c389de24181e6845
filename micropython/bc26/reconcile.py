"""After an answer was lost: the driver's socket table corrected by the
module's own (AT+QISTATE).  Loaded by the first resync with a socket open
(Operations._resync) or the first close without CLOSE OK, never by
start(): the boot's resync needs only the probes (RAM on a board, where
the bring-up is loaded then).
"""

from . import events as ev
from .command import DONE
from .state import INITIAL, CLOSING, REMOTE_CLOSING

QISTATE_ALL = b"AT+QISTATE?\r"  # commands.qistate_read()


def qistate_one(connect_id):
    """AT+QISTATE=1,<connect_id> (commands.qistate(1, id), made here so
    that the encoders of commands_extra are not loaded for it)."""
    return b"AT+QISTATE=1," + bytes((48 + connect_id,)) + b"\r"


def reconcile(ops, connect_id=-1):
    """Generator: after an answer was lost, correct the driver's socket
    table by the module's: AT+QISTATE? (or AT+QISTATE=1,<connect_id> for
    one socket).  What the module lists is learnt as it says it
    (Protocol._learn: state, service type, access mode).  A socket the
    driver holds that the module does not list -- asked again on its own,
    and answered with no line at all (a line noise mangled lists nothing
    either) -- is gone: one being closed is free again; one open was
    closed while the word of it was lost, and ends as a remote close
    does: its unread bytes are delivered, then end of stream (a pool
    socket's send raises EPIPE); what the module held unread for it
    cannot be recovered.  Returns the ids that ended so, or None when the
    module did not answer (the rest is left as it was)."""
    proto = ops.proto
    if connect_id < 0:
        cmd = yield from ops._cmd(QISTATE_ALL, raise_error=False)
        if cmd.status != DONE:
            return None
        listed = [e.connect_id for e in cmd.lines if e.kind is ev.SocketState]
    else:
        listed = []
    ended = []
    for slot in proto.sockets:
        cid = slot.connect_id
        if (connect_id >= 0 and cid != connect_id) or slot.state == INITIAL \
                or cid in listed:
            continue
        one = yield from ops._cmd(qistate_one(cid), raise_error=False)
        if one.status != DONE:
            return None
        if one.lines:
            continue  # listed after all (learnt), or not readable: kept
        if slot.state == CLOSING:
            slot.reset()
        elif not slot.remote_closed:
            slot.remote_closed = True
            slot.state = REMOTE_CLOSING
            if slot.module_data:
                slot.module_data = False  # the module has nothing left for it
            ended.append(cid)
    proto._sync_push_mask()
    return ended
