"""virtual_uart: the UART of the virtual board (`bc26 board`), for firmware
running on MicroPython's unix port.

`bc26 board` copies this file into the board's root and writes
virtual_board.json beside it (the emulator's address and the loopback
targets of boards/simpletest.py). On the board:

    from virtual_uart import UART
    uart = UART()                        # the board's BC26 (its emulator)
    uart = UART("socket://127.0.0.1:5000")   # or any `bc26 emulate --listen`

It behaves like machine.UART(..., timeout=0): readinto() and read() return
at once (None when nothing has arrived), write() sends everything, any()
says whether bytes are waiting, and wait(ms) sleeps until they come (the
bc26 Modem uses it instead of napping). It is also a stream: poll() and
asyncio.StreamReader(uart) work on it, because ioctl() hands select.poll
the socket's file descriptor (the unix port then waits in the kernel) and
answers readiness itself on ports that poll objects by asking them.

The name says what it is and stays clear of `machine`, `board` and
`busio`, so the same firmware can import the real ones on hardware.
"""

import io
import select
import socket

try:
    from os import getenv
except ImportError:  # a port without os.getenv: the file beside us only
    def getenv(name):
        return None

try:
    from micropython import const
except ImportError:
    def const(value):
        return value

CONFIG_FILE = "virtual_board.json"
# const: folded into the code on MicroPython (no globals, no interned names)
_SO_RCVBUF = const(8)  # Linux; the socket module does not export it
# select.POLLIN, POLLOUT, POLLHUP | POLLERR: MicroPython's values on every
# port (py/stream.h), and Linux's
_IN = const(1)
_OUT = const(4)
_GONE = const(0x18)
# ioctl requests of MicroPython's stream protocol (py/stream.h)
_STREAM_POLL = const(3)
_STREAM_CLOSE = const(4)
_STREAM_GET_FILENO = const(10)
_EINVAL = const(22)

_current = None  # the UART in use: a board has one UART to its module


def config():
    """The board's settings: {"uart": "socket://HOST:PORT", "targets": {...}}.

    Read from the file BC26_BOARD_CONFIG names (set by `bc26 board`), else
    virtual_board.json in the current folder."""
    import json

    path = getenv("BC26_BOARD_CONFIG") or CONFIG_FILE
    try:
        with open(path) as f:
            return json.load(f)
    except OSError:
        raise OSError("no %s: run this on `bc26 board`" % path)


def _address(url):
    """'socket://HOST:PORT' or 'HOST:PORT' -> (host, port)."""
    if url.startswith("socket://"):
        url = url[9:]
    host, _, port = url.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError("expected socket://HOST:PORT, got %r" % url)
    return host, int(port)


class UART(io.IOBase):
    """A TCP connection to the board's BC26 emulator, as a UART.

    The emulator powers the module on when the connection opens and off
    when it closes, so a new UART is a fresh boot; making one closes the
    previous (the emulator serves one connection at a time, a second
    would wait until the first is gone). rxbuf sizes the kernel's receive
    buffer, the stand-in for a UART's (None: the system default).
    """

    def __init__(self, url=None, rxbuf=2048):
        global _current
        if _current is not None:
            _current.close()
        host, port = _address(url or config()["uart"])
        sock = socket.socket()
        if rxbuf:
            sock.setsockopt(socket.SOL_SOCKET, _SO_RCVBUF, rxbuf)
        sock.connect(socket.getaddrinfo(host, port)[0][-1])
        sock.setblocking(False)
        self._sock = sock
        self._poll = select.poll()
        self._poll.register(sock, _IN)
        self._ready(0)  # ipoll's result tuple is made once, here
        _current = self

    def _ready(self, timeout_ms):
        """Events pending on the socket within timeout_ms (0 if none)."""
        if self._sock is None:
            return 0
        for _, ev in self._poll.ipoll(timeout_ms):
            return ev
        return 0

    # -- machine.UART -----------------------------------------------------

    def any(self):
        # The socket cannot say how many: 1 means "at least one byte".
        return 1 if self._ready(0) & _IN else 0

    def readinto(self, buf, nbytes=-1):
        """Bytes now waiting, at most nbytes, into buf; None if there are
        none, 0 once the emulator has closed the connection."""
        if not self._ready(0) & (_IN | _GONE):
            return None
        if nbytes < 0 or nbytes > len(buf):
            nbytes = len(buf)
        return self._sock.readinto(buf, nbytes)

    def read(self, nbytes=-1):
        """Bytes now waiting (all, or at most nbytes); None if there are
        none, b"" once the connection is closed."""
        if not self._ready(0) & (_IN | _GONE):
            return None
        if nbytes < 0:
            nbytes = 4096
        return self._sock.read(nbytes) or b""

    def readline(self):
        """What is waiting up to and with a newline (part of a line if the
        rest has not come yet); None if nothing, b"" once closed."""
        line = b""
        one = bytearray(1)
        while self._ready(0) & (_IN | _GONE):
            if not self._sock.readinto(one, 1):
                return line
            line += one
            if one[0] == 10:
                break
        return line or None

    def write(self, buf):
        """Send all of buf (waiting, at most 5 s a stall, while the socket's
        buffer is full); returns len(buf)."""
        total = len(buf)
        done = 0
        while done < total:
            n = self._sock.write(buf, done, total - done)
            if n:
                done += n
            elif not self._writable():
                raise OSError(32, "emulator connection lost")  # EPIPE
        return done

    def _writable(self):
        poll = self._poll
        poll.modify(self._sock, _OUT)
        ev = self._ready(5000)
        poll.modify(self._sock, _IN)
        return bool(ev & _OUT) and not ev & _GONE

    def wait(self, timeout_ms):
        """Sleep until bytes are waiting or timeout_ms passed; True if any."""
        return bool(self._ready(timeout_ms) & (_IN | _GONE))

    def flush(self):
        pass

    def close(self):
        global _current
        if self._sock is not None:
            self._poll.unregister(self._sock)
            self._sock.close()
            self._sock = None
        if _current is self:
            _current = None

    # -- stream protocol (select.poll, asyncio) ----------------------------

    def ioctl(self, request, arg):
        if request == _STREAM_GET_FILENO and self._sock is not None:
            return self._sock.fileno()  # the unix port polls the socket itself
        if request == _STREAM_POLL:
            ready = 0
            ev = self._ready(0)
            if arg & _IN and ev & (_IN | _GONE):
                ready |= _IN
            if arg & _OUT:
                ready |= _OUT  # write() waits for room itself
            return ready | (ev & _GONE)
        if request == _STREAM_CLOSE:
            self.close()
            return 0
        return -_EINVAL
