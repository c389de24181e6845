"""The DNS test server and a name too long for DNS (over 255 octets on
the wire): dnslib parses such a query but cannot pack the reply, which
once killed the server's thread.  It answers FORMERR and serves on."""
import socket
import struct
import threading

from bc26.emulator import netops
from bc26.emulator.servers import DNSServer

NEVER = threading.Event()
LONG = "a." * 127 + "a"  # 255 characters: the driver's MAX_HOST_LEN, 257 octets


def _query(qid, name):
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + \
        netops._encode_name(name) + struct.pack("!HH", 1, 1)


def test_formerr_header_only_then_serves_on():
    with DNSServer({"a.test": ["127.0.0.5"]}, ttl=42) as srv:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(2)
            s.sendto(_query(0x1234, LONG), srv.address)
            reply = s.recv(512)
        qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", reply[:12])
        assert (qid, len(reply)) == (0x1234, 12)  # the header alone
        assert flags & 0x8000 and flags & 0xF == 1  # a response, FORMERR
        assert (qd, an, ns, ar) == (0, 0, 0, 0)
        assert srv.received == [LONG]
        assert netops.dns_query("127.0.0.1", srv.port, "a.test", 2, NEVER) == (
            0, [("127.0.0.5", 42)])


def test_the_module_says_565_for_it(make_emu, dns_server):
    emu, t = make_emu(dns_servers=["127.0.0.1"], dns_port=dns_server.port)
    t.exchange(b'AT+QIDNSGIP=1,"%s"' % LONG.encode(),
               b'\r\nOK\r\n\r\n+QIURC: "dnsgip",565\r\n')
    t.exchange(b'AT+QIDNSGIP=1,"iot.quectel.com"',
               b'\r\nOK\r\n\r\n+QIURC: "dnsgip",0,1,600\r\n'
               b'\r\n+QIURC: "dnsgip","127.0.0.1"\r\n')
