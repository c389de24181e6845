"""The board-facing code type-checks against each board's stubs from PyPI.

Per board, mypy checks its boards/NAME/board.py (as board_wiring.py, the
name it has on the board), bc26/power.py and, for the CircuitPython
board, its code.py, against that board's stub package:

    RPI_PICO                 micropython-rp2-rpi-pico-stubs
    ESP32_GENERIC            micropython-esp32-stubs
    PYBV11                   micropython-stm32-pybv11-stubs
    ADAFRUIT_FEATHER_RP2040  circuitpython-stubs (its Feather RP2040 pins)

Every stub set provides `machine` (or `board`), so each gets its own
folder under tests/typecheck/.venvs/NAME, made here with pip from PyPI
when missing (a few seconds each) and reused after:

- the MicroPython stub packages are plain top-level .pyi files plus a
  MicroPython stdlib (micropython-stdlib-stubs): `pip install --target`
  a folder, which is both MYPYPATH and --custom-typeshed-dir. mypy
  reports errors inside stubs found on MYPYPATH, and these stubs have
  some, so the folder's own modules get ignore_errors in a generated
  config (errors in the checked files still count);
- circuitpython-stubs are PEP 561 `*-stubs` packages, which mypy only
  takes from an interpreter's site-packages: a venv without pip, the
  stubs installed into its site-packages, `--python-executable` its
  python (that also keeps out Adafruit Blinka's board.py, which the
  test venv has). Its board-stubs are replaced by the Feather RP2040's
  definitions, as circuitpython_setboard does, so a pin the Feather
  does not have is an error.

No ignore_missing_imports: a stub set that is not found fails the check.
Each board also checks a deliberately wrong snippet, which must fail
with the stubs' own messages (an unknown keyword of UART, an attribute
the stubs do not have), so a pass cannot come from modules silently
typed Any. Setting an environment up that fails fails the test.
"""
import os
import re
import shutil
import subprocess
import sys
import sysconfig

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BOARDS = os.path.join(ROOT, "boards")
CORE_PARENT = os.path.join(ROOT, "micropython")  # holds the bc26 package
POWER = os.path.join(CORE_PARENT, "bc26", "power.py")
VENVS = os.path.join(HERE, ".venvs")

MICROPYTHON_WRONG = '''\
from machine import Pin, UART


def uart(baudrate=115200):
    return UART(1, baudrate, rxbuffer=2048)


def key():
    return Pin(2, Pin.NO_SUCH_MODE)
'''
MICROPYTHON_ERRORS = ('Unexpected keyword argument "rxbuffer"',
                      'has no attribute "NO_SUCH_MODE"')

CIRCUITPYTHON_WRONG = '''\
import board
import busio


def uart():
    return busio.UART(board.TX, board.RX, rxbuf=2048)


def pin():
    return board.A4
'''
# (A4: the Feather RP2040 has A0-A3 only)
CIRCUITPYTHON_ERRORS = ('Unexpected keyword argument "rxbuf"',
                        'Module has no attribute "A4"')

# board: (kind, pip requirement, CircuitPython board definition)
BOARD_STUBS = {
    "RPI_PICO": ("micropython", "micropython-rp2-rpi-pico-stubs~=1.29.0", None),
    "ESP32_GENERIC": ("micropython", "micropython-esp32-stubs~=1.29.0", None),
    "PYBV11": ("micropython", "micropython-stm32-pybv11-stubs~=1.29.0", None),
    "ADAFRUIT_FEATHER_RP2040": ("circuitpython", "circuitpython-stubs==10.*",
                                "adafruit_feather_rp2040"),
}

READY = "bc26-stubs.txt"  # written last: what the folder was made from


def _run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=600, **kw)


def _pip_install(requirement, target):
    proc = _run([sys.executable, "-m", "pip", "install", "--quiet", "--no-input",
                 "--disable-pip-version-check", "--no-compile", "--target", target,
                 requirement])
    if proc.returncode:
        pytest.fail("pip install %s failed:\n%s%s" % (requirement, proc.stdout,
                                                    proc.stderr))


def _ignore_stub_errors(folder):
    """A mypy config: errors inside the stub folder's own modules ignored."""
    names = set()
    for entry in os.listdir(folder):
        path = os.path.join(folder, entry)
        if entry.endswith(".pyi"):
            names.add(entry[:-4])
        elif os.path.isfile(os.path.join(path, "__init__.pyi")):
            names.update((entry, entry + ".*"))
    return "[mypy]\n\n[mypy-%s]\nignore_errors = True\n" % ",".join(sorted(names))


