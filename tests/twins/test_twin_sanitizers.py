"""The C tokenizer under AddressSanitizer and UndefinedBehaviorSanitizer:
csrc/test_harness.c drives it over a corpus from the grammar, by single
steps and through the batch API; its frames must match the Python twin's.
Skipped when no gcc with sanitizer support is at hand."""
import os
import shutil
import subprocess

import pytest

import twin_grammar as G
from bc26.tokenizer import Tokenizer as PyTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CSRC = os.path.join(ROOT, "csrc")
CASES = int(os.environ.get("BC26_HARNESS_CASES", "300"))
FLAGS = ["-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-O1", "-g",
         "-fno-omit-frame-pointer", "-fsanitize=address,undefined",
         "-fno-sanitize-recover=all"]


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc not found")
    exe = str(tmp_path_factory.mktemp("harness") / "test_harness")
    build = subprocess.run(
        [gcc] + FLAGS + ["-I", CSRC, os.path.join(CSRC, "bc26_tok.c"),
                         os.path.join(CSRC, "test_harness.c"), "-o", exe],
        capture_output=True, text=True)
    if build.returncode != 0:
        if "sanitize" in build.stderr or "asan" in build.stderr:
            pytest.skip("gcc without sanitizer runtime: " + build.stderr[-300:])
        pytest.fail("harness does not compile cleanly:\n" + build.stderr)
    return exe


def test_sanitized_harness_matches_python_twin(harness, tmp_path):
    cases = G.corpus_cases(CASES, seed=1)
    corpus = str(tmp_path / "corpus.bin")
    G.write_corpus(corpus, cases)
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
               UBSAN_OPTIONS="print_stacktrace=1")
    run = subprocess.run([harness, corpus], capture_output=True, env=env,
                         timeout=300)
    if b"LeakSanitizer has encountered a fatal error" in run.stderr:
        # no ptrace in some containers: leak checking cannot run there
        env["ASAN_OPTIONS"] = "detect_leaks=0"
        run = subprocess.run([harness, corpus], capture_output=True, env=env,
                             timeout=300)
    assert run.stderr.decode(errors="replace") == ""
    assert run.returncode == 0
    got = run.stdout.decode()
    want = G.harness_output(PyTokenizer, cases)
    if got != want:
        for i, (a, b) in enumerate(zip(got.splitlines(), want.splitlines())):
            assert a == b, "line %d" % i
    assert got == want


def test_header_is_a_clean_cdef():
    """The cdef section parses as is (what csrc/build_cffi.py feeds cffi)."""
    cffi = pytest.importorskip("cffi")
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "build_cffi", os.path.join(CSRC, "build_cffi.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    ffi = cffi.FFI()
    ffi.cdef(mod.cdef_source())
    assert ffi.sizeof("bc26_tok_state") == 36
