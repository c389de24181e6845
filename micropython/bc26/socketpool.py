"""Sockets in the CircuitPython socketpool shape, on the module's TCP/IP stack.

    pool = SocketPool(modem)
    s = pool.socket(pool.AF_INET, pool.SOCK_STREAM)
    s.settimeout(10)
    s.connect(("example.com", 80))

adafruit_requests, adafruit_minimqtt and umqtt run on it unchanged: a
timeout raises OSError(ETIMEDOUT, "timed out"), a non-blocking socket with
nothing to read raises OSError(EAGAIN, ...), both with .errno set.
"""

from .checks import _int, _is_ipv6, MAX_WAIT_S
from .datapath import data_length
from .errors import EAGAIN, ENOBUFS, ENOTCONN as _ENOTCONN, \
    EISCONN as _EISCONN, _restarted
from .errors import ModemError
from .command import const
from .state import BUFFER, DIRECT_PUSH, CONNECTED, CLOSING, INITIAL

# const: folded into the code, no global and no interned name on a board
_EBADF = const(9)
_EAI_NONAME = const(-2)


class gaierror(OSError):
    """getaddrinfo() found no address for the name (errno EAI_NONAME), as
    CircuitPython's socketpool raises it."""


def timeout_ms(value):
    """A socket timeout in seconds (None: no limit; 0: never wait) as ms,
    checked; the sockets of bc26.aio take theirs through it too."""
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError("timeout must be None or a number")
        if not value >= 0:  # NaN too
            raise ValueError("timeout must be None or >= 0")
        if value > MAX_WAIT_S:  # (the clock's arithmetic holds days)
            raise ValueError("timeout must be at most %d s: None waits "
                             "forever" % MAX_WAIT_S)
        return int(value * 1000)
    return None


def pipe_open(slot):
    """A socket's send() first: OSError EPIPE once the connection is closed
    (by the peer, or found gone by the module)."""
    if slot.state != CONNECTED:
        raise OSError(32, "connection closed")  # EPIPE


def closed_error(e):
    """What a socket's send() raises for the driver's ModemError e: EPIPE
    for 567 (socket closed: the peer's close was not read yet -- the same
    error as when it was), else e itself."""
    return OSError(32, "connection closed") if e.code == 567 else e


def _address(address):
    """(host, port) of an address tuple; (host, port, flowinfo, scope_id)
    for IPv6 gives its first two."""
    if not isinstance(address, tuple) or len(address) < 2:
        raise ValueError("an address is a (host, port) tuple")
    return (address[0], address[1])


class SocketPool:
    """The module's five sockets as a CircuitPython socketpool.SocketPool."""

    AF_INET = 2
    AF_INET6 = 10
    SOCK_STREAM = 1
    SOCK_DGRAM = 2
    IPPROTO_TCP = 6
    IPPROTO_UDP = 17
    TCP_NODELAY = 1
    SOL_SOCKET = 0xFFF
    SO_REUSEADDR = 4
    EAI_NONAME = _EAI_NONAME
    gaierror = gaierror

    def __init__(self, modem, access_mode=BUFFER):
        """access_mode: BUFFER (0, flow-controlled, the default) or
        DIRECT_PUSH (1, no AT+QIRD round trips) for new sockets."""
        if access_mode not in (BUFFER, DIRECT_PUSH) or \
                isinstance(access_mode, bool):
            raise ValueError("access_mode must be BUFFER (0) or DIRECT_PUSH (1)")
        self.modem = modem
        self.access_mode = access_mode

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        """[(family, type, proto, "", (ip, port))] for host, resolved by the
        module (AT+QIDNSGIP; an address literal as it is); gaierror when
        the name has no address."""
        if isinstance(port, str) and port.isdigit():
            port = int(port)  # as socket.getaddrinfo takes it
        if isinstance(port, str):
            raise ValueError("port must be a number: no service names")
        if isinstance(port, bool) or not isinstance(port, int):
            raise TypeError("port must be an int")
        if not 0 <= port <= 65535:
            raise ValueError("port must be 0-65535")
        if family not in (0, self.AF_INET, self.AF_INET6):
            raise ValueError("family must be AF_INET or AF_INET6")
        if type not in (0, self.SOCK_STREAM, self.SOCK_DGRAM):
            raise ValueError("type must be SOCK_STREAM or SOCK_DGRAM")
        kind = type or self.SOCK_STREAM
        # An IPv6 literal is handed back as it is: check for one first.
        # Only a str holding ':' can be one; any other name, ':' or not, is
        # the resolver's to take or refuse.
        ipv6 = False
        if isinstance(host, str) and ":" in host:
            try:
                ipv6 = _is_ipv6(host.encode())
            except UnicodeError:  # (a lone surrogate: no address either)
                pass
        if ipv6:
            if family == self.AF_INET:
                raise gaierror(_EAI_NONAME, "an IPv6 address for AF_INET")
            return [(self.AF_INET6, kind, proto, "", (host, port, 0, 0))]
        if family == self.AF_INET6:  # the module's DNS answers IPv4 only
            raise gaierror(_EAI_NONAME, "no IPv6 address for %s" % host)
        try:
            ips = self.modem.resolve(host)
        except ModemError as e:
            if e.code != 565:  # 565: dns parse failed, no such name
                raise
            raise gaierror(_EAI_NONAME, "name not known: %s" % host)
        # a loop, not a list comprehension: that would be a function of its
        # own (a raw-code record on the heap, and a closure at every call)
        found = []
        for ip in ips:
            found.append((self.AF_INET, kind, proto, "", (ip, port)))
        return found

    def socket(self, family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None):
        """A new socket, not yet connected (no AT traffic until connect)."""
        if family != self.AF_INET and family != self.AF_INET6:
            raise ValueError("family must be AF_INET or AF_INET6")
        if type not in (self.SOCK_STREAM, self.SOCK_DGRAM):
            raise ValueError("type must be SOCK_STREAM or SOCK_DGRAM")
        return Socket(self, type, family)


