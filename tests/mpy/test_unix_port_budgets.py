"""The driver's allocation budgets on MicroPython's unix port, with the core
as .mpy (mpy-cross -O3) and the emulator behind tests/mpy/sockuart.py
(which itself allocates nothing: test_unix_port.py):

- steady-state direct-push recv_into allocates nothing (heap_lock);
- a 512-byte send + receive round trip allocates at most 64 bytes;
- a 20-round-trip TCP echo session and a UDP exchange run in a heap of
  64 KB (the target) with the package in a ROMFS image run in place, as
  `bc26 deploy --romfs` puts it on a board (the heap beside the image:
  unixport.romfs_heap; the test UART is in the image too, standing in
  for machine.UART, which is a board's firmware); with the package as .mpy files, whose bytecode is
  then in the heap too, in SESSION_HEAP (BENCHMARKS.md has the figures).
"""

import os
import textwrap

import pytest

import unixport

# .mpy files on a file system: 96-100K needed today (BENCHMARKS.md; it
# moves between runs with where the heap fragments)
SESSION_HEAP = "108K"
# From a ROMFS image: 61-62K needed today (the test UART in the image too)
SESSION_HEAP_ROMFS = "64K"
MODES = [0, 1]
MODE_IDS = ["buffer", "push"]


def run(script, args, build, **kw):
    rc, out, err = unixport.run_script(script, args, path_dir=build, **kw)
    assert rc == 0, out + err
    return out


# Shared by the scripts below: a started Modem, one connected socket, and a
# few verified round trips so that what follows is the steady state.
PRELUDE = textwrap.dedent('''
    import gc
    import micropython
    import sys
    import bc26
    from sockuart import SocketUART

    SIZE = 512
    host, port, echo = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    udp_echo = int(sys.argv[4])
    mode = int(sys.argv[5])
    m = bc26.Modem(SocketUART(host, port))
    m.start(timeout=20)
    pool = bc26.SocketPool(m, access_mode=mode)
    s = pool.socket()
    s.settimeout(10)
    s.connect(("127.0.0.1", echo))
    payload = bytes(range(256)) * (SIZE // 256)
    buf = bytearray(SIZE)

    def receive(want):
        # Into the start of buf each time: the loop must not allocate.
        got = 0
        while got < want:
            n = s.recv_into(buf, want - got)
            if not n:
                return -1
            got += n
        return got

    def warm_up(trips=5):
        check = bytearray(SIZE)
        mv = memoryview(check)
        for _ in range(trips):
            assert s.send(payload) == SIZE
            k = 0
            while k < SIZE:
                k += s.recv_into(mv[k:], SIZE - k)
            assert check == payload, "echo differs"

    warm_up()
''')

PUSH_RECV_LOCKED = PRELUDE + textwrap.dedent('''
    def locked_receive():
        micropython.heap_lock()
        try:
            return receive(SIZE)
        finally:
            micropython.heap_unlock()

    def main(samples):
        got = []
        for _ in range(samples):
            s.send(payload)  # outside the lock: only the receive is budgeted
            got.append(locked_receive())
        print("received", got)

    main(10)
''')


def test_push_mode_recv_into_allocates_nothing(build, rig):
    """Direct push: the data is in the URC; taking it into the caller's
    buffer must not touch the heap (MemoryError under heap_lock if it does)."""
    out = run(PUSH_RECV_LOCKED, rig + (1,), build)
    assert out.splitlines() == ["received %s" % ([512] * 10)], out


ROUND_TRIP_ALLOC = PRELUDE + textwrap.dedent('''
    def trip_alloc():
        gc.collect()
        gc.disable()
        before = gc.mem_alloc()
        s.send(payload)
        got = receive(SIZE)
        used = gc.mem_alloc() - before
        gc.enable()
        return used if got == SIZE else -1

    def main(samples):
        print("allocated", [trip_alloc() for _ in range(samples)])

    main(10)
''')


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
def test_512_byte_round_trip_allocates_at_most_64_bytes(build, rig, mode):
    """send(512 bytes) and the recv_into calls taking the echo back, with
    the GC off: every steady-state round trip within 64 bytes."""
    out = run(ROUND_TRIP_ALLOC, rig + (mode,), build)
    line = out.splitlines()[-1]
    assert line.startswith("allocated ["), out
    samples = [int(v) for v in line[len("allocated ["):-1].split(",")]
    assert -1 not in samples, "a round trip came back short: %s" % out
    assert max(samples) <= 64, "bytes allocated per round trip: %s" % samples


SESSION = PRELUDE.replace("warm_up()\n", "") + textwrap.dedent('''
    warm_up(20)
    s.close()
    u = pool.socket(pool.AF_INET, pool.SOCK_DGRAM)
    u.settimeout(10)
    u.sendto(b"datagram\\x00\\xff", ("127.0.0.1", udp_echo))
    assert u.recv(64) == b"datagram\\x00\\xff", "udp echo differs"
    u.close()
    print("session passed")
''')


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
def test_20_round_trip_session_and_udp_fit_the_heap(build, rig, mode):
    """Import, start, connect, 20 verified 512-byte echo round trips and a
    UDP exchange in `micropython -X heapsize=SESSION_HEAP`."""
    out = run(SESSION, rig + (mode,), build, heapsize=SESSION_HEAP)
    assert out.splitlines() == ["session passed"], out


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
def test_20_round_trip_session_and_udp_fit_the_heap_from_romfs(build, rig, mode):
    """The same session with bc26 imported from a ROMFS image, in place."""
    image = unixport.build_romfs(build)
    out = run(SESSION + "print(sys.modules['bc26'].__file__)\n", rig + (mode,), build,
              heapsize=SESSION_HEAP_ROMFS, romfs=image)
    assert out.splitlines() == ["session passed", "/rom/lib/bc26/__init__.mpy"], out


# The benchmark's own program measures it (tests/bench/mpy/runtime.py): one
# measurement, read by the bench and held here.
RUNTIME = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "bench", "mpy", "runtime.py")


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
def test_started_modem_with_one_socket_fits_6k(build, rig, mode):
    """A started Modem, its UART and one connected socket after a few round
    trips, all buffers included (direct push: the socket's 1 KiB
    rx_capacity): at most 6 KB of heap -- not counting the tables of a new
    pool of interned names, should the interpreter's table grow in this
    window (it grows in steps of its own, at a point every module loaded
    moves; the new names' text does count)."""
    with open(RUNTIME) as f:
        script = f.read()
    out = run(script, rig[:3] + (mode, 10), build)
    used = [int(line.split()[2]) for line in out.splitlines()
            if line.startswith("fig heap.runtime ")][0]
    pools, pool_bytes = unixport.qstr_pool_growth(out)
    print("runtime heap", used, "new qstr pools", pools, pool_bytes)
    assert pools <= 1 and pool_bytes < 8 * 1024, out
    assert used - pool_bytes <= 6 * 1024, "runtime heap %d bytes" % used
