"""The C tokenizer twin (csrc/bc26_tok.c through cffi), with exactly the
interface of the pure-Python twin in bc26/tokenizer.py; see its docstring.

Frames are produced in batches: one C call tokenizes everything buffered
and next() hands the frames out one by one.  What makes it fast is that
next() does no work of its own: a batch becomes three iterators (kinds,
frames, remainings) zipped together, and the frames are made by C-level
builtins, never one Python call per frame:

- the C side writes every frame into one buffer, each followed by LF: a
  LINE with its bytes (a line never holds CR or LF), a PROMPT or a PAYLOAD
  empty; so one bytes.split(b"\\n") makes the whole list of frames;
- PAYLOAD frames lie back to back in a second buffer: each is cut from one
  bytes copy of it and put in its place in that list (a few per batch, and
  each hundreds of bytes).

Frames are therefore bytes (the Python twin hands out memoryviews); both
are valid until the next call of next(), and both compare and slice alike.

The C side tokenizes ahead without committing, so the Python twin's
observable behaviour is kept exactly:

- feed() and free() first commit the frames handed out so far, so ring
  space is freed when, and only when, the Python twin would free it;
- configure() with a new setting drops the frames not yet handed out (and
  any line read ahead) and tokenizes them again under the new setting, as
  the Python twin would have read them only after the change.
"""
from itertools import repeat
from operator import length_hint

from .._ctok import ffi, lib

NONE = 0
LINE = 1
PROMPT = 2
PAYLOAD = 3

_BATCH = 256          # frames per C call
_EMPTY = b""


class Tokenizer:
    __slots__ = ("frame", "remaining", "_it", "_kit", "_fit", "_rit", "_kinds",
                 "_n", "_none", "_b", "_keep", "_u8", "_kind_buf", "_rem_view",
                 "_lines_buf", "_data_buf", "_dindex", "_dstart", "_dend", "_hex_recv",
                 "_showlength", "_push_mask")

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
        # lines or data room.
        room = capacity + 2 * frame_max + 1
        ring = ffi.new("uint8_t[]", capacity)
        kind = ffi.new("uint8_t[]", _BATCH + 1)
        rem = ffi.new("uint32_t[]", _BATCH + 1)
        consumed = ffi.new("size_t[]", _BATCH + 1)
        after = ffi.new("bc26_tok_state[]", _BATCH + 1)
        lines = ffi.new("uint8_t[]", room)
        data = ffi.new("uint8_t[]", room)
        dindex = ffi.new("uint32_t[]", _BATCH)
        dstart = ffi.new("uint32_t[]", _BATCH)
        dend = ffi.new("uint32_t[]", _BATCH)
        self._keep = (ring, kind, rem, consumed, after, lines, data, dindex,
                      dstart, dend)  # cdata arrays live as long as the tokenizer
        b.frame_max = frame_max
        b.cap = _BATCH
        b.kind = kind
        b.remaining = rem
        b.consumed = consumed
        b.after = after
        b.lines = lines
        b.lines_cap = room
        b.data = data
        b.data_cap = room
        b.data_index = dindex
        b.data_start = dstart
        b.data_end = dend
        lib.bc26_ring_init(ffi.addressof(b, "ring"), ring, capacity)
        lib.bc26_tok_init(ffi.addressof(b, "tok"))
        lib.bc26_batch_clear(b)
        # the table and buffers read in place
        self._kind_buf = ffi.buffer(kind)
        self._rem_view = memoryview(ffi.buffer(rem)).cast("I")
        self._lines_buf = ffi.buffer(lines)
        self._data_buf = ffi.buffer(data)
        self._dindex = memoryview(ffi.buffer(dindex)).cast("I")
        self._dstart = memoryview(ffi.buffer(dstart)).cast("I")
        self._dend = memoryview(ffi.buffer(dend)).cast("I")
        self._u8 = ffi.typeof("uint8_t[]")
        self._hex_recv = 0
        self._showlength = 0
        self._push_mask = 0
        self._forget()
        self.frame = _EMPTY
        self.remaining = 0

    def _forget(self):
        """No entries in hand."""
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
        if type(data) is not bytes:  # cffi takes bytes as they are
            data = ffi.from_buffer(self._u8, data)
        took = lib.bc26_batch_feed(self._b, k, data, len(data))
        if took and self._none:
            self._stale_none(k)
        return took

    def _stale_none(self, k):
        """Bytes came after a batch that ended in NONE, before that NONE was
        handed out: it is no longer true.  Keep the frames not yet handed
        out and drop it; the next batch goes on from there."""
        self._none = False
        n = self._n - 1
        if k > n:
            return  # the NONE itself was handed out: nothing to keep
        # the frame and remaining iterators stand at entry k already
        kit = self._kit = iter(self._kinds[k:n])
        self._it = zip(kit, self._fit, self._rit)
        self._n = n

    def free(self):
        return lib.bc26_batch_free(self._b, self._n - length_hint(self._kit))

    def next(self):
        for kind, self.frame, self.remaining in self._it:
            return kind
        return self._refill()

    def _refill(self):
        """The entries in hand are used up: tokenize the next batch."""
        b = self._b
        n = lib.bc26_batch_run(b)
        if n == 0:  # no frame: tok and ring already stand at the NONE
            self._forget()
            return NONE
        self._n = n
        kinds = self._kinds = self._kind_buf[:n]
        self._none = kinds[-1] == NONE
        kit = self._kit = iter(kinds)  # a bytes iterator has a length_hint
        frames = self._lines_buf[:b.lines_used].split(b"\n")
        m = b.payloads
        if m:  # payloads stand in as empty pieces: put their bytes there
            data = self._data_buf[:b.data_used]
            for i, start, end in zip(self._dindex[:m], self._dstart[:m],
                                     self._dend[:m]):
                frames[i] = data[start:end]
        fit = self._fit = iter(frames)
        rit = self._rit = (iter(self._rem_view[:n]) if b.any_remaining
                           else repeat(0))
        self._it = zip(kit, fit, rit)
        return self.next()
