"""boards/simpletest.py, unchanged, on the virtual board: a board_wiring
shim hands it the virtual UART, and the emulator's network DNS server maps
the public names it uses to loopback servers."""

import os
import subprocess

from bc26.emulator import Emulator
from bc26.emulator.servers import DNSServer, SNTPServer, TCPEchoServer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BOARD = os.path.join(HERE, "board.mjs")

WIRING = """
from vuart import VirtualUART
powered = []
def uart():
    return VirtualUART(2048)
def power_on():
    powered.append(1)
"""

# The VM has its own file system: the runner writes both modules into it.
RUNNER = """
import sys
with open("/board_wiring.py", "w") as f:
    f.write(%r)
with open("/simpletest.py", "w") as f:
    f.write(%r)
sys.path.insert(0, "/")
import simpletest
simpletest.run(http=("example.com", %d))
"""


def test_simpletest_runs_on_the_virtual_board(node, tmp_path):
    names = {"example.com": ["127.0.0.1"], "pool.ntp.org": ["127.0.0.1"]}
    with TCPEchoServer() as web, DNSServer(names) as dns, SNTPServer() as ntp, \
            Emulator(pty=True, boot_delay=0.05, ip_delay=0.05,
                     dns_servers=["127.0.0.1"], dns_port=dns.port,
                     ntp_port=ntp.port) as emu:
        with open(os.path.join(ROOT, "boards", "simpletest.py")) as f:
            example = f.read()
        script = tmp_path / "main.py"
        script.write_text(RUNNER % (WIRING, example, web.port))
        out = subprocess.run(
            [node, BOARD, "--uart", emu.url, str(script)], cwd=str(tmp_path),
            capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "IP: 127.0.0.1", out.stdout
    assert lines[1] == "resolve: ['127.0.0.1']", out.stdout
    # the echo server returns the HTTP request the example sent
    assert lines[2].startswith("b'HEAD / HTTP/1.0\\r\\nHost: example.com"), out.stdout
    assert lines[3].startswith("ping: PingResult(2/2 received"), out.stdout
    assert lines[4].startswith("ntp: (20"), out.stdout
