"""A gateway: one process drives several BC26 modems at once with bc26.aio,
each with its own sockets, all in one asyncio event loop.

    python examples/gateway.py                       # three emulated modems
    python examples/gateway.py --port /dev/ttyUSB0 --port /dev/ttyUSB1 \\
        --target 10.0.0.1:7                          # real modems, an echo host

Each modem opens a TCP socket to the target (an echo server) and makes
--exchanges request/response round trips on it, every reply checked. The
modems work concurrently: the total wall time is close to one modem's,
not the sum. Prints one line per modem and a summary; exits 1 if any byte
was lost, changed or duplicated.
"""

import argparse
import asyncio
import sys
import time

import bc26
import bc26.aio


async def exchanges(name, modem, host, port, count, mode, trace=None):
    """count round trips on one socket; returns (ok, seconds). trace: a
    list to append (name, i) to as each reply comes."""
    ip = await modem.start(timeout=90)
    sock = bc26.aio.Socket(modem, bc26.aio.SOCK_STREAM, mode)
    sock.settimeout(10)
    await sock.connect((host, port))
    t0 = time.monotonic()
    ok = 0
    buf = bytearray(256)
    for i in range(count):
        request = b"%s request %d " % (name.encode(), i) + bytes(range(i % 64))
        await sock.sendall(request)
        got = b""
        while len(got) < len(request):
            n = await sock.recv_into(buf, len(request) - len(got))
            if not n:
                raise OSError(104, "%s: connection closed" % name)
            got += buf[:n]
        ok += got == request
        if trace is not None:
            trace.append((name, i))
    seconds = time.monotonic() - t0
    await sock.close()
    print("%s  %s  %d/%d replies right  %.2f s" % (name, ip, ok, count, seconds))
    return ok, seconds


async def gateway(urls, host, port, count, mode, trace=None):
    """Every modem's exchanges at once; True if every reply was right."""
    modems = [bc26.aio.Modem.open(url) for url in urls]
    try:
        t0 = time.monotonic()
        results = await asyncio.gather(*[
            exchanges("modem%d" % i, m, host, port, count, mode, trace)
            for i, m in enumerate(modems)])
        wall = time.monotonic() - t0
    finally:
        for m in modems:
            m.close()
    right = sum(ok for ok, _ in results)
    slowest = max(s for _, s in results)
    print("%d modems, %d exchanges each: %d/%d right, %.2f s in all "
          "(the slowest modem alone: %.2f s)"
          % (len(urls), count, right, count * len(urls), wall, slowest))
    return right == count * len(urls)


def _emulated(n):
    """n private emulators and a loopback TCP echo server."""
    from bc26.emulator import Emulator
    from bc26.emulator.servers import TCPEchoServer

    echo = TCPEchoServer()
    emus = [Emulator(pty=True, boot_delay=0.2, ip_delay=0.2).start()
            for _ in range(n)]
    for e in emus:
        e.wait_ready(5)
    return echo, emus


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", action="append", default=[],
                    help="a modem's serial port or pyserial URL (repeat it);"
                    " none: three emulated modems")
    ap.add_argument("--target", default=None,
                    help="HOST:PORT of a TCP echo server (with --port)")
    ap.add_argument("--exchanges", type=int, default=100)
    ap.add_argument("--push", action="store_true",
                    help="direct push access mode (default: buffer)")
    args = ap.parse_args(argv)
    mode = bc26.DIRECT_PUSH if args.push else bc26.BUFFER
    if args.port:
        if not args.target:
            ap.error("--target HOST:PORT is needed with --port")
        host, _, port = args.target.rpartition(":")
        return asyncio.run(gateway(args.port, host, int(port),
                                   args.exchanges, mode))
    echo, emus = _emulated(3)
    try:
        return asyncio.run(gateway([e.url for e in emus], "127.0.0.1",
                                   echo.port, args.exchanges, mode))
    finally:
        for e in emus:
            e.close()
        echo.close()


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
