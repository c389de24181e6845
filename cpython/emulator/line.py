"""The module's UART as the host sees it: a pseudo-terminal or a TCP port.

Both directions can be paced at baud/10 bytes per second (8N1), so a host
sees the same timing as on a real wire: the emulator reads the host's bytes
no faster than they would arrive and writes its own no faster than they
would leave.
"""
import os
import pty
import socket
import time
import tty

_LEAD = 0.004          # how far ahead of the wire clock we may write (s)
_SLACK = 0.02          # a wire clock further behind than this was idle
# Bytes kept for a host that does not read (pty). Every send() is one whole
# frame (an echo, a reply's information lines, a result line, a URC, a pushed
# payload with its header). A frame that does not fit is dropped whole, as a
# full UART FIFO without flow control would lose new output, and what is
# queued stays intact: a host that resumes reading sees only whole frames.
# Dropping, not holding: holding would need every producer to stop, and the
# only unbounded one (direct push) already pauses at PUSH_BACKLOG.
_TX_CAP = 1 << 20


class Line:
    """Common part: pacing, buffering, watches. Subclasses do the I/O."""

    def __init__(self, loop, baud, on_rx, on_connect, on_disconnect):
        self.loop = loop
        self.rate = baud / 10.0 if baud else 0.0
        self._chunk = max(1, int(self.rate * 0.005)) if self.rate else 65536
        self.on_rx = on_rx
        self.on_connect = on_connect
        self.on_disconnect = on_disconnect
        self.connected = False
        self._tx = bytearray()
        self.dropped = 0  # frames dropped at _TX_CAP
        self._tx_clock = 0.0
        self._rx_clock = 0.0
        self._tx_timer = None
        self._rx_timer = None
        self._want_write = False
        self._rx_paused = False

    # -- subclass interface ---------------------------------------------
    fileobj = None

    def _read(self, n):
        raise NotImplementedError

    def _write(self, data):
        raise NotImplementedError

    # -- output -----------------------------------------------------------
    def send(self, data):
        """Queue one frame for the host; dropped when nobody is connected
        or when it does not fit under _TX_CAP (see there)."""
        if not self.connected or not data:
            return
        if len(self._tx) + len(data) > _TX_CAP:
            self.dropped += 1
            return
        if not self._tx and self.rate:
            # An idle line starts now: no credit for the quiet time.
            self._tx_clock = max(self._tx_clock, time.monotonic())
        self._tx += data
        if self._tx_timer is None and not self._want_write:
            self._flush()

    def pending(self):
        return len(self._tx)

    def _flush(self):
        self._tx_timer = None
        while self._tx and self.connected:
            n = len(self._tx)
            if self.rate:
                now = time.monotonic()
                # Behind by a little: a late timer, catch up. Far behind: idle.
                if self._tx_clock < now - _SLACK:
                    self._tx_clock = now
                ahead = self._tx_clock - now
                if ahead > _LEAD:
                    self._tx_timer = self.loop.call_later(ahead - _LEAD, self._flush)
                    self._set_write(False)
                    return
                n = min(n, self._chunk)
            try:
                k = self._write(bytes(self._tx[:n]))
            except (BlockingIOError, InterruptedError):
                k = 0
            except OSError:
                self._lost()
                return
            if not k:
                self._set_write(True)
                return
            del self._tx[:k]
            if self.rate:
                self._tx_clock += k / self.rate
        self._set_write(False)

    def _set_write(self, on):
        if on != self._want_write:
            self._want_write = on
            self._rewatch()

    # -- input ------------------------------------------------------------
    def _on_readable(self):
        n = 65536
        if self.rate:
            now = time.monotonic()
            if self._rx_clock < now - _SLACK:
                self._rx_clock = now
            ahead = self._rx_clock - now
            if ahead > _LEAD:
                # Bytes the wire has not delivered yet: come back later.
                self._rx_paused = True
                self._rewatch()
                self._rx_timer = self.loop.call_later(ahead - _LEAD, self._resume_rx)
                return
            n = self._chunk
        try:
            data = self._read(n)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._lost()
            return
        if self.rate:
            self._rx_clock += len(data) / self.rate
        self.on_rx(data)

    def _resume_rx(self):
        self._rx_timer = None
        self._rx_paused = False
        self._rewatch()

    def _rewatch(self):
        if self.fileobj is None:
            return
        read = None if self._rx_paused or not self.connected else self._on_readable
        write = self._flush if (self._want_write and self.connected) else None
        self.loop.watch(self.fileobj, read, write)

    def _reset(self):
        self._tx.clear()
        for t in (self._tx_timer, self._rx_timer):
            if t:
                t.cancel()
        self._tx_timer = self._rx_timer = None
        self._want_write = False
        self._rx_paused = False

    def _lost(self):
        pass

    def close(self):
        self._reset()
        if self.fileobj is not None:
            self.loop.unwatch(self.fileobj)


class PtyLine(Line):
    """A pseudo-terminal in raw mode; the host opens .path (the slave)."""

    def open(self):
        self.master, self.slave = pty.openpty()
        # Raw on the slave side: no CR/LF mapping, no echo by the kernel.
        tty.setraw(self.slave)
        os.set_blocking(self.master, False)
        self.path = os.ttyname(self.slave)
        self.url = self.path
        self.fileobj = self.master
        self.connected = True
        self._rewatch()
        self.on_connect()

    def _read(self, n):
        return os.read(self.master, n)

    def _write(self, data):
        return os.write(self.master, data)

    def _lost(self):
        # We hold the slave open ourselves, so EOF/EIO only means "no
        # reader yet": drop what is queued, keep serving.
        self._tx.clear()
        self._set_write(False)

    def close(self):
        Line.close(self)
        self.connected = False
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


class TcpLine(Line):
    """A TCP port (pyserial socket:// URL); one client at a time.

    Further clients wait in the listen backlog until the current one leaves,
    so a host reconnecting quickly never races the old connection.
    """

    def open(self, host, port):
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind((host, port))
        self.lsock.listen(4)
        self.lsock.setblocking(False)
        self.address = self.lsock.getsockname()[:2]
        self.url = "socket://%s:%d" % self.address
        self.sock = None
        self.loop.watch(self.lsock, read=self._accept)

    def _accept(self):
        try:
            sock, _ = self.lsock.accept()
        except (BlockingIOError, InterruptedError):
            return
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.loop.unwatch(self.lsock)
        self.sock = self.fileobj = sock
        self.connected = True
        self._rewatch()
        self.on_connect()

    def _read(self, n):
        return self.sock.recv(n)

    def _write(self, data):
        return self.sock.send(data)

    def _lost(self):
        if self.sock is None:
            return
        self.loop.unwatch(self.sock)
        self.sock.close()
        self.sock = self.fileobj = None
        self.connected = False
        self._reset()
        self.loop.watch(self.lsock, read=self._accept)
        self.on_disconnect()

    def close(self):
        if self.sock is not None:
            self.loop.unwatch(self.sock)
            self.sock.close()
            self.sock = self.fileobj = None
        self._reset()
        self.connected = False
        self.loop.unwatch(self.lsock)
        self.lsock.close()
