"""SocketUART(host, port): the driver's UART on MicroPython's unix port in
the tests and benchmarks -- the virtual board's own UART
(cpython/host/virtual_uart.py, compiled beside this file by unixport.py),
a TCP connection to `bc26 emulate --listen`.

    uart = SocketUART("127.0.0.1", port)
    modem = bc26.Modem(uart)

Once set up, readinto/write/any/wait allocate no heap (test_unix_port.py
holds it to that): one poll object registered once and asked through
ipoll(), readiness known before a read or write so EAGAIN never becomes an
OSError (an exception allocates), partial writes resumed by offset.
"""

from virtual_uart import UART


def SocketUART(host, port, rxbuf=2048):
    """A UART to host:port; rxbuf sizes the kernel's receive buffer, the
    stand-in for a UART's (None: the system default)."""
    return UART("socket://%s:%d" % (host, port), rxbuf)
