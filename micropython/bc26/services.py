"""The module's services beyond sockets: ping, NTP, DNS servers, the socket
table, the last error, the QICFG settings and raw commands.

Loaded on first use (operations.bind_api), so a board that needs only
sockets never carries them.  Each is a generator over an Operations
instance, driven by a shell like the operations in operations.py.
"""

from . import commands as C
from . import events as ev
from . import replies as _replies  # noqa: F401  (loaded now, not mid-reply)


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
    yield from ops._cmd(C.qidnscfg(primary, secondary))


def get_dns(ops):
    cmd = yield from ops._cmd(C.qidnscfg())
    for e in cmd.lines:
        if e.kind is ev.DnsConfig:
            return (e.primary, e.secondary)
    return (None, None)


def ping(ops, host, timeout=4, count=4, size=32):
    wire = C.qping(host, timeout, count, size)
    cmd = yield from ops._cmd(wire, result_ms=(timeout * count + 10) * 1000)
    replies = [e for e in cmd.results if e.kind is ev.PingReply]
    return PingResult(replies, cmd.results[-1])


def ntp(ops, server, set_clock=False, port=None):
    if not (set_clock is True or set_clock is False or (
            type(set_clock) is int and (set_clock == 0 or set_clock == 1))):
        raise TypeError("set_clock must be True or False")
    wire = C.qntp(server, port, 1 if set_clock else None)
    cmd = yield from ops._cmd(wire)
    return cmd.results[-1].time


def sockets(ops):
    cmd = yield from ops._cmd(C.qistate_read())
    return [e for e in cmd.lines if e.kind is ev.SocketState]


def last_error(ops):
    cmd = yield from ops._cmd(C.qigeterror())
    for e in cmd.lines:
        if e.kind is ev.LastError:
            return (e.code, e.text)
    return (0, "")


def configure(ops, dataformat=None, viewmode=None, showlength=None,
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
        yield from ops._cmd(wire)


def command(ops, wire, result_ms=0):
    """Any encoder's bytes: returns the Command (.lines: the reply's
    information lines as events; .results: its result URCs).  One command
    line: AT..., printable ASCII, ending in CR alone.  The data path's own
    lines are routed, not kept: a +QIRD header is not among the lines, nor
    SEND OK among the results (the status says DONE)."""
    if not isinstance(wire, (bytes, bytearray)):
        raise TypeError("a command is bytes, as the encoders make it")
    wire = bytes(wire)
    if wire[:2] not in (b"AT", b"at", b"At", b"aT") or \
            wire[-1:] != b"\r" or len(wire) < 3:
        raise ValueError("a command is one line: AT...\\r")
    for c in wire[:-1]:
        if c < 0x20 or c > 0x7E:
            raise ValueError("a command line holds printable ASCII only")
    cmd = yield from ops._cmd(wire, result_ms=result_ms)
    return cmd


OPS = {"set_dns": set_dns, "get_dns": get_dns, "ping": ping, "ntp": ntp,
       "sockets": sockets, "last_error": last_error, "configure": configure,
       "command": command}
