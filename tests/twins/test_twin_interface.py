"""The tokenizer interface, on both twins: every frame kind, every header
variant, pieces, hex, quoted data, the prompt, truncation, configuration
switches between frames and back-pressure when the ring is full."""
import pytest

NONE, LINE, PROMPT, PAYLOAD = 0, 1, 2, 3


def frames(tok, data, chunk=None):
    """Feed data (in chunks of `chunk` bytes) and drain; all frames."""
    out = []
    pos = 0
    chunk = chunk or len(data) or 1
    while True:
        while True:
            kind = tok.next()
            if kind == NONE:
                break
            assert tok.length == len(tok.frame)
            out.append((kind, bytes(tok.frame), tok.remaining))
        if pos >= len(data):
            return out
        took = tok.feed(data[pos:pos + chunk])
        assert took > 0
        pos += took


def tokenize(twin, data, capacity=4096, frame_max=1536, chunks=(None, 1, 2, 7),
             **cfg):
    """The frames of data, checked to be the same for several chunkings."""
    results = []
    for chunk in chunks:
        tok = twin(capacity, frame_max)
        tok.configure(**cfg)
        results.append(frames(tok, data, chunk))
    for r in results[1:]:
        assert r == results[0]
    return results[0]


def L(text, remaining=0):
    return (LINE, text, remaining)


def D(data, remaining=0):
    return (PAYLOAD, data, remaining)


P = (PROMPT, b"", 0)


# -- lines ------------------------------------------------------------------------

def test_lines_and_blank_lines(twin):
    assert tokenize(twin, b"\r\nOK\r\n") == [L(b"OK")]
    assert tokenize(twin, b"\r\n\r\n\n\r\rX\n\n\r\nY\r") == [L(b"X"), L(b"Y")]
    assert tokenize(twin, b"") == []
    assert tokenize(twin, b"\r\n\r\n") == []


@pytest.mark.parametrize("eol", [b"\r\n", b"\r", b"\n", b"\n\r", b"\r\r\n"])
def test_any_line_end(twin, eol):
    data = b"A" + eol + b"+CEREG: 1" + eol + b"OK" + eol
    assert tokenize(twin, data) == [L(b"A"), L(b"+CEREG: 1"), L(b"OK")]


def test_echo_is_a_line(twin):
    data = b"AT+QISTATE?\r\r\n+QISTATE: 0,\"TCP\",\"1.2.3.4\",80,0,2,1,0\r\n\r\nOK\r\n"
    assert tokenize(twin, data) == [
        L(b"AT+QISTATE?"), L(b'+QISTATE: 0,"TCP","1.2.3.4",80,0,2,1,0'), L(b"OK")]


def test_line_without_end_waits(twin):
    tok = twin()
    tok.feed(b"\r\n+CSCON")
    assert tok.next() == NONE
    tok.feed(b": 1")
    assert tok.next() == NONE
    tok.feed(b"\r\n")
    assert tok.next() == LINE
    assert bytes(tok.frame) == b"+CSCON: 1"
    assert tok.next() == NONE


def test_long_line_is_cut(twin):
    data = b"\r\n+X: " + b"a" * 200 + b"\r\nOK\r\n"
    out = tokenize(twin, data, frame_max=64)
    assert out == [L((b"+X: " + b"a" * 200)[:64]), L(b"OK")]


def test_frame_is_bytes_like(twin):
    # a memoryview (Python twin) or bytes (C twin): what the parser and the
    # socket rings do with a frame works on both
    tok = twin()
    tok.feed(b"OK\r\n+QIRD: 3\r\nabc\r\n")
    assert tok.next() == LINE
    assert isinstance(tok.frame, (bytes, memoryview))
    assert tok.frame == b"OK" and tok.length == 2 and tok.remaining == 0
    assert tok.frame[0] == 79 and bytes(tok.frame[1:]) == b"K"
    assert tok.next() == LINE and tok.next() == PAYLOAD
    assert memoryview(tok.frame)[1:] == b"bc" and len(tok.frame) == 3


