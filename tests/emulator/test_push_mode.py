"""Direct push mode: layouts, splitting, the quoted variant, mode switches."""
import re

from bc26.emulator.servers import PayloadServer

from emu_support import open_tcp, wait_nodes

PUSH = re.compile(rb'\r\n\+QIURC: "recv",0,(\d+)\r\n')


def collect_pushes(t, until=b'\r\n+QIURC: "closed",0\r\n'):
    """Read pushes until `until`; returns the list of payloads."""
    out = []
    while True:
        m = t.expect_re(PUSH.pattern + rb"|" + re.escape(until))
        if m.group(0) == until:
            return out
        out.append(t.read_exact(int(m.group(1))))
        t.expect(b"\r\n")


def test_push_binary_and_split_at_1460(make_emu):
    payload = bytes(range(256)) * 16 + b"\r\nOK\r\n+QIURC: x\r\n"  # 4096 + 17 bytes
    with PayloadServer(payload) as srv:
        emu, t = make_emu()
        open_tcp(t, srv.port, access=1)
        pushes = collect_pushes(t)
    assert b"".join(pushes) == payload
    assert all(1 <= len(p) <= 1460 for p in pushes)
    assert len(pushes) >= 3


def test_push_viewmode_and_hex(make_emu, tcp_echo):
    emu, t = make_emu()
    open_tcp(t, tcp_echo.port, access=1)
    t.exchange(b'AT+QICFG="dataformat",0,1', b"\r\nOK\r\n")
    t.exchange(b"AT+QISEND=0,4,Test", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0,4\r\n54657374\r\n')
    t.exchange(b'AT+QICFG="viewmode",1', b"\r\nOK\r\n")
    t.exchange(b"AT+QISEND=0,4,Test", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0,4,54657374\r\n')
    t.exchange(b'AT+QICFG="dataformat",0,0', b"\r\nOK\r\n")
    t.exchange(b"AT+QISEND=0,4,Test", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0,4,Test\r\n')


def test_quoted_variant(make_emu, tcp_echo):
    emu, t = make_emu(recv_variant="quoted")
    open_tcp(t, tcp_echo.port, access=1)
    t.exchange(b"AT+QISEND=0,4,Test", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0,4,"Test"\r\n')
    t.exchange(b'AT+QICFG="dataformat",0,1', b"\r\nOK\r\n")
    t.exchange(b"AT+QISEND=0,4,Test", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0,4,"54657374"\r\n')


def test_switch_buffer_to_push_pushes_pending_data(make_emu, tcp_echo):
    emu, t = make_emu()
    open_tcp(t, tcp_echo.port, access=0)
    t.exchange(b"AT+QISEND=0,3,abc", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0\r\n')
    wait_nodes(emu, 0, 1)
    t.exchange(b"AT+QISEND=0,3,def", b"\r\nOK\r\n\r\nSEND OK\r\n")
    wait_nodes(emu, 0, 2)
    t.exchange(b"AT+QISWTMD=0,1",
               b'\r\nOK\r\n\r\n+QIURC: "recv",0,3\r\nabc\r\n\r\n+QIURC: "recv",0,3\r\ndef\r\n')
    t.exchange(b"AT+QISTATE=1,0",
               b'\r\n+QISTATE: 0,"TCP","127.0.0.1",%d,0,2,1,1\r\n\r\nOK\r\n' % tcp_echo.port)
    t.exchange(b"AT+QISEND=0,3,ghi", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0,3\r\nghi\r\n')
    # and back: data waits in the buffer again
    t.exchange(b"AT+QISWTMD=0,0", b"\r\nOK\r\n")
    t.exchange(b"AT+QISEND=0,3,jkl", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0\r\n')
    t.exchange(b"AT+QIRD=0,512", b"\r\n+QIRD: 3\r\njkl\r\n\r\nOK\r\n")
    # the mode is kept per connectID (NVRAM): a reopen without a mode uses it
    t.exchange(b"AT+QISWTMD=0,1", b"\r\nOK\r\n")
    t.exchange(b"AT+QICLOSE=0", b"\r\nOK\r\n\r\nCLOSE OK\r\n")
    t.exchange(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d' % tcp_echo.port,
               b"\r\nOK\r\n\r\n+QIOPEN: 0,0\r\n")
    t.exchange(b"AT+QISEND=0,2,mn", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0,2\r\nmn\r\n')


def test_switch_without_socket_is_567(emu_term):
    emu, t = emu_term
    t.exchange(b"AT+QISWTMD=3,1", b"\r\nERROR\r\n")
    t.exchange(b"AT+QIGETERROR", b"\r\n+QIGETERROR: 567,socket has been closed\r\n\r\nOK\r\n")
