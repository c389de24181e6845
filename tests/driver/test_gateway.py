"""examples/gateway.py: one process, three emulated modems driven at once
with bc26.aio, 100 request/response exchanges on each."""
import asyncio
import os
import subprocess
import sys

import bc26

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "examples"))
import gateway  # noqa: E402


def test_the_example_runs_and_every_reply_is_right():
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "gateway.py")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert sorted(line.split()[0] for line in lines[:3]) == ["modem0", "modem1", "modem2"]
    assert all("100/100 replies right" in line for line in lines[:3]), proc.stdout
    assert "300/300 right" in lines[3], proc.stdout


def test_the_modems_work_at_once(make_emu, tcp_addr):
    """The replies of the three modems interleave: none waits for another
    to finish (sequential work would give two switches in 300 replies)."""
    emus = [make_emu() for _ in range(3)]
    for e in emus:
        assert e.wait_ready(5)
    trace = []
    ok = asyncio.run(gateway.gateway([e.url for e in emus], tcp_addr[0],
                                     tcp_addr[1], 100, bc26.BUFFER, trace))
    assert ok
    assert sorted(trace) == sorted((name, i) for name in ("modem0", "modem1", "modem2")
                                   for i in range(100))
    switches = sum(a[0] != b[0] for a, b in zip(trace, trace[1:]))
    assert switches > 100, switches
