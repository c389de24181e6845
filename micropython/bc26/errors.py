"""The module's <err> codes (manual chapter 3) and the driver's exceptions.

Split by blame, as h11 does: ModemError is the module saying no (remote),
ValueError/TypeError are local misuse, ProtocolError is a byte stream the
driver cannot make sense of.
"""

# Descriptions as AT+QIGETERROR prints them (lower case, manual example 4.6).
ERRORS = {
    0: "operation successful",
    550: "unknown error",
    551: "operation blocked",
    552: "invalid parameters",
    553: "memory not enough",
    554: "create socket failed",
    555: "operation not supported",
    556: "socket bind failed",
    557: "socket listen failed",
    558: "socket write failed",
    559: "socket read failed",
    560: "socket accept failed",
    561: "open pdp context failed",
    562: "close pdp context failed",
    563: "socket identity has been used",
    564: "dns busy",
    565: "dns parse failed",
    566: "socket connection failed",
    567: "socket has been closed",
    568: "operation busy",
    569: "operation timeout",
    570: "pdp context broken down",
    571: "cancel send",
    572: "operation not allowed",
    573: "apn not configured",
    574: "port busy",
}


def describe(code):
    """The manual's description of <err> code, or a generic text."""
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


class ProtocolError(Exception):
    """The module sent something the driver cannot interpret in context."""

