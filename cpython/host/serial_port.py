"""pyserial as a UART for the Modem: non-blocking readinto plus wait()."""

import select
import time

import serial


class SerialUART:
    """Wraps serial.Serial (any URL) with the calls Modem uses."""

    def __init__(self, port):
        self.port = port
        try:
            self._fd = port.fileno()
        except Exception:  # URL handlers without a file descriptor
            self._fd = None

    def write(self, data):
        return self.port.write(data)

    def readinto(self, buf):
        n = self.port.in_waiting
        if not n:
            return 0
        data = self.port.read(min(n, len(buf)))
        buf[:len(data)] = data
        return len(data)

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
