"""The ledger of one cell of the fault matrix (test_fault_matrix.py): it
runs numbered-record traffic through a SocketPool socket, times every call
against its budget, keeps every byte the application got and every
exception it saw, and tallies sent / received / lost / duplicated / hangs.

A uniquely named module, imported by name like driver_support.
"""
import collections
import errno
import time

from bc26 import command as _command

from driver_support import parse_records, records

REC = 9          # bytes per record: b"<0000123>"
SLACK_S = 0.3    # scheduling slack of a loaded CI machine, per call
FILL = frozenset(range(65, 91))  # fill_buffer's letters, A-Z


def close_ok_ms():
    """The driver's deadline for CLOSE OK after AT+QICLOSE's OK."""
    return _command._RESULTS["QICLOSE"][1]


def exc_name(e):
    """Short: "ETIMEDOUT", "EPIPE" (a built-in OSError: its errno),
    "NotReady(ECONNRESET)", "ModemError(SEND FAIL)", "ModemError(567)"."""
    code = getattr(e, "errno", None)
    name = type(e).__name__
    if name == "ModemError":
        text = str(e)
        what = "SEND FAIL" if "SEND FAIL" in text else getattr(e, "code", code)
        return "ModemError(%s)" % what
    code = errno.errorcode.get(code, code)
    if type(e).__module__ == "builtins":
        return str(code)
    return "%s(%s)" % (name, code)


class Sock:
    """A pool socket and what the application read from it: TCP one byte
    stream, UDP one entry per datagram."""

    def __init__(self, s, udp):
        self.s = s
        self.udp = udp
        self.chunks = []
        self.eof = False
        self.closed = False
        self.errors = []  # exceptions this socket's calls raised

    @property
    def pieces(self):
        """What parse_records() looks at: the stream, or each datagram."""
        return self.chunks if self.udp else [b"".join(self.chunks)]

    def got(self):
        out = set()
        for p in self.pieces:
            out.update(parse_records(p))
        return out

    def letters(self):
        return sum(len(p) - len(bytes(p).translate(None, bytes(FILL)))
                   for p in self.pieces)


