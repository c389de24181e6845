"""The encoders the driver does not send by itself: ping, NTP, DNS servers,
the socket table, the text and hex forms of QISEND, QISENDEX, variable
length data mode, test forms and the other basics -- with the argument
checks only they need.  Reached as bc26.commands.<name>, like every
encoder (commands.py loads this module the first time one is asked for).

Same rules as commands.py: validated, exact bytes, nothing half-made.
"""

from .checks import (_type_name, _int, _flag, _bytes, _binary, _show,
                     _length, _host, _is_ipv4, _is_ipv6)
from .commands import (const, _hexlify, _d, _q, _line, _params, _COMMA,
                       MAX_TEXT_SEND, MAX_HEX_SEND, MAX_DATA_MODE, CTRL_Z, ESC)

_PING_DEFAULT_TIMEOUT = const(4)
_PING_DEFAULT_COUNT = const(4)
_NTP_DEFAULT_PORT = const(123)

# Commands of the manual that have a test form (AT+<NAME>=?).
_TESTABLE = (
    "QIOPEN",
    "QICLOSE",
    "QISTATE",
    "QISEND",
    "QIRD",
    "QISENDEX",
    "QISWTMD",
    "QPING",
    "QNTP",
    "QIDNSGIP",
    "QIDNSCFG",
    "QICFG",
    "QIGETERROR",
)



# -- checks used only here ------------------------------------------------


def _one_of(name, value, allowed):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("%s must be an int, got %s" % (name, _type_name(value)))
    if value not in allowed:
        raise ValueError(
            "%s must be one of %s, got %d"
            % (name, ", ".join([str(a) for a in allowed]), value)
        )
    return value


def _dns_addr(name, value):
    b = _bytes(name, value)
    for c in b:
        if not (0x20 < c < 0x7F):
            raise ValueError(
                "%s must be an IPv4 or IPv6 address, got %s" % (name, _show(c))
            )
    if not (_is_ipv4(b) or _is_ipv6(b)):
        raise ValueError("%s must be an IPv4 or IPv6 address" % name)
    return b


def _text_payload(name, data):
    for c in data:
        # '"' would end a quoted payload and ';' starts a new command on the
        # module's parser; control bytes (CR, LF, Ctrl-Z, ESC) end or
        # derail the line.
        if c < 0x20 or c > 0x7E or c == 0x22 or c == 0x3B:
            raise ValueError(
                "%s must be printable ASCII without '\"' or ';', got %s"
                % (name, _show(c))
            )


def _needs_quotes(data):
    # The manual sends plain digits bare and asks for quotes around
    # anything "special" (JSON and the like): quote unless alphanumeric.
    for c in data:
        if not (0x30 <= c <= 0x39 or 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A):
            return True
    return False


# -- encoders ------------------------------------------------------------


def ati():
    """``ATI``: product identification."""
    return b"ATI\r"


def atz():
    """``ATZ``: restore the user profile (turns echo back on)."""
    return b"ATZ\r"


def cereg_read():
    return b"AT+CEREG?\r"


def cgatt_read():
    return b"AT+CGATT?\r"


def cfun(n):
    """``AT+CFUN=<n>``: 0 minimum, 1 full, 4 radio off."""
    return _line(b"AT+CFUN=", _d(_one_of("n", n, (0, 1, 4))))


def cfun_read():
    return b"AT+CFUN?\r"


def qrst(mode=1):
    """``AT+QRST=1``: reboot the module (1 is the only mode)."""
    return _line(b"AT+QRST=", _d(_one_of("mode", mode, (1,))))


def test(name):
    """``AT+<NAME>=?`` for a TCP/IP command of the manual.

    ``name`` is case-insensitive, with or without ``AT+``: ``test("qiopen")``
    and ``test("AT+QIOPEN")`` both give ``b"AT+QIOPEN=?\\r"``.
    """
    if not isinstance(name, str):
        raise TypeError("name must be str, got %s" % _type_name(name))
    upper = name.upper()
    if upper.startswith("AT+"):
        upper = upper[3:]
    if upper not in _TESTABLE:
        raise ValueError(
            "name must be one of %s, got %r" % (", ".join(_TESTABLE), name)
        )
    return _line(b"AT+", upper.encode(), b"=?")


def qistate_read():
    """``AT+QISTATE?``: every open socket."""
    return b"AT+QISTATE?\r"


