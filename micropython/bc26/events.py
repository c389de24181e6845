"""Typed events: what the module said, one object per reply line or URC.

The parser makes them from frames; the protocol state consumes them.
Plain classes (MicroPython has no dataclasses); equality and repr come from
the field tuple so tests can compare events directly.
"""


class Event:
    FIELDS = ()
    NAME = None  # the AT command whose information line this is

    def __init__(self, *values):
        names = self.FIELDS
        for i in range(len(names)):
            setattr(self, names[i], values[i] if i < len(values) else None)

    def astuple(self):
        # not values(): Config has a field of that name
        return tuple(getattr(self, n) for n in self.FIELDS)

    def __eq__(self, other):
        return type(self) is type(other) and self.astuple() == other.astuple()

    def __ne__(self, other):
        return not self.__eq__(other)

    def __repr__(self):
        return "%s%r" % (type(self).__name__, self.astuple())


# -- final results ----------------------------------------------------------

class Ok(Event):
    pass


class Error(Event):
    """ERROR (code -1) or +CME ERROR: <code>."""
    FIELDS = ("code",)


# -- framing ----------------------------------------------------------------

class Echo(Event):
    """The module echoing a command line back (ATE1)."""
    FIELDS = ("line",)


class Prompt(Event):
    """The data-mode '>' prompt."""


class Payload(Event):
    """Counted data. connect_id is -1 for AT+QIRD data; last marks the end."""
    FIELDS = ("connect_id", "data", "last")


# -- command replies --------------------------------------------------------

class Opened(Event):
    NAME = "QIOPEN"
    FIELDS = ("connect_id", "err")


class CloseOk(Event):
    pass


class SendOk(Event):
    pass


class SendFail(Event):
    pass


class SendCounters(Event):
    NAME = "QISEND"
    FIELDS = ("sent", "acked", "nacked")


class SocketState(Event):
    NAME = "QISTATE"
    FIELDS = ("connect_id", "service_type", "host", "remote_port",
              "local_port", "state", "context_id", "access_mode")


class ReadHeader(Event):
    """+QIRD: <length>[,<remaining>]; length bytes of Payload follow."""
    NAME = "QIRD"
    FIELDS = ("length", "remaining")


class PingReply(Event):
    NAME = "QPING"
    FIELDS = ("result", "ip", "size", "time", "ttl")


class PingSummary(Event):
    """+QPING: <finresult>[,<sent>,<rcvd>,<lost>,<min>,<max>,<avg>]."""
    NAME = "QPING"
    FIELDS = ("result", "sent", "received", "lost", "min", "max", "avg")


class NtpTime(Event):
    """+QNTP: <err>[,<time>]; time is (Y, M, D, h, m, s, zone_quarters)."""
    NAME = "QNTP"
    FIELDS = ("err", "time", "text")


class DnsResult(Event):
    """+QIURC: "dnsgip",<err>[,<IP_count>,<DNS_ttl>]."""
    FIELDS = ("err", "count", "ttl")


class DnsAddress(Event):
    FIELDS = ("ip",)


class DnsConfig(Event):
    NAME = "QIDNSCFG"
    FIELDS = ("context_id", "primary", "secondary")


class Config(Event):
    """+QICFG: "<name>",<values...>; values is a tuple of ints."""
    NAME = "QICFG"
    FIELDS = ("name", "values")


class LastError(Event):
    NAME = "QIGETERROR"
    FIELDS = ("code", "text")


# -- URCs -------------------------------------------------------------------

class RecvNotify(Event):
    """Buffer mode: data waits in the module; length only with showlength."""
    FIELDS = ("connect_id", "length")


class RecvPush(Event):
    """Direct push header; length bytes of Payload follow."""
    FIELDS = ("connect_id", "length")


class BufferFull(Event):
    FIELDS = ("connect_id",)


class Closed(Event):
    FIELDS = ("connect_id",)


class IpAddress(Event):
    """+IP: <addr>: registered, sockets may be opened."""
    FIELDS = ("ip",)


# -- anything else ----------------------------------------------------------

class Info(Event):
    """+NAME: text lines the parser has no special type for (+CEREG, +CPIN,
    test-command ranges ...): the name without '+' and the text after ': '."""
    FIELDS = ("name", "text")

    @property
    def NAME(self):
        return self.name


class Text(Event):
    """A line without a +NAME: prefix (RDY, ATI lines, boot junk)."""
    FIELDS = ("line",)