# -- the prompt ---------------------------------------------------------------------

def test_prompt(twin):
    assert tokenize(twin, b"\r\n> ") == [P]
    assert tokenize(twin, b"\r\n>") == [P]
    assert tokenize(twin, b"\r\n> hello\r\n") == [P, L(b"hello")]
    assert tokenize(twin, b"\r\n>  two\r\n") == [P, L(b" two")]
    assert tokenize(twin, b"\r\n>>\r\n") == [P, P]
    assert tokenize(twin, b"a>b\r\n > x\r\n") == [L(b"a>b"), L(b" > x")]


def test_prompt_space_is_swallowed_across_feeds(twin):
    tok = twin()
    tok.feed(b"\r\n>")
    assert tok.next() == PROMPT and tok.length == 0
    assert tok.next() == NONE
    tok.feed(b" ")
    assert tok.next() == NONE
    tok.feed(b"x\r\n")
    assert tok.next() == LINE and tok.frame == b"x"


def test_prompt_space_survives_line_ends(twin):
    # the flag is cleared by the next byte that is not a line end
    assert tokenize(twin, b">\r\n x\r\n") == [P, L(b"x")]


# -- +QIRD -----------------------------------------------------------------------------

def test_qird_next_line(twin):
    data = b"\r\n+QIRD: 10\r\n12\r\nOK\r\n9\r\n\r\nOK\r\n"
    assert tokenize(twin, data) == [
        L(b"+QIRD: 10", 10), D(b"12\r\nOK\r\n9\r"), L(b"OK")]


def test_qird_payload_is_taken_by_count(twin):
    payload = b'\r\nOK\r\n+QIURC: "recv",0,5\r\n\x00>'
    data = b"\r\n+QIRD: %d\r\n" % len(payload) + payload + b"\r\n\r\nOK\r\n"
    assert tokenize(twin, data) == [
        L(b"+QIRD: %d" % len(payload), len(payload)), D(payload), L(b"OK")]


@pytest.mark.parametrize("eol,payload", [
    (b"\r\n", b"abc"), (b"\r", b"abc"), (b"\n", b"abc"),
    # exactly one line end: a second one is payload
    (b"\r\r\n", b"\r\na"), (b"\n\n", b"\nab"), (b"\n\r\n", b"\r\na")])
def test_qird_exactly_one_line_end(twin, eol, payload):
    data = b"+QIRD: 3" + eol + b"abc\r\n"
    out = tokenize(twin, data)
    assert out[:2] == [L(b"+QIRD: 3", 3), D(payload)]


def test_qird_zero_has_no_payload(twin):
    assert tokenize(twin, b"\r\n+QIRD: 0\r\n\r\nOK\r\n") == [L(b"+QIRD: 0"), L(b"OK")]


def test_qird_showlength(twin):
    data = b"\r\n+QIRD: 10,2\r\n0123456789\r\n\r\nOK\r\n"
    assert tokenize(twin, data, showlength=1) == [
        L(b"+QIRD: 10,2", 10), D(b"0123456789"), L(b"OK")]
    # showlength 1 still accepts a header without <remaining>
    data = b"\r\n+QIRD: 3\r\nabc\r\n"
    assert tokenize(twin, data, showlength=1) == [L(b"+QIRD: 3", 3), D(b"abc")]


def test_qird_viewmode(twin):
    # viewmode 1, showlength 0: the data follows the first comma
    data = b"\r\n+QIRD: 10,0123456789\r\n\r\nOK\r\n"
    assert tokenize(twin, data) == [L(b"+QIRD: 10", 10), D(b"0123456789"), L(b"OK")]
    # viewmode 1, showlength 1: after the second comma
    data = b"\r\n+QIRD: 10,2,0123456789\r\n\r\nOK\r\n"
    assert tokenize(twin, data, showlength=1) == [
        L(b"+QIRD: 10,2", 10), D(b"0123456789"), L(b"OK")]
    # data with commas and line ends inside
    data = b"+QIRD: 6,a,b\r\nc\r\n"
    assert tokenize(twin, data) == [L(b"+QIRD: 6", 6), D(b"a,b\r\nc")]


