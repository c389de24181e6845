"""The driver on MicroPython's unix port, installed as .mpy (mpy-cross -O3),
talking to the emulator over a TCP socket (tests/mpy/sockuart.py).

First SocketUART itself, against plain loopback servers: it must not
allocate once set up, or no driver on top of it could be measured. Then
the driver: start, TCP echo of every byte value, UDP echo, both access
modes. The allocation budgets of the driver are in test_unix_port_budgets.py.
"""

import socket
import textwrap
import time

import pytest

import unixport
from bc26.emulator.servers import OneClientServer, TCPEchoServer


class SlowSink(OneClientServer):
    """Reads nothing for `pause` seconds, then everything: a writer's
    buffers fill and it has to wait for room."""

    pause = 0.3

    def serve(self, conn):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        time.sleep(self.pause)
        self.received = 0
        while True:
            data = conn.recv(65536)
            if not data:
                return
            self.received += len(data)


@pytest.fixture(scope="module")
def uart_only(tmp_path_factory):
    return unixport.compile_sockuart(str(tmp_path_factory.mktemp("sockuart")))


# Every call after set-up runs under micropython.heap_lock(): an allocation
# raises MemoryError. The locked functions return ints or bools only (a
# tuple would allocate) and report a wrong count as -1, not by raising (an
# exception allocates). Idle calls first (nothing to read), then echo round
# trips counted with readinto(buf, nbytes) into the start of buf.
UART_IDLE_AND_ECHO = textwrap.dedent('''
    import gc
    import micropython
    import sys
    from sockuart import SocketUART

    u = SocketUART("127.0.0.1", int(sys.argv[1]))
    data = bytes(range(256)) * 4
    buf = bytearray(300)

    def idle():
        return (u.any() == 0 and u.readinto(buf) is None
                and u.readinto(buf, 10) is None and u.wait(20) is False)

    def trip():
        if u.write(data) != len(data):
            return -1
        got = 0
        while got < len(data):
            if not u.wait(2000) or not u.any():
                return -1
            k = u.readinto(buf, len(data) - got)
            if k is None or k > len(buf):  # clamped to len(buf)
                return -1
            got += k
        return got

    def locked(fn):
        micropython.heap_lock()
        try:
            return fn()
        finally:
            micropython.heap_unlock()

    def checked_trip():
        # Its memoryview slices allocate: outside the lock, once, to see
        # that bytes and their order survive.
        check = bytearray(len(data))
        mv = memoryview(check)
        u.write(data)
        got = 0
        while got < len(data):
            u.wait(2000)
            got += u.readinto(mv[got:], len(data) - got) or 0
        return check == data

    def steady(trips):
        gc.collect()
        gc.disable()
        before = gc.mem_alloc()
        quiet = locked(idle)
        worst = len(data)
        i = 0
        while i < trips:
            got = locked(trip)
            if got < worst:
                worst = got
            i += 1
        used = gc.mem_alloc() - before
        gc.enable()
        print("idle", quiet)
        print("trips", worst)
        print("allocated", used)

    print("echo", checked_trip())
    steady(20)
    u.close()
''')


def test_socket_uart_reads_writes_and_waits_without_allocating(uart_only):
    with TCPEchoServer() as echo:
        rc, out, err = unixport.run_script(UART_IDLE_AND_ECHO, (echo.port,),
                                           path_dir=uart_only, timeout=60)
    assert rc == 0, out + err
    assert out.splitlines() == [
        "echo True",
        "idle True",
        "trips 1024",
        "allocated 0",
    ], out + err


# A write larger than the socket buffers can hold: write() must wait for
# room (poll for POLLOUT) and resume by offset, still without allocating.
UART_BLOCKED_WRITE = textwrap.dedent('''
    import micropython
    import sys
    import time
    from sockuart import SocketUART

    u = SocketUART("127.0.0.1", int(sys.argv[1]))
    u._sock.setsockopt(1, 7, 4096)  # SOL_SOCKET, SO_SNDBUF: fill up soon
    chunk = bytes(range(256)) * 64

    def write_all(times):
        n = 0
        while times:
            n += u.write(chunk)
            times -= 1
        return n

    def locked(times):
        micropython.heap_lock()
        try:
            return write_all(times)
        finally:
            micropython.heap_unlock()

    t0 = time.ticks_ms()
    print("wrote", locked(4))
    # The sink reads nothing for 300 ms: returning later shows write() waited.
    print("waited", time.ticks_diff(time.ticks_ms(), t0) >= 200)
    u.close()
''')


