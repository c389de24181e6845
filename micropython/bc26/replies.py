"""The replies of the rare operations (ping, NTP, DNS servers, QISTATE,
QICFG, QIGETERROR), parsed into events.

parser.py hands these lines here; this module is loaded the first time
one arrives (or with services.py, or for one of its event kinds:
bc26.SocketInfo, ev.PingReply ...), so a board that only uses sockets
never carries it.
"""

from .events import Kind
from .parser import split_fields, _ints
from .state import BUFFER, REMOTE_CLOSING

# the kinds of these replies (events.py finds them here: ev.SocketState)
SocketState = Kind("SocketState", (
    "connect_id", "service_type", "host", "remote_port", "local_port",
    "state", "context_id", "access_mode"), "QISTATE")
# +QPING: <result>,<IP>,<bytes>,<time>,<ttl> -- one per reply
PingReply = Kind("PingReply", ("result", "ip", "size", "time", "ttl"), "QPING")
# +QPING: <finresult>[,<sent>,<rcvd>,<lost>,<min>,<max>,<avg>]
PingSummary = Kind("PingSummary", ("result", "sent", "received", "lost",
                                   "min", "max", "avg"), "QPING")
# +QNTP: <err>[,<time>]; time is (Y, M, D, h, m, s, zone_quarters)
NtpTime = Kind("NtpTime", ("err", "time", "text"), "QNTP")
DnsConfig = Kind("DnsConfig", ("context_id", "primary", "secondary"),
                 "QIDNSCFG")
# +QICFG: "<name>",<values...>; values is a tuple of ints
Config = Kind("Config", ("name", "values"), "QICFG")
LastError = Kind("LastError", ("code", "text"), "QIGETERROR")


def parse(name, rest):
    """The event for '+<name>: <rest>', or None for a shape not known
    here (a test form's ranges, say): it then becomes an Info event."""
    if name == "QIGETERROR":
        return _qigeterror(rest)
    if "(" in rest:
        return None
    parse_fields = _PARSERS.get(name)
    return parse_fields(split_fields(rest)) if parse_fields else None


def parse_time(text):
    """'YY/MM/DD,hh:mm:ss±zz' (also 'hh:mm:ss:cc±zz' as in the manual's
    example, and four-digit years) -> (Y, M, D, h, m, s, zone_quarters)."""
    try:
        date, clock = text.split(",")
        y, mo, d = [int(x) for x in date.split("/")]
        if y < 100:
            y += 2000
        sign = 1
        cut = clock.rfind("+")
        if cut < 0:
            cut = clock.rfind("-")
            sign = -1
        if cut < 0:
            zone = 0
            cut = len(clock)
        else:
            zone = sign * int(clock[cut + 1:])
        parts = [int(x) for x in clock[:cut].split(":")]
        if len(parts) < 3:
            return None
        return (y, mo, d, parts[0], parts[1], parts[2], zone)
    except (ValueError, IndexError):
        return None


def _qistate(f):
    if len(f) >= 8 and isinstance(f[0], int):
        return SocketState(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7])
    return None


def _qping(f):
    if len(f) == 5 and isinstance(f[0], int) and isinstance(f[1], str):
        return PingReply(f[0], f[1], f[2], f[3], f[4])
    n = _ints(f, 7)
    if n and len(f) == 7:
        return PingSummary(*n)
    if len(f) == 1 and isinstance(f[0], int):
        return PingSummary(f[0])
    return None


def _qntp(f):
    if f and isinstance(f[0], int):
        text = f[1] if len(f) > 1 else None
        return NtpTime(f[0], parse_time(text) if text else None, text)
    return None


def _qidnscfg(f):
    if f and isinstance(f[0], int):
        return DnsConfig(f[0], f[1] if len(f) > 1 else None,
                            f[2] if len(f) > 2 else None)
    return None


def _qicfg(f):
    if f and isinstance(f[0], str) and _ints(f[1:], len(f) - 1) is not None:
        return Config(f[0], tuple(f[1:]))
    return None


def _qigeterror(text):
    code, _, desc = text.partition(",")
    code = code.strip()
    if code.isdigit():
        return LastError(int(code), desc.strip().strip('"'))
    return None


_PARSERS = {
    "QISTATE": _qistate,
    "QPING": _qping,
    "QNTP": _qntp,
    "QIDNSCFG": _qidnscfg,
    "QICFG": _qicfg,
}


# -- what the protocol learns from them (state.py asks: they exist only
# once this module is loaded) -------------------------------------------

def ping_result(cmd, e):
    """One +QPING: line for the AT+QPING cmd awaits: None while more are
    to come, else the <result> it ends with (0: done)."""
    if e.kind is PingReply:
        cmd.results.append(e)
        return None
    if e.sent is None and len(cmd.results) < cmd.expect and (
            e.result == 569 or cmd.results):
        # '+QPING: <err>' is one request failing while requests remain
        # (569: timed out; after a reply, any code): the summary follows
        cmd.results.append(PingReply(569, None, None, None, None))
        return None
    return e.result


def learn_state(proto, e):
    """A +QISTATE: line: the module's own word on one socket."""
    if 0 <= e.connect_id <= 4:
        slot = proto.sockets[e.connect_id]
        slot.state = e.state
        udp = e.service_type == "UDP"
        if slot.udp != udp:
            slot.udp = udp
        slot.set_mode(e.access_mode)
        if e.state == REMOTE_CLOSING and not slot.remote_closed:
            # the peer closed (its "closed" URC may have been lost): end
            # of stream once its bytes are read
            slot.remote_closed = True
            if slot.access_mode == BUFFER:
                slot.module_data = True  # read until +QIRD: 0
        proto._sync_push_mask()