class Socket:
    """A socket of the pool: TCP (SOCK_STREAM) or UDP (SOCK_DGRAM; one
    recv is one datagram), IPv4 or IPv6 (addresses as strings)."""

    # (class defaults: set only when they differ -- RAM on a board)
    _closing = False  # a close() timed out while the module closed it
    _held = None      # bytes a timed-out read() or readline() had taken

    def __init__(self, pool, type, family=SocketPool.AF_INET):
        self._pool = pool
        self._modem = pool.modem
        self.type = type
        self.family = family
        self._id = -1
        self._timeout = None  # seconds; None blocks, 0 never waits
        self._timeout_ms = None  # the same in ms, kept: a float would allocate
        self._peer = None
        self._error = None  # a loss to report on the next read (ENOBUFS)

    # -- settings ----------------------------------------------------------

    def settimeout(self, value):
        """Seconds a call may wait (None: no limit; 0: never wait)."""
        self._timeout_ms = timeout_ms(value)
        self._timeout = value

    def gettimeout(self):
        """The timeout settimeout() set."""
        return self._timeout

    def setblocking(self, flag):
        """True: wait without limit; False: never wait (timeout 0)."""
        self.settimeout(None if flag else 0)

    def setsockopt(self, *args):
        """Accepted and ignored: the module exposes no socket options."""
        pass  # nothing the module exposes; libraries set TCP_NODELAY etc.

    @property
    def connect_id(self):
        return self._id

    # -- connection ----------------------------------------------------------

    def connect(self, address):
        """Open the module's socket to address (host, port): the module
        resolves a name itself.  An IPv6 socket takes (host, port[, ...])."""
        host, port = _address(address)
        if self._id >= 0:
            raise OSError(_EISCONN, "already connected")
        modem = self._modem
        cid = modem.free_socket()
        service = "TCP" if self.type == self._pool.SOCK_STREAM else "UDP"
        timeout = 60 if self._timeout is None else max(self._timeout, 1)
        ipv6 = self.family == self._pool.AF_INET6
        modem.open_socket(cid, service, host, port, 0, self._pool.access_mode,
                          timeout, 1 if ipv6 else None)
        self._id = cid
        self._peer = (host, port)

    def close(self):
        """Close the module's socket (AT+QICLOSE); closing again is a
        no-op, or, after a close that raised while the module still held
        the socket, tries again."""
        if self._id >= 0 and self._owns_id():
            cid = self._id
            self._id = -1
            if self._closing:
                self._closing = False
            try:
                self._modem.close_socket(cid)
            except OSError:
                # (no CLOSE OK in time: the module may still hold it) the
                # socket keeps its id, so close() can be called again
                state = self._modem.proto.sockets[cid].state
                if state != INITIAL:
                    self._id = cid
                    if state == CLOSING:
                        self._closing = True
                raise

    def _owns_id(self):
        """Is the id still this socket's?  After a close that timed out,
        only while the module is closing it: once freed (a late CLOSE OK,
        or the module's table), it may be another socket's."""
        if self._closing and \
                self._modem.proto.sockets[self._id].state != CLOSING:
            self._id = -1
            self._closing = False
            return False
        return True

    # No __del__: closing needs AT traffic, never from a finaliser (and a
    # class without one costs MicroPython no function and no finaliser).
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _slot(self):
        if self._id < 0 or not self._owns_id():
            raise OSError(_ENOTCONN, "socket is not connected")
        if self._closing:
            raise OSError(_EBADF, "socket is closing: close() it again")
        slot = self._modem.proto.sockets[self._id]
        if slot.restarted:
            raise _restarted()  # the module rebooted under this socket
        return slot

    # -- sending ---------------------------------------------------------------

    def send(self, data):
        """Send all of data; returns len(data).  UDP: one datagram, at most
        1460 bytes (OSError EMSGSIZE beyond)."""
        pipe_open(self._slot())
        try:
            return self._modem.send(self._id, data)
        except ModemError as e:
            raise closed_error(e)

    sendall = send  # the module takes all of it, or raises

    def write(self, buf, off_or_n=None, n=None):
        """As a MicroPython stream: write(buf), write(buf, n) (the first n
        bytes) or write(buf, off, n); returns the count written."""
        if off_or_n is not None:
            off, count = (0, off_or_n) if n is None else (off_or_n, n)
            buf = memoryview(buf)[off:off + count]
        return self.send(buf)

    def sendto(self, data, address):
        """UDP: the first sendto opens the module's socket to address; the
        module's sockets are connected, so any other address is refused
        (OSError EISCONN) before a byte goes -- never sent elsewhere."""
        if self._id < 0 or _address(address) != self._peer:
            # send()'s checks of data, where no socket is open to run them
            # (or none to this address): a bad sendto opens no socket, and
            # a refused one says what is wrong with the data first
            data_length(data, self.type == self._pool.SOCK_DGRAM,
                        self._modem.proto.send_hex)
            if self._id < 0:
                self.connect(address)
            else:
                _int("port", address[1], 1, 65535)  # (%d takes no inf, no str)
                raise OSError(_EISCONN, "connected to %s:%d: a datagram to "
                              "%s:%d needs a socket of its own" % (
                                  self._peer + (address[0], address[1])))
        return self.send(data)

    def pending(self):
        """(sent, acked, unacked) byte counts from AT+QISEND=<id>,0."""
        self._slot()
        return self._modem.counters(self._id)

    # -- receiving -------------------------------------------------------------

    def recv_into(self, buf, nbytes=0):
        """Read into buf (at most nbytes; 0: len(buf)); the count, 0 at end
        of stream.  UDP: one datagram, cut to the buffer."""
        self._slot()
        if self._held is not None:
            return self._give_held(buf, nbytes)
        if self._error is not None:
            e = self._error
            self._error = None
            raise e
        return self._modem.recv_into(self._id, buf, nbytes, self._timeout_ms)

    def _hold(self, data):
        """read() or readline() raises (a timeout): what it had taken is
        the next read's, not lost."""
        if data:
            self._held = bytes(data) + (self._held or b"")

    def _give_held(self, buf, nbytes):
        held = self._held
        n = min(nbytes or len(buf), len(buf), len(held))
        buf[:n] = held[:n]
        self._held = held[n:] or None
        return n

    def recv(self, bufsize):
        """Up to bufsize bytes (UDP: one datagram), b"" at end of stream."""
        buf = bytearray(bufsize)
        n = self.recv_into(buf, bufsize)
        return bytes(buf[:n])

    def recvfrom_into(self, buf, nbytes=0):
        """(count, (host, port) of the sender) -- the address connected to."""
        return self.recv_into(buf, nbytes), self._peer

    def recvfrom(self, bufsize):
        """(data, (host, port) of the sender)."""
        return self.recv(bufsize), self._peer

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
        """As a MicroPython stream: n bytes, fewer at end of stream or
        timeout; n < 0 reads to the end.  None if non-blocking and empty."""
        if n is None or n < 0:
            out = bytearray()
            chunk = bytearray(512)
            while True:
                try:
                    k = self.readinto(chunk)
                except OSError:
                    self._hold(out)
                    raise
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
        """As a MicroPython stream: bytes up to and including b"\\n"."""
        out = bytearray()
        one = bytearray(1)
        while True:
            try:
                n = self.readinto(one)
            except OSError:
                self._hold(out)  # (a timeout: the line so far is kept)
                raise
            if n is None:
                return bytes(out) if out else None
            if not n:
                break
            out.extend(one)
            if one[0] == 10:
                break
        return bytes(out)
