"""Sending: text form, data mode (Ctrl-Z, ESC, fixed length), hex, limits,
counters, and URCs held back during data mode."""
import time

from bc26.emulator.servers import PayloadServer

from emu_support import open_tcp, wait_for

ALL = bytes(range(256))
LASTERR = b"\r\n+QIGETERROR: %d,%s\r\n\r\nOK\r\n"


def last_error(t, code, text):
    t.exchange(b"AT+QIGETERROR", LASTERR % (code, text))


def test_fixed_length_carries_all_256_byte_values(make_emu, tcp_echo):
    emu, t = make_emu()
    t.exchange(b'AT+QICFG="dataformat",0,1', b"\r\nOK\r\n")
    open_tcp(t, tcp_echo.port)
    t.exchange(b"AT+QISEND=0,256", b"\r\n> ")
    t.write(ALL)
    t.expect(b"\r\nOK\r\n\r\nSEND OK\r\n")
    wait_for(lambda: bytes(tcp_echo.received) == ALL, what="echo server got all bytes")
    t.expect(b'\r\n+QIURC: "recv",0\r\n')
    wait_for(lambda: sum(len(n) for n in emu.sockets()[0]["nodes"]) == 256, what="256 bytes back")
    got = b""
    while len(got) < 256:
        reply = t.cmd(b"AT+QIRD=0,512")
        head, digits = reply.split(b"\r\n")[1:3]
        assert int(head.split(b": ")[1]) * 2 == len(digits)
        got += bytes.fromhex(digits.decode())
    assert got == ALL
    assert [e.data for e in emu.log if e.kind == "data"] == [ALL]


