"""The C tokenizer twin (csrc/bc26_tok.c through cffi), with exactly the
interface of the pure-Python twin in bc26/tokenizer.py; see its docstring.

Frames are produced in batches: one C call tokenizes everything buffered
and next() hands the frames out one by one.  What makes it fast is that
next() does no work of its own: a batch becomes three iterators (kinds,
frames, remainings) zipped together, and all the frames of a batch are
made by one call of a builtin, never one Python call per frame.  The C
side lays the frames out back to back in an arena:

- in a batch without payloads each frame is followed by LF, and one
  bytes.split(b"\\n") makes them all (a line never holds CR or LF);
- a batch with payloads has no LF between frames and comes with a struct
  format written by the C side ("12s512s2s..."): one struct.unpack_from()
  cuts every frame.

So frames are bytes here (the Python twin hands out memoryviews); both are
valid until the next call of next(), and both compare and slice alike.

The C side tokenizes ahead without committing, so the Python twin's
observable behaviour is kept exactly:

- feed() and free() first commit the frames handed out so far, so ring
  space is freed when, and only when, the Python twin would free it;
- once a batch is used up, feed() copies the bytes and tokenizes the next
  batch in the same C call (it commits nothing of it: that waits for the
  frames to be handed out);
- a batch that ends in NONE is made untrue by bytes fed before that NONE
  was handed out: the NONE is dropped, the frames before it are kept, and
  the next batch runs in next(), because only next() may take the bytes
  the C side read towards that NONE (the Python twin takes them there);
- a batch without frames is one NONE, committed once handed out;
- configure() with a new setting drops the frames not yet handed out (and
  any line read ahead) and tokenizes them again under the new setting, as
  the Python twin would have read them only after the change.
- skip() drops the frames not yet handed out in the same way, then drops
  the bytes it skips (the unread ones in the C ring at once, later ones as
  they are fed) and tokenizes what follows them.

Settings are changed with configure(); the hex_recv, showlength and
push_mask setters here call it (the Python twin's are plain attributes).
"""
from itertools import repeat
from operator import length_hint
from struct import unpack_from

from .._ctok import ffi, lib
from ..tokenizer import skip_count

NONE = 0
LINE = 1
PROMPT = 2
PAYLOAD = 3

_BATCH = 256          # frames per C call
_EMPTY = b""
_NO_FRAME = (_EMPTY,)
_ONE_NONE = b"\x00"   # the kinds of a batch that is one NONE
# bc26_batch_run() returns one word: entries | flags | size << shift
_ENTRIES = lib.BC26_RUN_ENTRIES
_PAYLOADS = lib.BC26_RUN_PAYLOADS
_REMAINING = lib.BC26_RUN_REMAINING
_WITH_NONE = lib.BC26_RUN_NONE
_SIZE_SHIFT = lib.BC26_RUN_SIZE_SHIFT


def _single_bytes(data):
    """Any buffer of single bytes (strided too) as bytes; the count must be
    of bytes, not of wider items, so anything else is refused."""
    view = memoryview(data)
    if view.itemsize != 1 or view.ndim != 1:
        raise TypeError("feed() takes a flat buffer of single bytes, not "
                        "format %r of %d dimensions" % (view.format, view.ndim))
    return view.tobytes()


