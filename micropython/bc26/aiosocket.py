"""Sockets and streams for bc26.aio, the same code on CPython's asyncio and
MicroPython's:

    s = bc26.aio.Socket(modem)                 # SOCK_STREAM; SOCK_DGRAM for UDP
    s.settimeout(10)
    await s.connect(("10.0.0.1", 7))
    await s.sendall(b"ping")
    n = await s.recv_into(buf)
    await s.close()

    reader, writer = await bc26.aio.open_connection(modem, "10.0.0.1", 7)
    writer.write(b"GET / HTTP/1.0\\r\\n\\r\\n")
    await writer.drain()
    line = await reader.readline()
    writer.close()
    await writer.wait_closed()

A socket takes one of the module's five sockets when it connects and gives
it back when it closes; errors are those of bc26.SocketPool's sockets
(OSError with ETIMEDOUT after the timeout, EAGAIN when non-blocking with
nothing there, ModemError for what the module refuses).
"""

try:
    import asyncio
except ImportError:  # older MicroPython
    import uasyncio as asyncio

from .checks import _int
from .datapath import data_length
from .socketpool import timeout_ms, pipe_open, closed_error, _address
from .errors import ModemError, ENOTCONN as _ENOTCONN, EISCONN as _EISCONN
from .state import BUFFER, INITIAL

SOCK_STREAM = 1
SOCK_DGRAM = 2
AF_INET = 2
AF_INET6 = 10


_running = []  # the tasks _spawn started, until they end


def _spawn(coro):
    """A task that must run to its end whoever waits for it: kept
    referenced until then (CPython's event loop holds tasks weakly)."""
    async def run():
        try:
            await coro
        finally:
            _running.remove(task)
    task = asyncio.create_task(run())
    _running.append(task)
    return task


def _owners(modem):
    """The aio Socket holding each of the modem's five ids: a socket whose
    failed close kept its id must not act on the next owner's connection."""
    owners = getattr(modem, "_owners", None)
    if owners is None:
        owners = modem._owners = [None] * 5
    return owners


async def _give_back(modem, cid):
    """Close cid, which no socket took (its connect was cancelled)."""
    try:
        await modem.close_socket(cid)
    except Exception:  # ETIMEDOUT: the id stays taken until CLOSE OK comes
        pass


