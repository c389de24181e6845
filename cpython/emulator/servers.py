"""Loopback test servers for the emulator, the demo and the driver tests.

Each binds 127.0.0.1 on port 0 by default (host="::1" for IPv6), serves
from one thread, and stops when closed (context manager). `.port` and
`.address` say where.

    TCPEchoServer()                 echoes every byte back
    UDPEchoServer()                 echoes every datagram back
    DNSServer({"name": ["127.0.0.2", ...]}, ttl=600)
                                    A records for the names, NXDOMAIN otherwise
                                    (FORMERR for a name over 255 octets)
    SNTPServer(offset=0.0)          answers SNTP with this machine's clock
    PayloadServer(payload, chunks=1, gap=0.0)
                                    sends payload to each client, then closes
    OneClientServer(serve)          serve(conn) for one client, in a thread
                                    (a subclass may define serve instead)
All record what they received in `.received` (bytes or a list of datagrams);
the TCP ones also the clients' (host, port) in `.peers`.
"""
import selectors
import socket
import struct
import threading
import time

NTP_EPOCH = 2208988800


class _Server:
    kind = socket.SOCK_STREAM

    def __init__(self, host="127.0.0.1", port=0):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._sock = socket.socket(family, self.kind)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        if self.kind == socket.SOCK_STREAM:
            self._sock.listen(8)
        self._sock.setblocking(False)
        self.address = self._sock.getsockname()[:2]
        self.port = self.address[1]
        self._sel = selectors.DefaultSelector()
        self._stop_r, self._stop_w = socket.socketpair()
        self._sel.register(self._stop_r, selectors.EVENT_READ)
        self._sel.register(self._sock, selectors.EVENT_READ, self._on_listen)
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        try:
            while True:
                for key, _ in self._sel.select(0.5):
                    if key.fileobj is self._stop_r:
                        return
                    key.data(key.fileobj)
                self._tick()
        finally:
            for key in list(self._sel.get_map().values()):
                if key.fileobj not in (self._stop_r,):
                    key.fileobj.close()
            self._sel.close()

    def _tick(self):
        pass

    def _on_listen(self, sock):
        try:
            conn, _ = sock.accept()
        except (BlockingIOError, InterruptedError):
            return
        conn.setblocking(False)
        self._accepted(conn)

    def _accepted(self, conn):
        self._sel.register(conn, selectors.EVENT_READ, self._on_conn)

    def _note_peer(self, conn):
        try:
            self.peers.append(conn.getpeername()[:2])
        except OSError:
            pass

    def _drop(self, conn):
        self._sel.unregister(conn)
        conn.close()

    def close(self):
        if self._thread.is_alive():
            self._stop_w.send(b"x")
            self._thread.join(5)
        self._stop_r.close()
        self._stop_w.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class OneClientServer:
    """One TCP client, served by serve(conn) in a thread of its own: for a
    test's own protocol (a sink, a control channel).  An OSError ends it."""

    def __init__(self, serve=None, host="127.0.0.1", port=0):
        if serve is not None:
            self.serve = serve
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._sock = socket.socket(family, socket.SOCK_STREAM)
        self._sock.bind((host, port))
        self._sock.listen(1)
        self.address = self._sock.getsockname()[:2]
        self.port = self.address[1]
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def serve(self, conn):
        raise NotImplementedError

    def _run(self):
        try:
            conn, _ = self._sock.accept()
        except OSError:
            return  # closed before a client came
        with conn:
            try:
                self.serve(conn)
            except OSError:
                pass

    def close(self):
        self._sock.close()
        self._thread.join(10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class TCPEchoServer(_Server):
    def __init__(self, host="127.0.0.1", port=0):
        self.received = bytearray()
        self.peers = []
        _Server.__init__(self, host, port)

    def _accepted(self, conn):
        self._note_peer(conn)
        _Server._accepted(self, conn)

    def _on_conn(self, conn):
        try:
            data = conn.recv(65536)
        except OSError:
            data = b""
        if not data:
            return self._drop(conn)
        with self._lock:
            self.received += data
        conn.setblocking(True)  # loopback: the echo fits in the buffers
        try:
            conn.sendall(data)
        except OSError:
            return self._drop(conn)
        conn.setblocking(False)


class UDPEchoServer(_Server):
    kind = socket.SOCK_DGRAM

    def __init__(self, host="127.0.0.1", port=0):
        self.received = []
        _Server.__init__(self, host, port)

    def _on_listen(self, sock):
        try:
            data, addr = sock.recvfrom(65535)
        except OSError:
            return
        with self._lock:
            self.received.append(data)
        sock.sendto(data, addr)


class DNSServer(_Server):
    """Answers A queries for the configured names (dnslib does the wire)."""

    kind = socket.SOCK_DGRAM

    def __init__(self, records, ttl=600, host="127.0.0.1", port=0):
        self.records = {k.lower().rstrip("."): list(v) for k, v in records.items()}
        self.ttl = ttl
        self.received = []
        _Server.__init__(self, host, port)

    def _on_listen(self, sock):
        from dnslib import QTYPE, RCODE, RR, A, DNSRecord
        from dnslib.label import DNSLabelError
        try:
            data, addr = sock.recvfrom(4096)
            query = DNSRecord.parse(data)
        except Exception:
            return
        name = str(query.q.qname).lower().rstrip(".")
        with self._lock:
            self.received.append(name)
        reply = query.reply()
        ips = self.records.get(name)
        if ips is None:
            reply.header.rcode = RCODE.NXDOMAIN
        elif query.q.qtype == QTYPE.A:
            for ip in ips:
                reply.add_answer(RR(query.q.qname, QTYPE.A, rdata=A(ip), ttl=self.ttl))
        try:
            packet = reply.pack()
        except DNSLabelError:
            # a name over 255 octets (RFC 1035 2.3.4) parses but cannot be
            # packed back: FORMERR without the question, as a server
            # refuses a malformed query -- and the thread lives on
            reply.questions, reply.rr = [], []
            reply.header.rcode = RCODE.FORMERR
            packet = reply.pack()
        sock.sendto(packet, addr)


class SNTPServer(_Server):
    """A stratum-1 SNTP responder whose clock is this machine's + offset."""

    kind = socket.SOCK_DGRAM

    def __init__(self, offset=0.0, host="127.0.0.1", port=0):
        self.offset = offset
        self.received = []
        _Server.__init__(self, host, port)

    def _on_listen(self, sock):
        try:
            data, addr = sock.recvfrom(512)
        except OSError:
            return
        if len(data) < 48 or data[0] & 7 != 3:
            return
        with self._lock:
            self.received.append(data)
        now = time.time() + self.offset + NTP_EPOCH
        stamp = struct.pack("!II", int(now), int((now % 1) * 2 ** 32))
        reply = (bytes((0x24, 1, data[2], 0xEC)) + b"\0" * 8 + b"LOCL" + stamp +
                 data[40:48] + stamp + stamp)
        sock.sendto(reply, addr)


class PayloadServer(_Server):
    """Sends `payload` to each client in `chunks` pieces, `gap` s apart,
    then closes the connection (a remote close right after data)."""

    def __init__(self, payload, chunks=1, gap=0.0, close=True, host="127.0.0.1", port=0):
        self.payload = bytes(payload)
        self.chunks = max(1, chunks)
        self.gap = gap
        self.close_after = close
        self.received = bytearray()
        self.peers = []
        self._plans = []  # [conn, pieces, next time]
        _Server.__init__(self, host, port)

    def _accepted(self, conn):
        self._note_peer(conn)
        n = len(self.payload)
        size = -(-n // self.chunks) if n else 0
        pieces = [self.payload[i:i + size] for i in range(0, n, size)] if n else []
        conn.setblocking(True)
        self._sel.register(conn, selectors.EVENT_READ, self._on_conn)
        self._plans.append([conn, pieces, time.monotonic()])
        self._tick()

    def _on_conn(self, conn):
        try:
            data = conn.recv(65536)
        except OSError:
            data = b""
        if data:
            with self._lock:
                self.received += data
        elif not any(p[0] is conn for p in self._plans):
            self._drop(conn)

    def _tick(self):
        now = time.monotonic()
        for plan in list(self._plans):
            conn, pieces, due = plan
            while pieces and due <= now:
                conn.sendall(pieces.pop(0))
                due = now + self.gap
                if self.gap:
                    break
            plan[2] = due
            if not pieces:
                self._plans.remove(plan)
                if self.close_after:
                    self._drop(conn)

    def _run(self):
        # A finer tick than the base class while pieces are due.
        try:
            while True:
                timeout = 0.5
                if self._plans:
                    timeout = max(0.0, min(p[2] for p in self._plans) - time.monotonic())
                for key, _ in self._sel.select(timeout):
                    if key.fileobj is self._stop_r:
                        return
                    key.data(key.fileobj)
                self._tick()
        finally:
            for key in list(self._sel.get_map().values()):
                if key.fileobj is not self._stop_r:
                    key.fileobj.close()
            self._sel.close()
