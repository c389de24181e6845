"""Which twin `import bc26` picks: the C one when built, the Python one when
BC26_PUREPYTHON=1 or when bc26._ctok does not import (as on MicroPython)."""
import os
import subprocess
import sys

import pytest

import bc26


def _implementation(env_extra, prelude=""):
    env = dict(os.environ)
    env.pop("BC26_PUREPYTHON", None)
    env.update(env_extra)
    code = prelude + "import bc26; print(bc26.IMPLEMENTATION, bc26.Tokenizer.__module__)"
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                         capture_output=True, text=True)
    return out.stdout.split()


def test_forced_python():
    assert _implementation({"BC26_PUREPYTHON": "1"}) == ["python", "bc26.tokenizer"]


def test_c_when_built(ctwin):
    assert _implementation({}) == ["c", "bc26.host.ctokenizer"]
    assert _implementation({"BC26_PUREPYTHON": "0"}) == ["c", "bc26.host.ctokenizer"]


def test_python_when_the_extension_is_missing():
    prelude = "import sys; sys.modules['bc26._ctok'] = None\n"
    assert _implementation({}, prelude) == ["python", "bc26.tokenizer"]


def test_exports():
    assert bc26.IMPLEMENTATION in ("c", "python")
    from bc26.host import twin
    assert bc26.Tokenizer is twin.Tokenizer
    if os.environ.get("BC26_PUREPYTHON") == "1":
        assert bc26.IMPLEMENTATION == "python"


def test_built_extension_reports_c():
    try:
        import bc26._ctok  # noqa: F401
    except ImportError:
        pytest.skip("C twin not built")
    if os.environ.get("BC26_PUREPYTHON") != "1":
        assert bc26.IMPLEMENTATION == "c"
