"""Payload goodput against the UART line rate, through a pacing proxy.

    .venv/bin/python tests/bench/bench_goodput.py [--quick]
        [--rates 115200,921600]
        [--bytes N] [--send-chunk N] [--no-instrument] [--floor]
        [--no-priority] [--repeat N]

The emulator runs unpaced (`bc26 emulate --listen ... --baud 0`) in its own
process; tests/bench/pacing_proxy.py, in another, sits between it and the
driver and paces each direction at BAUD/10 bytes/s like a UART; the driver
runs in a child process of its own.  For each rate, 1 MiB (--quick: 64 KiB)
each way:

  send    s.send() of --send-chunk bytes (default 1460: one AT+QISEND
          exchange each) to a discard server
  buffer  recv_into(4096) in buffer access mode (AT+QIRD), from a
          PayloadServer
  push    recv_into(4096) in direct push mode (+QIURC: "recv" frames)

Goodput is payload bytes per second over the line rate: for send, from the
first call to the return of the last; for receive, from the return that
completes the first 16 KiB (nbytes/8 at most) to the one that completes
the last byte, counting the bytes in between.  The limit is what the AT
protocol leaves at that line rate with no turnaround at all: payload /
(payload + framing) of one full exchange of the driver's real transcript
(the bytes both ways of AT+QISEND ... SEND OK and AT+QIRD ... OK, which
are serialised; the push frame alone, which needs no command).

Then, unless --no-instrument, one more run per column with the driver's
Modem(log=...) timestamps and the proxy's trace (both on CLOCK_MONOTONIC):
per exchange, the host's turnaround (last read of a reply to the next
write, in the driver; last reply byte delivered to first command byte
taken, on the proxy's line), the module side's (emulator and proxy), and
where an exchange's time goes against its line time.  --floor: also the
send and buffer exchanges from a minimal blocking loop on the raw socket
(no driver), what this proxy and emulator allow a host at all.  The
proxy runs SCHED_FIFO (--rt) and the emulator at nice -10, so that the
machine's other load delays the line and the "module" less than the
driver; --no-priority leaves all at normal priority.  Runs shorter than
30 s are made --repeat times (default 3) and the best is kept.
"""

import json
import os
import pickle
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
PY = sys.executable
PROXY = os.path.join(HERE, "pacing_proxy.py")
MIB = 1 << 20
COLUMNS = ("send", "buffer", "push")
TARGETS = {"send": 0.95, "buffer": 0.90, "push": 0.97}
NAMES = {"send": "send (upload)", "buffer": "receive, buffer access",
         "push": "receive, direct push"}


# -- the driver side, in its own process -------------------------------------