@pytest.mark.parametrize("line", [
    b"+QIRD: x", b"+QIRD: ", b"+QIRD: 1234567890", b"+QIRD: 5,x", b"+QIRD:5",
    b"+QIRD: 5 ", b"+QIRD: -5", b"+qird: 5", b" +QIRD: 5"])
def test_qird_not_a_header(twin, line):
    out = tokenize(twin, b"\r\n" + line + b"\r\nabc\r\n", showlength=1)
    assert out == [L(line), L(b"abc")]


def test_qird_leading_zeros_count(twin):
    assert tokenize(twin, b"+QIRD: 003\r\nabc\r\n") == [L(b"+QIRD: 003", 3), D(b"abc")]


# -- direct push +QIURC: "recv" -------------------------------------------------------

def test_push_next_line(twin):
    data = b'\r\n+QIURC: "recv",0,5\r\n12\r\n3\r\n'
    assert tokenize(twin, data, push_mask=1) == [
        L(b'+QIURC: "recv",0,5', 5), D(b"12\r\n3")]


def test_push_only_for_push_sockets(twin):
    data = b'\r\n+QIURC: "recv",0,5\r\n12345\r\n'
    assert tokenize(twin, data, push_mask=2) == [
        L(b'+QIURC: "recv",0,5'), L(b"12345")]
    assert tokenize(twin, data) == [L(b'+QIURC: "recv",0,5'), L(b"12345")]
    data = b'\r\n+QIURC: "recv",4,2\r\nab\r\n'
    assert tokenize(twin, data, push_mask=16) == [L(b'+QIURC: "recv",4,2', 2), D(b"ab")]


@pytest.mark.parametrize("line", [
    b'+QIURC: "recv",0', b'+QIURC: "recv",0,"buff full"', b'+QIURC: "recv",5,3',
    b'+QIURC: "recv",,3', b'+QIURC: "recv",0,0', b'+QIURC: "closed",0',
    b'+QIURC: "recv",0,1234567890', b'+QIURC: "recv",00000000000,3'])
def test_push_not_a_header(twin, line):
    out = tokenize(twin, b"\r\n" + line + b"\r\nabc\r\n", push_mask=31)
    assert out == [L(line), L(b"abc")]


def test_push_viewmode(twin):
    data = b'\r\n+QIURC: "recv",0,12,012345678901\r\n'
    assert tokenize(twin, data, push_mask=1) == [
        L(b'+QIURC: "recv",0,12', 12), D(b"012345678901")]


def test_push_quoted_text_and_hex(twin):
    data = b'\r\n+QIURC: "recv",0,4,"Test"\r\n\r\nOK\r\n'
    assert tokenize(twin, data, push_mask=1) == [
        L(b'+QIURC: "recv",0,4', 4), D(b"Test"), L(b"OK")]
    data = b'\r\n+QIURC: "recv",0,4,"54657374"\r\n'
    assert tokenize(twin, data, push_mask=1) == [L(b'+QIURC: "recv",0,4', 4), D(b"Test")]
    # hex recv format: quoted hex digits, decoded
    assert tokenize(twin, data, push_mask=1, hex_recv=1) == [
        L(b'+QIURC: "recv",0,4', 4), D(b"Test")]


def test_quoted_text_may_hold_quotes(twin):
    data = b'+QIURC: "recv",1,4,""a"""\r\nOK\r\n'
    assert tokenize(twin, data, push_mask=2) == [
        L(b'+QIURC: "recv",1,4', 4), D(b'"a""'), L(b"OK")]