def qistate(query_type, value):
    """``AT+QISTATE=<query_type>,<value>``.

    ``query_type`` 0: ``value`` is a context id (1-3); 1: a connect id (0-4).
    """
    query_type = _int("query_type", query_type, 0, 1)
    if query_type == 0:
        value = _int("context_id", value, 1, 3)
    else:
        value = _int("connect_id", value, 0, 4)
    return _params(b"AT+QISTATE=", [_d(query_type), _d(value)])


def qisend_text(connect_id, data, hex=False, quote=None):
    """``AT+QISEND=<id>,<len>,<data>``: data on the command line.

    Text (``hex=False``, the module's ``dataformat`` 0): ``data`` is str or
    bytes, 1-1024 printable ASCII bytes without ``"`` or ``;``. ``quote=None``
    wraps it in double quotes unless it is all letters and digits (the
    manual quotes "special" data such as JSON; the quotes are not sent and
    not counted); ``True`` always quotes; ``False`` never does and refuses
    data holding a comma or space, which the module would split or drop.

    Hex (``hex=True``, ``dataformat`` 1 for sending): ``data`` is raw bytes,
    1-512 of them, sent as lower-case hex digits; the length counts bytes.
    """
    connect_id = _int("connect_id", connect_id, 0, 4)
    hex = _flag("hex", hex)
    if quote is not None and quote is not True and quote is not False:
        raise TypeError("quote must be None, True or False, got %s" % _type_name(quote))
    if hex:
        raw = _binary("data", data)
        n = _length("data", raw, 1, MAX_HEX_SEND, "bytes")
        body = _hexlify(raw)
        if quote is None:
            quote = False
    else:
        body = _bytes("data", data)
        n = _length("data", body, 1, MAX_TEXT_SEND, "bytes")
        _text_payload("data", body)
        if quote is None:
            quote = _needs_quotes(body)
        elif quote is False:
            for c in body:
                if c == 0x2C or c == 0x20:
                    raise ValueError(
                        "data holds %s and cannot be sent unquoted (quote=False)"
                        % _show(c)
                    )
    if quote:
        body = _q(body)
    return _params(b"AT+QISEND=", [_d(connect_id), _d(n), body])


def qisend_var(connect_id):
    """``AT+QISEND=<id>``: variable-length data mode.

    After the ``>`` prompt send ``var_payload(data)`` (data then Ctrl-Z);
    ``ESC`` cancels.
    """
    return _line(b"AT+QISEND=", _d(_int("connect_id", connect_id, 0, 4)))


def var_payload(data):
    """The bytes to send after ``qisend_var``'s prompt: ``data`` + Ctrl-Z.

    ``data`` is 1-1460 bytes and may hold anything but Ctrl-Z (which would
    end it early) and ESC (which would cancel the send). For hex format
    send ``hex_payload(data) + CTRL_Z`` instead.
    """
    b = _bytes("data", data)
    _length("data", b, 1, MAX_DATA_MODE, "bytes")
    if b.find(CTRL_Z) >= 0:
        raise ValueError("data must not contain Ctrl-Z (0x1a) in variable-length mode")
    if b.find(ESC) >= 0:
        raise ValueError("data must not contain ESC (0x1b) in variable-length mode")
    return b + CTRL_Z


def qisendex(connect_id, data):
    """``AT+QISENDEX=<id>,<len>,<hex>``: 1-512 raw bytes sent as hex."""
    connect_id = _int("connect_id", connect_id, 0, 4)
    raw = _binary("data", data)
    n = _length("data", raw, 1, MAX_HEX_SEND, "bytes")
    return _params(b"AT+QISENDEX=", [_d(connect_id), _d(n), _hexlify(raw)])


def qiswtmd_read():
    return b"AT+QISWTMD?\r"


def qping(host, timeout=None, count=None, size=None, context_id=1):
    """``AT+QPING=<ctx>,"<host>"[,<timeout>[,<count>[,<size>]]]``.

    ``timeout`` 1-255 s, ``count`` 1-10, ``size`` 32-200 bytes. The manual's
    parameters are positional, so a later one given without an earlier one
    fills the earlier with the module's default (timeout 4, count 4).
    """
    context_id = _int("context_id", context_id, 1, 3)
    h = _host("host", host)
    if timeout is not None:
        timeout = _int("timeout", timeout, 1, 255)
    if count is not None:
        count = _int("count", count, 1, 10)
    if size is not None:
        size = _int("size", size, 32, 200)
    values = [_d(context_id), _q(h)]
    if size is not None and count is None:
        count = _PING_DEFAULT_COUNT
    if count is not None and timeout is None:
        timeout = _PING_DEFAULT_TIMEOUT
    if timeout is not None:
        values.append(_d(timeout))
    if count is not None:
        values.append(_d(count))
    if size is not None:
        values.append(_d(size))
    return _params(b"AT+QPING=", values)


