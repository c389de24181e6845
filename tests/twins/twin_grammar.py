"""A grammar of BC26 byte streams for testing the tokenizer twins.

One grammar, two sources of randomness: a random.Random (corpus files for
the C harness, benchmarks, long runs) or Hypothesis (shrinkable examples).
The streams hold what the module sends (replies, URCs, echo, '>' prompts,
counted payloads in every layout, boot junk) and what it should never send
(wrong counts, bad headers, hex with bad digits, random bytes), so that both
twins are compared on hostile input too.

Also here: the driver that runs a twin over a stream with a given schedule
(chunk sizes, when to drain, when to reconfigure) and records everything
observable, so that two twins or two schedules can be compared.
"""
import random

# -- sources of randomness ------------------------------------------------------


class RandomSource:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def int(self, lo, hi):
        return self.r.randint(lo, hi)

    def choice(self, seq):
        return seq[self.r.randrange(len(seq))]

    def bytes(self, n):
        return bytes(self.r.getrandbits(8) for _ in range(n))

    def rng(self):
        return self.r


class HypothesisSource:
    """Hypothesis draws the structure; bulk filler comes from a drawn seed
    (drawing every filler byte would overrun Hypothesis' buffer)."""

    def __init__(self, data):
        from hypothesis import strategies as st
        self.data = data
        self.st = st

    def int(self, lo, hi):
        return self.data.draw(self.st.integers(lo, hi))

    def choice(self, seq):
        return self.data.draw(self.st.sampled_from(seq))

    def bytes(self, n):
        if n <= 8:
            return self.data.draw(self.st.binary(min_size=n, max_size=n))
        return bytes(self.rng().getrandbits(8) for _ in range(n))

    def rng(self):
        return random.Random(self.data.draw(self.st.integers(0, 2 ** 32)))


# -- the grammar ------------------------------------------------------------------

CRLF = b"\r\n"
EOLS = [b"\r\n", b"\r\n", b"\r\n", b"\r", b"\n", b"\n\r", b"\r\n\r\n"]
HOSTILE = [b"\r", b"\n", b"\r\n", b"\x00", b"OK", b"\r\nOK\r\n", b"+QIURC: ",
           b'\r\n+QIURC: "recv",0,5\r\n', b"\r\n+QIRD: 3\r\n", b'"', b",",
           b">", b"> ", b"\xff", b"ERROR", b"\x1a", b"\x1b"]
REPLIES = [b"OK", b"ERROR", b"SEND OK", b"SEND FAIL", b"CLOSE OK",
           b"+CME ERROR: 552", b"+QIOPEN: 0,0", b"+QIOPEN: 3,566",
           b'+QISTATE: 0,"TCP","10.0.0.1",8062,0,2,1,0', b"+QISEND: 10,10,0",
           b'+QPING: 0,"1.2.3.4",32,560,88', b'+QNTP: 0,"19/06/11,11:08:20+32"',
           b'+QIDNSCFG: 1,"8.8.8.8","1.1.1.1"', b'+QICFG: "showlength",1',
           b"+QIGETERROR: 552,invalid parameters", b"RDY", b"+CSCON: 1"]
URCS = [b'+QIURC: "closed",%d', b'+QIURC: "recv",%d', b'+QIURC: "recv",%d,12',
        b'+QIURC: "recv",%d,"buff full"', b'+QIURC: "dnsgip",0,2,600',
        b'+QIURC: "dnsgip","1.2.3.4"', b"+IP: 10.18.237.42", b"+CEREG: 1",
        b"+QATWAKEUP", b'+QIURC: "pdpdeact",1']
ECHOES = [b"AT", b"ATE0", b"AT+QIRD=0,512", b"AT+QISEND=0,5", b"AT+QISTATE?",
          b'AT+QICFG="showlength",1', b'AT+QIOPEN=1,0,"TCP","10.0.0.1",8062,0,1']
HEXDIGITS = b"0123456789abcdefABCDEF"


def _text(r, n):
    """Printable filler with commas and quotes now and then (r: a Random)."""
    alphabet = b'abcXYZ019 ,:"+-./'
    return bytes(alphabet[r.randrange(len(alphabet))] for _ in range(n))


def _hostile(src, n):
    """n bytes of payload that look like frames, line ends, anything."""
    r = src.rng()
    out = bytearray()
    while len(out) < n:
        k = r.randint(0, 3)
        if k == 0:
            out += HOSTILE[r.randrange(len(HOSTILE))]
        elif k == 1:
            out += bytes(r.getrandbits(8) for _ in range(r.randint(1, 8)))
        else:
            out += _text(r, r.randint(1, 8))
    return bytes(out[:n])


def _size(src, big):
    k = src.int(0, 9)
    if k < 6:
        return src.int(1, 24)
    if k < 9:
        return src.int(25, 300)
    return src.int(300, big)


def _number(src, value):
    """The decimal for value, and now and then something a parser must
    refuse or treat specially."""
    k = src.int(0, 15)
    if k == 0:
        return b"0" + b"%d" % value           # leading zero: still a number
    if k == 1:
        return b"%d" % (value + 10 ** 9)      # ten digits: not a count
    if k == 2:
        return b"x%d" % value
    if k == 3:
        return b""
    return b"%d" % value


