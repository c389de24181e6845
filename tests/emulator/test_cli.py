"""`bc26 emulate` as a real subprocess: first line, AT over pyserial, signals."""
import os
import shutil
import signal
import socket
import subprocess
import sys

import pytest

from bc26.emulator.modem import BOOT_JUNK
from bc26.host.cli import main

from emu_support import Term

FAST = ["--boot-delay", "0.05", "--ip-delay", "0.05"]


def bc26_command():
    """The installed console script if there is one, else the module."""
    script = os.path.join(os.path.dirname(sys.executable), "bc26")
    if os.path.exists(script):
        return [script]
    found = shutil.which("bc26")
    return [found] if found else [sys.executable, "-m", "bc26.host.cli"]


def start(args):
    proc = subprocess.Popen(bc26_command() + ["emulate"] + args, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    first = proc.stdout.readline().decode()
    return proc, first


def stop(proc, sig=signal.SIGTERM):
    proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return proc.returncode, err


def test_emulate_pty(tmp_path):
    log = tmp_path / "log.txt"
    proc, first = start(["--pty", "--boot-delay", "0.5", "--log", str(log)] + FAST[2:])
    try:
        assert first.startswith("pty: /dev/"), first
        t = Term(first.split(": ", 1)[1].strip())
        t.read_until(b"+IP: 127.0.0.1\r\n", timeout=5)
        t.exchange(b"AT", b"\r\nOK\r\n")
        t.exchange(b"AT+CGPADDR=1", b"\r\n+CGPADDR: 1,127.0.0.1\r\n\r\nOK\r\n")
        t.close()
    finally:
        code, err = stop(proc)
    assert code == 0, err
    lines = log.read_text().splitlines()
    assert [l.split()[1:] for l in lines] == [["line", "AT"], ["line", "AT+CGPADDR=1"]]


def test_emulate_listen_boots_on_connect():
    proc, first = start(["--listen", "127.0.0.1:0"] + FAST)
    try:
        assert first.startswith("listening: 127.0.0.1:"), first
        port = int(first.strip().rsplit(":", 1)[1])
        assert port > 0
        t = Term("socket://127.0.0.1:%d" % port)
        t.expect(BOOT_JUNK + b"\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n"
                 b"\r\n+IP: 127.0.0.1\r\n")
        t.exchange(b"ATI", b"\r\nQuectel_Ltd\r\nQuectel_BC26\r\nRevision: BC26NBR01A10"
                           b"\r\n\r\nOK\r\n")
        t.exchange(b"ATE0", b"\r\nOK\r\n")
        t.close()
        # a new client gets a freshly powered module (echo on again)
        t = Term("socket://127.0.0.1:%d" % port)
        t.read_until(b"+IP: 127.0.0.1\r\n")
        t.exchange(b"AT", b"\r\nOK\r\n")
        t.close()
    finally:
        code, err = stop(proc, signal.SIGINT)
    assert code == 0, err


def test_emulate_paced(tmp_path):
    proc, first = start(["--pty", "--baud", "115200"] + FAST)
    try:
        t = Term(first.split(": ", 1)[1].strip())
        t.read_until(b"+IP: 127.0.0.1\r\n", timeout=5)
        t.exchange(b"AT", b"\r\nOK\r\n")
        t.close()
    finally:
        code, err = stop(proc)
    assert code == 0, err


def test_cli_usage_errors(capsys):
    with pytest.raises(SystemExit) as e:
        main(["emulate"])  # --pty or --listen is required
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["emulate", "--listen", "nohost"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main([])
    assert e.value.code == 2
    assert "usage" in capsys.readouterr().err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert main(["emulate", "--listen", "127.0.0.1:%d" % busy.getsockname()[1]]) == 1
    assert "Address already in use" in capsys.readouterr().err
