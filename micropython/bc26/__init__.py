"""bc26: driver for the Quectel BC26 NB-IoT module's TCP/IP stack.

One pure-Python core for MicroPython, CircuitPython and CPython; on CPython a
C tokenizer takes over the hot parsing path when it is built.
"""
from .errors import ModemError, ProtocolError, NotReady

# The tokenizer twin, chosen before the modules that use it import (they
# take it from here): bc26.host.twin on a host; a board has no bc26.host.
try:
    from .host.twin import Tokenizer, IMPLEMENTATION
except ImportError:
    from .tokenizer import Tokenizer
    IMPLEMENTATION = "python"
from .modem import Modem
from .state import BUFFER, DIRECT_PUSH

__version__ = "0.1.0"

# what `from bc26 import *` gives (the lazy names included: it loads them)
__all__ = ("ModemError", "ProtocolError", "Tokenizer", "IMPLEMENTATION",
           "NotReady", "Modem", "SocketPool", "Socket", "BUFFER",
           "DIRECT_PUSH", "SocketInfo", "install_socket_module")


# Loaded on first use; "from bc26 import aio" asks __getattr__ first on
# MicroPython, so it imports them (and nothing else: dir() asks too).
_LAZY = ("aio", "services", "recovery", "reconcile", "commands_extra", "errtext", "socketpool",
         "replies", "bringup", "socket_module")


def __getattr__(name):
    """What import bc26 does not load until asked for."""
    if name == "SocketInfo":  # (a kind of the rare replies': replies.py)
        from .replies import SocketState
        return SocketState
    if name == "PingResult":
        from .services import PingResult
        return PingResult
    if name == "SocketPool" or name == "Socket":
        from . import socketpool
        _collect()  # its loading's garbage (see the end of this file)
        value = getattr(socketpool, name)
        globals()[name] = value  # asked once: a name of the package now
        return value
    if name == "install_socket_module":
        from .socket_module import install_socket_module
        return install_socket_module
    if name == "ERRORS":
        from .errtext import ERRORS
        return ERRORS
    if name in _LAZY:
        return __import__(__name__ + "." + name, None, None, [name])
    raise AttributeError(name)


# A board collects the import's garbage now (a quarter of what it
# allocated, in small pieces: tables its dictionaries outgrew, say),
# before the application allocates -- and SocketPool's when it loads:
# left to a later collection, they are holes that the application's
# objects fill one by one, and a buffer of a KB (a socket's) then finds
# no room in a heap that has the bytes free.  A host's collector needs no
# such help.
from .command import ON_BOARD as _ON_BOARD

if _ON_BOARD:
    from gc import collect as _collect
else:
    def _collect():
        pass
del _ON_BOARD
_collect()
