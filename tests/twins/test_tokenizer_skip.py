"""Tokenizer.skip(n), on both twins: the data-mode echo (AT+QICFG="echomode",1)
of the payload written after the '> ' prompt is dropped by count, never
framed, whatever it holds; framing then goes on as it stood.

The echo here holds every reply and URC shape the driver reacts to, and
binary bytes; fed whole, byte by byte and in random splits, partly before
skip() is called, across a ring wrap and beyond the ring's size, it must
leave exactly the real reply.  A lockstep run checks that the twins agree
on every step when skip() comes at any moment.

BC26_SKIP_CASES=N sets the number of random sequences (default 200)."""
import os
import random
import shutil
import subprocess
import sys

import pytest

import twin_grammar as G
from bc26.tokenizer import Tokenizer as PyTokenizer

NONE, LINE, PROMPT, PAYLOAD = 0, 1, 2, 3
CASES = int(os.environ.get("BC26_SKIP_CASES", "200"))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Every shape the driver would act on, were the echo framed.
SHAPES = [
    b"OK\r\n",
    b"\r\nERROR\r\n",
    b"\r\n+CME ERROR: 550\r\n",
    b"\r\nSEND OK\r\n",
    b"\r\nSEND FAIL\r\n",
    b"\r\n> ",
    b'\r\n+QIURC: "recv",1,5\r\nhello\r\n',
    b'\r\n+QIURC: "closed",1\r\n',
    b"\r\n+QIRD: 10\r\n0123456789\r\n\r\nOK\r\n",
    b"\r\nRDY\r\n",
    b"\r\nCLOSE OK\r\n",
    b"\r\n+QIOPEN: 0,0\r\n",
    bytes(range(256)),
    b"\r\n",
]
ECHO = b"".join(SHAPES)
REPLY = b"\r\nOK\r\n\r\nSEND OK\r\n"
COMMAND = b"AT+QISEND=1,%d\r\n" % len(ECHO)


def L(text, remaining=0):
    return (LINE, text, remaining)


P = (PROMPT, b"", 0)
WANT = [L(b"OK"), L(b"SEND OK")]


def drain(tok, out):
    while True:
        kind = tok.next()
        if kind == NONE:
            return
        out.append((kind, bytes(tok.frame), tok.remaining))


def feed(tok, data, sizes, out):
    """Feed data in pieces of the given sizes (the last one takes the rest),
    draining after each; every byte must be taken."""
    pos = 0
    sizes = list(sizes)
    while pos < len(data):
        n = sizes.pop(0) if sizes else len(data) - pos
        took = tok.feed(data[pos:pos + n])
        assert took == min(n, len(data) - pos)
        pos += took
        drain(tok, out)


def random_sizes(seed, total, top=40):
    r = random.Random(seed)
    sizes = []
    while sum(sizes) < total:
        sizes.append(r.randint(1, top))
    return sizes


def at_prompt(twin, prompt=b"\r\n> "):
    """A tokenizer that has just handed out the prompt of AT+QISEND."""
    tok = twin()
    tok.configure(push_mask=31)  # "recv" URCs announce counted data
    out = []
    feed(tok, COMMAND + prompt, [], out)
    assert out == [L(COMMAND[:-2]), P]
    return tok


def test_unskipped_echo_would_be_read_as_replies(twin):
    # why skip() is there: framed, the echo is a fake reply and URC storm
    tok = at_prompt(twin)
    out = []
    feed(tok, ECHO + REPLY, [], out)
    lines = [f for k, f, _ in out if k == LINE]
    for shape in (b"OK", b"ERROR", b"+CME ERROR: 550", b"SEND FAIL",
                  b'+QIURC: "closed",1', b"RDY", b"+QIOPEN: 0,0"):
        assert shape in lines
    assert P in out and any(k == PAYLOAD for k, _, _ in out)


SPLITS = [("whole", []), ("bytes", [1] * len(ECHO + REPLY))] + [
    ("random%d" % s, random_sizes(s, len(ECHO + REPLY))) for s in range(8)]


@pytest.mark.parametrize("sizes", [s for _, s in SPLITS],
                         ids=[i for i, _ in SPLITS])