class Socket:
    """One socket of the module, for bc26.aio.Modem."""

    def __init__(self, modem, type=SOCK_STREAM, access_mode=BUFFER,
                 family=AF_INET):
        if type not in (SOCK_STREAM, SOCK_DGRAM):
            raise ValueError("type must be SOCK_STREAM or SOCK_DGRAM")
        if family not in (AF_INET, AF_INET6):
            raise ValueError("family must be AF_INET or AF_INET6")
        self._modem = modem
        self.type = type
        self.family = family
        self.access_mode = access_mode
        self._id = -1
        self._timeout_ms = None
        self._peer = None
        self._host = None

    @property
    def connect_id(self):
        return self._id

    def settimeout(self, value):
        """Seconds a call may wait (None: no limit; 0: never waits)."""
        self._timeout_ms = timeout_ms(value)

    def setblocking(self, flag):
        """True: wait without limit; False: never wait."""
        self.settimeout(None if flag else 0)

    def _cid(self):
        if self._id < 0 or _owners(self._modem)[self._id] is not self:
            raise OSError(_ENOTCONN, "socket is not connected")
        return self._id

    async def connect(self, address):
        """Open the connection (TCP) or fix the peer (UDP); a name is
        resolved by the module first.  AF_INET6: an IPv6 address string.
        Cancelled (a wait_for), it leaves no socket of the module taken."""
        host, port = _address(address)
        _int("remote_port", port, 1, 65535)  # before a byte goes (a DNS query)
        if self._id >= 0:
            raise OSError(_EISCONN, "already connected")
        modem = self._modem
        ipv6 = self.family == AF_INET6
        ips = [host] if ipv6 else await modem.resolve(host)
        if not ips:
            raise OSError(-2, "no address for %r" % (host,))  # EAI_NONAME
        timeout = 60 if self._timeout_ms is None else max(self._timeout_ms / 1000, 1)
        # a free id is free until its AT+QIOPEN is written: two connects
        # at once must not both pick it
        lock = getattr(modem, "_connecting", None)
        if lock is None:
            lock = modem._connecting = asyncio.Lock()
        done = asyncio.Event()
        got = [None, False]  # the id opened, or what the open raised; abandoned

        # The open runs in a task of its own, to its end (+QIOPEN, or the
        # AT+QICLOSE the manual wants after a failed open): cancelling the
        # connect cancels only its wait, and the task closes what it opened
        # for nobody -- no id is left taken, none closed before the module
        # answered its open.
        async def opening():
            try:
                async with lock:
                    if got[1]:
                        return  # abandoned before its turn: open nothing
                    cid = modem.free_socket()
                    await modem.open_socket(
                        cid, "TCP" if self.type == SOCK_STREAM else "UDP",
                        ips[0], port, 0, self.access_mode, timeout,
                        1 if ipv6 else None)
                got[0] = cid
                if got[1]:
                    await _give_back(modem, cid)
            except BaseException as e:
                got[0] = e
                if not isinstance(e, Exception):
                    raise  # (cancelled itself: a connect waiting sees it)
            finally:
                done.set()

        _spawn(opening())
        try:
            await done.wait()
        except BaseException:
            if not done.is_set():
                got[1] = True
            elif isinstance(got[0], int):  # opened as the wait was cancelled
                _spawn(_give_back(modem, got[0]))
            raise
        if not isinstance(got[0], int):
            raise got[0]
        self._id = got[0]
        _owners(modem)[self._id] = self
        self._peer = (ips[0], port)
        self._host = host  # as given: a name sendto() may repeat

    async def send(self, data):
        """Send all of data (binary-safe); returns len(data).  OSError EPIPE
        once the connection is closed (the peer, or the module), as
        bc26.SocketPool's sockets do."""
        cid = self._cid()
        pipe_open(self._modem.proto.sockets[cid])
        try:
            return await self._modem.send(cid, data)
        except ModemError as e:
            raise closed_error(e)

    sendall = send

    async def recv_into(self, buf, nbytes=0):
        """What has arrived, into buf (at most nbytes; 0: len(buf)); 0 at
        the end of the stream."""
        return await self._modem.recv_into(self._cid(), buf, nbytes,
                                           self._timeout_ms)

    async def sendto(self, data, address):
        """UDP: the first sendto connects to address; another address than
        that one is refused (OSError EISCONN), as bc26.SocketPool does."""
        # send()'s checks of data first: a bad sendto opens no socket
        data_length(data, self.type == SOCK_DGRAM, self._modem.proto.send_hex)
        if self._id < 0:
            await self.connect(address)
        elif address[0] not in (self._peer[0], self._host) or \
                address[1] != self._peer[1]:
            raise OSError(_EISCONN, "connected to %s:%d" % self._peer)
        return await self.send(data)

    async def recvfrom(self, bufsize):
        """(one datagram, (host, port) of the sender)."""
        return (await self.recv(bufsize)), self._peer

    async def recv(self, bufsize):
        """Up to bufsize bytes (UDP: one datagram); b"" at end of stream."""
        buf = bytearray(bufsize)
        n = await self.recv_into(buf)
        return bytes(buf[:n])

    async def close(self):
        """Give the module's socket back (AT+QICLOSE); closing again is a
        no-op.  Cancelled, or failed (no CLOSE OK in time), while the
        module may still hold the socket: it keeps its id, and close()
        can be called again."""
        cid = self._id
        if cid < 0:
            return
        owners = _owners(self._modem)
        slot = self._modem.proto.sockets[cid]
        # (else a late CLOSE OK freed the id, and it may be taken again)
        if owners[cid] is self and slot.state != INITIAL:
            try:
                await self._modem.close_socket(cid)
            except BaseException:
                if slot.state != INITIAL:
                    raise  # the id is kept: a retry closes it
                owners[cid] = None
                self._id = -1
                raise
        if owners[cid] is self:
            owners[cid] = None
        self._id = -1

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.close()


