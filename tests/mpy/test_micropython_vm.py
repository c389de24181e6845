"""The portable suite on a real MicroPython VM (the WebAssembly port under
Node.js): the core as it would run on a board, without one."""

import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SUMMARY = re.compile(r"^micropython: (\d+) passed, (\d+) failed$", re.M)


def test_portable_suite_on_micropython(node, capsys):
    proc = subprocess.run(
        [node, os.path.join(HERE, "run_tests.mjs")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # Past pytest's capture, so the CI log shows the VM's own count.
    with capsys.disabled():
        sys.stdout.write("\n" + proc.stdout + proc.stderr)
        sys.stdout.flush()
    found = SUMMARY.findall(proc.stdout)
    assert found, "no 'micropython: N passed, M failed' line in the output"
    passed, failed = (int(n) for n in found[-1])
    assert failed == 0, "%d portable test(s) failed on MicroPython" % failed
    assert passed > 0, "no portable tests ran on MicroPython"
    assert proc.returncode == 0, "run_tests.mjs exited %d" % proc.returncode
