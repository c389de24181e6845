"""The driver's operations over the sans-I/O core, written once for both
shells (the blocking Modem in modem.py and the asyncio Modem in aio.py).

Two shapes, by how often they run:

- The data path (send, recv_into and the AT+QISEND / AT+QIRD exchanges
  under them) is a set of *steppers*: plain methods that look at the state
  once and return True when done, else leave the deadline to wait until in
  a reused record (``.wait``).  A shell loops ``while not step(rec):
  wait(rec.wait)``.  No generator, closure or Command is made per call.
- Everything else (start, open, close, resync, and the rare services in
  services.py) is a generator that yields its deadline; a shell resumes it
  after each wait.  Simple, and it may allocate.

A shell provides self.now_ms(), self._write(bytes) and counts what it feeds
the protocol in self._rx_total / self._rx_last.
"""

from . import commands as C
from . import events as ev
from .checks import _is_ipv4
from .command import Command, DONE, FAILED, TIMED_OUT, PROMPTED
from .errors import ModemError
from .state import Protocol, BUFFER, INITIAL, CONNECTING, CLOSING

try:
    import errno
    ETIMEDOUT = errno.ETIMEDOUT
    EAGAIN = errno.EAGAIN
    ECONNRESET = errno.ECONNRESET
    ENOBUFS = errno.ENOBUFS
    EMSGSIZE = getattr(errno, "EMSGSIZE", 90)  # not in MicroPython's
except (ImportError, AttributeError):
    ETIMEDOUT = 110
    EAGAIN = 11
    ECONNRESET = 104
    ENOBUFS = 105
    EMSGSIZE = 90

_DNS_TIMEOUT_MS = 60000
PROBE = b"AT+CMEE?\r"  # commands.cmee_read(): the resynchronising probe
_LAND_MIN = 64  # recv_into() buffers this big take an AT+QIRD in place
_HEX = b"0123456789abcdef"


try:
    from sys import implementation as _impl, modules as _modules
    _ON_BOARD = _impl.name in ("micropython", "circuitpython")
except ImportError:  # a port without them: nothing to unload by
    _ON_BOARD = False


def _drop(name):
    """On a board, unload a module of the package used once (its code is
    RAM there); the next use imports it again.  CPython keeps it."""
    if _ON_BOARD:
        package = __name__.rpartition(".")[0]
        _modules.pop(package + "." + name, None)
        # the import also made it an attribute of the package
        try:
            delattr(_modules[package], name)
        except (AttributeError, KeyError, NameError):
            pass


def timed_out(what="timed out"):
    return OSError(ETIMEDOUT, what)


class NotReady(OSError):
    """The module cannot serve yet: no answer, no SIM, not registered --
    or it restarted (errno ECONNRESET): call start() again."""


def _restarted():
    return NotReady(ECONNRESET, "the module restarted: call start() again")


def _is_int(x):
    # bool is an int subclass; True as a count or an id is a mistake
    return isinstance(x, int) and not isinstance(x, bool)


def _cid(connect_id):
    """A <connectID>: 0-4 (it also indexes the driver's socket tables)."""
    if not _is_int(connect_id):
        raise TypeError("connect_id must be an int")
    if not 0 <= connect_id <= 4:
        raise ValueError("connect_id must be 0-4, got %d" % connect_id)
    return connect_id


def _seconds(name, value, zero=False, most=1000000):
    """A duration: a number > 0 (>= 0 with zero=True), at most most (the
    clock's arithmetic holds days, not forever: None means no limit)."""
    if not (_is_int(value) or isinstance(value, float)):
        raise TypeError("%s must be a number of seconds" % name)
    if not (value > 0 or (zero and value == 0)):  # NaN fails both
        raise ValueError("%s must be %s 0" % (name, ">=" if zero else ">"))
    if value > most:
        raise ValueError("%s must be at most %d" % (name, most))
    return value


def _writable(buf):
    """The buffer recv_into() writes into, as the data path takes it: a
    bytearray, or a writable 1-D contiguous memoryview of bytes (another
    writable byte buffer, array('B') say, is viewed as one).  Anything else
    is refused before any byte goes out: no buffer, read-only, or items of
    more than a byte (their count is not a byte count).  MicroPython's
    memoryview tells none of that: there a write of its first byte onto
    itself tells read-only memory (TypeError, nothing allocated), and
    items wider than a byte cannot be told."""
    t = type(buf)
    if t is bytearray:
        return buf
    if t is bytes or t is str:
        raise TypeError("the buffer must be writable (bytearray, memoryview)")
    mv = buf if t is memoryview else memoryview(buf)  # TypeError: no buffer
    if getattr(mv, "readonly", False) or getattr(mv, "itemsize", 1) != 1 or \
            getattr(mv, "ndim", 1) != 1 or not getattr(mv, "contiguous", True):
        raise TypeError("the buffer must be writable, of bytes, in one piece "
                        "(bytearray, memoryview)")
    if not _VIEWS_TELL and len(mv):
        mv[0] = mv[0]
    return mv


