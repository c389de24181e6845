"""A TCP proxy that paces both directions like a UART line.

    .venv/bin/python tests/bench/pacing_proxy.py --connect HOST:PORT --baud N
        [--listen 127.0.0.1:0] [--trace DIR] [--quantum-us U] [--rt]

Prints "listening: HOST:PORT" first, then serves one client at a time until
SIGINT or SIGTERM: each client gets its own connection to --connect (e.g.
`bc26 emulate --listen 127.0.0.1:0 --baud 0`), and every byte each way is
forwarded at the line rate of 8N1 at N baud, N/10 bytes per second.

Pacing is per direction and exact on average: a direction's line starts a
byte when one is queued and the line is free, and a byte is forwarded as
soon as its ten bit times have passed (byte-time scheduling on integer
nanoseconds of CLOCK_MONOTONIC, never ahead of the line).  The loop sleeps
until the next byte's time has come (select() with a fine timeout, the
thread's timer slack set to 1 us on Linux), so what goes in one chunk is
what the line finished since the last wake-up -- a few bytes at 921600
baud, one at 115200 -- never a whole reply held back and let go at once.
A byte queued while the line is idle is delivered one byte time later, as
on a wire.  If the receiving side does not read (its socket buffer full),
the line stops, as under RTS/CTS flow control, and restarts at line rate.

--trace DIR: after each connection, DIR/conn<N>.trace holds one line per
event, "<t_ns> <lane> <a|d> <bytes>" (lane "up": client to upstream, "down":
upstream to client; a: taken from the source socket, d: delivered to the
destination), with t_ns on time.monotonic_ns() -- the clock a bench's
other processes read too.  --quantum-us: within a burst, the shortest time
between two deliveries (default 50: a few bytes per chunk at 921600 baud,
one at 115200, at a fraction of the CPU time a wake-up per byte costs);
the first byte after an idle line and the last one queued always go
exactly when they are due.  --rt: SCHED_FIFO (else nice -10), so that the
host's other processes delay the line's wake-ups as little as they would
a UART's.  Each connection's account goes to stderr when it ends (bytes,
CPU, how late each direction's bursts ended).
"""

import argparse
import array
import ctypes
import errno
import os
import select
import signal
import socket
import sys
import time

NS = 1000000000
READ_CAP = 16384  # bytes queued per direction before its source waits