def test_ctrl_z_sends_and_esc_cancels(make_emu, tcp_echo):
    emu, t = make_emu()
    open_tcp(t, tcp_echo.port, access=1)
    body = bytes(b for b in ALL if b not in (0x1A, 0x1B))
    t.exchange(b"AT+QISEND=0", b"\r\n> ")
    t.write(body + b"\x1a")
    t.expect(b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0,254\r\n' + body + b"\r\n")
    t.exchange(b"AT+QISEND=0", b"\r\n> ")
    t.write(b"never sent\x1b")
    t.expect(b"\r\nOK\r\n")
    last_error(t, 571, b"cancel send")
    t.nothing(0.1)
    assert bytes(tcp_echo.received) == body
    assert [e.kind for e in emu.log if e.kind in ("data", "cancel")] == ["data", "cancel"]
    assert emu.log[-2].data == b"never sent"


def test_echomode_echoes_payload(make_emu, tcp_echo):
    emu, t = make_emu()
    t.exchange(b'AT+QICFG="echomode",1', b"\r\nOK\r\n")
    t.exchange(b'AT+QICFG="echomode"', b'\r\n+QICFG: "echomode",1\r\n\r\nOK\r\n')
    open_tcp(t, tcp_echo.port)
    t.exchange(b"AT+QISEND=0,5", b"\r\n> ")
    t.write(b"hello")
    t.expect(b"hello\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0\r\n')  # the echo server answered
    t.exchange(b'AT+QICFG="echomode",0', b"\r\nOK\r\n")
    t.exchange(b"AT+QISEND=0,5", b"\r\n> ")
    t.write(b"world")
    t.expect(b"\r\nOK\r\n\r\nSEND OK\r\n")


def test_text_form_quotes_commas_and_length(make_emu, sink):
    emu, t = make_emu()
    open_tcp(t, sink.port)
    t.exchange(b'AT+QISEND=0,13,"{"a":1,"b":2}"', b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.exchange(b"AT+QISEND=0,5,a,b,c", b"\r\nOK\r\n\r\nSEND OK\r\n")
    wait_for(lambda: bytes(sink.received) == b'{"a":1,"b":2}a,b,c', what="data")
    t.exchange(b"AT+QISEND=0,4,abc", b"\r\nERROR\r\n")  # length differs
    last_error(t, 552, b"invalid parameters")
    t.exchange(b"AT+QISEND=0,1025," + b"x" * 1025, b"\r\nERROR\r\n")
    t.exchange(b"AT+QISEND=0,1024," + b"y" * 1024, b"\r\nOK\r\n\r\nSEND OK\r\n")
    last_error(t, 0, b"operation successful")


def test_data_mode_limits(make_emu, sink):
    emu, t = make_emu()
    open_tcp(t, sink.port)
    t.exchange(b"AT+QISEND=0,1461", b"\r\nERROR\r\n")
    t.exchange(b"AT+QISEND=0,1460", b"\r\n> ")
    t.write(b"z" * 1460)
    t.expect(b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.exchange(b"AT+QISEND=0", b"\r\n> ")
    t.write(b"q" * 1461 + b"\x1a")
    t.expect(b"\r\nERROR\r\n")
    t.exchange(b"AT+QISEND=0", b"\r\n> ")
    t.write(b"\x1a")  # nothing to send
    t.expect(b"\r\nERROR\r\n")
    last_error(t, 552, b"invalid parameters")


def test_hex_send_format_and_qisendex(make_emu, sink):
    emu, t = make_emu()
    t.exchange(b'AT+QICFG="dataformat",1,0', b"\r\nOK\r\n")
    open_tcp(t, sink.port)
    t.exchange(b"AT+QISEND=0,3,414243", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.exchange(b"AT+QISEND=0,2", b"\r\n> ")
    t.write(b"0d0A")  # 2 bytes = 4 hex digits, either case
    t.expect(b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.exchange(b"AT+QISEND=0", b"\r\n> ")
    t.write(b"00FF\x1a")
    t.expect(b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.exchange(b"AT+QISEND=0,513," + b"00" * 513, b"\r\nERROR\r\n")
    t.exchange(b"AT+QISEND=0,731", b"\r\nERROR\r\n")
    t.exchange(b'AT+QICFG="dataformat",0,0', b"\r\nOK\r\n")
    t.exchange(b"AT+QISENDEX=0,2,4445", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.exchange(b'AT+QISENDEX=0,1,"46"', b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.exchange(b"AT+QISENDEX=0,512," + b"47" * 512, b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.exchange(b"AT+QISENDEX=0,513," + b"47" * 513, b"\r\nERROR\r\n")
    t.exchange(b"AT+QISENDEX=0,2,474", b"\r\nERROR\r\n")
    wait_for(lambda: len(sink.received) == 3 + 2 + 2 + 2 + 1 + 512, what="data")
    assert bytes(sink.received) == b"ABC\r\n\x00\xffDEF" + b"G" * 512


def test_send_counters(make_emu, sink):
    emu, t = make_emu()
    open_tcp(t, sink.port)
    t.exchange(b"AT+QISEND=0,0", b"\r\n+QISEND: 0,0,0\r\n\r\nOK\r\n")
    t.exchange(b"AT+QISEND=0,10,0123456789", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.exchange(b"AT+QISENDEX=0,5,3031323334", b"\r\nOK\r\n\r\nSEND OK\r\n")
    wait_for(lambda: len(sink.received) == 15, what="data at the server")
    time.sleep(0.05)  # loopback acknowledges at once
    t.exchange(b"AT+QISEND=0,0", b"\r\n+QISEND: 15,15,0\r\n\r\nOK\r\n")


def test_send_needs_a_connected_socket(emu_term):
    emu, t = emu_term
    for cmd in (b"AT+QISEND=1,3,abc", b"AT+QISEND=1", b"AT+QISEND=1,3",
                b"AT+QISENDEX=1,1,41", b"AT+QISEND=1,0", b"AT+QIRD=1,10"):
        t.exchange(cmd, b"\r\nERROR\r\n")
        last_error(t, 567, b"socket has been closed")


def test_urcs_held_during_data_mode(make_emu, tcp_echo):
    emu, t = make_emu()
    open_tcp(t, tcp_echo.port)
    t.exchange(b"AT+QISEND=0", b"\r\n> ")
    emu.urc(b"+CEREG: 1")
    emu.urc("+HELD: 2")
    t.nothing(0.1)
    t.write(b"abc\x1a")
    t.expect(b"\r\nOK\r\n\r\nSEND OK\r\n\r\n+CEREG: 1\r\n\r\n+HELD: 2\r\n")


def test_push_data_held_during_data_mode(make_emu, sink):
    with PayloadServer(b"first!second", chunks=2, gap=0.3, close=False) as srv:
        emu, t = make_emu()
        open_tcp(t, srv.port, cid=0, access=1)
        t.expect(b'\r\n+QIURC: "recv",0,6\r\nfirst!\r\n')
        open_tcp(t, sink.port, cid=1)
        t.exchange(b"AT+QISEND=1", b"\r\n> ")
        time.sleep(0.4)  # "second" reaches the module now, in data mode
        t.nothing(0.05)
        t.write(b"x\x1a")
        t.expect(b'\r\nOK\r\n\r\nSEND OK\r\n\r\n+QIURC: "recv",0,6\r\nsecond\r\n')