def _site_packages(python):
    proc = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def _build(board, kind, requirement, definition, dest):
    if kind == "micropython":
        _pip_install(requirement, dest)
        if not os.path.isdir(os.path.join(dest, "stdlib")):
            pytest.fail("%s brought no MicroPython stdlib stubs" % requirement)
        config = _ignore_stub_errors(dest)
    else:
        proc = _run([sys.executable, "-m", "venv", "--without-pip", dest])
        if proc.returncode:
            pytest.fail("python -m venv %s failed:\n%s" % (dest, proc.stderr))
        site = _site_packages(os.path.join(dest, "bin", "python"))
        _pip_install(requirement, site)
        chosen = os.path.join(site, "board_definitions", definition, "__init__.pyi")
        if not os.path.isfile(chosen):
            pytest.fail("%s has no board definition %s" % (requirement, definition))
        shutil.copyfile(chosen, os.path.join(site, "board-stubs", "__init__.pyi"))
        config = "[mypy]\n"
    with open(os.path.join(dest, "mypy.ini"), "w") as f:
        f.write(config)
    with open(os.path.join(dest, READY), "w") as f:
        f.write(requirement + "\n")


_envs = {}


def stub_env(board):
    """The board's stub folder, made (from PyPI) if missing or stale."""
    if board in _envs:
        return _envs[board]
    kind, requirement, definition = BOARD_STUBS[board]
    dest = os.path.join(VENVS, board)
    try:
        with open(os.path.join(dest, READY)) as f:
            ready = f.read().strip() == requirement
    except OSError:
        ready = False
    if not ready:
        shutil.rmtree(dest, ignore_errors=True)
        partial = "%s.partial-%d" % (dest, os.getpid())
        shutil.rmtree(partial, ignore_errors=True)
        os.makedirs(VENVS, exist_ok=True)
        try:
            _build(board, kind, requirement, definition, partial)
            os.rename(partial, dest)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    _envs[board] = dest
    return dest


def mypy(board, files, cwd):
    """Run mypy on files (in cwd) against the board's stubs: (rc, output)."""
    try:
        import mypy  # noqa: F401  (the test extra installs it)
    except ImportError:
        pytest.fail("mypy is not installed: pip install '.[test]'")
    kind = BOARD_STUBS[board][0]
    env_dir = stub_env(board)
    argv = [sys.executable, "-m", "mypy", "--config-file",
            os.path.join(env_dir, "mypy.ini"), "--cache-dir",
            os.path.join(env_dir, ".mypy_cache"), "--follow-imports=silent",
            "--check-untyped-defs", "--no-color-output", "--show-error-codes"]
    env = dict(os.environ)
    env.pop("MYPYPATH", None)
    if kind == "micropython":
        env["MYPYPATH"] = os.pathsep.join([env_dir, CORE_PARENT])
        argv += ["--custom-typeshed-dir", env_dir]
    else:
        env["MYPYPATH"] = CORE_PARENT
        argv += ["--python-executable", os.path.join(env_dir, "bin", "python")]
    proc = _run(argv + list(files), cwd=str(cwd), env=env)
    return proc.returncode, proc.stdout + proc.stderr


def _board_files(board, tmp_path):
    """The board's files as the board holds them, in tmp_path."""
    shutil.copyfile(os.path.join(BOARDS, board, "board.py"),
                    str(tmp_path / "board_wiring.py"))
    files = ["board_wiring.py"]
    code = os.path.join(BOARDS, board, "code.py")
    if os.path.isfile(code):
        shutil.copyfile(code, str(tmp_path / "code.py"))
        shutil.copyfile(os.path.join(BOARDS, "simpletest.py"),
                        str(tmp_path / "simpletest.py"))  # code.py imports it
        files.append("code.py")
    return files + [POWER]


def test_every_board_folder_is_checked():
    boards = sorted(d for d in os.listdir(BOARDS)
                    if os.path.isfile(os.path.join(BOARDS, d, "board.py")))
    # virtual: the unix port (no stubs); HOST_USB_SERIAL: CPython
    assert sorted(set(boards) - {"virtual", "HOST_USB_SERIAL"}) == sorted(BOARD_STUBS)


@pytest.mark.parametrize("board", sorted(BOARD_STUBS))
def test_board_code_type_checks_against_its_stubs(board, tmp_path):
    files = _board_files(board, tmp_path)
    rc, out = mypy(board, files, tmp_path)
    assert rc == 0, out
    # it checked them all (not, say, an empty list)
    m = re.search(r"Success: no issues found in (\d+) source files?", out)
    assert m and int(m.group(1)) == len(files), out


@pytest.mark.parametrize("board", sorted(BOARD_STUBS))
def test_a_wrong_snippet_fails_against_the_same_stubs(board, tmp_path):
    circuitpython = BOARD_STUBS[board][0] == "circuitpython"
    (tmp_path / "wrong.py").write_text(
        CIRCUITPYTHON_WRONG if circuitpython else MICROPYTHON_WRONG)
    rc, out = mypy(board, ["wrong.py"], tmp_path)
    assert rc == 1, out
    for message in CIRCUITPYTHON_ERRORS if circuitpython else MICROPYTHON_ERRORS:
        assert message in out, out
    assert "import-not-found" not in out and "import-untyped" not in out, out
