"""A tiny test runner for the portable suite, for MicroPython (and CPython).

Imports every test_*.py module of a folder, calls each top-level callable
named test_* with no arguments, prints every failure with its traceback and
ends with one line:

    <implementation>: N passed, M failed

e.g. "micropython: 42 passed, 0 failed". A module that fails to import
counts as one failure.

    python tests/portable/mptest.py [module ...]    # CPython, for comparison
"""

import gc
import os
import sys


def _print_exception(e):
    if hasattr(sys, "print_exception"):  # MicroPython
        sys.print_exception(e)
    else:
        import traceback

        traceback.print_exception(type(e), e, e.__traceback__, file=sys.stdout)


def _here():
    path = __file__
    i = path.rfind("/")
    return path[:i] if i > 0 else ("/" if i == 0 else ".")


def modules(folder, only=None):
    """Names of the test_*.py modules in folder, sorted; only filters them."""
    names = []
    for entry in os.listdir(folder):
        if entry.startswith("test_") and entry.endswith(".py"):
            name = entry[:-3]
            if not only or name in only:
                names.append(name)
    names.sort()
    return names


def tests(module):
    """(name, function) for every top-level test_* callable, sorted by name.

    Sorted because MicroPython's module dict keeps no definition order.
    """
    found = []
    for name in dir(module):
        if name.startswith("test_"):
            obj = getattr(module, name)
            if callable(obj) and not isinstance(obj, type):
                found.append((name, obj))
    found.sort(key=lambda item: item[0])
    return found


def run(folder=None, only=None):
    """Run the suite in folder (default: this file's); return (passed, failed)."""
    if folder is None:
        folder = _here()
    if folder not in sys.path:
        sys.path.insert(0, folder)
    passed = failed = 0
    for name in modules(folder, only):
        try:
            module = __import__(name)
        except Exception as e:
            failed += 1
            print("ERROR %s: import failed" % name)
            _print_exception(e)
            continue
        ok = bad = 0
        for test_name, fn in tests(module):
            try:
                fn()
                ok += 1
            except Exception as e:
                bad += 1
                print("FAIL %s.%s" % (name, test_name))
                _print_exception(e)
            gc.collect()
        print("-- %s: %d tests, %d failures" % (name, ok + bad, bad))
        passed += ok
        failed += bad
    return passed, failed


def main(only=None, folder=None):
    if only:
        # Accept paths and file names as well as module names.
        only = [n.rsplit("/", 1)[-1].replace(".py", "") for n in only]
    passed, failed = run(folder, only)
    print("%s: %d passed, %d failed" % (sys.implementation.name, passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
