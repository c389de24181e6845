"""Direct push faster than the host reads: the emulator must hold back the
network (TCP flow control), never cut a push frame when its UART queue is
long.  Over a pty the host's reads are the bottleneck, which is where a
truncated '+QIURC: "recv"' frame once desynchronised the stream."""

import hashlib
import os

import bc26
from bc26.emulator import Emulator
from bc26.emulator.servers import PayloadServer


def test_multi_mib_push_over_pty_arrives_intact():
    payload = os.urandom(3 << 20)
    with PayloadServer(payload) as src, \
            Emulator(pty=True, boot_delay=0.01, ip_delay=0.01) as emu:
        modem = bc26.Modem.open(emu.url)
        try:
            modem.start(timeout=10)
            pool = bc26.SocketPool(modem, access_mode=bc26.DIRECT_PUSH)
            s = pool.socket()
            s.settimeout(10)
            s.connect(("127.0.0.1", src.port))
            got = bytearray()
            buf = bytearray(4096)
            while True:
                n = s.recv_into(buf)
                if not n:
                    break
                got += buf[:n]
            s.close()
        finally:
            modem.close()
    assert len(got) == len(payload)
    assert hashlib.sha256(got).digest() == hashlib.sha256(payload).digest()
