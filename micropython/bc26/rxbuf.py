"""A socket's receive buffer: payload frames are copied in, recv_into()
copies out, and on MicroPython neither allocates.

A slice of a memoryview is a new object on MicroPython, so copying part of
one buffer into part of another costs an allocation.  Its streams do not:
write(buf, off, n) and readinto(buf, n) take the range as numbers, so an
io.BytesIO over a fixed bytearray is a ring with C-speed copies and no
garbage.  CPython's BytesIO takes no such arguments; there memoryview
slices do the same job (allocations do not matter on a host).

Allocated when a socket needs it (direct push: at open) and dropped with
the socket.
"""

import io


# Do the streams take a range (write(buf, off, n))?
try:
    io.BytesIO(bytearray(1)).write(b"x", 0, 1)
    _RANGES = True
except TypeError:  # CPython
    _RANGES = False


class RxBuffer:
    def __init__(self, capacity):
        if capacity < 16:
            raise ValueError("rx_capacity must be at least 16")
        self.cap = capacity
        # MicroPython: BytesIO(n) preallocates n bytes (BytesIO(bytearray)
        # would copy it, twice the memory for a moment)
        self._io = io.BytesIO(capacity if _RANGES else bytearray(capacity))
        self.head = 0   # offset of the oldest unread byte
        self.count = 0  # unread bytes

    def free(self):
        return self.cap - self.count

    def clear(self):
        self.head = 0
        self.count = 0

    def put(self, src, start, n):
        """Copy as much of src[start:start + n] as fits; return the count."""
        room = self.cap - self.count
        if n > room:
            n = room
        if n <= 0:
            return 0
        tail = self.head + self.count
        if tail >= self.cap:
            tail -= self.cap
        first = self.cap - tail
        if first > n:
            first = n
        self._copy_in(tail, src, start, first)
        if n > first:
            self._copy_in(0, src, start + first, n - first)
        self.count += n
        return n

    def write(self, data):
        return self.put(data, 0, len(data))

    def _copy_in(self, at, src, start, n):
        f = self._io
        f.seek(at)
        if _RANGES:
            f.write(src, start, n)
        else:
            f.write(memoryview(src)[start:start + n])

    def unput(self, n):
        """Take back the n newest bytes (a partial datagram given up)."""
        self.count -= n if n < self.count else self.count

    def skip(self, n):
        """Drop the n oldest unread bytes (what a datagram had beyond the
        caller's buffer)."""
        if n > self.count:
            n = self.count
        if n <= 0:
            return
        self.head += n
        if self.head >= self.cap:
            self.head -= self.cap
        self.count -= n
        if self.count == 0:
            self.head = 0

    def peek(self):
        """The unread bytes as bytes, left unread (allocates: for tests)."""
        f = self._io
        f.seek(self.head)
        first = self.cap - self.head
        if first >= self.count:
            return f.read(self.count)
        data = f.read(first)
        f.seek(0)
        return data + f.read(self.count - first)

    def readinto(self, dst, n=None):
        """Move up to n bytes (default len(dst)) into dst from its start;
        return the count."""
        if n is None or n > len(dst):
            n = len(dst)
        if n > self.count:
            n = self.count
        if n <= 0:
            return 0
        f = self._io
        f.seek(self.head)
        first = self.cap - self.head
        if first >= n:
            _copy_out(f, dst, n)
        else:  # across the end of the ring: the second run needs a slice
            _copy_out(f, dst, first)
            f.seek(0)
            _copy_out(f, memoryview(dst)[first:], n - first)
        self.head += n
        if self.head >= self.cap:
            self.head -= self.cap
        self.count -= n
        if self.count == 0:
            self.head = 0  # data read as it comes is then never split
        return n


def _copy_out(f, dst, n):
    if _RANGES:
        f.readinto(dst, n)
    else:
        f.readinto(memoryview(dst)[:n])
