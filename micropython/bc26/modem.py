"""The blocking Modem: operations.py driven over a UART.

Works with any object that has write() and a non-blocking readinto() (or
read()): machine.UART, busio.UART, serial.Serial.  An optional
wait(timeout_ms) method on the UART lets the shell sleep until bytes come
instead of napping 1 ms at a time.
"""

import time

from .command import ON_BOARD, const
from .errors import NotReady  # noqa: F401
from .operations import Operations, bind_api
from .state import BUFFER, DIRECT_PUSH  # noqa: F401

try:
    from time import ticks_ms as _ticks_ms, ticks_diff as _ticks_diff, \
        sleep_ms as _sleep_ms  # MicroPython
except ImportError:
    try:
        # CircuitPython: no time.ticks_ms; supervisor's wraps at 2**29
        from supervisor import ticks_ms as _ticks_ms
    except ImportError:  # CPython
        from .host.clock import ticks_ms as _ticks_ms, \
            ticks_diff as _ticks_diff, sleep_ms as _sleep_ms
    else:
        def _ticks_diff(a, b):
            return ((a - b + (1 << 28)) & ((1 << 29) - 1)) - (1 << 28)

        def _sleep_ms(ms):
            time.sleep(ms / 1000)

# The core's clock is ms since a base, rebased between operations (and in a
# wait with no end) once it passes this: ticks_diff() is only right within
# half the ticks period (2**29 ms on MicroPython, 2**28 on CircuitPython),
# so a deadline up to checks.MAX_WAIT_S ahead stays in range, and a small
# int stays small.
_REBASE_MS = const(1 << 26)


