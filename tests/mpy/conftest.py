import os
import shutil

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PORT_JS = os.path.join(
    HERE,
    "node_modules",
    "@micropython",
    "micropython-webassembly-pyscript",
    "micropython.mjs",
)


@pytest.fixture(scope="session")
def node():
    """Path of node. Fails, never skips, when the VM cannot run: the test
    set-up installs both, so a missing piece is an error to see."""
    path = shutil.which("node")
    if path is None:
        pytest.fail("node (Node.js >= 18) is not on PATH; it runs the MicroPython VM")
    if not os.path.isfile(PORT_JS):
        pytest.fail(
            "MicroPython WebAssembly port missing: run `npm ci --prefix tests/mpy`"
        )
    return path


# -- the unix port: the driver as .mpy against the emulator ---------------------

@pytest.fixture(scope="module")
def rig():
    """Emulator (its own process) plus TCP and UDP echo servers; yields the
    arguments the scripts take: emulator host, port, TCP echo, UDP echo."""
    from bc26.emulator.servers import TCPEchoServer, UDPEchoServer

    import unixport
    with TCPEchoServer() as tcp, UDPEchoServer() as udp, \
            unixport.emulator() as (host, port):
        yield host, port, tcp.port, udp.port


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """The core compiled with mpy-cross -O3, as a board would carry it."""
    import unixport
    return unixport.build_mpy(str(tmp_path_factory.mktemp("mpy")))
