"""An MQTT exchange over bc26.aio.open_connection()'s streams, written
for both asyncio implementations: tests/driver/test_aio_waits.py runs it on
CPython, tests/mpy/test_unix_port_aio.py on MicroPython's unix port, both
against a real mosquitto. MQTT 3.1.1 by hand: CONNECT, SUBSCRIBE, PUBLISH
to the topic subscribed, and the broker's PUBLISH back."""

import bc26.aio


def _mqtt_packet(kind, body):
    n = len(body)
    head = bytearray([kind])
    while True:  # the remaining length, 7 bits a byte
        byte, n = n & 0x7F, n >> 7
        head.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(head) + body


def _mqtt_str(s):
    return len(s).to_bytes(2, "big") + s


async def _mqtt_read(reader):
    kind = (await reader.readexactly(1))[0]
    n = shift = 0
    while True:
        byte = (await reader.readexactly(1))[0]
        n |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return kind, await reader.readexactly(n)


async def mqtt_round_trip(modem, port, mode, payload):
    """CONNECT, SUBSCRIBE, PUBLISH to ourselves over open_connection's
    streams; returns the PUBLISH the broker sends back (topic, payload)."""
    reader, writer = await bc26.aio.open_connection(modem, "127.0.0.1", port,
                                                    mode, 5)
    topic = b"bc26/aio/%d" % mode
    writer.write(_mqtt_packet(0x10, _mqtt_str(b"MQTT") + b"\x04\x02\x00\x1e"
                              + _mqtt_str(b"bc26-aio-%d" % mode)))
    await writer.drain()
    kind, body = await _mqtt_read(reader)
    if (kind, body) != (0x20, b"\x00\x00"):
        raise RuntimeError("no CONNACK: %r" % ((kind, body),))
    writer.write(_mqtt_packet(0x82, b"\x00\x01" + _mqtt_str(topic) + b"\x00"))
    await writer.drain()
    if (await _mqtt_read(reader))[0] != 0x90:
        raise RuntimeError("no SUBACK")
    writer.write(_mqtt_packet(0x30, _mqtt_str(topic) + payload))
    await writer.drain()
    kind, body = await _mqtt_read(reader)
    if kind != 0x30:
        raise RuntimeError("no PUBLISH back: %r" % kind)
    n = int.from_bytes(body[:2], "big")
    writer.write(b"\xe0\x00")  # DISCONNECT
    writer.close()
    await writer.wait_closed()
    return body[2:2 + n], body[2 + n:]
