"""Both twins, same input, same answers: random byte streams from the
grammar in tests/twins/twin_grammar.py, random configurations switched
between frames, random chunkings down to one byte and random interleaving of
feed() and next(), an occasional reset().  Everything observable is
compared: frames, where NONE comes, feed() and free() results.  Each twin
must also give the same frames whatever the chunking.  (Interleavings the
grammar's run() does not make are in test_twin_lockstep.py.)

BC26_FUZZ_EXAMPLES=N sets the number of examples (default 1500)."""
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import twin_grammar as G
from bc26.tokenizer import Tokenizer as PyTokenizer

EXAMPLES = int(os.environ.get("BC26_FUZZ_EXAMPLES", "1500"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=list(HealthCheck))


def _first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i, x, y
    return min(len(a), len(b)), "length %d" % len(a), "length %d" % len(b)


@SETTINGS
@given(data=st.data())
def test_twins_agree(ctwin, data):
    src = G.HypothesisSource(data)
    stream = G.stream(src, elements=12, big=600, line_max=300)
    capacity = src.choice([64, 65, 100, 257, 4096])
    frame_max = src.choice([64, 100, 1536])
    cfg = G.config(src)
    plan = G.schedule(src)
    fp, tp = G.run(PyTokenizer, stream, capacity, frame_max, cfg, plan)
    fc, tc = G.run(ctwin, stream, capacity, frame_max, cfg, plan)
    assert tc == tp, _first_difference(tc, tp)
    if plan["reset"]:
        return  # what a reset drops depends on the chunking
    # another chunking and interleaving: the same frames, for each twin
    other = dict(plan, seed=plan["seed"] + 1,
                 chunk_max=src.choice([1, 3, 5000]), eager=src.int(0, 2))
    assert G.run(PyTokenizer, stream, capacity, frame_max, cfg, other)[0] == fp
    assert G.run(ctwin, stream, capacity, frame_max, cfg, other)[0] == fc


@settings(max_examples=max(50, EXAMPLES // 10), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2 ** 32))
def test_twins_agree_on_large_streams(ctwin, seed):
    """Bigger streams than Hypothesis draws comfortably: long payloads and
    lines against small rings and frames."""
    src = G.RandomSource(seed)
    stream = G.stream(src, elements=40, big=5000, line_max=3000)
    capacity = src.choice([64, 100, 1000, 4096])
    frame_max = src.choice([64, 100, 1536])
    cfg = G.config(src)
    plan = G.schedule(src, n_configs=6)
    fp, tp = G.run(PyTokenizer, stream, capacity, frame_max, cfg, plan)
    fc, tc = G.run(ctwin, stream, capacity, frame_max, cfg, plan)
    assert tc == tp, _first_difference(tc, tp)


def test_chunking_invariance_one_byte(twin):
    """One byte at a time, or all at once: the same frames."""
    for seed in range(30):
        src = G.RandomSource(seed)
        stream = G.stream(src, elements=15, big=400, line_max=300)
        cfg = G.config(src)
        whole = G.run(twin, stream, 4096, 100, cfg,
                      {"seed": 0, "chunk_max": 10 ** 6, "eager": 0, "configs": []})[0]
        bytewise = G.run(twin, stream, 4096, 100, cfg,
                         {"seed": 0, "chunk_max": 1, "eager": 0, "configs": []})[0]
        assert bytewise == whole, seed
