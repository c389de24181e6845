"""bc26.rxbuf.RxBuffer, a socket's receive buffer: ranges in, ranges out,
in order, across the end of the ring, never more than it holds.  Plain
functions and assert: runs under pytest and on MicroPython (where its
copies go through io.BytesIO's ranged write/readinto)."""

from bc26.rxbuf import RxBuffer

from portable_support import raises


def _pattern(n, seed=0):
    return bytes([(i * 7 + seed) & 0xFF for i in range(n)])


def test_put_takes_a_range_of_the_source():
    r = RxBuffer(64)
    src = _pattern(100)
    assert r.put(src, 10, 20) == 20
    assert r.count == 20 and r.free() == 44
    assert r.peek() == src[10:30]


def test_put_takes_what_fits_and_says_so():
    r = RxBuffer(32)
    assert r.put(_pattern(50), 0, 50) == 32
    assert r.put(b"x", 0, 1) == 0
    assert r.free() == 0


def test_readinto_fills_from_the_start_of_the_destination():
    r = RxBuffer(64)
    r.write(b"hello world")
    dst = bytearray(b"-" * 8)
    assert r.readinto(dst, 5) == 5
    assert bytes(dst) == b"hello---"
    assert r.readinto(dst) == 6
    assert bytes(dst[:6]) == b" world"
    assert r.count == 0 and r.readinto(dst) == 0


def test_order_kept_across_the_end_of_the_ring():
    r = RxBuffer(16)
    src = _pattern(200, 3)
    out = b""
    pos = 0
    while pos < len(src) or r.count:
        pos += r.put(src, pos, min(5, len(src) - pos))
        dst = bytearray(7)
        n = r.readinto(dst, 3)
        out += bytes(dst[:n])
    assert out == src


def test_a_read_across_the_end_returns_everything_asked():
    r = RxBuffer(16)
    r.write(b"0123456789")
    r.readinto(bytearray(8))
    r.write(b"abcdefghij")          # wraps: 2 at the end, 8 at the start
    dst = bytearray(12)
    assert r.readinto(dst) == 12
    assert bytes(dst) == b"89abcdefghij"


def test_empty_buffer_starts_over_at_its_beginning():
    r = RxBuffer(16)
    r.write(b"0123456789")
    r.readinto(bytearray(10))
    assert r.head == 0  # so data read as it comes is never split


def test_memoryview_destination_and_source():
    r = RxBuffer(32)
    r.put(memoryview(b"..abc.."), 2, 3)
    dst = bytearray(6)
    assert r.readinto(memoryview(dst)[2:], 3) == 3
    assert bytes(dst) == b"\x00\x00abc\x00"


def test_too_small_is_refused():
    raises(ValueError, RxBuffer, 8)
