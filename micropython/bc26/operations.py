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
from .state import Protocol, BUFFER, INITIAL
from .rxbuf import RxBuffer

try:
    import errno
    ETIMEDOUT = errno.ETIMEDOUT
    EAGAIN = errno.EAGAIN
    ECONNRESET = errno.ECONNRESET
    ENOBUFS = errno.ENOBUFS
except (ImportError, AttributeError):
    ETIMEDOUT = 110
    EAGAIN = 11
    ECONNRESET = 104
    ENOBUFS = 105

_DNS_TIMEOUT_MS = 60000
PROBE = b"AT+CMEE?\r"  # commands.cmee_read(): the resynchronising probe
_LAND_MIN = 64  # recv_into() buffers this big take an AT+QIRD in place


try:
    from sys import implementation as _impl, modules as _modules
    _ON_BOARD = _impl.name != "cpython"
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


def _seconds(name, value, zero=False):
    """A duration in seconds: a number > 0 (>= 0 with zero=True)."""
    if not (_is_int(value) or isinstance(value, float)):
        raise TypeError("%s must be a number of seconds" % name)
    if not (value > 0 or (zero and value == 0)):  # NaN fails both
        raise ValueError("%s must be %s 0" % (name, ">=" if zero else ">"))
    return value


def _writable(buf):
    """A buffer recv may write into: never bytes or str."""
    t = type(buf)
    if t is bytes or t is str or (
            t is memoryview and getattr(buf, "readonly", False)):
        raise TypeError("the buffer must be writable (bytearray, memoryview)")
    return len(buf)


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
        """A direct-push socket's receive buffer is full and the byte stream
        stands still behind its payload, while the driver waits for the
        module (the reply may be queued behind it).  The module pushes with
        no flow control: let the buffer grow, up to rx_limit; past that the
        payload is counted lost (recv_into() reports it) and the stream
        goes on."""
        proto = self.proto
        if proto._held is None:  # no payload held back by a full buffer
            return
        slot = proto._sink
        if slot is None:
            return
        rx = slot.rx
        if rx is not None and rx.cap < self.rx_limit:
            bigger = RxBuffer(min(rx.cap * 2, self.rx_limit))
            bigger.write(rx.peek())
            slot.rx = bigger
        else:
            proto.drop_held()
        proto.resume(self.now_ms())

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
        if self.ip is None:
            return
        if rebooted:
            self._rebooted()
        if garbled:
            for slot in self.proto.sockets:
                if slot.state != INITIAL and slot.access_mode == BUFFER:
                    slot.module_data = True

    def _rebooted(self):
        """RDY after start(): the module restarted.  Its sockets, buffers
        and half-done commands are gone; so is everything owed by it."""
        proto = self.proto
        open_ones = [s for s in proto.sockets if s.state != INITIAL]
        proto.reset_after_reboot()
        for s in open_ones:
            s.restarted = True  # told to the socket's next call
        proto.abandon(FAILED, 550)
        self._desync = False
        self._probes = 0
        self.ip = None
        raise _restarted()

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
            got = 0
            if proto._land is r.buf:  # this read landed in the caller's buffer
                got = proto.landed
                proto.land(0, None, 0)
            if got:  # even if the read then timed out: these are the caller's
                r.result = got
                return True
            self._check(cmd)
        elif slot.rx is None or not slot.rx.count:
            self._step()  # (with data at hand: not first, it would grow rx)
        while True:
            rx = slot.rx
            if rx is not None and rx.count:
                r.result = rx.readinto(r.buf, r.nbytes)
                if rx.count == 0 and rx.cap > slot.rx_capacity:
                    slot.rx = None  # grown while nobody read: shrink back
                    slot.set_mode(slot.access_mode)
                if proto._pending or proto._held is not None:
                    proto.resume(self.now_ms())
                return True
            if slot.lost:
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
                r.reading = self._read_begin(slot, r.buf, r.nbytes)
                r.wait = r.reading.deadline
                return False
            if slot.restarted:
                raise _restarted()
            if slot.at_eof or slot.state == INITIAL:
                r.result = 0
                return True
            now = self.now_ms()
            if r.deadline is not None and now >= r.deadline and r.looked:
                if r.timeout_ms >= 1000 and self._may_reconcile(slot, now):
                    continue
                if r.timeout_ms == 0:
                    raise OSError(EAGAIN, "no data")
                raise timed_out()
            r.looked = True
            r.wait = r.deadline
            return False

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
                slot.store().put(buf, 0, got)
        r.reading = None
        r.buf = None

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

    def _read_begin(self, slot, buf, nbytes):
        """AT+QIRD for a buffer-mode socket: straight into buf when it is
        big enough, else into the socket's receive buffer."""
        if nbytes >= _LAND_MIN:
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
        if self.proto.sockets[_cid(connect_id)].restarted:
            raise _restarted()
        t = type(data)
        if t is not bytes and t is not bytearray and t is not memoryview:
            data = memoryview(data)  # TypeError for what is no buffer
        return len(data)

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
        size = _writable(buf)
        if not _is_int(nbytes):
            raise TypeError("nbytes must be an int")
        if nbytes < 0:
            raise ValueError("nbytes must be >= 0")
        if timeout_ms is not None:
            t = _seconds("timeout_ms", timeout_ms, zero=True)
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
        self._write(self.proto.submit(cmd, self.now_ms()))

    def _resync(self):
        """A command went unanswered, so its reply may still be on its way,
        and the next command must not take it for its own (all OKs look
        alike).  Ask something only one answer contains: AT+CMEE? says
        +CMEE: <n> before its final result, and the probe takes no final
        result before such a line (Command.needs_line): the ones before it
        are owed by earlier commands.  The module answers in order, so once
        the probe's answer is in, nothing older can come."""
        self._resyncing = True
        try:
            yield from self._resync_probes()
        finally:
            self._resyncing = False

    def _resync_probes(self):
        proto = self.proto
        probe = self._probe()
        self._write(proto.submit(probe, self.now_ms()))
        self._probes += 1
        answered = False
        while True:
            yield from self._finish(probe)
            if probe.status == TIMED_OUT:
                if answered:
                    break  # the older probes were never heard (a mute module)
                raise timed_out("no answer from the module")
            answered = True
            self._probes -= 1
            if self._probes <= 0:
                break
            # an older probe's answer, late: wait for the newer one too,
            # writing nothing (it is still on its way through the module)
            probe = self._probe()
            proto.submit(probe, self.now_ms())
        if proto.wire is probe:
            proto.abandon()
        self._probes = 0
        self._desync = False

    def _probe(self):
        probe = Command(PROBE, reply_ms=self.reply_ms)
        probe.needs_line = True
        return probe

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
        """Synchronise, echo off, numeric errors, SIM, registration, IP
        (bringup.py, loaded for the call); power: see bringup.start."""
        from . import bringup
        try:
            return (yield from bringup.start(self, timeout, power))
        finally:
            _drop("bringup")

    def _op_resolve(self, host):
        if isinstance(host, str) and _is_ipv4(host.encode()):
            return [host]
        cmd = yield from self._cmd(C.qidnsgip(host), result_ms=_DNS_TIMEOUT_MS)
        return [e.ip for e in cmd.results if e.kind is ev.DnsAddress]

    # -- sockets -------------------------------------------------------------

    def free_socket(self):
        for s in self.proto.sockets:
            if s.state == INITIAL and not s.remote_closed:
                return s.connect_id
        raise OSError(23, "all five sockets are in use")  # ENFILE

    def _op_open_socket(self, connect_id, service, host, port, local_port=0,
                        access_mode=BUFFER, timeout=60):
        wire = C.qiopen(connect_id, service, host, port, local_port, access_mode)
        _seconds("timeout", timeout)
        self.proto.sockets[connect_id].forget_sends()
        cmd = yield from self._cmd(wire, connect_id, int(timeout * 1000),
                                   raise_error=False)
        if cmd.status != DONE:
            # manual: after a failed open, AT+QICLOSE frees the socket
            yield from self._cmd(C.qiclose(connect_id), connect_id,
                                 raise_error=False)
            self._check(cmd)

    def _op_close_socket(self, connect_id):
        _cid(connect_id)
        cmd = yield from self._cmd(C.qiclose(connect_id), connect_id,
                                   raise_error=False)
        slot = self.proto.sockets[connect_id]
        slot.reset()
        slot.forget_sends()
        self.proto._sync_push_mask()
        if cmd.status == TIMED_OUT:
            self._check(cmd)

    def _op_set_access_mode(self, connect_id, mode):
        yield from self._cmd(C.qiswtmd(connect_id, mode))

    def _op_counters(self, connect_id):
        cmd = yield from self._cmd(C.qisend_query(connect_id))
        for e in cmd.lines:
            if e.kind is ev.SendCounters:
                return (e.sent, e.acked, e.nacked)
        return (0, 0, 0)

    def _op_send(self, connect_id, data):
        """Generator: send all of data, binary-safe, one data-mode
        exchange per chunk (the asyncio shell, and the blocking one for
        what its fast path does not take: hex format, long data)."""
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
            cmd = self._send_begin(connect_id, chunk, n)
            yield from self._finish(cmd)
            if not self._send_done(cmd, n):
                yield from self._send_failed(cmd, n)
            off += n
        return total

    def _send_failed(self, cmd, n):
        """Generator: the send did not end in SEND OK.  A lost SEND OK (or
        the OK before it) is reconciled with the module's own <sent>
        counter; anything else raises."""
        cid = cmd.connect_id
        if cmd.status == TIMED_OUT:
            try:
                sent = (yield from self._op_counters(cid))[0]
            except OSError:
                self._check(cmd)
            slot = self.proto.sockets[cid]
            before = slot.sent
            slot.sent = sent
            if sent >= before + n:
                return
            self._check(cmd)
        for e in cmd.results:
            if e.kind is ev.SendFail:
                raise ModemError(-1, "SEND FAIL: nothing was sent")
        self._check(cmd)

    def _op_recv_into(self, connect_id, buf, nbytes=0, timeout_ms=None):
        """Generator: fill buf with what has arrived; 0 at EOF; raise on
        timeout (the asyncio shell; the blocking one steps directly)."""
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

    def _may_reconcile(self, slot, now):
        """After a long fruitless wait, ask the module for buffered data in
        case a "recv" URC was lost -- at most every 30 s, so an idle
        application still causes (almost) no AT traffic."""
        if slot.access_mode != BUFFER:
            return False
        last = slot.reconciled_ms
        if last is not None and now - last < 30000:
            return False
        slot.reconciled_ms = now
        slot.module_data = True
        return True


# The public operations; each shell turns _op_<name> into a method <name>.
# The blocking shell has its own send and recv_into (the data path).
API = ("start", "resolve", "set_access_mode", "open_socket", "close_socket",
       "send", "counters", "recv_into")

# Loaded on first use from services.py: a board that needs only sockets
# carries only sockets.
SERVICES = ("set_dns", "get_dns", "ping", "ntp", "sockets", "last_error",
            "configure", "command")


def _service(name):
    def op(self, *args, **kw):
        from .services import OPS
        return OPS[name](self, *args, **kw)
    return op


def bind_api(cls, wrap, skip=()):
    """Give cls a public method per API name: wrap(op) makes it."""
    for name in API:
        if name not in skip:
            setattr(cls, name, wrap(getattr(Operations, "_op_" + name)))
    for name in SERVICES:
        setattr(cls, name, wrap(_service(name)))
    return cls
