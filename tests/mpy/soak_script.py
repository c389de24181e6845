"""The bounded soak, written once for CPython and MicroPython.

Random traffic on the module's five sockets at once -- TCP and UDP, in both
access modes (bc26.BUFFER and bc26.DIRECT_PUSH) -- against loopback echo
servers through the emulator, with faults from the emulator's fault API
injected now and then, every byte checked end to end and the memory
sampled at quiescent checkpoints.  Used by:

- tests/driver/test_soak.py (CPython; the emulator in the same process,
  faults called directly through LocalFaults), and
- tests/mpy/test_unix_port_soak.py (MicroPython's unix port runs this file
  as its main script, argv: emulator host, port, fault-server port, TCP
  echo port, UDP echo port, seed, seconds; the faults go over a line
  protocol to FaultServer in the pytest process, which holds the emulator).

Reproducible: every choice comes from a xorshift32 generator reseeded from
(seed, step number) at each step, so one seed gives the same sequence of
decisions on both interpreters.  What the network does in between (how a
TCP echo is cut into reads, when a datagram arrives) is timing, not seed.

What is checked:

- TCP: the bytes that come back are exactly the bytes sent, in order, none
  lost, none twice; UDP: each datagram that comes back is the oldest one
  outstanding, whole.  Synthetic data a fault delivers (fill_buffer) is
  added to what is expected at the point it is delivered (only ever on a
  quiescent socket, so the point is known exactly).  The one legitimate
  loss is the driver's own: a direct-push buffer past rx_limit; it must be
  reported by OSError(ENOBUFS) naming the count, and exactly that many
  bytes (UDP: the rest of one datagram and whole datagrams) are skipped.
- at every checkpoint (all sockets drained first): AT+QISTATE lists
  exactly the sockets open (state 2, or 4 after a remote close), and each
  socket's <sent> counter equals the bytes sent on it without an error.
- a SEND FAIL armed before a send makes that send raise ModemError and
  nothing of it comes back; a UDP send over 1460 bytes raises EMSGSIZE;
  after a remote close every byte the module kept is read, then b"" (end
  of stream), and a send raises EPIPE (or the module's 567, when the
  "closed" URC was still unread as the line went).
- memory: sampled at each checkpoint by the caller's mem() less the bytes
  the driver's receive buffers hold (bounded by rx_limit each, so they are
  shown apart); the caller judges the figures after the warm-up.
- any other exception, a timeout of a drain (10 s), a recv returning b""
  on a socket nobody closed: a failure, which names the seed, the step
  and the last steps before it.

Faults injected (about one step in eleven): URCs -- harmless lines, and
spurious "recv" notices for buffer-mode sockets -- at every frame boundary
of the emulator (now, after the echo, before the prompt, before and after
the final result); delayed replies within the driver's reply timeout
(10 ms to 0.9 s, the reply timeout being 2 s); a late CLOSE OK (20-200 ms
after OK) around a close and reopen; remote close of a TCP socket (in
buffer mode often with the echo of a last send still in the module, which
must be read before the end of stream), the socket then reopened some
steps later; SEND FAIL on the next send; "buff full" (the module's 20
nodes filled on a drained buffer-mode socket) and bursts of pushed data on
a drained direct-push socket.  Left out, because they destroy data the
driver cannot know of: dropped or corrupted output bytes, reboots, a mute
module, replies later than the timeout.  Also left out: spurious "recv"
notices on direct-push sockets and switching a socket's access mode
(either way, a later end of stream is never reported: a driver bug open
as this is written).
"""

import bc26
from bc26.errors import EAGAIN, EMSGSIZE, ENOBUFS, ETIMEDOUT

try:
    from time import sleep_ms, ticks_diff, ticks_ms
except ImportError:  # CPython
    import time as _time

    def ticks_ms():
        return int(_time.monotonic() * 1000)

    def ticks_diff(a, b):
        return a - b

    def sleep_ms(ms):
        _time.sleep(ms / 1000)

EPIPE = 32
TCP = "TCP"
UDP = "UDP"
MAX_DGRAM = 1460       # one send, one datagram
MAX_NODES = 20         # the module's receive nodes (buffer access mode)
ADDR = "127.0.0.1"
# The most bytes one socket may be owed before it must be read: above a
# board's rx_limit (8 KiB), so a direct-push buffer does overflow now and
# then -- the driver's one legitimate loss, which it must report (ENOBUFS)
WINDOW = 12288

# Lines a module may emit at any time that mean nothing to the sockets
HARMLESS = ("+CSCON: 1", "+CSCON: 0", "+CEREG: 1", "+CEREG: 1,\"1A2B\"",
            "+QATWAKEUP", "+IP: 127.0.0.1", '+QIURC: "recv",9',
            "+QNBIOTEVENT: \"ENTER PSM\"", "+QNBIOTEVENT: \"EXIT PSM\"")
POINTS = ("now", "after_echo", "before_prompt", "before_ok", "after_ok")
TARGETS = ("AT+QISEND", "AT+QIRD", "AT+QISENDEX", "AT+QISTATE", None,
           "AT+QISEND", "AT+QIRD", "AT+QICLOSE", "AT+QIOPEN")
