"""Both twins driven in lockstep by one random sequence of operations, at
any moment: next(), feed() of bytes, bytearray or memoryview chunks
(offset and strided ones too, and empty ones), free(), configure() and
reset() — also right after NONE, before the first next(), and between
frames of a batch the C twin has read ahead.  After every step both twins must have said the
same, and a frame handed out must not change until the next call of next().

BC26_LOCKSTEP_CASES=N sets the number of random sequences (default 300)."""
import os
import random

import pytest

import twin_grammar as G
from bc26.tokenizer import Tokenizer as PyTokenizer

CASES = int(os.environ.get("BC26_LOCKSTEP_CASES", "300"))

# headers and prompts the grammar makes rarely: inline (viewmode 1) and
# quoted data, a prompt with and without its space, bare commas
EXTRAS = [b"\r\n>", b"> ", b'+QIURC: "recv",0,3,"abc"\r\n',
          b"+QIRD: 5,1,hello\r\n", b'+QIURC: "recv",1,2,"4142"\r\n',
          b"+QIRD: 2\r\n4142\r\n", b",,,\r\n", b"+QIRD: 3\rxyz\r\n"]


def _stream(r):
    src = G.RandomSource(r.getrandbits(32))
    parts = [G.stream(src, elements=r.choice([5, 15, 30]),
                      big=r.choice([300, 600, 3000]),
                      line_max=r.choice([80, 300]))]
    for _ in range(r.randint(0, 6)):
        parts.insert(r.randint(0, len(parts)), r.choice(EXTRAS))
    return b"".join(parts)


def _as_buffer(r, chunk):
    """chunk as one of the buffers a UART driver may hand over."""
    k = r.randint(0, 5)
    if k == 0:
        return bytearray(chunk)
    if k == 1:
        return memoryview(chunk)
    if k == 2:
        return memoryview(b"\x00" + chunk)[1:]
    if k == 3:  # every other byte of a doubled buffer: strided
        doubled = bytearray(2 * len(chunk))
        doubled[::2] = chunk
        return memoryview(doubled)[::2]
    return chunk


def _lockstep(ctwin, seed):
    r = random.Random(seed)
    data = _stream(r)
    capacity = r.choice([64, 65, 70, 100, 257, 4096])
    frame_max = r.choice([64, 65, 100, 1536])
    toks = [PyTokenizer(capacity, frame_max), ctwin(capacity, frame_max)]
    cfg = G.config(G.RandomSource(r.getrandbits(32)))
    for t in toks:
        t.configure(**cfg)
    p_next = r.choice([0.3, 0.6, 0.9])
    chunk_max = r.choice([1, 2, 3, 7, 64, 700, 5000])
    pos = 0
    held = None       # the frames last handed out, and their bytes then
    nones = 0
    frames = 0
    for step in range(200000):
        x = r.random()
        if x < p_next:
            kinds = [t.next() for t in toks]
            assert kinds[0] == kinds[1], (seed, step, kinds)
            if kinds[0]:
                seen = [(bytes(t.frame), t.remaining, t.length) for t in toks]
                assert seen[0] == seen[1], (seed, step, kinds[0], seen)
                held = [(t.frame, seen[0][0]) for t in toks]
                frames += 1
                nones = 0
            else:
                held = None
                nones += 1
                if pos >= len(data) and nones > 2:
                    return frames
        elif x < p_next + 0.25:
            # now and then an empty read, also once the data is all fed
            n = r.randint(1, chunk_max) if r.randint(0, 9) else 0
            chunk = data[pos:pos + n]
            w = r.getrandbits(32)
            took = [t.feed(_as_buffer(random.Random(w), chunk)) for t in toks]
            assert took[0] == took[1], (seed, step, "feed", took)
            pos += took[0]
        elif x < p_next + 0.32:
            free = [t.free() for t in toks]
            assert free[0] == free[1], (seed, step, "free", free)
        elif x < p_next + 0.36:
            change = {}
            for key, top in (("hex_recv", 1), ("showlength", 1), ("push_mask", 40)):
                if r.randint(0, 1):
                    change[key] = r.randint(0, top)
            for t in toks:
                t.configure(**change)
        elif x < p_next + 0.365:
            for t in toks:
                t.reset()
            held = None
        if held is not None:
            for frame, was in held:
                assert bytes(frame) == was, (seed, step, "frame changed")
    pytest.fail("seed %d: no end after 200000 steps" % seed)


def test_twins_in_lockstep(ctwin):
    total = 0
    for seed in range(CASES):
        total += _lockstep(ctwin, seed)
    assert total > CASES  # the sequences did hand out frames


def _wide():
    import array
    return array.array("H", b"\x00\x01")  # two bytes an item


# (An empty non-buffer, "" say, is not here: the Python twin returns 0 for
# anything empty before looking at it, so that an empty read allocates
# nothing on the board.)
@pytest.mark.parametrize("make", [_wide, lambda: "text", lambda: 7,
                                  lambda: [65]],
                         ids=["array-H", "str", "int", "list"])
def test_feed_refuses_what_is_not_single_bytes(twin, make):
    data = make()
    tok = twin()
    with pytest.raises((TypeError, BufferError)):
        tok.feed(data)
    assert tok.free() == 4096
    tok.feed(b"OK\r\n")
    assert tok.next() == 1 and bytes(tok.frame) == b"OK"
