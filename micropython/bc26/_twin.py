"""Which tokenizer twin runs: the C one when built, else pure Python.

BC26_PUREPYTHON=1 in the environment forces the pure-Python twin.  On
MicroPython the C twin never imports (and os may lack getenv)."""


def _forced_python():
    try:
        from os import getenv
    except ImportError:
        return False
    return getenv("BC26_PUREPYTHON") == "1"


IMPLEMENTATION = "python"
Tokenizer = None
if not _forced_python():
    try:
        from .host.ctokenizer import Tokenizer
        IMPLEMENTATION = "c"
    except ImportError:
        pass
if Tokenizer is None:
    from .tokenizer import Tokenizer
