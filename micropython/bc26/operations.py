"""Every driver operation, written once as a generator over the sans-I/O core.

An operation yields whenever it has to wait for the module (the value is
its deadline in ms, or None); a shell resumes it after feeding the UART's
bytes into the protocol.  The blocking Modem (modem.py) and the asyncio
Modem (aio.py) are two such shells: the logic lives only here.
"""

from . import commands as C
from . import events as ev
from .command import Command, DONE, FAILED, TIMED_OUT, PROMPTED
from .errors import ModemError
from .state import Protocol, BUFFER, DIRECT_PUSH, INITIAL, CONNECTED

try:
    import errno
    ETIMEDOUT = errno.ETIMEDOUT
    EAGAIN = errno.EAGAIN
except (ImportError, AttributeError):
    ETIMEDOUT = 110
    EAGAIN = 11

_DNS_TIMEOUT_MS = 60000
_SEND_TIMEOUT_MS = 10000


def timed_out(what="timed out"):
    return OSError(ETIMEDOUT, what)


class NotReady(OSError):
    """The module cannot serve yet: no answer, no SIM, not registered."""


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


def _ipv4(host):
    parts = host.split(".")
    if len(parts) != 4:
        return False
    for p in parts:
        if not p.isdigit() or int(p) > 255:
            return False
    return True


class Operations:
    """The operations of the public API as generators (see module doc).

    A shell provides self.proto, self.now_ms() and self._write(bytes)."""

    reply_ms = 2000  # the manual says 300 ms; real modules are slower at times

    def _init_ops(self, tokenizer, rx_capacity):
        self.proto = Protocol(tokenizer, rx_capacity)
        self.ip = None
        # direct push has no flow control: what a full rx ring cannot take
        # while the driver waits for a reply moves here (see _unstall)
        self._spill = [None] * 5

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

    def _wait(self, cond, timeout_ms):
        """Generator: wait until cond() holds; False on timeout."""
        deadline = None if timeout_ms is None else self.now_ms() + timeout_ms
        self._unstall()
        while not cond():
            if deadline is not None and self.now_ms() >= deadline:
                return False
            yield deadline
            self._unstall()
        return True

    def _submit(self, cmd):
        """Generator: wait for a free wire, then write cmd."""
        proto = self.proto
        ok = yield from self._wait(lambda: proto.wire is None, self.reply_ms * 4)
        if not ok:
            proto.abandon()
        self._write(proto.submit(cmd, self.now_ms()))

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
            self._unstall()
            proto.expire(self.now_ms())
            if cmd.done:
                break
            yield proto.deadline()

    def _check(self, cmd):
        if cmd.status == TIMED_OUT:
            raise timed_out("no answer to " + cmd.wire.decode().strip())
        if cmd.status == FAILED:
            raise ModemError(cmd.error if cmd.error is not None else -1)

    # -- bring-up ----------------------------------------------------------

    def _op_start(self, timeout=90):
        """Synchronise, echo off, numeric errors, SIM, registration, IP."""
        proto = self.proto
        end = self.now_ms() + int(timeout * 1000)
        while True:  # AT until OK, through boot junk and echo
            cmd = yield from self._cmd(C.at(), raise_error=False, reply_ms=500)
            if cmd.status == DONE:
                break
            if self.now_ms() >= end:
                raise NotReady(ETIMEDOUT, "no answer from the module")
        # let late answers to timed-out ATs arrive before the next command
        yield from self._wait(lambda: False, 100)
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
        if isinstance(host, str) and _ipv4(host):
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
        if dataformat is not None:
            yield from self._cmd(C.qicfg_dataformat(dataformat[0], dataformat[1]))
        if viewmode is not None:
            yield from self._cmd(C.qicfg_viewmode(viewmode))
        if showlength is not None:
            yield from self._cmd(C.qicfg_showlength(showlength))
        if echomode is not None:
            yield from self._cmd(C.qicfg_echomode(echomode))

    def _op_command(self, wire, result_ms=0):
        """Any encoder's bytes: returns the Command (lines, results)."""
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
        self._spill[connect_id] = None
        cmd = yield from self._cmd(wire, connect_id, int(timeout * 1000),
                                   raise_error=False)
        if cmd.status != DONE:
            # manual: after a failed open, AT+QICLOSE frees the socket
            yield from self._cmd(C.qiclose(connect_id), connect_id,
                                 raise_error=False)
            self._check(cmd)

    def _op_close_socket(self, connect_id):
        cmd = yield from self._cmd(C.qiclose(connect_id), connect_id,
                                   raise_error=False)
        self.proto.sockets[connect_id].reset()
        self.proto._sync_push_mask()
        self._spill[connect_id] = None
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
                      connect_id, prompt=True, result_ms=_SEND_TIMEOUT_MS,
                      reply_ms=self.reply_ms)
        yield from self._submit(cmd)
        while True:
            self._unstall()
            if cmd.status >= PROMPTED:
                break
            proto.expire(self.now_ms())
            if cmd.done:
                self._check(cmd)
            yield cmd.deadline
        if cmd.status == PROMPTED:
            self._write(C.hex_payload(chunk) if hexmode else chunk)
            proto.data_written(cmd, self.now_ms())
        yield from self._finish(cmd)
        if cmd.status == TIMED_OUT:
            # SEND OK may be lost: ask the module what it really sent
            yield from self._op_counters(connect_id)
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
        if not nbytes or nbytes > len(buf):
            nbytes = len(buf)
        proto = self.proto
        slot = proto.sockets[connect_id]
        deadline = None if timeout_ms is None else self.now_ms() + timeout_ms
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
            self._unstall()

    def _may_reconcile(self, slot, now):
        """After a long fruitless wait, ask the module for buffered data in
        case a "recv" URC was lost -- at most every 30 s, so an idle
        application still causes (almost) no AT traffic."""
        if slot.access_mode != BUFFER:
            return False
        last = getattr(slot, "reconciled_ms", None)
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
