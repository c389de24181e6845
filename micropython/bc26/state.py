"""The sans-I/O protocol state: bytes and time in, commands and data out.

    proto = Protocol()
    wire = proto.submit(Command(commands.qiopen(0, "TCP", "10.0.0.1", 80)), now_ms)
    uart.write(wire)
    proto.receive_data(uart_bytes, now_ms)   # as often as bytes come
    proto.expire(now_ms)                     # at proto.deadline()

It routes every event: the reply of the one command on the wire, the
result URCs of commands still awaiting them, and unsolicited URCs (socket
state, incoming data, anything unknown) -- so a URC arriving between an
echo and OK, before '>', or between OK and SEND OK never becomes a reply.
Received socket data goes straight into the socket's receive buffer, or
for a read (AT+QIRD) that recv_into() asked for, into the caller's buffer.

The data path allocates (next to) nothing: the lines it lives on (OK,
SEND OK, the +QIRD and "recv" headers, the '>' prompt) are recognised in
the frame's bytes, without a str or an event, and payloads are copied by
range -- into a socket's buffer with no allocation, into a recv_into()
caller's buffer through one memoryview slice.
"""

from . import events as ev
from . import parser
from .command import WAITING, PROMPTED, AWAITING, DONE, FAILED, TIMED_OUT, \
    ON_BOARD, const
from .rxbuf import RxBuffer
from . import Tokenizer  # the twin bc26 chose (it is set before we import)

# socket states, numbered as +QISTATE <socket_state>
INITIAL = const(0)
CONNECTING = const(1)
CONNECTED = const(2)
CLOSING = const(3)
REMOTE_CLOSING = const(4)

BUFFER = const(0)       # access modes
DIRECT_PUSH = const(1)

MAX_URCS = const(8)     # unclaimed URCs kept for the application
# how long after a send timed out its result may still come: URCs lag by
# a paging cycle in DRX (up to 10.24 s), more in eDRX
_LATE_MS = const(60000)

_PROMPT = ev.Prompt()   # shared: it has no fields
_OK = parser.OK
_SEND_OK = parser.SEND_OK


def _params(wire):
    """The parameters of our own command line, as split_fields gives them."""
    return parser.split_fields(wire[wire.find(b"=") + 1:-1].decode())


