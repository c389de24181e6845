"""Every module of the core imports: on MicroPython this catches CPython-only
constructs in modules no other portable test reaches (e.g. bc26.aio).
Plain functions and assert: runs under pytest and on MicroPython."""

import os

import bc26


def _core_modules():
    folder = bc26.__file__.rsplit("/", 1)[0]
    names = []
    for entry in os.listdir(folder):
        if entry.endswith(".py") and entry != "__init__.py":
            names.append(entry[:-3])
    names.sort()
    return names


def test_core_modules_found():
    names = _core_modules()
    for expected in ("commands", "errors", "tokenizer"):
        assert expected in names, names


def test_every_core_module_imports():
    failed = []
    for name in _core_modules():
        try:
            __import__("bc26." + name)
        except Exception as e:
            failed.append("bc26.%s: %s: %s" % (name, type(e).__name__, e))
    assert not failed, "\n".join(failed)


def test_public_names():
    for name in ("ModemError", "ProtocolError", "ERRORS", "Modem", "SocketPool", "IMPLEMENTATION"):
        assert hasattr(bc26, name), name
    assert bc26.IMPLEMENTATION in ("c", "python")