class StreamReader:
    """The reading half of open_connection()."""

    def __init__(self, sock):
        self._sock = sock
        self._buf = bytearray(512)
        self._have = b""  # read ahead by readline()

    async def _more(self):
        n = await self._sock.recv_into(self._buf)
        return bytes(self._buf[:n])

    async def read(self, n=-1):
        """Up to n bytes (n < 0: until the end of the stream); b"" at the
        end."""
        if n < 0:
            out = [self._have]
            self._have = b""
            while True:
                chunk = await self._more()
                if not chunk:
                    return b"".join(out)
                out.append(chunk)
        if not self._have:
            self._have = await self._more()
        out, self._have = self._have[:n], self._have[n:]
        return out

    async def readexactly(self, n):
        """Exactly n bytes; EOFError if the stream ends first."""
        out = b""
        while len(out) < n:
            chunk = await self.read(n - len(out))
            if not chunk:
                raise EOFError("%d of %d bytes before the end" % (len(out), n))
            out += chunk
        return out

    async def readline(self):
        """Up to and with b"\\n" (what is left at the end of the stream)."""
        while True:
            i = self._have.find(b"\n")
            if i >= 0:
                out, self._have = self._have[:i + 1], self._have[i + 1:]
                return out
            chunk = await self._more()
            if not chunk:
                out, self._have = self._have, b""
                return out
            self._have += chunk


class StreamWriter:
    """The writing half of open_connection(): write() buffers, drain()
    sends."""

    def __init__(self, sock):
        self._sock = sock
        self._out = []
        self._flusher = None  # the task sending _out, while one runs
        self._flushed = None  # set when that task ends
        self._error = None  # what a send raised: the stream is broken
        self._closing = None  # the task closing it, once close() is called
        self._closed = None  # set when that task ends
        self._close_error = None  # what it raised

    def get_extra_info(self, name, default=None):
        return self._sock._peer if name == "peername" else default

    def _raise(self):
        if self._error is not None:
            raise self._error

    def write(self, data):
        """Buffer data, sent in order by drain() (or close()); raises what
        an earlier send raised."""
        self._raise()
        self._out.append(bytes(data))

    async def _flush(self):
        # one task sends what is buffered, so that a cancelled drain()
        # neither drops bytes nor sends them twice (a send cancelled after
        # its AT+QISEND still writes its payload)
        try:
            while self._out:
                out = b"".join(self._out)
                self._out = []
                await self._sock.sendall(out)
        except BaseException as e:
            self._error = e
            if not isinstance(e, Exception):
                raise
        finally:
            self._flusher = None
            self._flushed.set()

    async def drain(self):
        """Wait until what was written has been sent; raises what the send
        raised.  Cancelling drain() stops the waiting, not the sending."""
        self._raise()
        if self._flusher is None and self._out:
            self._flushed = asyncio.Event()
            self._flusher = _spawn(self._flush())
        while self._flusher is not None:
            await self._flushed.wait()
        self._raise()

    def close(self):
        """Start closing: what was written goes first, then the socket is
        given back to the module (wait_closed() waits for it)."""
        if self._closing is None:
            self._closed = asyncio.Event()
            self._closing = _spawn(self._close())

    async def _close(self):
        try:
            try:
                await self.drain()
            finally:
                await self._sock.close()
        except BaseException as e:
            # the socket keeps its id when the module may still hold it:
            # close() or wait_closed() again tries again
            self._close_error = e
            self._closing = None
            if not isinstance(e, Exception):
                raise
        finally:
            self._closed.set()

    async def wait_closed(self):
        """Wait until closed; raises what closing raised.  Cancelling it
        stops the waiting, not the closing."""
        self.close()
        # an Event, not the task: on CPython a cancelled wait on a task
        # cancels the task too
        await self._closed.wait()
        e = self._close_error
        if e is not None:
            self._close_error = None
            raise e


async def open_connection(modem, host, port, access_mode=BUFFER, timeout=None):
    """A TCP connection as (StreamReader, StreamWriter), like
    asyncio.open_connection(); timeout: seconds a read or send may wait."""
    sock = Socket(modem, SOCK_STREAM, access_mode)
    sock.settimeout(timeout)
    await sock.connect((host, port))
    return StreamReader(sock), StreamWriter(sock)
