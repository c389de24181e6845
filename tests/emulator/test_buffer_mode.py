"""Buffer access mode: nodes, "buff full", remaining length, formats."""
import re
import time

from bc26.emulator.servers import PayloadServer

from emu_support import open_tcp, wait_for, wait_nodes

QIRD = re.compile(rb"\r\n\+QIRD: (\d+)(?:,(\d+))?\r\n")


def read_node(t, n=512):
    """One AT+QIRD: returns (data, remaining, urcs seen in the reply)."""
    t.write(b"AT+QIRD=0,%d\r" % n)
    before = t.read_until(b"AT+QIRD=0,%d\r" % n)
    urcs = [l for l in before.split(b"\r\n") if l.startswith(b"+")]
    while True:
        m = t.expect_re(rb"\r\n([^\r\n]*)\r\n")
        line = m.group(1)
        if line.startswith(b"+QIRD: "):
            break
        urcs.append(line)  # URCs that fell due before the reply
    fields = line[7:].split(b",")
    size = int(fields[0])
    data = t.read_exact(size) if size else b""
    if size:
        t.expect(b"\r\n")
    t.expect(b"\r\nOK\r\n")
    remaining = int(fields[1]) if len(fields) > 1 else None
    return data, remaining, urcs


def test_twenty_nodes_buff_full_and_flow_control(make_emu):
    chunks = [bytes((65 + i % 26,)) * 50 for i in range(30)]
    with PayloadServer(b"".join(chunks), chunks=30, gap=0.01) as srv:
        emu, t = make_emu()
        open_tcp(t, srv.port)
        t.expect(b'\r\n+QIURC: "recv",0\r\n')
        wait_nodes(emu, 0, 20)
        t.expect(b'\r\n+QIURC: "recv",0,"buff full"\r\n')
        time.sleep(0.4)  # the server has sent everything by now
        assert len(emu.sockets()[0]["nodes"]) == 20  # the rest waits in the kernel
        t.nothing(0.05)  # no second "recv" URC while the buffer is not drained
        got = bytearray()
        urcs = []
        while True:
            data, _, seen = read_node(t)
            urcs += seen
            got += data
            if not data:
                break
        urcs += t.drain(0.1).split(b"\r\n")
        assert bytes(got) == b"".join(chunks)  # nothing lost, in order
        assert b'+QIURC: "closed",0' in urcs
        # after draining, the socket was read again and filled once more
        assert urcs.count(b'+QIURC: "recv",0,"buff full"') >= 1


def test_remaining_length_and_reads_never_cross_nodes(make_emu):
    payload = bytes(range(48, 58)) * 100  # 1000 bytes, one segment
    with PayloadServer(payload) as srv:
        emu, t = make_emu()
        t.exchange(b'AT+QICFG="showlength",1', b"\r\nOK\r\n")
        open_tcp(t, srv.port)
        t.expect(b'\r\n+QIURC: "recv",0,1000\r\n')
        t.expect(b'\r\n+QIURC: "closed",0\r\n')
        t.exchange(b"AT+QISTATE=1,0",
                   b'\r\n+QISTATE: 0,"TCP","127.0.0.1",%d,0,4,1,0\r\n\r\nOK\r\n' % srv.port)
        assert read_node(t, 512)[:2] == (payload[:512], 488)
        assert read_node(t, 300)[:2] == (payload[512:812], 188)
        assert read_node(t, 512)[:2] == (payload[812:], 0)
        assert read_node(t, 512)[:2] == (b"", None)
        t.exchange(b"AT+QICLOSE=0", b"\r\nOK\r\n\r\nCLOSE OK\r\n")


