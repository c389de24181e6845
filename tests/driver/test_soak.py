"""A bounded soak of the driver on CPython: random traffic on all five
sockets at once (TCP and UDP, buffer access and direct push), against
loopback echo servers through the emulator, with faults from its fault API
injected now and then; every byte checked end to end, memory flat.

The soak itself is tests/mpy/soak_script.py, shared with the MicroPython
soak (tests/mpy/test_unix_port_soak.py); its docstring lists what is
checked and which faults are injected.

Duration: BC26_SOAK_SECONDS (seconds, per run of this file).  Unset, a run
lasts 30 s, so that CI's two passes over tests/driver -- the C twin, then
BC26_PUREPYTHON=1 -- soak 60 s in total, 30 s on each twin.
Seed: BC26_SOAK_SEED (default: a random one); it is printed first, and in
any failure, with the last steps before it.

The 30-minute benchmark run (C twin; add BC26_PUREPYTHON=1 for the other):

    BC26_SOAK_SECONDS=1800 .venv/bin/python -m pytest -q -s -p no:cacheprovider \\
        tests/driver/test_soak.py

Memory: tracemalloc traces the process from the start.  At each
checkpoint (every socket drained, the emulator's command log emptied -- it
grows with every command by design -- and struct's cache of compiled
formats cleared: the C tokenizer's shell fills it with one per batch) the
size held by allocations made in the driver's own files (the core,
micropython/bc26, and its host shell, cpython/host) is taken, less what
the driver's receive buffers hold (bounded by rx_limit each, they come and
go with the traffic: shown apart).  No checkpoint after the warm-up (a
third of the run) may exceed the one that ends it by more than
MEMORY_MARGIN.  The whole process's traced size is shown beside it.

The modem has a board's sizes, not the host's: rx_capacity 1 KiB and
rx_limit 8 KiB (a host's: 4 KiB and 16 MiB), 576-byte UART reads (4 KiB)
and the tokenizer's 1536-byte ring and 512-byte frames (4096 and 1536), so
that payloads come in pieces as they do on a board.  The soak lets a
socket be owed more than rx_limit: direct-push data is lost now and then,
and every loss must be reported (ENOBUFS with the count) at exactly the
place it happened.
BC26_SOAK_RX_CAPACITY=2048 (say) sets another rx_capacity: with 1 KiB, a
pushed UDP datagram over 1024 bytes that arrives while recv() waits stalls
that recv until its timeout (a driver bug, open as this is written), and
the soak fails on it within seconds.
"""
import gc
import importlib.util
import os
import random
import struct
import time
import tracemalloc

import bc26
import bc26.host.serial_port  # noqa: F401  (loaded before tracing starts)

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(os.path.dirname(HERE), "mpy", "soak_script.py")
DEFAULT_SECONDS = 30.0   # per twin: 60 s in CI's two passes
MEMORY_MARGIN = 8 * 1024


