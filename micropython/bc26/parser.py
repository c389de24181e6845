"""Frames to typed events.

parse_line() knows the grammar of every reply and URC of the manual, and
the variants real firmware sends (docs/wire.md).  It has no memory: which
command a line answers is the protocol state's business.
"""

from . import events as ev

__all__ = ("split_fields", "parse_line", "parse_time", "OK", "SEND_OK")


def split_fields(text):
    """Split a parameter list at commas outside double quotes.

    Quoted fields come back without quotes as str; bare decimal fields as
    int; anything else as stripped str."""
    out = []
    i = 0
    n = len(text)
    while i <= n:
        # startswith, not text[i]: on MicroPython indexing a str interns
        # the character as a qstr, heap that is never given back
        while i < n and text.startswith(" ", i):
            i += 1
        if i < n and text.startswith('"', i):
            end = text.find('"', i + 1)
            if end < 0:
                end = n
            out.append(text[i + 1:end])
            i = text.find(",", end)
            if i < 0:
                break
            i += 1
            continue
        end = text.find(",", i)
        if end < 0:
            end = n
        field = text[i:end].strip()
        if field and (field.isdigit() or (field.startswith("-")
                                          and field[1:].isdigit())):
            field = int(field)
        out.append(field)
        i = end + 1
    return out


def _ints(fields, count):
    """The first count fields as ints, or None when one is not a number."""
    if len(fields) < count:
        return None
    for i in range(count):
        if not isinstance(fields[i], int):
            return None
    return fields[:count]


def _is_cid(x):
    """A <connectID> the module can send: 0-4 (a mangled line may hold
    anything, and the id indexes the driver's socket table)."""
    return isinstance(x, int) and 0 <= x <= 4


def _qiurc(text, announced):
    fields = split_fields(text)
    kind = fields[0] if fields else None
    if kind == "recv":
        cid = fields[1] if len(fields) > 1 else None
        if not _is_cid(cid):
            return None
        if len(fields) == 2:
            length = None
        elif fields[2] == "buff full":
            return ev.BufferFull(cid)
        elif isinstance(fields[2], int):
            # Buffer mode with showlength, or a push header: the tokenizer
            # knows (it is told which sockets push); parse_line gets
            # announced=True.
            length = fields[2]
        else:
            return None
        if announced:
            return ev.RecvPush(cid, length)
        return ev.RecvNotify(cid, length)
    if kind == "closed" and len(fields) > 1 and _is_cid(fields[1]):
        return ev.Closed(fields[1])
    if kind == "dnsgip" and len(fields) > 1:
        if isinstance(fields[1], int):
            nums = _ints(fields[1:], 3)
            if nums:
                return ev.DnsResult(nums[0], nums[1], nums[2])
            return ev.DnsResult(fields[1], None, None)
        return ev.DnsAddress(fields[1])
    return None


# the replies of the rare operations: parsed by replies.py, loaded the
# first time one comes
_RARE = ("QISTATE", "QPING", "QNTP", "QIDNSCFG", "QICFG", "QIGETERROR")


# Field-less events are shared: the commonest lines then allocate no event.
_OK = ev.Ok()
_SEND_OK = ev.SendOk()
_SEND_FAIL = ev.SendFail()
_CLOSE_OK = ev.CloseOk()
OK = _OK            # for the protocol's fast path
SEND_OK = _SEND_OK


def parse_line(line, announced=False):
    """Turn one LINE frame into an event.

    announced: the tokenizer said a counted payload follows this line (its
    .remaining was non-zero), which tells a push header from a buffer-mode
    notification of the same shape."""
    try:
        text = bytes(line).decode()
    except Exception:  # boot junk: keep what is readable
        text = "".join(chr(b) if 32 <= b < 127 else "?" for b in bytes(line))
    if not text:
        return None
    if text.startswith("+"):  # (not text[0]: see split_fields)
        colon = text.find(":")
        if colon > 1:
            name = text[1:colon]
            rest = text[colon + 1:].strip()
            e = None
            if name == "QIURC":
                e = _qiurc(rest, announced)
            elif name == "CME ERROR":
                if rest.isdigit():
                    code = int(rest)
                else:  # a verbose one (AT+CMEE=2)
                    from .errtext import code_of
                    code = code_of(rest)
                e = ev.Error(code)
            elif name == "IP":
                e = ev.IpAddress(rest)
            elif name in _RARE:
                from .replies import parse
                e = parse(name, rest)
            elif "(" not in rest:
                # the info lines parsed here; a shape not known (a
                # test-command range, say) becomes a generic Info event
                if name == "QIRD":
                    f = split_fields(rest)
                    if f and isinstance(f[0], int):
                        rem = (f[1] if len(f) > 1 and isinstance(f[1], int)
                               else None)
                        e = ev.ReadHeader(f[0], rem)
                elif name == "QISEND":
                    n = _ints(split_fields(rest), 3)
                    if n:
                        e = ev.SendCounters(n[0], n[1], n[2])
                elif name == "QIOPEN":
                    f = split_fields(rest)
                    n = _ints(f, 2)
                    if n and len(f) == 2 and _is_cid(n[0]):
                        e = ev.Opened(n[0], n[1])
            if e is None:
                e = ev.Info(name, rest)
            return e
    if text == "OK":
        return _OK
    if text == "ERROR":
        return ev.Error(-1)
    if text == "SEND OK":
        return _SEND_OK
    if text == "SEND FAIL":
        return _SEND_FAIL
    if text == "CLOSE OK":
        return _CLOSE_OK
    if text[:2].upper() == "AT":
        return ev.Echo(text)
    return ev.Text(text)


def __getattr__(name):
    """parse_time lives with the replies it parses (replies.py)."""
    if name == "parse_time":
        from .replies import parse_time
        return parse_time
    raise AttributeError(name)
