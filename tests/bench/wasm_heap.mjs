// Heap figures of the driver on the MicroPython WebAssembly port (32-bit),
// with the core installed as .mpy, as tests/bench/bench_mpy.py takes them
// on the unix port.
//
//   node tests/bench/wasm_heap.mjs --build DIR --uart PTY --echo PORT
//        [--mode 0|1] [--layer MODULE ...] [--heap BYTES]
//
// DIR is a unixport.build_mpy() folder (DIR/bc26/*.mpy), PTY the emulator's
// (`bc26 emulate --pty`), PORT a TCP echo server. Prints "fig NAME VALUE"
// lines: heap per import layer (bc26, then each --layer), the live heap of
// a started Modem with one connected socket, and bytes allocated by one
// send(512) and by the recv_into calls that take the echo back: the
// driver's share (send512, recv512), with the virtual UART's own hex
// strings taken off (VirtualUART.allocated counts them, exactly: the GC is
// off) and reported beside it (send512.uart, recv512.uart).
//
// A live-heap figure is read in its own runPython call after a call that
// only runs gc.collect(): a collection inside a longer call cannot free
// what the running call still holds on the C stack.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadVM, runPython } from "../mpy/vm.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const VUART = path.join(HERE, "..", "mpy", "vuart.py");
const TICKS_MASK = 0x3fffffff; // as time.ticks_ms wraps

function parseArgs(argv) {
  const o = { build: null, uart: null, echo: null, mode: 0, layers: [], heap: 4 << 20 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[++i];
    if (v === undefined) throw new Error(`${a} needs a value`);
    if (a === "--build") o.build = v;
    else if (a === "--uart") o.uart = v;
    else if (a === "--echo") o.echo = parseInt(v, 10);
    else if (a === "--mode") o.mode = parseInt(v, 10);
    else if (a === "--layer") o.layers.push(v);
    else if (a === "--heap") o.heap = parseInt(v, 10);
    else throw new Error(`unknown option ${a}`);
  }
  if (!o.build || !o.uart || !o.echo) throw new Error("--build, --uart and --echo are required");
  return o;
}

// The jsuart module tests/mpy/vuart.py expects (as board.mjs gives it):
// hex strings across the JS boundary, and functions that never throw.
function jsuart(device) {
  const c = fs.constants;
  const fd = fs.openSync(device, c.O_RDWR | c.O_NONBLOCK | c.O_NOCTTY);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  // returns nothing: a JS value handed back would be a new str in the heap
  const sleepMs = (ms) => {
    if (ms > 0) Atomics.wait(cell, 0, 0, ms);
  };
  const t0 = performance.now();
  const rbuf = Buffer.alloc(4096);
  let lastError = "";
  return {
    write(hex) {
      const data = Buffer.from(String(hex), "hex");
      let done = 0;
      const deadline = performance.now() + 5000;
      while (done < data.length) {
        try {
          done += fs.writeSync(fd, data, done, data.length - done);
        } catch (e) {
          if (e.code !== "EAGAIN" || performance.now() > deadline) {
            lastError = e.code || String(e);
            break;
          }
          sleepMs(1);
        }
      }
      return done;
    },
    read(maxbytes) {
      const n = Math.max(0, Math.min(maxbytes | 0, rbuf.length));
      try {
        return n ? rbuf.toString("hex", 0, fs.readSync(fd, rbuf, 0, n, null)) : "";
      } catch (e) {
        if (e.code !== "EAGAIN") lastError = e.code || String(e);
        return "";
      }
    },
    sleep_ms: sleepMs,
    ticks_ms: () => Math.floor(performance.now() - t0) & TICKS_MASK,
    error() {
      const e = lastError;
      lastError = "";
      return e;
    },
  };
}

