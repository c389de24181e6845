"""Every driver operation, written once as a generator over the sans-I/O core.

An operation yields whenever it has to wait for the module (the value is
its deadline in ms, or None); a shell resumes it after feeding the UART's
bytes into the protocol.  The blocking Modem (modem.py) and the asyncio
Modem (aio.py) are two such shells: the logic lives only here.
"""

from . import commands as C
from . import events as ev
from .checks import _is_ipv4
from .command import Command, DONE, FAILED, TIMED_OUT, PROMPTED
from .errors import ModemError
from .state import Protocol, BUFFER, INITIAL

try:
    import errno
    ETIMEDOUT = errno.ETIMEDOUT
    EAGAIN = errno.EAGAIN
    ECONNRESET = errno.ECONNRESET
except (ImportError, AttributeError):
    ETIMEDOUT = 110
    EAGAIN = 11
    ECONNRESET = 104

_DNS_TIMEOUT_MS = 60000


def timed_out(what="timed out"):
    return OSError(ETIMEDOUT, what)


class NotReady(OSError):
    """The module cannot serve yet: no answer, no SIM, not registered --
    or it restarted (errno ECONNRESET): call start() again."""


def _restarted():
    return NotReady(ECONNRESET, "the module restarted: call start() again")


class PingResult:
    """AT+QPING's outcome: .replies [(ip, size, time_ms, ttl)] and the
    summary fields .sent .received .lost .min .max .avg."""

    def __init__(self, replies, summary):
        self.replies = [(r.ip, r.size, r.time, r.ttl) for r in replies
                        if r.result == 0]
        self.failed = [r.result for r in replies if r.result != 0]
        self.sent = summary.sent
        self.received = summary.received
        self.lost = summary.lost
        self.min = summary.min
        self.max = summary.max
        self.avg = summary.avg

    def __repr__(self):
        return "PingResult(%d/%d received, min %s max %s avg %s ms)" % (
            self.received, self.sent, self.min, self.max, self.avg)


def _cid(connect_id):
    """A <connectID>: 0-4 (it also indexes the driver's socket tables)."""
    if isinstance(connect_id, bool) or not isinstance(connect_id, int):
        raise TypeError("connect_id must be an int")
    if not 0 <= connect_id <= 4:
        raise ValueError("connect_id must be 0-4, got %d" % connect_id)
    return connect_id


