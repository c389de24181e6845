"""Which tokenizer twin runs on a host: the C one when it is built, else
the pure-Python one; BC26_PUREPYTHON=1 in the environment forces the
Python twin. `import bc26` asks this module first; a board has no
bc26.host, so there the import fails and the Python twin runs (that choice
costs a board only the failed import). A board given a host's tree
anyway still gets the Python twin: its os may lack getenv, and the C
twin's cffi does not import there."""

try:
    from os import getenv
except ImportError:
    def getenv(name):
        return None

IMPLEMENTATION = "python"
Tokenizer = None
if getenv("BC26_PUREPYTHON") != "1":
    try:
        from .ctokenizer import Tokenizer
        IMPLEMENTATION = "c"
    except ImportError:  # not built (or cffi missing): the Python twin
        pass
if Tokenizer is None:
    from ..tokenizer import Tokenizer
