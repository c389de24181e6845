"""A fixed-size byte ring: the one buffer between the UART and the tokenizer.

Allocated once; feeding copies in, the tokenizer copies out. The C twin
(csrc/bc26_tok.c) keeps the same fields with the same meaning.
"""


class Ring:
    def __init__(self, capacity=4096):
        if capacity < 64:
            raise ValueError("capacity must be at least 64")
        self.buf = bytearray(capacity)
        self.cap = capacity
        self.head = 0   # index of the oldest unread byte
        self.count = 0  # unread bytes

    def free(self):
        return self.cap - self.count

    def clear(self):
        self.head = 0
        self.count = 0

    def write(self, data):
        """Copy as much of data as fits; return how many bytes were taken."""
        n = len(data)
        room = self.cap - self.count
        if n > room:
            n = room
        if n == 0:
            return 0
        buf = self.buf
        cap = self.cap
        tail = self.head + self.count
        if tail >= cap:
            tail -= cap
        first = cap - tail
        if first > n:
            first = n
        mv = memoryview(data)  # only now: an empty write allocates nothing
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

    def readinto(self, dst, n=None):
        """Move up to n (default len(dst)) bytes into dst; return the count."""
        if n is None or n > len(dst):
            n = len(dst)
        if n > self.count:
            n = self.count
        got = 0
        view = memoryview(self.buf)
        out = memoryview(dst)
        while got < n:
            k = self.cap - self.head
            if k > n - got:
                k = n - got
            out[got:got + k] = view[self.head:self.head + k]
            self.skip(k)
            got += k
        return got

    def find(self, byte, limit=None):
        """Offset of the first byte equal to byte (an int), or -1."""
        end = self.count if limit is None else min(limit, self.count)
        for i in range(end):
            if self.peek(i) == byte:
                return i
        return -1