# CPython's memoryview has .readonly (and .itemsize ...); MicroPython's not
_VIEWS_TELL = hasattr(memoryview(b""), "readonly")


def data_length(data, udp, hex_send=0):
    """send()'s checks of data, and its byte count: a buffer of bytes; on
    UDP (udp true) no more than one send carries (hex_send: the module's
    send dataformat), since one send is one datagram and is never split.
    Also for the sockets' sendto(), which checks before it opens one."""
    t = type(data)
    if t is not bytes and t is not bytearray:
        if t is not memoryview:
            data = memoryview(data)  # TypeError for what is no buffer
        if getattr(data, "itemsize", 1) != 1:
            # len() would count items, and the line would announce fewer
            # bytes than go: the rest would be a command
            raise TypeError("data must hold bytes, not %d-byte items"
                            % data.itemsize)
    n = len(data)
    if udp and n > (C.MAX_HEX_DATA_MODE if hex_send else C.MAX_DATA_MODE):
        raise OSError(EMSGSIZE, "a datagram of %d bytes is more than "
                      "one send carries" % n)
    return n


def _put_digits(buf, at, value):
    """Write value's decimal digits at buf[at:]; return where they end."""
    end = at + (4 if value >= 1000 else 3 if value >= 100
                else 2 if value >= 10 else 1)
    i = end
    while i > at:
        i -= 1
        buf[i] = 48 + value % 10
        value //= 10
    return end


class _Lines:
    """The data path's command lines, written into one preallocated buffer:
    <prefix><connectID>,<number> CR -- AT+QISEND=<id>,<len> and
    AT+QIRD=<id>,<len>.  One view per line length (12-17), made the first
    time a line has that length and kept, so a line goes to the UART
    without a slice (a steady flow uses two or three of them)."""

    def __init__(self):
        self.buf = bytearray(17)
        self.views = [None] * 6

    def line(self, prefix, connect_id, value):
        buf = self.buf
        k = len(prefix)
        buf[0:k] = prefix  # a whole bytes constant: no slice is made
        buf[k] = 48 + connect_id
        buf[k + 1] = 44
        end = _put_digits(buf, k + 2, value)
        buf[end] = 13
        view = self.views[end - 11]
        if view is None:
            view = self.views[end - 11] = memoryview(buf)[:end + 1]
        return view


class _Recv:
    """The record of the recv_into() in progress (one per modem)."""

    got = 0  # UDP: bytes of the datagram landed so far (a class default:
    #          TCP never sets it, and an entry costs RAM on a board)

    def __init__(self):
        self.cid = 0
        self.buf = None          # the caller's buffer, dropped when done
        self.nbytes = 0
        self.timeout_ms = None
        self.deadline = None
        self.looked = False      # has the UART been read at least once?
        self.reading = None      # the AT+QIRD on its way, if any
        self.need_ready = False  # the wire must be made ready first
        self.result = 0
        self.wait = None


