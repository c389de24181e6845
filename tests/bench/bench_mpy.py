"""The driver on MicroPython as a board carries it: the core precompiled to
.mpy (mpy-cross -O3), run on the unix port (64-bit) against the emulator
over tests/mpy/sockuart.py, and the heap figures again on the WebAssembly
port (32-bit) over the virtual board's UART.

    .venv/bin/python tests/bench/bench_mpy.py [--trips N] [--source DIR]

--source benchmarks another copy of the core (a folder of its .py files,
like micropython/bc26, e.g. from `git archive`).
Each measurement is a small MicroPython program in tests/bench/mpy/ (or,
for the WebAssembly port, tests/bench/wasm_heap.mjs) printing "fig NAME
VALUE" lines; a figure whose program failed shows the error instead, and
the other figures are still taken. Ends with a table of figures against
the targets (KB = 1024 bytes).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "mpy"))

import unixport  # noqa: E402

MPY = os.path.join(HERE, "mpy")
WASM = os.path.join(HERE, "wasm_heap.mjs")
MODES = ((0, "buffer"), (1, "push"))
KB = 1024


class Figures(dict):
    """name -> value (int or str); failures in .errors, name -> message."""

    def __init__(self):
        dict.__init__(self)
        self.errors = {}

    def take(self, prefix, text):
        for line in text.splitlines():
            parts = line.split(None, 2)
            if len(parts) == 3 and parts[0] == "fig":
                value = parts[2]
                self[prefix + parts[1]] = int(value) if value.lstrip("-").isdigit() else value
        # micropython.qstr_info() around a heap figure: a new pool of
        # interned names is a few KB of heap in one step
        growth = unixport.qstr_pool_growth(text)
        if growth is not None:
            self[prefix + "heap.qstr_pools"] = growth[0]
            self[prefix + "heap.qstr_pool_bytes"] = growth[1]
            if isinstance(self.get(prefix + "heap.runtime"), int):
                self[prefix + "heap.runtime_less_pool"] = (
                    self[prefix + "heap.runtime"] - growth[1])

    def fail(self, names, message):
        for name in names:
            if name not in self:
                self.errors[name] = message


def _script(name):
    with open(os.path.join(MPY, name)) as f:
        return f.read()


def _last_error(out, err):
    lines = (err or out).strip().splitlines()
    return lines[-1] if lines else "no output"


def run_mpy(figs, prefix, expect, name, args=(), **kw):
    """Run tests/bench/mpy/NAME on the unix port and collect its figures;
    on failure record the error against each expected figure."""
    try:
        rc, out, err = unixport.run_script(_script(name), args, **kw)
    except Exception as e:  # a hang, a missing binary: report, go on
        figs.fail([prefix + n for n in expect], "%s: %s" % (type(e).__name__, e))
        return False
    figs.take(prefix, out)
    if rc:
        figs.fail([prefix + n for n in expect], _last_error(out, err))
    return rc == 0


# -- the figures -------------------------------------------------------------

def sizes(figs, build):
    per = unixport.module_sizes(build)
    figs["mpy.total"] = sum(per.values())
    for name, size in per.items():
        figs["mpy." + name] = size
    return per


def layers(figs, build, per, romfs=None):
    """Heap per import layer; returns the layers after bc26 (asyncio and
    the modules `import bc26` does not load), as measured."""
    rest = [m for m in per if m != "bc26"]
    if "bc26.aio" in rest:  # asyncio (the port's, frozen) is its own layer
        rest.remove("bc26.aio")
        rest = ["asyncio", "bc26.aio"] + rest
    # Modules that import bc26 already brought in measure ~0 and are left
    # out of the report once the run says which they are.
    expect = ["heap.import." + m for m in ["bc26"] + rest]
    run_mpy(figs, "unix.", expect, "imports.py", rest, path_dir=build)
    if isinstance(figs.get("unix.loaded"), str):
        loaded = set(figs["unix.loaded"].split())
        figs["mpy.loaded"] = sum(per[m] for m in loaded if m in per)
        rest = [m for m in rest if m not in loaded]
    else:
        figs.fail(["mpy.loaded"], "no module list: " +
                  figs.errors.get("unix.heap.import.bc26", "?"))
    # the same layers with the package in a ROM partition, run in place
    if romfs is None:
        figs.fail(["rom." + n for n in expect], "no ROMFS image")
    else:
        run_mpy(figs, "rom.", expect, "imports.py", rest, path_dir=build, romfs=romfs)
    return rest


RUNTIME = ["heap.runtime", "send512.med", "recv512.med", "cpu_us", "wall_us"]


def _unix_expected():
    names = ["unix.%s.%s" % (name, n) for _, name in MODES for n in RUNTIME]
    return names + ["%s64k.session.%s.%d" % (w, k, m) for m, _ in MODES
                    for k in ("tcp", "udp") for w in ("unix", "rom")]


def unix_runtime(figs, build, trips, romfs=None):
    try:
        # The servers live in the CPython package, so they import the core
        # too: a broken core shows here, against every figure that needs them.
        from bc26.emulator.servers import TCPEchoServer, UDPEchoServer

        with TCPEchoServer() as tcp, UDPEchoServer() as udp, \
                unixport.emulator() as (host, port):
            _unix_runs(figs, build, trips, host, port, tcp.port, udp.port, romfs)
    except Exception as e:
        figs.fail(_unix_expected(), "%s: %s" % (type(e).__name__, e))


def _unix_runs(figs, build, trips, host, port, tcp, udp, romfs=None):
    for mode, name in MODES:
        run_mpy(figs, "unix.%s." % name, RUNTIME, "runtime.py",
                (host, port, tcp, mode, trips), path_dir=build)
    for where, image in (("unix", None), ("rom", romfs)):
        if where == "rom" and image is None:
            continue
        for mode, name in MODES:
            for kind, echo in (("tcp", tcp), ("udp", udp)):
                key = "session.%s.%d" % (kind, mode)
                run_mpy(figs, where + "64k.", [key], "session.py",
                        (host, port, echo, mode, kind), heapsize="64K",
                        path_dir=build, romfs=image)
            kb, err = smallest_heap(build, (host, port, tcp, udp, mode), romfs=image)
            if err:
                figs.errors["%s.smallest.%d" % (where, mode)] = err
            else:
                figs["%s.smallest.%d" % (where, mode)] = "%d KB" % kb


def _session_error(build, args, kb, romfs=None):
    """None if both sessions pass in a kb KB heap, else the error."""
    host, port, tcp, udp, mode = args
    for kind, echo in (("tcp", tcp), ("udp", udp)):
        rc, out, err = unixport.run_script(_script("session.py"),
                                           (host, port, echo, mode, kind),
                                           heapsize="%dK" % kb, path_dir=build,
                                           romfs=romfs)
        if rc:
            return _last_error(out, err)
    return None


def smallest_heap(build, args, step=4, top=1024, romfs=None):
    """(KB, None): the smallest -X heapsize (a multiple of step) in which
    both sessions pass: how far under or over the 64 KB target it is (with
    romfs, the RAM beside the image: unixport.romfs_heap). (None, error)
    when they fail even in top KB."""
    lo, hi = 8 // step, top // step  # lo fails; hi must pass
    err = _session_error(build, args, top, romfs)
    if err:
        return None, "fails in %d KB too: %s" % (top, err)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _session_error(build, args, mid * step, romfs):
            lo = mid
        else:
            hi = mid
    return hi * step, None


def wasm(figs, build, rest):
    node = shutil.which("node")
    expect = ["heap.import.bc26", "heap.runtime", "send512.med", "recv512.med"]
    for mode, name in MODES:
        prefix = "wasm.%s." % name
        if node is None:
            figs.fail([prefix + n for n in expect], "node not on PATH")
            continue
        cmd = [node, WASM, "--build", build, "--mode", str(mode)]
        for m in rest:
            cmd += ["--layer", m]
        try:
            from bc26.emulator.servers import TCPEchoServer

            with TCPEchoServer() as tcp, unixport.emulator_pty() as device:
                out = subprocess.run(cmd + ["--uart", device, "--echo", str(tcp.port)],
                                     capture_output=True, text=True, timeout=180)
        except Exception as e:
            figs.fail([prefix + n for n in expect], "%s: %s" % (type(e).__name__, e))
            continue
        figs.take(prefix, out.stdout)
        if out.returncode:
            figs.fail([prefix + n for n in expect], _last_error(out.stdout, out.stderr))


# -- the report --------------------------------------------------------------

def _le(limit):
    return lambda v: v <= limit


def _passed(v):
    return v == "pass"


def rows(rest):
    """(label, figure, target text, test or None)."""
    out = [(".mpy total", "mpy.total", "<= 24 KB", _le(24 * KB)),
           (".mpy loaded by import bc26", "mpy.loaded", "<= 16 KB", _le(16 * KB))]
    for port in ("unix", "wasm"):
        pre = port + ".buffer." if port == "wasm" else port + "."
        out.append(("[%s] heap: import bc26" % port, pre + "heap.import.bc26",
                    "<= 16 KB", _le(16 * KB)))
        for m in rest:
            out.append(("[%s] heap: + import %s" % (port, m), pre + "heap.import." + m,
                        "", None))
        for mode, name in MODES:
            p = "%s.%s." % (port, name)
            out += [
                ("[%s] %s: runtime heap" % (port, name), p + "heap.runtime",
                 "", None),
                ("[%s] %s:   of it the UART" % (port, name), p + "heap.uart", "", None),
                ("[%s] %s:   new qstr pools in it" % (port, name),
                 p + "heap.qstr_pools", "", None),
                ("[%s] %s:   their tables, bytes" % (port, name),
                 p + "heap.qstr_pool_bytes", "", None),
                ("[%s] %s: runtime heap less those tables" % (port, name),
                 p + "heap.runtime_less_pool", "<= 6 KB", _le(6 * KB)),
                ("[%s] %s: send(512) allocates" % (port, name), p + "send512.med",
                 "<= 64 B", _le(64)),
                ("[%s] %s: recv 512 allocates" % (port, name), p + "recv512.med",
                 "<= 64 B" if mode == 0 else "0 B", _le(64 if mode == 0 else 0)),
            ]
            if port == "wasm":
                # (the driver's share above: the virtual UART's hex
                # strings, counted by it, are taken off and shown here)
                out += [("[wasm] %s:   besides, the UART's in send" % name,
                         p + "send512.uart.med", "", None),
                        ("[wasm] %s:   besides, the UART's in recv" % name,
                         p + "recv512.uart.med", "", None)]
            if port == "unix":
                out += [
                    ("[%s] %s: CPU per 512 B echo, us" % (port, name), p + "cpu_us",
                     "<= 450" if mode == 0 else "<= 300", _le(450 if mode == 0 else 300)),
                    ("[%s] %s: wall per 512 B echo, us" % (port, name), p + "wall_us",
                     "", None),
                ]
    out.append(("[rom] heap: import bc26", "rom.heap.import.bc26", "", None))
    for m in rest:
        out.append(("[rom] heap: + import %s" % m, "rom.heap.import." + m, "", None))
    for where in ("unix", "rom"):
        for mode, name in MODES:
            for kind in ("tcp", "udp"):
                what = "20 TCP round trips" if kind == "tcp" else "UDP exchange"
                out.append(("[%s] %s: %s in 64K heap" % (where, name, what),
                            "%s64k.session.%s.%d" % (where, kind, mode), "passes",
                            _passed))
            out.append(("[%s] %s:   smallest heap for both" % (where, name),
                        "%s.smallest.%d" % (where, mode), "", None))
    return out


def _minimum(figs, name):
    # The medians are judged; the minimum beside them shows the spread.
    low = figs.get(name[:-4] + ".min") if name.endswith(".med") else None
    return "" if low is None or low == figs[name] else " (min %s)" % low


def table(figs, rest):
    line = "%-46s %18s  %-9s %s"
    print("\n[unix]: unix port, 64-bit; [wasm]: WebAssembly port, 32-bit;"
          " [rom]: unix port, the package\nin a ROMFS image run in place (the"
          " heap is the RAM beside the image)")
    print(line % ("figure", "value", "target", ""))
    for label, name, target, test in rows(rest):
        if name in figs:
            value = figs[name]
            verdict = "" if test is None else ("MET" if test(value) else "missed")
            print(line % (label, str(value) + _minimum(figs, name), target, verdict))
        elif name in figs.errors:
            print(line % (label, "error", target, figs.errors[name]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trips", type=int, default=200,
                    help="round trips for the CPU figure (default 200)")
    ap.add_argument("--source", default=unixport.CORE,
                    help="folder of the core's .py files (default micropython/bc26)")
    args = ap.parse_args()
    print("bc26 on MicroPython, core as .mpy -O3 (%s)" % time.strftime("%Y-%m-%d"))
    print("unix port: %s" % unixport.micropython_binary())
    figs = Figures()
    build = tempfile.mkdtemp(prefix="bc26-bench-mpy-")
    try:
        unixport.build_mpy(build, 3, args.source)
        per = sizes(figs, build)
        print("\n.mpy sizes, bytes:")
        for name, size in per.items():
            print("   %-20s %6d" % (name, size))
        try:  # the image `bc26 deploy --romfs` would write
            romfs = unixport.build_romfs(build, args.source)
        except Exception as e:
            print("bench_mpy: no ROMFS image: %s: %s" % (type(e).__name__, e))
            romfs = None
        rest = layers(figs, build, per, romfs)
        unix_runtime(figs, build, args.trips, romfs)
        wasm(figs, build, rest)
        table(figs, rest)
    except Exception as e:  # the build itself failed: nothing to measure
        print("bench_mpy: %s: %s" % (type(e).__name__, e))
        return 1
    finally:
        shutil.rmtree(build, True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