def test_raw_data_starting_with_a_quote(twin):
    # no closing quote where a quoted payload would end: the quote is data
    data = b'+QIURC: "recv",0,3,"ab\r\nOK\r\n'
    assert tokenize(twin, data, push_mask=1) == [
        L(b'+QIURC: "recv",0,3', 3), D(b'"ab'), L(b"OK")]


def test_quoted_detection_waits_for_lookahead(twin):
    tok = twin()
    tok.configure(push_mask=1)
    tok.feed(b'+QIURC: "recv",0,4,"Te')
    assert tok.next() == LINE
    assert tok.next() == NONE
    tok.feed(b"st")
    assert tok.next() == NONE
    tok.feed(b'"\r\n')
    assert tok.next() == PAYLOAD and tok.frame == b"Test" and tok.remaining == 0
    assert tok.next() == NONE


def test_quoted_detection_falls_back_when_the_ring_is_too_small(twin):
    # n + 2 bytes cannot be in a 64-byte ring at once: read as raw data
    body = b"x" * 100
    data = b'+QIURC: "recv",0,100,"' + body + b'"\r\n'
    out = tokenize(twin, data, capacity=64, frame_max=64, push_mask=1)
    assert out == [L(b'+QIURC: "recv",0,100', 100), D((b'"' + body)[:64], 36),
                   D(body[63:99]), L(b'x"')]


def test_close_quote_is_skipped_only_if_there(twin):
    # quoted hex of 2 bytes with two digits too many: the rest is a line
    data = b'+QIURC: "recv",0,2,"414243"\r\n'
    assert tokenize(twin, data, push_mask=1) == [
        L(b'+QIURC: "recv",0,2', 2), D(b"AB"), L(b'43"')]


# -- hex data format ------------------------------------------------------------------

def test_hex_payload(twin):
    data = b"\r\n+QIRD: 4\r\n54657374\r\n\r\nOK\r\n"
    assert tokenize(twin, data, hex_recv=1) == [L(b"+QIRD: 4", 4), D(b"Test"), L(b"OK")]
    data = b"\r\n+QIRD: 3\r\n0aFf7E\r\n"
    assert tokenize(twin, data, hex_recv=1)[1] == D(b"\x0a\xff\x7e")


def test_hex_bad_digit_is_zero(twin):
    data = b"+QIRD: 3\r\n5g\r\nG1\r\n"
    assert tokenize(twin, data, hex_recv=1)[1] == D(b"\x50\x00\x01")


def test_hex_quoted_inline(twin):
    data = b'+QIRD: 2,"4142"\r\n'
    assert tokenize(twin, data, hex_recv=1) == [L(b"+QIRD: 2", 2), D(b"AB")]


def test_hex_pieces(twin):
    data = b"+QIRD: 100\r\n" + b"41" * 100 + b"\r\n"
    assert tokenize(twin, data, frame_max=64, hex_recv=1) == [
        L(b"+QIRD: 100", 100), D(b"A" * 64, 36), D(b"A" * 36)]


# -- pieces ---------------------------------------------------------------------------

def test_long_payload_in_pieces(twin):
    payload = bytes(range(256)) * 2
    data = b"\r\n+QIRD: 512\r\n" + payload + b"\r\n\r\nOK\r\n"
    out = tokenize(twin, data, capacity=100, frame_max=200)
    assert out == [L(b"+QIRD: 512", 512), D(payload[:200], 312),
                   D(payload[200:400], 112), D(payload[400:]), L(b"OK")]


def test_pieces_as_bytes_arrive(twin):
    tok = twin(64, 64)
    tok.feed(b"+QIRD: 100\r\n")
    assert tok.next() == LINE and tok.remaining == 100
    assert tok.next() == NONE
    got = []
    sent = 0
    while sent < 100:
        sent += tok.feed(b"z" * min(10, 100 - sent))
        while True:
            k = tok.next()
            if not k:
                break
            got.append((k, len(tok.frame), tok.remaining))
    assert got == [(PAYLOAD, 64, 36), (PAYLOAD, 36, 0)]