def _payload_bytes(src, n, hexdata):
    if hexdata:
        r = src.rng()
        digits = bytearray(HEXDIGITS[r.randrange(22)] for _ in range(2 * n))
        if digits and src.int(0, 7) == 0:     # a bad digit decodes as 0
            digits[src.int(0, len(digits) - 1)] = src.choice(b"gG,\r\n\"\x00")
        return bytes(digits)
    return _hostile(src, n)


def counted(src, big=3000):
    """+QIRD or a direct-push +QIURC with its payload, in some layout."""
    n = _size(src, big)
    hexdata = src.int(0, 3) == 0
    data = _payload_bytes(src, n, hexdata)
    wrong = src.int(0, 11)
    if wrong == 0:                            # the count lies
        data = data[:src.int(0, len(data))]
    elif wrong == 1:
        data += _hostile(src, src.int(1, 10))
    if src.int(0, 1):
        cid = src.choice([0, 1, 2, 3, 4, 4, 5, 9])
        head = b'+QIURC: "recv",' + (b"%d" % cid) + b"," + _number(src, n)
    else:
        head = b"+QIRD: " + _number(src, n)
        extra = src.int(0, 3)
        if extra == 1:
            head += b"," + _number(src, src.int(0, 3000))
        elif extra == 2:
            head += b",%d,%d" % (src.int(0, 9), src.int(0, 9))
    layout = src.int(0, 5)
    if layout <= 1:                           # data on the next line
        body = src.choice([b"\r\n", b"\r", b"\n", b"\r\n", b"\r\r\n"]) + data
    elif layout <= 3:                         # viewmode 1: after a comma
        body = b"," + data
    else:                                     # quoted inline
        body = b',"' + data + src.choice([b'"', b'"', b"", b"'"])
    tail = src.choice([b"\r\n", b"\r\n\r\nOK\r\n", b"\r\nOK\r\n", b"", b"\r"])
    return CRLF + head + body + tail


def element(src, big=3000, line_max=2000):
    k = src.int(0, 19)
    if k < 4:
        return CRLF + src.choice(REPLIES) + src.choice(EOLS)
    if k < 8:
        u = src.choice(URCS)
        if b"%d" in u:
            u = u % src.int(0, 5)
        return CRLF + u + src.choice(EOLS)
    if k < 10:
        return src.choice(ECHOES) + src.choice([b"\r", b"\r\r\n", b"\r\n"])
    if k < 12:
        return CRLF + b">" + src.choice([b" ", b"", b"  ", b"\r\n", b" x"])
    if k < 17:
        return counted(src, big)
    if k == 17:                               # boot junk without line ends
        r = src.rng()
        return bytes(b"\x00\xff\xfeabc>, +\""[r.randrange(11)]
                     for _ in range(r.randint(1, 40)))
    if k == 18:                               # a long line
        head = src.choice([b"+QIRD: ", b'+QIURC: "recv",0,', b"+X: ", b"AT"])
        return head + _text(src.rng(), src.int(1, line_max)) + src.choice(EOLS)
    return src.bytes(src.int(1, 30))


def stream(src, elements=20, big=3000, line_max=2000):
    return b"".join(element(src, big, line_max)
                    for _ in range(src.int(0, elements)))


def config(src):
    return {"hex_recv": src.int(0, 1), "showlength": src.int(0, 1),
            "push_mask": src.int(0, 31)}


# -- realistic traffic for the benchmarks --------------------------------------


def urc_dense(size, seed=1):
    """Replies and URCs, few payload bytes: a chatty session."""
    r = random.Random(seed)
    lines = [b"OK", b"SEND OK", b'+QIURC: "recv",1,12', b'+QIURC: "closed",2',
             b"+CEREG: 1", b"+QISEND: 120,120,0", b"+QIOPEN: 0,0",
             b'+QPING: 0,"93.184.216.34",32,560,88', b"+CSCON: 0", b"CLOSE OK"]
    out = bytearray()
    while len(out) < size:
        out += b"\r\n" + r.choice(lines) + b"\r\n"
    return bytes(out)


def bulk_qird(size, seed=2, n=512):
    """AT+QIRD reads of n bytes each: the buffer-mode bulk path."""
    r = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        data = bytes(r.getrandbits(8) for _ in range(n))
        out += b"\r\n+QIRD: %d\r\n" % n + data + b"\r\n\r\nOK\r\n"
    return bytes(out)


def push_mixed(size, seed=3):
    """Direct push: data URCs of varied sizes among replies and URCs."""
    r = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        k = r.randint(0, 3)
        if k == 0:
            out += b"\r\nSEND OK\r\n"
        elif k == 1:
            out += b"\r\n+CSCON: 1\r\n"
        else:
            n = r.choice([16, 64, 200, 536, 1024])
            data = bytes(r.getrandbits(8) for _ in range(n))
            out += b'\r\n+QIURC: "recv",%d,%d\r\n' % (r.randint(0, 4), n) + data + b"\r\n"
    return bytes(out)


