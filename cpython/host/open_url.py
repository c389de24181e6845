"""Modem.open(url) on CPython. pyserial is imported by the first call, so
the driver imports without it (a host that never opens a port, the
pure-Python wheel's own tests)."""


def open_modem(cls, url, baudrate=115200, **kw):
    """CPython: a Modem on any pyserial URL (/dev/tty*, socket://, ...);
    kw go to the Modem (log, rx_capacity, ...)."""
    from .serial_port import open_uart
    return cls(open_uart(url, baudrate), **kw)
