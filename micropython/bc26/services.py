"""The module's services beyond sockets: ping, NTP, DNS servers, the socket
table, the last error, the QICFG settings and raw commands.

Loaded on first use (on a board by Operations.__getattr__, for the names
of operations.SERVICE_NAMES; on CPython bind_api makes them methods), so
a board that needs only sockets never carries them.  Each is a generator over an Operations
instance, driven by a shell like the operations in operations.py.
"""

from . import commands as C
from . import events as ev
from .command import Command
from .checks import _int, MAX_WAIT_S
from . import replies as _replies  # noqa: F401  (loaded now, not mid-reply)


_MAX_RESULT_MS = MAX_WAIT_S * 1000  # the longest wait elsewhere


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


def set_dns(ops, primary, secondary=None):
    """Set the DNS servers the module asks (AT+QIDNSCFG), IPv4 or IPv6
    address strings."""
    yield from ops._cmd(C.qidnscfg(primary, secondary))


def get_dns(ops):
    """(primary, secondary) DNS servers of the module (AT+QIDNSCFG)."""
    cmd = yield from ops._cmd(C.qidnscfg())
    for e in cmd.lines:
        if e.kind is ev.DnsConfig:
            return (e.primary, e.secondary)
    return (None, None)


def ping(ops, host, timeout=4, count=4, size=32):
    """Ping host (AT+QPING) count times with size-byte requests, each
    given timeout seconds; returns a PingResult.  ModemError when the
    module reports a failure (569: every request timed out)."""
    wire = C.qping(host, timeout, count, size)
    cmd = yield from ops._cmd(wire, result_ms=(timeout * count + 10) * 1000)
    replies = [e for e in cmd.results if e.kind is ev.PingReply]
    return PingResult(replies, cmd.results[-1])


def ntp(ops, server, set_clock=False, port=None):
    """The time from an NTP server (AT+QNTP) as (year, month, day, hour,
    minute, second, zone in quarter hours), UTC; set_clock also sets the
    module's clock.  port: the server's, 123 by default."""
    if not (set_clock is True or set_clock is False or (
            type(set_clock) is int and (set_clock == 0 or set_clock == 1))):
        raise TypeError("set_clock must be True or False")
    # <autosettime> 0 said, not left out: the manual gives no default
    wire = C.qntp(server, port, 1 if set_clock else 0)
    cmd = yield from ops._cmd(wire)
    return cmd.results[-1].time


def sockets(ops, context_id=None):
    """The module's open sockets as SocketState events (e.kind is
    bc26.SocketInfo): AT+QISTATE?, or with context_id the sockets of that
    PDP context (AT+QISTATE=0,<contextID>)."""
    wire = C.qistate_read() if context_id is None else C.qistate(0, context_id)
    cmd = yield from ops._cmd(wire)
    return [e for e in cmd.lines if e.kind is ev.SocketState]


def socket_state(ops, connect_id):
    """The module's view of one socket (AT+QISTATE=1,<connectID>): a
    SocketState event, or None when nothing is open on that id."""
    cmd = yield from ops._cmd(C.qistate(1, connect_id))
    for e in cmd.lines:
        if e.kind is ev.SocketState and e.connect_id == connect_id:
            return e
    return None


def _one_send(ops, cmd, connect_id, n):
    """Run one send command to SEND OK; a lost SEND OK is reconciled with
    the module's counters, SEND FAIL raises."""
    yield from ops._submit(cmd)
    yield from ops._finish(cmd)
    if not ops._send_done(cmd, n):
        yield from ops._send_failed(cmd, n)
    return n


def send_text(ops, connect_id, data, quote=None):
    """Send 1-1024 bytes of printable ASCII (no '"' or ';') on the command
    line itself, AT+QISEND=<id>,<len>,<data>: one exchange, no '>' prompt.
    quote: None quotes what is not all letters and digits (the quotes are
    not sent), True always, False never.  In hex send format (configure
    dataformat=(1, x)) data is 1-512 raw bytes.  Returns the count."""
    hexmode = ops.proto.send_hex == 1
    wire = C.qisend_text(connect_id, data, hexmode, quote)
    raw = data.encode() if isinstance(data, str) else data
    n = ops._send_check(connect_id, raw)
    cmd = Command(wire, connect_id, reply_ms=ops.reply_ms)
    return (yield from _one_send(ops, cmd, connect_id, n))


