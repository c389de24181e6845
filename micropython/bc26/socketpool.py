"""Sockets in the CircuitPython socketpool shape, on the module's TCP/IP stack.

    pool = SocketPool(modem)
    s = pool.socket(pool.AF_INET, pool.SOCK_STREAM)
    s.settimeout(10)
    s.connect(("example.com", 80))

adafruit_requests, adafruit_minimqtt and umqtt run on it unchanged: a
timeout raises OSError(ETIMEDOUT, "timed out"), a non-blocking socket with
nothing to read raises OSError(EAGAIN, ...), both with .errno set.
"""

from .operations import EAGAIN, ENOBUFS, _restarted
from .state import BUFFER, DIRECT_PUSH, CONNECTED

_ENOTCONN = 107
_EBADF = 9
_EINVAL = 22


def timeout_ms(value):
    """A socket timeout in seconds (None: no limit; 0: never wait) as ms,
    checked; the sockets of bc26.aio take theirs through it too."""
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError("timeout must be None or a number")
        if not value >= 0:  # NaN too
            raise ValueError("timeout must be None or >= 0")
        return int(value * 1000)
    return None


class SocketPool:
    AF_INET = 2
    SOCK_STREAM = 1
    SOCK_DGRAM = 2
    IPPROTO_TCP = 6
    IPPROTO_UDP = 17
    TCP_NODELAY = 1
    SOL_SOCKET = 0xFFF
    SO_REUSEADDR = 4
    EAI_NONAME = -2

    def __init__(self, modem, access_mode=BUFFER):
        """access_mode: BUFFER (0, flow-controlled, the default) or
        DIRECT_PUSH (1, no AT+QIRD round trips) for new sockets."""
        if access_mode not in (BUFFER, DIRECT_PUSH) or \
                isinstance(access_mode, bool):
            raise ValueError("access_mode must be BUFFER (0) or DIRECT_PUSH (1)")
        self.modem = modem
        self.access_mode = access_mode

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        if isinstance(port, str) and port.isdigit():
            port = int(port)  # as socket.getaddrinfo takes it
        if isinstance(port, str):
            raise ValueError("port must be a number: no service names")
        if isinstance(port, bool) or not isinstance(port, int):
            raise TypeError("port must be an int")
        if not 0 <= port <= 65535:
            raise ValueError("port must be 0-65535")
        if family not in (0, self.AF_INET):
            raise ValueError("only AF_INET is supported")
        if type not in (0, self.SOCK_STREAM, self.SOCK_DGRAM):
            raise ValueError("type must be SOCK_STREAM or SOCK_DGRAM")
        kind = type or self.SOCK_STREAM
        ips = self.modem.resolve(host)
        return [(self.AF_INET, kind, proto, "", (ip, port)) for ip in ips]

    def socket(self, family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None):
        if family != self.AF_INET:
            raise ValueError("only AF_INET is supported")
        if type not in (self.SOCK_STREAM, self.SOCK_DGRAM):
            raise ValueError("type must be SOCK_STREAM or SOCK_DGRAM")
        return Socket(self, type)


