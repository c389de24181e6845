"""The blocking Modem's clock on a MicroPython-like ticks_ms that wraps:
ms since a base, rebased between operations, so deadlines stay right across
the wrap and the numbers stay small ints however long the board runs."""
import bc26.modem as M
from bc26 import commands as C
from bc26.command import Command

PERIOD = 1 << 30  # MicroPython's ticks period on most ports
HALF = PERIOD // 2


class Clock:
    def __init__(self, start):
        self.t = start

    def ticks_ms(self):
        return self.t % PERIOD

    @staticmethod
    def ticks_diff(a, b):
        return ((a - b + HALF) % PERIOD) - HALF


class QuietUART:
    def write(self, data):
        return len(data)

    def readinto(self, buf):
        return 0


def _modem(monkeypatch, clock):
    monkeypatch.setattr(M, "_ticks_ms", clock.ticks_ms)
    monkeypatch.setattr(M, "_ticks_diff", clock.ticks_diff)
    return M.Modem(QuietUART())


def test_now_runs_on_across_the_wrap(monkeypatch):
    clock = Clock(PERIOD - 1000)  # a second before ticks_ms wraps
    m = _modem(monkeypatch, clock)
    clock.t += 3000
    assert m.now_ms() == 3000  # not negative, not a jump


def test_rebase_keeps_now_small_for_weeks(monkeypatch):
    clock = Clock(12345)
    m = _modem(monkeypatch, clock)
    seen = []
    for _ in range(200):  # 200 operations an hour apart: over 8 days
        clock.t += 3600 * 1000
        m._rebase()  # what every operation does first
        seen.append(m.now_ms())
    # past half the ticks period ticks_diff would turn negative; rebased,
    # the clock never gets near it
    assert max(seen) <= M._REBASE_MS + 3600 * 1000 < HALF
    assert min(seen) >= 0


def test_rebase_moves_pending_deadlines_with_it(monkeypatch):
    clock = Clock(PERIOD - 10)
    m = _modem(monkeypatch, clock)
    clock.t += M._REBASE_MS + 50
    p = m.proto
    cmd = Command(C.qiopen(0, "TCP", "127.0.0.1", 7), 0)
    p.submit(cmd, m.now_ms())
    due = cmd.deadline - m.now_ms()
    p.sockets[1].reconciled_ms = m.now_ms() - 5
    m._rebase()
    assert m.now_ms() == 0
    assert cmd.deadline - m.now_ms() == due
    assert p.sockets[1].reconciled_ms == -5
    clock.t += due - 1
    assert p.expire(m.now_ms()) == ()
    clock.t += 1
    assert p.expire(m.now_ms()) == [cmd]


class HourlyUART(QuietUART):
    """Each look at it is an hour later, and the driver's clock is
    recorded then; after `looks` looks, three pushed bytes come."""

    PUSH = b'\r\n+QIURC: "recv",0,3\r\nabc\r\n'

    def __init__(self, clock, looks):
        self.clock, self.looks, self.nows, self.modem = clock, looks, [], None

    def readinto(self, buf):
        self.clock.t += 3600 * 1000
        self.nows.append(self.modem.now_ms())
        if len(self.nows) != self.looks:
            return 0
        buf[:len(self.PUSH)] = self.PUSH
        return len(self.PUSH)


def _pushing_socket(m):
    from bc26.state import CONNECTED, DIRECT_PUSH

    m.ip = "10.0.0.1"
    slot = m.proto.sockets[0]
    slot.open(DIRECT_PUSH)  # (buffer mode would ask the module after 1 s)
    slot.state = CONNECTED
    m.proto._sync_push_mask()


def _kept_in_range(nows, looks=2):
    # past half the ticks period ticks_diff turns negative: rebased as it
    # waits (a few looks, an hour each, between rebases), it stays far
    # from it
    return (max(nows) <= M._REBASE_MS + looks * 3600 * 1000 < HALF
            and min(nows) >= 0)


def test_a_wait_with_no_end_keeps_the_clock_in_range(monkeypatch):
    clock = Clock(PERIOD - 5000)
    monkeypatch.setattr(M, "_ticks_ms", clock.ticks_ms)
    monkeypatch.setattr(M, "_ticks_diff", clock.ticks_diff)
    uart = HourlyUART(clock, 24 * 8)  # eight days in one recv_into()
    m = uart.modem = M.Modem(uart)
    _pushing_socket(m)
    buf = bytearray(8)
    assert m.recv_into(0, buf, timeout_ms=None) == 3 and buf[:3] == b"abc"
    assert len(uart.nows) >= 24 * 8
    assert _kept_in_range(uart.nows)


def test_an_async_wait_with_no_end_keeps_the_clock_in_range(monkeypatch):
    import asyncio

    import bc26.aio

    clock = Clock(PERIOD - 5000)
    monkeypatch.setattr(M, "_ticks_ms", clock.ticks_ms)
    monkeypatch.setattr(M, "_ticks_diff", clock.ticks_diff)
    # the idle wake-up every 20 ms, not every hour: the UART is looked at
    # every 5 ms (it has no descriptor), an hour of this clock each time
    monkeypatch.setattr(bc26.aio, "_IDLE_WAKE_MS", 20)
    uart = HourlyUART(clock, 24 * 8)

    async def main():
        m = uart.modem = bc26.aio.Modem(uart)
        _pushing_socket(m)
        buf = bytearray(8)
        return await m.recv_into(0, buf, timeout_ms=None), bytes(buf[:3])

    assert asyncio.run(main()) == (3, b"abc")
    assert len(uart.nows) >= 24 * 8
    assert _kept_in_range(uart.nows, looks=24)  # (timing: 4-5 is usual)


def test_circuitpython_clock_is_supervisor_ticks(monkeypatch):
    """CircuitPython has no time.ticks_ms: the modem takes supervisor's,
    whose period is 2**29 ms, and the longest wait stays within half."""
    import importlib.util
    import os
    import sys
    import types

    from bc26.checks import MAX_WAIT_S

    period = 1 << 29
    clock = Clock(period - 1000)
    fake = types.ModuleType("supervisor")
    fake.ticks_ms = lambda: clock.t % period
    monkeypatch.setitem(sys.modules, "supervisor", fake)
    name = "bc26._modem_on_circuitpython"
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(os.path.dirname(M.__file__), "modem.py"))
    cp = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, cp)
    spec.loader.exec_module(cp)
    assert cp._ticks_ms is fake.ticks_ms
    m = cp.Modem(QuietUART())
    clock.t += 3000  # across supervisor's wrap
    assert m.now_ms() == 3000
    for ahead in (1, 1 << 20, cp._REBASE_MS + MAX_WAIT_S * 1000 + 60000):
        assert cp._ticks_diff((clock.t + ahead) % period, clock.t % period) == ahead
    assert cp._REBASE_MS + MAX_WAIT_S * 1000 + 60000 < period // 2
