"""What bc26.aio costs while nothing happens, and what one task's wait costs
another, side by side on CPython and on MicroPython's unix port.

    .venv/bin/python tests/bench/bench_aio.py [--idle SECONDS]

For each: the emulator (`bc26 emulate --listen`, its own process) and a TCP
echo server on loopback; one socket open and a task waiting in recv_into
on it through SECONDS (10) of silence:
  - UART reads during the idle time (the target: none, as nothing comes);
  - the driver process's CPU seconds during it (target on CPython: <= 0.02
    per 10 s);
  - a 512-byte send + echo on a second socket, alone and while the first
    socket's recv waits (3 s timeout): the difference is the delay the
    waiting task causes (target: < 50 ms).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [os.path.join(ROOT, "tests", "mpy")]

import unixport  # noqa: E402

# The driver side; the same program for both interpreters (MicroPython's
# asyncio and CPython's), given the UART to use by the caller's prelude.
DRIVER = r'''
import asyncio
import bc26
import bc26.aio

def ms():
    return time.ticks_ms() if hasattr(time, "ticks_ms") else int(time.monotonic() * 1000)

async def nap(s):
    await asyncio.sleep(s)

async def echo(m, cid, data, buf):
    await m.send(cid, data)
    k = 0
    while k < len(data):
        k += await m.recv_into(cid, buf, len(data) - k, 5000)

async def trips(m, cid, data, buf, n):
    t0 = ms()
    for _ in range(n):
        await echo(m, cid, data, buf)
    return (ms() - t0) / n

async def main(uart, echo_port, idle_s):
    m = bc26.aio.Modem(uart)
    await m.start(timeout=20)
    for cid in (0, 1):
        await m.open_socket(cid, "TCP", "127.0.0.1", echo_port, 0, 0, 5)
    buf = bytearray(512)
    data = bytes(range(256)) * 2
    await trips(m, 1, data, buf, 3)  # warm up
    waiting = asyncio.create_task(m.recv_into(0, bytearray(64), 0, int(idle_s * 1000) + 1000))
    await nap(0.2)
    r0, c0 = m.reads, cpu()
    await nap(idle_s)
    print("fig idle.reads", m.reads - r0)
    print("fig idle.cpu_s %.4f" % (cpu() - c0))
    try:
        await waiting
    except OSError:
        pass
    alone = await trips(m, 1, data, buf, 10)
    waiting = asyncio.create_task(m.recv_into(0, bytearray(64), 0, 3000))
    await nap(0.05)
    beside = await trips(m, 1, data, buf, 10)
    print("fig echo.alone_ms %.2f" % alone)
    print("fig echo.beside_ms %.2f" % beside)
    print("fig echo.still_waiting %d" % (not waiting.done()))
    try:
        await waiting
    except OSError:
        pass
'''

CPYTHON = r'''
import sys, time
def cpu():
    return time.process_time()
''' + DRIVER + r'''
from bc26.host.serial_port import open_uart
asyncio.run(main(open_uart(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])))
'''

MICROPYTHON = r'''
import sys, time
def cpu():
    with open("/proc/self/schedstat") as f:  # ns this task ran on a CPU
        return int(f.read().split()[0]) / 1e9
''' + DRIVER + r'''
from virtual_uart import UART
asyncio.run(main(UART("socket://%s:%s" % (sys.argv[1], sys.argv[2])),
                 int(sys.argv[3]), float(sys.argv[4])))
'''


def figures(text):
    out = {}
    for line in text.splitlines():
        if line.startswith("fig "):
            _, name, value = line.split()
            out[name] = float(value)
    return out


def run_cpython(host, port, echo, idle):
    proc = subprocess.run([sys.executable, "-c", CPYTHON,
                           "socket://%s:%d" % (host, port), str(echo), str(idle)],
                          capture_output=True, text=True, timeout=idle + 120)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-2000:])
    return figures(proc.stdout)


def run_micropython(host, port, echo, idle):
    build = unixport.build_mpy(tempfile.mkdtemp(prefix="bc26-aio-"))
    rc, out, err = unixport.run_script(MICROPYTHON, (host, port, echo, idle),
                                       path_dir=build, timeout=idle + 120)
    if rc:
        raise RuntimeError((out + err)[-2000:])
    return figures(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--idle", type=float, default=10.0)
    args = ap.parse_args()
    from bc26.emulator.servers import TCPEchoServer

    rows = {}
    with TCPEchoServer() as tcp, unixport.emulator() as (host, port):
        rows["CPython"] = run_cpython(host, port, tcp.port, args.idle)
        rows["MicroPython unix"] = run_micropython(host, port, tcp.port, args.idle)
    print("bc26.aio idle cost and task independence (%s), %g s idle"
          % (time.strftime("%Y-%m-%d"), args.idle))
    print("%-44s %12s %18s" % ("", "CPython", "MicroPython unix"))
    c, m = rows["CPython"], rows["MicroPython unix"]
    per10 = 10.0 / args.idle
    print("%-44s %12d %18d" % ("UART reads while idle", c["idle.reads"],
                                m["idle.reads"]))
    print("%-44s %12.4f %18.4f" % ("CPU s per 10 idle s", c["idle.cpu_s"] * per10,
                                    m["idle.cpu_s"] * per10))
    print("%-44s %12.2f %18.2f" % ("512 B send + echo, ms", c["echo.alone_ms"],
                                    m["echo.alone_ms"]))
    print("%-44s %12.2f %18.2f" % ("  the same beside a waiting recv, ms",
                                    c["echo.beside_ms"], m["echo.beside_ms"]))
    print("%-44s %12.2f %18.2f" % ("  delay the waiting task causes, ms",
                                    c["echo.beside_ms"] - c["echo.alone_ms"],
                                    m["echo.beside_ms"] - m["echo.alone_ms"]))
    print("%-44s %12s %18s" % ("  the recv still waiting after the echoes",
                               "yes" if c["echo.still_waiting"] else "no",
                               "yes" if m["echo.still_waiting"] else "no"))


if __name__ == "__main__":
    main()
