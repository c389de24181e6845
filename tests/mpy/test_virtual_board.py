"""The virtual board (board.mjs + vuart.py) against a raw pty: a MicroPython
script talks through jsuart to this test, which plays the module."""

import os
import re
import select
import subprocess
import textwrap
import threading
import time
import tty

HERE = os.path.dirname(os.path.abspath(__file__))
BOARD = os.path.join(HERE, "board.mjs")

SCRIPT = textwrap.dedent(
    """
    import gc
    from vuart import VirtualUART, sleep_ms, ticks_ms

    u = VirtualUART()

    def receive(n, timeout=5000):
        buf = bytearray(64)
        got = b""
        t0 = ticks_ms()
        while len(got) < n and ticks_ms() - t0 < timeout:
            k = u.readinto(buf, n - len(got))
            if k:
                got += bytes(buf[:k])
            else:
                sleep_ms(2)
        return got

    print("idle", u.any(), u.read(), u.wait(20))
    print("wrote", u.write(b"AT\\r"))
    print("reply", receive(6))
    u.write(bytes(range(256)))
    back = receive(256)
    print("binary", back == bytes(range(255, -1, -1)), len(back))

    def measure():
        # Inside a function: a new global could grow the module's dict too.
        gc.collect()
        gc.disable()
        before = gc.mem_alloc()
        block = bytearray(100)
        used = gc.mem_alloc() - before
        gc.enable()
        return used

    print("heap", measure())
    """
)


def _read_exact(fd, n, timeout=5):
    data = b""
    deadline = time.monotonic() + timeout
    while len(data) < n:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        data += os.read(fd, n - len(data))
    return data


def _modem(master, seen):
    seen.append(_read_exact(master, 3))
    # In two pieces, so the script has to gather the reply.
    os.write(master, b"\r\nO")
    time.sleep(0.05)
    os.write(master, b"K\r\n")
    data = _read_exact(master, 256)
    seen.append(data)
    os.write(master, data[::-1])


def test_script_talks_to_raw_pty(node, tmp_path):
    master, slave = os.openpty()
    tty.setraw(slave)
    seen = []
    modem = threading.Thread(target=_modem, args=(master, seen), daemon=True)
    modem.start()
    script = tmp_path / "probe.py"
    script.write_text(SCRIPT)
    try:
        proc = subprocess.run(
            [node, BOARD, "--uart", os.ttyname(slave), str(script)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        modem.join(10)
        os.close(master)
        os.close(slave)
    print(proc.stdout, proc.stderr)
    assert proc.returncode == 0, proc.stderr
    assert seen[0] == b"AT\r"
    assert seen[1] == bytes(range(256))
    lines = proc.stdout.splitlines()
    assert lines[0] == "idle 0 None False"
    assert lines[1] == "wrote 3"
    assert lines[2] == "reply b'\\r\\nOK\\r\\n'"
    assert lines[3] == "binary True 256"
    used = int(re.match(r"heap (\d+)$", lines[4]).group(1))
    # 100 bytes of data (7 blocks of 16) plus the bytearray object (1 block).
    assert 112 <= used <= 128, used


def test_script_errors_and_exit_codes(node, tmp_path):
    boom = tmp_path / "boom.py"
    boom.write_text("def f():\n    raise ValueError('boom')\nf()\n")
    proc = subprocess.run([node, BOARD, str(boom)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "boom.py" in proc.stderr and "ValueError: boom" in proc.stderr

    bye = tmp_path / "bye.py"
    bye.write_text("import sys\nprint(sys.argv[1:])\nsys.exit(3)\n")
    proc = subprocess.run(
        [node, BOARD, str(bye), "a", "b"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 3
    assert proc.stdout == "['a', 'b']\n"
