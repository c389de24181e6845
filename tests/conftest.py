import os
import sys

# tests/portable is a package (so its module names cannot clash with
# tests/core's); its modules import each other by plain name, as they do on
# MicroPython, so the folder itself goes on sys.path too.
_PORTABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "portable")
if _PORTABLE not in sys.path:
    sys.path.insert(0, _PORTABLE)
