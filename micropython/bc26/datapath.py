"""The data path: send, recv_into and the AT+QISEND / AT+QIRD exchanges
under them, in both access modes, as *steppers*: plain methods that look at
the state once and return True when done, else leave the deadline to wait
until in a reused record (``.wait``).  A shell loops ``while not
step(rec): wait(rec.wait)``.  No generator, closure or Command is made per
call, and in steady state nothing is allocated (BENCHMARKS.md).

DataPath is a part of Operations (operations.py), which has the rest: the
URCs, the generators of the rarer operations, the public API.
"""

from . import commands as C
from .checks import _cid, _is_int, _seconds, MAX_WAIT_S
from .command import Command, DONE, PROMPTED, const
from .errors import EAGAIN, ENOBUFS, EMSGSIZE, timed_out, _restarted
from .state import BUFFER, INITIAL

_LAND_MIN = const(64)  # recv_into() buffers this big take an AT+QIRD in place
_HEX = b"0123456789abcdef"


# CPython's memoryview has .readonly (and .itemsize ...); MicroPython's not
_VIEWS_TELL = hasattr(memoryview(b""), "readonly")


def data_length(data, udp, hex_send=0):
    """send()'s checks of data, and its byte count: a buffer of bytes; on
    UDP (udp true) no more than one send carries (hex_send: the module's
    send dataformat), since one send is one datagram and is never split.
    Also for the sockets' sendto(), which checks before it opens one."""
    t = type(data)
    if t is not bytes and t is not bytearray:
        if t is str:  # MicroPython views a str as its UTF-8 bytes: refused
            raise TypeError("data must be bytes, not str (encode it)")
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


class DataPath:
    """The steppers of the data path (see the module docstring); mixed into
    Operations, whose state they use."""

    # -- steppers: one look, True when done, else cmd.wait is set -------------

    def _advance(self, cmd):
        """Step any command record.  A data-mode send (cmd.prompt) first
        has its payload go at the '>' prompt."""
        if cmd.prompt and cmd.phase == 0:
            self._step()
            blind = False
            if cmd.status < PROMPTED:  # (so not done either)
                if self.now_ms() >= cmd.deadline:
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
                    if cmd.status >= DONE:  # (cmd.done, without a call)
                        cmd.payload = None  # not the caller's data, held on
                        self._check(cmd)
                    cmd.wait = cmd.deadline
                    return False
            written = cmd.status == PROMPTED or blind
            if written:
                self._write(cmd.payload)
                if self.proto.echomode and not blind:
                    # the module echoes the data back: skipped by count,
                    # never parsed (it may hold any reply or URC)
                    self.proto.tok.skip(len(cmd.payload) - cmd.variable)
                self.proto.data_written(cmd, self.now_ms())
            cmd.phase = 1
            cmd.payload = None
            if written:  # its answer cannot be here yet: no look until a read
                cmd.wait = self.proto.deadline()
                return False
        return self._cmd_step(cmd)

    def _cmd_step(self, cmd):
        """A command until its end (result URCs included)."""
        self._step()
        if cmd.status < DONE:  # not cmd.done, without a call
            self._expire()
            if cmd.status < DONE:
                cmd.wait = self.proto.deadline()
                return False
        if self.proto.wire is cmd:
            # finished by its result URC while its final result never came
            # (a mangled OK): that OK may still turn up
            self.proto.abandon()
            self._desync = True
        return True

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
            if not r.looked:
                r.looked = True
                if self._desync and not self._resyncing and r.timeout_ms != 0:
                    # an answer was lost, so the socket table may be stale
                    # (a close it said): resync, which reconciles, before
                    # waiting on it -- once per call, and not for a poll
                    r.need_ready = True
                    return False
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
            proto.land(0, None, 0)
            if got:
                self._keep_open(slot, r.buf, got)
        elif r.got:  # left between two reads of one datagram
            self._keep_open(proto.sockets[r.cid], r.buf, r.got)
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
        if slot.udp:
            # as much as one read gives
            n = C.MAX_READ
            if slot.arriving:
                # the rest of a datagram begun in the socket's buffer goes
                # there (full: it grows, as for pushed data -- _unstall)
                slot.store()
            else:  # what buf cannot hold is dropped
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
        # The buffer, as the data path takes it: a bytearray, or a writable
        # 1-D contiguous memoryview of bytes (another writable byte buffer,
        # array('B') say, is viewed as one).  Anything else is refused
        # before any byte goes out: no buffer, read-only, or items of more
        # than a byte (their count is not a byte count).  MicroPython's
        # memoryview tells none of that: there a write of its first byte
        # onto itself tells read-only memory (TypeError, nothing
        # allocated), and items wider than a byte cannot be told.
        t = type(buf)
        if t is not bytearray:
            if t is bytes or t is str:
                raise TypeError("the buffer must be writable (bytearray, "
                                "memoryview)")
            if t is not memoryview:
                buf = memoryview(buf)  # TypeError: no buffer
            if getattr(buf, "readonly", False) or \
                    getattr(buf, "itemsize", 1) != 1 or \
                    getattr(buf, "ndim", 1) != 1 or \
                    not getattr(buf, "contiguous", True):
                raise TypeError("the buffer must be writable, of bytes, in "
                                "one piece (bytearray, memoryview)")
            if not _VIEWS_TELL and len(buf):
                buf[0] = buf[0]
        size = len(buf)
        if not _is_int(nbytes):
            raise TypeError("nbytes must be an int")
        if nbytes < 0:
            raise ValueError("nbytes must be >= 0")
        if timeout_ms is not None:
            t = _seconds("timeout_ms", timeout_ms, True, MAX_WAIT_S * 1000)
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
