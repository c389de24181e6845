"""The pure-Python tokenizer frames the bytes it is fed in place: the frame
is (buf, start, length), a whole payload run can be the caller's own
buffer, the caller's bytes are copied only when release() or a feed needs
them kept, and nothing of the data path allocates a slice.  (Both twins'
common interface is tested in tests/twins; this part is the Python twin's
own, and runs on MicroPython too.)"""

from bc26.tokenizer import Tokenizer, LINE, PAYLOAD, NONE


def _frame(tok):
    return bytes(memoryview(tok.buf)[tok.start:tok.start + tok.length])


def test_feed_with_a_count_takes_only_that_much():
    tok = Tokenizer(64, 64)
    buf = bytearray(b"OK\r\nERROR\r\n")
    assert tok.feed(buf, 4) == 4
    assert tok.next() == LINE and _frame(tok) == b"OK"
    assert tok.next() == NONE


def test_a_whole_payload_is_handed_out_in_the_callers_buffer():
    tok = Tokenizer(1536, 512)
    tok.configure(push_mask=1)
    data = b'\r\n+QIURC: "recv",0,5\r\nhello\r\n'
    buf = bytearray(data)
    tok.feed(buf, len(buf))
    assert tok.next() == LINE and tok.remaining == 5
    assert tok.next() == PAYLOAD
    assert tok.buf is buf and buf[tok.start:tok.start + 5] == b"hello"
    assert tok.remaining == 0 and tok.frame == b"hello"
    tok.release()


def test_a_split_payload_is_gathered_into_one_frame():
    tok = Tokenizer(1536, 512)
    tok.configure(push_mask=1)
    buf = bytearray(b'+QIURC: "recv",0,6\r\nabc')
    tok.feed(buf, len(buf))
    assert tok.next() == LINE
    assert tok.next() == NONE  # half a payload: no frame yet
    tok.release()
    buf[0:5] = b"def\r\n"  # the caller reuses its buffer for the next read
    tok.feed(buf, 5)
    assert tok.next() == PAYLOAD and _frame(tok) == b"abcdef"


def test_release_keeps_unread_bytes_when_the_caller_reuses_its_buffer():
    tok = Tokenizer(64, 64)
    tok.configure(push_mask=1)
    # an inline quoted payload waits for its lookahead: bytes stay unread
    buf = bytearray(b'+QIURC: "recv",0,3,"ab')
    tok.feed(buf, len(buf))
    assert tok.next() == LINE
    assert tok.next() == NONE
    tok.release()
    for i in range(len(buf)):
        buf[i] = 0x21  # scribble over it
    tok.feed(b'c"\r\n')
    assert tok.next() == PAYLOAD and _frame(tok) == b"abc"


def test_the_ring_is_allocated_only_when_bytes_must_be_kept():
    tok = Tokenizer(1536, 512)
    buf = bytearray(b"OK\r\n+CEREG: 1\r\n")
    for _ in range(3):
        tok.feed(buf, len(buf))
        while tok.next():
            pass
        tok.release()
    assert tok.ring.own is None


def test_feed_while_bytes_are_unread_copies_them_first():
    tok = Tokenizer(64, 64)
    a = bytearray(b"OK\r\nNO")
    tok.feed(a, len(a))
    assert tok.next() == LINE  # "NO" is unread, in a
    assert tok.feed(b" CARRIER\r\n") == 10
    a[4:6] = b"XX"
    assert tok.next() == LINE and _frame(tok) == b"NO CARRIER"
