// The "virtual board": runs a MicroPython script on the WebAssembly port
// with the driver core in /lib/bc26 and a UART wired to a serial device
// (typically the emulator's pty).
//
//   node tests/mpy/board.mjs [--uart /dev/pts/N] [--heap BYTES] script.py [arg ...]
//
// The script sees a JS module `jsuart`:
//   write(hexstr) -> bytes written       read(maxbytes) -> hexstr ('' = none)
//   sleep_ms(n)   (blocks)               ticks_ms() -> int, wraps like time.ticks_ms
//   error() -> last I/O error code, then clears it ('' if none)
// and tests/mpy/vuart.py as module `vuart` (VirtualUART on top of jsuart).
// Bytes cross the JS boundary as hex strings: a JS exception thrown into
// the VM cannot be caught by Python, so these functions never throw.
// Exit status: the script's SystemExit code, 1 on an uncaught exception.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadVM, installCore, runPython } from "./vm.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WRITE_TIMEOUT_MS = 5000;
// MicroPython's ticks period; JS integers reach Python as int32, so
// Date.now() would be truncated anyway.
const TICKS_MASK = 0x3fffffff;

function usage(msg) {
  if (msg) console.error(`board.mjs: ${msg}`);
  console.error("usage: node board.mjs [--uart PATH] [--heap BYTES] script.py [arg ...]");
  process.exit(2);
}

let uartPath = null;
let heapsize = 4 * 1024 * 1024;
let script = null;
let scriptArgs = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--uart") uartPath = argv[++i];
  else if (a === "--heap") heapsize = parseInt(argv[++i], 10);
  else if (a.startsWith("--")) usage(`unknown option ${a}`);
  else {
    script = a;
    scriptArgs = argv.slice(i + 1);
    break;
  }
}
if (!script) usage("no script given");
if (uartPath === undefined || Number.isNaN(heapsize)) usage("option needs a value");

const waitCell = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms) {
  if (ms > 0) Atomics.wait(waitCell, 0, 0, ms);
}

const start = performance.now();
const ticksMs = () => Math.floor(performance.now() - start) & TICKS_MASK;

let fd = null;
let lastError = "";
if (uartPath) {
  try {
    const c = fs.constants;
    fd = fs.openSync(uartPath, c.O_RDWR | c.O_NONBLOCK | c.O_NOCTTY);
  } catch (e) {
    console.error(`board.mjs: cannot open ${uartPath}: ${e.message}`);
    process.exit(2);
  }
}

function uartWrite(hex) {
  if (fd === null) {
    lastError = "ENODEV";
    return 0;
  }
  const data = Buffer.from(String(hex), "hex");
  let done = 0;
  const deadline = performance.now() + WRITE_TIMEOUT_MS;
  while (done < data.length) {
    try {
      done += fs.writeSync(fd, data, done, data.length - done);
    } catch (e) {
      if (e.code !== "EAGAIN" || performance.now() > deadline) {
        lastError = e.code || String(e);
        break;
      }
      sleepMs(1); // the other end is not reading yet
    }
  }
  return done;
}

const readBuf = Buffer.alloc(4096);
function uartRead(maxbytes) {
  if (fd === null) {
    lastError = "ENODEV";
    return "";
  }
  const n = Math.max(0, Math.min(maxbytes | 0, readBuf.length));
  if (n === 0) return "";
  try {
    const got = fs.readSync(fd, readBuf, 0, n, null);
    return readBuf.toString("hex", 0, got);
  } catch (e) {
    if (e.code !== "EAGAIN") lastError = e.code || String(e);
    return "";
  }
}

const { mp, flush } = await loadVM({ heapsize });
mp.registerJsModule("jsuart", {
  write: uartWrite,
  read: uartRead,
  sleep_ms: sleepMs,
  ticks_ms: ticksMs,
  error: () => {
    const e = lastError;
    lastError = "";
    return e;
  },
});
installCore(mp);
mp.FS.writeFile("/lib/vuart.py", fs.readFileSync(path.join(HERE, "vuart.py")));

const vmScript = `/board/${path.basename(script)}`;
mp.FS.mkdirTree("/board");
mp.FS.writeFile(vmScript, fs.readFileSync(script));

const err = runPython(
  mp,
  `
import sys
# sys attributes are read-only on MicroPython: refill the list instead.
while sys.argv:
    sys.argv.pop()
sys.argv.extend(${JSON.stringify([vmScript, ...scriptArgs])})
sys.path.insert(0, "/board")
_board_rc = 0
try:
    with open(${JSON.stringify(vmScript)}) as _f:
        _src = _f.read()
    exec(compile(_src, ${JSON.stringify(vmScript)}, "exec"), {"__name__": "__main__"})
except SystemExit as _e:
    _c = _e.args[0] if _e.args else None
    if _c is None or isinstance(_c, int):
        _board_rc = _c or 0
    else:
        print(_c, file=sys.stderr)
        _board_rc = 1
except BaseException as _e:
    sys.print_exception(_e, sys.stderr)
    _board_rc = 1
`,
);
flush();
if (fd !== null) fs.closeSync(fd);
if (err) {
  process.stderr.write(err.message);
  process.exitCode = 1;
} else {
  process.exitCode = mp.globals.get("_board_rc");
}