class Ledger:
    """Everything one cell did and saw.  Budgets (the "hang" limit of each
    call) are the call's own timeout plus MARGIN:

      send     reply_ms (prompt / OK) + send_ms (SEND OK)
      recv     the socket's timeout
      connect  reply_ms + the connect timeout (max(socket timeout, 1 s))
      close    reply_ms + the driver's CLOSE OK deadline (10 s)
      start    the timeout given to start()

    MARGIN = 2 * reply_ms + SLACK_S: one resynchronising probe and one
    reconciling command (AT+QISEND=<id>,0, or an AT+QIRD under way when
    the deadline passed) are part of an operation that met a fault."""

    def __init__(self, emu, modem, wire, udp, server):
        self.emu = emu
        self.modem = modem
        self.wire = wire
        self.udp = udp
        self.server = server
        self.next = 0
        self.socks = []
        self.sent_ok = set()
        self.sent_err = set()        # records whose send raised
        self.excused = set()         # records whose loss the fault allows
        self.letters_expected = 0
        self.calls = []              # (what, wall s, budget s)
        self.exceptions = []         # (what, exception)
        self.failures = []           # invariant failures (text)
        self.recovered = None

    # -- timing ---------------------------------------------------------------

    def margin(self):
        return 2 * self.modem.reply_ms / 1000 + SLACK_S

    def budget(self, what, sk=None, timeout=None):
        reply = self.modem.reply_ms / 1000
        if what == "send":
            base = reply + self.modem.send_ms / 1000
        elif what == "recv":
            t = sk.s.gettimeout()
            base = float("inf") if t is None else t
        elif what == "connect":
            t = sk.s.gettimeout()
            base = reply + (60 if t is None else max(t, 1))
        elif what == "close":
            base = reply + close_ok_ms() / 1000
        else:  # start
            base = timeout
        return base + self.margin()

    def timed(self, what, budget, fn, *args, sk=None, quiet=False, **kw):
        """Call fn, timing it.  quiet: a timeout is how the caller means
        to stop (the drain), not an event of the cell: not recorded."""
        t = time.monotonic()
        try:
            return fn(*args, **kw)
        except OSError as e:
            if not (quiet and e.errno in (errno.ETIMEDOUT, errno.EAGAIN)):
                self.exceptions.append((what, e))
                if sk is not None:
                    sk.errors.append(e)
            raise
        finally:
            self.calls.append((what, time.monotonic() - t, budget))

    # -- the application's calls ---------------------------------------------------

    def open(self, pool, addr, timeout=0.3):
        kind = pool.SOCK_DGRAM if self.udp else pool.SOCK_STREAM
        sk = Sock(pool.socket(pool.AF_INET, kind), self.udp)
        sk.s.settimeout(timeout)
        self.timed("connect", self.budget("connect", sk), sk.s.connect, addr)
        self.socks.append(sk)
        return sk

    def close(self, sk):
        """Close; returns the wall time (an error is recorded, not raised)."""
        t = time.monotonic()
        sk.closed = True
        try:
            self.timed("close", self.budget("close"), sk.s.close, sk=sk)
        except OSError:
            pass
        return time.monotonic() - t

    def send(self, sk, n):
        """Send records next..next+n-1 in one call: (numbers, exception)."""
        first = self.next
        self.next += n
        nums = set(range(first, first + n))
        try:
            self.timed("send", self.budget("send"), sk.s.send,
                       records(first, n), sk=sk)
        except OSError as e:
            self.sent_err |= nums
            return nums, e
        self.sent_ok |= nums
        return nums, None

    def recv(self, sk, size=4096, quiet=False):
        data = self.timed("recv", self.budget("recv", sk), sk.s.recv, size,
                          sk=sk, quiet=quiet)
        if data:
            sk.chunks.append(data)
        else:
            sk.eof = True
        return data

    def read_until(self, sk, want=(), letters=0, quiet=False):
        """Read until the records want (less the excused) and letters fill
        letters came, EOF, or an error (returned, not raised)."""
        want = set(want) - self.excused
        while not sk.eof:
            if want <= sk.got() and sk.letters() >= letters:
                return None
            try:
                self.recv(sk, quiet=quiet)
            except OSError as e:
                return e
        return None

    def read_to_eof(self, sk):
        """Read until recv() returns b"" (or raises: returned)."""
        while not sk.eof:
            try:
                self.recv(sk)
            except OSError as e:
                return e
        return None

    def exchange(self, sk, n, read=True):
        """One round: send n records, read their echo."""
        nums, e = self.send(sk, n)
        if e is None and read:
            self.read_until(sk, nums)
        return nums, e

    def wait_module_has(self, sk, nums, mode):
        """Until the module holds the echo of nums: in its buffer (buffer
        mode), or written to the UART (direct push: read by poll())."""
        data = records(min(nums), len(nums))
        cid = sk.s.connect_id
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            if mode == "buffer":
                nodes = self.emu.sockets().get(cid, {}).get("nodes", [])
                if data in b"".join(nodes):
                    return True
            else:
                self.modem.poll()
                if data in self.wire.inp:
                    return True
            time.sleep(0.005)
        self.failures.append("the echo never reached the module")
        return False

    def drain(self, sk):
        """The end of the cell: wait (long enough for the driver's
        reconciling read, > 1 s) while an echo the module had is still
        missing, then a short look for stragglers (late or duplicated).
        The timeouts that end it are not events of the cell."""
        if sk.closed or sk.eof or sk.s.connect_id < 0:
            return
        old = sk.s.gettimeout()
        try:
            if self.missing():
                sk.s.settimeout(1.1)
                self.read_until(sk, self.missing(), quiet=True)
            sk.s.settimeout(0.05)
            while not sk.eof:
                try:
                    self.recv(sk, quiet=True)
                except OSError:
                    break
        finally:
            sk.s.settimeout(old)

    # -- the tally --------------------------------------------------------------------

    def server_counts(self):
        got = collections.Counter()
        if self.udp:
            with self.server._lock:
                dgrams = list(self.server.received)
            for d in dgrams:
                got.update(parse_records(d))
        else:
            with self.server._lock:
                data = bytes(self.server.received)
            got.update(parse_records(data))
        return got

    def app_counts(self):
        got = collections.Counter()
        for sk in self.socks:
            for p in sk.pieces:
                got.update(parse_records(p))
        return got

    def expected(self):
        """Records the application must get: those the module did receive
        (the loopback server got them, so echoed them) and those whose
        send said they went."""
        return set(self.server_counts()) | self.sent_ok

    def missing(self):
        return self.expected() - set(self.app_counts()) - self.excused

    def tally(self):
        app = self.app_counts()
        srv = self.server_counts()
        received = sum(len(c) for sk in self.socks for c in sk.chunks)
        letters = sum(sk.letters() for sk in self.socks)
        intact = sum(app.values())
        lost_recs = self.expected() - set(app)
        lost_letters = max(0, self.letters_expected - letters)
        dup = (REC * sum(c - 1 for c in app.values())
               + REC * sum(c - 1 for c in srv.values())
               + max(0, letters - self.letters_expected))
        garbage = received - REC * intact - letters
        phantom = set(app) - set(srv)
        hangs = [(w, round(t, 3), round(b, 3)) for w, t, b in self.calls
                 if t > b]
        excs = collections.Counter("%s:%s" % (w, exc_name(e))
                                   for w, e in self.exceptions)
        return dict(
            sent=REC * len(self.sent_ok), received=received,
            lost=REC * len(lost_recs) + lost_letters,
            unexcused=REC * len(lost_recs - self.excused) + lost_letters,
            unexcused_records=sorted(lost_recs - self.excused),
            duplicated=dup, garbage=garbage, phantom=sorted(phantom),
            hangs=len(hangs), hang_calls=hangs,
            exception=", ".join("%s%s" % (k, "" if v == 1 else " x%d" % v)
                                 for k, v in sorted(excs.items())) or "-",
            slowest=max((t - b for _, t, b in self.calls), default=0.0))


COLUMNS = ("fault", "mode", "proto", "sent", "received", "lost", "duplicated",
           "hangs", "exception", "recovered", "verdict")


def render(rows):
    """rows: dicts with COLUMNS -> the table as text."""
    cells = [[str(r.get(c, "")) for c in COLUMNS] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells])
              for i, c in enumerate(COLUMNS)]
    line = "  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    for row in cells:
        out.append("  ".join(v.ljust(w) for v, w in zip(row, widths)))
    return "\n".join(out)
