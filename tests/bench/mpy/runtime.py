# Runtime figures for one access mode, with the driver installed as .mpy:
#   micropython runtime.py HOST PORT ECHO_PORT MODE [TRIPS]
# HOST:PORT is `bc26 emulate --listen`, ECHO_PORT a TCP echo server.
#   fig heap.runtime B     live heap of a started Modem + one connected socket,
#                          after a few round trips
#   fig heap.uart B        of it, the SocketUART's share
#   fig send512.med/min B  allocated by one steady-state s.send(512 bytes)
#   fig recv512.med/min B  allocated by the recv_into calls taking them back
#   fig cpu_us / wall_us   per 512-byte echo round trip (best batch of TRIPS/5)
import gc
import micropython
import sys
import time

import bc26
from sockuart import SocketUART

SIZE = 512
SAMPLES = 10


def cpu_ns():
    # Linux: the first field is the ns this task has run on a CPU; ticks_us
    # would count the emulator's latency too.
    with open("/proc/self/schedstat") as f:
        return int(f.read().split()[0])


def receive(s, buf, want):
    # Into the start of buf each time: the loop itself must not allocate.
    got = 0
    while got < want:
        n = s.recv_into(buf, want - got)
        if not n:
            raise OSError(104, "echo connection closed")
        got += n
    return got


def checked_trip(s, payload):
    n = s.send(payload)
    if n != len(payload):
        raise RuntimeError("send took %d of %d bytes" % (n, len(payload)))
    got = bytearray(len(payload))
    mv = memoryview(got)
    k = 0
    while k < len(got):
        k += s.recv_into(mv[k:], len(got) - k)
    if got != payload:
        raise RuntimeError("echo differs")


def alloc(fn, *args):
    """Bytes fn(*args) leaves allocated, with the GC off so none is freed."""
    gc.collect()
    gc.disable()
    before = gc.mem_alloc()
    fn(*args)
    used = gc.mem_alloc() - before
    gc.enable()
    return used


def report(name, samples):
    samples.sort()
    print("fig %s.med %d" % (name, samples[len(samples) // 2]))
    print("fig %s.min %d" % (name, samples[0]))


def per_trip(s, payload, buf, trips, batches=5):
    """CPU and wall time per round trip: the best of a few batches, as other
    processes (the emulator among them) share the machine."""
    cpu = wall = None
    n = max(1, trips // batches)
    for _ in range(batches):
        c0 = cpu_ns()
        t0 = time.ticks_us()
        for _ in range(n):
            s.send(payload)
            receive(s, buf, SIZE)
        w = time.ticks_diff(time.ticks_us(), t0)
        c = cpu_ns() - c0
        cpu = c if cpu is None or c < cpu else cpu
        wall = w if wall is None or w < wall else wall
    print("fig cpu_us %d" % (cpu // 1000 // n))
    print("fig wall_us %d" % (wall // n))


def main():
    host, port, echo = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    mode = int(sys.argv[4])
    trips = int(sys.argv[5]) if len(sys.argv) > 5 else 200
    payload = bytes(range(256)) * (SIZE // 256)
    buf = bytearray(SIZE)
    SocketPool = bc26.SocketPool  # its code is not runtime heap: load it now
    micropython.qstr_info()  # the bench counts pools of interned strings
    gc.collect()
    base = gc.mem_alloc()
    uart = SocketUART(host, port)
    gc.collect()
    print("fig heap.uart %d" % (gc.mem_alloc() - base))
    m = bc26.Modem(uart)
    m.start(timeout=20)
    pool = SocketPool(m, access_mode=mode)
    s = pool.socket()
    s.settimeout(10)
    s.connect(("127.0.0.1", echo))
    for _ in range(5):
        checked_trip(s, payload)
    # after a few round trips: what the data path sets up on first use
    # (views, the state of a read) counts; payload and buf are not the
    # driver's, made before base
    gc.collect()
    print("fig heap.runtime %d" % (gc.mem_alloc() - base))
    micropython.qstr_info()
    sends, recvs = [], []
    for _ in range(SAMPLES):
        sends.append(alloc(s.send, payload))
        recvs.append(alloc(receive, s, buf, SIZE))
    report("send512", sends)
    report("recv512", recvs)
    per_trip(s, payload, buf, trips)
    s.close()


main()
