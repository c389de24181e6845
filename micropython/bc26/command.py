"""One AT command in flight: what answers it and when it is finished.

A command has two parts.  The *wire* part ends with the final result
(OK / ERROR / +CME ERROR); only one command is on the wire at a time.  Some
commands have a *result* part that arrives later as URCs (+QIOPEN:,
SEND OK, CLOSE OK, +QPING:, +QNTP:, "dnsgip"); the wire is free for other
commands meanwhile.  Deadlines are exposed, never slept on.
"""

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

try:
    from sys import implementation as _impl
    # the package's one answer to "are we on a microcontroller?": the
    # defaults that fit a board's RAM, or a host's (the rest import it)
    ON_BOARD = _impl.name in ("micropython", "circuitpython")
    del _impl
except ImportError:  # a port without it is a small one
    ON_BOARD = True

# status
WAITING = const(0)   # on the wire, no final result yet
PROMPTED = const(1)  # the '>' came: the data may be written
AWAITING = const(2)  # OK came; waiting for the result URC(s)
DONE = const(3)      # finished well
FAILED = const(4)    # ERROR, +CME ERROR, an <err> or SEND FAIL
TIMED_OUT = const(5)

REPLY_MS = const(300)  # the manual's maximum response time

# name -> (result kind, result deadline ms); kinds match the URC families
_RESULTS = {
    "QIOPEN": ("open", 60000),     # manual note: wait 60 s for +QIOPEN
    "QICLOSE": ("close", 10000),
    "QISEND": ("send", 10000),
    "QISENDEX": ("send", 10000),
    "QPING": ("ping", 60000),      # the driver sets timeout*count + margin
    "QNTP": ("ntp", 60000),
    "QIDNSGIP": ("dns", 60000),
}


class Command:
    """Build one with the encoder's bytes; the protocol fills in the rest.

    connect_id: the socket it concerns (QIOPEN, QICLOSE, QISEND, QIRD ...).
    prompt: the command opens the '>' data mode.
    result_ms: deadline of the result part (0: the table's default).
    """

    variable = False  # AT+QISEND=<id>: its payload ends in Ctrl-Z
    # What a command starts with, as class attributes: an instance's table
    # then holds only what differs or is set later (16 bytes an entry on a
    # board, in steps: a record holding all twenty would take 0.5 KB).
    connect_id = -1
    prompt = False
    reply_ms = REPLY_MS
    is_test = False
    result = None          # the result part's kind ("open", "send" ...)
    result_ms = 0          # its deadline
    status = WAITING
    error = None           # <err> / CME code / -1 for plain ERROR
    deadline = None        # ms; set when submitted, moved on each phase
    expect = 0             # dns: addresses still to come; ping: requests
    cancelled = False      # ESC was sent at the prompt
    # only a final result after an information line of its own ends it
    # (a resynchronising probe: earlier results may still be on the way)
    needs_line = False
    wait = None            # the deadline a shell waits until (steppers)
    phase = 0              # data-mode send: 0 before the payload, 1 after
    payload = None         # data-mode send: the bytes for the prompt
    mark = 0               # data-mode send: bytes received before it

    def __init__(self, wire, connect_id=-1, prompt=False, result_ms=0,
                 reply_ms=REPLY_MS):
        self.wire = wire
        # the name: b'AT+QIOPEN=1,...\r' -> 'QIOPEN'; b'ATI\r' -> 'I';
        # b'AT\r' -> ''
        end = len(wire)
        for stop in (b"=", b"?", b"\r"):
            i = wire.find(stop)
            if 0 <= i < end:
                end = i
        name = wire[2:end]
        if name[:1] == b"+":
            name = name[1:]
        self.name = name = name.decode().upper()
        is_test = wire.endswith(b"=?\r")
        if is_test:
            self.is_test = True
        elif connect_id < 0:
            # the <connectID> our own command line names, or -1: the first
            # parameter of the socket commands (QIOPEN: the second)
            c = -1
            eq = wire.find(b"=")
            if eq >= 0 and name in ("QIOPEN", "QICLOSE", "QISEND", "QIRD",
                                    "QISENDEX", "QISWTMD"):
                if name == "QIOPEN":
                    eq = wire.find(b",", eq)
                i = eq + 1
                while i < len(wire) and wire[i] == 32:
                    i += 1  # blanks between parameters are allowed (V.25ter)
                # one digit, then no other: "AT+QICLOSE=14" names no socket
                if i + 1 < len(wire) and not 48 <= wire[i + 1] <= 57:
                    c = wire[i] - 48
            connect_id = c if 0 <= c <= 4 else -1
        if connect_id != -1:
            self.connect_id = connect_id
        if prompt:
            self.prompt = prompt
        if reply_ms != REPLY_MS:
            self.reply_ms = reply_ms
        result = None
        if not is_test and b"=" in wire:
            result = _RESULTS.get(name)
            if name == "QISEND" and not prompt and wire.count(b",") < 2:
                result = None  # AT+QISEND=<id>,0 queries counters only
        if result:
            self.result = result[0]
        result_ms = result_ms or (result[1] if result else 0)
        if result_ms:
            self.result_ms = result_ms
        self.lines = []        # information lines (events) of the reply
        self.results = []      # result-part events (ping replies, dns ...)
        if name == "QPING" and result:
            # <ping_num> of our own AT+QPING line (default 4)
            fields = wire[wire.rfind(b'"') + 1:-1].split(b",")
            self.expect = int(fields[2]) if len(fields) > 2 and fields[2] else 4

    def rearm(self, wire, name, connect_id, prompt, result, reply_ms,
              result_ms):
        """Use this record again: the data path keeps one for its AT+QISEND
        and AT+QIRD exchanges, since building a Command allocates.  name
        and result are constants of the caller's (no str is made)."""
        self.wire = wire
        self.name = name
        self.connect_id = connect_id
        self.prompt = prompt
        self.result = result
        self.reply_ms = reply_ms
        self.result_ms = result_ms
        self.status = WAITING
        self.error = None
        self.deadline = None
        self.wait = None
        self.phase = 0
        self.cancelled = False
        if self.lines:
            self.lines = []
        if self.results:
            self.results = []
        return self

    @property
    def done(self):
        return self.status >= DONE

    @property
    def on_wire(self):
        return self.status < AWAITING

    def accepts(self, event):
        """Is this information line part of the reply?"""
        name = event.NAME
        if name is None:  # bare text: only ATI-style commands have it
            return self.name in ("I", "GMR", "GMM", "GMI", "CGSN")
        return name == self.name

    def finish(self, status, error=None):
        self.status = status
        if error is not None:
            self.error = error

    def __repr__(self):
        return "<Command %r status=%d error=%r>" % (bytes(self.wire),
                                                     self.status, self.error)