TCP_READS = (1, 5, 24, 63, 64, 100, 256, 512, 513, 1000, 1460, 2048, 4096)
# Payload pieces a line-oriented parser would get wrong
NASTY = (b"\r\nOK\r\n", b'+QIURC: "recv",0,5\r\n', b"\r\nERROR\r\n> ",
         b"\x1a\x1b", b'\r\n+QIURC: "closed",0\r\n', b"SEND OK\r\n",
         b"+QIRD: 3\r\n", b"\r\nCLOSE OK\r\n", b"\r\n+QIOPEN: 0,0\r\n", b">",
         b"\r\n", b"\x00\xff")


def kind_name(proto, mode):
    return "%s/%s" % (proto.lower(), "push" if mode else "buffer")


KINDS = ((TCP, bc26.BUFFER), (TCP, bc26.DIRECT_PUSH), (UDP, bc26.BUFFER),
         (UDP, bc26.DIRECT_PUSH))
KIND_NAMES = [kind_name(p, m) for p, m in KINDS]


class SoakError(AssertionError):
    pass


class Rng:
    """xorshift32: the same numbers on every interpreter."""

    def __init__(self, seed):
        self.x = 1
        self.seed(seed)

    def seed(self, s):
        self.x = (s & 0xFFFFFFFF) or 0x9E3779B9
        for _ in range(3):
            self.next()

    def next(self):
        x = self.x
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        self.x = x
        return x

    def below(self, n):
        return self.next() % n

    def between(self, a, b):
        """a..b, both included."""
        return a + self.next() % (b - a + 1)

    def pick(self, seq):
        return seq[self.next() % len(seq)]


def _errno(e):
    return e.args[0] if e.args and isinstance(e.args[0], int) else None


def exc_kind(e):
    """A short name for an exception: SEND FAIL, ETIMEDOUT, ..."""
    if isinstance(e, bc26.ModemError):
        if "SEND FAIL" in str(e):
            return "SEND FAIL"
        return "ModemError %d" % e.code
    if isinstance(e, OSError):
        n = _errno(e)
        for name, code in (("ETIMEDOUT", ETIMEDOUT), ("EAGAIN", EAGAIN),
                           ("ENOBUFS", ENOBUFS), ("EMSGSIZE", EMSGSIZE),
                           ("EPIPE", EPIPE)):
            if n == code:
                return name
        return "OSError %r" % (n,)
    return type(e).__name__


def _count(table, key, n=1):
    table[key] = table.get(key, 0) + n


def _show(data, limit=48):
    data = bytes(data)
    if len(data) > limit:
        return "%r...(%d bytes)" % (data[:limit], len(data))
    return repr(data)


class Slot:
    """One of the five sockets and what is owed to it."""

    def __init__(self, index, proto, mode):
        self.index = index
        self.proto = proto
        self.mode = mode
        self.kind = kind_name(proto, mode)
        self.sock = None
        self.cid = -1
        self.seq = 0
        self.reset()

    def reset(self):
        self.expect = []      # TCP: pieces of the stream owed; UDP: datagrams
        self.off = 0          # TCP: bytes of expect[0] already received
        self.outstanding = 0  # bytes owed
        self.cut = 0          # UDP: bytes of a datagram cut by a loss, unreported
        self.sent = 0         # bytes sent on this connection without an error
        self.stream = 0       # TCP: bytes received on this connection
        self.remote_closed = False

    def owe(self, data):
        if data:
            self.expect.append(data)
            self.outstanding += len(data)

    @property
    def udp(self):
        return self.proto == UDP


