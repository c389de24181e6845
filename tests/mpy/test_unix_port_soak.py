"""The bounded soak on MicroPython's unix port: the driver as .mpy
(mpy-cross -O3), tests/mpy/soak_script.py as the main script -- random
traffic on all five sockets at once, TCP and UDP in both access modes,
against loopback echo servers through the emulator, with faults injected
now and then, every byte checked end to end (the script's docstring says
what is checked and which faults are injected).

The emulator runs in this process (bc26.emulator.Emulator on a TCP port,
which the script reaches through tests/mpy/sockuart.py), so that its fault
API is at hand: the script asks for each fault over a second TCP
connection (soak_script.RemoteFaults -> FaultServer), at the moment it
wants it.

Memory: at each checkpoint (every socket drained) the script samples
gc.mem_alloc() after gc.collect(), less what the driver's receive buffers
hold (bounded by rx_limit each, shown apart); no sample after the warm-up
(a third of the run) may exceed the one that ends it by more than
MEMORY_MARGIN.  The modem has the board defaults (rx_capacity 1 KiB,
rx_limit 8 KiB; BC26_SOAK_RX_CAPACITY sets another rx_capacity -- with
1 KiB a pushed UDP datagram over 1024 bytes arriving while recv() waits
stalls that recv until its timeout, a driver bug open as this is written)
and the UART is a TCP connection with the kernel's default receive buffer
(see soak_script.main).

Duration: BC26_SOAK_SECONDS (default 20 s: this runs once in CI, in the
first pass only -- the BC26_PUREPYTHON=1 pass does not include tests/mpy).
Seed: BC26_SOAK_SEED (default: a random one, printed).  The 30-minute
benchmark run:

    BC26_SOAK_SECONDS=1800 .venv/bin/python -m pytest -q -s -p no:cacheprovider \\
        tests/mpy/test_unix_port_soak.py
"""
import importlib.util
import json
import os
import random
import time

import unixport
from bc26.emulator import Emulator

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "soak_script.py")
DEFAULT_SECONDS = 20.0
MEMORY_MARGIN = 4 * 1024


def _load_soak():
    spec = importlib.util.spec_from_file_location("bc26_soak_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _seconds():
    value = os.environ.get("BC26_SOAK_SECONDS")
    return float(value) if value else DEFAULT_SECONDS


def _rx_capacity():
    """BC26_SOAK_RX_CAPACITY: the modem's rx_capacity (default: the board
    default, 1024)."""
    value = os.environ.get("BC26_SOAK_RX_CAPACITY")
    return int(value, 0) if value else 1024


def _seed():
    value = os.environ.get("BC26_SOAK_SEED")
    return int(value, 0) if value else random.SystemRandom().getrandbits(32)


def test_unix_port_soak(build, capsys):
    core = _load_soak()
    seconds = _seconds()
    seed = _seed()
    with capsys.disabled():
        print("\n== soak: %.0f s on MicroPython's unix port, seed %d "
              "(BC26_SOAK_SEED=%d reproduces it)" % (seconds, seed, seed))
    with open(SCRIPT) as f:
        script = f.read()
    emu = Emulator(listen=("127.0.0.1", 0), boot_delay=0.05, ip_delay=0.05,
                   connect_timeout=2.0).start()
    t0 = time.monotonic()
    try:
        tcp, udp = core.quiet_echo_servers()
        with tcp, udp, core.FaultServer(core.LocalFaults(emu)) as faults:
            host, port = emu.address
            rc, out, err = unixport.run_script(
                script, args=(host, port, faults.port, tcp.port, udp.port, seed,
                              seconds, _rx_capacity()),
                path_dir=build, timeout=seconds + 300)
    finally:
        emu.close()
    wall = time.monotonic() - t0
    found = [line for line in out.splitlines() if line.startswith("SOAK ")]
    if found:  # (printed by the script even when it fails)
        summary = json.loads(found[-1][len("SOAK "):])
        lines = core.format_summary(summary, "soak (MicroPython unix port)%s" % (
            " -- FAILED, the totals up to the failure" if rc else ""),
            "gc.mem_alloc() bytes")
        lines.append("   wall time %.1f s (the script's own start-up "
                     "included), %d fault requests" % (wall, faults.requests))
        with capsys.disabled():
            print("\n".join(lines))
    assert rc == 0 and found, "the soak failed (seed %d):\n%s\n%s" % (
        seed, out[-6000:], err[-6000:])
    assert summary["lost"] == 0 and summary["duplicated"] == 0
    m = summary["memory"]
    assert m["samples"] >= 3, "too few memory samples: %r" % (m,)
    grown = m["max"] - m["start"]
    assert grown <= MEMORY_MARGIN, (
        "gc.mem_alloc() grew by %d bytes after the warm-up (margin %d), "
        "seed %d: %r" % (grown, MEMORY_MARGIN, seed, m))