def test_socket_uart_write_waits_for_room_without_allocating(uart_only):
    with SlowSink() as sink:
        rc, out, err = unixport.run_script(UART_BLOCKED_WRITE, (sink.port,),
                                           path_dir=uart_only, timeout=60)
        sink.close()
    assert rc == 0, out + err
    assert out.splitlines() == ["wrote 65536", "waited True"], out + err
    assert sink.received == 65536


# -- the driver ----------------------------------------------------------------

DRIVER_ECHO = textwrap.dedent('''
    import sys
    import bc26
    from sockuart import SocketUART

    host, port = sys.argv[1], int(sys.argv[2])
    tcp_port, udp_port, mode = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    print("from", bc26.__file__.rsplit("/", 2)[-2:])
    m = bc26.Modem(SocketUART(host, port))
    print("ip", m.start(timeout=20))
    pool = bc26.SocketPool(m, access_mode=mode)

    payload = bytes(range(256))
    got = bytearray(len(payload))
    mv = memoryview(got)
    s = pool.socket()
    s.settimeout(10)
    s.connect(("127.0.0.1", tcp_port))
    print("sent", s.send(payload))
    k = 0
    while k < len(got):
        n = s.recv_into(mv[k:], len(got) - k)
        if not n:
            break
        k += n
    print("tcp", k, got == payload)
    s.close()

    u = pool.socket(pool.AF_INET, pool.SOCK_DGRAM)
    u.settimeout(10)
    u.sendto(b"datagram\\x00\\r\\n\\xff", ("127.0.0.1", udp_port))
    print("udp", u.recv(64))
    u.close()
''')


@pytest.mark.parametrize("mode", [0, 1], ids=["buffer", "push"])
def test_driver_echoes_every_byte_value(build, rig, mode):
    rc, out, err = unixport.run_script(DRIVER_ECHO, rig + (mode,), path_dir=build)
    assert rc == 0, out + err
    assert out.splitlines() == [
        "from ['bc26', '__init__.mpy']",
        "ip 127.0.0.1",
        "sent 256",
        "tcp 256 True",
        "udp b'datagram\\x00\\r\\n\\xff'",
    ], out + err


LAYERS = textwrap.dedent('''
    import sys
    import bc26
    from sockuart import SocketUART

    def loaded():
        return sorted(k[5:] for k in sys.modules if k.startswith("bc26."))

    print("import", loaded())
    m = bc26.Modem(SocketUART(sys.argv[1], int(sys.argv[2])))
    print("ip", m.start(timeout=20))
    print("started", loaded(), "bringup" in bc26.__dict__)
    print("urcs", m.poll())
    pool = bc26.SocketPool(m)
    print("pool", "socketpool" in loaded())
    print("again", m.start(timeout=20), "bringup" in loaded())
    print("dns", m.get_dns() is not None, "replies" in loaded())
''')


def test_layers_load_on_first_use_and_bring_up_is_unloaded(build, rig):
    """import bc26 carries the core only; start() loads its bring-up and
    unloads it again (it runs once per power-up), and works a second time;
    SocketPool and the services with their reply parsing load when used.
    start() consumes the bring-up's boot output and URCs."""
    rc, out, err = unixport.run_script(LAYERS, rig[:2], path_dir=build)
    assert rc == 0, out + err
    lines = out.splitlines()
    core = ("['checks', 'command', 'commands', 'datapath', 'errors', 'events', "
            "'modem', 'operations', 'parser', 'rxbuf', 'state', "
            "'tokenizer']")
    assert lines == [
        "import " + core,
        "ip 127.0.0.1",
        "started %s False" % core,
        "urcs []",
        "pool True",
        "again 127.0.0.1 False",
        "dns True True",
    ], out + err
