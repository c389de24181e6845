// Shared set-up for the MicroPython WebAssembly VM under Node.js: load it,
// route its output, and copy files from the repository into its filesystem.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, "..", "..");
const PACKAGE = "@micropython/micropython-webassembly-pyscript";

// Output arrives one byte at a time (linebuffer: false, so a last line
// without "\n" is not lost); batch it and flush at newlines and at exit.
function sink(stream) {
  let pending = [];
  const flush = () => {
    if (pending.length) {
      stream.write(Buffer.from(pending));
      pending = [];
    }
  };
  const put = (bytes) => {
    for (const b of bytes) {
      pending.push(b);
      if (b === 10 || pending.length >= 4096) flush();
    }
  };
  return { put, flush };
}

export async function loadVM({ heapsize = 4 * 1024 * 1024 } = {}) {
  let mod;
  try {
    mod = await import(PACKAGE);
  } catch (e) {
    console.error(
      `cannot load ${PACKAGE}: ${e.message}\n` +
        "install it with: npm ci --prefix tests/mpy",
    );
    process.exit(2);
  }
  const out = sink(process.stdout);
  const err = sink(process.stderr);
  const mp = await mod.loadMicroPython({
    heapsize,
    linebuffer: false,
    stdout: out.put,
    stderr: err.put,
  });
  const flush = () => {
    out.flush();
    err.flush();
  };
  process.on("exit", flush);
  return { mp, flush };
}

// Copy every .py file of a host folder (not recursing) into the VM.
export function copyPy(mp, hostDir, vmDir) {
  mp.FS.mkdirTree(vmDir);
  const names = fs.readdirSync(hostDir).filter((n) => n.endsWith(".py")).sort();
  for (const name of names) {
    mp.FS.writeFile(`${vmDir}/${name}`, fs.readFileSync(path.join(hostDir, name)));
  }
  return names;
}

// The driver core goes where mip would put it on a board.
export function installCore(mp) {
  return copyPy(mp, path.join(REPO, "micropython", "bc26"), "/lib/bc26");
}

// runPython raises a JS PythonError whose .message is the formatted
// traceback; print just that instead of Node's dump of the minified source.
export function runPython(mp, src) {
  try {
    mp.runPython(src);
    return null;
  } catch (e) {
    if (e && e.name === "PythonError") return e;
    throw e;
  }
}
