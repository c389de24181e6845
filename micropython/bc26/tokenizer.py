"""The pure-Python tokenizer twin: UART bytes in, frames out.

Interface (the C twin in csrc/ implements exactly this):

    tok = Tokenizer(capacity=4096, frame_max=1536)
    tok.feed(data[, n]) -> bytes of data[0:n] accepted (n: len(data));
                      the rest must be fed again later.  The Python twin
                      may read the bytes in place: data[0:n] must not
                      change until next() returns NONE or release() is
                      called (the C twin copies them at once)
    tok.release()  -> copy what is unread of fed buffers: the caller may
                      reuse them (the C twin has nothing to do)
    tok.next()     -> NONE (need more bytes), LINE, PROMPT or PAYLOAD
    tok.buf, tok.start, tok.length
                   -> the frame is buf[start:start + length]; read it in
                      place, without a slice, on the hot path.  A LINE is
                      valid until next(); a PAYLOAD until next(), feed()
                      or release() -- the Python twin may hand it out of
                      the fed buffer itself, so also only while the caller
                      leaves that buffer alone.
    tok.frame      -> the frame as bytes (a copy: convenient, it allocates)
    tok.remaining  -> after a LINE: payload bytes announced by it (0 for a
                      plain line); after a PAYLOAD: bytes still to come in
                      later PAYLOAD frames (0 = this frame ends the payload)
                      After NONE, the frame and remaining mean nothing.
    tok.free()     -> bytes feed() would accept now
    tok.reset()    -> forget buffered bytes and any half-read frame
    tok.skip(n)    -> discard the next n bytes of the stream unframed (the
                      data-mode echo of a payload): those fed but not framed
                      yet first, then the next ones fed; framing then goes on
                      as it stood.  Calls add up.  The space of a '> ' prompt
                      just handed out is not one of the n, even when it comes
                      later.  Skipped bytes count as taken by feed() and need
                      no room (free() leaves them out)
    tok.skipping   -> bytes skip() still discards from what is fed next
    tok.configure(hex_recv, showlength, push_mask)
                      the only way to change a setting (tok.hex_recv,
                      tok.showlength and tok.push_mask are to read)

Frames:
  LINE     one line without its end (CR, LF or any mix; blank lines vanish).
           Echo lines (``AT...``) are lines like any other.
  PROMPT   the data-mode ``>`` at the start of a line (no line end follows;
           one space after it is swallowed).
  PAYLOAD  counted data announced by the LINE just before it:
           ``+QIRD: <n>[,<rem>]`` (buffer mode) or, for a socket in direct push
           mode (bit id of push_mask), ``+QIURC: "recv",<id>,<n>``.  The data
           is taken by count, never scanned: on the next line (exactly one
           line end after the header), after a comma (viewmode 1; the header
           LINE then stops before that comma), or quoted after a comma
           (``"recv",0,4,"54657374"``; quoted text or quoted hex digits).
           In hex mode (recv dataformat 1) 2n digits are decoded to n bytes.
           Payloads longer than frame_max come as several frames.
Lines longer than frame_max are cut; the rest of the line is dropped.
"""

try:
    from sys import implementation as _impl
    # A slice of a memoryview is a new object on MicroPython: there a piece
    # of payload is gathered byte by byte, allocating nothing; on CPython a
    # slice costs nothing that matters and is far faster.
    _BY_SLICE = _impl.name == "cpython"
    del _impl
except ImportError:
    _BY_SLICE = False

try:
    from micropython import const
except ImportError:  # CPython
    def const(x):
        return x

NONE = const(0)
LINE = const(1)
PROMPT = const(2)
PAYLOAD = const(3)

_START = const(0)     # at a line start: skip line ends, spot the prompt
_LINE = const(1)      # inside a line
_EOL_LF = const(2)    # a counted header ended in CR: an LF may follow
_INLINE = const(3)    # a counted header ended in a comma: is the data quoted?
_DATA = const(4)      # copying a counted payload
_CLOSE_QUOTE = const(5)

_CR = const(13)
_LF = const(10)
_COMMA = const(44)
_QUOTE = const(34)
_PROMPT_CHAR = const(62)
_SPACE = const(32)

_QIRD = b"+QIRD: "
_RECV = b'+QIURC: "recv",'

# Hex digit values; 16 = not a digit (decoded as 0 by & 15, so both twins
# agree).
_HEX = bytearray(b"\x10" * 256)
for _i in range(10):
    _HEX[48 + _i] = _i
for _i in range(6):
    _HEX[65 + _i] = 10 + _i
    _HEX[97 + _i] = 10 + _i
del _i


def _number(buf, start, end):
    """Decimal value of buf[start:end], or -1 if it is not all digits."""
    if start >= end or end - start > 9:
        return -1
    v = 0
    for i in range(start, end):
        c = buf[i] - 48
        if c < 0 or c > 9:
            return -1
        v = v * 10 + c
    return v