class SocketSlot:
    """What the driver knows of one of the module's five sockets."""

    # reset()'s values, as class defaults: a slot never opened has no
    # attribute table of its own beyond these two (RAM on a board)
    state = INITIAL
    access_mode = BUFFER
    module_data = False
    buff_full = 0
    remote_closed = False
    reconciled_ms = None
    fruitless_ms = 0  # how long recv_into() calls waited in vain since data came
    lost = 0
    rx = None
    udp = False         # UDP: a read returns one datagram
    node_left = 0       # buffer mode: what the last AT+QIRD left of its node
    dgrams = None       # lengths of the whole datagrams kept in rx, oldest first
    arriving = 0        # bytes of the pushed datagram coming in now, kept
    # the driver's own bookkeeping, kept across reset() (the module's state)
    sent = 0            # the module's <sent> counter, as last confirmed
    restarted = False   # the module restarted under this socket

    def forget_sends(self):
        """A new connection (or none): no sends to reconcile, no restart
        to report.  Class defaults again, not instance attributes (RAM)."""
        if self.sent:
            self.sent = 0
        if self.restarted:
            self.restarted = False

    def __init__(self, connect_id, rx_capacity):
        self.connect_id = connect_id
        self.rx_capacity = rx_capacity

    def reset(self):
        """Back to the class defaults (see above).  What differs is set
        back; what does not is left alone, so a slot's attribute table
        never holds a default (16 bytes an entry on a board)."""
        if self.state != INITIAL:
            self.state = INITIAL
        if self.access_mode != BUFFER:
            self.access_mode = BUFFER
        if self.module_data:
            self.module_data = False  # buffer mode: data waits in the module
        if self.buff_full:
            self.buff_full = 0        # times the module reported "buff full"
        if self.remote_closed:
            self.remote_closed = False
        if self.reconciled_ms is not None:
            self.reconciled_ms = None  # last time a lost "recv" was ruled out
        if self.fruitless_ms:
            self.fruitless_ms = 0
        if self.lost:
            self.lost = 0             # pushed bytes no buffer could keep
        if self.rx is not None:
            self.rx = None            # RxBuffer (direct push, or data kept
            #                           late), freed with the socket
        if self.udp:
            self.udp = False
        if self.node_left:
            self.node_left = 0
        if self.dgrams is not None:
            self.dgrams = None
        if self.arriving:
            self.arriving = 0

    def kept_dgram(self, n):
        """n bytes kept in rx make one whole datagram."""
        if self.dgrams is None:
            self.dgrams = []
        self.dgrams.append(n)

    def next_dgram(self, arriving):
        """The length of the oldest whole datagram in rx, 0 if none is
        complete yet (arriving: one is coming in now).  Bytes kept with no
        boundary (data moved over from another access mode) are one."""
        if self.dgrams:
            return self.dgrams.pop(0)
        return 0 if arriving else self.rx.count

    def open(self, access_mode):
        self.reset()
        self.state = CONNECTING
        self.set_mode(access_mode)

    def set_mode(self, access_mode):
        self.access_mode = access_mode
        if access_mode == DIRECT_PUSH:
            if self.module_data:
                self.module_data = False  # the module pushes what it held
            self.store()

    def store(self):
        """The receive buffer, allocated on first need."""
        if self.rx is None:
            self.rx = RxBuffer(self.rx_capacity)
        return self.rx

    @property
    def readable(self):
        return self.rx is not None and self.rx.count > 0

    @property
    def at_eof(self):
        """Peer closed and every byte it sent has been delivered."""
        return (self.remote_closed and not self.module_data
                and not self.readable)

    def __repr__(self):
        return "<Socket %d state=%d mode=%d rx=%d>" % (
            self.connect_id, self.state, self.access_mode,
            self.rx.count if self.rx else 0)


# The tokenizer's sizes on a board: the ring keeps only what a read left
# unframed (the Python twin frames the UART buffer in place), but must hold
# a quoted push payload's lookahead (1460 + 2); the frame buffer holds a
# line (+QISTATE with a 255-character host name is ~300 bytes) and caps a
# payload piece, so a 512-byte AT+QIRD payload is one piece (one copy into
# the caller's buffer).  A host batches better with more.
_TOK_SIZES = (1536, 512) if ON_BOARD else (4096, 1536)


