"""The blocking Modem: operations.py's generators driven over a UART.

Works with any object that has write() and a non-blocking readinto() (or
read()): machine.UART, busio.UART, serial.Serial.  An optional
wait(timeout_ms) method on the UART lets the shell sleep until bytes come
instead of napping 1 ms at a time.
"""

import time

from .operations import Operations, NotReady, PingResult, bind_api  # noqa: F401
from .state import BUFFER, DIRECT_PUSH  # noqa: F401

try:
    _ticks_ms = time.ticks_ms
    _ticks_diff = time.ticks_diff
    _sleep_ms = time.sleep_ms
except AttributeError:  # CPython
    def _ticks_ms():
        return int(time.monotonic() * 1000)

    def _ticks_diff(a, b):
        return a - b

    def _sleep_ms(ms):
        time.sleep(ms / 1000)


class Modem(Operations):
    """A BC26 on a UART.  See the README for the API; all calls block."""

    def __init__(self, uart, tokenizer=None, rx_capacity=4096, log=None):
        if not callable(getattr(uart, "write", None)) or not (
                callable(getattr(uart, "readinto", None))
                or callable(getattr(uart, "read", None))):
            raise TypeError("uart needs write() and readinto() or read()")
        if log is not None and not callable(log):
            raise TypeError("log must be callable(direction, bytes)")
        self.uart = uart
        self._readinto = getattr(uart, "readinto", None) or self._read_copy
        self._init_ops(tokenizer, rx_capacity)
        self._rbuf = bytearray(512)
        self._rview = memoryview(self._rbuf)
        self._t0 = _ticks_ms()
        self.log = log  # callable(direction, bytes) to watch the AT exchange
        self._wait_fn = getattr(uart, "wait", None)

    @classmethod
    def open(cls, url, baudrate=115200, **kw):
        """CPython: a Modem on any pyserial URL (/dev/tty*, socket://, ...)."""
        from .host.serial_port import open_uart
        return cls(open_uart(url, baudrate), **kw)

    def close(self):
        close = getattr(self.uart, "close", None)
        if close:
            close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- what the generators need ------------------------------------------

    def _read_copy(self, buf):
        """readinto() for UARTs that only have a non-blocking read()."""
        data = self.uart.read(len(buf))
        if not data:
            return 0
        n = len(data)
        buf[:n] = data
        return n

    def now_ms(self):
        return _ticks_diff(_ticks_ms(), self._t0)

    def _write(self, data):
        if self.log:
            self.log(">", bytes(data))
        mv = memoryview(data)
        while len(mv):
            n = self.uart.write(mv)
            if n is None:  # some ports return None for 'all written'
                break
            mv = mv[n:]

    def _pump(self, deadline):
        """Read what the UART has (waiting until deadline if nothing)."""
        if self._take():
            return
        wait = 5 if deadline is None else deadline - self.now_ms()
        if wait > 50:
            wait = 50
        if wait > 0:
            if self._wait_fn is not None:
                self._wait_fn(wait)
            else:
                _sleep_ms(1)
            self._take()

    def _take(self):
        """Feed whatever the UART holds now; True if there was something."""
        n = self._readinto(self._rbuf)
        if n:
            data = self._rview[:n]
            if self.log:
                self.log("<", bytes(data))
            self._rx_total += n
            self._rx_last = self._rbuf[n - 1]
            self.proto.receive_data(data, self.now_ms())
        return bool(n)

    def _run(self, gen):
        """Drive one operation generator to its return value."""
        try:
            deadline = next(gen)
            while True:
                self._pump(deadline)
                deadline = gen.send(None)
        except StopIteration as stop:
            return stop.value if stop.args else None

    def poll(self):
        """Take in what the module sent (URCs) without any AT traffic."""
        self._pump(0)
        return self.proto.urcs


def _blocking(op):
    def method(self, *args, **kw):
        return self._run(op(self, *args, **kw))
    return method


bind_api(Modem, _blocking)