def send_hex(ops, connect_id, data):
    """Send 1-512 raw bytes as a hex string, AT+QISENDEX=<id>,<len>,<hex>:
    one exchange, binary-safe.  Returns the count."""
    wire = C.qisendex(connect_id, data)
    n = ops._send_check(connect_id, data)
    cmd = Command(wire, connect_id, reply_ms=ops.reply_ms)
    return (yield from _one_send(ops, cmd, connect_id, n))


def send_variable(ops, connect_id, data):
    """Send 1-1460 bytes (730 in hex send format) in variable-length data
    mode: AT+QISEND=<id>, the data after '>', then Ctrl-Z.  The data may
    hold anything but Ctrl-Z and ESC (in hex send format: anything).
    Returns the count."""
    n = ops._send_check(connect_id, data)
    if ops.proto.send_hex:
        C.qisend_fixed(connect_id, n, True)  # the length checks; hex
        # digits hold no Ctrl-Z or ESC: any byte may be sent this way
        payload = C.hex_payload(data) + C.CTRL_Z
    else:
        payload = C.var_payload(data)
    cmd = Command(C.qisend_var(connect_id), connect_id, prompt=True,
                  reply_ms=ops.reply_ms)
    cmd.result_ms = ops.send_ms
    cmd.payload = payload
    cmd.variable = True  # its Ctrl-Z is not echoed (echomode)
    cmd.mark = ops._rx_total
    return (yield from _one_send(ops, cmd, connect_id, n))


def last_error(ops):
    """(code, text) of the module's last TCP/IP error (AT+QIGETERROR); 0
    after a success.  Where the driver's own clean-up (the AT+QICLOSE after
    a failed open) reset it, the code the user's operation failed with."""
    owed = ops._owed_error
    cmd = yield from ops._cmd(C.qigeterror())
    if owed is not None:
        from .errors import describe
        return (owed, describe(owed))
    for e in cmd.lines:
        if e.kind is ev.LastError:
            return (e.code, e.text)
    return (0, "")


def configure(ops, dataformat=None, viewmode=None, showlength=None,
              echomode=None):
    """Set the module's data settings (AT+QICFG), each checked before any
    is sent: dataformat (send_hex, recv_hex), viewmode, showlength,
    echomode (0/1 each).  The driver follows every layout they give."""
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
        yield from ops._cmd(wire)


def command(ops, wire, result_ms=0):
    """Any encoder's bytes: returns the Command (.lines: the reply's
    information lines as events; .results: its result URCs).  One command
    line: AT..., printable ASCII, ending in CR alone.  The data path's own
    lines are routed, not kept: a +QIRD header is not among the lines, nor
    SEND OK among the results (the status says DONE).  result_ms: the
    deadline of its result URCs in ms (0: the command's default)."""
    if not isinstance(wire, (bytes, bytearray)):
        raise TypeError("a command is bytes, as the encoders make it")
    wire = bytes(wire)
    if _opens_prompt(wire):
        raise ValueError("this command opens the '>' data prompt: use "
                         "send() or the send_* methods, which complete it")
    if wire[:2] not in (b"AT", b"at", b"At", b"aT") or \
            wire[-1:] != b"\r" or len(wire) < 3:
        raise ValueError("a command is one line: AT...\\r")
    for c in wire[:-1]:
        if c < 0x20 or c > 0x7E:
            raise ValueError("a command line holds printable ASCII only")
    # before the line goes: the deadline is used only after OK, too late
    # to refuse it (a str raised then, a negative one expired at once)
    _int("result_ms", result_ms, 0, _MAX_RESULT_MS)
    cmd = yield from ops._cmd(wire, result_ms=result_ms)
    return cmd


def _opens_prompt(wire):
    """AT+QISEND=<id> and AT+QISEND=<id>,<len> (len > 0) leave the module
    waiting for data: every byte after them would be payload."""
    for part in wire[:-1].upper().split(b";"):
        at = part.find(b"QISEND=")
        if at >= 0 and part[at - 1:at] != b"X":  # (QISENDEX is one line)
            fields = part[at + 7:].split(b",")
            if fields[0].strip() == b"?":
                continue  # the test form
            if len(fields) == 1 or (len(fields) == 2
                                    and fields[1].strip() != b"0"):
                return True
    return False


OPS = {"set_dns": set_dns, "get_dns": get_dns, "ping": ping, "ntp": ntp,
       "sockets": sockets, "socket_state": socket_state,
       "send_text": send_text, "send_hex": send_hex,
       "send_variable": send_variable, "last_error": last_error, "configure": configure,
       "command": command}
