"""bc26: driver for the Quectel BC26 NB-IoT module's TCP/IP stack.

One pure-Python core for MicroPython, CircuitPython and CPython; on CPython a
C tokenizer takes over the hot parsing path when it is built.
"""
from .errors import ModemError, ProtocolError
from ._twin import Tokenizer, IMPLEMENTATION
from .operations import NotReady
from .modem import Modem
from .socketpool import SocketPool, Socket
from .state import BUFFER, DIRECT_PUSH
from .events import SocketState as SocketInfo

__version__ = "0.1.0"


def __getattr__(name):
    """What import bc26 does not load until asked for: PingResult and the
    submodules (from bc26 import aio).  MicroPython asks a package's
    __getattr__ before it imports a submodule, so this imports it."""
    if name == "PingResult":
        from .services import PingResult
        return PingResult
    if name == "ERRORS":
        from .errtext import ERRORS
        return ERRORS
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        return __import__(__name__ + "." + name, None, None, [name])
    except ImportError:
        raise AttributeError(name)