# -- configuration between frames ------------------------------------------------------

def test_configure_applies_to_the_following_frames(twin):
    data = b'OK\r\n+QIURC: "recv",0,3\r\nabc\r\n+QIRD: 2,1\r\nxy\r\n'
    tok = twin()
    assert tok.feed(data) == len(data)
    assert tok.next() == LINE and tok.frame == b"OK"
    tok.configure(push_mask=1)
    assert tok.next() == LINE and tok.remaining == 3
    assert tok.next() == PAYLOAD and tok.frame == b"abc"
    tok.configure(showlength=1, hex_recv=0)
    assert tok.next() == LINE and tok.frame == b"+QIRD: 2,1" and tok.remaining == 2
    assert tok.next() == PAYLOAD and tok.frame == b"xy"
    assert tok.next() == NONE


def test_configure_back_and_forth(twin):
    data = b'+QIRD: 2\r\n4142\r\n+QIRD: 2\r\n4142\r\n'
    tok = twin()
    tok.feed(data)
    tok.configure(hex_recv=1)
    assert tok.next() == LINE
    tok.configure(hex_recv=0)  # this payload was announced in hex
    assert tok.next() == PAYLOAD and tok.frame == b"AB"
    tok.configure(hex_recv=1)
    tok.configure(hex_recv=0)
    assert tok.next() == LINE
    assert tok.next() == PAYLOAD and tok.frame == b"41"


def test_configure_mid_line(twin):
    tok = twin()
    tok.feed(b'+QIURC: "recv",1,')
    assert tok.next() == NONE
    tok.configure(push_mask=2)
    tok.feed(b'2\r\nab\r\n')
    assert tok.next() == LINE and tok.remaining == 2
    assert tok.next() == PAYLOAD and tok.frame == b"ab"


def test_config_attributes(twin):
    tok = twin()
    assert (tok.hex_recv, tok.showlength, tok.push_mask) == (0, 0, 0)
    tok.configure(hex_recv=True, showlength=5, push_mask=0x3f)
    assert (tok.hex_recv, tok.showlength, tok.push_mask) == (1, 1, 31)
    tok.configure(push_mask=4)
    assert (tok.hex_recv, tok.showlength, tok.push_mask) == (1, 1, 4)
    tok.configure(hex_recv=0, showlength=0)
    assert (tok.hex_recv, tok.showlength, tok.push_mask) == (0, 0, 4)
    tok.reset()  # keeps the configuration
    assert (tok.hex_recv, tok.showlength, tok.push_mask) == (0, 0, 4)


def test_bad_sizes(twin):
    with pytest.raises(ValueError):
        twin(4096, 63)
    with pytest.raises(ValueError):
        twin(63, 1536)


# -- the ring: back-pressure, reset, frame lifetime ------------------------------------

def test_feed_back_pressure(twin):
    tok = twin(64, 64)
    data = b"AAAA\r\n" * 20
    assert tok.free() == 64
    assert tok.feed(data) == 64
    assert tok.free() == 0
    assert tok.feed(data[64:]) == 0
    # a LINE frees its bytes and its CR; the LF goes with the next call
    assert tok.next() == LINE and tok.frame == b"AAAA"
    assert tok.free() == 5
    assert tok.next() == LINE
    assert tok.free() == 11
    assert tok.feed(data[64:]) == 11
    assert tok.free() == 0
    rest = 64 + 11
    n = 2
    while True:
        k = tok.next()
        if k == NONE:
            if rest == len(data):
                break
            rest += tok.feed(data[rest:])
            continue
        assert k == LINE and tok.frame == b"AAAA"
        n += 1
    assert n == 20
    assert tok.free() == 64


def test_feed_accepts_any_buffer(twin):
    tok = twin()
    assert tok.feed(bytearray(b"A\r\n")) == 3
    assert tok.feed(memoryview(b"xxB\r\n")[2:]) == 3
    assert tok.feed(b"") == 0
    assert tok.next() == LINE and tok.frame == b"A"
    assert tok.next() == LINE and tok.frame == b"B"