def load_soak():
    """tests/mpy/soak_script.py as a module (a unique name: no clash)."""
    spec = importlib.util.spec_from_file_location("bc26_soak_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def soak_seconds(default=DEFAULT_SECONDS):
    value = os.environ.get("BC26_SOAK_SECONDS")
    return float(value) if value else default


def soak_rx_capacity(default=1024):
    """BC26_SOAK_RX_CAPACITY: the modem's rx_capacity (default a board's)."""
    value = os.environ.get("BC26_SOAK_RX_CAPACITY")
    return int(value, 0) if value else default


def soak_seed():
    value = os.environ.get("BC26_SOAK_SEED")
    return int(value, 0) if value else random.SystemRandom().getrandbits(32)


class DriverMemory:
    """At each call: bytes held by allocations made in the driver's files,
    and (kept aside) the whole process's traced size."""

    def __init__(self):
        def folder(module):
            return os.path.dirname(os.path.abspath(module.__file__))
        import bc26.emulator
        self.filters = [tracemalloc.Filter(True, os.path.join(folder(m), "*"))
                        for m in (bc26, bc26.host)]
        # the emulator runs in this process too, and is no part of the driver
        # (in a source layout it may sit inside the package's folder)
        self.filters.append(tracemalloc.Filter(
            False, os.path.join(folder(bc26.emulator), "*")))
        self.totals = []
        self.started = not tracemalloc.is_tracing()
        if self.started:
            tracemalloc.start()

    def __call__(self):
        # the C tokenizer's shell unpacks each batch with a format made for
        # it, and struct keeps up to 100 compiled formats (0-40 KB, then it
        # starts again): bounded, but noise the size of a leak
        getattr(struct, "_clearcache", lambda: None)()
        gc.collect()
        snap = tracemalloc.take_snapshot().filter_traces(self.filters)
        self.totals.append(tracemalloc.get_traced_memory()[0])
        self.last = snap
        return sum(t.size for t in snap.traces)

    def stop(self):
        if self.started:
            tracemalloc.stop()


def _print_summary(capsys, core, summary, whole, wall, failed):
    lines = core.format_summary(summary, "soak (CPython, %s)%s" % (
        summary["impl"], " -- FAILED, the totals up to the failure"
        if failed else ""), "bytes traced in the driver's files")
    if whole:
        lines.append("   whole process traced (emulator and servers included): "
                     "%d after warm-up, %d at the end" % (
                         whole.get("start", whole["end"]), whole["end"]))
    lines.append("   wall time %.1f s" % wall)
    with capsys.disabled():
        print("\n".join(lines))


def test_soak(make_emu, capsys):
    core = load_soak()
    seconds = soak_seconds()
    seed = soak_seed()
    impl = "%s twin" % bc26.IMPLEMENTATION
    with capsys.disabled():
        print("\n== soak: %.0f s on the %s, seed %d (BC26_SOAK_SEED=%d "
              "reproduces it)" % (seconds, impl, seed, seed))
    memory = DriverMemory()
    snapshots = {}
    whole = {}
    soak = None
    failed = True
    t0 = time.monotonic()
    try:
        tcp, udp = core.quiet_echo_servers()
        with tcp, udp:
            emu = make_emu()
            # a board's sizes (see the docstring): the soak's window is
            # above rx_limit, so pushed data is lost now and then, and each
            # loss must be reported exactly
            modem = bc26.Modem.open(
                emu.url, rx_capacity=soak_rx_capacity(), rx_limit=8192,
                read_size=576, tokenizer=bc26.Tokenizer(1536, 512))
            try:
                assert emu.wait_ready(5), "the emulator did not boot"
                assert modem.start(timeout=10) == "127.0.0.1"
                soak = core.Soak(modem, core.LocalFaults(emu), seed, tcp.port,
                                 udp.port, impl=impl)

                def mem():
                    used = memory()
                    if soak.mem_start is None:  # (still warming up)
                        snapshots["start"] = memory.last
                        whole["start"] = memory.totals[-1]
                    snapshots["end"] = memory.last
                    whole["end"] = memory.totals[-1]
                    return used
                soak.mem = mem
                soak.run(seconds)
                failed = False
            finally:
                modem.close()
    finally:
        memory.stop()
        if soak is not None:
            _print_summary(capsys, core, soak.summary(), whole,
                           time.monotonic() - t0, failed)
    summary = soak.summary()
    assert summary["lost"] == 0 and summary["duplicated"] == 0
    m = summary["memory"]
    grown = m["max"] - m["start"]
    detail = ""
    if grown > MEMORY_MARGIN:
        top = snapshots["end"].compare_to(snapshots["start"], "lineno")[:10]
        detail = "\n".join(str(s) for s in top)
    assert grown <= MEMORY_MARGIN, (
        "the driver's memory grew by %d bytes (margin %d), seed %d:\n%s"
        % (grown, MEMORY_MARGIN, seed, detail))
