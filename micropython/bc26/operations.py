"""The driver's operations over the sans-I/O core, written once for both
shells (the blocking Modem in modem.py and the asyncio Modem in aio.py).

Two shapes, by how often they run:

- The data path (send, recv_into and the AT+QISEND / AT+QIRD exchanges
  under them) is a set of *steppers*, in datapath.py (DataPath, a part of
  Operations): no generator, closure or Command is made per call.
- Everything else (start, open, close, resync, and the rare services in
  services.py) is a generator that yields its deadline; a shell resumes it
  after each wait.  Simple, and it may allocate.

A shell provides self.now_ms(), self._write(bytes) and counts what it feeds
the protocol in self._rx_total / self._rx_last.
"""

from . import commands as C
from . import events as ev
from .checks import _is_ipv4, _cid, _seconds
from .command import Command, DONE, FAILED, TIMED_OUT, ON_BOARD, const
from .datapath import DataPath, _Lines, _Recv
from .errors import ModemError, timed_out
from .state import Protocol, BUFFER, INITIAL

_DNS_TIMEOUT_MS = const(60000)
PROBE = b"AT+CMEE?\r"  # commands.cmee_read(): the resynchronising probe


from sys import modules as _modules


def _drop(name):
    """On a board, unload a module of the package used once (its code is
    RAM there); the next use imports it again.  CPython keeps it."""
    if ON_BOARD:
        package = __name__.rpartition(".")[0]
        _modules.pop(package + "." + name, None)
        # the import also made it an attribute of the package
        try:
            delattr(_modules[package], name)
        except (AttributeError, KeyError, NameError):
            pass


class Operations(DataPath):
    """The operations of the public API (see the module docstring)."""

    reply_ms = 2000  # the manual says 300 ms; real modules are slower at times
    rx_limit = 8192 if ON_BOARD else 1 << 24  # see modem.Modem
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

    # -- generators: waiting, resynchronising, whole commands -----------------

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
        """Generator: a command went unanswered, so its reply may still be
        on its way, and the next command must not take it for its own (all
        OKs look alike).  Ask something only one answer contains: AT+CMEE?
        says +CMEE: <n> before its final result, and the probe takes no
        final result before such a line (Command.needs_line): the ones
        before it are owed by earlier commands.  The module answers in
        order, so once the probe's answer is in, nothing older can come.
        Then what the lost answer may have said about the sockets, the
        module's table says (reconcile.py, loaded for it).  Here, not in
        recovery.py: every start() needs it (the boot's lost ATs), and a
        module loaded for it then would stand beside the bring-up's."""
        yield from self._probed()
        for slot in self.proto.sockets:
            if slot.state != INITIAL:
                from .reconcile import reconcile
                yield from reconcile(self)
                if self._desync:
                    # one of its own answers came late: probe again
                    # (without asking again, or a slow module would loop)
                    yield from self._probed()
                break

    def _probed(self):
        """Generator: the probes of a resync (see _resync), until the
        newest one is answered."""
        proto = self.proto
        self._resyncing = True
        try:
            probe = Command(PROBE, reply_ms=self.reply_ms)
            probe.needs_line = True
            self._write(proto.submit(probe, self.now_ms()))
            self._probes += 1
            answered = False
            while True:
                yield from self._finish(probe)
                if probe.status == TIMED_OUT:
                    if answered:
                        break  # the older probes were never heard (mute)
                    raise timed_out("no answer from the module")
                answered = True
                self._probes -= 1
                if self._probes <= 0:
                    break
                # an older probe's answer, late: wait for the newer one
                # too, writing nothing (it is still on its way through)
                probe = Command(PROBE, reply_ms=self.reply_ms)
                probe.needs_line = True
                proto.submit(probe, self.now_ms())
            if proto.wire is probe:
                proto.abandon()
            self._probes = 0
            self._desync = False
        finally:
            self._resyncing = False

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
            _drop("recovery")  # (a boot's fault may have loaded it)
            if ON_BOARD:
                # the bring-up's code and garbage go now, in one piece:
                # left to a later collection, what the session allocates
                # next fills the holes among them and the heap fragments
                # (a socket's receive buffer then finds no room)
                from gc import collect
                collect()

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
        if cmd.status != DONE:
            from .recovery import open_failed
            yield from open_failed(self, cmd, slot)

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
            from .recovery import close_timed_out
            yield from close_timed_out(self, slot)
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


# The services' names (services.OPS), as one string: on a board a str
# constant is not an interned name each (RAM), and this is all
# Operations.__getattr__ needs to know before it loads them.
SERVICE_NAMES = (" set_dns get_dns ping ntp sockets socket_state last_error "
                 "configure command send_text send_hex send_variable ")

# The public operations; each shell turns _op_<name> into a method <name>.
# The blocking shell has its own send and recv_into (the data path); the
# asyncio shell's _op_recv_into is its own too (aio.py).
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
            setattr(cls, name, wrap(getattr(cls, "_op_" + name)))
    if not ON_BOARD:
        from .host.signatures import document
        document(cls, wrap, API, skip)
    return cls
