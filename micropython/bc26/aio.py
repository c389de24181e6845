"""bc26.aio.Modem: the same operations as coroutines, for asyncio on CPython
and MicroPython.

It drives operations.py's generators like the blocking Modem does, and it
waits, never polls: a task that needs the module's answer sleeps until the
UART has bytes or its deadline falls due -- on CPython through the event
loop's reader on the port's file descriptor (``uart.fileno()``), on
MicroPython through the UART as an asyncio stream (machine.UART and any
pollable stream). A UART with neither is read every few milliseconds.

Tasks share the modem without a lock around whole operations. While any
operation runs, one watcher reads the UART when it is readable (a reader
callback of the event loop on CPython, a task waiting on the stream on
MicroPython) and wakes every waiting task; a task sleeps until then or its
own deadline. The wire is held for one AT exchange only -- the protocol
has one slot for the command on the wire, and a task takes it in the same
step that writes its command -- so a task waiting in recv() on one socket,
or for a +QIOPEN result, holds nothing, and a send() on another socket
goes ahead at once.
"""

import sys as _sys

try:
    import asyncio
except ImportError:  # older MicroPython
    import uasyncio as asyncio

from .command import PROMPTED as _PROMPTED
from .modem import Modem as _BlockingModem
from .operations import bind_api
from .aiosocket import (Socket, StreamReader, StreamWriter,  # noqa: F401
                        open_connection, SOCK_STREAM, SOCK_DGRAM,
                        AF_INET, AF_INET6)

_wait_for_ms = getattr(asyncio, "wait_for_ms", None)  # MicroPython
_MICROPYTHON = _sys.implementation.name == "micropython"
_NAP_MS = 5  # UARTs that cannot be waited on are read this often
# A wait with no deadline still wakes this often, so that an operation
# waiting for days rebases the clock (see _op_recv_into)
_IDLE_WAKE_MS = 3600000
_EBADF = 9


def _pollable(uart):
    """MicroPython: can asyncio's poller wait on the UART (a stream)?"""
    try:
        import select

        poller = select.poll()
        poller.register(uart, select.POLLIN)
        poller.unregister(uart)
        return True
    except Exception:  # OSError: "stream operation not supported"
        return False


async def _within(awaitable, timeout_ms):
    """awaitable, given up after timeout_ms (None: no limit)."""
    if timeout_ms is None:
        return await awaitable
    try:
        if _wait_for_ms is not None:
            return await _wait_for_ms(awaitable, timeout_ms)
        return await asyncio.wait_for(awaitable, timeout_ms / 1000)
    except asyncio.TimeoutError:
        return None


async def _nap(ms):
    if _wait_for_ms is not None:
        await asyncio.sleep_ms(ms)
    else:
        await asyncio.sleep(ms / 1000)


