"""Nothing leaves loopback unless allow_any_address is set.

The network functions are wrapped so that a call towards another address
fails the test instead of sending anything.
"""
import socket

import pytest

from bc26.emulator import netops

OUTSIDE = "192.0.2.1"  # TEST-NET-1


@pytest.fixture
def guard(monkeypatch):
    calls = []

    def refuse(name):
        def fn(*args, **kw):
            calls.append((name, args))
            raise AssertionError("%s called with %r" % (name, args))
        return fn
    real_open, real_query, real_sntp = netops.open_socket, netops.dns_query, netops.sntp

    def open_socket(kind, ip, *rest):
        if not netops.is_loopback(ip):
            return refuse("open_socket")(kind, ip, *rest)
        return real_open(kind, ip, *rest)

    def dns_query(server, *rest):
        if not netops.is_loopback(server):
            return refuse("dns_query")(server, *rest)
        return real_query(server, *rest)

    def sntp(ip, *rest):
        if not netops.is_loopback(ip):
            return refuse("sntp")(ip, *rest)
        return real_sntp(ip, *rest)

    monkeypatch.setattr(netops, "open_socket", open_socket)
    monkeypatch.setattr(netops, "dns_query", dns_query)
    monkeypatch.setattr(netops, "sntp", sntp)
    monkeypatch.setattr(netops, "Pinger", refuse("Pinger"))
    monkeypatch.setattr(netops, "_resolver_is_local", lambda: False)
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    return calls


def test_outside_addresses_are_refused(make_emu, guard, dns_server):
    emu, t = make_emu(dns_port=dns_server.port)
    for kind in (b"TCP", b"UDP"):
        t.exchange(b'AT+QIOPEN=1,0,"%s","%s",80,0,0' % (kind, OUTSIDE.encode()),
                   b"\r\nOK\r\n\r\n+QIOPEN: 0,566\r\n")
        t.exchange(b"AT+QICLOSE=0", b"\r\nOK\r\n\r\nCLOSE OK\r\n")
    t.exchange(b'AT+QPING=1,"%s",1,2' % OUTSIDE.encode(),
               b"\r\nOK\r\n\r\n+QPING: 569\r\n\r\n+QPING: 569\r\n\r\n+QPING: 569\r\n")
    t.exchange(b'AT+QNTP=1,"%s"' % OUTSIDE.encode(), b"\r\nOK\r\n\r\n+QNTP: 569\r\n")
    # the system resolver is not loopback here: only the hosts file is read
    t.exchange(b'AT+QIDNSGIP=1,"localhost"',
               b'\r\nOK\r\n\r\n+QIURC: "dnsgip",0,1,0\r\n\r\n+QIURC: "dnsgip","127.0.0.1"\r\n')
    t.exchange(b'AT+QIDNSGIP=1,"not-in-hosts.invalid"',
               b'\r\nOK\r\n\r\n+QIURC: "dnsgip",565\r\n')
    # a DNS server outside loopback is never asked
    t.exchange(b'AT+QIDNSCFG=1,"%s"' % OUTSIDE.encode(), b"\r\nOK\r\n")
    t.exchange(b'AT+QIDNSGIP=1,"iot.quectel.com"', b'\r\nOK\r\n\r\n+QIURC: "dnsgip",565\r\n')
    assert guard == []


def test_names_resolving_outside_are_refused(make_emu, guard):
    from bc26.emulator.servers import DNSServer
    with DNSServer({"far.test": [OUTSIDE]}) as dns:
        emu, t = make_emu(dns_servers=["127.0.0.1"], dns_port=dns.port)
        t.exchange(b'AT+QIDNSGIP=1,"far.test"',
                   b'\r\nOK\r\n\r\n+QIURC: "dnsgip",0,1,600\r\n'
                   b'\r\n+QIURC: "dnsgip","%s"\r\n' % OUTSIDE.encode())
        t.exchange(b'AT+QIOPEN=1,0,"TCP","far.test",80', b"\r\nOK\r\n\r\n+QIOPEN: 0,566\r\n")
    assert guard == []


def test_outside_ipv6_addresses_are_refused(make_emu, guard):
    emu, t = make_emu()
    # only ::1 is loopback; an IPv4-mapped 127.0.0.1 is not ::1 either
    for cid, ip in enumerate((b"2001:db8::1", b"::ffff:127.0.0.1", b"fe80::1", b"::")):
        for kind in (b"TCP", b"UDP"):
            t.exchange(b'AT+QIOPEN=1,%d,"%s","%s",80,0,0,1' % (cid, kind, ip),
                       b"\r\nOK\r\n\r\n+QIOPEN: %d,566\r\n" % cid)
            t.exchange(b"AT+QICLOSE=%d" % cid, b"\r\nOK\r\n\r\nCLOSE OK\r\n")
    assert guard == []
