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


class Ring:
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
