"""One socket service (connectID 0-4): a real socket, its receive nodes, its
counters, and the receive URCs in the layouts of docs/wire.md.
"""
import array
import collections
import fcntl
import termios

from .output import CRLF, frame

MAX_NODES = 20      # manual 2.2.3: at most 20 nodes in buffer access mode
TCP_READ = 1460     # one node per read, at most one segment's worth (MSS)
UDP_READ = 65535    # one node per datagram
PUSH_MAX = 1460     # direct push: at most this many TCP bytes per URC
PUSH_BACKLOG = 16384  # direct push: UART bytes queued before reading pauses
TX_LIMIT = 65536    # what the module's stack buffers before SEND FAIL


class Service:
    def __init__(self, m, cid, kind, host, rport, lport, access):
        self.m = m
        self.id = cid
        self.kind = kind          # "TCP" or "UDP"
        self.host = host          # as given to AT+QIOPEN
        self.rport = rport
        self.lport = lport        # as configured (0: automatic)
        self.access = access      # 0 buffer access, 1 direct push
        self.state = 1            # 0 initial, 1 connecting, 2 connected, 3 closing, 4 remote closing
        self.sock = None
        self.nodes = collections.deque()
        self.reported = False     # a "recv" URC is out and the buffer not yet drained
        self._recheck = False     # a look at the line backlog is scheduled
        self.sent = 0
        self.backlog = bytearray()
        self.eof = False

    # -- life cycle ------------------------------------------------------------
    def attach(self, sock):
        sock.setblocking(False)
        self.sock = sock
        self.state = 2
        self.sync()

    def close(self):
        if self.sock is not None:
            self.m.loop.unwatch(self.sock)
            self.sock.close()
            self.sock = None
        self.backlog.clear()

    def remote_closed(self):
        self.eof = True
        self.state = 4
        self.backlog.clear()
        self.m.urc(b'+QIURC: "closed",%d' % self.id)
        self.sync()

    def network_lost(self):
        if self.state == 2:
            self.remote_closed()

    # -- I/O interest ------------------------------------------------------------
    def sync(self):
        if self.sock is None:
            return
        read = self._on_readable if self._wants_read() else None
        write = self._on_writable if self.backlog else None
        self.m.loop.watch(self.sock, read, write)

    def _wants_read(self):
        if self.state != 2 or self.eof:
            return False
        if self.access == 1:
            # Held-back pushes, or pushes the host has not read yet, would
            # pile up (and a full line drops bytes): let the kernel hold the
            # data -- TCP flow control -- and look again shortly.
            if self.m.out.holding or self.m.line.pending() > PUSH_BACKLOG:
                if not self._recheck:
                    self._recheck = True
                    self.m.loop.call_later(0.005, self._resync)
                return False
            return True
        return len(self.nodes) < MAX_NODES

    def _resync(self):
        self._recheck = False
        self.sync()

    # -- receiving ---------------------------------------------------------------------
    def _on_readable(self):
        try:
            data = self.sock.recv(TCP_READ if self.kind == "TCP" else UDP_READ)
        except (BlockingIOError, InterruptedError):
            return
        except ConnectionRefusedError:
            if self.kind == "UDP":
                return  # ICMP port unreachable for an earlier datagram
            data = b""
        except OSError:
            data = b""
        if not data:
            if self.kind == "TCP":
                self.remote_closed()
            return
        self.deliver(data)

    def deliver(self, data):
        """Data arrived from the network (or from the fill_buffer fault)."""
        if self.access == 1:
            self.push(data)
        else:
            self.nodes.append(bytearray(data))
            if not self.reported:
                self.reported = True
                self.m.urc(self.recv_urc(len(data)))
            if len(self.nodes) == MAX_NODES:
                self.m.urc(b'+QIURC: "recv",%d,"buff full"' % self.id)
        self.sync()

    def push(self, data):
        if self.kind == "UDP":
            # a datagram is one URC whatever its size: never cut, never joined
            return self.m.out.urc(self.push_frame(data))
        for i in range(0, len(data), PUSH_MAX):
            self.m.out.urc(self.push_frame(data[i:i + PUSH_MAX]))

    def push_buffered(self):
        """After a switch to direct push: out with what was buffered."""
        while self.nodes:
            self.push(bytes(self.nodes.popleft()))
        self.reported = False
        self.sync()

    def recv_urc(self, n):
        if self.m.nv.showlength:
            return b'+QIURC: "recv",%d,%d' % (self.id, n)
        return b'+QIURC: "recv",%d' % self.id

    def push_frame(self, chunk):
        nv = self.m.nv
        body = chunk.hex().upper().encode() if nv.recv_hex else bytes(chunk)
        head = b'+QIURC: "recv",%d,%d' % (self.id, len(chunk))
        if self.m.cfg.recv_variant == "quoted":
            return frame(head + b',"' + body + b'"')
        if nv.viewmode:
            return frame(head + b"," + body)
        return CRLF + head + CRLF + body + CRLF

    def read(self, n):
        """AT+QIRD: up to n bytes of the first node -> (data, remaining)."""
        if not self.nodes:
            self.reported = False
            return b"", 0
        node = self.nodes[0]
        data = bytes(node[:n])
        del node[:n]
        remaining = len(node)
        if not node:
            self.nodes.popleft()
        if not self.nodes:
            self.reported = False
        self.sync()
        return data, remaining

    # -- sending --------------------------------------------------------------------------
    def send(self, data):
        """Hand data to the stack; False means SEND FAIL."""
        if self.sock is None or self.state != 2:
            return False
        if self.kind == "UDP":
            for _ in range(2):  # a pending ICMP error costs one attempt
                try:
                    self.sock.send(data)
                    break
                except ConnectionRefusedError:
                    continue
                except OSError:
                    return False
            self.sent += len(data)
            return True
        if len(self.backlog) + len(data) > TX_LIMIT:
            return False
        self.backlog += data
        self.sent += len(data)
        self._on_writable()
        return True

    def _on_writable(self):
        while self.backlog and self.sock is not None:
            try:
                k = self.sock.send(self.backlog)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self.backlog.clear()  # the read side reports the close
                break
            del self.backlog[:k]
        self.sync()

    def counters(self):
        """<sent>,<acked>,<nAcked> for AT+QISEND=<id>,0."""
        if self.kind == "UDP":
            return self.sent, 0, 0
        unacked = min(self.sent, len(self.backlog) + self._outq())
        return self.sent, self.sent - unacked, unacked

    def _outq(self):
        # Linux SIOCOUTQ (== TIOCOUTQ): bytes not yet acknowledged by the peer.
        if self.sock is None:
            return 0
        buf = array.array("i", [0])
        try:
            fcntl.ioctl(self.sock.fileno(), termios.TIOCOUTQ, buf, True)
        except OSError:
            return 0
        return buf[0]

    def state_line(self):
        return b'+QISTATE: %d,"%s","%s",%d,%d,%d,1,%d' % (
            self.id, self.kind.encode(), self.host.encode("latin-1"), self.rport,
            self.lport, self.state, self.access)