def test_echo_of_every_shape_is_skipped(twin, sizes):
    tok = at_prompt(twin)
    tok.skip(len(ECHO))
    assert tok.skipping == len(ECHO)
    out = []
    feed(tok, ECHO + REPLY, sizes, out)
    assert out == WANT
    assert tok.skipping == 0


@pytest.mark.parametrize("seed", range(12))
def test_skip_called_with_echo_already_fed(twin, seed):
    # the whole exchange in random pieces: when the prompt is handed out,
    # part of the echo (or all of it, and the reply) may be fed already
    stream = COMMAND + b"\r\n> " + ECHO + REPLY
    r = random.Random(seed)
    tok = twin()
    tok.configure(push_mask=31)
    out = []
    pos = 0
    for _ in range(10000):
        if pos >= len(stream) and out[-1:] == [WANT[-1]]:
            break
        if pos < len(stream):
            n = r.choice([1, 3, 50, 500, len(stream)])
            pos += tok.feed(stream[pos:pos + n])
        while True:
            kind = tok.next()
            if kind == NONE:
                break
            out.append((kind, bytes(tok.frame), tok.remaining))
            if kind == PROMPT:
                fed_after = pos - len(COMMAND) - 4  # "\r\n> " is 4 bytes
                tok.skip(len(ECHO))
                assert tok.skipping == max(0, len(ECHO) - max(0, fed_after))
    assert out == [L(COMMAND[:-2]), P] + WANT


def test_all_of_the_echo_already_fed(twin):
    tok = twin()
    assert tok.feed(b"\r\n> " + ECHO[:100]) == 104
    assert tok.next() == PROMPT
    tok.skip(60)
    tok.skip(40)  # calls add up
    assert tok.skipping == 0
    out = []
    feed(tok, REPLY, [], out)
    assert out == WANT


@pytest.mark.parametrize("space", ["framed", "unread", "later"])
def test_the_prompt_space_is_not_skipped(twin, space):
    # the space of "> " is the prompt's whether next() took it already, it
    # waits unread in the ring, or it comes in the next read; an echo that
    # starts with spaces loses none of them to it
    echo = b"  \r\nOK\r\n"
    tok = twin()
    tok.feed(b"\r\n>" if space == "later" else b"\r\n> ")
    assert tok.next() == PROMPT
    if space == "framed":
        assert tok.next() == NONE
    tok.skip(len(echo))
    assert tok.skipping == len(echo)
    out = []
    feed(tok, (b" " if space == "later" else b"") + echo + REPLY, [1] * 4, out)
    assert out == WANT


def test_prompt_without_space(twin):
    tok = at_prompt(twin, b"\r\n>")
    tok.skip(3)
    out = []
    feed(tok, b"OK\r" + REPLY, [], out)
    assert out == WANT


def test_skip_across_a_ring_wrap(twin):
    # capacity 64: the ring holds the prompt and 20 echo bytes at 40..63 and
    # 20 more at 0..19 when skip() is called
    tok = twin(64, 64)
    d1 = b"\r\n" + b"A" * 36 + b"\r\n"
    d2 = b"\r\n> " + ECHO[:20]
    assert tok.feed(d1) == 40
    assert tok.feed(d2) == 24
    out = []
    drain(tok, out)
    assert out[:3] == [L(b"A" * 36), P, L(b"OK")]  # unskipped, it is framed
    # again, with the skip where it belongs
    tok = twin(64, 64)
    tok.feed(d1)
    tok.feed(d2)
    assert tok.next() == LINE and tok.next() == PROMPT
    assert tok.feed(ECHO[20:40]) == 20
    assert tok.free() == 64 - 41  # the prompt's space, 20 + 20 echo bytes
    head, count, cap = ring_of(tok)
    assert head + count > cap  # the unread bytes wrap
    tok.skip(len(ECHO))
    assert tok.skipping == len(ECHO) - 40
    assert tok.free() == 64
    out = []
    feed(tok, ECHO[40:] + REPLY, random_sizes(5, len(ECHO) + 40, 100), out)
    assert out == WANT


def ring_of(tok):
    """(head, count, cap) of a twin's ring, what the C twin has committed."""
    if isinstance(tok, PyTokenizer):
        return tok.ring.head, tok.ring.count, tok.ring.cap
    tok.free()  # commits the frames handed out
    ring = tok._b.ring
    return ring.head, ring.count, ring.cap


