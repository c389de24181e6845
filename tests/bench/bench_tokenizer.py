"""Tokenizer throughput: the C twin, the Python twin and bytes.split.

    python tests/bench/bench_tokenizer.py [--size MIB] [--repeat N] [--cython]
                                          [--no-native]

Three corpora from tests/twins/twin_grammar.py: URC-dense traffic, bulk
+QIRD reads of 512 bytes, and direct-push data among URCs.  Each tokenizer
is driven as the driver drives it: the corpus comes as bytes chunks, cut
before the clock starts as UART reads would hand them over — all of 4096
bytes (a ring's capacity), then of 2048 to 4096 bytes — and each is fed,
then next() runs until NONE, touching every frame.
bytes.split(b"\\r\\n") over the whole corpus, with the same loop over the
pieces, is the practical limit: the cost of producing the lines as Python
objects.  "floor" serves frames computed in advance through the same
next()/frame/remaining interface: the part of the cost that is Python
calls, not tokenizing.

"C alone" is csrc/bench_tok.c: the C tokenizer driven from C, no Python
at all (needs a C compiler; --no-native skips it).  --cython also compiles a
copy of the pure-Python twin with Cython (in a temporary directory) and
measures it.  Best of N runs; MB = 10**6 bytes.
"""
import argparse
import gc
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "twins"))

import twin_grammar as G  # noqa: E402
from bc26.tokenizer import Tokenizer as PyTokenizer  # noqa: E402

try:
    from bc26.host.ctokenizer import Tokenizer as CTokenizer
except ImportError:
    CTokenizer = None

CHUNK = 4096


def chunks(data, low, seed=7):
    """The corpus as UART reads hand it to the driver: bytes objects of low
    to CHUNK bytes (a read takes what has come), cut before the clock
    starts, the same for every tokenizer.  low = CHUNK: every read fills a
    ring, as on a fast link; then a periodic corpus repeats a handful of
    batch layouts, which flatters what caches them (struct's format cache,
    for the C twin), and reads of varied size show the cost without."""
    r = random.Random(seed)
    out = []
    pos = 0
    while pos < len(data):
        n = r.randint(low, CHUNK)
        out.append(data[pos:pos + n])
        pos += n
    return out


CHUNKS = {}  # id(corpus) -> chunks(corpus)


def drive(Tokenizer, data, cfg):
    data = CHUNKS[id(data)]
    tok = Tokenizer()
    tok.configure(**cfg)
    feed = tok.feed
    nxt = tok.next
    frames = 0
    for chunk in data:
        took = feed(chunk)
        while True:
            while True:
                kind = nxt()
                if not kind:
                    break
                frame = tok.frame  # noqa: F841  (touch it, as a parser would)
                frames += 1
            if took == len(chunk):
                break
            took += feed(chunk[took:])  # the ring was full: the rest
    return frames


def split(data, cfg):
    frames = 0
    for piece in data.split(b"\r\n"):  # noqa: B007
        frames += 1
    return frames


class Floor:
    """Frames computed in advance, served through the tokenizer interface."""
    __slots__ = ("frame", "remaining", "_it", "frames")

    def __init__(self, frames):
        self.frames = frames

    def feed(self, data):
        return len(data)

    def next(self):
        for kind, self.frame, self.remaining in self._it:
            return kind
        return 0


def floor_runner(data, cfg):
    frames = []
    tok = CTokenizer() if CTokenizer else PyTokenizer()
    tok.configure(**cfg)
    for chunk in CHUNKS[id(data)]:
        took = tok.feed(chunk)
        while True:
            kind = tok.next()
            if not kind:
                if took == len(chunk):
                    break
                took += tok.feed(chunk[took:])
                continue
            frames.append((kind, tok.frame[:0], tok.remaining))
        frames.append((0, None, 0))  # the NONE after each feed

    feeds = sum(1 for f in frames if f[0] == 0)

    def run(data, cfg):
        f = Floor(frames)
        f._it = iter(frames)
        nxt = f.next
        count = 0
        for _ in range(feeds):
            f.feed(data[:0])
            while True:
                kind = nxt()
                if not kind:
                    break
                frame = f.frame  # noqa: F841
                count += 1
        return count
    return run


def best_of(fn, data, cfg, repeat):
    best = None
    result = None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        result = fn(data, cfg)
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return best, result