class Modem(_BlockingModem):
    """As bc26.Modem; every operation is awaited, and tasks may overlap on
    one modem (see the module docstring)."""

    _reuse_records = False  # overlapping calls: each its own records

    def __init__(self, uart, **kw):
        _BlockingModem.__init__(self, uart, **kw)
        self._fd = None
        self._stream = None
        fileno = getattr(uart, "fileno", None)
        if _wait_for_ms is None and fileno is not None:  # CPython
            try:
                self._fd = fileno()
            except Exception:  # a port URL with no descriptor (loop://)
                self._fd = None
        # (MicroPython's asyncio: its poller's queue_read is yielded, as
        # its streams do; CircuitPython's asyncio awaits it: naps there)
        if self._fd is None and _wait_for_ms is not None and _pollable(uart) \
                and _MICROPYTHON:
            self._stream = asyncio.StreamReader(uart)
        self._news = None       # made on first use (in the running loop)
        self._running = 0       # operations in progress
        self._watching = False
        self._watcher = None    # the task watching the UART (MicroPython)
        self._failed = None     # what reading the UART raised, for a task
        self._closed = False
        self.reads = 0          # UART reads, for the curious (and the bench)

    def close(self):
        """Close the UART; tasks still waiting on the modem raise EBADF."""
        self._watch(False)
        self._closed = True
        self._poke()
        _BlockingModem.close(self)

    # -- reading the UART -------------------------------------------------

    def _take(self):
        self.reads += 1
        if _BlockingModem._take(self):
            self._poke()  # whoever read it: the others must look
            return True
        return False

    def _poke(self):
        """Wake every task waiting for news: something changed."""
        if self._news is not None:
            self._news.set()
            self._news = None

    def _readable(self):
        """The UART has bytes: take them in, wake the waiting tasks."""
        try:
            self._take()
        except Exception as e:  # raised in the task that waits, not here
            self._failed = e
            self._poke()

    def _watch(self, on):
        """Watch the UART while operations run (on), not while idle."""
        if on == self._watching or self._closed:
            return
        self._watching = on
        if self._fd is not None:
            loop = asyncio.get_event_loop()
            if on:
                loop.add_reader(self._fd, self._readable)
            else:
                loop.remove_reader(self._fd)
        elif on:
            watch = self._watch_stream if self._stream else self._watch_naps
            self._watcher = asyncio.create_task(watch())
        elif self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None

    async def _watch_stream(self):
        # MicroPython: a coroutine is a generator; this is how its asyncio
        # streams wait in the poller (without reading: _take reads)
        while True:
            yield asyncio.core._io_queue.queue_read(self._stream.s)
            self._readable()

    async def _watch_naps(self):
        while True:  # a UART that cannot be waited on: look every few ms
            self._take()
            await _nap(_NAP_MS)

    async def _pause(self, deadline):
        """Until the module said something, another task changed what this
        one waits for, or deadline (ms since the clock's base; None: no
        limit) falls due."""
        if self._closed:
            raise OSError(_EBADF, "the modem is closed")
        timeout = _IDLE_WAKE_MS
        if deadline is not None:
            timeout = deadline - self.now_ms()
            if timeout <= 0:
                self._take()
                await _nap(0)  # due now: still let the other tasks run
                return
        news = self._news
        if news is None:
            news = self._news = asyncio.Event()
        await _within(news.wait(), timeout)
        if self._closed:
            raise OSError(_EBADF, "the modem is closed")
        failed = self._failed
        if failed is not None:
            self._failed = None
            raise failed

    # -- running operations ------------------------------------------------

    async def _arun(self, gen):
        if self._closed:
            raise OSError(_EBADF, "the modem is closed")
        if not self._running:
            self._rebase()  # never under another task's deadlines
            self._watch(True)
        self._running += 1
        mine = None  # the command this operation put on the wire
        try:
            self._take()
            wire = self.proto.wire
            deadline = next(gen)
            while True:
                if self.proto.wire is not wire:
                    mine = self.proto.wire  # (only this task's step ran)
                    self._poke()  # the wire changed hands: look again
                wire = self.proto.wire
                try:
                    await self._pause(deadline)
                except asyncio.CancelledError:
                    if wire is not None and wire is mine and mine.prompt:
                        # the module may be at this task's '>' prompt,
                        # waiting for the payload: end its data mode,
                        # then give up
                        if mine.variable and mine.phase == 0:
                            from .recovery import cancel_variable
                            cancel_variable(mine)
                        await self._finish_payload(gen, mine, deadline)
                    raise
                deadline = gen.send(None)
        except StopIteration as stop:
            return stop.value if stop.args else None
        finally:
            gen.close()  # cancelled: its finally clauses run now
            self._running -= 1
            if not self._running:
                self._watch(False)
            self._poke()  # what it held (the wire, a landed read) is free

    async def _finish_payload(self, gen, cmd, deadline):
        """Step a cancelled send until its payload is written (at the '>'
        prompt, or when the wire's deadline says it must go blind), so the
        next command does not become data of a module still in data mode.
        What follows (OK, SEND OK) the protocol routes, or the command's
        deadline ends, without this task."""
        try:
            while self.proto.wire is cmd and cmd.phase == 0 and not cmd.done:
                if cmd.status != _PROMPTED:  # (at the prompt: write at once)
                    try:
                        await self._pause(deadline)
                    except asyncio.CancelledError:
                        pass  # cancelled again: the payload still has to go
                deadline = gen.send(None)
        except StopIteration:
            pass

    async def poll(self):
        """Take in what the module sent (URCs) without any AT traffic."""
        self._take()
        return self.proto.urcs

    def _op_recv_into(self, connect_id, buf, nbytes=0, timeout_ms=None):
        """Fill buf with what has arrived (at most nbytes; 0: len(buf));
        returns the count, 0 at end of stream.  On a UDP socket: one
        datagram, cut to the buffer.  OSError ETIMEDOUT after timeout_ms
        (None: wait forever), EAGAIN with 0 and nothing there."""
        # (here: the blocking shell steps the data path in place)
        r = self._recv_begin(connect_id, buf, nbytes, timeout_ms)
        try:
            while not self._recv_step(r):
                if r.need_ready:
                    r.need_ready = False
                    yield from self._ready()
                else:
                    if r.wait is None and self._running == 1:
                        # a wait with no end, and no other task's deadline
                        # held: rebase the clock (see Modem.recv_into)
                        self._rebase()
                    yield r.wait
            return r.result
        finally:
            self._recv_end(r)


def _coroutine(op):
    async def method(self, *args, **kw):
        return await self._arun(op(self, *args, **kw))
    return method


bind_api(Modem, _coroutine)
