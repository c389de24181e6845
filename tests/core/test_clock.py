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
