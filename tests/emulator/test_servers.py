"""The loopback test servers."""
import socket
import threading
import time

import dnslib

from bc26.emulator import netops
from bc26.emulator.servers import (DNSServer, PayloadServer, SNTPServer,
                                   TCPEchoServer, UDPEchoServer)

NEVER = threading.Event()


def test_tcp_echo():
    with TCPEchoServer() as srv:
        with socket.create_connection(srv.address, timeout=2) as c:
            c.sendall(b"hello")
            assert c.recv(100) == b"hello"
        assert bytes(srv.received) == b"hello"
        assert srv.port > 1024 and srv.address[0] == "127.0.0.1"


def test_udp_echo():
    with UDPEchoServer() as srv:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as c:
            c.settimeout(2)
            c.sendto(b"dgram", srv.address)
            assert c.recvfrom(100)[0] == b"dgram"
        assert srv.received == [b"dgram"]


def test_dns_answers_and_nxdomain():
    with DNSServer({"a.test": ["127.0.0.5", "127.0.0.6"]}, ttl=42) as srv:
        assert netops.dns_query("127.0.0.1", srv.port, "A.test", 2, NEVER) == (
            0, [("127.0.0.5", 42), ("127.0.0.6", 42)])
        assert netops.dns_query("127.0.0.1", srv.port, "b.test", 2, NEVER) == (3, [])
        q = dnslib.DNSRecord.question("a.test")
        reply = dnslib.DNSRecord.parse(q.send("127.0.0.1", srv.port, timeout=2))
        assert [str(r.rdata) for r in reply.rr] == ["127.0.0.5", "127.0.0.6"]


def test_sntp():
    with SNTPServer(offset=3600) as srv:
        t = netops.sntp("127.0.0.1", srv.port, 2, NEVER)
        assert abs(t - (time.time() + 3600)) < 1
        assert len(srv.received) == 1


def test_payload_server_chunks_then_close():
    with PayloadServer(b"abcdef", chunks=3, gap=0.05) as srv:
        with socket.create_connection(srv.address, timeout=2) as c:
            parts = []
            while True:
                d = c.recv(100)
                if not d:
                    break
                parts.append(d)
        assert b"".join(parts) == b"abcdef"
        assert len(parts) == 3  # the gaps keep the pieces apart


def test_servers_stop_their_threads():
    before = threading.active_count()
    for cls in (TCPEchoServer, UDPEchoServer, SNTPServer):
        with cls():
            pass
    with DNSServer({}):
        pass
    with PayloadServer(b"x"):
        pass
    assert threading.active_count() == before
