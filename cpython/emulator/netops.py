"""Blocking network operations for the worker threads: name resolution,
connect, SNTP, ICMP echo. Every wait is sliced so a closing emulator
(cancel event) stops them within a tenth of a second.

Safety: unless allow_any is set, nothing is sent to an address outside
127.0.0.0/8 and ::1 - not even a DNS query to the system's resolver.
"""
import errno
import os
import select
import socket
import struct
import time

from .atparse import is_ipv4, is_ipv6

_SLICE = 0.1
NTP_EPOCH = 2208988800  # seconds from 1900-01-01 to 1970-01-01


class NetError(Exception):
    def __init__(self, code):
        Exception.__init__(self, code)
        self.code = code


_V6_LOOPBACK = socket.inet_pton(socket.AF_INET6, "::1")


def is_loopback(ip):
    """127.0.0.0/8, or ::1 in any spelling (not ::ffff:127.x: only ::1)."""
    if is_ipv6(ip):
        return socket.inet_pton(socket.AF_INET6, ip) == _V6_LOOPBACK
    return is_ipv4(ip) and ip.split(".")[0] == "127"


def check_address(ip, allow_any, code):
    if not allow_any and not is_loopback(ip):
        raise NetError(code)


def _wait(sock, deadline, cancel, write=False):
    """Wait until sock is ready; False on timeout or cancel."""
    while not cancel.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, w, _ = select.select([] if write else [sock], [sock] if write else [], [],
                                min(left, _SLICE))
        if r or w:
            return True
    return False


# -- names -------------------------------------------------------------------

def resolve(host, servers, port, timeout, allow_any, cancel):
    """host -> ([ipv4, ...], ttl). Raises NetError(565) when it fails."""
    if is_ipv4(host):
        return [host], 0
    if servers:
        for server in servers:
            if not allow_any and not is_loopback(server):
                continue  # would leave the machine: treat as unreachable
            try:
                rcode, answers = dns_query(server, port, host, timeout, cancel)
            except (OSError, ValueError, struct.error):
                continue
            if rcode == 0 and answers:
                return [a for a, _ in answers], min(t for _, t in answers)
            if rcode == 3:
                break  # NXDOMAIN is an answer, not a failure of the server
        raise NetError(565)
    return _system_resolve(host, allow_any)


