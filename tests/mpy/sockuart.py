"""SocketUART: a machine.UART look-alike over a TCP socket, so the driver can
run on MicroPython's unix port against the emulator (`bc26 emulate --listen`).

    uart = SocketUART("127.0.0.1", port)
    modem = bc26.Modem(uart)

Once set up, readinto/write/any/wait allocate no heap: one poll object is
registered once and asked through ipoll() (poll() builds a list), readiness
is known before a read or write so EAGAIN never becomes an OSError (an
exception allocates), and partial writes resume by offset, not by slicing.
"""

import select
import socket

_SO_RCVBUF = 8  # Linux; the socket module does not export it
_IN = select.POLLIN
_OUT = select.POLLOUT
_GONE = select.POLLHUP | select.POLLERR


class SocketUART:
    """write(buf), readinto(buf[, nbytes]), any(), wait(ms), close().

    Like machine.UART with timeout=0: readinto never waits and returns None
    when nothing has arrived. rxbuf sizes the kernel's receive buffer, the
    stand-in for the UART's (None leaves the system default).
    """

    def __init__(self, host, port, rxbuf=2048):
        sock = socket.socket()
        if rxbuf:
            sock.setsockopt(socket.SOL_SOCKET, _SO_RCVBUF, rxbuf)
        sock.connect(socket.getaddrinfo(host, port)[0][-1])
        sock.setblocking(False)
        self._sock = sock
        self._poll = select.poll()
        self._poll.register(sock, _IN)
        self._ready(0)  # ipoll's result tuple is made on first use

    def _ready(self, timeout_ms):
        """Events pending on the socket within timeout_ms (0 if none)."""
        for _, ev in self._poll.ipoll(timeout_ms):
            return ev
        return 0

    def any(self):
        # Like some machine.UART ports: 1 means "at least one byte".
        return 1 if self._ready(0) & _IN else 0

    def readinto(self, buf, nbytes=-1):
        if not self._ready(0) & _IN:
            return None
        if nbytes < 0 or nbytes > len(buf):
            nbytes = len(buf)
        # Non-blocking stream read: takes what is there, at most nbytes;
        # 0 means the emulator closed the connection.
        n = self._sock.readinto(buf, nbytes)
        return n

    def write(self, buf):
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
        """Wait (up to 5 s) until the socket takes bytes; False if it never
        will. Listens for POLLOUT only for the wait."""
        poll = self._poll
        poll.modify(self._sock, _OUT)
        ev = self._ready(5000)
        poll.modify(self._sock, _IN)
        return bool(ev & _OUT) and not ev & _GONE

    def wait(self, timeout_ms):
        """Block until bytes are waiting or timeout_ms passed; True if any.

        bc26.Modem calls this, when present, instead of napping 1 ms."""
        return bool(self._ready(timeout_ms) & _IN)

    def flush(self):
        pass

    def close(self):
        if self._sock is not None:
            self._poll.unregister(self._sock)
            self._sock.close()
            self._sock = None
