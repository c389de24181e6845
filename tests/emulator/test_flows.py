"""The examples of the manual's chapter 4, replayed byte for byte over a real
pty with pyserial against real loopback servers. Echo is on (the power-up
default), so every command comes back first, as in the manual's transcripts.
Only network-dependent values differ from the manual: addresses, ports,
times."""
import calendar
import time

from emu_support import free_port, wait_nodes


def test_4_1_tcp_client_buffer_access_mode(make_emu, tcp_echo):
    emu, t = make_emu()
    port = tcp_echo.port
    lport = free_port()
    # 4.1.1 set up a connection in buffer access mode
    t.exchange(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,%d,0' % (port, lport),
               b"\r\nOK\r\n\r\n+QIOPEN: 0,0\r\n")
    t.exchange(b"AT+QISTATE=1,0",
               b'\r\n+QISTATE: 0,"TCP","127.0.0.1",%d,%d,2,1,0\r\n\r\nOK\r\n' % (port, lport))
    # 4.1.2 send data: text form, variable length, fixed length, hex
    t.exchange(b"AT+QISEND=0,10,1234567890", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0\r\n')  # the echo server answered
    wait_nodes(emu, 0, 1)
    t.exchange(b"AT+QISEND=0", b"\r\n> ")
    t.write(b"1234567890\x1a")
    t.expect(b"\r\nOK\r\n\r\nSEND OK\r\n")
    wait_nodes(emu, 0, 2)
    t.exchange(b"AT+QISEND=0,10", b"\r\n> ")
    t.write(b"1234567890")
    t.expect(b"\r\nOK\r\n\r\nSEND OK\r\n")
    wait_nodes(emu, 0, 3)
    t.exchange(b"AT+QISENDEX=0,5,3031323334", b"\r\nOK\r\n\r\nSEND OK\r\n")
    wait_nodes(emu, 0, 4)
    assert bytes(tcp_echo.received) == b"1234567890" * 3 + b"01234"
    # 4.1.3 receive: one URC until drained, one node per read
    for _ in range(3):
        t.exchange(b"AT+QIRD=0,512", b"\r\n+QIRD: 10\r\n1234567890\r\n\r\nOK\r\n")
    t.exchange(b"AT+QIRD=0,512", b"\r\n+QIRD: 5\r\n01234\r\n\r\nOK\r\n")
    t.exchange(b"AT+QIRD=0,512", b"\r\n+QIRD: 0\r\n\r\nOK\r\n")
    t.exchange(b'AT+QICFG="showlength",1', b"\r\nOK\r\n")
    t.exchange(b'AT+QISEND=0,12,"012345678901"', b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0,12\r\n')
    t.exchange(b"AT+QIRD=0,10", b"\r\n+QIRD: 10,2\r\n0123456789\r\n\r\nOK\r\n")
    t.exchange(b"AT+QIRD=0,10", b"\r\n+QIRD: 2,0\r\n01\r\n\r\nOK\r\n")
    # fill all 20 nodes with real segments: "buff full"
    for i in range(20):
        t.exchange(b"AT+QISEND=0,1,%d" % (i % 10), b"\r\nOK\r\n\r\nSEND OK\r\n")
        if i == 0:
            t.expect(b'\r\n+QIURC: "recv",0,1\r\n')
        wait_nodes(emu, 0, i + 1)
    t.expect(b'\r\n+QIURC: "recv",0,"buff full"\r\n')
    for i in range(20):
        t.exchange(b"AT+QIRD=0,512", b"\r\n+QIRD: 1,0\r\n%d\r\n\r\nOK\r\n" % (i % 10))
    t.exchange(b'AT+QICFG="viewmode",1', b"\r\nOK\r\n")
    t.exchange(b'AT+QISEND=0,12,"012345678901"', b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0,12\r\n')
    t.exchange(b"AT+QIRD=0,10", b"\r\n+QIRD: 10,2,0123456789\r\n\r\nOK\r\n")
    # 4.1.4 close
    t.exchange(b"AT+QICLOSE=0", b"\r\nOK\r\n\r\nCLOSE OK\r\n")
    t.exchange(b"AT+QISTATE=1,0", b"\r\nOK\r\n")


def test_4_2_tcp_client_direct_push_mode(make_emu, tcp_echo):
    emu, t = make_emu()
    port = tcp_echo.port
    # 4.2.1
    t.exchange(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,0,1' % port,
               b"\r\nOK\r\n\r\n+QIOPEN: 0,0\r\n")
    t.exchange(b"AT+QISTATE=1,0",
               b'\r\n+QISTATE: 0,"TCP","127.0.0.1",%d,0,2,1,1\r\n\r\nOK\r\n' % port)
    # 4.2.2 + 4.2.3: every send comes straight back as a push
    push = b'\r\n+QIURC: "recv",0,5\r\n12345\r\n'
    t.exchange(b"AT+QISEND=0,5,12345", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(push)
    t.exchange(b"AT+QISEND=0", b"\r\n> ")
    t.write(b"12345\x1a")
    t.expect(b"\r\nOK\r\n\r\nSEND OK\r\n" + push)
    t.exchange(b"AT+QISEND=0,5", b"\r\n> ")
    t.write(b"12345")
    t.expect(b"\r\nOK\r\n\r\nSEND OK\r\n" + push)
    t.exchange(b"AT+QISENDEX=0,5,3132333435", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(push)
    t.exchange(b'AT+QICFG="viewmode",1', b"\r\nOK\r\n")
    t.exchange(b'AT+QISEND=0,12,"012345678901"', b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0,12,012345678901\r\n')
    # 4.2.4
    t.exchange(b"AT+QICLOSE=0", b"\r\nOK\r\n\r\nCLOSE OK\r\n")


def test_4_3_ping(make_emu, dns_server):
    emu, t = make_emu(dns_servers=["127.0.0.1"], dns_port=dns_server.port)
    t.exchange(b'AT+QPING=1,"iot.quectel.com"', b"\r\nOK\r\n")
    times = []
    for _ in range(4):
        m = t.expect_re(rb'\r\n\+QPING: 0,"127\.0\.0\.1",32,(\d+),(\d+)\r\n')
        times.append(int(m.group(1)))
        assert int(m.group(2)) == 64  # Linux's default TTL, as received
    m = t.expect_re(rb"\r\n\+QPING: 0,4,4,0,(\d+),(\d+),(\d+)\r\n")
    assert (int(m.group(1)), int(m.group(2))) == (min(times), max(times))
    assert min(times) <= int(m.group(3)) <= max(times)
    assert dns_server.received == ["iot.quectel.com"]


def test_4_4_synchronize_local_time(make_emu, dns_server, sntp_server):
    emu, t = make_emu(dns_servers=["127.0.0.1"], dns_port=dns_server.port,
                      ntp_port=sntp_server.port)
    t.exchange(b'AT+QNTP=1,"ntp5.aliyun.com"', b"\r\nOK\r\n")
    m = t.expect_re(rb'\r\n\+QNTP: 0,"(\d\d/\d\d/\d\d,\d\d:\d\d:\d\d)\+00"\r\n')
    got = calendar.timegm(time.strptime(m.group(1).decode(), "%y/%m/%d,%H:%M:%S"))
    assert abs(got - time.time()) < 3
    assert len(sntp_server.received) == 1


def test_4_5_configure_dns_server(emu_term):
    emu, t = emu_term
    # Setting servers sends nothing; the manual's own values are used.
    t.exchange(b'AT+QIDNSCFG=1,"218.2.2.2","8.8.8.8"', b"\r\nOK\r\n")
    t.exchange(b"AT+QIDNSCFG=1", b'\r\n+QIDNSCFG: 1,"218.2.2.2","8.8.8.8"\r\n\r\nOK\r\n')


def test_4_6_getting_last_error_code(emu_term):
    emu, t = emu_term
    t.exchange(b'AT+QIOPEN=1,"UDP","220.180.239.212",8063,0,1', b"\r\nERROR\r\n")
    t.exchange(b"AT+QIGETERROR", b"\r\n+QIGETERROR: 552,invalid parameters\r\n\r\nOK\r\n")


def test_dnsgip_flow(make_emu, dns_server):
    emu, t = make_emu(dns_port=dns_server.port)
    t.exchange(b'AT+QIDNSCFG=1,"127.0.0.1"', b"\r\nOK\r\n")
    t.exchange(b"AT+QIDNSCFG=1", b'\r\n+QIDNSCFG: 1,"127.0.0.1"\r\n\r\nOK\r\n')
    t.exchange(b'AT+QIDNSGIP=1,"echo.test"',
               b'\r\nOK\r\n\r\n+QIURC: "dnsgip",0,2,600\r\n'
               b'\r\n+QIURC: "dnsgip","127.0.0.1"\r\n\r\n+QIURC: "dnsgip","127.0.0.2"\r\n')
    t.exchange(b'AT+QIDNSGIP=1,"nowhere.test"', b'\r\nOK\r\n\r\n+QIURC: "dnsgip",565\r\n')
    t.exchange(b"AT+QIGETERROR", b"\r\n+QIGETERROR: 565,dns parse failed\r\n\r\nOK\r\n")
    assert dns_server.received == ["echo.test", "nowhere.test"]


def test_open_by_name_and_udp(make_emu, dns_server, udp_echo):
    emu, t = make_emu(dns_servers=["127.0.0.1"], dns_port=dns_server.port)
    t.exchange(b'AT+QIOPEN=1,1,"UDP","echo.test",%d,0,1' % udp_echo.port,
               b"\r\nOK\r\n\r\n+QIOPEN: 1,0\r\n")
    t.exchange(b"AT+QISTATE?",
               b'\r\n+QISTATE: 1,"UDP","echo.test",%d,0,2,1,1\r\n\r\nOK\r\n' % udp_echo.port)
    t.exchange(b"AT+QISEND=1,4,ping", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",1,4\r\nping\r\n')
    t.exchange(b"AT+QISEND=1,0", b"\r\n+QISEND: 4,0,0\r\n\r\nOK\r\n")
    assert udp_echo.received == [b"ping"]
