"""End-to-end driver benchmarks, side by side in one run.

    .venv/bin/python tests/bench/bench_driver.py [--quick]

1. Payload throughput against the UART line rate: the emulator paced at
   115200 baud (8N1: 11520 bytes/s), TCP upload and download in buffer
   access and direct push mode.
2. Host CPU seconds per MiB received through the driver from an unpaced
   emulator, C twin vs pure-Python twin (the driver runs in its own process
   so only its CPU time is counted; the emulator runs in another).
3. Heap bytes on MicroPython (WebAssembly port, gc.mem_alloc with the GC
   disabled) for start(), one 512-byte TCP round trip and a 1 KiB push.
4. Small messages against the emulator paced at 115200 baud: AT exchanges
   and wall time per UDP request/response (direct push) and per small TCP
   message, sent in one line (AT+QISENDEX, the default up to
   modem.small_send bytes) against data mode (small_send = 0).
"""

import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY = sys.executable


def start_emulator(baud=0, tcp=False):
    """`bc26 emulate` in its own process, on a pty or (tcp) a socket:// port;
    returns (process, url)."""
    where = ["--listen", "127.0.0.1:0"] if tcp else ["--pty"]
    proc = subprocess.Popen(
        [PY, "-m", "bc26.host.cli", "emulate"] + where + [
            "--baud", str(baud), "--boot-delay", "0.05", "--ip-delay", "0.05"],
        stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if line.startswith("pty: "):
        return proc, line[5:]
    if line.startswith("listening: "):
        return proc, "socket://" + line[11:]
    proc.kill()
    raise RuntimeError("emulator did not start: %r" % line)


def stop(proc):
    proc.terminate()
    proc.wait(10)


# -- the driver side, run in a child process ------------------------------

CHILD = r'''
import sys, time, bc26
url, port, nbytes, mode, upload = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "up"
m = bc26.Modem.open(url, baudrate=115200)
m.start(timeout=20)
pool = bc26.SocketPool(m, access_mode=mode)
s = pool.socket(); s.settimeout(30); s.connect(("127.0.0.1", port))
buf = bytearray(4096)
t0 = time.monotonic(); c0 = time.process_time()
if upload:
    chunk = bytes(range(256)) * 16
    sent = 0
    while sent < nbytes:
        sent += s.send(chunk[:min(len(chunk), nbytes - sent)])
    got = sent
else:
    got = 0
    while True:
        n = s.recv_into(buf)
        if not n:
            break
        got += n
wall = time.monotonic() - t0; cpu = time.process_time() - c0
s.close()
print("%d %.6f %.6f %s" % (got, wall, cpu, bc26.IMPLEMENTATION))
'''


def run_child(url, port, nbytes, mode, direction, pure=False):
    env = dict(os.environ)
    if pure:
        env["BC26_PUREPYTHON"] = "1"
    else:
        env.pop("BC26_PUREPYTHON", None)
    out = subprocess.run([PY, "-c", CHILD, url, str(port), str(nbytes),
                          str(mode), direction], env=env, capture_output=True,
                         text=True, timeout=600)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    got, wall, cpu, impl = out.stdout.split()
    return int(got), float(wall), float(cpu), impl


def DiscardServer():
    """Reads and forgets: an upload target that never pushes back."""
    from bc26.emulator.servers import OneClientServer

    def discard(conn):
        while conn.recv(65536):
            pass
    return OneClientServer(discard)


def throughput(quick):
    from bc26.emulator.servers import PayloadServer
    baud = 115200
    line_rate = baud / 10
    nbytes = 16384 if quick else 65536
    print("\n1. payload throughput vs UART line rate (%d baud = %d bytes/s), "
          "%d KiB per run" % (baud, line_rate, nbytes // 1024))
    print("   %-34s %10s %8s" % ("", "bytes/s", "of line"))
    proc, url = start_emulator(baud)
    try:
        for mode, name in ((0, "buffer access"), (1, "direct push")):
            with DiscardServer() as sink:
                got, wall, _, _ = run_child(url, sink.port, nbytes, mode, "up")
            rate = got / wall
            print("   %-34s %10.0f %7.1f%%" % ("upload, " + name, rate,
                                               100 * rate / line_rate))
            payload = os.urandom(nbytes)
            with PayloadServer(payload) as src:
                got, wall, _, _ = run_child(url, src.port, nbytes, mode, "down")
            assert got == nbytes, (got, nbytes)
            rate = got / wall
            print("   %-34s %10.0f %7.1f%%" % ("download, " + name, rate,
                                               100 * rate / line_rate))
    finally:
        stop(proc)


def cpu_per_mib(quick):
    from bc26.emulator.servers import PayloadServer
    mib = 1 if quick else 4
    print("\n2. host CPU seconds per MiB received, unpaced emulator on "
          "socket://, %d MiB per run (driver process only)" % mib)
    print("   %-22s %12s %12s %8s" % ("", "C twin", "Python twin", "ratio"))
    # socket://: the kernel's TCP buffers, not a 4 KiB pty queue, sit
    # between emulator and driver, so the figure is the driver's own cost
    proc, url = start_emulator(0, tcp=True)
    try:
        payload = os.urandom(mib << 20)
        for mode, name in ((0, "buffer access"), (1, "direct push")):
            cpu = {}
            for pure in (False, True):
                with PayloadServer(payload) as src:
                    got, wall, c, impl = run_child(url, src.port, len(payload),
                                                   mode, "down", pure)
                assert got == len(payload)
                cpu[impl] = c / mib
            print("   %-22s %11.3fs %11.3fs %7.2fx" % (
                name, cpu.get("c", float("nan")), cpu["python"],
                cpu["python"] / cpu.get("c", float("nan"))))
    finally:
        stop(proc)


MP_SCRIPT = r'''
import sys, gc
gc.collect(); gc.disable()
before = gc.mem_alloc()
import bc26
from vuart import VirtualUART
m = bc26.Modem(VirtualUART(2048))
print("HEAP import bc26 + Modem() %d" % (gc.mem_alloc() - before))
gc.enable()
port = int(sys.argv[1])

def heap(label, fn):
    gc.collect(); gc.disable()
    before = gc.mem_alloc()
    r = fn()
    used = gc.mem_alloc() - before
    gc.enable()
    print("HEAP %s %d" % (label, used))
    return r

heap("start()", lambda: m.start(timeout=20))
data = bytes(range(256)) * 2
buf = bytearray(600)
for mode, name in ((0, "buffer access"), (1, "direct push")):
    pool = bc26.SocketPool(m, access_mode=mode)
    s = pool.socket(); s.settimeout(10); s.connect(("127.0.0.1", port))
    def rt():
        s.send(data)
        got = 0
        while got < len(data):
            got += s.recv_into(buf)
    rt()
    heap("512-byte round trip, " + name, rt)
    s.close()
'''


# The WebAssembly port grows its heap on demand, so this is a starting size,
# not a limit: the figures are bytes allocated, not a fit test.
HEAP = 192 * 1024


def micropython_heap():
    from bc26.emulator.servers import TCPEchoServer
    print("\n3. heap bytes allocated on MicroPython (WebAssembly port, %d KiB "
          "initial heap, GC off while measuring)" % (HEAP // 1024))
    node = os.path.join(ROOT, "tests", "mpy", "board.mjs")
    proc, url = start_emulator(0)
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(MP_SCRIPT)
        with TCPEchoServer() as tcp:
            out = subprocess.run(["node", node, "--heap", str(HEAP), "--uart",
                                  url, f.name,
                                  str(tcp.port)], capture_output=True,
                                 text=True, timeout=120)
        os.unlink(f.name)
        if out.returncode:
            raise RuntimeError(out.stdout[-1000:] + out.stderr[-1000:])
        for line in out.stdout.splitlines():
            if line.startswith("HEAP "):
                label, value = line[5:].rsplit(" ", 1)
                print("   %-34s %8s bytes" % (label, value))
    finally:
        stop(proc)


SMALL_CHILD = r'''
import sys, time, bc26
url, port, kind, size, small, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
lines = [0]
def log(direction, data):  # the host's writes: each waits for an answer
    if direction == ">":
        lines[0] += 1
m = bc26.Modem.open(url, baudrate=115200, log=log)
m.start(timeout=20)
m.small_send = small
pool = bc26.SocketPool(m, access_mode=bc26.DIRECT_PUSH)
s = pool.socket(pool.AF_INET, pool.SOCK_DGRAM if kind == "udp" else pool.SOCK_STREAM)
s.settimeout(10)
s.connect(("127.0.0.1", port))
msg = bytes(range(size))
before = lines[0]; t0 = time.monotonic()
for _ in range(count):
    s.send(msg)
    got = b""
    while len(got) < size:
        got += s.recv(size - len(got))
    assert got == msg
wall = time.monotonic() - t0
print("%.6f %.3f" % (wall / count, (lines[0] - before) / count))
s.close()
'''


def small_messages(quick):
    from bc26.emulator.servers import TCPEchoServer, UDPEchoServer
    count = 10 if quick else 40
    print("\n4. small messages, emulator paced at 115200 baud, direct push, "
          "%d request/response each" % count)
    print("   %-12s %5s  %-22s %12s %10s" % ("", "bytes", "send form",
                                             "writes/msg", "ms/msg"))
    proc, url = start_emulator(115200)
    try:
        for kind, server in (("udp", UDPEchoServer), ("tcp", TCPEchoServer)):
            for size in (4, 8, 16, 24, 32, 64):
                for small, form in ((512, "one line (QISENDEX)"),
                                    (0, "data mode ('>')")):
                    with server() as echo:
                        out = subprocess.run(
                            [PY, "-c", SMALL_CHILD, url, str(echo.port), kind,
                             str(size), str(small), str(count)],
                            capture_output=True, text=True, timeout=600)
                    if out.returncode:
                        raise RuntimeError(out.stderr[-2000:])
                    per, lines = out.stdout.split()
                    print("   %-12s %5d  %-22s %12s %10.2f" % (
                        kind.upper() + " echo", size, form, lines,
                        float(per) * 1000))
    finally:
        stop(proc)


def main():
    quick = "--quick" in sys.argv
    print("bc26 driver benchmarks (%s)" % time.strftime("%Y-%m-%d"))
    if "--small" in sys.argv:  # that section alone
        small_messages(quick)
        return
    throughput(quick)
    cpu_per_mib(quick)
    micropython_heap()
    small_messages(quick)


if __name__ == "__main__":
    main()
