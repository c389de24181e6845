"""`bc26 demo --port URL` as a real subprocess against a real `bc26 emulate
--listen` subprocess: the loopback defaults work, --help shows every
default, and every failure is one line on stderr, never a traceback."""
import argparse
import signal
import socket
import subprocess

import pytest

from bc26.host import demo

from test_cli import FAST, bc26_command, start, stop

STEPS = ["== start: synchronise, echo off, SIM, registration",
         "== resolve localhost (AT+QIDNSGIP)",
         "== ping 127.0.0.1 (AT+QPING)",
         "== time from 127.0.0.1:",
         "== TCP round trip to 127.0.0.1:",
         "== UDP round trip to 127.0.0.1:",
         "== last error (AT+QIGETERROR)"]


@pytest.fixture(scope="module")
def emulate_url():
    proc, first = start(["--listen", "127.0.0.1:0"] + FAST)
    try:
        assert first.startswith("listening: 127.0.0.1:"), first
        yield "socket://127.0.0.1:%d" % int(first.strip().rsplit(":", 1)[1])
    finally:
        code, err = stop(proc, signal.SIGINT)
    assert code == 0, err


def run_demo(*args, timeout=60):
    return subprocess.run(bc26_command() + ["demo"] + list(args),
                          capture_output=True, text=True, timeout=timeout)


def assert_one_line_failure(proc, *expected):
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("bc26 demo: error: "), lines
    for text in expected:
        assert text in lines[0], lines
    return lines[0]


def test_demo_against_bc26_emulate(emulate_url):
    proc = run_demo("--port", emulate_url, "--timeout", "20")
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    assert proc.stderr == ""
    out = proc.stdout.splitlines()
    headers = [l for l in out if l.startswith("== ")]
    assert len(headers) == len(STEPS), headers
    for got, want in zip(headers, STEPS):
        assert got.startswith(want), (got, want)
    assert "IP address: 127.0.0.1" in out
    assert "addresses: ['127.0.0.1']" in out
    assert any(l.startswith("PingResult(3/3 received") for l in out), out
    assert "echoed 262 bytes intact: True" in out
    assert any(l.startswith("reply: (b'hello over NB-IoT'") for l in out), out
    assert out[-1].startswith("demo finished in ")
    # the loopback servers the demo started for its default targets
    assert "loopback servers: TCP echo 127.0.0.1:" in out[1]
    # the trace: boot junk escaped, the binary payload one entry each way
    trace = [l for l in out if l.startswith(("  -> ", "  <- "))]
    assert r"  <- \x00\xf0\xffF1: 0000 0000" in trace
    assert trace.count("  -> AT+QISEND=0,262") == 1
    payloads = [l for l in trace if l.endswith("(262 bytes)")]
    assert len(payloads) == 2 and all(
        l[5:].startswith(r"\x00\x01\x02") for l in payloads), payloads
    assert all(l.isascii() and l.isprintable() for l in out)


def test_a_module_error_is_one_line(emulate_url):
    proc = run_demo("--port", emulate_url, "--timeout", "20",
                    "--dns-host", "no.such.name.invalid")
    assert_one_line_failure(
        proc, "resolve no.such.name.invalid (AT+QIDNSGIP): [565] ")
    assert '<- +QIURC: "dnsgip",565' in proc.stdout


def test_a_port_that_never_answers_is_one_line():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        proc = run_demo("--port", "socket://127.0.0.1:%d" % silent.getsockname()[1],
                        "--timeout", "1", timeout=30)
    assert_one_line_failure(proc, "start: no answer from the module")
    assert "  -> AT" in proc.stdout.splitlines()


def test_no_port_is_one_line(tmp_path):
    missing = str(tmp_path / "ttyMISSING")
    assert_one_line_failure(run_demo("--port", missing), missing)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    assert_one_line_failure(run_demo("--port", "socket://127.0.0.1:%d" % closed),
                            "socket://127.0.0.1:%d" % closed)
    assert_one_line_failure(run_demo("--port", "nosuch://x"), "nosuch://x")


def test_help_shows_every_default():
    proc = run_demo("--help", timeout=30)
    assert proc.returncode == 0, proc.stderr
    text = " ".join(proc.stdout.split())  # argparse wraps the help lines
    for shown in ["--port URL", "(default: a private emulator)",
                  "--baud N", "(default: 115200)", "--timeout S", "(default: 90.0)",
                  "--tcp-host HOST TCP echo server (default: 127.0.0.1)",
                  "--tcp-port N its port; 0 = an echo server the demo starts on "
                  "--tcp-host (default: 0)",
                  "--udp-host HOST UDP echo server (default: 127.0.0.1)",
                  "--udp-port N its port; 0 = an echo server the demo starts on "
                  "--udp-host (default: 0)",
                  "--dns-host NAME name to resolve (default: localhost)",
                  "--dns-server IP", "--ping-host HOST host to ping (default: 127.0.0.1)",
                  "--ntp-host HOST SNTP server (default: 127.0.0.1)",
                  "--ntp-port N its port; 0 = an SNTP server the demo starts on "
                  "--ntp-host (default: 0)"]:
        assert shown in text, shown
    # every option but --help says its default
    parser = argparse.ArgumentParser()
    demo.add_arguments(parser)
    for action in parser._actions:
        if action.dest != "help":
            assert "(default: " in action.help, action.option_strings
