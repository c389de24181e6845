"""A machine whose C compiler fails still gets a working package: the wheel
builds without the extension, says so loudly, and `import bc26` runs on
the pure-Python twin."""
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROJECT_FILES = ["pyproject.toml", "setup.py", "README.md", "LICENSE",
                 "MANIFEST.in", "micropython", "cpython", "csrc"]


def _setuptools_at_hand():
    try:
        import setuptools  # noqa: F401
        import cffi  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _setuptools_at_hand(),
                    reason="setuptools and cffi are needed to build offline")
def test_failed_compiler_gives_pure_python_wheel(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in PROJECT_FILES:
        path = os.path.join(ROOT, name)
        if os.path.isdir(path):
            shutil.copytree(path, str(src / name), ignore=shutil.ignore_patterns(
                "__pycache__", "*.so", "*.o", "build"))
        else:
            shutil.copy(path, str(src / name))
    env = dict(os.environ, CC="false", LDSHARED="false")
    env.pop("BC26_PUREPYTHON", None)
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps",
         "--no-build-isolation", "-w", str(wheels), str(src)],
        env=env, capture_output=True, text=True, timeout=600)
    log = build.stdout + build.stderr
    assert build.returncode == 0, log[-3000:]
    assert "the C tokenizer could not be built" in log
    (wheel,) = list(wheels.iterdir())
    names = zipfile.ZipFile(str(wheel)).namelist()
    assert "bc26/tokenizer.py" in names and "bc26/host/ctokenizer.py" in names
    assert not [n for n in names if n.startswith("bc26/_ctok")], names

    site = tmp_path / "site"
    with zipfile.ZipFile(str(wheel)) as z:
        z.extractall(str(site))
    code = ("import bc26, sys; "
            "assert bc26.__file__.startswith(sys.argv[1]), bc26.__file__; "
            "tok = bc26.Tokenizer(); tok.feed(b'OK\\r\\n'); "
            "print(bc26.IMPLEMENTATION, tok.next(), bytes(tok.frame))")
    env = {k: v for k, v in os.environ.items() if k != "BC26_PUREPYTHON"}
    env["PYTHONPATH"] = str(site)
    # -S: no site-packages, so no editable install of the checkout either
    run = subprocess.run([sys.executable, "-S", "-c", code, str(site)], env=env,
                         capture_output=True, text=True, cwd=str(tmp_path))
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["python", "1", "b'OK'"]
