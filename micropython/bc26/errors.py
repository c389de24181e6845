"""The module's <err> codes (manual chapter 3) and the driver's exceptions.

Split by blame, as h11 does: ModemError is the module saying no (remote),
ValueError/TypeError are local misuse, ProtocolError is a byte stream the
driver cannot make sense of.
"""


def describe(code):
    """The manual's description of <err> code, or a generic text."""
    from .errtext import ERRORS
    text = ERRORS.get(code)
    if text is None:
        return "error %d" % code
    return text


class ModemError(OSError):
    """The module reported a failure.

    .code is the module's <err> (550-574), a +CME ERROR number, or -1 for a
    plain ERROR; str() carries the manual's description.
    """

    def __init__(self, code, text=None):
        if text is None:
            text = describe(code) if code >= 0 else "ERROR"
        super().__init__(code, text)
        self.code = code
        self.text = text

    def __str__(self):
        if self.code < 0:
            return self.text
        return "[%d] %s" % (self.code, self.text)


def __getattr__(name):
    # the table of texts lives in errtext.py, loaded when first needed
    if name == "ERRORS":
        from .errtext import ERRORS
        return ERRORS
    raise AttributeError(name)


class ProtocolError(Exception):
    """The module sent something the driver cannot interpret in context."""


# errno values the driver raises, as the port numbers them: MicroPython
# the way Linux does, CircuitPython as its C library (newlib) does, where
# ETIMEDOUT is 116; the errno module of either lacks some
try:
    import errno
    ETIMEDOUT = errno.ETIMEDOUT
    EAGAIN = errno.EAGAIN
    ECONNRESET = errno.ECONNRESET
    ENOBUFS = errno.ENOBUFS
    _NEWLIB = ETIMEDOUT == 116
    EMSGSIZE = getattr(errno, "EMSGSIZE", 122 if _NEWLIB else 90)
    ENOTCONN = getattr(errno, "ENOTCONN", 128 if _NEWLIB else 107)
    EISCONN = getattr(errno, "EISCONN", 127 if _NEWLIB else 106)
except (ImportError, AttributeError):
    ETIMEDOUT = 110
    EAGAIN = 11
    ECONNRESET = 104
    ENOBUFS = 105
    EMSGSIZE = 90
    ENOTCONN = 107
    EISCONN = 106


def timed_out(what="timed out"):
    return OSError(ETIMEDOUT, what)


class NotReady(OSError):
    """The module cannot serve yet: no answer, no SIM, not registered --
    or it restarted (errno ECONNRESET): call start() again."""


def _restarted():
    return NotReady(ECONNRESET, "the module restarted: call start() again")