def build_cython(tmp):
    """The pure-Python twin compiled by Cython as package bc26cy in tmp."""
    root = os.path.join(os.path.dirname(HERE), "..", "micropython", "bc26")
    pkg = os.path.join(tmp, "bc26cy")
    os.makedirs(pkg)
    shutil.copy(os.path.join(root, "tokenizer.py"), pkg)  # (its ring included)
    open(os.path.join(pkg, "__init__.py"), "w").close()
    setup = os.path.join(tmp, "setup_cy.py")
    with open(setup, "w") as f:
        f.write("from setuptools import setup\n"
                "from Cython.Build import cythonize\n"
                "setup(ext_modules=cythonize(['bc26cy/tokenizer.py'], "
                "language_level=3, quiet=True))\n")
    subprocess.run([sys.executable, setup, "build_ext", "--inplace", "-q"],
                   cwd=tmp, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    sys.path.insert(0, tmp)
    from bc26cy.tokenizer import Tokenizer
    import bc26cy.tokenizer as m
    assert m.__file__.endswith((".so", ".pyd")), m.__file__
    return Tokenizer


def build_native(tmp):
    """csrc/bench_tok.c compiled in tmp, or None without a compiler."""
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        return None
    csrc = os.path.join(HERE, "..", "..", "csrc")
    exe = os.path.join(tmp, "bench_tok")
    r = subprocess.run([cc, "-O2", "-std=c99", "-I", csrc,
                        os.path.join(csrc, "bench_tok.c"),
                        os.path.join(csrc, "bc26_tok.c"), "-o", exe],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return exe if r.returncode == 0 else None


def native_rows(exe, tmp, data, cfg):
    path = os.path.join(tmp, "corpus.bin")
    with open(path, "wb") as f:
        f.write(data)
    out = subprocess.run([exe, path, str(cfg.get("push_mask", 0))],
                         check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        mode, frames, dt = line.split()
        rows.append(("C alone " + mode, float(dt), int(frames)))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=float, default=1.0, help="MiB per corpus")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--cython", action="store_true")
    ap.add_argument("--no-native", action="store_true")
    args = ap.parse_args()
    size = int(args.size * (1 << 20))
    corpora = [
        ("URC-dense", G.urc_dense(size), {}),
        ("bulk +QIRD 512", G.bulk_qird(size), {}),
        ("direct push", G.push_mixed(size), {"push_mask": 31}),
    ]
    impls = []
    if CTokenizer is not None:
        impls.append(("C twin", lambda d, c: drive(CTokenizer, d, c), args.repeat))
    else:
        print("C twin not built: only the Python twin is measured")
    tmp = tempfile.mkdtemp(prefix="bc26bench")
    native = None if args.no_native else build_native(tmp)
    if args.cython:
        CyTokenizer = build_cython(tmp)
        impls.append(("Cython twin", lambda d, c: drive(CyTokenizer, d, c),
                      max(1, args.repeat // 2)))
    impls.append(("Python twin", lambda d, c: drive(PyTokenizer, d, c),
                  max(1, args.repeat // 3)))
    impls.append(("bytes.split", split, args.repeat))

    print("Python %s, %s; corpora of %d bytes; best of %s" % (
        sys.version.split()[0], sys.platform, size,
        ", ".join("%d (%s)" % (rep, name) for name, _, rep in impls)))
    head = "%-15s %-10s %-16s %9s %11s %9s %9s" % (
        "corpus", "reads", "tokenizer", "MB/s", "frames/s", "÷ Python",
        "÷ split")
    print(head)
    print("-" * len(head))
    for cname, data, cfg in corpora:
        dt_split, _ = best_of(split, data, cfg, args.repeat)
        for low in (CHUNK, CHUNK // 2):  # reads of 4096, then of 2048-4096
            CHUNKS[id(data)] = chunks(data, low)
            reads = "%d" % CHUNK if low == CHUNK else "%d-%d" % (low, CHUNK)
            rows = []
            for name, fn, repeat in impls:
                if fn is split:  # one whole-corpus split serves both
                    rows.append((name, dt_split, len(data.split(b"\r\n"))))
                    continue
                dt, frames = best_of(fn, data, cfg, repeat)
                rows.append((name, dt, frames))
            dt_floor, nf = best_of(floor_runner(data, cfg), data, cfg,
                                   args.repeat)
            rows.append(("floor", dt_floor, nf))
            if native and low == CHUNK:
                rows += native_rows(native, tmp, data, cfg)
            times = dict((r[0], r[1]) for r in rows)
            counts = set(r[2] for r in rows if r[0] not in ("bytes.split",))
            assert len(counts) == 1, "tokenizers disagree: %r" % rows
            for name, dt, frames in rows:
                print("%-15s %-10s %-16s %9.1f %11.0f %8.1fx %8.2fx" % (
                    cname, reads, name, len(data) / dt / 1e6, frames / dt,
                    times["Python twin"] / dt, times["bytes.split"] / dt))
                cname = reads = ""
    shutil.rmtree(tmp, ignore_errors=True)
    print("(÷ X: speed relative to X; above 1 is faster.  frames/s for "
          "bytes.split counts pieces, empty ones included.)")


if __name__ == "__main__":
    main()