def test_two_segments_two_nodes(make_emu, tcp_echo):
    emu, t = make_emu()
    t.exchange(b'AT+QICFG="showlength",1', b"\r\nOK\r\n")
    open_tcp(t, tcp_echo.port)
    t.exchange(b"AT+QISEND=0,3,abc", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0,3\r\n')
    wait_nodes(emu, 0, 1)
    t.exchange(b"AT+QISEND=0,4,defg", b"\r\nOK\r\n\r\nSEND OK\r\n")
    wait_nodes(emu, 0, 2)
    t.nothing(0.05)  # one URC until the buffer is drained
    t.exchange(b"AT+QIRD=0,512", b"\r\n+QIRD: 3,0\r\nabc\r\n\r\nOK\r\n")
    t.exchange(b"AT+QIRD=0,512", b"\r\n+QIRD: 4,0\r\ndefg\r\n\r\nOK\r\n")
    # drained: the next data gets a fresh URC
    t.exchange(b"AT+QISEND=0,2,hi", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0,2\r\n')


def test_hex_data_format(make_emu, tcp_echo):
    emu, t = make_emu()
    t.exchange(b'AT+QICFG="dataformat",1,1', b"\r\nOK\r\n")
    t.exchange(b'AT+QICFG="dataformat"', b'\r\n+QICFG: "dataformat",1,1\r\n\r\nOK\r\n')
    open_tcp(t, tcp_echo.port)
    t.exchange(b"AT+QISEND=0,6,000D0A4F4BFF", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0\r\n')
    assert bytes(tcp_echo.received) == b"\x00\r\nOK\xff"
    t.exchange(b"AT+QIRD=0,4", b"\r\n+QIRD: 4\r\n000D0A4F\r\n\r\nOK\r\n")
    t.exchange(b'AT+QICFG="showlength",1', b"\r\nOK\r\n")
    t.exchange(b"AT+QIRD=0,4", b"\r\n+QIRD: 2,0\r\n4BFF\r\n\r\nOK\r\n")
    # odd digit counts, non-hex digits, and a byte count that is off: 552
    for bad in (b"AT+QISEND=0,2,ABC", b"AT+QISEND=0,1,ZZ", b"AT+QISEND=0,2,AABBCC"):
        t.exchange(bad, b"\r\nERROR\r\n")
        t.exchange(b"AT+QIGETERROR", b"\r\n+QIGETERROR: 552,invalid parameters\r\n\r\nOK\r\n")


def test_viewmode_1_with_and_without_showlength(make_emu, tcp_echo):
    emu, t = make_emu()
    t.exchange(b'AT+QICFG="viewmode",1', b"\r\nOK\r\n")
    t.exchange(b'AT+QICFG="viewmode"', b'\r\n+QICFG: "viewmode",1\r\n\r\nOK\r\n')
    open_tcp(t, tcp_echo.port)
    t.exchange(b"AT+QISEND=0,10,0123456789", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0\r\n')
    t.exchange(b"AT+QIRD=0,4", b"\r\n+QIRD: 4,0123\r\n\r\nOK\r\n")
    t.exchange(b'AT+QICFG="showlength",1', b"\r\nOK\r\n")
    t.exchange(b"AT+QIRD=0,4", b"\r\n+QIRD: 4,2,4567\r\n\r\nOK\r\n")
    t.exchange(b"AT+QIRD=0,4", b"\r\n+QIRD: 2,0,89\r\n\r\nOK\r\n")
    t.exchange(b"AT+QIRD=0,4", b"\r\n+QIRD: 0\r\n\r\nOK\r\n")


def test_udp_datagram_per_node(make_emu, udp_echo):
    emu, t = make_emu()
    t.exchange(b'AT+QIOPEN=1,2,"UDP","127.0.0.1",%d,0,0' % udp_echo.port,
               b"\r\nOK\r\n\r\n+QIOPEN: 2,0\r\n")
    t.exchange(b"AT+QISEND=2,3,one", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",2\r\n')
    t.exchange(b"AT+QISEND=2,3,two", b"\r\nOK\r\n\r\nSEND OK\r\n")
    wait_for(lambda: len(emu.sockets()[2]["nodes"]) == 2, what="two datagrams")
    t.exchange(b"AT+QIRD=2,512", b"\r\n+QIRD: 3\r\none\r\n\r\nOK\r\n")
    t.exchange(b"AT+QIRD=2,512", b"\r\n+QIRD: 3\r\ntwo\r\n\r\nOK\r\n")
    t.exchange(b"AT+QISEND=2,0", b"\r\n+QISEND: 6,0,0\r\n\r\nOK\r\n")
