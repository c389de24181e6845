"""AT+QPING, +QNTP, +QIDNSGIP beyond the manual's examples."""
import calendar
import time

from bc26.emulator.servers import SNTPServer

from emu_support import free_port


def test_ping_size_count_and_dns_failure(make_emu, dns_server):
    emu, t = make_emu(dns_servers=["127.0.0.1"], dns_port=dns_server.port)
    t.exchange(b'AT+QPING=1,"127.0.0.1",2,1,200', b"\r\nOK\r\n")
    m = t.expect_re(rb'\r\n\+QPING: 0,"127\.0\.0\.1",200,(\d+),64\r\n'
                    rb"\r\n\+QPING: 0,1,1,0,(\d+),(\d+),(\d+)\r\n")
    assert len(set(m.groups())) == 1  # one reply: min = max = avg = its time
    t.exchange(b'AT+QPING=1,"nowhere.test"', b"\r\nOK\r\n\r\n+QPING: 565\r\n")
    t.exchange(b"AT+QIGETERROR", b"\r\n+QIGETERROR: 565,dns parse failed\r\n\r\nOK\r\n")


def test_ntp_autoset_updates_the_clock(make_emu):
    with SNTPServer(offset=86400) as srv:
        emu, t = make_emu(ntp_port=srv.port)
        t.exchange(b'AT+QNTP=1,"127.0.0.1",123,1', b"\r\nOK\r\n")
        t.expect_re(rb'\r\n\+QNTP: 0,"[0-9/,:]+\+00"\r\n')
        reply = t.cmd(b"AT+CCLK?")
        stamp = reply.split(b'"')[1][:-3].decode()
        clock = calendar.timegm(time.strptime(stamp, "%y/%m/%d,%H:%M:%S"))
        assert abs(clock - (time.time() + 86400)) < 3


def test_ntp_explicit_port_and_failure(make_emu):
    with SNTPServer() as srv:
        emu, t = make_emu()  # ntp_port stays 123: the explicit port is used
        t.exchange(b'AT+QNTP=1,"127.0.0.1",%d' % srv.port, b"\r\nOK\r\n")
        t.expect_re(rb'\r\n\+QNTP: 0,"\d\d/\d\d/\d\d,\d\d:\d\d:\d\d\+00"\r\n')
        assert len(srv.received) == 1
    t.exchange(b'AT+QNTP=1,"127.0.0.1",%d' % free_port(), b"\r\nOK\r\n\r\n+QNTP: 569\r\n")
    t.exchange(b"AT+QIGETERROR", b"\r\n+QIGETERROR: 569,operation timeout\r\n\r\nOK\r\n")


def test_dns_server_down_is_565(make_emu):
    emu, t = make_emu(dns_servers=["127.0.0.1"], dns_port=free_port(), dns_timeout=0.3)
    t.exchange(b"AT+QIDNSCFG=1", b'\r\n+QIDNSCFG: 1,"127.0.0.1"\r\n\r\nOK\r\n')
    t.exchange(b'AT+QIDNSGIP=1,"iot.quectel.com"', b'\r\nOK\r\n\r\n+QIURC: "dnsgip",565\r\n')
