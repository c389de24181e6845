# An echo session meant for a small heap (micropython -X heapsize=64K):
#   micropython session.py HOST PORT ECHO_PORT MODE tcp|udp [TRIPS]
# tcp: TRIPS (20) verified 512-byte round trips; udp: one datagram echoed.
# Prints "fig session.KIND.MODE pass" at the end; fails with a traceback.
import sys

import bc26
from sockuart import SocketUART


def tcp(pool, echo, trips):
    payload = bytes(range(256)) * 2
    got = bytearray(len(payload))
    mv = memoryview(got)
    s = pool.socket()
    s.settimeout(10)
    s.connect(("127.0.0.1", echo))
    for _ in range(trips):
        s.send(payload)
        k = 0
        while k < len(got):
            n = s.recv_into(mv[k:], len(got) - k)
            if not n:
                raise OSError(104, "echo connection closed")
            k += n
        if got != payload:
            raise RuntimeError("echo differs")
    s.close()


def udp(pool, echo):
    data = bytes(range(256))
    u = pool.socket(pool.AF_INET, pool.SOCK_DGRAM)
    u.settimeout(10)
    u.sendto(data, ("127.0.0.1", echo))
    if u.recv(512) != data:
        raise RuntimeError("datagram differs")
    u.close()


def main():
    host, port, echo = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    mode, kind = int(sys.argv[4]), sys.argv[5]
    trips = int(sys.argv[6]) if len(sys.argv) > 6 else 20
    m = bc26.Modem(SocketUART(host, port))
    m.start(timeout=20)
    pool = bc26.SocketPool(m, access_mode=mode)
    if kind == "tcp":
        tcp(pool, echo, trips)
    else:
        udp(pool, echo)
    print("fig session.%s.%d pass" % (kind, mode))


main()