def test_reset_forgets_everything(twin):
    tok = twin()
    tok.configure(push_mask=1)
    tok.feed(b'+QIURC: "recv",0,10\r\nabc')
    assert tok.next() == LINE
    assert tok.next() == NONE
    tok.reset()
    assert tok.free() == 4096 and tok.length == 0 and tok.remaining == 0
    tok.feed(b"def\r\n")
    assert tok.next() == LINE and tok.frame == b"def"
    assert tok.push_mask == 1


def test_frame_stays_valid_across_feed(twin):
    tok = twin(64, 64)
    tok.feed(b"+QIRD: 5\r\nhello")
    assert tok.next() == LINE
    assert tok.next() == PAYLOAD
    tok.feed(b"\r\n+QIRD: 5\r\nworld\r\n")
    assert tok.frame == b"hello" and tok.remaining == 0
    assert tok.next() == LINE and tok.next() == PAYLOAD and tok.frame == b"world"


def test_none_then_more_bytes(twin):
    # after NONE, frame and remaining mean nothing; the half-read line and
    # the half-read payload go on when bytes come
    tok = twin()
    tok.feed(b"OK\r\n+QIR")
    assert tok.next() == LINE
    assert tok.next() == NONE
    tok.feed(b"D: 3\r\nab")
    assert tok.next() == LINE and tok.frame == b"+QIRD: 3" and tok.remaining == 3
    assert tok.next() == NONE
    tok.feed(b"c\r\n")
    assert tok.next() == PAYLOAD and tok.frame == b"abc" and tok.remaining == 0
    assert tok.next() == NONE


def test_read_length_over_512_is_not_a_header(twin):
    # AT+QIRD returns at most 512 bytes: '+QIRD: 900' (a damaged '+QIRD: 90,0')
    # must not swallow the replies after it as payload
    got = tokenize(twin, b"\r\n+QIRD: 900\r\nxx\r\n\r\nOK\r\n", showlength=1)
    assert got == [L(b"+QIRD: 900"), L(b"xx"), L(b"OK")]
    got = tokenize(twin, b"\r\n+QIRD: 512,0\r\n" + b"z" * 512 + b"\r\nOK\r\n",
                   showlength=1)
    assert got[1] == (PAYLOAD, b"z" * 512, 0) and got[2] == L(b"OK")


def test_frame_in_place_and_as_bytes(twin):
    # buf[start:start + length] is the frame (read in place on the hot
    # path); frame is the same bytes
    tok = twin()
    tok.configure(push_mask=1)
    tok.feed(b'OK\r\n+QIURC: "recv",0,4\r\nab\r\n\r\n')
    for want in (b"OK", b'+QIURC: "recv",0,4', b"ab\r\n"):
        assert tok.next() in (LINE, PAYLOAD)
        s = tok.start
        assert bytes(tok.buf[s:s + tok.length]) == want == bytes(tok.frame)
    assert tok.next() == NONE


def test_feed_takes_a_count(twin):
    tok = twin()
    assert tok.feed(bytearray(b"OK\r\nERROR\r\n"), 4) == 4
    assert tok.next() == LINE and tok.frame == b"OK"
    assert tok.next() == NONE
    assert tok.feed(b"x", 0) == 0


def test_release_then_reuse_the_buffer(twin):
    # what feed() was given may be read in place until release(); after it
    # the caller may overwrite its buffer, nothing unread is lost
    tok = twin(64, 64)
    buf = bytearray(b"OK\r\nHALF")
    tok.feed(buf, len(buf))
    assert tok.next() == LINE and tok.frame == b"OK"
    tok.release()
    buf[:] = b"-LINE\r\n\x00"
    tok.feed(buf, 7)
    assert tok.next() == LINE and tok.frame == b"HALF-LINE"