# -- driving a twin ----------------------------------------------------------------


def schedule(src, n_configs=3):
    """How a run feeds and drains: a seed for its decisions, the largest
    chunk, configure() calls pinned to frame numbers, and now and then a
    reset() after some frame."""
    return {
        "seed": src.int(0, 2 ** 31),
        "chunk_max": src.choice([1, 2, 3, 7, 64, 700, 5000]),
        "eager": src.int(0, 2),               # 0: drain to NONE before feeding
        "configs": sorted(((src.int(1, 60), config(src))
                           for _ in range(src.int(0, n_configs))),
                          key=lambda c: c[0]),
        "reset": src.int(1, 80) if src.int(0, 7) == 0 else 0,
    }


def run(Tokenizer, data, capacity=4096, frame_max=1536, cfg=None, plan=None,
        observe=True):
    """Feed data to a fresh tokenizer along plan; return (frames, trace).

    frames: (kind, bytes, remaining) for every frame.  trace: frames plus
    every NONE and every feed()/free() result, for comparing twins that are
    run along the same plan."""
    plan = plan or {"seed": 0, "chunk_max": 5000, "eager": 0, "configs": []}
    reset_at = plan.get("reset", 0)
    r = random.Random(plan["seed"])
    tok = Tokenizer(capacity, frame_max)
    if cfg:
        tok.configure(**cfg)
    configs = list(plan["configs"])
    frames = []
    trace = []
    pos = 0
    cmax = plan["chunk_max"]
    eager = plan["eager"]
    stuck = 0
    while True:
        # drain: to NONE, or (eager) just a few frames
        budget = r.randint(1, 4) if eager and pos < len(data) else -1
        while budget:
            budget -= 1
            kind = tok.next()
            if kind == 0:
                if observe:  # frame and remaining mean nothing after NONE
                    trace.append(("none",))
                break
            f = (kind, bytes(tok.frame), tok.remaining)
            frames.append(f)
            if observe:
                trace.append(f + (tok.length,))
            while configs and configs[0][0] <= len(frames):
                c = configs.pop(0)[1]
                tok.configure(**c)
                if observe:
                    trace.append(("cfg", tok.hex_recv, tok.showlength, tok.push_mask))
            if len(frames) == reset_at:
                tok.reset()  # what was buffered is lost, in both twins alike
                if observe:
                    trace.append(("reset", tok.free(), tok.length, tok.remaining))
            if observe and r.randint(0, 9) == 0:
                trace.append(("free", tok.free()))
        if pos >= len(data):
            break  # drained to NONE: budget is -1 once all is fed
        took = tok.feed(data[pos:pos + r.randint(1, cmax)])
        pos += took
        stuck = stuck + 1 if took == 0 else 0
        assert stuck < 3, "no progress: ring full and no frame"
        if observe:
            trace.append(("feed", took, tok.free()))
    return frames, trace


# -- a corpus for the C harness (csrc/test_harness.c) -----------------------------


def corpus_cases(n, seed=0):
    cases = []
    for i in range(n):
        src = RandomSource(seed * 1000003 + i)
        data = stream(src, elements=30, big=5000, line_max=3000)
        plan = schedule(src, n_configs=5)
        cases.append({
            "stream": data,
            "capacity": src.choice([64, 65, 100, 257, 1000, 4096]),
            "frame_max": src.choice([64, 100, 1536]),
            "cfg": config(src),
            "seed": plan["seed"],
            "chunk_max": plan["chunk_max"],
            "pins": plan["configs"],
        })
    return cases


def write_corpus(path, cases):
    with open(path, "wb") as f:
        for c in cases:
            cfg = c["cfg"]
            head = "case %d %d %d %d %d %d %d %d %d" % (
                len(c["stream"]), c["capacity"], c["frame_max"], cfg["hex_recv"],
                cfg["showlength"], cfg["push_mask"], c["seed"], c["chunk_max"],
                len(c["pins"]))
            for at, p in c["pins"]:
                head += " %d %d %d %d" % (at, p["hex_recv"], p["showlength"],
                                          p["push_mask"])
            f.write(head.encode() + b"\n" + c["stream"] + b"\n")


def harness_output(Tokenizer, cases):
    """What the harness prints for cases, computed with Tokenizer."""
    out = []
    for i, c in enumerate(cases):
        out.append("case %d\n" % i)
        plan = {"seed": c["seed"], "chunk_max": c["chunk_max"], "eager": 0,
                "configs": c["pins"]}
        frames = run(Tokenizer, c["stream"], c["capacity"], c["frame_max"],
                     c["cfg"], plan, observe=False)[0]
        for kind, f, rem in frames:
            if kind == 2:
                out.append("P\n")
            else:
                out.append("%s %d %s\n" % ("L" if kind == 1 else "D", rem, f.hex()))
    return "".join(out)


if __name__ == "__main__":
    import sys
    if len(sys.argv) != 3:
        sys.exit("usage: twin_grammar.py CORPUS_FILE N_CASES")
    write_corpus(sys.argv[1], corpus_cases(int(sys.argv[2])))