class Socket:
    def __init__(self, pool, type):
        self._pool = pool
        self._modem = pool.modem
        self.type = type
        self.family = pool.AF_INET
        self._id = -1
        self._timeout = None  # seconds; None blocks, 0 never waits
        self._timeout_ms = None  # the same in ms, kept: a float would allocate
        self._peer = None
        self._error = None  # a loss to report on the next read (ENOBUFS)

    # -- settings ----------------------------------------------------------

    def settimeout(self, value):
        self._timeout_ms = timeout_ms(value)
        self._timeout = value

    def gettimeout(self):
        return self._timeout

    def setblocking(self, flag):
        self.settimeout(None if flag else 0)

    def setsockopt(self, *args):
        pass  # nothing the module exposes; libraries set TCP_NODELAY etc.

    @property
    def connect_id(self):
        return self._id

    # -- connection ----------------------------------------------------------

    def connect(self, address):
        host, port = address
        if self._id >= 0:
            raise OSError(106, "already connected")  # EISCONN
        modem = self._modem
        cid = modem.free_socket()
        service = "TCP" if self.type == self._pool.SOCK_STREAM else "UDP"
        timeout = 60 if self._timeout is None else max(self._timeout, 1)
        modem.open_socket(cid, service, host, port, 0, self._pool.access_mode,
                          timeout)
        self._id = cid
        self._peer = (host, port)

    def close(self):
        if self._id >= 0:
            cid = self._id
            self._id = -1
            self._modem.close_socket(cid)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        pass  # closing needs AT traffic: never from a finaliser

    def _slot(self):
        if self._id < 0:
            raise OSError(_ENOTCONN, "socket is not connected")
        slot = self._modem.proto.sockets[self._id]
        if slot.restarted:
            raise _restarted()  # the module rebooted under this socket
        return slot

    # -- sending ---------------------------------------------------------------

    def send(self, data):
        slot = self._slot()
        if slot.state != CONNECTED:
            raise OSError(32, "connection closed")  # EPIPE
        return self._modem.send(self._id, data)

    sendall = send

    def write(self, buf, off_or_n=None, n=None):
        """As a MicroPython stream: write(buf), write(buf, n) (the first n
        bytes) or write(buf, off, n); returns the count written."""
        if off_or_n is not None:
            off, count = (0, off_or_n) if n is None else (off_or_n, n)
            buf = memoryview(buf)[off:off + count]
        return self.send(buf)

    def sendto(self, data, address):
        if self._id < 0:
            self.connect(address)
        return self.send(data)

    def pending(self):
        """(sent, acked, unacked) byte counts from AT+QISEND=<id>,0."""
        self._slot()
        return self._modem.counters(self._id)

    # -- receiving -------------------------------------------------------------

    def recv_into(self, buf, nbytes=0):
        self._slot()
        if self._error is not None:
            e = self._error
            self._error = None
            raise e
        return self._modem.recv_into(self._id, buf, nbytes, self._timeout_ms)

    def recv(self, bufsize):
        buf = bytearray(bufsize)
        n = self.recv_into(buf, bufsize)
        return bytes(buf[:n])

    def recvfrom_into(self, buf, nbytes=0):
        n = self.recv_into(buf, nbytes)
        return n, self._peer

    def recvfrom(self, bufsize):
        data = self.recv(bufsize)
        return data, self._peer

    # Stream methods (umqtt.simple and other MicroPython libraries): like a
    # blocking MicroPython stream, they read until full or end of stream.
    def readinto(self, buf, nbytes=0):
        """Like a MicroPython stream: None on a non-blocking socket with
        nothing to read; what did arrive when a timeout ends the wait."""
        want = nbytes or len(buf)
        mv = memoryview(buf)
        got = 0
        while got < want:
            try:
                n = self.recv_into(mv[got:], want - got)
            except OSError as e:
                if got:
                    # keep what came; a timeout would come again, a loss
                    # would not: it is told by the next call
                    if e.errno == ENOBUFS:
                        self._error = e
                    break
                if e.errno == EAGAIN:
                    return None
                raise
            if n == 0:
                break
            got += n
        return got

    def read(self, n=-1):
        if n is None or n < 0:
            out = bytearray()
            chunk = bytearray(512)
            while True:
                k = self.readinto(chunk)
                if k is None and not out:
                    return None
                if not k:
                    return bytes(out)
                out.extend(chunk[:k])
        buf = bytearray(n)
        got = self.readinto(buf)
        if got is None:
            return None
        return bytes(buf[:got])

    def readline(self):
        out = bytearray()
        one = bytearray(1)
        while True:
            n = self.readinto(one)
            if n is None:
                return bytes(out) if out else None
            if not n:
                break
            out.extend(one)
            if one[0] == 10:
                break
        return bytes(out)
