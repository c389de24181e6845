"""bc26.aio.Modem: the same operations as coroutines, for asyncio on CPython
and MicroPython.  It drives operations.py's generators like the blocking
Modem does, but yields to the event loop while it waits for the module."""

try:
    import asyncio
except ImportError:  # older MicroPython
    import uasyncio as asyncio

from .modem import Modem as _BlockingModem
from .operations import bind_api

_sleep_ms = getattr(asyncio, "sleep_ms", None)


async def _nap(ms):
    if _sleep_ms is not None:
        await _sleep_ms(ms)
    else:
        await asyncio.sleep(ms / 1000)


class Modem(_BlockingModem):
    """As bc26.Modem; every operation is awaited.  One task at a time per
    modem: a lock keeps operations from interleaving on the wire."""

    def __init__(self, uart, **kw):
        _BlockingModem.__init__(self, uart, **kw)
        self._lock = asyncio.Lock()

    async def _arun(self, gen):
        async with self._lock:
            self._rebase()
            try:
                deadline = next(gen)
                while True:
                    if self._take():
                        await _nap(0)  # a busy line must not starve the loop
                    else:
                        await _nap(1)
                        self._take()
                    deadline = gen.send(None)
            except StopIteration as stop:
                return stop.value if stop.args else None

    async def poll(self):
        self._take()
        return self.proto.urcs


def _coroutine(op):
    async def method(self, *args, **kw):
        return await self._arun(op(self, *args, **kw))
    return method


bind_api(Modem, _coroutine)