def _fine_timer_slack():
    """Linux: wake-ups within ~1 us of the timeout, not the default 50."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(29, 1000, 0, 0, 0)  # PR_SET_TIMERSLACK, ns
    except (OSError, AttributeError):
        pass


class Lane:
    """One direction of the line."""

    def __init__(self, name, src, dst, baud, trace):
        self.name = name
        self.src = src
        self.dst = dst
        self.baud = baud
        self.q = bytearray()
        self.base = 0      # ns: when the line started the first byte counted
        self.done = 0      # bytes delivered since base
        self.blocked = False  # the destination's buffer is full
        self.eof = False
        self.shut = False
        self.total = 0
        self.late = array.array("q")  # ns each burst's last byte was late
        # array('q') of t, kind, n (kind 0: a, 1: d), or None
        self.trace = trace

    def _at(self, nbytes):
        """ns at which the line has finished nbytes since base."""
        return self.base + -(-nbytes * 10 * NS // self.baud)

    def due(self):
        """ns at which the next queued byte is on the far side (or None)."""
        if not self.q or self.blocked:
            return None
        return self._at(self.done + 1)

    def last_due(self):
        """ns at which the last queued byte is on the far side."""
        return self._at(self.done + len(self.q))

    def arrive(self, data, now):
        if not self.q and not self.blocked and now >= self._at(self.done):
            # the line is idle: this byte starts now
            self.base = now
            self.done = 0
        self.q += data
        if self.trace is not None:
            self.trace.extend((now, 0, len(data)))

    def pump(self, now):
        """Forward every byte whose line time has come."""
        if not self.q or self.blocked:
            return
        k = (now - self.base) * self.baud // (10 * NS) - self.done
        if k <= 0:
            return
        if k > len(self.q):
            k = len(self.q)
        try:
            n = self.dst.send(self.q[:k])
        except (BlockingIOError, InterruptedError):
            n = 0
        if n:
            del self.q[:n]
            self.done += n
            self.total += n
            if self.trace is not None:
                self.trace.extend((now, 1, n))
            if not self.q:  # a burst's end: how late its last byte went
                self.late.append(now - self._at(self.done))
        if n < k:
            self.blocked = True  # flow control: wait until dst is writable

    def unblock(self, now):
        self.blocked = False
        self.base = now  # the line restarts: the next byte one byte time on
        self.done = 0


def _late(lane):
    v = sorted(lane.late)
    if not v:
        return "no bursts"
    return "%d bursts ending late by median %.0f, p90 %.0f, max %.0f us" % (
        len(v), v[len(v) // 2] / 1e3, v[len(v) * 9 // 10] / 1e3, v[-1] / 1e3)


def _realtime():
    """--rt: run like the hardware it stands for, ahead of the host's
    processes (SCHED_FIFO; else a nice of -10; else as it is)."""
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
        return "SCHED_FIFO 10"
    except (AttributeError, OSError):
        pass
    try:
        os.setpriority(os.PRIO_PROCESS, 0, -10)
        return "nice -10"
    except (AttributeError, OSError):
        return "normal priority (--rt refused)"


def _address(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


def serve_one(client, upstream_addr, baud, quantum_ns, tracing):
    up_sock = socket.create_connection(upstream_addr)
    for s in (client, up_sock):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
    traces = {}
    lanes = []
    for name, src, dst in (("up", client, up_sock), ("down", up_sock, client)):
        tr = array.array("q") if tracing else None
        traces[name] = tr
        lanes.append(Lane(name, src, dst, baud, tr))
    started = time.monotonic_ns()
    try:
        while True:
            now = time.monotonic_ns()
            for lane in lanes:
                lane.pump(now)
                if lane.eof and not lane.q and not lane.shut:
                    lane.shut = True
                    try:
                        lane.dst.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
            if all(lane.shut for lane in lanes):
                break
            # the next wake-up: exactly when an idle line's first byte is
            # due; within a burst no sooner than quantum after this one
            soonest = None
            for lane in lanes:
                due = lane.due()
                if due is None:
                    continue
                if lane.done and due < now + quantum_ns:
                    # (but never past the queue's last byte: a reply's end,
                    # which the far side waits for, goes when it is due)
                    due = min(now + quantum_ns, lane.last_due())
                if soonest is None or due < soonest:
                    soonest = due
            timeout = None
            if soonest is not None:
                wait = soonest - time.monotonic_ns()
                timeout = wait / NS if wait > 0 else 0
            rlist = [lane.src for lane in lanes
                     if not lane.eof and len(lane.q) < READ_CAP]
            wlist = [lane.dst for lane in lanes if lane.blocked]
            if timeout is not None and timeout <= 0 and not rlist:
                continue
            r, w, _ = select.select(rlist, wlist, [], timeout)
            now = time.monotonic_ns()
            for lane in lanes:
                if lane.blocked and lane.dst in w:
                    lane.unblock(now)
                if lane.src in r:
                    try:
                        data = lane.src.recv(65536)
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError as e:
                        if e.errno in (errno.ECONNRESET, errno.EPIPE):
                            data = b""
                        else:
                            raise
                    if data:
                        lane.arrive(data, now)
                    else:
                        lane.eof = True
    except (ConnectionError, BrokenPipeError):
        pass
    finally:
        up_sock.close()
        client.close()
    return lanes, traces, started


def write_trace(directory, number, traces):
    path = os.path.join(directory, "conn%d.trace" % number)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        for name, tr in traces.items():
            for i in range(0, len(tr), 3):
                f.write("%d %s %s %d\n" % (tr[i], name, "ad"[tr[i + 1]],
                                           tr[i + 2]))
    os.replace(tmp, path)  # whole, or not there yet


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--connect", required=True, type=_address,
                   metavar="HOST:PORT")
    p.add_argument("--baud", required=True, type=int, metavar="N")
    p.add_argument("--listen", default="127.0.0.1:0", type=_address,
                   metavar="HOST:PORT")
    p.add_argument("--trace", metavar="DIR")
    p.add_argument("--quantum-us", type=float, default=50.0, metavar="U")
    p.add_argument("--rt", action="store_true",
                   help="real-time scheduling (SCHED_FIFO), else nice -10")
    args = p.parse_args(argv)
    if args.baud <= 0:
        p.error("--baud must be > 0")
    _fine_timer_slack()
    if args.rt:
        sys.stderr.write("proxy: %s\n" % _realtime())

    def on_signal(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(args.listen)
    lsock.listen(1)
    print("listening: %s:%d" % lsock.getsockname()[:2], flush=True)
    number = 0
    try:
        while True:
            client, _ = lsock.accept()
            number += 1
            t0s = os.times()
            lanes, traces, started = serve_one(
                client, args.connect, args.baud,
                int(args.quantum_us * 1000), bool(args.trace))
            secs = (time.monotonic_ns() - started) / NS
            t1s = os.times()
            cpu = t1s[0] + t1s[1] - t0s[0] - t0s[1]
            sys.stderr.write("proxy: connection %d, %.2f s (CPU %.2f s, "
                             "system %.2f s), %s\n" % (
                number, secs, cpu, t1s[1] - t0s[1],
                "; ".join("%s %d bytes, %s" % (ln.name, ln.total, _late(ln))
                          for ln in lanes)))
            sys.stderr.flush()
            if args.trace:
                write_trace(args.trace, number, traces)
    finally:
        lsock.close()


if __name__ == "__main__":
    main()
