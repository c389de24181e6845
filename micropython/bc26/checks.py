"""Argument checks for the command encoders in commands.py.

Each returns the value as the encoder needs it (ints as they are, strings
as bytes, hosts checked as names or IP literals) or raises before anything
is built: ``TypeError`` for a wrong type (``bool`` is not an int here),
``ValueError`` for a value out of the manual's range or a string that could
end the command early or start another one.  The messages name the
parameter.

Pure Python in MicroPython's subset.
"""

# The manual gives no limit for <IP_address>/<domain_name>; 255 fits the
# longest DNS name (253, 254 with the root dot) and any IPv6 literal.
MAX_HOST_LEN = 255


def _type_name(value):
    return getattr(type(value), "__name__", "?")


def _int(name, value, lo, hi):
    # bool is an int subclass on CPython and MicroPython alike; True as a
    # connect id is almost certainly a mistake, so refuse it.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("%s must be an int, got %s" % (name, _type_name(value)))
    if value < lo or value > hi:
        raise ValueError("%s must be %d-%d, got %d" % (name, lo, hi, value))
    return value


def _flag(name, value):
    # On/off switches take True/False or 0/1: both read naturally.
    if value is True or value is False:
        return value
    if isinstance(value, int):
        if value == 0 or value == 1:
            return value == 1
        raise ValueError("%s must be True/False or 0/1, got %d" % (name, value))
    raise TypeError("%s must be a bool, got %s" % (name, _type_name(value)))


def _bytes(name, value):
    # str is taken as UTF-8, so non-ASCII text shows up as bytes >= 0x80 and
    # is refused by the callers that need ASCII.
    if isinstance(value, str):
        return value.encode()
    return _binary(name, value, "str or bytes")


def _binary(name, value, what="bytes"):
    # Raw bytes only: a str here would be ambiguous (text or hex already?).
    # A subclass becomes plain bytes first: what is checked is what is sent.
    if type(value) is bytes:
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        if getattr(value, "itemsize", 1) != 1:
            raise TypeError("%s must hold bytes, not %d-byte items"
                            % (name, value.itemsize))
        return bytes(value)
    raise TypeError("%s must be %s, got %s" % (name, what, _type_name(value)))


def _show(c):
    if 0x20 <= c < 0x7F:
        return "'%s' (0x%02x)" % (chr(c), c)
    return "byte 0x%02x" % c


def _length(name, data, lo, hi, unit):
    n = len(data)
    if n < lo or n > hi:
        raise ValueError("%s must be %d-%d %s, got %d" % (name, lo, hi, unit, n))
    return n


def _is_ipv4(b):
    parts = b.split(b".")
    if len(parts) != 4:
        return False
    for p in parts:
        if not 1 <= len(p) <= 3:
            return False
        for c in p:
            if not 0x30 <= c <= 0x39:
                return False
        if int(p) > 255:
            return False
    return True


def _is_ipv6(b):
    # Hex groups and colons; at most one '::'; 8 groups without it.
    if b.count(b":") < 2 or b.find(b":::") >= 0:
        return False
    for c in b:
        if not (c == 0x3A or 0x30 <= c <= 0x39 or 0x41 <= c <= 0x46
                or 0x61 <= c <= 0x66):  # ':' or a hex digit
            return False
    double = b.count(b"::")
    if double > 1:
        return False
    if double == 0 and (b.startswith(b":") or b.endswith(b":")):
        return False
    # count the non-empty groups in a loop: a list comprehension would be
    # one more function to hold
    groups = 0
    for g in b.split(b":"):
        if len(g) > 4:
            return False
        if g:
            groups += 1
    if double:
        return groups <= 7
    return groups == 8


def _host(name, value):
    b = _bytes(name, value)
    n = len(b)
    if n < 1 or n > MAX_HOST_LEN:
        raise ValueError(
            "%s must be 1-%d characters, got %d" % (name, MAX_HOST_LEN, n)
        )
    for c in b:
        # Letters, digits, '-', '.', '_' (seen in real names) and ':' (IPv6).
        if not (
            0x61 <= c <= 0x7A
            or 0x41 <= c <= 0x5A
            or 0x30 <= c <= 0x39
            or c == 0x2D
            or c == 0x2E
            or c == 0x5F
            or c == 0x3A
        ):
            raise ValueError(
                "%s may hold only letters, digits and '-._:', got %s"
                % (name, _show(c))
            )
    if b.find(b":") >= 0:
        if not _is_ipv6(b):
            raise ValueError("%s is not a valid IPv6 address" % name)
        return b
    # All digits and dots can only be meant as an IPv4 address.
    numeric = True
    for c in b:
        if c != 0x2E and not 0x30 <= c <= 0x39:
            numeric = False
            break
    if numeric:
        if not _is_ipv4(b):
            raise ValueError("%s is not a valid IPv4 address" % name)
        return b
    if b.startswith(b".") or b.find(b"..") >= 0:
        raise ValueError("%s has an empty label" % name)
    return b


# -- the driver's own arguments (connect ids, durations) --------------------

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


# The longest wait an argument may ask for, in seconds.  The driver's clock
# is a ticks_diff() of a ticks counter, right within half its period: 2**29
# ms (6.2 days) on MicroPython, 2**28 ms (3.1 days) with CircuitPython's
# supervisor.ticks_ms.  Rebased between operations once past 2**26 ms
# (modem._REBASE_MS), it holds any deadline up to two days ahead.
MAX_WAIT_S = 172800


def _seconds(name, value, zero=False, most=MAX_WAIT_S):
    """A duration: a number > 0 (>= 0 with zero=True), at most most (the
    clock's arithmetic holds days, not forever: None means no limit)."""
    if not (_is_int(value) or isinstance(value, float)):
        raise TypeError("%s must be a number of seconds" % name)
    if not (value > 0 or (zero and value == 0)):  # NaN fails both
        raise ValueError("%s must be %s 0" % (name, ">=" if zero else ">"))
    if value > most:
        raise ValueError("%s must be at most %d" % (name, most))
    return value
