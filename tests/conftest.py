import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

# tests/portable is a package (so its module names cannot clash with
# tests/core's); its modules import each other by plain name, as they do on
# MicroPython, so the folder itself goes on sys.path too.
_PORTABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "portable")
if _PORTABLE not in sys.path:
    sys.path.insert(0, _PORTABLE)


# -- a real MQTT broker, for the clients run on the driver ---------------------

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def mosquitto(tmp_path_factory):
    """A real MQTT broker on 127.0.0.1 (the test set-up installs it); its port."""
    exe = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if os.path.exists("/usr/sbin/mosquitto") else None)
    assert exe, "mosquitto is not installed (apt-get install mosquitto)"
    port = _free_port()
    conf = tmp_path_factory.mktemp("mqtt") / "mosquitto.conf"
    conf.write_text("listener %d 127.0.0.1\nallow_anonymous true\n"
                    "persistence false\n" % port)
    proc = subprocess.Popen([exe, "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "mosquitto did not start"
            time.sleep(0.05)
    yield port
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:  # pragma: no cover
        proc.kill()
        proc.wait()
