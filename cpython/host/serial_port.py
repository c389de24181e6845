"""pyserial as a UART for the Modem: non-blocking readinto plus wait()."""

import select
import socket
import time

import serial


class SerialUART:
    """Wraps serial.Serial (any URL) with the calls Modem uses."""

    def __init__(self, port):
        self.port = port
        # socket://: AT traffic is many small writes, each waiting for an
        # answer -- Nagle's algorithm would hold them back for the peer's
        # delayed ACK
        sock = getattr(port, "_socket", None)
        if sock is not None:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        try:
            self._fd = port.fileno()
        except Exception:  # URL handlers without a file descriptor
            self._fd = None

    def fileno(self):
        """The port's file descriptor, for an event loop to wait on
        (bc26.aio); OSError for URLs that have none (loop://, ...)."""
        if self._fd is None:
            raise OSError("%s has no file descriptor" % self.port.name)
        return self._fd

    def write(self, data):
        return self.port.write(data)

    def readinto(self, buf):
        # in_waiting is a cheap "anything there?"; socket:// only ever says
        # 0 or 1, so read as much as fits: with timeout=0 every pyserial
        # backend returns what is there without waiting.
        if not self.port.in_waiting:
            return 0
        data = self.port.read(len(buf))
        n = len(data)
        buf[:n] = data
        return n

    def wait(self, timeout_ms):
        """Sleep until bytes are readable or timeout_ms passes."""
        if self._fd is not None:
            select.select([self._fd], [], [], timeout_ms / 1000)
        else:  # loop://, rfc2217:// ...: nap briefly instead
            time.sleep(min(timeout_ms, 2) / 1000)

    def close(self):
        self.port.close()


def open_uart(url, baudrate=115200):
    port = serial.serial_for_url(url, baudrate=baudrate, timeout=0)
    return SerialUART(port)
