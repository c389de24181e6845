"""cffi build script for the C tokenizer twin: API mode, out of line.

Used by setup.py (cffi_modules) and runnable by hand: `python csrc/build_cffi.py`
builds bc26/_ctok in the current directory."""
import os

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))
MARK_BEGIN = "/* cdef-begin */"
MARK_END = "/* cdef-end */"


def cdef_source():
    """The declarations between the cdef markers of bc26_tok.h."""
    with open(os.path.join(HERE, "bc26_tok.h")) as f:
        text = f.read()
    return text.split(MARK_BEGIN, 1)[1].split(MARK_END, 1)[0]


def _source_path():
    # setuptools wants sources relative to the project root (the cwd); from
    # elsewhere an absolute path keeps the object file out of csrc/
    path = os.path.join(HERE, "bc26_tok.c")
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if rel.startswith(os.pardir) else rel


ffibuilder = FFI()
ffibuilder.cdef(cdef_source())
ffibuilder.set_source(
    "bc26._ctok",
    '#include "bc26_tok.h"',
    sources=[_source_path()],
    include_dirs=[HERE],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
