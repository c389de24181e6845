"""A small selectors event loop: file watches, timers, calls from other threads.

Everything the emulated module does happens on this one thread, so the
module's state needs no locks; other threads talk to it through
call_soon_threadsafe().
"""
import collections
import heapq
import itertools
import selectors
import socket
import sys
import time
import traceback


class Timer:
    """Handle for a scheduled call; cancel() makes it a no-op."""

    __slots__ = ("when", "fn", "args", "cancelled")

    def __init__(self, when, fn, args):
        self.when = when
        self.fn = fn
        self.args = args
        self.cancelled = False

    def cancel(self):
        self.cancelled = True


class Loop:
    def __init__(self):
        self._sel = selectors.DefaultSelector()
        self._timers = []
        self._seq = itertools.count()
        self._calls = collections.deque()
        self._watches = {}  # fileobj -> [read_cb, write_cb]
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._sel.register(self._wake_r, selectors.EVENT_READ)
        self.running = False

    # -- scheduling -------------------------------------------------------
    def call_later(self, delay, fn, *args):
        t = Timer(time.monotonic() + max(0.0, delay), fn, args)
        heapq.heappush(self._timers, (t.when, next(self._seq), t))
        return t

    def call_soon_threadsafe(self, fn, *args):
        self._calls.append((fn, args))
        try:
            self._wake_w.send(b"\0")
        except (BlockingIOError, OSError):
            pass  # a wake-up is already pending (or the loop is gone)

    # -- file watches -----------------------------------------------------
    def watch(self, fileobj, read=None, write=None):
        """Set (or with both None, drop) the callbacks for fileobj."""
        events = (selectors.EVENT_READ if read else 0) | (
            selectors.EVENT_WRITE if write else 0)
        known = fileobj in self._watches
        if not events:
            if known:
                del self._watches[fileobj]
                self._sel.unregister(fileobj)
            return
        if known:
            cur = self._watches[fileobj]
            if cur[0] is read and cur[1] is write:
                return
            self._watches[fileobj] = [read, write]
            self._sel.modify(fileobj, events)
        else:
            self._watches[fileobj] = [read, write]
            self._sel.register(fileobj, events)

    def unwatch(self, fileobj):
        self.watch(fileobj)

    # -- running ----------------------------------------------------------
    def stop(self):
        self.call_soon_threadsafe(self._stop)

    def _stop(self):
        self.running = False

    def run(self):
        self.running = True
        while self.running:
            timeout = None
            if self._calls:
                timeout = 0
            elif self._timers:
                timeout = max(0.0, self._timers[0][0] - time.monotonic())
            for key, mask in self._sel.select(timeout):
                if key.fileobj is self._wake_r:
                    self._drain_wake()
                    continue
                cbs = self._watches.get(key.fileobj)
                if cbs and mask & selectors.EVENT_READ and cbs[0]:
                    self._invoke(cbs[0], ())
                cbs = self._watches.get(key.fileobj)  # the read may unwatch
                if cbs and mask & selectors.EVENT_WRITE and cbs[1]:
                    self._invoke(cbs[1], ())
            self._run_calls()
            self._run_timers()

    def _drain_wake(self):
        try:
            while self._wake_r.recv(4096):
                pass
        except (BlockingIOError, OSError):
            pass

    def _run_calls(self):
        while self._calls:
            fn, args = self._calls.popleft()
            self._invoke(fn, args)

    def _run_timers(self):
        now = time.monotonic()
        while self._timers and self._timers[0][0] <= now:
            t = heapq.heappop(self._timers)[2]
            if not t.cancelled:
                self._invoke(t.fn, t.args)

    @staticmethod
    def _invoke(fn, args):
        # A bug in one handler must not take the whole module down.
        try:
            fn(*args)
        except Exception:
            traceback.print_exc(file=sys.stderr)

    def close(self):
        for f in list(self._watches):
            self.unwatch(f)
        self._sel.close()
        self._wake_r.close()
        self._wake_w.close()