function install(mp, build) {
  mp.FS.mkdirTree("/lib/bc26");
  const pkg = path.join(build, "bc26");
  for (const name of fs.readdirSync(pkg).filter((n) => n.endsWith(".mpy")).sort()) {
    mp.FS.writeFile(`/lib/bc26/${name}`, fs.readFileSync(path.join(pkg, name)));
  }
  mp.FS.writeFile("/lib/vuart.py", fs.readFileSync(VUART));
}

// Helpers defined once, before any baseline, so that defining them is not
// counted; the globals the steps assign exist already for the same reason.
const SETUP = `
import gc
import sys
from vuart import VirtualUART
_base = _m = _pool = _s = _uart = None
_payload = bytes(range(256)) * 2
_buf = bytearray(512)
_sends = []
_recvs = []
_sends_uart = []
_recvs_uart = []

def _receive(s, buf, want):
    got = 0
    while got < want:
        n = s.recv_into(buf, want - got)
        if not n:
            raise OSError(104, "echo connection closed")
        got += n

def _checked_trip():
    if _s.send(_payload) != 512:
        raise RuntimeError("short send")
    got = bytearray(512)
    mv = memoryview(got)
    k = 0
    while k < 512:
        k += _s.recv_into(mv[k:], 512 - k)
    if got != _payload:
        raise RuntimeError("echo differs")

def _alloc(samples, uart_samples, fn, *args):
    # bytes fn allocates, less those the UART's calls in it allocated
    gc.disable()
    u = _uart.allocated
    before = gc.mem_alloc()
    fn(*args)
    used = gc.mem_alloc() - before
    u = _uart.allocated - u
    gc.enable()
    samples.append(used - u)
    uart_samples.append(u)

def _report(name, samples):
    samples.sort()
    print("fig %s.med %d" % (name, samples[len(samples) // 2]))
    print("fig %s.min %d" % (name, samples[0]))
`;

function main() {
  const o = parseArgs(process.argv.slice(2));
  return loadVM({ heapsize: o.heap }).then(({ mp, flush }) => {
    mp.registerJsModule("jsuart", jsuart(o.uart));
    install(mp, o.build);
    const run = (src) => {
      const err = runPython(mp, src);
      flush();
      if (err) throw new Error(err.message);
    };
    const mark = () => {
      run("gc.collect()");
      run("_base = gc.mem_alloc()");
    };
    const live = (name) => {
      run("gc.collect()");
      run(`print("fig ${name}", gc.mem_alloc() - _base)`);
    };
    run(SETUP);
    for (const name of ["bc26", ...o.layers]) {
      mark();
      run(`__import__(${JSON.stringify(name)})`);
      live(`heap.import.${name}`);
    }
    run("import bc26");
    // start() loads its bring-up and (on a board) unloads it again: loaded
    // by the layers above, its unloading would be counted off the runtime
    run("import sys\nsys.modules.pop('bc26.bringup', None)\ndelattr(bc26, 'bringup')");
    run("import micropython\nmicropython.qstr_info()");  // names before ...
    mark();
    run("_uart = VirtualUART(2048)");
    live("heap.uart");
    run(`_m = bc26.Modem(_uart)
_m.start(timeout=20)
_pool = bc26.SocketPool(_m, access_mode=${o.mode})
_s = _pool.socket()
_s.settimeout(10)
_s.connect(("127.0.0.1", ${o.echo}))`);
    run("for _ in range(5):\n    _checked_trip()");
    live("heap.runtime");  // after a few round trips, as on the unix port
    run("micropython.qstr_info()");  // ... and after: a new pool is counted
    for (let i = 0; i < 10; i++) {
      run("_alloc(_sends, _sends_uart, _s.send, _payload)");
      run("_alloc(_recvs, _recvs_uart, _receive, _s, _buf, 512)");
    }
    run(`_report("send512", _sends)
_report("recv512", _recvs)
_report("send512.uart", _sends_uart)
_report("recv512.uart", _recvs_uart)
_s.close()`);
  });
}

main().catch((e) => {
  process.stderr.write(`wasm_heap.mjs: ${e.message}\n`);
  process.exitCode = 1;
});