def qntp(server, port=None, autosettime=None, context_id=1):
    """``AT+QNTP=<ctx>,"<server>"[,<port>[,<autosettime>]]``.

    ``port`` 1-65535 (the module only supports 123 today); ``autosettime``
    0/1 sets the RTC. ``autosettime`` without ``port`` fills port 123.
    """
    context_id = _int("context_id", context_id, 1, 3)
    s = _host("server", server)
    if port is not None:
        port = _int("port", port, 1, 65535)
    if autosettime is not None:
        autosettime = _int("autosettime", autosettime, 0, 1)
        if port is None:
            port = _NTP_DEFAULT_PORT
    values = [_d(context_id), _q(s)]
    if port is not None:
        values.append(_d(port))
    if autosettime is not None:
        values.append(_d(autosettime))
    return _params(b"AT+QNTP=", values)


def qidnscfg(primary=None, secondary=None, context_id=1):
    """``AT+QIDNSCFG=<ctx>`` (query) or ``AT+QIDNSCFG=<ctx>,"<pri>"[,"<sec>"]``.

    Addresses are IPv4 dotted quads or IPv6 text.
    """
    context_id = _int("context_id", context_id, 1, 3)
    if primary is None:
        if secondary is not None:
            raise ValueError("secondary needs primary to be given as well")
        return _line(b"AT+QIDNSCFG=", _d(context_id))
    values = [_d(context_id), _q(_dns_addr("primary", primary))]
    if secondary is not None:
        values.append(_q(_dns_addr("secondary", secondary)))
    return _params(b"AT+QIDNSCFG=", values)


def qigeterror():
    """``AT+QIGETERROR``: the last TCP/IP error code and its text."""
    return b"AT+QIGETERROR\r"


# -- basic bring-up --------------------------------------------------------


def at():
    """``AT``: is the module there (and in sync with our baud rate)?"""
    return b"AT\r"


def ate(on):
    """``ATE0`` / ``ATE1``: command echo off / on (True/False or 0/1)."""
    return b"ATE1\r" if _flag("on", on) else b"ATE0\r"


def cmee(n):
    """``AT+CMEE=<n>``: 0 plain ERROR, 1 numeric, 2 verbose +CME ERROR."""
    return _line(b"AT+CMEE=", _d(_int("n", n, 0, 2)))


def cmee_read():
    return b"AT+CMEE?\r"


def cpin_read():
    return b"AT+CPIN?\r"


def cgpaddr(context_id=None):
    """``AT+CGPADDR`` (all contexts) or ``AT+CGPADDR=<cid>``.

    The cid range is 27.007's for this module family, 0-10; the TCP/IP
    stack itself only uses 1.
    """
    if context_id is None:
        return b"AT+CGPADDR\r"
    return _line(b"AT+CGPADDR=", _d(_int("context_id", context_id, 0, 10)))


# -- QICFG -----------------------------------------------------------------


def qicfg_dataformat(send=None, recv=None):
    """``AT+QICFG="dataformat"[,<send>,<recv>]``: 0 text, 1 hex.

    Both None is the query form; otherwise both are required.
    """
    if send is None and recv is None:
        return b'AT+QICFG="dataformat"\r'
    if send is None:
        raise ValueError("send must be given together with recv")
    if recv is None:
        raise ValueError("recv must be given together with send")
    send = _int("send", send, 0, 1)
    recv = _int("recv", recv, 0, 1)
    return _line(b'AT+QICFG="dataformat",', _d(send), _COMMA, _d(recv))


def _qicfg_mode(option, mode):
    if mode is None:
        return _line(b'AT+QICFG="', option, b'"')
    mode = _int("mode", mode, 0, 1)
    return _line(b'AT+QICFG="', option, b'",', _d(mode))


def qicfg_viewmode(mode=None):
    """``AT+QICFG="viewmode"[,<mode>]``: 1 puts received data after a comma."""
    return _qicfg_mode(b"viewmode", mode)


def qicfg_showlength(mode=None):
    """``AT+QICFG="showlength"[,<mode>]``: 1 adds the optional lengths."""
    return _qicfg_mode(b"showlength", mode)


def qicfg_echomode(mode=None):
    """``AT+QICFG="echomode"[,<mode>]``: 1 echoes data-mode input."""
    return _qicfg_mode(b"echomode", mode)