class Tokenizer:
    # frame, remaining: the last frame handed out.  _it yields the entries
    # of the batch in hand, zipped from _kit (kinds; its length_hint counts
    # what is left), _fit (frames) and _rit (remainings); _n entries in
    # all, _kinds their kinds.  _none: the batch ends in a NONE (which a
    # feed may make untrue).  _stale: such a NONE was dropped, and the
    # next batch must run in next(), not in feed().
    __slots__ = ("frame", "remaining", "_it", "_kit", "_fit", "_rit",
                 "_kinds", "_n", "_none", "_stale", "_b", "_keep", "_took",
                 "_kind_buf", "_rem_view", "_arena_buf", "_arena_view",
                 "_fmt_buf", "_hex_recv", "_showlength", "_push_mask")

    def __init__(self, capacity=4096, frame_max=1536):
        if frame_max < 64:
            raise ValueError("frame_max must be at least 64")
        if capacity < 64:
            raise ValueError("capacity must be at least 64")
        if capacity > 1 << 30 or frame_max > 1 << 30:
            raise ValueError("capacity and frame_max must be at most 2**30")
        b = self._b = ffi.new("bc26_batch *")
        # Room for one ring of bytes plus a half-read frame carried over:
        # a batch then stops at NONE (or a full table), never for want of
        # arena.
        room = capacity + 2 * frame_max + 1
        ring = ffi.new("uint8_t[]", capacity)
        kind = ffi.new("uint8_t[]", _BATCH + 1)
        rem = ffi.new("uint32_t[]", _BATCH + 1)
        end = ffi.new("uint32_t[]", _BATCH + 1)
        consumed = ffi.new("size_t[]", _BATCH + 1)
        after = ffi.new("bc26_tok_state[]", _BATCH + 1)
        arena = ffi.new("uint8_t[]", room)
        fmt_cap = lib.BC26_FMT_ENTRY * (_BATCH + 1)
        fmt = ffi.new("char[]", fmt_cap)
        # cdata arrays live as long as the tokenizer
        self._keep = (ring, kind, rem, end, consumed, after, arena, fmt)
        b.frame_max = frame_max
        b.cap = _BATCH
        b.kind = kind
        b.remaining = rem
        b.end = end
        b.consumed = consumed
        b.after = after
        b.arena = arena
        b.arena_cap = room
        b.fmt = fmt
        b.fmt_cap = fmt_cap
        lib.bc26_ring_init(ffi.addressof(b, "ring"), ring, capacity)
        lib.bc26_tok_init(ffi.addressof(b, "tok"))
        lib.bc26_batch_clear(b)
        # the table and buffers read in place
        self._kind_buf = ffi.buffer(kind)
        self._rem_view = memoryview(ffi.buffer(rem)).cast("I")
        self._arena_buf = ffi.buffer(arena)
        self._arena_view = memoryview(self._arena_buf)
        self._fmt_buf = ffi.buffer(fmt)
        self._took = ffi.new("size_t[1]")
        self._hex_recv = 0
        self._showlength = 0
        self._push_mask = 0
        self._forget()
        self.frame = _EMPTY
        self.remaining = 0

    def _forget(self):
        """No entries in hand."""
        self._stale = False
        self._n = 0
        self._none = False
        self._kinds = _EMPTY
        self._kit = iter(_EMPTY)
        self._fit = self._rit = self._it = self._kit

    def _handed_out(self):
        """Entries of the current batch that next() has returned."""
        return self._n - length_hint(self._kit)

    def reset(self):
        """Forget buffered bytes and any half-read frame (after a reboot)."""
        lib.bc26_batch_clear(self._b)
        self._forget()
        self.frame = _EMPTY
        self.remaining = 0

    def configure(self, hex_recv=None, showlength=None, push_mask=None):
        h = self._hex_recv if hex_recv is None else (1 if hex_recv else 0)
        s = self._showlength if showlength is None else (1 if showlength else 0)
        p = self._push_mask if push_mask is None else push_mask & 31
        if h == self._hex_recv and s == self._showlength and p == self._push_mask:
            return
        # frames read ahead under the old setting are read again
        lib.bc26_batch_drop(self._b, self._handed_out())
        self._forget()
        self._hex_recv = h
        self._showlength = s
        self._push_mask = p
        lib.bc26_tok_configure(ffi.addressof(self._b, "tok"), h, s, p)

    def skip(self, n):
        """Discard the next n bytes of the stream without framing them (a
        data-mode echo): the bytes fed but not framed yet first, then the
        next ones fed.  The space of a '> ' prompt just handed out is the
        prompt's, not one of the n, even when it is fed later.  Framing
        goes on after them as it stood."""
        if not skip_count(n):
            return
        # frames read ahead may lie in the bytes skipped: read them again
        lib.bc26_batch_skip(self._b, self._handed_out(), n)
        self._forget()

    @property
    def skipping(self):
        """Bytes skip() still discards from what is fed next."""
        return self._b.ring.discard

    @property
    def hex_recv(self):
        return self._hex_recv

    @hex_recv.setter
    def hex_recv(self, value):
        self.configure(hex_recv=value)

    @property
    def showlength(self):
        return self._showlength

    @showlength.setter
    def showlength(self, value):
        self.configure(showlength=value)

    @property
    def push_mask(self):
        return self._push_mask

    @push_mask.setter
    def push_mask(self, value):
        self.configure(push_mask=value)

    # the frame is buf[start:start + length], as in the Python twin
    start = 0

    @property
    def buf(self):
        return self.frame

    @property
    def length(self):
        return len(self.frame)

    def release(self):
        """Nothing to do: feed() copies the bytes at once."""

    def feed(self, data, n=-1):
        if type(data) is not bytes:  # cffi takes bytes as they are
            data = _single_bytes(data)
        if 0 <= n < len(data):
            data = data[:n]
        left = length_hint(self._kit)  # self._handed_out(), inlined
        if left or self._stale:
            # frames are left, or a dropped NONE's bytes wait for next():
            # commit the frames handed out, so their bytes are free, then
            # copy, and let next() run the next batch
            k = self._n - left
            took = lib.bc26_batch_feed(self._b, k, data, len(data))
            if took and self._none:
                self._stale_none(k)
            return took
        # the batch is used up: copy, and tokenize the next one at once
        self._take(lib.bc26_batch_feed_run(self._b, self._n, data, len(data),
                                           self._took))
        return self._took[0]

    def _stale_none(self, k):
        """Bytes came after a batch that ended in NONE, before that NONE was
        handed out: it is no longer true.  Keep the frames not yet handed
        out and drop it; the next batch goes on from there."""
        self._none = False
        n = self._n - 1  # k <= n: the NONE itself is not handed out yet
        # what the batch read past its last frame, towards that NONE, is
        # taken when next() goes on, as the Python twin takes it: no batch
        # may run (and commit it) in feed() before then
        self._stale = True
        # the frame and remaining iterators stand at entry k already
        kit = self._kit = iter(self._kinds[k:n])
        self._it = zip(kit, self._fit, self._rit)
        self._n = n

    def free(self):
        return lib.bc26_batch_free(self._b, self._handed_out())

    def next(self):
        for kind, self.frame, self.remaining in self._it:
            return kind
        return self._refill()

    def _refill(self):
        """The entries in hand are used up: tokenize the next batch."""
        self._take(lib.bc26_batch_run(self._b))
        for kind, self.frame, self.remaining in self._it:
            return kind

    def _take(self, word):
        """Set up the iterators over the batch that word describes (what
        bc26_batch_run() returned); next() hands its entries out."""
        n = word & _ENTRIES
        if n == 0:
            # no frame: a batch of one NONE.  Once handed out, the next
            # feed, free, configure or next commits it (those are the only
            # ways to see the ring); a feed before that makes it untrue, as
            # any NONE ending a batch
            n = 1
            word = _WITH_NONE
            kinds = _ONE_NONE
            frames = _NO_FRAME
        else:
            kinds = self._kind_buf[:n]
            if word & _PAYLOADS:
                fmt = self._fmt_buf[:word >> _SIZE_SHIFT]
                frames = unpack_from(fmt, self._arena_view)
            else:
                frames = self._arena_buf[:word >> _SIZE_SHIFT].split(b"\n")
        self._stale = False
        self._n = n
        self._none = word & _WITH_NONE
        self._kinds = kinds
        kit = self._kit = iter(kinds)  # a bytes iterator has a length_hint
        fit = self._fit = iter(frames)
        # the remainings are read from the table lazily: it stays as it is
        # until this batch is used up and the next one runs
        rit = self._rit = (iter(self._rem_view[:n]) if word & _REMAINING
                           else repeat(0))
        self._it = zip(kit, fit, rit)
