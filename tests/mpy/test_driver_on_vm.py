"""The whole driver on a real MicroPython VM: the code that is flashed, on
the WebAssembly port, talking to the emulator's pty through the virtual
board's UART -- start, DNS, ping, NTP, TCP and UDP round trips with every
byte value, both access modes.  (The asyncio Modem is imported by the
portable suite; this port's asyncio runs on the JS event loop, which a
blocking script cannot hand control to.)"""

import os
import subprocess
import textwrap

from bc26.emulator import Emulator
from bc26.emulator.servers import (DNSServer, SNTPServer, TCPEchoServer,
                                   UDPEchoServer)

HERE = os.path.dirname(os.path.abspath(__file__))
BOARD = os.path.join(HERE, "board.mjs")

SCRIPT = textwrap.dedent('''
    import sys
    import bc26
    from vuart import VirtualUART

    tcp_port, udp_port = int(sys.argv[1]), int(sys.argv[2])
    m = bc26.Modem(VirtualUART(2048))
    print("implementation", bc26.IMPLEMENTATION)
    print("ip", m.start(timeout=20))
    m.set_dns("127.0.0.1")
    print("resolve", m.resolve("vm.bc26.test"))
    p = m.ping("127.0.0.1", timeout=2, count=2)
    print("ping", p.sent, p.received)
    print("ntp-year", m.ntp("127.0.0.1")[0] >= 2024)
    payload = bytes(range(256)) + b"\\r\\nOK\\r\\n+QIURC: \\"recv\\",0\\r\\n"
    for mode in (bc26.BUFFER, bc26.DIRECT_PUSH):
        pool = bc26.SocketPool(m, access_mode=mode)
        s = pool.socket(pool.AF_INET, pool.SOCK_STREAM)
        s.settimeout(10)
        s.connect(("127.0.0.1", tcp_port))
        s.sendall(payload)
        got = s.read(len(payload))
        print("tcp", mode, got == payload)
        s.close()
    u = pool.socket(pool.AF_INET, pool.SOCK_DGRAM)
    u.settimeout(10)
    u.sendto(b"datagram\\x00\\xff", ("127.0.0.1", udp_port))
    print("udp", u.recv(64) == b"datagram\\x00\\xff")
    u.close()
    try:
        s = pool.socket()
        s.settimeout(10)
        s.connect(("127.0.0.1", 1))
    except bc26.ModemError as e:
        print("refused", e.code)

''')


def test_driver_runs_on_micropython(node, tmp_path):
    script = tmp_path / "session.py"
    script.write_text(SCRIPT)
    with TCPEchoServer() as tcp, UDPEchoServer() as udp, \
            DNSServer({"vm.bc26.test": ["127.0.0.7"]}) as dns, \
            SNTPServer() as ntp, \
            Emulator(pty=True, boot_delay=0.05, ip_delay=0.05,
                     dns_port=dns.port, ntp_port=ntp.port) as emu:
        out = subprocess.run([node, BOARD, "--uart", emu.url, str(script),
                              str(tcp.port), str(udp.port)],
                             capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines == [
        "implementation python",
        "ip 127.0.0.1",
        "resolve ['127.0.0.7']",
        "ping 2 2",
        "ntp-year True",
        "tcp 0 True",
        "tcp 1 True",
        "udp True",
        "refused 566",
    ], out.stdout + out.stderr
