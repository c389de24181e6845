"""Unmodified third-party clients on bc26.SocketPool, against real local
servers: adafruit_requests on an http.server, adafruit_minimqtt on a real
mosquitto -- and bc26.aio.Modem under asyncio."""
import asyncio
import errno
import hashlib
import http.server
import json
import os
import threading
import time

import pytest

import bc26
import bc26.aio
from bc26.host.serial_port import open_uart

from driver_support import TRANSPORTS

MODES = {"buffer": bc26.BUFFER, "push": bc26.DIRECT_PUSH}
BODY = bytes(range(256)) * 12  # 3 KiB, every byte value


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/json":
            body = json.dumps({"hello": "bc26", "n": list(range(50))}).encode()
            ctype = "application/json"
        else:
            body = BODY
            ctype = "application/octet-stream"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers["Content-Length"])
        data = self.rfile.read(n)
        body = json.dumps({"length": len(data),
                           "sha256": hashlib.sha256(data).hexdigest()}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture(params=sorted(MODES))
def mode_pool(request, modem):
    pool = bc26.SocketPool(modem, access_mode=MODES[request.param])
    yield pool
    import adafruit_connection_manager as acm
    try:
        acm.connection_manager_close_all(pool)  # closes its sockets
    except RuntimeError:
        pass  # the pool was never managed


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_adafruit_requests_get_and_post(mode_pool, modem, http_server):
    import adafruit_requests
    session = adafruit_requests.Session(mode_pool)
    base = "http://127.0.0.1:%d" % http_server.server_address[1]
    r = session.get(base + "/json", timeout=5)
    assert r.status_code == 200
    assert r.json() == {"hello": "bc26", "n": list(range(50))}
    r.close()
    r = session.get(base + "/bytes", timeout=5)
    assert r.status_code == 200
    assert r.content == BODY
    r.close()
    payload = os.urandom(5000) + b"\r\nOK\r\n+QIURC: \"recv\",0,5\r\n"
    r = session.post(base + "/upload", data=payload, timeout=5)
    assert r.status_code == 201
    assert r.json() == {"length": len(payload),
                        "sha256": hashlib.sha256(payload).hexdigest()}
    r.close()
    r = session.post(base + "/upload", json={"k": [1, 2, 3]}, timeout=5)
    assert r.json()["length"] == len(b'{"k": [1, 2, 3]}')
    r.close()


# -- MQTT through a real mosquitto ---------------------------------------------------------

@pytest.mark.parametrize("transport", TRANSPORTS)
def test_adafruit_minimqtt_round_trip(mode_pool, mosquitto):
    import adafruit_minimqtt.adafruit_minimqtt as MQTT
    received = []
    client = MQTT.MQTT(broker="127.0.0.1", port=mosquitto, socket_pool=mode_pool,
                       is_ssl=False, client_id="bc26-test-%d" % os.getpid(),
                       keep_alive=30, socket_timeout=1, recv_timeout=5,
                       connect_retries=1)
    client.on_message = lambda c, topic, msg: received.append((topic, msg))
    client.connect()
    assert client.is_connected()
    topic = "bc26/test/%d" % os.getpid()
    client.subscribe(topic, qos=1)
    messages = ["hello", "OK\r\n+QIURC: \"recv\",0,5", "x" * 1500]
    for qos, msg in zip((0, 1, 1), messages):
        client.publish(topic, msg, qos=qos)
    deadline = time.monotonic() + 10
    while len(received) < len(messages) and time.monotonic() < deadline:
        client.loop(timeout=1)
    assert received == [(topic, m) for m in messages]
    client.unsubscribe(topic)
    client.disconnect()


# -- asyncio ------------------------------------------------------------------------------

@pytest.mark.parametrize("transport", TRANSPORTS)
def test_aio_modem(make_emu, tcp_addr, udp_addr):
    emu = make_emu()

    async def ticker(stop, ticks):
        while not stop.is_set():
            ticks.append(time.monotonic())
            await asyncio.sleep(0.005)

    async def main():
        modem = bc26.aio.Modem(open_uart(emu.url))
        assert emu.wait_ready(5)
        stop = asyncio.Event()
        ticks = []
        tick_task = asyncio.ensure_future(ticker(stop, ticks))
        assert await modem.start(timeout=10) == "127.0.0.1"
        assert await modem.resolve("echo.test") == ["127.0.0.1"]
        assert await modem.resolve("two.test") == ["127.0.0.1", "127.0.0.2"]
        for mode in (bc26.BUFFER, bc26.DIRECT_PUSH):
            await modem.open_socket(0, "TCP", tcp_addr[0], tcp_addr[1], 0, mode, 5)
            data = bytes(range(256)) * 8 + b"\r\nOK\r\n"
            assert await modem.send(0, data) == len(data)
            got = bytearray()
            buf = bytearray(700)
            while len(got) < len(data):
                n = await modem.recv_into(0, buf, 0, 5000)
                got += buf[:n]
            assert bytes(got) == data
            states = await modem.sockets()
            assert [(s.connect_id, s.access_mode) for s in states] == [(0, mode)]
            # while a read waits, the other task keeps running
            before = len(ticks)
            with pytest.raises(OSError) as exc:
                await modem.recv_into(0, buf, 0, 300)
            assert exc.value.errno == errno.ETIMEDOUT
            assert len(ticks) - before >= 20
            await modem.close_socket(0)
        await modem.open_socket(1, "UDP", udp_addr[0], udp_addr[1])
        await modem.send(1, b"dgram")
        buf = bytearray(10)
        n = await modem.recv_into(1, buf, 0, 5000)
        assert buf[:n] == b"dgram"
        await modem.close_socket(1)
        # two tasks sharing the modem take turns on the wire
        a, b = await asyncio.gather(modem.resolve("echo.test"), modem.get_dns())
        assert a == ["127.0.0.1"] and b[0] == "127.0.0.1"
        # closed: nothing to wait for
        assert await modem.recv_into(1, buf, 0, 100) == 0
        stop.set()
        await tick_task
        modem.close()
        return ticks

    ticks = asyncio.run(main())
    # the event loop kept running while the modem worked and waited
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert max(gaps) < 0.1, max(gaps)