def skip_count(n):
    """skip()'s argument, checked (both twins): True if there is any."""
    if not isinstance(n, int):
        raise TypeError("skip() takes an int")
    if n < 0:
        raise ValueError("skip() takes a count >= 0")
    return n > 0


class Ring:
    """The tokenizer's byte ring: where UART bytes wait to be framed.

    When the ring is empty, feeding does not copy: the ring *borrows* the
    caller's buffer (alias) and frames are read from it in place, so the usual
    UART read costs no copy and no allocation.  Only bytes still unread when
    the next feed comes (or when the caller takes its buffer back, release())
    are copied into the ring's own storage, at the same offsets.  That storage
    is allocated the first time it is needed (once), so a driver whose reads
    are framed in place never carries it.
    The C twin (csrc/bc26_tok.c) keeps head/count with the same meaning; its
    ring always copies.
    """

    def __init__(self, capacity=4096):
        if capacity < 64:
            raise ValueError("capacity must be at least 64")
        self.own = None       # own storage, allocated on first need
        self.size = capacity  # own capacity: what free() counts against
        self.buf = None       # the bytes read: own storage or a borrowed one
        self.cap = capacity   # where head wraps in buf
        self.head = 0         # index of the oldest unread byte
        self.count = 0        # unread bytes

    def free(self):
        return self.size - self.count

    def clear(self):
        self.buf = self.own
        self.cap = self.size
        self.head = 0
        self.count = 0

    def alias(self, data, n):
        """Read data[0:n] in place (the ring is empty, n <= size)."""
        self.buf = data
        self.cap = self.size  # offsets as if the bytes were copied in
        self.head = 0
        self.count = n

    def release(self):
        """Stop borrowing: copy what is unread into own storage, at the
        same offsets (so the frames read so far stay where they were)."""
        if self.buf is self.own:
            return
        h = self.head
        n = self.count
        if n:
            if self.own is None:
                self.own = bytearray(self.size)
            self.own[h:h + n] = memoryview(self.buf)[h:h + n]
        self.buf = self.own

    def write(self, data, n):
        """Copy as much of data[0:n] as fits; return how many bytes were taken."""
        room = self.size - self.count
        if n > room:
            n = room
        if n == 0:
            return 0
        self.release()
        if self.own is None:
            self.own = bytearray(self.size)
            self.buf = self.own
        buf = self.own
        cap = self.size
        tail = self.head + self.count
        if tail >= cap:
            tail -= cap
        first = cap - tail
        if first > n:
            first = n
        mv = memoryview(data)
        buf[tail:tail + first] = mv[:first]
        if n > first:
            buf[0:n - first] = mv[first:n]
        self.count += n
        return n

    def peek(self, i):
        """The byte i places after the head (the caller checks i < count)."""
        j = self.head + i
        if j >= self.cap:
            j -= self.cap
        return self.buf[j]

    def skip(self, n):
        self.head += n
        if self.head >= self.cap:
            self.head -= self.cap
        self.count -= n


