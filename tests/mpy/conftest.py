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
