"""A `socket` module for MicroPython libraries that import one (umqtt.simple,
urequests-style code): they run unmodified over the BC26.

    import bc26
    bc26.install_socket_module(modem)    # after modem.start()
    from umqtt.simple import MQTTClient  # its `import usocket as socket`
                                         # now gets the BC26's sockets

The sockets are bc26.SocketPool's, which already behave as MicroPython
streams (read, readinto, readline, write; None from a non-blocking read
with nothing there) and as CircuitPython sockets (recv_into, sendto ...).
"""

from .socketpool import SocketPool
from .state import BUFFER


class SocketModule:
    """What `import socket` gives once installed: socket(), getaddrinfo()
    and the constants, over one modem."""

    error = OSError

    def __init__(self, modem, access_mode=BUFFER):
        self.pool = SocketPool(modem, access_mode)

    def __getattr__(self, name):
        # the constants (AF_INET, SOCK_STREAM, IPPROTO_TCP, SOL_SOCKET ...)
        # are the pool's
        if name.isupper():
            return getattr(self.pool, name)
        raise AttributeError(name)

    def socket(self, af=2, type=1, proto=0):
        """socket.socket(): a TCP (SOCK_STREAM) or UDP (SOCK_DGRAM) socket."""
        return self.pool.socket(af, type, proto)

    def getaddrinfo(self, host, port, af=0, type=0, proto=0, flags=0):
        """[(family, type, proto, canonname, (ip, port))], through the
        module's DNS (AT+QIDNSGIP)."""
        return self.pool.getaddrinfo(host, port, af, type, proto, flags)


def install_socket_module(modem, access_mode=BUFFER, names=("socket", "usocket")):
    """Make `import socket` (and `import usocket`) give the BC26's sockets,
    for code imported from now on; returns the module object.  access_mode:
    BUFFER or DIRECT_PUSH for the sockets it makes.  On CPython this
    replaces the standard socket module in sys.modules: meant for running
    MicroPython code, not for a host process that needs its own sockets."""
    import sys

    module = SocketModule(modem, access_mode)
    for name in names:
        sys.modules[name] = module
    return module