class Operations:
    """The operations of the public API (see the module docstring)."""

    reply_ms = 2000  # the manual says 300 ms; real modules are slower at times
    rx_limit = 8192 if _ON_BOARD else 1 << 24  # see modem.Modem
    # the data path reuses one command record and one recv record; a shell
    # whose calls overlap (bc26.aio: several tasks) gives each its own
    _reuse_records = True
    send_ms = 10000  # from the payload to SEND OK
    # Sends of up to this many bytes go in one exchange,
    # AT+QISENDEX=<id>,<n>,<hex>: twice the bytes, but no wait for the '>'
    # prompt.  At 115200 baud a hex digit more costs 87 us and the prompt's
    # turnaround about as much as 28 of them (BENCHMARKS.md: section 4), so
    # 24; a module slower at its prompt gains from more.  0: every send in
    # data mode; at most 512.
    small_send = 24
    # defaults of state set later, as class attributes (an instance's
    # attribute table then holds only what was set: RAM on a board)
    ip = None
    _desync = False       # a command went unanswered (see _resync)
    _resyncing = False    # a resync is under way
    _probes = 0           # resync probes whose answers are owed
    _last_urc = None      # the newest distinct URC looked at
    _urcs_tail = None     # the URC list's last entry and length
    _urcs_len = 0         # when last looked at
    _rx_total = 0         # bytes fed to the protocol (by the shell)
    _rx_last = -1         # the last of them
    _hexline = None       # the small sends' line, made on first use
    # the <err> of the user's last failed operation when the driver's own
    # clean-up command has since reset the module's (last_error() says it)
    _owed_error = None

    def __getattr__(self, name):
        # A board's services (ping, ntp, ...): loaded on the first call
        # (bind_api makes them methods on CPython).  Only for their names:
        # nothing else (hasattr(), an internal lookup) may load them.
        if (" %s " % name) in SERVICE_NAMES:
            from .services import OPS
            op = OPS.get(name)
            if op is not None:
                method = self._wrap(op)
                return lambda *args, **kw: method(self, *args, **kw)
        raise AttributeError(name)

    def _init_ops(self, tokenizer, rx_capacity, rx_limit):
        if rx_limit < rx_capacity:
            raise ValueError("rx_limit must be >= rx_capacity")
        self.proto = Protocol(tokenizer, rx_capacity)
        if rx_limit != self.rx_limit:  # (the class has the default)
            self.rx_limit = rx_limit
        # the data path's reused records
        self._lines = _Lines()
        self._rec = Command(b"AT+QIRD=0,1\r", 0)  # rearmed for each use
        self._recv = _Recv()

    # -- keeping the byte stream moving --------------------------------------

    def _unstall(self):
        """A direct-push payload stands held back by a full buffer while
        the driver waits for the module: see recovery.unstall."""
        if self.proto._held is not None and self.proto._sink is not None:
            from .recovery import unstall
            unstall(self)

    def _step(self):
        """After each wait: keep the byte stream moving, notice a reboot."""
        self._unstall()
        urcs = self.proto.urcs
        if urcs and (urcs[-1] is not self._urcs_tail
                     or len(urcs) != self._urcs_len):
            self._look_at_urcs()

    def _look_at_urcs(self):
        """The unclaimed events since last time: RDY means a reboot; a line
        nobody understands may be a mangled "recv" URC -- the module says
        that only once until its buffer is drained, so read to be sure."""
        urcs = self.proto.urcs
        rebooted = False
        garbled = False
        newest = None
        for i in range(len(urcs) - 1, -1, -1):
            e = urcs[i]
            if e is self._last_urc:
                break
            if newest is None and e.FIELDS:
                newest = e  # field-less events are shared objects
            t = e.kind
            if t is ev.Text:
                if e.line == "RDY":
                    rebooted = True
                else:
                    garbled = True
            elif t is ev.Info and (e.name == "QIURC" or "recv" in e.text):
                garbled = True
        if newest is not None:
            self._last_urc = newest
        self._urcs_tail = urcs[-1] if urcs else None
        self._urcs_len = len(urcs)
        if self.ip is None:  # not started (or starting): nothing to act on
            return
        if rebooted:
            from .recovery import module_restarted
            module_restarted(self)
        if garbled:
            for slot in self.proto.sockets:
                if slot.state != INITIAL and slot.access_mode == BUFFER:
                    slot.module_data = True

    def _expire(self):
        """Time out what is due; an unanswered command desynchronises."""
        proto = self.proto
        w = proto.wire
        proto.expire(self.now_ms())
        if w is not None and proto.wire is None and w.status == TIMED_OUT:
            self._desync = True

    def _is_ready(self):
        """Can a command go on the wire now, with no wait and no resync?"""
        return self.proto.wire is None and not self._desync

    # -- steppers: one look, True when done, else cmd.wait is set -------------

    def _advance(self, cmd):
        """Step any command record: data-mode sends have their own."""
        if cmd.prompt:
            return self._send_step(cmd)
        return self._cmd_step(cmd)

    def _cmd_step(self, cmd):
        """A command until its end (result URCs included)."""
        self._step()
        if not cmd.done:
            self._expire()
        if not cmd.done:
            cmd.wait = self.proto.deadline()
            return False
        if self.proto.wire is cmd:
            # finished by its result URC while its final result never came
            # (a mangled OK): that OK may still turn up
            self.proto.abandon()
            self._desync = True
        return True

    def _send_step(self, cmd):
        """A data-mode send: the payload goes at the '>' prompt."""
        if cmd.phase == 0:
            self._step()
            blind = False
            if cmd.status < PROMPTED:
                if not cmd.done and self.now_ms() >= cmd.deadline:
                    # Neither '>' nor a final result in time.  If the module
                    # said nothing (busy, or silent) or its last words are
                    # an unfinished fragment (a '>' mangled on the wire), it
                    # may be waiting in data mode for exactly these bytes,
                    # and only they end it: send them.  If it was not, it
                    # ignores them (silent) or SEND OK never comes and the
                    # counters are asked.  A complete line we could not read
                    # means a mangled result: the payload must not go.
                    blind = (self._rx_total == cmd.mark
                             or self._rx_last not in (10, 13))
                if not blind:
                    self._expire()
                    if cmd.done:
                        cmd.payload = None  # not the caller's data, held on
                        self._check(cmd)
                    cmd.wait = cmd.deadline
                    return False
            if cmd.status == PROMPTED or blind:
                self._write(cmd.payload)
                if self.proto.echomode and not blind:
                    # the module echoes the data back: skipped by count,
                    # never parsed (it may hold any reply or URC)
                    self.proto.tok.skip(len(cmd.payload) - cmd.variable)
                self.proto.data_written(cmd, self.now_ms())
            cmd.phase = 1
            cmd.payload = None
        return self._cmd_step(cmd)

    def _recv_step(self, r):
        """recv_into(): True when r.result is set."""
        proto = self.proto
        slot = proto.sockets[r.cid]
        cmd = r.reading
        if cmd is not None:  # an AT+QIRD on its way
            if not self._cmd_step(cmd):
                r.wait = cmd.wait
                return False
            r.reading = None
            got = r.got
            if proto._land is r.buf:  # this read landed in the caller's buffer
                got = proto.landed
                proto.land(0, None, 0)
            if slot.node_left and cmd.status == DONE:
                r.got = got  # a datagram goes on: read the rest (below)
            elif slot.node_left and got:
                # timed out inside a datagram: what came is kept, open, in
                # the socket's buffer; the next recv_into reads the rest
                self._keep_open(slot, r.buf, got)
                r.got = 0
                self._check(cmd)
            elif got:  # even if the read then timed out: these are the caller's
                r.result = got
                if r.got:
                    r.got = 0  # the datagram is the caller's now
                return True
            else:
                self._check(cmd)
        elif slot.rx is None or not slot.rx.count or (
                slot.udp and not slot.dgrams):
            # (with data at hand: not first, it would grow rx -- unless it
            # holds only part of a datagram, which must grow to take it)
            self._step()
        while True:
            rx = slot.rx
            if rx is not None and rx.count and not slot.udp:
                r.result = rx.readinto(r.buf, r.nbytes)
                if rx.count == 0 and rx.cap > slot.rx_capacity:
                    slot.rx = None  # grown while nobody read: shrink back
                    slot.set_mode(slot.access_mode)
                if proto._pending or proto._held is not None:
                    proto.resume(self.now_ms())
                return True
            if rx is not None and rx.count and self._dgram_into(slot, r):
                return True
            if slot.lost and not (slot.udp and proto._sink is slot):
                # (UDP: once the datagram the loss hit has ended -- its
                # rest is part of the loss, not a datagram of its own)
                lost = slot.lost
                slot.lost = 0
                raise OSError(ENOBUFS, "%d pushed bytes lost: the receive "
                              "buffer was full (raise rx_limit)" % lost)
            if slot.module_data and slot.access_mode == BUFFER:
                if not self._is_ready():
                    r.need_ready = True
                    return False
                if proto._land is not None:
                    # another task's read landed and is not collected yet
                    # (bc26.aio): wait until it is, or its bytes would go
                    if r.deadline is not None and self.now_ms() >= r.deadline:
                        raise OSError(EAGAIN, "no data") if r.timeout_ms == 0 \
                            else timed_out()
                    r.wait = r.deadline
                    return False
                r.reading = self._read_begin(slot, r.buf, r.nbytes, r.got)
                r.wait = r.reading.deadline
                return False
            if slot.restarted:
                raise _restarted()
            if slot.at_eof or slot.state == INITIAL:
                r.result = 0
                return True
            now = self.now_ms()
            if r.deadline is not None and now >= r.deadline and r.looked:
                if self._may_reconcile(slot, now, r.timeout_ms):
                    continue
                if r.timeout_ms == 0:
                    raise OSError(EAGAIN, "no data")
                raise timed_out()
            if self._desync and not self._resyncing and r.timeout_ms != 0 \
                    and not r.looked:
                # an answer was lost, so the socket table may be stale (a
                # close it said): resync, which reconciles, before waiting
                # on it -- once per call, and not for a poll
                r.looked = True
                r.need_ready = True
                return False
            r.looked = True
            r.wait = r.deadline
            return False

    def _dgram_into(self, slot, r):
        """UDP: the oldest whole datagram kept, into r.buf -- cut to its
        size like a BSD socket, the rest of that datagram dropped."""
        proto = self.proto
        size = slot.next_dgram(proto._sink is slot or slot.arriving)
        if not size:
            return False  # still arriving
        rx = slot.rx
        r.result = rx.readinto(r.buf, size if size < r.nbytes else r.nbytes)
        rx.skip(size - r.result)
        if rx.count == 0 and rx.cap > slot.rx_capacity and proto._sink is not slot:
            slot.rx = None  # grown for a long datagram: shrink back
            slot.set_mode(slot.access_mode)
        if proto._pending or proto._held is not None:
            proto.resume(self.now_ms())
        return True

    # -- the data path's commands ---------------------------------------------

    def _recv_end(self, r):
        """recv_into() is left: drop the caller's buffer.  Left early (an
        exception, a cancelled task) while its read was on its way, what
        the read put there goes to the socket's buffer, and the rest of it
        follows there: the next recv_into() has it all."""
        proto = self.proto
        if r.reading is not None and proto._land is r.buf:
            slot = proto._land_slot
            got = proto.landed
            buf = proto._land
            proto.land(0, None, 0)
            if got:
                self._keep_open(slot, buf, got)
        elif r.got:  # left between two reads of one datagram
            self._keep_open(self.proto.sockets[r.cid], r.buf, r.got)
        if r.result:
            slot = proto.sockets[r.cid]
            if slot.fruitless_ms:
                slot.fruitless_ms = 0  # data came: the waiting starts anew
        if r.got:
            r.got = 0
        r.reading = None
        r.buf = None

    def _keep_open(self, slot, buf, n):
        """buf[0:n], read for a recv_into() that is gone, to the socket's
        buffer; UDP: as the first part of a datagram whose rest follows
        there (recorded whole when its node ends), or whole if it ended."""
        kept = slot.store().put(buf, 0, n)
        if slot.udp:
            slot.arriving += kept
            if self.proto._sink is not slot and not slot.node_left:
                slot.kept_dgram(slot.arriving)
                slot.arriving = 0

    def _send_begin(self, connect_id, payload, n):
        """Put AT+QISEND=<id>,<n> on the (ready) wire; the record steps on."""
        cmd = self._record()
        wire = self._own(cmd, self._lines.line(b"AT+QISEND=", connect_id, n))
        cmd.rearm(wire, "QISEND", connect_id, True, "send", self.reply_ms,
                  self.send_ms)
        cmd.payload = payload
        cmd.mark = self._rx_total
        self._write(self.proto.submit(cmd, self.now_ms()))
        return cmd

    def _small_begin(self, connect_id, data, n):
        """Put AT+QISENDEX=<id>,<n>,<hex> for a small send on the (ready)
        wire, its digits written into one line kept for it."""
        buf = self._hexline
        # "AT+QISENDEX=<id>," 14, <n> up to 3 digits, ",", the hex, CR
        if buf is None or len(buf) < 19 + 2 * n:
            size = n if n > self.small_send else self.small_send
            buf = self._hexline = bytearray(b"AT+QISENDEX=0," +
                                            bytes(5 + 2 * size))
        buf[12] = 48 + connect_id
        j = _put_digits(buf, 14, n)
        buf[j] = 44
        j += 1
        for i in range(n):  # (no range object is made on MicroPython)
            c = data[i]
            buf[j] = _HEX[c >> 4]
            buf[j + 1] = _HEX[c & 15]
            j += 2
        buf[j] = 13
        cmd = self._record()
        wire = memoryview(buf)[:j + 1]  # a line length of its own each time
        if cmd is not self._rec:
            wire = bytes(wire)
        cmd.rearm(wire, "QISENDEX", connect_id, False, "send", self.reply_ms,
                  self.send_ms)
        self._write(self.proto.submit(cmd, self.now_ms()))
        return cmd

    def _read_begin(self, slot, buf, nbytes, start=0):
        """AT+QIRD for a buffer-mode socket: straight into buf when it is
        big enough (UDP: always, at buf[start:]), else into the socket's
        receive buffer."""
        if slot.udp and slot.arriving:
            # the rest of a datagram begun in the socket's buffer goes there
            # (full: it grows, as for pushed data -- _unstall)
            n = C.MAX_READ
            slot.store()
        elif slot.udp:
            # as much as one read gives: what buf cannot hold is dropped
            n = C.MAX_READ
            self.proto.land(slot.connect_id, buf, nbytes, start)
        elif nbytes >= _LAND_MIN:
            n = nbytes
            self.proto.land(slot.connect_id, buf, nbytes)
        else:
            n = slot.store().free()
        if n > C.MAX_READ:
            n = C.MAX_READ
        cmd = self._record()
        wire = self._own(cmd, self._lines.line(b"AT+QIRD=", slot.connect_id, n))
        cmd.rearm(wire, "QIRD", slot.connect_id, False, None, self.reply_ms, 0)
        self._write(self.proto.submit(cmd, self.now_ms()))
        return cmd

    def _record(self):
        """The reused record, or a new one while the old is still held (an
        abandoned exchange the protocol may yet answer)."""
        if self._owed_error is not None:
            self._owed_error = None  # a data-path command goes out
        rec = self._rec
        proto = self.proto
        if not self._reuse_records or proto.wire is rec or rec in proto.awaiting:
            return Command(b"AT+QIRD=0,1\r", 0)  # rearmed by the caller
        return rec

    def _own(self, cmd, line):
        """The line as cmd keeps it: the shared buffer's view for the reused
        record, a copy for a stand-in (the buffer is written again)."""
        return line if cmd is self._rec else bytes(line)

    def _send_check(self, connect_id, data):
        """send()'s argument checks; returns the byte count."""
        slot = self.proto.sockets[_cid(connect_id)]
        if slot.restarted:
            raise _restarted()
        return data_length(data, slot.udp, self.proto.send_hex)

    def _send_done(self, cmd, n):
        """True if the send went out; else the shell runs _send_failed."""
        if cmd.status == DONE:
            self.proto.sockets[cmd.connect_id].sent += n
            return True
        return False

    def _recv_begin(self, connect_id, buf, nbytes, timeout_ms):
        """recv_into()'s checks, and its record set up (the modem's one, or
        a new one where calls overlap: bc26.aio)."""
        _cid(connect_id)
        buf = _writable(buf)
        size = len(buf)
        if not _is_int(nbytes):
            raise TypeError("nbytes must be an int")
        if nbytes < 0:
            raise ValueError("nbytes must be >= 0")
        if timeout_ms is not None:
            t = _seconds("timeout_ms", timeout_ms, True, 1000000000)
            timeout_ms = int(t)
            if timeout_ms < t:
                timeout_ms += 1  # 0.5 ms is a wait, not a poll
        if not nbytes or nbytes > size:
            nbytes = size
        r = self._recv if self._reuse_records else _Recv()
        r.cid = connect_id
        r.buf = buf
        r.nbytes = nbytes
        r.timeout_ms = timeout_ms
        r.deadline = None if timeout_ms is None else self.now_ms() + timeout_ms
        r.looked = False  # has the UART been read at least once?
        r.reading = None
        r.need_ready = False
        r.result = 0
        if r.got:
            r.got = 0
        return r

    # -- generators: waiting, resynchronising, whole commands -----------------

    def _wait(self, cond, timeout_ms):
        """Generator: wait until cond() holds; False on timeout."""
        deadline = None if timeout_ms is None else self.now_ms() + timeout_ms
        self._step()
        while not cond():
            if deadline is not None and self.now_ms() >= deadline:
                return False
            yield deadline
            self._step()
        return True

    def _ready(self, result=None, connect_id=-1):
        """Generator: wait for a free wire; resynchronise if need be.  With
        result (a command's result kind): also until no other command
        awaits a result of that kind, which the module's URC would not
        tell apart (bc26.aio: another task's SEND OK, say)."""
        proto = self.proto
        while True:
            # Until the wire is free (another task's resync owns it between
            # its probes): a command on it ends by its answer or at its own
            # deadline (_expire; unanswered, it desynchronises)
            self._step()
            while proto.wire is not None or self._resyncing:
                self._expire()
                if proto.wire is None and not self._resyncing:
                    break
                yield proto.deadline()
                self._step()
            if self._desync:
                yield from self._resync()
            if proto.owes(result, connect_id) is None:
                return
            # the other command's own deadline bounds this wait
            while proto.owes(result, connect_id) is not None:
                yield proto.deadline()
                self._expire()

    def _submit(self, cmd):
        """Generator: wait for a free wire, then write cmd."""
        yield from self._ready(cmd.result, cmd.connect_id)
        if self._owed_error is not None and cmd.name != "QIGETERROR":
            self._owed_error = None  # the module's last error is this one's
        self._write(self.proto.submit(cmd, self.now_ms()))

    def _resync(self):
        """Generator: make sure no late answer is taken for the next
        command's (recovery.resync)."""
        from .recovery import resync
        return resync(self)

    def _finish(self, cmd):
        """Generator: step cmd to its end."""
        while not self._advance(cmd):
            yield cmd.wait

    def _cmd(self, wire, connect_id=-1, result_ms=0, raise_error=True,
             reply_ms=0):
        """Generator: run one command to its end (result URCs included)."""
        cmd = Command(wire, connect_id, result_ms=result_ms,
                      reply_ms=reply_ms or self.reply_ms)
        yield from self._submit(cmd)
        yield from self._finish(cmd)
        if raise_error:
            self._check(cmd)
        return cmd

    def _check(self, cmd):
        if cmd.status == TIMED_OUT:
            raise timed_out("no answer to " + bytes(cmd.wire).decode().strip())
        if cmd.status == FAILED:
            raise ModemError(cmd.error if cmd.error is not None else -1)

    # -- bring-up ----------------------------------------------------------

    def _op_start(self, timeout=90, power=None):
        """Bring the module up and return its IP address: synchronise (AT),
        echo off, numeric errors, the data settings the driver relies on,
        SIM, network registration and the PDP address, within timeout
        seconds.  power: a bc26.power.Power, whose PWRKEY is pressed once
        when the module says nothing at all.  Raises NotReady."""
        # (bringup.py, loaded for the call)
        from . import bringup
        try:
            return (yield from bringup.start(self, timeout, power))
        finally:
            _drop("bringup")
            _drop("recovery")  # the boot's lost ATs resynchronise: common

    def _op_resolve(self, host):
        """The IPv4 addresses of host, as strings, by the module's DNS
        (AT+QIDNSGIP); an address literal is given back as it is.
        ModemError 565 when the name has none."""
        if isinstance(host, str) and _is_ipv4(host.encode()):
            return [host]
        cmd = yield from self._cmd(C.qidnsgip(host), result_ms=_DNS_TIMEOUT_MS)
        return [e.ip for e in cmd.results if e.kind is ev.DnsAddress]

    # -- sockets -------------------------------------------------------------

    def free_socket(self):
        """The lowest connect id (0-4) the driver knows to be free."""
        for s in self.proto.sockets:
            if s.state == INITIAL and not s.remote_closed:
                return s.connect_id
        raise OSError(23, "all five sockets are in use")  # ENFILE

    def _op_open_socket(self, connect_id, service, host, port, local_port=0,
                        access_mode=BUFFER, timeout=60, protocol_type=None):
        """Open a TCP or UDP socket on connect_id (0-4) to host (a name, an
        IPv4 or, with protocol_type 1, an IPv6 address as a string) and
        port; returns when the module reports it connected (+QIOPEN), or
        raises ModemError with its <err>.  local_port 0 lets the module
        pick; access_mode BUFFER (0: the module keeps received data until
        recv_into asks) or DIRECT_PUSH (1: it sends it at once); timeout in
        seconds.  An id already in use is refused (ModemError 563) and the
        socket on it is left as it was."""
        wire = C.qiopen(connect_id, service, host, port, local_port,
                        access_mode, 1, protocol_type)
        _seconds("timeout", timeout)
        slot = self.proto.sockets[connect_id]
        if slot.state != INITIAL or slot.remote_closed:
            self._owed_error = 563  # (last_error() says so, as the module would)
            raise ModemError(563)  # before any byte: the live one is kept
        slot.forget_sends()
        cmd = yield from self._cmd(wire, connect_id, int(timeout * 1000),
                                   raise_error=False)
        if cmd.status == DONE:
            return
        if cmd.error == 563:
            # a socket the driver did not know of (opened before it
            # started): learn it from the module, never close it
            yield from self._cmd(C.qistate(1, connect_id), raise_error=False)
            if slot.state == CONNECTING:  # no line about it came back
                slot.reset()
                self.proto._sync_push_mask()
        else:
            # manual: after a failed open, AT+QICLOSE frees the socket --
            # the id is not free until then (bc26.aio: another task's
            # open must not take it, or the clean-up would close that one)
            slot.state = CLOSING
            yield from self._cmd(C.qiclose(connect_id), connect_id,
                                 raise_error=False)
            slot.reset()
            self.proto._sync_push_mask()
        if cmd.error is not None and cmd.error > 0:
            self._owed_error = cmd.error  # the clean-up reset the module's
        self._check(cmd)

    def _op_close_socket(self, connect_id):
        """Close the socket on connect_id (AT+QICLOSE, until CLOSE OK);
        data not yet read is gone.  Without CLOSE OK in time the driver
        asks the module (AT+QISTATE=1,<id>): if the socket is gone the
        close is done, else it raises ETIMEDOUT and the id stays taken
        until a late CLOSE OK comes or it is closed again."""
        _cid(connect_id)
        cmd = yield from self._cmd(C.qiclose(connect_id), connect_id,
                                   raise_error=False)
        slot = self.proto.sockets[connect_id]
        slot.reset()  # (CLOSE OK did it already; ERROR: nothing was open)
        slot.forget_sends()
        if cmd.status == TIMED_OUT:
            slot.state = CLOSING  # not free until the module says so
            if self._desync:  # (the OK was lost too) resync: it reconciles
                yield from self._ready()
            else:
                from .reconcile import reconcile
                yield from reconcile(self, connect_id)
        self.proto._sync_push_mask()
        if slot.state != INITIAL:
            self._check(cmd)

    def _op_set_access_mode(self, connect_id, mode):
        """Switch an open socket between BUFFER (0) and DIRECT_PUSH (1)
        (AT+QISWTMD)."""
        yield from self._cmd(C.qiswtmd(connect_id, mode))

    def _op_counters(self, connect_id):
        """(sent, acked, unacked): the bytes the module sent on the
        socket, those the peer acknowledged and those not yet
        (AT+QISEND=<id>,0)."""
        cmd = yield from self._cmd(C.qisend_query(connect_id))
        for e in cmd.lines:
            if e.kind is ev.SendCounters:
                return (e.sent, e.acked, e.nacked)
        return (0, 0, 0)

    def _op_send(self, connect_id, data):
        """Send all of data (any bytes); returns len(data).  Up to
        small_send bytes go in one line (AT+QISENDEX), more in data mode,
        1460 bytes (730 in hex send format) per exchange; on a UDP socket
        one send is one datagram, and one larger than that is refused
        (OSError EMSGSIZE).  SEND FAIL raises ModemError."""
        # (the asyncio shell, and the blocking one for what its fast path
        # does not take: hex format, long data)
        total = self._send_check(connect_id, data)
        mv = memoryview(data)
        hexmode = self.proto.send_hex
        limit = C.MAX_HEX_DATA_MODE if hexmode else C.MAX_DATA_MODE
        off = 0
        while off < total:
            chunk = mv[off:off + limit]
            n = len(chunk)
            yield from self._ready("send", connect_id)
            if hexmode:
                C.qisend_fixed(connect_id, n, True)  # the checks
                chunk = C.hex_payload(chunk)
            if n <= self.small_send and not hexmode:
                cmd = self._small_begin(connect_id, chunk, n)
            else:
                cmd = self._send_begin(connect_id, chunk, n)
            yield from self._finish(cmd)
            if not self._send_done(cmd, n):
                yield from self._send_failed(cmd, n)
            off += n
        return total

    def _send_failed(self, cmd, n):
        """Generator: a send that did not end in SEND OK (recovery)."""
        from .recovery import send_failed
        return send_failed(self, cmd, n)

    def _op_recv_into(self, connect_id, buf, nbytes=0, timeout_ms=None):
        """Fill buf with what has arrived (at most nbytes; 0: len(buf));
        returns the count, 0 at end of stream.  On a UDP socket: one
        datagram, cut to the buffer.  OSError ETIMEDOUT after timeout_ms
        (None: wait forever), EAGAIN with 0 and nothing there."""
        # (the asyncio shell; the blocking one steps directly)
        r = self._recv_begin(connect_id, buf, nbytes, timeout_ms)
        try:
            while not self._recv_step(r):
                if r.need_ready:
                    r.need_ready = False
                    yield from self._ready()
                else:
                    yield r.wait
            return r.result
        finally:
            self._recv_end(r)


    def _may_reconcile(self, slot, now, waited):
        """recv_into() found nothing after waiting waited ms.  After a
        second of that since data last came -- one long wait, or short ones
        adding up (a non-blocking poll counts as 100 ms) -- ask the module
        for buffered data in case a "recv" URC was lost (it says that only
        once until drained): at most every 30 s, so an idle application
        still causes (almost) no AT traffic."""
        if slot.access_mode != BUFFER:
            return False
        waited = slot.fruitless_ms + (waited if waited > 100 else 100)
        if waited < 1000:
            slot.fruitless_ms = waited
            return False
        last = slot.reconciled_ms
        if last is not None and now - last < 30000:
            return False
        slot.reconciled_ms = now
        if slot.fruitless_ms:
            slot.fruitless_ms = 0
        slot.module_data = True
        return True

# The services' names (services.OPS), as one string: on a board a str
# constant is not an interned name each (RAM), and this is all
# Operations.__getattr__ needs to know before it loads them.
SERVICE_NAMES = (" set_dns get_dns ping ntp sockets socket_state last_error "
                 "configure command send_text send_hex send_variable ")

# The public operations; each shell turns _op_<name> into a method <name>.
# The blocking shell has its own send and recv_into (the data path).
API = ("start", "resolve", "set_access_mode", "open_socket", "close_socket",
       "send", "counters", "recv_into")


def bind_api(cls, wrap, skip=()):
    """Give cls a public method per API name: wrap(op) makes it.  The
    services (services.OPS) are methods too on CPython, with the real
    signatures (bc26.host.signatures); a board loads them on first use
    instead (Operations.__getattr__), so one that needs only sockets
    carries only sockets."""
    cls._wrap = staticmethod(wrap)
    for name in API:
        if name not in skip:
            setattr(cls, name, wrap(getattr(Operations, "_op_" + name)))
    if not _ON_BOARD:
        from .host.signatures import document
        document(cls, wrap, API, skip)
    return cls