def child(argv):
    url, port, nbytes, column, logpath, chunk = argv
    port, nbytes, chunk = int(port), int(nbytes), int(chunk)
    import bc26
    from bc26.host.serial_port import open_uart
    mono = time.monotonic_ns
    events = None
    counts = {"reads": 0, "empty_reads": 0, "waits": 0, "wait_ns": 0}
    uart = open_uart(url, 115200)
    log = None
    if logpath != "-":
        events = []
        append = events.append

        def record(direction, data):
            append((mono(), direction, data))

        log = record

        # the UART's calls counted too (before Modem binds them)
        readinto, wait = uart.readinto, uart.wait

        def counted_readinto(buf):
            n = readinto(buf)
            counts["reads"] += 1
            if not n:
                counts["empty_reads"] += 1
            return n

        def counted_wait(ms):
            t = mono()
            wait(ms)
            counts["waits"] += 1
            counts["wait_ns"] += mono() - t

        uart.readinto = counted_readinto
        uart.wait = counted_wait
    m = bc26.Modem(uart, log=log)
    m.start(timeout=30)
    mode = bc26.DIRECT_PUSH if column == "push" else bc26.BUFFER
    pool = bc26.SocketPool(m, access_mode=mode)
    s = pool.socket()
    s.settimeout(60)
    s.connect(("127.0.0.1", port))
    for k in counts:
        counts[k] = 0
    if column.endswith("-raw"):
        return raw_client(uart, s.connect_id, column, nbytes)
    c0 = time.process_time()
    t0 = tc = mono()
    t1 = None
    if column == "send":
        # from the first call on: the driver starts the first exchange
        data = memoryview(bytes(range(256)) * (chunk // 256 + 1))[:chunk]
        got = 0
        while got < nbytes:
            left = nbytes - got
            got += s.send(data if left >= chunk else data[:left])
        t1 = mono()
        counted = got
    else:
        # from the return that completes the first 16 KiB (nbytes/8 at
        # most) on: the first calls' own delays, and what was pushed while
        # connect() returned, are not counted
        buf = bytearray(4096)
        skip = min(16384, nbytes // 8)
        got = 0
        first = None
        while True:
            n = s.recv_into(buf)
            if not n:
                break
            got += n
            if first is None and got >= skip:
                first = got
                t0 = mono()
                c0 = time.process_time()
            if t1 is None and got >= nbytes:
                t1 = mono()
                c1 = time.process_time()
        counted = nbytes - first
    cpu = time.process_time() - c0 if column == "send" else c1 - c0
    s.close()
    m.close()
    if events is not None:
        with open(logpath, "wb") as f:
            pickle.dump(events, f, pickle.HIGHEST_PROTOCOL)
    print(json.dumps({"got": got, "counted": counted, "t0": t0, "t1": t1,
                      "cpu": cpu, "first": nbytes - counted, "tc": tc,
                      "impl": bc26.IMPLEMENTATION, "counts": counts}))


def raw_client(uart, cid, column, nbytes):
    """The floor: the same exchanges from a minimal blocking loop on the
    raw socket (no driver), through the same proxy and emulator."""
    sock = uart.port._socket
    sock.setblocking(True)
    rx = bytearray()
    mono = time.monotonic_ns
    c0 = time.process_time()
    t0 = mono()
    got = 0
    if column == "send-raw":
        data = bytes(range(256)) * 6
        while got < nbytes:
            n = min(1460, nbytes - got)
            sock.sendall(b"AT+QISEND=%d,%d\r" % (cid, n))
            while b"> " not in rx:
                rx += sock.recv(65536)
            del rx[:rx.index(b"> ") + 2]
            sock.sendall(data[:n])
            while b"SEND OK\r\n" not in rx:
                rx += sock.recv(65536)
            del rx[:rx.index(b"SEND OK\r\n") + 9]
            got += n
    else:
        cmd = b"AT+QIRD=%d,512\r" % cid
        while got < nbytes:
            sock.sendall(cmd)
            while True:
                mt = QIRD_HEAD.search(rx)
                if mt is not None:
                    break
                rx += sock.recv(65536)
            n = int(mt.group(1))
            while rx.find(b"OK\r\n", mt.end() + n) < 0:
                rx += sock.recv(65536)
            del rx[:rx.index(b"OK\r\n", mt.end() + n) + 4]
            got += n
    t1 = mono()
    print(json.dumps({"got": got, "counted": got, "t0": t0, "t1": t1,
                      "cpu": time.process_time() - c0, "impl": "raw",
                      "counts": {}}))
    sys.stdout.flush()
    os._exit(0)  # the driver's state is stale: no clean-up through it


def run_child(url, port, nbytes, column, logpath="-", chunk=1460):
    env = dict(os.environ)
    env.pop("BC26_PUREPYTHON", None)
    out = subprocess.run(
        [PY, os.path.abspath(__file__), "--child", url, str(port), str(nbytes),
         column, logpath, str(chunk)],
        env=env, capture_output=True, text=True, timeout=900)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- processes and servers ---------------------------------------------------

def start_proxy(upstream, baud, trace_dir=None, stderr=None, rt=True):
    cmd = [PY, PROXY, "--connect", upstream, "--baud", str(baud)]
    if rt:
        cmd.append("--rt")
    if trace_dir:
        cmd += ["--trace", trace_dir]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr,
                            text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("listening: "):
        proc.kill()
        raise RuntimeError("proxy did not start: %r" % line)
    return proc, "socket://" + line[11:]


def one_run(url, column, nbytes, payload, logpath="-", chunk=1460):
    from bc26.emulator.servers import PayloadServer
    from bench_driver import DiscardServer
    if column.startswith("send"):
        with DiscardServer() as sink:
            res = run_child(url, sink.port, nbytes, column, logpath, chunk)
    else:
        with PayloadServer(payload[:nbytes]) as src:
            res = run_child(url, src.port, nbytes, column, logpath, chunk)
    if res["got"] < nbytes:
        raise RuntimeError("%s: %d of %d bytes" % (column, res["got"], nbytes))
    res["secs"] = (res["t1"] - res["t0"]) / 1e9
    res["bytes"] = nbytes
    res["goodput"] = res["counted"] / res["secs"]
    return res


def proxy_line(path, number):
    """The proxy's own account of connection number (its stderr)."""
    with open(path) as f:
        for line in f:
            if line.startswith("proxy: connection %d," % number):
                return line.strip()[len("proxy: "):]
    return "?"


def wait_for(path, timeout=60):
    end = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > end:
            raise RuntimeError("no proxy trace at " + path)
        time.sleep(0.05)


# -- transcript analysis -----------------------------------------------------

def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    k = (len(v) - 1) * p / 100.0
    i = int(k)
    j = min(i + 1, len(v) - 1)
    return v[i] + (v[j] - v[i]) * (k - i)


def show(data, limit=40):
    if len(data) > limit:
        return "<%d bytes>" % len(data)
    return repr(bytes(data))[1:]


PUSH_HEAD = re.compile(rb'\+QIURC: "recv",(\d),(\d+)\r\n')
QIRD_HEAD = re.compile(rb'\r\n\+QIRD: (\d+)[^\r]*\r\n')
QISEND = re.compile(rb'AT\+QISEND=\d,(\d+)\r')
QIRD = re.compile(rb'AT\+QIRD=\d,(\d+)\r')


def exchange_limit(column, events, t0, t1):
    """(limit, description, payload, framing) of one full exchange in the
    middle of the measured window, from the byte streams each way (an
    exchange's last bytes may come after the driver's next write: it acts
    on the CR of a final result)."""
    win = [e for e in events if t0 <= e[0] <= t1]
    rx = b"".join(d for _, k, d in win if k == "<")
    tx = b"".join(d for _, k, d in win if k == ">")
    if column == "push":
        heads = []
        pos = 0
        while True:
            mt = PUSH_HEAD.search(rx, pos)
            if mt is None:
                break
            heads.append((mt.start(), mt.end(), int(mt.group(2))))
            pos = mt.end() + int(mt.group(2))
        full = max(h[2] for h in heads)
        pairs = [(a, b) for a, b in zip(heads, heads[1:]) if a[2] == full]
        a, b = pairs[len(pairs) // 2]
        # a frame: its header to the next one's (what lies between the
        # payload's end and the next '+' belongs to it)
        frame = rx[a[0]:b[0]]
        head = frame[:a[1] - a[0]]
        tail = frame[a[1] - a[0] + full:]
        desc = "< %s<%d bytes>%s" % (show(head), full, show(tail))
        return full / len(frame), desc, full, len(frame) - full
    if column == "send":
        cmds = [mt for mt in QISEND.finditer(tx)]
        full = max(int(mt.group(1)) for mt in cmds)
        cmd = [mt for mt in cmds if int(mt.group(1)) == full][0].group(0)
        prompts = [i.start() for i in re.finditer(rb"\r\n> ", rx)]
        start = prompts[len(prompts) // 2]
        p_end = start + 4
        end = rx.index(b"SEND OK\r\n", p_end) + 9
        desc = "> %s  < %s  > <%d bytes>  < %s" % (
            show(cmd), show(rx[start:p_end]), full, show(rx[p_end:end]))
        total = len(cmd) + full + (end - start)
        return full / total, desc, full, total - full
    cmds = [mt for mt in QIRD.finditer(tx)]
    want = max(int(mt.group(1)) for mt in cmds)
    cmd = [mt for mt in cmds if int(mt.group(1)) == want][0].group(0)
    heads = []
    pos = 0
    while True:
        mt = QIRD_HEAD.search(rx, pos)
        if mt is None:
            break
        heads.append(mt)
        pos = mt.end() + int(mt.group(1))
    full = max(int(mt.group(1)) for mt in heads)
    fulls = [mt for mt in heads if int(mt.group(1)) == full]
    mt = fulls[len(fulls) // 2]
    end = rx.index(b"OK\r\n", mt.end() + full) + 4
    desc = "> %s  < %s<%d bytes>%s" % (show(cmd), show(mt.group(0)), full,
                                        show(rx[mt.end() + full:end]))
    total = len(cmd) + end - mt.start()
    return full / total, desc, full, total - full


def load_trace(path):
    """[(t_ns, lane, kind, n)] sorted by time."""
    ev = []
    with open(path) as f:
        for line in f:
            t, lane, kind, n = line.split()
            ev.append((int(t), lane, kind, int(n)))
    ev.sort()
    return ev


def turns(trace, t0, t1, src_lane, reply_lane):
    """Line gaps: each first byte taken from src_lane's source after
    reply_lane delivered something, minus that last delivery's time."""
    gaps = []
    last_reply = None
    armed = False
    for t, lane, kind, n in trace:
        if lane == reply_lane and kind == "d":
            last_reply = t
            armed = True
        elif lane == src_lane and kind == "a" and armed:
            armed = False
            if t0 <= t <= t1 and last_reply is not None:
                gaps.append((t, t - last_reply))
    return gaps


def line_busy(trace, t0, t1, baud):
    """Fraction of [t0, t1] each lane's line spent sending bytes."""
    out = {}
    for lane in ("up", "down"):
        n = sum(e[3] for e in trace if e[1] == lane and e[2] == "d"
                and t0 <= e[0] <= t1)
        out[lane] = n * 10.0 / baud / ((t1 - t0) / 1e9)
    return out


def fmt_us(values):
    if not values:
        return "none"
    return "median %5.0f us, p90 %5.0f us, mean %5.0f us (n=%d)" % (
        pct(values, 50) / 1e3, pct(values, 90) / 1e3,
        sum(values) / len(values) / 1e3, len(values))


def analyse(column, baud, res, events, trace):
    """The instrumented run's figures, and the lines that print them."""
    import bisect
    t0, t1 = res["t0"], res["t1"]
    limit, desc, payload, framing = exchange_limit(column, events, t0, t1)
    win = [e for e in events if t0 < e[0] <= t1]
    writes = [e for e in win if e[1] == ">"]
    reads = [e for e in win if e[1] == "<"]
    wire = sum(len(d) for _, k, d in win if column != "push" or k == "<")
    run_limit = res["counted"] / wire
    per_mib = len(writes) * MIB / res["counted"]
    info = {"limit": limit, "run_limit": run_limit, "turns_per_mib": per_mib}
    lines = []
    lines.append("   one exchange: %s" % desc)
    lines.append("     payload %d + framing %d bytes: limit %.4f (over the "
                 "run, all exchanges: %.4f); %.0f AT turnarounds (writes "
                 "that wait for an answer) per MiB"
                 % (payload, framing, limit, run_limit, per_mib))
    c = res["counts"]
    lines.append("     this logged run: goodput %.4f; driver CPU %.2f s in "
                 "%.2f s (%.0f%%); %d reads with data (%.0f bytes each), %d "
                 "empty, %d waits (%.2f s asleep)" % (
                     res["goodput"] / (baud / 10), res["cpu"], res["secs"],
                     100 * res["cpu"] / res["secs"], len(reads),
                     sum(len(d) for _, _, d in reads) / max(1, len(reads)),
                     c["empty_reads"], c["waits"], c["wait_ns"] / 1e9))
    busy = line_busy(trace, t0, t1, baud)
    chunks = [e[3] for e in trace if e[2] == "d" and t0 <= e[0] <= t1]
    lines.append("     line busy: host->module %.1f%%, module->host %.1f%%, "
                 "sum %.1f%%; proxy chunks: median %.0f, p99 %.0f bytes"
                 % (100 * busy["up"], 100 * busy["down"],
                    100 * (busy["up"] + busy["down"]), pct(chunks, 50),
                    pct(chunks, 99)))
    if not writes:
        # no commands: where the receive line stood idle
        gaps = []
        last = None
        for t, lane, kind, n in trace:
            if lane == "down" and kind == "d" and t0 <= t <= t1:
                if last is not None:
                    gaps.append(t - last)
                last = t
        big = [g for g in gaps if g > 200000]
        lines.append("     no AT command in the window; module->host line "
                     "idle over 200 us: %d times, %.1f ms in all"
                     % (len(big), sum(big) / 1e6))
        return info, lines
    # the host's turnarounds on the line, each split at the driver's read
    # of the reply's end and its write of what follows
    wt = [e[0] for e in events if e[1] == ">"]
    rt = [e[0] for e in events if e[1] == "<"]
    kinds = {}
    for t_a, gap in turns(trace, t0, t1, "up", "down"):
        i = bisect.bisect_right(wt, t_a) - 1
        if i < 0:
            continue
        t_w = wt[i]
        w = [e for e in events if e[0] == t_w and e[1] == ">"][0]
        j = bisect.bisect_left(rt, t_w) - 1
        if j < 0 or (i > 0 and rt[j] < wt[i - 1]):
            continue  # that write did not follow a read
        t_r = rt[j]
        kind = "command" if w[2].startswith(b"AT") else "payload"
        t_d = t_a - gap
        kinds.setdefault(kind, []).append(
            (gap, t_r - t_d, t_w - t_r, t_a - t_w))
    names = {"payload": "'> ' prompt -> payload",
             "command": ("SEND OK -> next AT+QISEND" if column == "send"
                         else "OK -> next AT+QIRD")}
    info["host"] = {}
    for kind in ("payload", "command"):
        if kind not in kinds:
            continue
        v = kinds[kind]
        info["host"][kind] = (pct([x[2] for x in v], 50),
                              pct([x[2] for x in v], 90),
                              pct([x[0] for x in v], 50),
                              pct([x[0] for x in v], 90))
        lines.append("     host turnaround, %s:" % names[kind])
        lines.append("       driver (its read of the reply's end -> its "
                     "write): %s" % fmt_us([x[2] for x in v]))
        lines.append("       on the line (last reply byte delivered -> "
                     "first byte back): %s" % fmt_us([x[0] for x in v]))
        lines.append("         = wake-up (delivered -> read) %.0f + driver "
                     "%.0f + write -> proxy %.0f us (medians)" % (
                         pct([x[1] for x in v], 50) / 1e3,
                         pct([x[2] for x in v], 50) / 1e3,
                         pct([x[3] for x in v], 50) / 1e3))
    mod = [g for _, g in turns(trace, t0, t1, "down", "up")]
    lines.append("     module side (last command byte delivered -> first "
                 "reply byte from the emulator): %s" % fmt_us(mod))
    # an exchange's time against its bytes' line time
    starts = [e[0] for e in writes if e[2].startswith(b"AT")]
    if len(starts) > 2:
        n_ex = len(starts) - 1
        period = (starts[-1] - starts[0]) / n_ex
        inside = [e for e in events if starts[0] <= e[0] < starts[-1]]
        per_bytes = sum(len(d) for _, _, d in inside) / n_ex
        line_t = per_bytes * 10.0 / baud * 1e9
        host = sum(x[0] for v in kinds.values() for x in v) / n_ex
        lines.append(
            "     per exchange: %.0f us = line time %.0f us (%.0f bytes) + "
            "host turnarounds %.0f us + module side %.0f us + rest %.0f us"
            % (period / 1e3, line_t / 1e3, per_bytes, host / 1e3,
               sum(mod) / n_ex / 1e3,
               (period - line_t - host - sum(mod) / n_ex) / 1e3))
    return info, lines


# -- the bench ---------------------------------------------------------------

def main():
    args = sys.argv[1:]
    if args and args[0] == "--child":
        return child(args[1:])
    quick = "--quick" in args

    def opt(name, default):
        if name in args:
            return args[args.index(name) + 1]
        return default

    nbytes = int(opt("--bytes", 65536 if quick else MIB))
    rates = [int(r) for r in opt("--rates", "115200,921600").split(",")]
    chunk = int(opt("--send-chunk", 1460))
    instrument = "--no-instrument" not in args
    floor = "--floor" in args
    repeat = int(opt("--repeat", 3))
    priority = "--no-priority" not in args
    from bench_driver import start_emulator, stop
    print("bc26 goodput through a UART-paced proxy (%s), %d KiB each way, "
          "send() of %d bytes" % (time.strftime("%Y-%m-%d"), nbytes // 1024,
                                  chunk))
    payload = os.urandom(nbytes)
    emu, emu_url = start_emulator(0, tcp=True)
    if priority:
        # the module's side of the line ahead of the host's load, like the
        # hardware it stands for (the driver's process stays as it is)
        try:
            os.setpriority(os.PRIO_PROCESS, emu.pid, -10)
        except (AttributeError, OSError):
            pass
    upstream = emu_url[len("socket://"):]
    results = {}
    details = {}
    tmp = tempfile.mkdtemp(prefix="bc26-goodput-")
    try:
        for baud in rates:
            print("\n%d baud: line rate %d bytes/s" % (baud, baud // 10),
                  flush=True)
            with open(os.path.join(tmp, "proxy-%d.err" % baud), "w") as err:
                proxy, url = start_proxy(upstream, baud, stderr=err,
                                          rt=priority)
                try:
                    # short runs are repeated (the best is kept): this
                    # machine's other load moves single runs by several %
                    reps = repeat if nbytes * 10.0 / baud < 30 else 1
                    for column in COLUMNS:
                        runs = [one_run(url, column, nbytes, payload,
                                        chunk=chunk) for _ in range(reps)]
                        res = max(runs, key=lambda r: r["goodput"])
                        results[baud, column] = res
                        also = ""
                        if reps > 1:
                            also = ", of %d runs: %s" % (reps, " ".join(
                                "%.4f" % (r["goodput"] / (baud / 10))
                                for r in runs))
                        print("   %-24s %8.0f bytes/s  %.4f of line  (%.2f s, "
                              "driver CPU %.2f s%s)" % (
                                  NAMES[column], res["goodput"],
                                  res["goodput"] / (baud / 10),
                                  res["secs"], res["cpu"], also), flush=True)
                finally:
                    stop(proxy)
            if not instrument:
                continue
            # the instrumented runs: about as long as 1 MiB at 921600
            ibytes = min(nbytes, max(65536, nbytes * baud // 921600))
            tdir = os.path.join(tmp, "trace-%d" % baud)
            os.mkdir(tdir)
            print("\n   instrumented runs at %d baud (driver log + proxy "
                  "trace), %d KiB each:" % (baud, ibytes // 1024), flush=True)
            errpath = os.path.join(tmp, "proxy-%d-trace.err" % baud)
            with open(errpath, "w") as err:
                proxy, url = start_proxy(upstream, baud, tdir, stderr=err,
                                          rt=priority)
                try:
                    for i, column in enumerate(COLUMNS, 1):
                        logpath = os.path.join(tmp, "log-%d-%s.pickle" % (
                            baud, column))
                        res = one_run(url, column, ibytes, payload, logpath,
                                      chunk)
                        tpath = os.path.join(tdir, "conn%d.trace" % i)
                        wait_for(tpath)
                        with open(logpath, "rb") as f:
                            events = pickle.load(f)
                        trace = load_trace(tpath)
                        info, lines = analyse(column, baud, res, events, trace)
                        details[baud, column] = info
                        print("   %s" % NAMES[column])
                        print("\n".join(lines))
                        print("     proxy: %s" % proxy_line(err.name, i),
                              flush=True)
                        del events, trace
                    if floor:
                        print("\n   the floor: a minimal blocking loop on the "
                              "raw socket (no driver), same proxy and "
                              "emulator, %d KiB:" % (ibytes // 1024))
                        for column in ("send-raw", "buffer-raw"):
                            runs = [one_run(url, column, ibytes, payload)
                                    for _ in range(repeat)]
                            print("   %-24s best %.4f of line (%s)" % (
                                NAMES[column[:-4]] + ", raw", max(
                                    r["goodput"] for r in runs) / (baud / 10),
                                " ".join("%.4f" % (r["goodput"] / (baud / 10))
                                         for r in runs)), flush=True)
                finally:
                    stop(proxy)
    finally:
        stop(emu)
    # framing does not depend on the rate (the run's mix of read sizes
    # may): a rate without its own transcript takes another's
    limits = {}
    for (baud, column), info in sorted(details.items()):
        limits.setdefault(column, (info["limit"], info["run_limit"]))
    nan = float("nan")
    print("\nsummary: goodput as a fraction of the line rate (BAUD/10 "
          "bytes/s); limit: one full exchange's payload / all its bytes "
          "(in brackets: over a whole run)")
    print("   %7s  %-24s %8s %17s %7s  %s" % (
        "rate", "column", "goodput", "limit", "target", "result"))
    for baud in rates:
        for column in COLUMNS:
            g = results[baud, column]["goodput"] / (baud / 10)
            if (baud, column) in details:
                lim = details[baud, column]["limit"]
                run = details[baud, column]["run_limit"]
            else:
                lim, run = limits.get(column, (nan, nan))
            t = TARGETS[column]
            print("   %7d  %-24s %8.4f %8.4f (%.4f) %7.2f  %s" % (
                baud, NAMES[column], g, lim, run, t,
                "met" if g >= t else "missed"))
    if details:
        print("\n   AT turnarounds per MiB: " + "; ".join(
            "%d baud: " % b + ", ".join(
                "%s %.0f" % (c, details[b, c]["turns_per_mib"])
                for c in COLUMNS if (b, c) in details)
            for b in rates))
    print("   (proxy logs and traces in %s)" % tmp)


if __name__ == "__main__":
    main()