class Modem(Operations):
    """A BC26 on a UART.  See the README for the API; all calls block.

    rx_capacity: bytes of a direct-push socket's receive buffer, allocated
    when the socket opens and freed when it closes (buffer-mode sockets
    read into the caller's buffer and need none; default 1 KiB on a board,
    4 KiB on CPython).  rx_limit: how far that
    buffer may grow while the driver waits for the module and the
    application does not read; what does not fit is lost, and the next
    recv_into() on that socket raises OSError(ENOBUFS) after the bytes
    before the loss (default: 8 KiB on a board, 16 MiB on CPython).
    read_size: bytes taken from the UART per read (default 576 on a board:
    a 512-byte payload with its header fits, so it is framed in place; 4 KiB
    on CPython).  On a board, a UART whose reads wait (CircuitPython's
    busio.UART, timeout=1 by default) gets timeout 0: the driver's must
    not; close() closes or deinits it."""

    log = None       # (set per instance only when given)
    _wait_fn = None

    # The defaults fit a board's RAM, or a host's: rx_capacity, a direct-push
    # socket's buffer, and how far it may grow unread (rx_limit: at least
    # Operations.rx_limit, 8 KiB on a board, 16 MiB on CPython) -- on a host
    # losing data to save memory would be the wrong trade, and a buffer
    # smaller than a push means a stall per push.  read_size: a board's read
    # holds a 512-byte payload with its header and what ends it ('+QIRD:
    # 512' CR LF ... CR LF OK CR LF: 530 bytes; a push header and 512 bytes:
    # 535), so it is framed in place -- one piece, one copy; a host reads
    # more per system call.
    def __init__(self, uart, tokenizer=None,
                 rx_capacity=1024 if ON_BOARD else 4096, log=None,
                 rx_limit=None, read_size=576 if ON_BOARD else 4096):
        if not callable(getattr(uart, "write", None)) or not (
                callable(getattr(uart, "readinto", None))
                or callable(getattr(uart, "read", None))):
            raise TypeError("uart needs write() and readinto() or read()")
        if log is not None and not callable(log):
            raise TypeError("log must be callable(direction, bytes)")
        self.uart = uart
        wait = getattr(uart, "timeout", 0) if ON_BOARD else 0
        if isinstance(wait, (int, float)) and wait > 0:
            # CircuitPython's busio.UART waits up to timeout (1 s by
            # default) in every read: the driver's reads must not wait
            uart.timeout = 0
        self._readinto = getattr(uart, "readinto", None)  # else read()
        if rx_limit is None:
            rx_limit = max(Operations.rx_limit, rx_capacity)
        self._init_ops(tokenizer, rx_capacity, rx_limit)
        self._rbuf = bytearray(read_size)
        self._t0 = _ticks_ms()
        # set only when given: each attribute an instance holds costs RAM
        # on a board (the class has the defaults)
        if log is not None:
            self.log = log  # callable(direction, bytes) to watch the AT exchange
        wait = getattr(uart, "wait", None)
        if wait is not None:
            self._wait_fn = wait

    def close(self):
        """Close the UART (the module's sockets stay as they are)."""
        # (CircuitPython's busio.UART has deinit(), not close())
        close = getattr(self.uart, "close", None) or \
            getattr(self.uart, "deinit", None)
        if close:
            close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- what the operations need ------------------------------------------

    def now_ms(self):
        """The driver's clock, in ms (deadlines are kept in it)."""
        return _ticks_diff(_ticks_ms(), self._t0)

    def _rebase(self):
        """Between operations: move the clock's base up to now."""
        now = self.now_ms()
        if now > _REBASE_MS:
            self._t0 = _ticks_ms()
            self.proto.rebase(now)

    def _write(self, data):
        if self.log:
            self.log(">", bytes(data))
        while True:
            n = self.uart.write(data)
            if n is None or n == len(data):  # some ports say None for 'all'
                return
            data = memoryview(data)[n:]  # a partial write: rare, may allocate

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
        """Feed whatever the UART holds now; the count (false if none)."""
        buf = self._rbuf
        readinto = self._readinto
        if readinto:
            n = readinto(buf)
        else:  # a UART that only has a non-blocking read(): a copy
            data = self.uart.read(len(buf))
            n = 0
            if data:
                n = len(data)
                buf[:n] = data
        if n:
            if self.log:
                self.log("<", bytes(buf[:n]))
            self._rx_total += n
            self._rx_last = buf[n - 1]
            # (self.now_ms(), without the call)
            self.proto.receive_data(buf, _ticks_diff(_ticks_ms(), self._t0), n)
        return n

    def _run(self, gen):
        """Drive one operation generator to its return value."""
        try:
            deadline = next(gen)
            while True:
                self._pump(deadline)
                deadline = gen.send(None)
        except StopIteration as stop:
            return stop.value if stop.args else None
        except BaseException:
            gen.close()  # its finally clauses first
            self._interrupted()
            raise
        finally:
            # interrupted (Ctrl-C, an exception of the UART's): its finally
            # clauses run now -- MicroPython does not close it when dropped
            gen.close()

    def _interrupted(self):
        """An operation left by an exception (Ctrl-C, the UART's own): a
        send waiting at the module's '>' prompt must not leave it in data
        mode, where the next command line would become payload."""
        cmd = self.proto.wire
        if cmd is not None and cmd.prompt and not cmd.phase and not cmd.done:
            from .recovery import end_data_mode
            end_data_mode(self, cmd)

    def poll(self):
        """Take in what the module sent (URCs) without any AT traffic."""
        self._pump(0)
        return self.proto.urcs

    # -- the data path: steppers driven in place, no generator ---------------

    def send(self, connect_id, data):
        """Send all of data (binary-safe); returns len(data)."""
        n = self._send_check(connect_id, data)
        self._rebase()
        if n > 1460 or n == 0 or self.proto.send_hex:
            return self._run(self._op_send(connect_id, data))
        self._step()  # a reboot or a stall is seen before the line goes
        proto = self.proto
        if proto.wire is not None or self._desync or proto.awaiting:
            # not _is_ready(), or an earlier send (one interrupted, say)
            # may still be owed its SEND OK: wait for it or its deadline
            self._run(self._ready("send", connect_id))
        try:
            if n <= self.small_send:
                cmd = self._small_begin(connect_id, data, n)
            else:
                cmd = self._send_begin(connect_id, data, n)
                # the '>' cannot be here yet: read before the first look
                self._pump(cmd.deadline)
            while not self._advance(cmd):
                self._pump(cmd.wait)
        except BaseException:
            self._interrupted()
            raise
        if not self._send_done(cmd, n):
            self._run(self._send_failed(cmd, n))
        return n

    def recv_into(self, connect_id, buf, nbytes=0, timeout_ms=None):
        """Fill buf with what has arrived (at most nbytes; 0: len(buf));
        returns the count, 0 at end of stream; OSError ETIMEDOUT after
        timeout_ms (None: wait forever), EAGAIN if 0 and nothing is there."""
        self._rebase()
        r = self._recv_begin(connect_id, buf, nbytes, timeout_ms)
        try:
            while not self._recv_step(r):
                if r.need_ready:
                    r.need_ready = False
                    self._run(self._ready())
                else:
                    if r.wait is None:
                        # a wait with no end may outlast the clock's range:
                        # rebase it here too (r holds no time to move)
                        self._rebase()
                    self._pump(r.wait)
            return r.result
        finally:
            self._recv_end(r)


def _blocking(op):
    def method(self, *args, **kw):
        self._rebase()  # here, never inside: deadlines in flight stay right
        return self._run(op(self, *args, **kw))
    return method


bind_api(Modem, _blocking, skip=("send", "recv_into"))
if not ON_BOARD:  # Modem.open(url): a pyserial port, host only
    from .host.open_url import open_modem
    Modem.open = classmethod(open_modem)