def _system_resolve(host, allow_any):
    if not allow_any and not _resolver_is_local():
        ips = hosts_lookup(host)  # the hosts file: no packet leaves
    else:
        try:
            infos = socket.getaddrinfo(host, None, socket.AF_INET, socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            infos = []
        ips = []
        for info in infos:
            if info[4][0] not in ips:
                ips.append(info[4][0])
    if not ips:
        raise NetError(565)
    return ips, 0


def _resolver_is_local(path="/etc/resolv.conf"):
    try:
        with open(path) as f:
            servers = [l.split()[1] for l in f if l.startswith("nameserver") and len(l.split()) > 1]
    except OSError:
        servers = []
    return all(is_loopback(s) or s == "::1" for s in servers)


def hosts_lookup(name, path="/etc/hosts"):
    ips = []
    try:
        with open(path) as f:
            for line in f:
                fields = line.split("#")[0].split()
                if len(fields) > 1 and is_ipv4(fields[0]) and \
                        name.lower() in (n.lower() for n in fields[1:]):
                    if fields[0] not in ips:
                        ips.append(fields[0])
    except OSError:
        pass
    return ips


def _encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        raw = label.encode("idna") if label else b""
        if not raw or len(raw) > 63:
            raise ValueError(name)
        out += bytes((len(raw),)) + raw
    return out + b"\0"


def _skip_name(msg, i):
    while True:
        n = msg[i]
        if n & 0xC0 == 0xC0:
            return i + 2
        if n == 0:
            return i + 1
        i += 1 + n


def dns_query(server, port, name, timeout, cancel):
    """One A query over UDP -> (rcode, [(ip, ttl), ...])."""
    qid = int.from_bytes(os.urandom(2), "big")
    query = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + _encode_name(name) + \
        struct.pack("!HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect((server, port))
        s.send(query)
        deadline = time.monotonic() + timeout
        while _wait(s, deadline, cancel):
            try:
                msg = s.recv(4096)
            except ConnectionRefusedError:
                raise OSError(errno.ECONNREFUSED, "no DNS server")
            rid, flags, qd, an, _, _ = struct.unpack("!HHHHHH", msg[:12])
            if rid != qid or not flags & 0x8000:
                continue
            i = 12
            for _ in range(qd):
                i = _skip_name(msg, i) + 4
            answers = []
            for _ in range(an):
                i = _skip_name(msg, i)
                rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", msg[i:i + 10])
                i += 10
                if rtype == 1 and rclass == 1 and rdlen == 4:
                    answers.append((socket.inet_ntoa(msg[i:i + 4]), ttl))
                i += rdlen
            return flags & 0xF, answers
    raise OSError(errno.ETIMEDOUT, "DNS timeout")


# -- sockets --------------------------------------------------------------------

def open_socket(kind, ip, port, local_port, timeout, cancel):
    """A connected TCP or UDP socket (IPv4 or IPv6 by the address);
    NetError with the module's <err>."""
    st = socket.SOCK_STREAM if kind == "TCP" else socket.SOCK_DGRAM
    family = socket.AF_INET6 if is_ipv6(ip) else socket.AF_INET
    s = socket.socket(family, st)
    try:
        if local_port:
            _bind(s, kind, family, local_port)
        if kind == "UDP":
            s.connect((ip, port))
            return s
        s.setblocking(False)
        err = s.connect_ex((ip, port))
        if err not in (0, errno.EINPROGRESS):
            raise NetError(566)
        if err:
            if not _wait(s, time.monotonic() + timeout, cancel, write=True):
                raise NetError(569)
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                raise NetError(566)
        return s
    except BaseException:
        s.close()
        raise


def _bind(s, kind, family, port):
    """Bind the configured <local_port>; 574 (port busy) when a live socket
    of any process, this emulator's included, holds it."""
    if kind == "TCP":
        # Only so that a port whose last connection we closed ourselves
        # (TIME_WAIT) can be used again at once. It also lets the bind
        # succeed beside other non-listening sockets that set it (our own
        # earlier sockets): those are looked for in the kernel's table.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # UDP: no SO_REUSEADDR, so any other socket on the port fails the bind.
    try:
        s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", port))
    except OSError as e:
        raise NetError(574 if e.errno == errno.EADDRINUSE else 556)
    if kind == "TCP" and _tcp_port_live(port, os.fstat(s.fileno()).st_ino):
        raise NetError(574)


_TIME_WAIT = 0x06


def _tcp_port_live(port, own_inode):
    """Is another TCP socket (not in TIME_WAIT) bound to local `port`?
    Reads Linux's /proc/net/tcp{,6}; elsewhere only the bind decides."""
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            # sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            cols = row.split()
            if len(cols) < 10 or int(cols[1].rsplit(":", 1)[1], 16) != port:
                continue
            if int(cols[3], 16) != _TIME_WAIT and int(cols[9]) != own_inode:
                return True
    return False


# -- SNTP ---------------------------------------------------------------------------

def sntp(ip, port, timeout, cancel):
    """Ask an (S)NTP server for the time -> Unix seconds (float)."""
    sent = time.time() + NTP_EPOCH
    stamp = struct.pack("!II", int(sent), int((sent % 1) * 2 ** 32))
    req = b"\x23" + b"\0" * 39 + stamp  # LI 0, version 4, mode 3 (client)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect((ip, port))
        s.send(req)
        deadline = time.monotonic() + timeout
        while _wait(s, deadline, cancel):
            try:
                msg = s.recv(512)
            except ConnectionRefusedError:
                raise NetError(569)
            if len(msg) < 48 or msg[0] & 7 not in (4, 5) or msg[24:32] != stamp:
                continue
            if msg[1] == 0:
                raise NetError(550)  # kiss-o'-death
            secs, frac = struct.unpack("!II", msg[40:48])
            return secs - NTP_EPOCH + frac / 2 ** 32
    raise NetError(569)


# -- ICMP echo --------------------------------------------------------------------

def _checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


class Pinger:
    """ICMP echo over a raw socket (root) or a Linux ping socket."""

    def __init__(self):
        try:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
            self.raw = True
        except PermissionError:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
            self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTTL, 1)
            self.raw = False
        self.ident = int.from_bytes(os.urandom(2), "big")

    def close(self):
        self.sock.close()

    def ping(self, ip, seq, size, timeout, cancel, discard=False):
        """One echo request -> (rtt_ms, ttl) or None when it timed out.
        discard: the request is sent but its reply thrown away (lost)."""
        payload = bytes((0x41 + i % 26 for i in range(size)))
        head = struct.pack("!BBHHH", 8, 0, 0, self.ident, seq)
        csum = _checksum(head + payload)
        pkt = struct.pack("!BBHHH", 8, 0, csum, self.ident, seq) + payload
        t0 = time.monotonic()
        self.sock.sendto(pkt, (ip, 0))
        deadline = t0 + timeout
        while _wait(self.sock, deadline, cancel):
            got = self._receive(ip, seq)
            if got is not None and not discard:
                rtt = (time.monotonic() - t0) * 1000.0
                return int(round(rtt)), got
        return None

    def _receive(self, ip, seq):
        if self.raw:
            data, addr = self.sock.recvfrom(65535)
            hl = (data[0] & 0x0F) * 4
            ttl = data[8]
            icmp = data[hl:]
        else:
            data, anc, _, addr = self.sock.recvmsg(65535, socket.CMSG_SPACE(4))
            icmp = data
            ttl = 64
            for level, ctype, cdata in anc:
                if level == socket.IPPROTO_IP and ctype == socket.IP_TTL:
                    ttl = struct.unpack("i", cdata[:4])[0]
        if addr[0] != ip or len(icmp) < 8:
            return None
        itype, _, _, ident, rseq = struct.unpack("!BBHHH", icmp[:8])
        if itype != 0 or rseq != seq or (self.raw and ident != self.ident):
            return None
        return ttl