def test_skip_longer_than_the_ring_in_one_read(twin):
    # skipped bytes need no room: feed() takes them, then what fits
    tok = twin(64, 64)
    tok.skip(10)
    data = b"e" * 10 + b"\r\n" + b"B" * 80 + b"\r\nOK\r\n"
    assert tok.feed(data) == 10 + 64
    assert tok.skipping == 0
    out = []
    drain(tok, out)
    feed(tok, data[74:], [], out)
    assert out == [L(b"B" * 64), L(b"OK")]


def test_skip_zero_is_nothing(twin):
    tok = at_prompt(twin, b"\r\n>")
    tok.skip(0)
    assert tok.skipping == 0
    out = []
    feed(tok, b" AB", [], out)
    tok.skip(0)
    feed(tok, b"C\r\nOK\r\n", [], out)
    assert out == [L(b"ABC"), L(b"OK")]
    tok = twin()
    tok.feed(b"\r\nOK\r\n")
    tok.skip(0)
    assert tok.free() == 4096 - 6
    assert tok.next() == LINE and bytes(tok.frame) == b"OK"


def test_skipping_counts_down(twin):
    tok = twin()
    tok.skip(4)
    tok.skip(6)  # calls add up
    assert tok.skipping == 10
    assert tok.next() == NONE
    assert tok.feed(b"abc") == 3
    assert tok.skipping == 7
    assert tok.next() == NONE
    assert tok.feed(bytearray(b"defg")) == 4
    assert tok.skipping == 3
    assert tok.feed(memoryview(b"hij\r\nOK\r\n")) == 9
    assert tok.skipping == 0
    out = []
    drain(tok, out)
    assert out == [L(b"OK")]
    # unread bytes are skipped first
    tok.feed(b"12345")
    tok.skip(3)
    assert tok.skipping == 0
    tok.skip(4)  # 2 unread left, then 2 to come
    assert tok.skipping == 2
    assert tok.feed(b"xxAB\r\n") == 6
    drain(tok, out)
    assert out == [L(b"OK"), L(b"AB")]


def test_framing_goes_on_as_it_stood(twin):
    out = []
    tok = twin()
    feed(tok, b"\r\nAB", [], out)
    tok.skip(3)
    feed(tok, b"xyzC\r\n", [], out)
    assert out == [L(b"ABC")]
    # inside a counted payload
    tok = twin()
    tok.configure(push_mask=2)
    out = []
    feed(tok, b'\r\n+QIURC: "recv",1,5\r\n12', [], out)
    tok.skip(2)
    feed(tok, b"\r\n345\r\nOK\r\n", [1], out)
    assert out == [L(b'+QIURC: "recv",1,5', 5), (PAYLOAD, b"12345", 0),
                   L(b"OK")]


def test_reset_forgets_the_skip(twin):
    tok = twin()
    tok.skip(5)
    tok.reset()
    assert tok.skipping == 0
    out = []
    feed(tok, b"OK\r\n", [], out)
    assert out == [L(b"OK")]


def test_skip_refuses_bad_counts(twin):
    tok = twin()
    with pytest.raises(ValueError):
        tok.skip(-1)
    with pytest.raises(TypeError):
        tok.skip(1.5)
    with pytest.raises(AttributeError):
        tok.skipping = 3
    assert tok.skipping == 0


def test_a_read_after_a_skip_is_framed_in_place():
    # the hot path stays in place: a read after a skip is framed from the
    # caller's buffer, as any other (the ring's own storage is not needed)
    tok = PyTokenizer()
    tok.feed(b"\r\n> ")
    assert tok.next() == PROMPT
    tok.skip(len(ECHO))
    data = bytearray(ECHO + REPLY)
    assert tok.feed(data) == len(data)
    assert tok.ring.buf is data and tok.ring.own is None
    out = []
    drain(tok, out)
    assert out == WANT


# Under micropython.heap_lock() an allocation raises MemoryError: skip(),
# skipping and the feeds that skip stay allocation-free on the board.
MP_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
import micropython
from bc26.tokenizer import Tokenizer, NONE, PROMPT, LINE
tok = Tokenizer(256, 128)
tok.configure(push_mask=31)
prompt = bytearray(b"\\r\\n> ")
echo = bytearray(%r)
mixed = bytearray(echo[-20:] + %r)

