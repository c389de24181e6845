"""bc26.aio on MicroPython's unix port: asyncio waits on the UART as a
stream (the virtual board's UART, cpython/host/virtual_uart.py, which
select.poll and asyncio can wait on, as on machine.UART), so an idle wait
reads nothing, and a task's recv waiting on one socket does not hold up a
send and echo on another."""

import os
import shutil
import textwrap

import pytest

import unixport


SCRIPT = textwrap.dedent('''
    import sys, asyncio
    import bc26, bc26.aio
    from virtual_uart import UART

    async def echo(m, cid, data):
        await m.send(cid, data)
        got = bytearray()
        buf = bytearray(300)
        while len(got) < len(data):
            n = await m.recv_into(cid, buf, 0, 5000)
            got += buf[:n]
        return got == data

    async def main():
        host, port, echo_port = sys.argv[1], sys.argv[2], int(sys.argv[3])
        mode = int(sys.argv[4])
        m = bc26.aio.Modem(UART("socket://%s:%s" % (host, port)))
        print("ip", await m.start(timeout=20))
        for cid in (0, 1):
            await m.open_socket(cid, "TCP", "127.0.0.1", echo_port, 0, mode, 5)
        buf = bytearray(64)
        waiting = asyncio.create_task(m.recv_into(0, buf, 0, 2000))
        await asyncio.sleep_ms(200)
        before = m.reads
        await asyncio.sleep_ms(500)
        print("idle reads", m.reads - before)
        print("echo", await echo(m, 1, bytes(range(256))),
              "while waiting", not waiting.done())
        try:
            await waiting
        except OSError as e:
            print("waited", e.errno)
        for cid in (0, 1):
            await m.close_socket(cid)

    asyncio.run(main())
''')


@pytest.fixture(scope="module")
def aio_build(build):
    # (the build has the virtual board's UART: unixport.compile_sockuart)
    shutil.copy(os.path.join(unixport.HERE, "aio_mqtt.py"), build)
    return build


@pytest.mark.parametrize("mode", [0, 1], ids=["buffer", "push"])
def test_aio_waits_on_the_uart_stream(aio_build, rig, mode):
    rc, out, err = unixport.run_script(SCRIPT, rig[:3] + (mode,),
                                       path_dir=aio_build)
    assert rc == 0, out + err
    assert out.splitlines() == [
        "ip 127.0.0.1",
        "idle reads 0",
        "echo True while waiting True",
        "waited 110",
    ], out + err


MQTT_SCRIPT = textwrap.dedent('''
    import sys, asyncio
    import bc26, bc26.aio
    from virtual_uart import UART
    from aio_mqtt import mqtt_round_trip

    async def main():
        host, port, broker, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        m = bc26.aio.Modem(UART("socket://%s:%s" % (host, port)))
        print("ip", await m.start(timeout=20))
        payload = bytes(range(256)) * 3
        topic, got = await mqtt_round_trip(m, broker, mode, payload)
        print("mqtt", topic, got == payload)
        print("sockets", await m.sockets())

    asyncio.run(main())
''')


@pytest.mark.parametrize("mode", [0, 1], ids=["buffer", "push"])
def test_mqtt_over_aio_streams_through_mosquitto(aio_build, rig, mosquitto,
                                                 mode):
    """bc26.aio.open_connection()'s streams on MicroPython asyncio carry an
    MQTT exchange with a real mosquitto (MicroPython -> UART -> emulator ->
    loopback network)."""
    rc, out, err = unixport.run_script(MQTT_SCRIPT, rig[:2] + (mosquitto, mode),
                                       path_dir=aio_build)
    assert rc == 0, out + err
    assert out.splitlines() == [
        "ip 127.0.0.1",
        "mqtt b'bc26/aio/%d' True" % mode,
        "sockets []",
    ], out + err
