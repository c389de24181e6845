"""VirtualUART: a non-blocking machine.UART look-alike for the virtual board
(tests/mpy/board.mjs), on top of the JS module ``jsuart`` that board.mjs
registers. Bytes cross the JS boundary as hex strings, which allocates:
``allocated`` counts the bytes this UART's own calls allocate, so that a
measurement of the driver can take them off (tests/bench/wasm_heap.mjs).
A machine.UART on a board has no such cost."""

from binascii import hexlify, unhexlify
from gc import mem_alloc

import jsuart

sleep_ms = jsuart.sleep_ms
ticks_ms = jsuart.ticks_ms
_TICKS_MASK = 0x3FFFFFFF  # jsuart.ticks_ms wraps like time.ticks_ms


class VirtualUART:
    """write(buf), readinto(buf[, nbytes]), read([n]), any(), wait(ms), flush().

    Like machine.UART with timeout=0: reads never wait and return None when
    nothing has arrived. any() has to read to know, so received bytes wait
    in a receive buffer allocated once (rxbuf bytes, as machine.UART's).
    """

    def __init__(self, rxbuf=1024):
        self.allocated = 0  # heap bytes the calls below allocated, in all
        self._buf = bytearray(rxbuf)
        self._start = 0
        self._end = 0

    def _fill(self):
        buf = self._buf
        if self._start == self._end:
            self._start = self._end = 0
        elif self._end == len(buf) and self._start:
            # Move the unread tail to the front (bytearray has no del [:n]).
            n = self._end - self._start
            buf[0:n] = buf[self._start:self._end]
            self._start, self._end = 0, n
        room = len(buf) - self._end
        if room:
            h = jsuart.read(room)
            if h:
                data = unhexlify(h)
                buf[self._end:self._end + len(data)] = data
                self._end += len(data)

    def _any(self):
        self._fill()
        return self._end - self._start

    def _readinto(self, buf, nbytes=None):
        self._fill()
        n = self._end - self._start
        if not n:
            return None
        want = len(buf) if nbytes is None else min(nbytes, len(buf))
        if n > want:
            n = want
        buf[0:n] = self._buf[self._start:self._start + n]
        self._start += n
        return n

    def _read(self, nbytes=-1):
        self._fill()
        n = self._end - self._start
        if not n:
            return None
        if nbytes is not None and 0 <= nbytes < n:
            n = nbytes
        data = bytes(self._buf[self._start:self._start + n])
        self._start += n
        return data

    def _write(self, buf):
        n = jsuart.write(hexlify(buf).decode())
        if n < len(buf):
            err = jsuart.error()
            if err and not n:
                raise OSError("uart write failed: %s" % err)
        return n

    # The public calls: each counts what it allocates (mem_alloc() returns
    # a small int: the count itself allocates nothing).
    def any(self):
        a = mem_alloc()
        n = self._any()
        self.allocated += mem_alloc() - a
        return n

    def readinto(self, buf, nbytes=None):
        a = mem_alloc()
        n = self._readinto(buf, nbytes)
        self.allocated += mem_alloc() - a
        return n

    def read(self, nbytes=-1):
        a = mem_alloc()
        data = self._read(nbytes)
        self.allocated += mem_alloc() - a
        return data

    def write(self, buf):
        a = mem_alloc()
        n = self._write(buf)
        self.allocated += mem_alloc() - a
        return n

    def wait(self, timeout_ms):
        """Block until bytes are waiting or timeout_ms passed; True if any.

        bc26.Modem calls this, when present, instead of napping 1 ms."""
        a = mem_alloc()
        t0 = ticks_ms()
        ready = True
        while not self._any():
            if (ticks_ms() - t0) & _TICKS_MASK >= timeout_ms:
                ready = False
                break
            sleep_ms(1)
        self.allocated += mem_alloc() - a
        return ready

    def flush(self):
        pass
