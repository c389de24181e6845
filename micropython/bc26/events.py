"""Typed events: what the module said, one object per reply line or URC.

The parser makes them from frames; the protocol state consumes them.  An
event's type is its ``kind``, one of the module-level ``Kind`` objects
below, not a class of its own: on MicroPython a class costs about 400 bytes
of heap, a kind about a quarter of that, and the driver knows 27 of them
(seven, those of the rare replies, are replies.py's: see the end).

    e = Opened(0, 0)          # a kind is called like a class
    e.kind is Opened          # how to tell events apart (not isinstance)
    e.connect_id, e.err       # fields by name; astuple() gives them all

Equality and repr come from the kind and the field tuple, so tests can
compare events directly.
"""


class Kind:
    """One kind of event: its name, field names, and the AT command whose
    information line it is (None for URCs and final results)."""

    # The defaults are the class's: a kind sets only what differs, so most
    # hold one or two attributes (64 bytes each on MicroPython, 96 with 3).
    fields = ()
    command = None

    def __init__(self, name, fields=(), command=None):
        self.name = name
        if fields:
            self.fields = fields
        if command is not None:
            self.command = command

    def __call__(self, *values):
        return Event(self, values)

    def __repr__(self):
        return "<event kind %s>" % self.name


class Event:
    """An event of some kind; its fields are attributes."""

    def __init__(self, kind, values):
        self.kind = kind
        names = kind.fields
        for i in range(len(names)):
            setattr(self, names[i], values[i] if i < len(values) else None)

    @property
    def NAME(self):
        """The AT command whose information line this is, or None (for
        Info: the +NAME of the line)."""
        if self.kind is Info:
            return self.name
        return self.kind.command

    @property
    def FIELDS(self):
        return self.kind.fields

    def astuple(self):
        # not values(): Config has a field of that name.  A loop, not a
        # generator expression: that would be one more function to hold
        values = []
        for n in self.kind.fields:
            values.append(getattr(self, n))
        return tuple(values)

    def __eq__(self, other):
        return (getattr(other, "kind", None) is self.kind
                and self.astuple() == other.astuple())

    # no __ne__: != is `not ==` without one, on CPython 3 and MicroPython

    def __repr__(self):
        return "%s%r" % (self.kind.name, self.astuple())


# -- final results ----------------------------------------------------------

Ok = Kind("Ok")
Error = Kind("Error", ("code",))    # ERROR (code -1) or +CME ERROR: <code>

# -- framing ----------------------------------------------------------------

Echo = Kind("Echo", ("line",))      # the module echoing a command (ATE1)
Prompt = Kind("Prompt")             # the data-mode '>' prompt
# counted data; connect_id is -1 for AT+QIRD data; last marks the end
Payload = Kind("Payload", ("connect_id", "data", "last"))

# -- command replies --------------------------------------------------------

Opened = Kind("Opened", ("connect_id", "err"), "QIOPEN")
CloseOk = Kind("CloseOk")
SendOk = Kind("SendOk")
SendFail = Kind("SendFail")
SendCounters = Kind("SendCounters", ("sent", "acked", "nacked"), "QISEND")
# +QIRD: <length>[,<remaining>]; length bytes of payload follow
ReadHeader = Kind("ReadHeader", ("length", "remaining"), "QIRD")
# +QIURC: "dnsgip",<err>[,<IP_count>,<DNS_ttl>], then one per address
DnsResult = Kind("DnsResult", ("err", "count", "ttl"))
DnsAddress = Kind("DnsAddress", ("ip",))

# -- URCs -------------------------------------------------------------------

# buffer mode: data waits in the module; length only with showlength
RecvNotify = Kind("RecvNotify", ("connect_id", "length"))
# direct push header; length bytes of payload follow
RecvPush = Kind("RecvPush", ("connect_id", "length"))
BufferFull = Kind("BufferFull", ("connect_id",))
Closed = Kind("Closed", ("connect_id",))
IpAddress = Kind("IpAddress", ("ip",))  # +IP: <addr>: sockets may be opened

# -- anything else ----------------------------------------------------------

# +NAME: lines the parser has no special kind for (+CEREG, +CPIN, test
# ranges ...): the name without '+' and the text after ': '
Info = Kind("Info", ("name", "text"))
Text = Kind("Text", ("line",))  # a line without +NAME: (RDY, ATI, junk)


# The replies of the rare operations (QISTATE, ping, NTP, DNS servers,
# QICFG, QIGETERROR) are kinds of replies.py, loaded with it on first use
# (as the lines they come from are): ev.PingReply and the rest are found
# there (a board that only uses sockets never makes them).
_RARE = " SocketState PingReply PingSummary NtpTime DnsConfig Config LastError "


def __getattr__(name):
    if (" %s " % name) in _RARE:
        from . import replies
        return getattr(replies, name)
    raise AttributeError(name)
