"""IPv6 sockets, port busy (574), ping with every request lost, whole frames
at the output cap, the state after a remote close, and every send / state /
read form over the real serial path."""
import re
import socket
import time

import pytest

from bc26.emulator import line as emu_line
from bc26.emulator.servers import (PayloadServer, TCPEchoServer,
                                   UDPEchoServer)

from emu_support import free_port, wait_for, wait_nodes

OK = b"\r\nOK\r\n"
LASTERR = b"\r\n+QIGETERROR: %d,%s\r\n\r\nOK\r\n"
SIZES = (1, 511, 512, 513, 1200, 1460)


def last_error(t, code, text):
    t.exchange(b"AT+QIGETERROR", LASTERR % (code, text))


def opened(t, cmd, cid, err=0):
    t.exchange(cmd, OK + b"\r\n+QIOPEN: %d,%d\r\n" % (cid, err))


def datagram(n, k):
    """n bytes, different for each datagram k."""
    return bytes((k * 37 + i) % 251 for i in range(n))


@pytest.fixture
def udp_peer():
    """A UDP socket on loopback that the test drives as the remote end."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(3)
    yield s
    s.close()


def learn_peer(t, peer, cid):
    """The emulator sends one datagram; -> its (host, port) as seen by peer."""
    t.exchange(b"AT+QISEND=%d,4,ping" % cid, OK + b"\r\nSEND OK\r\n")
    data, addr = peer.recvfrom(100)
    assert data == b"ping"
    return addr


# -- 1. IPv6 ------------------------------------------------------------------------

def test_ipv6_tcp_buffer_and_push(make_emu):
    with TCPEchoServer(host="::1") as srv:
        emu, t = make_emu()
        opened(t, b'AT+QIOPEN=1,0,"TCP","::1",%d,0,0,1' % srv.port, 0)
        t.exchange(b"AT+QISTATE=1,0",
                   b'\r\n+QISTATE: 0,"TCP","::1",%d,0,2,1,0\r\n' % srv.port + OK)
        assert srv.peers[0][0] == "::1"  # a real IPv6 connection
        t.exchange(b"AT+QISEND=0,5,hello", OK + b"\r\nSEND OK\r\n")
        t.expect(b'\r\n+QIURC: "recv",0\r\n')
        wait_nodes(emu, 0, 1)
        t.exchange(b"AT+QIRD=0,512", b"\r\n+QIRD: 5\r\nhello\r\n" + OK)
        t.exchange(b"AT+QISWTMD=0,1", OK)
        t.exchange(b"AT+QISEND=0,5,world", OK + b"\r\nSEND OK\r\n")
        t.expect(b'\r\n+QIURC: "recv",0,5\r\nworld\r\n')
        # any spelling of ::1 is ::1; +QISTATE shows it as given
        opened(t, b'AT+QIOPEN=1,1,"TCP","0:0:0:0:0:0:0:1",%d,0,1,1' % srv.port, 1)
        t.exchange(b"AT+QISTATE=1,1", b'\r\n+QISTATE: 1,"TCP","0:0:0:0:0:0:0:1",%d,0,2,1,1\r\n'
                   % srv.port + OK)
        t.exchange(b"AT+QISEND=1,3,abc", OK + b"\r\nSEND OK\r\n")
        t.expect(b'\r\n+QIURC: "recv",1,3\r\nabc\r\n')
        t.exchange(b"AT+QICLOSE=0", OK + b"\r\nCLOSE OK\r\n")


def test_ipv6_udp_buffer_and_push(make_emu):
    with UDPEchoServer(host="::1") as srv:
        emu, t = make_emu()
        t.exchange(b'AT+QICFG="showlength",1', OK)
        opened(t, b'AT+QIOPEN=1,2,"UDP","::1",%d,0,0,1' % srv.port, 2)
        opened(t, b'AT+QIOPEN=1,3,"UDP","::1",%d,0,1,1' % srv.port, 3)
        t.exchange(b"AT+QISTATE=0,1",
                   b'\r\n+QISTATE: 2,"UDP","::1",%d,0,2,1,0\r\n'
                   b'+QISTATE: 3,"UDP","::1",%d,0,2,1,1\r\n' % (srv.port, srv.port) + OK)
        t.exchange(b"AT+QISEND=2,4,buff", OK + b"\r\nSEND OK\r\n")
        t.expect(b'\r\n+QIURC: "recv",2,4\r\n')
        wait_nodes(emu, 2, 1)
        t.exchange(b"AT+QIRD=2,512", b"\r\n+QIRD: 4,0\r\nbuff\r\n" + OK)
        t.exchange(b"AT+QISENDEX=3,4,70757368", OK + b"\r\nSEND OK\r\n")
        t.expect(b'\r\n+QIURC: "recv",3,4\r\npush\r\n')
        assert srv.received == [b"buff", b"push"]


def test_ipv6_parameters_and_ping(make_emu):
    emu, t = make_emu()
    # <protocol_type> 0 (IPv4, the default) with an IPv6 literal
    for cmd in (b'AT+QIOPEN=1,0,"TCP","::1",80,0,0,0', b'AT+QIOPEN=1,0,"TCP","::1",80'):
        t.exchange(cmd, b"\r\nERROR\r\n")
        last_error(t, 552, b"invalid parameters")
    # a name with IPv6: the emulator's DNS only knows A records
    opened(t, b'AT+QIOPEN=1,0,"TCP","localhost",80,0,0,1', 0, 565)
    t.exchange(b"AT+QICLOSE=0", OK + b"\r\nCLOSE OK\r\n")
    # manual 2.1.8 note 2: "Currently IPv6 ping is not supported."
    t.exchange(b'AT+QPING=1,"::1"', b"\r\nERROR\r\n")
    last_error(t, 555, b"operation not supported")
    t.nothing(0.1)


# -- 2. port busy -----------------------------------------------------------------------

def test_local_port_held_by_an_emulator_socket_is_574(make_emu, sink, udp_echo):
    emu, t = make_emu()
    other, t2 = make_emu()
    lport = free_port()
    opened(t, b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,%d,0' % (sink.port, lport), 0)
    opened(t, b'AT+QIOPEN=1,1,"TCP","127.0.0.1",%d,%d,0' % (sink.port, lport), 1, 574)
    last_error(t, 574, b"port busy")
    t.exchange(b"AT+QISTATE=1,1",
               b'\r\n+QISTATE: 1,"TCP","127.0.0.1",%d,%d,0,1,0\r\n' % (sink.port, lport) + OK)
    t.exchange(b"AT+QICLOSE=1", OK + b"\r\nCLOSE OK\r\n")
    # a second emulator on the same machine: the same port space
    opened(t2, b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,%d,0' % (sink.port, lport), 0, 574)
    # UDP ports likewise
    uport = free_port()
    opened(t, b'AT+QIOPEN=1,2,"UDP","127.0.0.1",%d,%d,0' % (udp_echo.port, uport), 2)
    opened(t, b'AT+QIOPEN=1,3,"UDP","127.0.0.1",%d,%d,0' % (udp_echo.port, uport), 3, 574)
    # closed by us (TIME_WAIT on our side): the port is free again at once
    t.exchange(b"AT+QICLOSE=0", OK + b"\r\nCLOSE OK\r\n")
    wait_for(lambda: len(sink.peers) == 1)
    with PayloadServer(b"", close=False) as srv2:
        opened(t, b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,%d,0' % (srv2.port, lport), 0)
        wait_for(lambda: srv2.peers == [("127.0.0.1", lport)], what="the bound port")


def test_local_port_held_by_another_socket_is_574(make_emu, sink, udp_echo):
    emu, t = make_emu()
    with socket.socket() as bound, socket.socket() as client, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as dgram:
        bound.bind(("127.0.0.1", 0))            # bound only
        client.connect(("127.0.0.1", sink.port))  # a live connection's port
        dgram.bind(("127.0.0.1", 0))
        for cid, port in ((0, bound.getsockname()[1]), (1, client.getsockname()[1]),
                          (2, sink.port)):      # a listening server's port
            opened(t, b'AT+QIOPEN=1,%d,"TCP","127.0.0.1",%d,%d,0' % (cid, sink.port, port),
                   cid, 574)
        opened(t, b'AT+QIOPEN=1,3,"UDP","127.0.0.1",%d,%d,0'
               % (udp_echo.port, dgram.getsockname()[1]), 3, 574)
        opened(t, b'AT+QIOPEN=1,4,"UDP","127.0.0.1",%d,%d,0' % (udp_echo.port, udp_echo.port),
               4, 574)


# -- 3. ping with every request lost ------------------------------------------------

def test_ping_all_lost_reports_569_without_summary(make_emu):
    emu, t = make_emu()
    emu.faults.lose_pings(2)
    t0 = time.monotonic()
    t.exchange(b'AT+QPING=1,"127.0.0.1",1,2',
               OK + b"\r\n+QPING: 569\r\n\r\n+QPING: 569\r\n\r\n+QPING: 569\r\n", timeout=5)
    assert time.monotonic() - t0 > 1.8  # each request waited its <time_out>
    last_error(t, 569, b"operation timeout")
    t.nothing(0.1)
    # one of two lost: the ping succeeded, the summary counts the loss
    emu.faults.lose_pings(1)
    t.exchange(b'AT+QPING=1,"127.0.0.1",1,2', OK + b"\r\n+QPING: 569\r\n", timeout=5)
    m = t.expect_re(rb'\r\n\+QPING: 0,"127\.0\.0\.1",32,(\d+),\d+\r\n'
                    rb"\r\n\+QPING: 0,2,1,1,(\d+),(\d+),(\d+)\r\n", timeout=3)
    assert len(set(m.groups())) == 1


# -- 4. whole frames at the output cap ------------------------------------------------

def test_output_cap_drops_whole_frames(make_emu, monkeypatch):
    monkeypatch.setattr(emu_line, "_TX_CAP", 8192)
    emu, t = make_emu()
    t.exchange(b"ATE0", OK)
    info = t.cmd(b'AT+QICFG=?')[:-len(OK)]  # the information lines, one frame
    n = 600  # far more than the pty (about 20 KB) and the cap hold together
    t.write(b'AT+QICFG=?\r' * n)  # and read nothing meanwhile
    wait_for(lambda: sum(e.kind == "line" for e in emu.log) >= n + 3, timeout=10,
             what="all commands executed")
    got = t.drain(0.2)
    assert len(got) < n * (len(info) + len(OK))  # the cap was hit
    frames = re.compile(b"(?:%s|%s)*" % (re.escape(info), re.escape(OK)))
    assert frames.fullmatch(got), "a cut frame in %r" % got[-200:]
    t.write(b"AT\r")  # the host reads again: the line is whole
    t.expect(OK)


# -- 5. after a remote close ----------------------------------------------------------

def test_remote_close_state_4_until_qiclose(make_emu):
    with PayloadServer(b"bye") as srv:
        emu, t = make_emu()
        t.exchange(b'AT+QICFG="showlength",1', OK)
        opened(t, b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,0,0' % srv.port, 0)
        t.expect(b'\r\n+QIURC: "recv",0,3\r\n\r\n+QIURC: "closed",0\r\n')
        opened(t, b'AT+QIOPEN=1,1,"TCP","127.0.0.1",%d,0,1' % srv.port, 1)
        t.expect(b'\r\n+QIURC: "recv",1,3\r\nbye\r\n\r\n+QIURC: "closed",1\r\n')
        time.sleep(0.2)  # it stays so: nothing changes by itself
        both = (b'\r\n+QISTATE: 0,"TCP","127.0.0.1",%d,0,4,1,0\r\n'
                b'+QISTATE: 1,"TCP","127.0.0.1",%d,0,4,1,1\r\n' % (srv.port, srv.port) + OK)
        t.exchange(b"AT+QISTATE?", both)
        t.exchange(b"AT+QISTATE=0,1", both)
        t.exchange(b"AT+QISTATE=1,0",
                   b'\r\n+QISTATE: 0,"TCP","127.0.0.1",%d,0,4,1,0\r\n' % srv.port + OK)
        t.exchange(b"AT+QIRD=0,512", b"\r\n+QIRD: 3,0\r\nbye\r\n" + OK)  # still readable
        t.exchange(b"AT+QISEND=0,1,x", b"\r\nERROR\r\n")
        last_error(t, 567, b"socket has been closed")
        t.exchange(b"AT+QICLOSE=0", OK + b"\r\nCLOSE OK\r\n")
        t.exchange(b"AT+QICLOSE=1", OK + b"\r\nCLOSE OK\r\n")
        t.exchange(b"AT+QISTATE?", OK)


# -- 6. every send, state and read form ------------------------------------------------

def test_every_send_form_delivers_exact_bytes(make_emu, sink):
    emu, t = make_emu()
    opened(t, b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,0,0' % sink.port, 0)
    sent = OK + b"\r\nSEND OK\r\n"
    t.exchange(b"AT+QISEND=0,5,plain", sent)
    t.exchange(b'AT+QISEND=0,6,"quoted"', sent)            # sent without the quotes
    t.exchange(b"AT+QISEND=0,1024," + b"T" * 1024, sent)   # text limit
    t.exchange(b"AT+QISEND=0,1025," + b"T" * 1025, b"\r\nERROR\r\n")
    t.exchange(b"AT+QISEND=0,4", b"\r\n> ")               # fixed length
    t.write(b"fix\x1a")  # Ctrl-Z is data here
    t.expect(sent)
    t.exchange(b"AT+QISEND=0", b"\r\n> ")                 # variable length
    t.write(b"var\r\nlen\x1a")
    t.expect(sent)
    t.exchange(b"AT+QISEND=0", b"\r\n> ")
    t.write(b"dropped\x1b")                               # ESC cancels
    t.expect(OK)
    last_error(t, 571, b"cancel send")
    t.exchange(b"AT+QISENDEX=0,3,414243", sent)
    t.exchange(b"AT+QISENDEX=0,512," + b"58" * 512, sent)  # QISENDEX limit
    t.exchange(b"AT+QISENDEX=0,513," + b"58" * 513, b"\r\nERROR\r\n")
    t.exchange(b'AT+QICFG="dataformat",1,0', OK)
    t.exchange(b"AT+QISEND=0,512," + b"48" * 512, sent)    # hex limit
    t.exchange(b'AT+QISEND=0,2,"0D0a"', sent)
    t.exchange(b"AT+QISEND=0,513," + b"48" * 513, b"\r\nERROR\r\n")
    want = (b"plainquoted" + b"T" * 1024 + b"fix\x1a" + b"var\r\nlen" + b"ABC" +
            b"X" * 512 + b"H" * 512 + b"\r\n")
    wait_for(lambda: len(sink.received) >= len(want), what="all data at the server")
    assert bytes(sink.received) == want
    t.exchange(b"AT+QISEND=0,0", b"\r\n+QISEND: %d,%d,0\r\n" % (len(want), len(want)) + OK)


def test_qistate_by_context_and_by_connect_id(make_emu, sink, udp_echo):
    emu, t = make_emu()
    opened(t, b'AT+QIOPEN=1,3,"UDP","127.0.0.1",%d,0,1' % udp_echo.port, 3)
    opened(t, b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,0,0' % sink.port, 0)
    tcp = b'+QISTATE: 0,"TCP","127.0.0.1",%d,0,2,1,0\r\n' % sink.port
    udp = b'+QISTATE: 3,"UDP","127.0.0.1",%d,0,2,1,1\r\n' % udp_echo.port
    t.exchange(b"AT+QISTATE=0,1", b"\r\n" + tcp + udp + OK)
    t.exchange(b"AT+QISTATE?", b"\r\n" + tcp + udp + OK)
    t.exchange(b"AT+QISTATE=0,2", OK)  # no socket in context 2
    t.exchange(b"AT+QISTATE=1,3", b"\r\n" + udp + OK)
    t.exchange(b"AT+QISTATE=1,0", b"\r\n" + tcp + OK)
    t.exchange(b"AT+QISTATE=1,4", OK)  # no such socket
    for bad in (b"AT+QISTATE=1,5", b"AT+QISTATE=0,4", b"AT+QISTATE=2,1", b"AT+QISTATE=1"):
        t.exchange(bad, b"\r\nERROR\r\n")


def test_udp_buffer_mode_one_node_per_datagram(make_emu, udp_peer):
    emu, t = make_emu()
    t.exchange(b'AT+QICFG="showlength",1', OK)
    opened(t, b'AT+QIOPEN=1,0,"UDP","127.0.0.1",%d,0,0' % udp_peer.getsockname()[1], 0)
    addr = learn_peer(t, udp_peer, 0)
    grams = [datagram(n, k) for k, n in enumerate(SIZES)]
    for g in grams:
        udp_peer.sendto(g, addr)
    wait_nodes(emu, 0, len(grams))  # all queued before the first read
    t.expect(b'\r\n+QIURC: "recv",0,1\r\n')  # one URC, the first node's length
    t.nothing(0.05)
    for g in grams:
        got = b""
        while len(got) < len(g):
            t.write(b"AT+QIRD=0,512\r")
            t.read_until(b"AT+QIRD=0,512\r")
            m = t.expect_re(rb"\r\n\+QIRD: (\d+),(\d+)\r\n")
            size, remaining = int(m.group(1)), int(m.group(2))
            assert size == min(512, len(g) - len(got))  # never into the next node
            got += t.read_exact(size)
            assert remaining == len(g) - len(got)
            t.expect(b"\r\n" + OK)
        assert got == g
    t.exchange(b"AT+QIRD=0,512", b"\r\n+QIRD: 0\r\n" + OK)


def test_udp_push_mode_one_urc_per_datagram(make_emu, udp_peer):
    emu, t = make_emu()
    opened(t, b'AT+QIOPEN=1,1,"UDP","127.0.0.1",%d,0,1' % udp_peer.getsockname()[1], 1)
    addr = learn_peer(t, udp_peer, 1)
    grams = [datagram(n, k) for k, n in enumerate(SIZES + (2000,))]
    for g in grams:
        udp_peer.sendto(g, addr)
    for g in grams:
        t.expect(b'\r\n+QIURC: "recv",1,%d\r\n' % len(g) + g + b"\r\n")
    t.nothing(0.1)