class Tokenizer:
    _skip = 0  # bytes still to discard as they are fed (a class default:
    #            no table entry on a board until echomode needs one)

    def __init__(self, capacity=4096, frame_max=1536):
        if frame_max < 64:
            raise ValueError("frame_max must be at least 64")
        self.ring = Ring(capacity)
        self.out = bytearray(frame_max)
        self.hex_recv = 0  # (the frame's fields: reset() sets them)
        self.showlength = 0
        self.push_mask = 0
        self.reset()

    def reset(self):
        """Forget buffered bytes and any half-read frame (after a reboot)."""
        self.ring.clear()
        self.buf = self.out
        self.start = 0
        self.length = 0
        self.remaining = 0
        self._state = _START
        self._swallow_space = False
        self._left = 0        # payload bytes (decoded) still to copy
        self._hex = False     # current payload is hex digits
        self._quoted = False  # current payload ends with a quote
        self._piece = 0       # payload bytes already in out for this frame
        self._commas = 0
        if self._skip:
            self._skip = 0

    def configure(self, hex_recv=None, showlength=None, push_mask=None):
        if hex_recv is not None:
            self.hex_recv = 1 if hex_recv else 0
        if showlength is not None:
            self.showlength = 1 if showlength else 0
        if push_mask is not None:
            self.push_mask = push_mask & 31

    def feed(self, data, n=-1):
        if n < 0:
            n = len(data)
        if n == 0:
            return 0  # before any check: an empty read allocates nothing
        t = type(data)
        # type checks by identity: a tuple of types would be built per call
        if not (t is bytearray or t is bytes or t is memoryview):
            data = memoryview(data)  # TypeError for what is no buffer
            if getattr(data, "itemsize", 1) != 1:
                raise TypeError("feed() takes a buffer of single bytes")
        elif t is memoryview and getattr(data, "itemsize", 1) != 1:
            raise TypeError("feed() takes a buffer of single bytes")
        ring = self.ring
        if ring.count == 0:
            skip = self._skip
            if skip:  # never with unread bytes: skip() takes them first
                # skip() has bytes to discard (the ring is empty)
                if self._swallow_space:
                    self._swallow_space = False
                    if data[0] == _SPACE:
                        # the prompt's space: not one of the skipped bytes
                        skip += 1
                if skip >= n:
                    self._skip = skip - n
                    return n
                self._skip = 0
                if n <= ring.size:
                    # what follows the skipped bytes is framed in place,
                    # as usual
                    ring.alias(data, n)
                    ring.skip(skip)
                    return n
                # a read longer than the ring: copy what fits after the
                # skipped bytes
                return skip + ring.write(memoryview(data)[skip:], n - skip)
            # the usual case: frame the caller's bytes in place
            if n > ring.size:
                n = ring.size
            ring.alias(data, n)
            return n
        return ring.write(data, n)

    def skip(self, n):
        """Discard the next n bytes of the stream without framing them (a
        data-mode echo): the bytes fed but not framed yet first, then the
        next ones fed.  The space of a '> ' prompt just handed out is the
        prompt's, not one of the n, even when it is fed later.  Framing
        goes on after them as it stood."""
        if not skip_count(n):
            return
        ring = self.ring
        if self._swallow_space and ring.count:
            # the space after '>' is the prompt's: the skipped bytes follow
            # it (with nothing fed yet, the first byte fed decides)
            self._swallow_space = False
            if ring.peek(0) == _SPACE:
                ring.skip(1)
        k = ring.count
        if k > n:
            k = n
        if k:
            ring.skip(k)
        self._skip += n - k

    @property
    def skipping(self):
        """Bytes skip() still discards from what is fed next."""
        return self._skip

    def release(self):
        self.ring.release()

    def free(self):
        return self.ring.free()

    @property
    def frame(self):
        s = self.start
        return bytes(memoryview(self.buf)[s:s + self.length])

    # -- header recognition ------------------------------------------------

    def _header(self, commas, eol):
        """Payload length announced by the line in out[:length], or -1.

        commas: how many commas out[:length] holds.  eol: the line ended
        there; otherwise it stopped at a comma, where inline data starts
        only if the header has all its fields."""
        out = self.out
        n = self.length
        if n > 7 and out[1] == 81 and out.find(_QIRD, 0, 7) == 0:
            need = 1 + self.showlength  # <n>[,<remaining>]
            have = commas + 1
            if have > need or (not eol and have != need):
                return -1
            start = 7
        elif n > 15 and out[1] == 81 and out.find(_RECV, 0, 15) == 0:
            if commas != 2 or not self.push_mask:  # "recv",<id>,<n>
                return -1
            comma = out.find(b",", 15, n)
            cid = _number(out, 15, comma)
            if cid < 0 or cid > 4 or not (self.push_mask >> cid) & 1:
                return -1
            start = comma + 1
        else:
            return -1
        value = -1
        while start <= n:
            end = out.find(b",", start, n)
            if end < 0:
                end = n
            v = _number(out, start, end)
            if v < 0:
                return -1
            if value < 0:
                value = v
            start = end + 1
        # AT+QIRD never returns more than 512 bytes: a longer "length" is a
        # damaged header, and taking it by count would swallow the replies
        if out[3] == 82 and value > 512:
            return -1
        return value if value > 0 else -1

    def _start_payload(self, n, hexdata, quoted):
        self._left = n
        self._hex = hexdata
        self._quoted = quoted
        self._piece = 0
        self.remaining = n
        self._state = _DATA

    # -- the step function -------------------------------------------------

    def next(self):
        ring = self.ring
        buf = ring.buf
        out = self.out
        omax = len(out)
        while True:
            st = self._state
            if st == _START:
                # line ends skipped with the ring's cursor in locals (a call
                # per byte would cost more than the rest of the line)
                h = ring.head
                left = ring.count
                cap = ring.cap
                c = 0
                while left:
                    c = buf[h]
                    if c != _CR and c != _LF:
                        break
                    h += 1
                    if h == cap:
                        h = 0
                    left -= 1
                ring.head = h
                ring.count = left
                if left == 0:
                    return NONE
                if c == _SPACE and self._swallow_space:
                    self._swallow_space = False
                    ring.skip(1)
                    continue
                self._swallow_space = False
                if c == _PROMPT_CHAR:
                    ring.skip(1)
                    self._swallow_space = True
                    self.buf = out
                    self.start = 0
                    self.length = 0
                    return PROMPT
                self.buf = out
                self.start = 0
                self.length = 0
                self.remaining = 0
                self._commas = 0
                self._state = _LINE
            elif st == _LINE:
                n = self.length
                commas = self._commas
                # the ring's cursor in locals: this loop runs once a byte
                h = ring.head
                left = ring.count
                cap = ring.cap
                while left:
                    c = buf[h]
                    h += 1
                    if h == cap:
                        h = 0
                    left -= 1
                    if c == _CR or c == _LF:
                        ring.head = h
                        ring.count = left
                        self.length = n
                        count = self._header(commas, True)
                        if count > 0:
                            self._start_payload(count, self.hex_recv, False)
                            if c == _CR:
                                self._state = _EOL_LF
                        else:
                            self._state = _START
                        return LINE
                    if c == _COMMA and n < 40 and out[0] == 43:
                        self.length = n
                        count = self._header(commas, False)
                        if count > 0:
                            ring.head = h
                            ring.count = left
                            self._start_payload(count, self.hex_recv, False)
                            self._state = _INLINE
                            return LINE
                        commas += 1
                    if n < omax:
                        out[n] = c
                        n += 1
                ring.head = h
                ring.count = 0
                self.length = n
                self._commas = commas
                return NONE
            elif st == _EOL_LF:
                if ring.count == 0:
                    return NONE
                if buf[ring.head] == _LF:
                    ring.skip(1)
                self._state = _DATA
            elif st == _INLINE:
                kind = self._inline_kind()
                if kind < 0:
                    return NONE
                if kind > 0:
                    ring.skip(1)  # the opening quote
                    self._quoted = True
                    if kind == 2:
                        self._hex = True
                self._state = _DATA
            elif st == _DATA:
                if self._copy_payload(out, omax):
                    return PAYLOAD
                return NONE
            else:  # _CLOSE_QUOTE
                if ring.count == 0:
                    return NONE
                if buf[ring.head] == _QUOTE:
                    ring.skip(1)
                self._state = _START

    def _inline_kind(self):
        """0 raw, 1 quoted as configured, 2 quoted hex; -1 wait for bytes."""
        ring = self.ring
        if ring.count == 0:
            return -1
        if ring.peek(0) != _QUOTE:
            return 0
        if self._hex:
            return 1
        n = self._left
        # Raw text may start with a quote: it is quoted only when a closing
        # quote (text) or more hex digits (hex) stand where raw data would
        # be followed by its line end.
        if n + 2 > ring.size:
            return 0
        if ring.count < n + 2:
            return 0 if ring.count == ring.size else -1
        c = ring.peek(n + 1)
        if c == _QUOTE:
            return 1
        if _HEX[c] < 16:
            return 2
        return 0

    def _copy_payload(self, out, omax):
        """A payload frame from the ring; True when one is ready.

        A frame is the whole payload or a piece of frame_max bytes.  When
        it lies in the ring in one run, it is handed out in place (no copy,
        no allocation); otherwise its bytes are gathered in out as they
        come, one by one: a slice would allocate on MicroPython."""
        ring = self.ring
        n = self._piece
        left = self._left
        k = left if left < omax else omax
        if (not self._hex and n == 0 and ring.count >= k
                and ring.head + k <= ring.cap):
            # the frame lies in the ring in one run: handed out in place
            self.buf = ring.buf
            self.start = ring.head
            ring.skip(k)
            n = k
            left -= k
        else:
            buf = ring.buf
            if self._hex:
                while left and n < omax and ring.count >= 2:
                    out[n] = ((_HEX[ring.peek(0)] & 15) << 4
                              | _HEX[ring.peek(1)] & 15)
                    ring.skip(2)
                    n += 1
                    left -= 1
            else:
                h = ring.head
                cap = ring.cap
                k = ring.count
                if k > left:
                    k = left
                if k > omax - n:
                    k = omax - n
                ring.count -= k
                left -= k
                if _BY_SLICE:
                    while k:  # at most twice: the ring may wrap
                        run = cap - h if h + k > cap else k
                        out[n:n + run] = memoryview(buf)[h:h + run]
                        n += run
                        h += run
                        if h == cap:
                            h = 0
                        k -= run
                else:
                    while k:  # the cursor in locals: this runs once a byte
                        out[n] = buf[h]
                        n += 1
                        h += 1
                        if h == cap:
                            h = 0
                        k -= 1
                ring.head = h
            if left and n < omax:
                self._left = left
                self._piece = n
                return False
            self._piece = 0
            self.buf = out
            self.start = 0
        # the frame is ready: n bytes, left still to come
        self._left = left
        self.length = n
        self.remaining = left
        if left == 0:
            self._state = _CLOSE_QUOTE if self._quoted else _START
        return True
