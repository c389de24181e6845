// Runs the portable suite (tests/portable/test_*.py) on the MicroPython
// WebAssembly port, with the driver core installed as /lib/bc26.
//
//   node tests/mpy/run_tests.mjs [--heap BYTES] [test_module ...]
//
// Prints mptest's report, ending "micropython: N passed, M failed"; exits
// non-zero when anything failed or nothing ran.
import path from "node:path";
import { REPO, loadVM, installCore, copyPy, runPython } from "./vm.mjs";

const VM_TESTS = "/tests";

let heapsize = 4 * 1024 * 1024;
const only = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--heap") heapsize = parseInt(args[++i], 10);
  else only.push(args[i].replace(/\.py$/, "").replace(/^.*\//, ""));
}

const { mp, flush } = await loadVM({ heapsize });
installCore(mp);
copyPy(mp, path.join(REPO, "tests", "portable"), VM_TESTS);

const err = runPython(
  mp,
  [
    "import sys",
    `sys.path.insert(0, ${JSON.stringify(VM_TESTS)})`,
    "print(sys.implementation.name, sys.version)",
    "import mptest",
    `_rc = mptest.main(${JSON.stringify(only)}, ${JSON.stringify(VM_TESTS)})`,
  ].join("\n"),
);
flush();
if (err) {
  process.stderr.write(err.message);
  process.exitCode = 1;
} else {
  process.exitCode = mp.globals.get("_rc");
}
