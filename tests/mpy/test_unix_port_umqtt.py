"""micropython-lib's umqtt.simple, unmodified (the sdist on PyPI), on the
MicroPython unix port over the driver: `bc26.install_socket_module(modem)`
makes its `import usocket as socket` the BC26's sockets, and it publishes
to and receives from a real mosquitto through the whole path MicroPython ->
UART -> emulator -> loopback network."""

import os
import shutil
import textwrap

import pytest

import thirdparty
import unixport

UMQTT = ("micropython-umqtt.simple", "1.3.4",
         "b6a2520239e3992c63a7de9370ee9b3d9d27819a90359c521f1c0f7ccab8d12f",
         "umqtt/simple.py")

SCRIPT = textwrap.dedent('''
    import sys
    import bc26
    from sockuart import SocketUART

    host, port, broker, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    m = bc26.Modem(SocketUART(host, port))
    print("ip", m.start(timeout=20))
    bc26.install_socket_module(m, mode)
    from umqtt.simple import MQTTClient

    got = []
    c = MQTTClient(b"bc26-umqtt-%d" % mode, "127.0.0.1", port=broker, keepalive=30)
    c.set_callback(lambda topic, msg: got.append((topic, msg)))
    print("connect", c.connect())
    topic = b"bc26/umqtt/%d" % mode
    c.subscribe(topic)
    payload = bytes(range(256))
    for i in range(3):
        c.publish(topic, payload[i:] + b"#%d" % i)
        c.wait_msg()
    print("received", len(got), all(t == topic for t, _ in got),
          [msg == payload[i:] + b"#%d" % i for i, (_, msg) in enumerate(got)])
    c.disconnect()
    print("sockets", m.sockets())
''')


@pytest.fixture(scope="module")
def umqtt_build(build):
    src = thirdparty.fetch(*UMQTT)
    os.makedirs(os.path.join(build, "umqtt"), exist_ok=True)
    shutil.copy(src, os.path.join(build, "umqtt", "simple.py"))
    return build


@pytest.mark.parametrize("mode", [0, 1], ids=["buffer", "push"])
def test_umqtt_simple_publishes_and_receives_through_mosquitto(umqtt_build,
                                                               rig, mosquitto,
                                                               mode):
    rc, out, err = unixport.run_script(SCRIPT, rig[:2] + (mosquitto, mode),
                                       path_dir=umqtt_build)
    assert rc == 0, out + err
    assert out.splitlines() == [
        "ip 127.0.0.1",
        "connect 0",  # 1.3.4 returns the session-present flag
        "received 3 True [True, True, True]",
        "sockets []",
    ], out + err