def _seconds(name, value, zero=False):
    """A duration in seconds: a number > 0 (>= 0 with zero=True)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("%s must be a number of seconds" % name)
    if not (value > 0 or (zero and value == 0)):  # NaN fails both
        raise ValueError("%s must be %s 0" % (name, ">=" if zero else ">"))
    return value


def _writable(buf):
    """A buffer recv may write into: never bytes or str."""
    if isinstance(buf, (bytes, str)) or (
            isinstance(buf, memoryview) and getattr(buf, "readonly", False)):
        raise TypeError("the buffer must be writable (bytearray, memoryview)")
    return len(buf)


class Operations:
    """The operations of the public API as generators (see module doc).

    A shell provides self.proto, self.now_ms() and self._write(bytes), and
    counts what it feeds the protocol in self._rx_total / self._rx_last."""

    reply_ms = 2000  # the manual says 300 ms; real modules are slower at times
    send_ms = 10000  # from the payload to SEND OK

    def _init_ops(self, tokenizer, rx_capacity):
        self.proto = Protocol(tokenizer, rx_capacity)
        self.ip = None
        # direct push has no flow control: what a full rx ring cannot take
        # while the driver waits for a reply moves here (see _unstall)
        self._spill = [None] * 5
        self._sent = [0] * 5      # the module's <sent> counter, as confirmed
        self._lost = [False] * 5  # the module restarted under the socket
        self._desync = False      # a command went unanswered (see _resync)
        self._probes = 0          # resync probes whose answers are owed
        self._last_urc = None     # the newest distinct URC looked at
        self._urcs_tail = None    # the URC list's last entry and length
        self._urcs_len = 0        # when last looked at
        self._rx_total = 0        # bytes fed to the protocol (by the shell)
        self._rx_last = -1        # the last of them

    # -- command plumbing --------------------------------------------------

    def _unstall(self):
        """A socket's rx ring is full and the byte stream stands still
        behind its payload: the reply being waited for (or another socket's
        data) may be queued behind it.  The module pushes without flow
        control, so the bytes must go somewhere: move the ring's contents to
        the socket's spill buffer (recv reads it first) and go on."""
        proto = self.proto
        if not proto._stalled:
            return
        slot = proto._sink
        if slot is None or slot.rx is None or not slot.rx.count:
            return
        spill = self._spill[slot.connect_id]
        if spill is None:
            spill = self._spill[slot.connect_id] = bytearray()
        chunk = bytearray(slot.rx.count)
        slot.rx.readinto(chunk)
        spill.extend(chunk)
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
            t = type(e)
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
        for s in proto.sockets:
            if s.state != INITIAL:
                self._lost[s.connect_id] = True
            self._spill[s.connect_id] = None
        proto.reset_after_reboot()
        proto.abandon()
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

    def _submit(self, cmd):
        """Generator: wait for a free wire, then write cmd."""
        proto = self.proto
        ok = yield from self._wait(lambda: proto.wire is None, self.reply_ms * 4)
        if not ok:
            proto.abandon()
            self._desync = True
        if self._desync:
            yield from self._resync()
        self._write(proto.submit(cmd, self.now_ms()))

    def _resync(self):
        """A command went unanswered, so its reply may still be on its way,
        and the next command must not take it for its own (all OKs look
        alike).  Ask something only one answer contains: AT+CMEE? says
        +CMEE: <n> before its final result, and the probe takes no final
        result before such a line (Command.needs_line): the ones before it
        are owed by earlier commands.  The module answers in order, so once
        the probe's answer is in, nothing older can come."""
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
        probe = Command(C.cmee_read(), reply_ms=self.reply_ms)
        probe.needs_line = True
        return probe

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

    def _finish(self, cmd):
        proto = self.proto
        while not cmd.done:
            self._step()
            if cmd.done:
                break
            self._expire()
            if cmd.done:
                break
            yield proto.deadline()
        if proto.wire is cmd:
            # finished by its result URC while its final result never came
            # (a mangled OK): that OK may still turn up
            proto.abandon()
            self._desync = True

    def _check(self, cmd):
        if cmd.status == TIMED_OUT:
            raise timed_out("no answer to " + cmd.wire.decode().strip())
        if cmd.status == FAILED:
            raise ModemError(cmd.error if cmd.error is not None else -1)

    # -- bring-up ----------------------------------------------------------

    def _op_start(self, timeout=90):
        """Synchronise, echo off, numeric errors, SIM, registration, IP."""
        _seconds("timeout", timeout)
        proto = self.proto
        end = self.now_ms() + int(timeout * 1000)
        self.ip = None  # from here on an RDY is part of the bring-up
        self._desync = False
        self._probes = 0
        if proto.wire is not None:
            proto.abandon()
        while True:  # AT until OK, through boot junk and echo
            cmd = Command(C.at(), reply_ms=500)
            self._write(proto.submit(cmd, self.now_ms()))
            yield from self._finish(cmd)
            if cmd.status == DONE:
                break
            if self.now_ms() >= end:
                raise NotReady(ETIMEDOUT, "no answer from the module")
        # an AT that timed out may be answered late: if one did, the next
        # command resynchronises first (_resync)
        yield from self._cmd(C.ate(0))
        yield from self._cmd(C.cmee(1))
        cmd = yield from self._cmd(C.cpin_read(), raise_error=False)
        text = cmd.lines[-1].text if cmd.lines else ""
        if cmd.status != DONE or "READY" not in text:
            raise NotReady(19, "SIM not ready: %s" % (text or cmd.error))
        yield from self._op_sync_config()
        while proto.ip is None:
            cmd = yield from self._cmd(C.cgpaddr(1), raise_error=False)
            if proto.ip:
                break
            if self.now_ms() >= end:
                raise NotReady(ETIMEDOUT, "not registered to the network")
            yield from self._wait(lambda: proto.ip is not None, 1000)
        self._look_at_urcs()  # all seen: RDY and junk of the bring-up
        self.ip = proto.ip
        return self.ip

    def _op_sync_config(self):
        """QICFG layouts persist in NVRAM: set the ones the driver reads by."""
        yield from self._cmd(C.qicfg_dataformat(0, 0))
        yield from self._cmd(C.qicfg_viewmode(0))
        yield from self._cmd(C.qicfg_showlength(1))
        # echomode exists only from BC26NxR01A07 on: older firmware says ERROR
        yield from self._cmd(C.qicfg_echomode(0), raise_error=False)

    # -- services ------------------------------------------------------------

    def _op_resolve(self, host):
        if isinstance(host, str) and _is_ipv4(host.encode()):
            return [host]
        cmd = yield from self._cmd(C.qidnsgip(host), result_ms=_DNS_TIMEOUT_MS)
        return [e.ip for e in cmd.results if type(e) is ev.DnsAddress]

    def _op_set_dns(self, primary, secondary=None):
        yield from self._cmd(C.qidnscfg(primary, secondary))

    def _op_get_dns(self):
        cmd = yield from self._cmd(C.qidnscfg())
        for e in cmd.lines:
            if type(e) is ev.DnsConfig:
                return (e.primary, e.secondary)
        return (None, None)

    def _op_ping(self, host, timeout=4, count=4, size=32):
        wire = C.qping(host, timeout, count, size)
        cmd = yield from self._cmd(wire, result_ms=(timeout * count + 10) * 1000)
        replies = [e for e in cmd.results if type(e) is ev.PingReply]
        return PingResult(replies, cmd.results[-1])

    def _op_ntp(self, server, set_clock=False, port=None):
        if not (set_clock is True or set_clock is False or (
                type(set_clock) is int and (set_clock == 0 or set_clock == 1))):
            raise TypeError("set_clock must be True or False")
        wire = C.qntp(server, port, 1 if set_clock else None)
        cmd = yield from self._cmd(wire)
        return cmd.results[-1].time

    def _op_sockets(self):
        cmd = yield from self._cmd(C.qistate_read())
        return [e for e in cmd.lines if type(e) is ev.SocketState]

    def _op_last_error(self):
        cmd = yield from self._cmd(C.qigeterror())
        for e in cmd.lines:
            if type(e) is ev.LastError:
                return (e.code, e.text)
        return (0, "")

    def _op_configure(self, dataformat=None, viewmode=None, showlength=None,
                      echomode=None):
        wires = []  # all checked before the first is sent
        if dataformat is not None:
            if not isinstance(dataformat, (tuple, list)):
                raise TypeError("dataformat must be (send_hex, recv_hex)")
            if len(dataformat) != 2:
                raise ValueError("dataformat must be (send_hex, recv_hex)")
            wires.append(C.qicfg_dataformat(dataformat[0], dataformat[1]))
        if viewmode is not None:
            wires.append(C.qicfg_viewmode(viewmode))
        if showlength is not None:
            wires.append(C.qicfg_showlength(showlength))
        if echomode is not None:
            wires.append(C.qicfg_echomode(echomode))
        for wire in wires:
            yield from self._cmd(wire)

    def _op_command(self, wire, result_ms=0):
        """Any encoder's bytes: returns the Command (lines, results).
        One command line: AT..., printable ASCII, ending in CR alone."""
        if not isinstance(wire, (bytes, bytearray)):
            raise TypeError("a command is bytes, as the encoders make it")
        wire = bytes(wire)
        if wire[:2] not in (b"AT", b"at", b"At", b"aT") or \
                wire[-1:] != b"\r" or len(wire) < 3:
            raise ValueError("a command is one line: AT...\\r")
        for c in wire[:-1]:
            if c < 0x20 or c > 0x7E:
                raise ValueError("a command line holds printable ASCII only")
        cmd = yield from self._cmd(wire, result_ms=result_ms)
        return cmd

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
        self._spill[connect_id] = None
        self._sent[connect_id] = 0
        self._lost[connect_id] = False
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
        self.proto.sockets[connect_id].reset()
        self.proto._sync_push_mask()
        self._spill[connect_id] = None
        self._lost[connect_id] = False
        if cmd.status == TIMED_OUT:
            self._check(cmd)

    def _op_set_access_mode(self, connect_id, mode):
        yield from self._cmd(C.qiswtmd(connect_id, mode))

    def _op_counters(self, connect_id):
        cmd = yield from self._cmd(C.qisend_query(connect_id))
        for e in cmd.lines:
            if type(e) is ev.SendCounters:
                return (e.sent, e.acked, e.nacked)
        return (0, 0, 0)

    def _op_send(self, connect_id, data):
        """Send all of data, binary-safe, one data-mode exchange per chunk."""
        if self._lost[_cid(connect_id)]:
            raise _restarted()
        mv = memoryview(data)
        hexmode = self.proto.send_hex
        limit = C.MAX_HEX_DATA_MODE if hexmode else C.MAX_DATA_MODE
        off = 0
        total = len(mv)
        while off < total:
            chunk = mv[off:off + limit]
            yield from self._op_send_chunk(connect_id, chunk, hexmode)
            off += len(chunk)
        return total

    def _op_send_chunk(self, connect_id, chunk, hexmode):
        proto = self.proto
        cmd = Command(C.qisend_fixed(connect_id, len(chunk), hexmode),
                      connect_id, prompt=True, result_ms=self.send_ms,
                      reply_ms=self.reply_ms)
        yield from self._submit(cmd)
        mark = self._rx_total
        blind = False
        while True:
            self._step()
            if cmd.status >= PROMPTED:
                break
            if self.now_ms() >= cmd.deadline and not cmd.done:
                # Neither '>' nor a final result in time.  If the module
                # said nothing (busy, or silent) or its last words are an
                # unfinished fragment (a '>' mangled on the wire), it may
                # be waiting in data mode for exactly these bytes, and only
                # they end it: send them.  If it was not, it ignores them
                # (silent) or SEND OK never comes and we ask its counters.
                # A complete line we could not read means a mangled result:
                # the module is in command mode, the payload must not go.
                if self._rx_total == mark or self._rx_last not in (10, 13):
                    blind = True
                    break
            self._expire()
            if cmd.done:
                self._check(cmd)
            yield cmd.deadline
        if cmd.status == PROMPTED or blind:
            self._write(C.hex_payload(chunk) if hexmode else chunk)
            proto.data_written(cmd, self.now_ms())
        yield from self._finish(cmd)
        if cmd.status == DONE:
            self._sent[connect_id] += len(chunk)
            return
        if cmd.status == TIMED_OUT:
            # SEND OK (or the OK before it) may have been lost: the
            # module's own <sent> counter says whether the data went out
            try:
                sent = (yield from self._op_counters(connect_id))[0]
            except OSError:
                self._check(cmd)
            if sent >= self._sent[connect_id] + len(chunk):
                self._sent[connect_id] = sent
                return
            self._sent[connect_id] = sent
            self._check(cmd)
        for e in cmd.results:
            if type(e) is ev.SendFail:
                raise ModemError(-1, "SEND FAIL: nothing was sent")
        self._check(cmd)

    def _op_fill(self, connect_id):
        """Buffer mode: move the module's buffered data into the rx ring."""
        slot = self.proto.sockets[connect_id]
        room = slot.rx.free()
        if room < 1:
            return
        n = room if room < C.MAX_READ else C.MAX_READ
        yield from self._cmd(C.qird(connect_id, n), connect_id)

    def _op_recv_into(self, connect_id, buf, nbytes=0, timeout_ms=None):
        """Fill buf with what has arrived; 0 at EOF; raise on timeout."""
        _cid(connect_id)
        size = _writable(buf)
        if isinstance(nbytes, bool) or not isinstance(nbytes, int):
            raise TypeError("nbytes must be an int")
        if nbytes < 0:
            raise ValueError("nbytes must be >= 0")
        if timeout_ms is not None:
            _seconds("timeout_ms", timeout_ms, zero=True)
        if not nbytes or nbytes > size:
            nbytes = size
        proto = self.proto
        slot = proto.sockets[connect_id]
        deadline = None if timeout_ms is None else self.now_ms() + timeout_ms
        self._step()
        looked = False  # has the UART been read at least once?
        while True:
            spill = self._spill[connect_id]
            if spill:
                n = len(spill) if len(spill) < nbytes else nbytes
                buf[:n] = spill[:n]
                del spill[:n]
                return n
            if slot.rx is not None and slot.rx.count:
                n = slot.rx.readinto(buf, nbytes)
                if proto._pending or proto._stalled:
                    proto.resume(self.now_ms())
                return n
            if slot.module_data and slot.access_mode == BUFFER:
                yield from self._op_fill(connect_id)
                continue
            if self._lost[connect_id]:
                raise _restarted()
            if slot.at_eof or slot.state == INITIAL:
                return 0
            now = self.now_ms()
            if deadline is not None and now >= deadline and looked:
                if timeout_ms >= 1000 and self._may_reconcile(slot, now):
                    continue
                if timeout_ms == 0:
                    raise OSError(EAGAIN, "no data")
                raise timed_out()
            looked = True
            yield deadline
            self._step()

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
API = ("start", "resolve", "set_dns", "get_dns", "ping", "ntp", "sockets",
       "last_error", "configure", "set_access_mode", "command",
       "open_socket", "close_socket", "send", "counters", "recv_into")


def bind_api(cls, wrap):
    """Give cls a public method per API name: wrap(op) makes it."""
    for name in API:
        setattr(cls, name, wrap(getattr(Operations, "_op_" + name)))
    return cls