def exchange():
    # the lines after the echo, or -1 (an exception would allocate)
    if tok.feed(prompt) != 4 or tok.next() != PROMPT:
        return -1
    tok.skip(len(echo))
    if tok.skipping != len(echo):
        return -1
    if tok.feed(echo, len(echo) - 20) != len(echo) - 20:
        return -1
    if tok.next() != NONE or tok.skipping != 20:
        return -1
    if tok.feed(mixed) != len(mixed):
        return -1
    lines = 0
    while tok.next() == LINE:
        lines += 1
    return lines

exchange()  # once unlocked
got = [0, 0, 0]
micropython.heap_lock()
try:
    i = 0
    while i < 3:
        got[i] = exchange()
        i += 1
finally:
    micropython.heap_unlock()
print(got)
""" % (ECHO, REPLY)


def _micropython():
    for path in (os.path.join(os.path.dirname(sys.executable), "micropython"),
                 os.path.join(ROOT, ".venv", "bin", "micropython"),
                 shutil.which("micropython")):
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def test_skip_allocates_nothing_on_micropython(tmp_path):
    exe = _micropython()
    if exe is None:
        pytest.skip("micropython (unix port) not found")
    script = tmp_path / "skip.py"
    script.write_text(MP_SCRIPT)
    run = subprocess.run([exe, str(script), os.path.join(ROOT, "micropython")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.split() == ["[2,", "2,", "2]"]


# -- the twins in lockstep, skip() at any moment ------------------------------


def _lockstep(ctwin, seed):
    r = random.Random(seed)
    src = G.RandomSource(r.getrandbits(32))
    parts = [G.stream(src, elements=r.choice([5, 15]), big=r.choice([300, 600]),
                      line_max=r.choice([80, 300]))]
    for _ in range(r.randint(0, 4)):
        parts.insert(r.randint(0, len(parts)),
                     b"\r\n> " + bytes(r.choice(SHAPES)) + REPLY)
    data = b"".join(parts)
    capacity = r.choice([64, 65, 100, 4096])
    frame_max = r.choice([64, 100, 1536])
    toks = [PyTokenizer(capacity, frame_max), ctwin(capacity, frame_max)]
    cfg = G.config(G.RandomSource(r.getrandbits(32)))
    for t in toks:
        t.configure(**cfg)
    chunk_max = r.choice([1, 3, 64, 700])
    pos = 0
    nones = 0
    frames = 0
    for step in range(100000):
        x = r.random()
        if x < 0.5:
            kinds = [t.next() for t in toks]
            assert kinds[0] == kinds[1], (seed, step, kinds)
            if kinds[0]:
                seen = [(bytes(t.frame), t.remaining) for t in toks]
                assert seen[0] == seen[1], (seed, step, kinds[0], seen)
                frames += 1
                nones = 0
                if kinds[0] == PROMPT and r.randint(0, 1):
                    n = r.randint(0, 60)
                    for t in toks:
                        t.skip(n)
            else:
                nones += 1
                if pos >= len(data) and nones > 2:
                    return frames
        elif x < 0.8:
            chunk = data[pos:pos + r.randint(1, chunk_max)]
            took = [t.feed(chunk) for t in toks]
            assert took[0] == took[1], (seed, step, "feed", took)
            pos += took[0]
        elif x < 0.87:
            n = r.choice([0, 1, 2, r.randint(0, 300)])
            for t in toks:
                t.skip(n)
        elif x < 0.9:
            change = {"push_mask": r.randint(0, 31)}
            for t in toks:
                t.configure(**change)
        elif x < 0.902:
            for t in toks:
                t.reset()
        # free() commits what the C twin handed out: not at every step, so
        # that skip() also meets frames it has read ahead
        look = r.randint(0, 3) == 0
        state = [(t.skipping, t.free() if look else 0) for t in toks]
        assert state[0] == state[1], (seed, step, "skipping, free", state)
    pytest.fail("seed %d: no end after 100000 steps" % seed)


def test_twins_skip_in_lockstep(ctwin):
    total = 0
    for seed in range(CASES):
        total += _lockstep(ctwin, seed)
    assert total > CASES