class Soak:
    """soak = Soak(modem, faults, seed, tcp_port, udp_port); soak.run(s);
    soak.summary() -> a dict (format_summary() prints it).

    faults: LocalFaults (CPython) or RemoteFaults (MicroPython).  mem: a
    callable giving the bytes in use now, called at checkpoints with every
    socket drained.  window: the most bytes owed by one socket before it
    must be read (above rx_limit, direct-push data is lost now and then,
    and reported).  log: progress lines (None: quiet)."""

    fault_percent = 9    # steps that inject a fault
    ring_size = 48       # the last steps, for a failure's report

    def __init__(self, modem, faults, seed, tcp_port, udp_port, window=WINDOW,
                 mem=None, log=None, impl=""):
        self.modem = modem
        self.faults = faults
        self.seed = seed & 0xFFFFFFFF
        self._mix = (self.seed * 0x9E3779B1) & 0xFFFFFFFF
        self.ports = {TCP: tcp_port, UDP: udp_port}
        self.window = window
        self.mem = mem
        self.log = log
        self.impl = impl
        self.rng = Rng(seed)
        self.pools = (bc26.SocketPool(modem, access_mode=bc26.BUFFER),
                      bc26.SocketPool(modem, access_mode=bc26.DIRECT_PUSH))
        # four kinds, and a fifth socket of a kind the seed picks
        extra = KINDS[self.rng.below(4)]
        self.slots = [Slot(i, k[0], k[1]) for i, k in
                      enumerate(KINDS + (extra,))]
        self.pattern = self._pattern(8192)
        self.rbuf = bytearray(4096 + 64)
        self.step = 0
        self.t0 = ticks_ms()
        self.seconds = 0
        self.ops = {}
        self.fault_counts = {}
        self.exceptions = {}
        self.bytes = {}
        for name in KIND_NAMES:
            # sent bytes, received bytes, sends, receives with data
            self.bytes[name] = [0, 0, 0, 0]
        self.lost_reported = 0
        self.duplicated = 0   # bytes that came twice (only ever at a failure)
        self.checkpoints = 0
        self.mem_start = None
        self.mem_end = None
        self.mem_max = None
        self.mem_min = None
        self.mem_first = None
        self.mem_samples = 0
        self.rx_max = 0
        self.warm_ms = 0
        self.failed = False
        self._ring = [None] * self.ring_size
        self._ring_at = 0
        self.step_ms = {}     # ms spent in each kind of step
        self._label = None

    # -- generators of data --------------------------------------------------

    def _pattern(self, n):
        out = bytearray()
        r = self.rng
        while len(out) < n:
            c = r.below(4)
            if c == 0:
                out += r.pick(NASTY)
            elif c == 1:
                start = r.below(256)
                out += bytes(range(start, min(256, start + r.between(1, 64))))
            else:
                for _ in range(r.between(1, 32)):
                    out.append(r.below(256))
        return bytes(out[:n])

    def payload(self, slot, n):
        slot.seq += 1
        head = b""
        if n >= 16:
            head = ("{%d:%d}" % (slot.index, slot.seq)).encode()
        body = n - len(head)
        off = self.rng.below(len(self.pattern) - body + 1)
        return head + self.pattern[off:off + body]

    def send_size(self, slot):
        r = self.rng
        c = r.below(100)
        if c < 27:
            return r.between(1, 24)     # one AT+QISENDEX line
        if c < 52:
            return r.between(25, 256)
        if c < 82 or slot.udp:
            return r.between(257, MAX_DGRAM)
        return r.between(MAX_DGRAM + 1, 4000)  # several data-mode sends

    # -- bookkeeping -----------------------------------------------------------

    def elapsed_ms(self):
        return ticks_diff(ticks_ms(), self.t0)

    def note(self, what, slot=None, value=0):
        """One line of the failure report's "last steps"; a repeat of the
        same action in the same step (a drain's reads) counts on the last."""
        index = -1 if slot is None else slot.index
        last = self._ring[(self._ring_at - 1) % self.ring_size]
        if (last is not None and last[0] == self.step and last[2] == what
                and last[3] == index):
            last[5] += 1
            return
        self._ring[self._ring_at] = [self.step, self.elapsed_ms(), what, index,
                                     value, 1]
        self._ring_at = (self._ring_at + 1) % self.ring_size

    def op(self, name):
        _count(self.ops, name)
        if self._label is None:
            self._label = name

    def failure(self, text, slot=None):
        lines = ["soak failed: %s" % text,
                 "seed=%d step=%d after %.1f s (%s)" % (
                     self.seed, self.step, self.elapsed_ms() / 1000, self.impl)]
        if slot is not None:
            lines.append("socket %d (%s, connect id %d): %d bytes owed in %d "
                         "pieces, %d sent on this connection" % (
                             slot.index, slot.kind, slot.cid, slot.outstanding,
                             len(slot.expect), slot.sent))
        lines.append("last steps (step, ms, what, socket, value[, times]):")
        for i in range(self.ring_size):
            e = self._ring[(self._ring_at + i) % self.ring_size]
            if e is not None:
                lines.append("  %r" % (tuple(e) if e[5] > 1 else tuple(e[:5]),))
        return SoakError("\n".join(lines))

    def _say(self, text):
        if self.log is not None:
            self.log(text)

    # -- receiving: every byte checked against what is owed ----------------------

    def got(self, slot, data):
        """data came from slot's socket: it must be what is owed next."""
        n = len(data)
        counts = self.bytes[slot.kind]
        counts[1] += n
        counts[3] += 1
        if slot.udp:
            return self._got_dgram(slot, bytes(data))
        if n > slot.outstanding:
            self.duplicated += n - slot.outstanding
            raise self.failure("TCP: %d bytes came, only %d were owed "
                               "(duplicated?): %s" % (
                                   n, slot.outstanding, _show(data)), slot)
        i = 0
        while i < n:
            piece = slot.expect[0]
            o = slot.off
            k = min(len(piece) - o, n - i)
            if data[i:i + k] != piece[o:o + k]:
                j = 0
                while data[i + j] == piece[o + j]:
                    j += 1
                raise self.failure(
                    "TCP stream differs at byte %d of this connection: got %s, "
                    "expected %s" % (slot.stream + i + j,
                                     _show(data[i + j:i + j + 32]),
                                     _show(piece[o + j:o + j + 32])), slot)
            i += k
            o += k
            if o == len(piece):
                slot.expect.pop(0)
                o = 0
            slot.off = o
        slot.outstanding -= n
        slot.stream += n

    def _got_dgram(self, slot, d):
        if not slot.expect:
            self.duplicated += len(d)
            raise self.failure("UDP: a datagram nobody owed (duplicated?): %s"
                               % _show(d), slot)
        head = slot.expect[0]
        if d == head:
            slot.expect.pop(0)
            slot.outstanding -= len(d)
            return
        if d in slot.expect:
            raise self.failure("UDP: datagram %d of %d owed came first; the "
                               "older ones are lost or late: %s" % (
                                   slot.expect.index(d) + 1, len(slot.expect),
                                   _show(d)), slot)
        if len(d) < len(head) and head[:len(d)] == d and slot.mode:
            # cut by a loss of the push buffer: ENOBUFS must follow
            slot.expect.pop(0)
            slot.outstanding -= len(head)
            slot.cut += len(head) - len(d)
            return
        raise self.failure("UDP: a datagram that was never sent: %s, the "
                           "oldest owed: %s" % (_show(d), _show(head)), slot)

    def lost(self, slot, e):
        """OSError(ENOBUFS): the driver says it lost pushed bytes (the one
        legitimate loss): exactly that many are skipped."""
        text = e.args[1] if len(e.args) > 1 else ""
        try:
            n = int(text.split()[0])
        except (ValueError, IndexError):
            raise self.failure("ENOBUFS without a count: %r" % (e,), slot)
        if not slot.mode:
            raise self.failure("ENOBUFS on a buffer-mode socket", slot)
        self.lost_reported += n
        if not slot.udp:
            if n > slot.outstanding:
                raise self.failure("ENOBUFS says %d bytes lost, only %d owed"
                                   % (n, slot.outstanding), slot)
            k = n
            while k:
                piece = slot.expect[0]
                take = min(k, len(piece) - slot.off)
                slot.off += take
                k -= take
                if slot.off == len(piece):
                    slot.expect.pop(0)
                    slot.off = 0
            slot.outstanding -= n
            slot.stream += n
            return
        owed = [len(d) for d in slot.expect[:12]]
        cut = slot.cut
        k = n - slot.cut
        slot.cut = 0
        while k > 0 and slot.expect:
            d = slot.expect.pop(0)
            slot.outstanding -= len(d)
            k -= len(d)
        if k:
            raise self.failure(
                "ENOBUFS says %d bytes lost: not the rest of a datagram (%d "
                "bytes cut) and whole datagrams (the oldest owed: %r%s)" % (
                    n, cut, owed, "..." if len(slot.expect) > 12 else ""),
                slot)

    def _recv_error(self, slot, e, timeout):
        kind = exc_kind(e)
        _count(self.exceptions, kind)
        if kind == "ENOBUFS":
            return self.lost(slot, e)
        if kind == "EAGAIN" and timeout == 0:
            return
        if kind == "ETIMEDOUT" and timeout:
            return
        raise self.failure("recv (timeout %r) raised %r" % (timeout, e), slot)

    def recv(self, slot, timeout=None, form=None):
        """One read of slot's socket, in one of its forms."""
        r = self.rng
        if timeout is None:
            if slot.outstanding or slot.remote_closed:
                timeout = r.pick((0, 0.05, 0.2, 0.5, 0.5, 0.5, 1.2))
            else:
                timeout = r.pick((0, 0, 0, 0.02))
        size = r.between(MAX_DGRAM, 2048) if slot.udp else r.pick(TCP_READS)
        if form is None:
            form = r.below(3)
        sock = slot.sock
        sock.settimeout(timeout)
        self.op(("recv", "recv_into", "recv_into view")[form])
        self.note("recv", slot, size)
        try:
            if form == 0:
                data = sock.recv(size)
            elif form == 1:
                n = sock.recv_into(self.rbuf, size)
                data = bytes(self.rbuf[:n])
            else:
                at = r.below(64)
                n = sock.recv_into(memoryview(self.rbuf)[at:], size)
                data = bytes(self.rbuf[at:at + n])
        except OSError as e:
            self._recv_error(slot, e, timeout)
            return None
        if not data:
            if not slot.remote_closed:
                raise self.failure("recv returned b'' (end of stream) on a "
                                   "socket nobody closed", slot)
            if slot.outstanding or slot.cut:
                raise self.failure("end of stream after a remote close with "
                                   "%d bytes owed (lost with no error)" %
                                   slot.outstanding, slot)
            self.op("recv at eof")
            return data
        self.got(slot, data)
        return data

    def drain(self, slot, limit_ms=10000):
        """Read until nothing is owed to slot (a remote-closed one: to its
        end of stream); what never comes within limit_ms is lost."""
        self.note("drain", slot, slot.outstanding)
        start = self.elapsed_ms()
        while slot.outstanding or slot.cut or slot.remote_closed:
            if self.elapsed_ms() - start > limit_ms:
                raise self.failure("lost: %d bytes (%d pieces) never came back "
                                   "within %d ms%s" % (
                                       slot.outstanding, len(slot.expect),
                                       limit_ms, " (a datagram cut, no ENOBUFS)"
                                       if slot.cut else ""), slot)
            data = self.recv(slot, timeout=0.5, form=self.rng.below(3))
            if data is not None and not data:
                break  # remote closed, everything read

    # -- operations ------------------------------------------------------------

    def open(self, slot):
        pool = self.pools[slot.mode]
        sock = pool.socket(pool.AF_INET, pool.SOCK_DGRAM if slot.udp
                           else pool.SOCK_STREAM)
        sock.settimeout(10)
        self.note("open", slot)
        try:
            sock.connect((ADDR, self.ports[slot.proto]))
        except Exception as e:
            raise self.failure("connect raised %r" % (e,), slot)
        slot.sock = sock
        slot.cid = sock.connect_id
        slot.reset()

    def close(self, slot):
        self.note("close", slot)
        try:
            slot.sock.close()
        except Exception as e:
            raise self.failure("close raised %r" % (e,), slot)
        slot.sock = None
        slot.cid = -1

    def reopen(self, slot):
        """Drain, close, open again: nothing owed may be left behind."""
        self.op("reopen")
        self.drain(slot)
        self.close(slot)
        self.open(slot)

    def send(self, slot, fail=False):
        n = self.send_size(slot)
        room = self.window - slot.outstanding
        if slot.udp and len(slot.expect) >= 16:
            room = 0
        if n > room and fail:
            self.drain(slot)  # the armed SEND FAIL must meet this send
            room = self.window
        if n > room:
            if room < 64:
                self.recv(slot)  # read first: the window is full
                return
            n = room
        data = self.payload(slot, n)
        self.op("send fail armed" if fail else "send")
        self.note("send fail" if fail else "send", slot, n)
        try:
            k = slot.sock.send(data)
        except Exception as e:
            kind = exc_kind(e)
            _count(self.exceptions, kind)
            if fail and kind == "SEND FAIL":
                return
            raise self.failure("send of %d bytes raised %r" % (n, e), slot)
        if fail:
            raise self.failure("SEND FAIL was armed, yet the send of %d bytes "
                               "succeeded" % n, slot)
        if k != n:
            raise self.failure("send returned %r for %d bytes" % (k, n), slot)
        slot.owe(data)
        slot.sent += n
        counts = self.bytes[slot.kind]
        counts[0] += n
        counts[2] += 1

    def oversize(self, slot):
        """A UDP send of more than one datagram: EMSGSIZE, nothing sent."""
        self.op("oversize send")
        self.note("oversize", slot)
        try:
            slot.sock.send(self.pattern[:MAX_DGRAM + 1 + self.rng.below(100)])
        except OSError as e:
            kind = exc_kind(e)
            _count(self.exceptions, kind)
            if kind == "EMSGSIZE":
                return
            raise self.failure("an oversized datagram raised %r" % (e,), slot)
        raise self.failure("a datagram over %d bytes was taken" % MAX_DGRAM,
                           slot)

    def send_closed(self, slot):
        """A send after the remote close: EPIPE before any byte goes (or,
        with the close not yet read, the module's own 567)."""
        self.op("send after close")
        self.note("send closed", slot)
        try:
            slot.sock.send(b"too late")
        except OSError as e:
            kind = exc_kind(e)
            _count(self.exceptions, kind)
            if kind == "EPIPE":
                return
            if kind == "ModemError 567":
                # the "closed" URC was still unread when the line went:
                # the module refused it (567: socket closed), nothing sent
                return
            raise self.failure("send after a remote close raised %r" % (e,),
                               slot)
        raise self.failure("send after a remote close succeeded", slot)

    def pending(self, slot):
        """The module's <sent> counter against the bytes sent without error."""
        self.op("counters")
        self.note("counters", slot)
        try:
            sent, acked, nacked = slot.sock.pending()
        except Exception as e:
            raise self.failure("pending() raised %r" % (e,), slot)
        if sent != slot.sent:
            raise self.failure("the module counts %d bytes sent, the driver "
                               "reported %d sent" % (sent, slot.sent), slot)
        if not slot.udp and acked + nacked != sent:
            raise self.failure("counters %r do not add up" % (
                (sent, acked, nacked),), slot)

    def state(self):
        """AT+QISTATE lists exactly the open sockets, in the right state."""
        self.op("sockets()")
        self.note("sockets")
        try:
            infos = self.modem.sockets()
        except Exception as e:
            raise self.failure("sockets() raised %r" % (e,))
        got = sorted((i.connect_id, i.state, i.service_type, i.access_mode)
                     for i in infos)
        want = sorted((s.cid, 4 if s.remote_closed else 2, s.proto, s.mode)
                      for s in self.slots if s.sock is not None)
        if got != want:
            raise self.failure("AT+QISTATE says %r, expected %r" % (got, want))

    def poll(self):
        self.op("poll")
        self.note("poll")
        self.modem.poll()

    # -- faults ------------------------------------------------------------------

    def fault(self):
        r = self.rng
        c = r.below(100)
        if c < 26:
            return self.f_urc()
        if c < 46:
            return self.f_delay()
        if c < 58:
            return self.f_send_fail()
        if c < 70:
            return self.f_buff_full()
        if c < 81:
            return self.f_push_burst()
        if c < 95:
            return self.f_remote_close()
        return self.f_late_close()

    def _fault(self, name, slot=None, value=0):
        _count(self.fault_counts, name)
        self._label = "fault " + name.split()[0]
        self.note("fault " + name, slot, value)

    def _live(self, test):
        found = [s for s in self.slots
                 if s.sock is not None and not s.remote_closed and test(s)]
        return self.rng.pick(found) if found else None

    def f_urc(self):
        r = self.rng
        at = r.pick(POINTS)
        on = None if at == "now" else r.pick(TARGETS)
        if at == "before_prompt":
            on = "AT+QISEND"  # (only a data-mode send has a prompt)
        slot = self._live(lambda s: s.mode == bc26.BUFFER)
        if slot is not None and r.below(3) == 0:
            # a spurious notice: the driver reads, finds "+QIRD: 0"
            line = '+QIURC: "recv",%d' % slot.cid
        else:
            line = r.pick(HARMLESS)
        self._fault("urc " + at)
        self.faults.urc(line, at, on)

    def f_delay(self):
        r = self.rng
        # within the driver's reply timeout (2 s): the driver must just wait
        ms = r.between(10, 120) if r.below(5) else r.between(120, 900)
        on = r.pick(TARGETS)
        self._fault("delay", None, ms)
        self.faults.delay(ms / 1000, on)

    def f_send_fail(self):
        slot = self._live(lambda s: True)
        if slot is None:
            return
        self._fault("send fail", slot)
        self.faults.send_fail()
        self.send(slot, fail=True)

    def f_buff_full(self):
        """The module's nodes filled on a drained buffer-mode socket: the
        synthetic data is owed in order after everything before it."""
        slot = self._live(lambda s: s.mode == bc26.BUFFER)
        if slot is None:
            return
        self.drain(slot)
        size = self.rng.between(1, MAX_DGRAM if slot.udp else 700)
        self._fault("buff full", slot, size)
        n = self.faults.fill(slot.cid, None, size)
        for k in range(n):
            slot.owe(bytes((65 + k % 26,)) * size)

    def f_push_burst(self):
        slot = self._live(lambda s: s.mode == bc26.DIRECT_PUSH)
        if slot is None:
            return
        self.drain(slot)
        size = self.rng.between(1, MAX_DGRAM)
        n = self.rng.between(1, max(1, min(MAX_NODES, self.window // size)))
        self._fault("push burst", slot, n * size)
        self.faults.fill(slot.cid, n, size)
        for k in range(n):
            slot.owe(bytes((65 + k % 26,)) * size)

    def f_remote_close(self):
        """The peer closes a TCP socket.  Buffer mode: after the echo of a
        last send has reached the module, whose buffer the close keeps --
        it must all be read before the end of stream."""
        slot = self._live(lambda s: not s.udp)
        if slot is None:
            return
        self.drain(slot)
        if slot.mode == bc26.BUFFER and self.rng.below(2):
            self.send(slot)
            start = self.elapsed_ms()
            while self.faults.module_bytes(slot.cid) < slot.outstanding:
                if self.elapsed_ms() - start > 10000:
                    raise self.failure("the echo never reached the module",
                                       slot)
                sleep_ms(5)
        self._fault("remote close", slot, slot.outstanding)
        self.faults.remote_close(slot.cid)
        slot.remote_closed = True

    def f_late_close(self):
        slot = self._live(lambda s: True)
        if slot is None:
            return
        ms = self.rng.between(20, 200)
        self._fault("late close ok", slot, ms)
        self.faults.late_close(ms / 1000)
        try:
            self.reopen(slot)
        finally:
            self.faults.late_close(0)

    # -- the run ------------------------------------------------------------------

    def one_step(self):
        """One step, its time counted to its kind (summary's "time_ms")."""
        start = ticks_ms()
        self._label = None
        try:
            self._one_step()
        finally:
            _count(self.step_ms, self._label or "nothing to do",
                   ticks_diff(ticks_ms(), start))

    def _one_step(self):
        self.step += 1
        r = self.rng
        r.seed(self._mix ^ ((self.step * 0x85EBCA77) & 0xFFFFFFFF))
        if r.below(100) < self.fault_percent:
            return self.fault()
        slot = r.pick(self.slots)
        if slot.remote_closed:
            c = r.below(10)
            if c < 3:
                return self.reopen(slot)
            if c < 7:
                return self.recv(slot)
            return self.send_closed(slot)
        c = r.below(100)
        if c < 38:
            return self.send(slot)
        if c < 76:
            return self.recv(slot)
        if c < 80:
            self.op("drain")
            return self.drain(slot)
        if c < 85:
            return self.pending(slot)
        if c < 89:
            return self.state()
        if c < 93:
            return self.poll()
        if c < 97:
            return self.reopen(slot)
        if slot.udp:
            return self.oversize(slot)
        return self.send(slot)

    def checkpoint(self, final=False):
        """Every socket drained; the module's view checked; memory sampled."""
        self.checkpoints += 1
        self.note("checkpoint", None, self.checkpoints)
        for slot in self.slots:
            if slot.remote_closed:
                # its end of stream stays where it is; nothing more is owed
                if slot.outstanding:
                    self.drain(slot)
            else:
                self.drain(slot)
        self.state()
        for slot in self.slots:
            if not slot.remote_closed:
                self.pending(slot)
        self.faults.tidy()
        if self.mem is None:
            return
        # what the receive buffers hold comes and goes with traffic,
        # bounded by rx_limit each: shown apart, the rest must stay flat
        rx = self.rx_held()
        used = self.mem() - rx
        self.rx_max = max(self.rx_max, rx)
        self.mem_samples += 1
        if self.mem_first is None:
            self.mem_first = used
        # the warm-up: a third of the run (at most 2 minutes), in which the
        # modules loaded on first use come in and each path runs once
        if self.mem_start is None and (final or self.elapsed_ms() >= self.warm_ms):
            self.mem_start = used
        if self.mem_start is not None:
            self.mem_max = used if self.mem_max is None else max(self.mem_max, used)
            self.mem_min = used if self.mem_min is None else min(self.mem_min, used)
        self.mem_end = used
        self._say("checkpoint %d at %.1f s: %d steps, memory %d" % (
            self.checkpoints, self.elapsed_ms() / 1000, self.step, used))

    def rx_held(self):
        """Bytes of the driver's receive buffers (direct push; buffer mode's
        for short reads) now: each at most rx_limit."""
        n = 0
        for slot in self.modem.proto.sockets:
            if slot.rx is not None:
                n += slot.rx.cap
        return n

    def run(self, seconds):
        self.t0 = ticks_ms()
        end = int(seconds * 1000)
        every = min(max(end // 10, 2000), 30000)
        self.warm_ms = min(end * 35 // 100, 120000)
        for slot in self.slots:
            self.open(slot)
        due = every
        self.failed = True
        try:
            while self.elapsed_ms() < end:
                if self.elapsed_ms() >= due:
                    self.checkpoint()
                    due = self.elapsed_ms() + every
                self.one_step()
            self.faults.clear()
            self.faults.late_close(0)
            self.checkpoint(final=True)
            for slot in self.slots:
                self.drain(slot)
                self.close(slot)
            left = self.modem.sockets()
            if left:
                raise self.failure("sockets left open after closing all: %r"
                                   % (left,))
            self.failed = False
        finally:
            self.seconds = self.elapsed_ms() / 1000

    def summary(self):
        owed = 0
        for slot in self.slots:
            owed += slot.outstanding
        return {
            "impl": self.impl, "seed": self.seed, "seconds": self.seconds,
            "steps": self.step, "checkpoints": self.checkpoints,
            "ops": self.ops, "faults": self.fault_counts,
            "exceptions": self.exceptions, "bytes": self.bytes,
            "time_ms": self.step_ms,
            "kinds": [s.kind for s in self.slots],
            "failed": self.failed, "lost": owed, "duplicated": self.duplicated,
            "lost_reported": self.lost_reported,
            "memory": {"first": self.mem_first, "start": self.mem_start,
                       "end": self.mem_end, "max": self.mem_max,
                       "min": self.mem_min, "samples": self.mem_samples,
                       "rx_max": self.rx_max},
        }


def format_summary(s, title, unit="bytes"):
    """The summary as printed lines."""
    def table(d):
        return ", ".join("%s %d" % (k, d[k]) for k in sorted(d)) or "none"
    m = s["memory"]
    lines = [
        "== %s: %.1f s, seed %d (%s), %d steps, %d checkpoints" % (
            title, s["seconds"], s["seed"], s["impl"], s["steps"],
            s["checkpoints"]),
        "   sockets: %s" % ", ".join(s["kinds"]),
        "   operations: %s" % table(s["ops"]),
        "   faults injected: %s" % table(s["faults"]),
        "   exceptions seen: %s" % table(s["exceptions"]),
        "   ms per kind of step: %s" % table(s.get("time_ms", {})),
    ]
    for kind in sorted(s["bytes"]):
        sent, got, sends, reads = s["bytes"][kind]
        lines.append("   %-10s sent %9d bytes in %6d sends, received %9d "
                     "bytes in %6d reads" % (kind, sent, sends, got, reads))
    if s.get("failed"):
        lines.append("   bytes owed when it failed %d (in flight, or lost), "
                     "duplicated %d, lost and reported (ENOBUFS) %d" % (
                         s["lost"], s["duplicated"], s["lost_reported"]))
    else:
        lines.append("   lost %d, duplicated %d, lost and reported (ENOBUFS) "
                     "%d" % (s["lost"], s["duplicated"], s["lost_reported"]))
    if m["start"] is not None:
        lines.append("   memory (%s, receive buffers apart): start %d (after "
                     "warm-up; first sample %d), end %d, min %d, max %d over %d "
                     "samples; receive buffers at most %d" % (
                         unit, m["start"], m["first"], m["end"], m["min"],
                         m["max"], m["samples"], m.get("rx_max", 0)))
    return lines


# -- faults: direct (CPython, emulator in process) or over a line protocol ----

class LocalFaults:
    """The fault API of an Emulator in this process."""

    def __init__(self, emu):
        self.emu = emu
        self.f = emu.faults

    def urc(self, line, at, on):
        self.f.inject_urc(line, at=at, on=on)

    def delay(self, seconds, on):
        self.f.delay_reply(seconds, on=on)

    def late_close(self, seconds):
        self.f.late_close_ok(seconds)

    def remote_close(self, cid):
        self.f.remote_close(cid)

    def send_fail(self):
        self.f.send_fail_next(1)

    def fill(self, cid, nodes, size):
        """Deliver synthetic nodes; nodes None: until the module's 20 are
        used.  Returns how many were delivered."""
        if nodes is None:
            nodes = MAX_NODES - len(self.emu.sockets()[cid]["nodes"])
        self.f.fill_buffer(cid, nodes=nodes, size=size)
        return nodes

    def module_bytes(self, cid):
        return sum(len(n) for n in self.emu.sockets()[cid]["nodes"])

    def clear(self):
        self.f.clear()

    def tidy(self):
        """The emulator's command log grows with every command: empty it
        (it lives in this process, and the soak measures its memory)."""
        del self.emu.log[:]


def quiet_echo_servers():
    """CPython: (TCP, UDP) loopback echo servers that keep no copy of what
    they echo, nor a list of their peers (the stock ones record both: a
    soak would measure that, and it reconnects all the time)."""
    from bc26.emulator.servers import TCPEchoServer, UDPEchoServer

    class QuietTCPEcho(TCPEchoServer):
        def _on_conn(self, conn):
            self.received = bytearray()  # (the base class appends to it)
            TCPEchoServer._on_conn(self, conn)

        def _note_peer(self, conn):
            pass

    class QuietUDPEcho(UDPEchoServer):
        def _on_listen(self, sock):
            self.received = []
            UDPEchoServer._on_listen(self, sock)

    return QuietTCPEcho(), QuietUDPEcho()


class FaultServer:
    """CPython: serves RemoteFaults' requests (one client) on 127.0.0.1 by
    calling a LocalFaults.  with FaultServer(LocalFaults(emu)) as srv: srv.port"""

    def __init__(self, local):
        from bc26.emulator.servers import OneClientServer
        self.local = local
        self.requests = 0
        self._server = OneClientServer(self._serve, ADDR)
        self.port = self._server.port

    def _serve(self, conn):
        for raw in conn.makefile("rb"):
            reply = self.handle(raw.decode("latin-1").rstrip("\n"))
            conn.sendall((reply + "\n").encode("latin-1"))

    def handle(self, line):
        self.requests += 1
        f = line.split("|")
        L = self.local

        def on(x):
            return None if x == "-" else x
        try:
            cmd = f[0]
            if cmd == "urc":
                value = L.urc(f[3], f[1], on(f[2]))
            elif cmd == "delay":
                value = L.delay(float(f[1]), on(f[2]))
            elif cmd == "late":
                value = L.late_close(float(f[1]))
            elif cmd == "rclose":
                value = L.remote_close(int(f[1]))
            elif cmd == "sendfail":
                value = L.send_fail()
            elif cmd == "fill":
                value = L.fill(int(f[1]), None if f[2] == "-" else int(f[2]),
                               int(f[3]))
            elif cmd == "nodes":
                value = L.module_bytes(int(f[1]))
            elif cmd == "clear":
                value = L.clear()
            elif cmd == "tidy":
                value = L.tidy()
            else:
                return "err|unknown request %r" % line
        except Exception as e:
            return "err|%r" % (e,)
        return "ok|%s" % ("" if value is None else value)

    def close(self):
        self._server.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class RemoteFaults:
    """The same methods as LocalFaults, asked of a FaultServer."""

    def __init__(self, host, port):
        import socket
        self.s = socket.socket()
        self.s.connect(socket.getaddrinfo(host, port)[0][-1])
        self._write = getattr(self.s, "sendall", None) or self.s.write

    def _ask(self, *parts):
        self._write(("|".join(parts) + "\n").encode())
        got = b""
        while not got.endswith(b"\n"):
            chunk = self.s.recv(256)
            if not chunk:
                raise OSError("the fault server went away")
            got += chunk
        reply = got.decode().rstrip("\n")
        if not reply.startswith("ok|"):
            raise RuntimeError("fault server: " + reply)
        return reply[3:]

    def urc(self, line, at, on):
        self._ask("urc", at, on or "-", line)

    def delay(self, seconds, on):
        self._ask("delay", "%.3f" % seconds, on or "-")

    def late_close(self, seconds):
        self._ask("late", "%.3f" % seconds)

    def remote_close(self, cid):
        self._ask("rclose", str(cid))

    def send_fail(self):
        self._ask("sendfail")

    def fill(self, cid, nodes, size):
        return int(self._ask("fill", str(cid), "-" if nodes is None
                             else str(nodes), str(size)))

    def module_bytes(self, cid):
        return int(self._ask("nodes", str(cid)))

    def clear(self):
        self._ask("clear")

    def tidy(self):
        self._ask("tidy")


def main():
    """MicroPython's unix port: argv host port fault_port tcp_port udp_port
    seed seconds [rx_capacity].  Prints progress, then "SOAK {json}"."""
    import gc
    import json
    import sys
    from sockuart import SocketUART

    a = sys.argv[1:]
    host, port, fport, tport, uport = a[0], int(a[1]), int(a[2]), int(a[3]), int(a[4])
    seed, seconds = int(a[5]), float(a[6])
    rx_capacity = int(a[7]) if len(a) > 7 else 1024  # a board's default
    # the kernel's default receive buffer: SocketUART's 2048-byte stand-in
    # for a UART's closes the TCP window whenever pushes outrun the reader,
    # and the emulator's side then waits for the kernel's zero-window probe
    # (200 ms and more) -- a third of the soak's time, and no UART does that
    modem = bc26.Modem(SocketUART(host, port, None), rx_capacity=rx_capacity)
    modem.start(timeout=20)
    faults = RemoteFaults(host, fport)

    def mem():
        gc.collect()
        return gc.mem_alloc()

    impl = "micropython %s" % ".".join(str(v) for v in sys.implementation.version[:3])
    soak = Soak(modem, faults, seed, tport, uport, window=WINDOW, mem=mem,
                log=print, impl=impl)
    try:
        soak.run(seconds)
    finally:
        print("SOAK " + json.dumps(soak.summary()))


if __name__ == "__main__":
    main()
