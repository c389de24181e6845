"""--baud: both directions at baud/10 bytes per second."""
import time

from emu_support import open_tcp, wait_for


def test_output_is_paced(make_emu):
    emu, t = make_emu(baud=9600)
    t.exchange(b"ATE0", b"\r\nOK\r\n")
    reply = b"\r\nQuectel_Ltd\r\nQuectel_BC26\r\nRevision: BC26NBR01A10\r\n\r\nOK\r\n"
    t0 = time.monotonic()
    t.write(b"ATI\r")
    t.expect(reply)
    elapsed = time.monotonic() - t0
    wire = (4 + len(reply)) / 960.0  # command in, reply out, 960 bytes/s
    assert elapsed >= 0.8 * wire, (elapsed, wire)


def test_input_is_paced(make_emu, sink):
    emu, t = make_emu(baud=9600)
    open_tcp(t, sink.port)
    t.exchange(b"AT+QISEND=0,384", b"\r\n> ")
    t0 = time.monotonic()
    t.write(b"p" * 384)
    t.expect(b"\r\nOK\r\n\r\nSEND OK\r\n", timeout=5)
    elapsed = time.monotonic() - t0
    assert elapsed >= 0.8 * 384 / 960.0, elapsed
    wait_for(lambda: bytes(sink.received) == b"p" * 384, what="the payload at the server")


def test_unpaced_is_fast(make_emu, sink):
    emu, t = make_emu()
    open_tcp(t, sink.port)
    t.exchange(b"AT+QISEND=0,1460", b"\r\n> ")
    t0 = time.monotonic()
    t.write(b"u" * 1460)
    t.expect(b"\r\nOK\r\n\r\nSEND OK\r\n")
    assert time.monotonic() - t0 < 1460 / 11520.0  # faster than 115200 baud
