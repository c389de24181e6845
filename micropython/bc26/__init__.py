"""bc26: driver for the Quectel BC26 NB-IoT module's TCP/IP stack.

One pure-Python core for MicroPython, CircuitPython and CPython; on CPython a
C tokenizer takes over the hot parsing path when it is built.
"""
from .errors import ModemError, ProtocolError, ERRORS
from ._twin import Tokenizer, IMPLEMENTATION
from .operations import NotReady, PingResult
from .modem import Modem
from .socketpool import SocketPool, Socket
from .state import BUFFER, DIRECT_PUSH
from .events import SocketState as SocketInfo

__version__ = "0.1.0"
