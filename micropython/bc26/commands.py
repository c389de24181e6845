"""Validated encoders for the BC26's AT commands.

Every function returns the exact command line as ``bytes``, ending in ``\\r``
alone (a stray ``\\n`` after a command that opens the ``>`` prompt would be sent
as data). Every argument is checked against the ranges of the *BC26 TCP/IP AT
Commands Manual V1.1* before a single byte is built, so nothing half-made can
reach the UART:

- a wrong type raises ``TypeError`` naming the parameter (``bool`` is not
  accepted where an int is meant);
- a value out of range, or a string that could end the command early or start
  another one (``"``, CR, LF, ``;``, Ctrl-Z, ESC, anything outside printable
  ASCII), raises ``ValueError`` naming the parameter.

Payloads that are not printable ASCII go binary-safe through data mode
(``qisend_fixed`` / ``qisend_var`` with ``var_payload``) or as hex
(``qisendex``, ``hex=True``). Hex digits are produced in lower case.

The checks themselves are in checks.py; this module builds the bytes.  It
holds what the driver sends on the data path and for sockets and resolve;
the other encoders (bring-up, QICFG, ping, NTP, DNS servers, QISTATE,
the text and hex sends, test forms, ...) live in
commands_extra.py, loaded the first time one of them is asked for here, so
a board that needs only sockets does not carry them.

Pure Python in MicroPython's subset: no f-strings, no ``re``, no ``bytes %``.
"""

try:
    from binascii import hexlify as _hexlify
except ImportError:  # older MicroPython ports
    from ubinascii import hexlify as _hexlify

from .command import const
from .checks import MAX_HOST_LEN  # noqa: F401  (public here, as before)
from .checks import _int, _flag, _bytes, _binary, _length, _host


# Limits from the manual, public so that callers can chunk their data.
MAX_TEXT_SEND = const(1024)  # AT+QISEND=<id>,<len>,<data>, text
MAX_HEX_SEND = const(512)  # AT+QISEND hex / AT+QISENDEX, in bytes
MAX_DATA_MODE = const(1460)  # after the '>' prompt, text
MAX_HEX_DATA_MODE = const(730)  # after the '>' prompt, hex (bytes)
MAX_READ = const(512)  # AT+QIRD

# Data-mode terminators: Ctrl-Z sends a variable-length payload, ESC cancels.
CTRL_Z = b"\x1a"
ESC = b"\x1b"

_COMMA = b","


def _d(n):
    # "%d", not str(): an int subclass's own __str__ never reaches the line
    return ("%d" % n).encode()


def _q(b):
    return b'"' + b + b'"'


def _line(*parts):
    # every command line ends in CR alone (see the module's docstring)
    return b"".join(parts) + b"\r"


def _params(head, values):
    return _line(head, _COMMA.join(values))


# -- sockets ---------------------------------------------------------------


def qiopen(
    connect_id,
    service_type,
    host,
    remote_port,
    local_port=0,
    access_mode=0,
    context_id=1,
    protocol_type=None,
):
    """``AT+QIOPEN=<ctx>,<id>,"<TCP|UDP>","<host>",<rport>,<lport>,<mode>[,<proto>]``.

    ``local_port`` 0 lets the module pick; ``access_mode`` 0 buffer, 1 direct
    push; ``protocol_type`` (0 IPv4, 1 IPv6) is sent only when given. The
    manual's range for ``context_id`` is 1-3 although only 1 works today.
    """
    connect_id = _int("connect_id", connect_id, 0, 4)
    st = _bytes("service_type", service_type)
    try:
        st = st.decode().upper().encode()
    except UnicodeError:
        pass  # refused just below
    if st != b"TCP" and st != b"UDP":
        raise ValueError(
            'service_type must be "TCP" or "UDP", got %r' % (service_type,)
        )
    h = _host("host", host)
    remote_port = _int("remote_port", remote_port, 1, 65535)
    local_port = _int("local_port", local_port, 0, 65535)
    access_mode = _int("access_mode", access_mode, 0, 1)
    context_id = _int("context_id", context_id, 1, 3)
    values = [
        _d(context_id),
        _d(connect_id),
        _q(st),
        _q(h),
        _d(remote_port),
        _d(local_port),
        _d(access_mode),
    ]
    if protocol_type is not None:
        values.append(_d(_int("protocol_type", protocol_type, 0, 1)))
    return _params(b"AT+QIOPEN=", values)


def qiclose(connect_id):
    """``AT+QICLOSE=<id>``."""
    return _line(b"AT+QICLOSE=", _d(_int("connect_id", connect_id, 0, 4)))


# -- sending ---------------------------------------------------------------


def qisend_fixed(connect_id, length, hex=False):
    """``AT+QISEND=<id>,<len>``: fixed-length data mode.

    After the ``>`` prompt send exactly ``length`` bytes (any bytes), or in
    hex format ``hex_payload(data)`` for ``length`` bytes of data.
    ``length`` is 1-1460, or 1-730 when the send format is hex.
    """
    connect_id = _int("connect_id", connect_id, 0, 4)
    hi = MAX_HEX_DATA_MODE if _flag("hex", hex) else MAX_DATA_MODE
    length = _int("length", length, 1, hi)
    return _params(b"AT+QISEND=", [_d(connect_id), _d(length)])


def qisend_query(connect_id):
    """``AT+QISEND=<id>,0``: the module's sent / acked / unacked counters."""
    return _line(b"AT+QISEND=", _d(_int("connect_id", connect_id, 0, 4)), b",0")


def hex_payload(data):
    """Lower-case hex digits of 1-730 raw bytes, for data mode in hex format."""
    raw = _binary("data", data)
    _length("data", raw, 1, MAX_HEX_DATA_MODE, "bytes")
    return _hexlify(raw)


# -- receiving and access mode ---------------------------------------------


def qird(connect_id, length):
    """``AT+QIRD=<id>,<len>``: read up to 1-512 bytes from the buffer."""
    connect_id = _int("connect_id", connect_id, 0, 4)
    length = _int("length", length, 1, MAX_READ)
    return _params(b"AT+QIRD=", [_d(connect_id), _d(length)])


def qiswtmd(connect_id, access_mode):
    """``AT+QISWTMD=<id>,<mode>``: 0 buffer access, 1 direct push."""
    connect_id = _int("connect_id", connect_id, 0, 4)
    access_mode = _int("access_mode", access_mode, 0, 1)
    return _params(b"AT+QISWTMD=", [_d(connect_id), _d(access_mode)])


# -- ping, NTP, DNS --------------------------------------------------------

def qidnsgip(host, context_id=1):
    """``AT+QIDNSGIP=<ctx>,"<host>"``: resolve; answers come as URCs."""
    context_id = _int("context_id", context_id, 1, 3)
    h = _host("host", host)
    return _params(b"AT+QIDNSGIP=", [_d(context_id), _q(h)])


def __getattr__(name):
    # the encoders in commands_extra.py, loaded on first use
    if name.startswith("__"):
        raise AttributeError(name)
    from . import commands_extra
    try:
        return getattr(commands_extra, name)
    except AttributeError:
        raise AttributeError("bc26.commands has no %r" % name)