class Protocol:
    # defaults of what is set later, as class attributes: an instance's
    # attribute table then holds only what was set (RAM on a board)
    ip = None                 # from +IP: or +CGPADDR
    prompt_seen = False
    _sink = None              # socket receiving the current payload
    _held = None              # a payload's bytes a full buffer held back
    _held_last = False        # they end the payload
    _pending = b""            # bytes not yet taken by the tokenizer
    _land = None              # recv_into's buffer for the next AT+QIRD
    _land_slot = None
    _land_room = 0
    landed = 0                # bytes the read put there
    _src = None               # the last two frame buffers, and views
    _src_view = None
    _src2 = None
    _src2_view = None
    _read_slot = None         # the socket the last AT+QIRD reads
    _now = 0
    # sends that timed out before their SEND OK / SEND FAIL: a result
    # that comes until _late_until (ms) is theirs, not the next send's
    # (see _result_event); one that never comes is forgotten then
    _late_sends = 0
    _late_until = 0
    send_hex = 0              # QICFG settings, as last seen or set
    viewmode = 0
    echomode = 0

    def __init__(self, tokenizer=None, rx_capacity=1024):
        self.tok = tokenizer if tokenizer is not None else \
            Tokenizer(_TOK_SIZES[0], _TOK_SIZES[1])
        self.sockets = [SocketSlot(i, rx_capacity) for i in range(5)]
        self.wire = None          # the command on the wire
        self.awaiting = []        # commands waiting for result URCs
        self.urcs = []            # unclaimed URC events, oldest first

    # -- commands ------------------------------------------------------------

    def submit(self, cmd, now_ms):
        """Put cmd on the wire; return the bytes to write."""
        if self.wire is not None:
            raise RuntimeError("a command is on the wire: %r" % self.wire.wire)
        other = self.owes(cmd.result, cmd.connect_id)
        if other is not None:
            raise RuntimeError("%s still awaits its result" % other.name)
        cmd.deadline = now_ms + cmd.reply_ms
        self.wire = cmd
        if self.prompt_seen:  # (the class default otherwise: RAM)
            self.prompt_seen = False
        # effects that must hold before the module can answer
        name = cmd.name
        if name == "QIRD":
            if 0 <= cmd.connect_id <= 4 and not cmd.is_test:
                self._read_slot = self.sockets[cmd.connect_id]
        elif name == "QIOPEN" and not cmd.is_test and b"=" in cmd.wire:
            # reserve the slot now: pushed data may follow +QIOPEN at once
            f = _params(cmd.wire)
            # malformed (manual 4.6): the module answers ERROR; a slot in
            # use: the module refuses (563) and it stays as it is
            if len(f) >= 5 and isinstance(f[1], int) and 0 <= f[1] <= 4 and \
                    self.sockets[f[1]].state == INITIAL:
                slot = self.sockets[f[1]]
                slot.open(f[6] if len(f) > 6 else BUFFER)
                if isinstance(f[2], str) and f[2].upper() == "UDP":
                    slot.udp = True
                self._sync_push_mask()
        return cmd.wire

    def owes(self, result, connect_id=-1):
        """The command awaiting result URCs of this kind (for "open": on
        this socket), that a new one's would be mistaken for; or None."""
        if result is not None:
            for other in self.awaiting:
                if other.result == result and (
                        result != "open" or other.connect_id == connect_id):
                    return other
        return None

    def data_written(self, cmd, now_ms):
        """The payload after '>' has been written: wait for OK again."""
        cmd.status = WAITING
        cmd.deadline = now_ms + cmd.reply_ms + cmd.result_ms

    def deadline(self):
        """Earliest deadline (ms) of anything waiting, or None."""
        best = self.wire.deadline if self.wire is not None else None
        for c in self.awaiting:
            if best is None or c.deadline < best:
                best = c.deadline
        return best

    def expire(self, now_ms):
        """Time out whatever is past its deadline; return those commands.

        Called on every pump, so it allocates nothing unless one expires."""
        gone = ()
        c = self.wire
        if c is not None and c.deadline is not None and now_ms >= c.deadline:
            c.finish(TIMED_OUT)
            self.wire = None
            gone = [c]
            if c.result == "send":
                self._owe_late_send(now_ms)
        i = 0
        while i < len(self.awaiting):
            c = self.awaiting[i]
            if now_ms >= c.deadline:
                c.finish(TIMED_OUT, 569)
                self.awaiting.pop(i)
                gone = list(gone) + [c]
                if c.result == "send":
                    self._owe_late_send(now_ms)
            else:
                i += 1
        return gone

    def _owe_late_send(self, now_ms):
        self._late_sends += 1
        self._late_until = now_ms + _LATE_MS

    def rebase(self, delta):
        """The shell's clock moved its base up by delta ms: move every
        deadline and time kept with it."""
        if self.wire is not None and self.wire.deadline is not None:
            self.wire.deadline -= delta
        for c in self.awaiting:
            c.deadline -= delta
        for s in self.sockets:
            if s.reconciled_ms is not None:
                s.reconciled_ms -= delta
        self._now -= delta
        if self._late_sends:
            self._late_until -= delta

    def abandon(self, status=TIMED_OUT, error=None):
        """Forget the wire command (the caller resynchronises the module);
        one not finished yet ends with status (whoever waits on it wakes)."""
        c = self.wire
        self.wire = None
        if c is not None and not c.done:
            c.finish(status, error)

    # -- bytes in --------------------------------------------------------------

    def receive_data(self, data, now_ms, n=-1):
        """Take data[0:n] (n: all of it) from the UART and act on every
        complete frame.  The caller may reuse data once this returns.

        Returns False when a socket's receive buffer is full and bytes are
        held back (the caller stops reading the UART until the application
        reads); nothing is dropped."""
        self._now = now_ms
        if n < 0:
            n = len(data)
        if self._pending:  # rare: held back by a full buffer
            data = self._pending + bytes(memoryview(data)[:n])
            n = len(data)
            self._pending = b""
        tok = self.tok
        try:
            # fed before the frames left from before (held by a full
            # buffer) are drained: they still come first, the ring keeps
            # its order, and the usual call drains once
            off = tok.feed(data, n)
            while self._drain_frames():
                if off >= n:
                    return True
                # the tokenizer's ring was full
                off += tok.feed(memoryview(data)[off:n])
            if off < n:
                self._pending = bytes(memoryview(data)[off:n])
            return False
        finally:
            tok.release()  # whatever happened: the caller reuses data

    def resume(self, now_ms):
        """Retry held-back bytes after the application made room."""
        return self.receive_data(b"", now_ms)

    def _drain_frames(self):
        tok = self.tok
        held = self._held
        if held is not None:  # first what a full buffer held back
            done = self._deliver(held, 0, len(held))
            if done < len(held):
                self._held = held[done:]
                return False
            self._held = None
            if self._held_last:
                self._payload_end()
        while True:
            kind = tok.next()
            if not kind:  # NONE
                return True
            if kind == 1:  # LINE: in both twins at buf[0:length]
                b = tok.buf
                n = tok.length
                if tok.remaining:
                    if self._payload_header(b):
                        continue
                elif self._hot_line(b, n):  # (a LINE is never empty)
                    continue
                e = parser.parse_line(tok.frame, tok.remaining > 0)
                if e is not None:
                    self.handle(e)
            elif kind == 2:  # PROMPT
                self.handle(_PROMPT)
            else:  # PAYLOAD
                n = tok.length
                done = self._deliver(tok.buf, tok.start, n)
                if done < n:
                    # keep the rest: the caller may reuse the frame's buffer
                    s = tok.start + done
                    self._held = bytes(memoryview(tok.buf)[s:s + n - done])
                    self._held_last = not tok.remaining
                    return False
                if not tok.remaining:  # the payload's last frame
                    self._payload_end()

    def drop_held(self):
        """Give up the payload bytes a full buffer held back: they are
        counted on the socket (recv_into() reports them), and so is every
        byte pushed to it after them until then, so that what it does
        deliver is a clean prefix."""
        if self._held is None:
            return
        slot = self._sink
        if slot is not None:
            slot.lost += len(self._held)
            if slot.arriving:  # the datagram's first part: not a datagram
                slot.rx.unput(slot.arriving)
                slot.lost += slot.arriving
                slot.arriving = 0
        self._held = None
        if self._held_last:
            self._payload_end()

    def _payload_header(self, b):
        """A line the tokenizer found to announce a payload: route it
        without parsing.  '+QIURC: "recv",<id>,<n>' (the tokenizer checked
        the id) or '+QIRD: <n>...' answering our AT+QIRD."""
        if b[3] == 85:  # '+QIURC'
            self._sink = self.sockets[b[15] - 48]
            return True
        slot = self._read_slot
        if slot is None:
            return False  # nobody asked: the slow path drops it
        # routed by the last AT+QIRD, even one that timed out: the module
        # has handed the data over and it must not be lost
        self._read_slot = None
        self._sink = slot
        if slot.udp:
            # the number after the first comma -- '+QIRD: <n>,<remaining>'
            # -- or 0; read in place (no str)
            n = self.tok.length
            i = b.find(b",", 7, n) + 1 or n  # (no comma: no number)
            value = 0
            while i < n and 48 <= b[i] <= 57:
                value = value * 10 + b[i] - 48
                i += 1
            slot.node_left = value if self.tok.showlength else 0
        return True

    def _hot_line(self, b, n):
        """OK, SEND OK, '+QIRD: 0' and buffer mode's '+QIURC: "recv",<id>'
        notices, handled in the frame's bytes; False for any other line."""
        c0 = b[0]
        if n == 2 and c0 == 79 and b[1] == 75:  # 'OK'
            self.handle(_OK)
            return True
        if n == 7 and c0 == 83 and b.startswith(b"SEND OK"):
            c = self.owes("send")
            if c is None or self.wire is not None:
                self.handle(_SEND_OK)  # nobody's, or maybe the wire's
            else:  # the oldest send awaiting it (no event routing)
                self._result(c, _SEND_OK)
            return True
        if c0 == 43 and n > 7 and b[1] == 81:  # '+Q'
            if b[3] == 82:  # '+QIRD: 0', the read found nothing
                slot = self._read_slot
                if (slot is not None and b.startswith(b"+QIRD: 0")
                        and (n == 8 or b[8] == 44)):
                    self._read_slot = None
                    slot.module_data = False
                    if slot.node_left:
                        slot.node_left = 0
                    return True
            elif n > 15 and b.startswith(b'+QIURC: "recv",'):
                cid = b[15] - 48
                # "<id>" or "<id>,<length>"; "buff full" takes the slow path
                if 0 <= cid <= 4 and (n == 16 or (b[16] == 44 and n > 17
                                                  and 48 <= b[17] <= 57)):
                    slot = self.sockets[cid]
                    if slot.access_mode == BUFFER:
                        slot.module_data = True
                    return True
        return False

    def land(self, connect_id, buf, nbytes, start=0):
        """The payload of the next AT+QIRD on connect_id goes to buf[start:]
        (up to buf[nbytes]), not through a receive buffer: recv_into()
        gives its own buffer.  land(0, None, 0) ends it; .landed is where
        the bytes put there end.  A UDP socket's bytes past nbytes are
        dropped: the rest of a datagram the buffer cannot hold (BSD)."""
        self._land = buf
        self._land_slot = self.sockets[connect_id] if buf is not None else None
        self._land_room = nbytes
        self.landed = start

    def _deliver(self, src, start, n):
        """Put payload bytes where they belong; return how many were taken."""
        slot = self._sink
        if slot is None:
            return n  # data for no known socket (a stale read): dropped
        if slot.lost:
            slot.lost += n  # after a loss, until it is reported
            return n
        took = 0
        if slot is self._land_slot:
            got = self.landed
            k = self._land_room - got
            if k > n:
                k = n
            if k > 0:
                # a memoryview of src, kept for the two buffers frames come
                # from (the UART's and the tokenizer's): making one allocates
                if src is self._src:
                    view = self._src_view
                elif src is self._src2:
                    view = self._src2_view
                else:
                    self._src2 = self._src
                    self._src2_view = self._src_view
                    self._src = src
                    self._src_view = view = memoryview(src)
                self._land[got:got + k] = view[start:start + k]
                self.landed = got + k
                if k == n:
                    return n
                start += k
                n -= k
                took = k
            if slot.udp:
                return took + n
        kept = slot.store().put(src, start, n)
        if slot.udp:
            slot.arriving += kept
        return took + kept

    def _payload_end(self):
        slot = self._sink
        if slot is not None and slot.arriving and not slot.node_left:
            # a datagram is complete: pushed whole, or read into rx to the
            # end of its node (the rest of one a recv_into left early)
            slot.kept_dgram(slot.arriving)
            slot.arriving = 0
        self._sink = None

    # -- events ---------------------------------------------------------------

    def handle(self, e):
        """Route one event (public so tests can inject events directly)."""
        t = e.kind
        c = self.wire
        if t is ev.Ok or t is ev.Error:
            if c is None:
                return  # a stray final result (after a timeout): ignore
            if c.needs_line and not c.lines:
                return  # owed by an earlier command that timed out
            self.wire = None
            if t is ev.Error:
                c.finish(FAILED, e.code)
                if c.name == "QIOPEN" and not c.is_test and c.connect_id >= 0:
                    slot = self.sockets[c.connect_id]
                    if slot.state == CONNECTING:  # reserved by this one
                        slot.reset()
                        self._sync_push_mask()
            elif c.cancelled:
                c.finish(FAILED, 571)
            else:
                # succeeded: make its effect ours too
                w = c.wire
                name = c.name
                if name == "QISWTMD" and b"=" in w and not c.is_test:
                    f = _params(w)
                    self.sockets[f[0]].set_mode(f[1])
                    self._sync_push_mask()
                elif name == "QICFG" and b"," in w:
                    # each of a line's commands joined by ';' (manual 2.1.4)
                    for part in bytes(w[:-1]).split(b";"):
                        if b"QICFG=" in part.upper() and b"," in part:
                            f = parser.split_fields(
                                part[part.find(b"=") + 1:].decode())
                            self._config(f[0], tuple(f[1:]))
                elif name == "QRST":
                    from .recovery import reset_after_reboot
                    reset_after_reboot(self)
                if c.result is None:
                    c.finish(DONE)
                elif c.status != DONE and c.status != FAILED:
                    # (a result that came before OK is tolerated)
                    c.status = AWAITING
                    c.deadline = self._now + c.result_ms
                    self.awaiting.append(c)
            return
        if t is ev.Prompt:
            self.prompt_seen = True
            if c is not None and c.prompt and not c.status:  # WAITING
                c.status = PROMPTED
            return
        if t is ev.Echo:
            return
        # (push headers never get here: _payload_header routes them all)
        if t is ev.ReadHeader and self._read_slot is not None:
            # routed by the last AT+QIRD, even one that timed out: the
            # module has handed the data over and it must not be lost
            if c is not None and c.name == "QIRD":
                c.lines.append(e)
            slot = self._read_slot
            self._read_slot = None
            self._sink = slot if e.length > 0 else None
            if slot.udp:
                slot.node_left = e.remaining or 0
            if e.length == 0:
                slot.module_data = False
            return
        if self._result_event(e):
            return
        if self._socket_urc(e):
            return
        if c is not None and c.on_wire and c.accepts(e):
            c.lines.append(e)
            self._learn(e)
            return
        if t is ev.IpAddress:
            self.ip = e.ip
        self._learn(e)
        self.urcs.append(e)
        if len(self.urcs) > MAX_URCS:
            self.urcs.pop(0)

    def _result_event(self, e):
        """A URC that completes the result part of a command."""
        t = e.kind
        if t is ev.Opened:
            kind = "open"
        elif t is ev.SendOk or t is ev.SendFail:
            kind = "send"
        elif t is ev.CloseOk:
            kind = "close"
        elif t is ev.DnsResult or t is ev.DnsAddress:
            kind = "dns"
        # the rare replies' kinds are replies.py's: told by their command,
        # so that asking does not load it
        elif t.command == "QPING":
            kind = "ping"
        elif t.command == "QNTP":
            kind = "ntp"
        else:
            return False
        # who waits for it: the wire command, else the oldest awaiting one
        c = self.wire
        if self._late_sends and self._now >= self._late_until:
            self._late_sends = 0  # never came (lost): settled by counters
        if kind == "send" and c is not None and c.result == kind and \
                c.status < AWAITING and (self._late_sends
                                         or (c.prompt and not c.phase)):
            # Not the wire send's, which has no OK yet: its payload has not
            # gone (a data-mode send before its prompt), or an earlier send
            # that timed out is owed its result, which comes first.
            if self._late_sends:
                self._late_sends -= 1
                return True  # that send was settled (counters) already
            c = None
        if c is None or c.result != kind or (
                kind == "open" and c.connect_id != e.connect_id):
            for c in self.awaiting:
                if c.result == kind and (kind != "open"
                                         or c.connect_id == e.connect_id):
                    break
            else:
                c = None
        if c is None:  # nobody asked: an unsolicited event
            if kind == "send" and self._late_sends:
                self._late_sends -= 1  # a late one, with nothing waiting
            if t is ev.Opened:
                self._opened(e.connect_id, e.err)  # keep the slot right
            elif t is ev.CloseOk:
                from .recovery import late_close_ok
                late_close_ok(self)
            return False
        self._result(c, e)
        return True

    def _result(self, c, e):
        """Apply one result URC to the command awaiting it."""
        t = e.kind
        error = None
        if t is ev.SendOk:
            pass  # the commonest (_hot_line): it only ends the send
        elif t is ev.Opened:
            self._opened(e.connect_id, e.err)
            error = e.err
        elif t is ev.SendFail:
            error = -1
        elif t is ev.CloseOk:
            if c.connect_id >= 0:
                self.sockets[c.connect_id].reset()
                self._sync_push_mask()
        elif t is ev.DnsResult:
            error = e.err
            if not error and e.count:
                c.results.append(e)
                c.expect = e.count
                return
        elif t is ev.DnsAddress:
            c.expect -= 1
            if c.expect > 0:
                c.results.append(e)
                return
        elif t.command == "QPING":  # (replies.py is loaded: it made e)
            from .replies import ping_result
            error = ping_result(c, e)
            if error is None:
                return  # more to come
        elif t.command == "QNTP":
            error = e.err
        if t is not ev.SendOk:  # nobody reads it: the data path keeps no list
            c.results.append(e)
        if error:
            c.finish(FAILED, error)
        else:
            c.finish(DONE)
        if c in self.awaiting:
            self.awaiting.remove(c)

    def _opened(self, cid, err):
        slot = self.sockets[cid]
        if err != 563:  # 563: the id is in use, by a socket left as it is
            slot.state = CONNECTED if err == 0 else INITIAL

    def _socket_urc(self, e):
        t = e.kind
        if t is ev.RecvNotify:
            slot = self.sockets[e.connect_id]
            if slot.access_mode == BUFFER:  # (pushed data needs no read)
                slot.module_data = True
        elif t is ev.BufferFull:
            slot = self.sockets[e.connect_id]
            slot.module_data = True
            slot.buff_full += 1
        elif t is ev.Closed:
            slot = self.sockets[e.connect_id]
            if slot.state == INITIAL:
                return True  # closed here already: nothing left to tell
            slot.remote_closed = True
            slot.state = REMOTE_CLOSING
            if slot.access_mode == BUFFER:
                slot.module_data = True  # read until +QIRD: 0 before EOF
        else:
            return False
        return True

    # -- what replies teach us -------------------------------------------------

    def _learn(self, e):
        """Keep the tokenizer and the slots in step with what the module says."""
        t = e.kind
        # (replies.py's kinds, told by their command: see _result_event)
        if t.command == "QICFG":
            self._config(e.name, e.values)
        elif t.command == "QISTATE":  # (replies.py is loaded: it made e)
            from .replies import learn_state
            learn_state(self, e)
        elif t is ev.Info and e.name == "CGPADDR":
            f = parser.split_fields(e.text)
            if len(f) > 1 and f[1]:
                self.ip = f[1]

    def _config(self, name, values):
        tok = self.tok
        if name == "showlength" and values:
            tok.configure(showlength=values[0])
        elif name == "dataformat" and len(values) > 1:
            if self.send_hex != values[0]:  # (RAM: see the class)
                self.send_hex = values[0]
            tok.configure(hex_recv=values[1])
        elif name == "viewmode" and values:
            if self.viewmode != values[0]:
                self.viewmode = values[0]
        elif name == "echomode" and values:
            if self.echomode != values[0]:
                self.echomode = values[0]

    def _sync_push_mask(self):
        mask = 0
        for s in self.sockets:
            if s.state != INITIAL and s.access_mode == DIRECT_PUSH:
                mask |= 1 << s.connect_id
        self.tok.configure(push_mask=mask)
