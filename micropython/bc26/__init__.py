"""bc26: driver for the Quectel BC26 NB-IoT module's TCP/IP stack."""
from .errors import ModemError, ProtocolError, ERRORS

__version__ = "0.1.0"
