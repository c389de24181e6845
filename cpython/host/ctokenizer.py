"""The C tokenizer twin (csrc/bc26_tok.c through cffi), with exactly the
interface of the pure-Python twin in bc26/tokenizer.py; see its docstring.

Frames are produced in batches: one C call tokenizes everything buffered
into a frame table, and next() hands the frames out one by one.  The C side
tokenizes ahead without committing, so the Python twin's observable
behaviour is kept exactly:

- feed() and free() first commit the frames handed out so far, so ring
  space is freed when, and only when, the Python twin would free it;
- configure() with a new setting drops the frames not yet handed out (and
  any line read ahead) and tokenizes them again under the new setting, as
  the Python twin would have read them only after the change.

After next() returns NONE, frame, length and remaining are the Python
twin's too (the line read so far, or the last frame).
"""
from operator import length_hint

from .._ctok import ffi, lib

NONE = 0
LINE = 1
PROMPT = 2
PAYLOAD = 3

_BATCH = 256          # frames per C call
_ST_LINE = 1          # bc26_tok.c: inside a line
_ST_DATA = 4          # bc26_tok.c: copying a payload
_NO_KINDS = b""       # no entries in hand


class Tokenizer:
    __slots__ = ("frame", "remaining", "_it", "_kit", "_n", "_none", "_pos", "_cap",
                 "_frame_max", "_arena_cap", "_buf", "_arena", "_mv", "_pbuf",
                 "_parena", "_ring", "_tok", "_batch", "_arrays", "_kinds",
                 "_ends", "_rems", "_u8", "_hex_recv",
                 "_showlength", "_push_mask")

    def __init__(self, capacity=4096, frame_max=1536):
        if frame_max < 64:
            raise ValueError("frame_max must be at least 64")
        if capacity < 64:
            raise ValueError("capacity must be at least 64")
        if capacity > 1 << 30 or frame_max > 1 << 30:
            raise ValueError("capacity and frame_max must be at most 2**30")
        self._cap = capacity
        self._frame_max = frame_max
        # Room for one ring of bytes plus a half-read frame carried over:
        # a batch then stops at NONE, never for want of arena.
        self._arena_cap = capacity + 2 * frame_max
        self._buf = bytearray(capacity)
        self._arena = bytearray(self._arena_cap)
        self._mv = memoryview(self._arena)
        self._u8 = ffi.typeof("uint8_t[]")
        self._pbuf = ffi.from_buffer(self._u8, self._buf)
        self._parena = ffi.from_buffer(self._u8, self._arena)
        self._ring = ffi.new("bc26_ring *")
        self._tok = ffi.new("bc26_tok *")
        b = self._batch = ffi.new("bc26_batch *")
        kind = ffi.new("uint8_t[]", _BATCH + 1)
        start = ffi.new("uint32_t[]", _BATCH + 1)
        end = ffi.new("uint32_t[]", _BATCH + 1)
        rem = ffi.new("uint32_t[]", _BATCH + 1)
        consumed = ffi.new("size_t[]", _BATCH + 1)
        after = ffi.new("bc26_tok_state[]", _BATCH + 1)
        self._arrays = (kind, start, end, rem, consumed, after)  # kept alive
        b.cap = _BATCH
        b.kind = kind
        b.start = start
        b.end = end
        b.remaining = rem
        b.consumed = consumed
        b.after = after
        # the table read in place: iterating these slices makes the ints
        self._kinds = memoryview(ffi.buffer(kind)).cast("B")
        self._ends = memoryview(ffi.buffer(end)).cast("I")
        self._rems = memoryview(ffi.buffer(rem)).cast("I")
        lib.bc26_ring_init(self._ring, self._pbuf, capacity)
        lib.bc26_tok_init(self._tok)
        self._hex_recv = 0
        self._showlength = 0
        self._push_mask = 0
        self.reset()

    def _forget(self):
        self._n = 0
        self._none = False
        self._kit = iter(_NO_KINDS)
        self._it = self._kit

    def _stale_none(self, k):
        """Bytes came after a batch that ended in NONE, before that NONE was
        handed out: it is no longer true.  Keep the frames not yet handed
        out and drop it; the next batch goes on from there."""
        self._none = False
        n = self._n - 1
        kit = self._kit = iter(self._kinds[k:n].tobytes())
        self._it = zip(kit, self._ends[k:n], self._rems[k:n])
        self._n = n

    def _handed_out(self):
        """Entries of the current batch that next() has returned."""
        return self._n - length_hint(self._kit)

    def reset(self):
        """Forget buffered bytes and any half-read frame (after a reboot)."""
        lib.bc26_batch_drop(self._tok, self._ring, self._batch, self._parena, 0)
        lib.bc26_ring_clear(self._ring)
        lib.bc26_tok_reset(self._tok)
        self._forget()
        self.frame = self._mv[:0]
        self.remaining = 0

    def configure(self, hex_recv=None, showlength=None, push_mask=None):
        h = self._hex_recv if hex_recv is None else (1 if hex_recv else 0)
        s = self._showlength if showlength is None else (1 if showlength else 0)
        p = self._push_mask if push_mask is None else push_mask & 31
        if h == self._hex_recv and s == self._showlength and p == self._push_mask:
            return
        # frames read ahead under the old setting are read again
        lib.bc26_batch_drop(self._tok, self._ring, self._batch, self._parena,
                            self._handed_out())
        self._forget()
        self._hex_recv = h
        self._showlength = s
        self._push_mask = p
        lib.bc26_tok_configure(self._tok, h, s, p)

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

    @property
    def length(self):
        return len(self.frame)

    def feed(self, data):
        # commit the frames handed out, so their bytes are free, then copy
        k = self._n - length_hint(self._kit)
        took = lib.bc26_batch_feed(self._tok, self._ring, self._batch,
                                   self._parena, k,
                                   ffi.from_buffer(self._u8, data), len(data))
        if took and self._none and k < self._n:
            self._stale_none(k)
        return took

    def free(self):
        return lib.bc26_batch_free(self._tok, self._ring, self._batch,
                                   self._parena,
                                   self._n - length_hint(self._kit))

    def next(self):
        # frames lie back to back in the arena: each starts where the last ended
        for kind, end, self.remaining in self._it:
            self.frame = self._mv[self._pos:end]
            self._pos = end
            return kind
        return self._refill()

    def _refill(self):
        """The entries in hand are used up: tokenize the next batch."""
        n = lib.bc26_tok_batch(self._tok, self._ring, self._parena,
                               self._arena_cap, self._frame_max, self._batch)
        if n == 0:  # no frame: t and the ring already stand at the NONE
            self._forget()
            s = self._tok.s
            self.remaining = s.remaining
            state = s.state
            if state == _ST_LINE:  # the twin's frame: the line so far
                self.frame = self._mv[:s.length]
            elif state == _ST_DATA and s.piece:
                # the twin's frame: a payload piece half copied over the
                # last frame, whose tail is still intact in the arena
                piece = s.piece
                if piece >= s.length:
                    self.frame = self._mv[:s.length]
                else:
                    self.frame = memoryview(bytearray(self._mv[:piece])
                                            + self.frame[piece:])
            return NONE
        self._n = n
        kinds = self._kinds[:n].tobytes()
        self._none = kinds[-1] == NONE
        kit = self._kit = iter(kinds)  # a bytes iterator has a length_hint
        self._it = zip(kit, self._ends[:n], self._rems[:n])
        self._pos = 0
        return self.next()
