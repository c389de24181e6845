"""What the blocking Modem does with the UARTs of the boards it runs on:
CircuitPython's busio.UART (deinit() rather than close(), and a read that
waits up to its timeout) and the errno numbers of CircuitPython's C
library.  CPython stands in for the board here: the board-only branches
are switched on by hand."""
import importlib.util
import os
import sys
import types

import bc26.errors
import bc26.modem as M


class BusioLikeUART:
    """busio.UART's shape: readinto() that waits `timeout` s, deinit()."""

    def __init__(self, timeout=1):
        self.timeout = timeout
        self.deinited = False

    def write(self, data):
        return len(data)

    def readinto(self, buf):
        return None

    def deinit(self):
        self.deinited = True


def test_close_deinits_a_uart_without_close():
    uart = BusioLikeUART()
    with M.Modem(uart):
        pass
    assert uart.deinited


def test_a_board_uart_that_waits_in_reads_is_made_not_to(monkeypatch):
    monkeypatch.setattr(M, "ON_BOARD", True)
    uart = BusioLikeUART(timeout=1)
    M.Modem(uart)
    assert uart.timeout == 0
    # a timeout that is no number (a method, say) is none of our business
    odd = BusioLikeUART()
    odd.timeout = odd.deinit
    M.Modem(odd)
    assert odd.timeout == odd.deinit


def test_a_host_uart_keeps_its_timeout():
    uart = BusioLikeUART(timeout=0.5)  # (pyserial's has one too)
    M.Modem(uart)
    assert uart.timeout == 0.5


def _errors_with(monkeypatch, **numbers):
    fake = types.ModuleType("errno")
    for name, value in numbers.items():
        setattr(fake, name, value)
    monkeypatch.setitem(sys.modules, "errno", fake)
    name = "bc26._errors_on_another_port"
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(os.path.dirname(bc26.errors.__file__), "errors.py"))
    mod = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, mod)
    spec.loader.exec_module(mod)
    return mod


def test_errno_numbers_follow_the_port(monkeypatch):
    # CircuitPython: the C library's numbers, and no ENOTCONN/EISCONN/
    # EMSGSIZE in its errno module
    cp = _errors_with(monkeypatch, ETIMEDOUT=116, EAGAIN=11, ECONNRESET=104,
                      ENOBUFS=105)
    assert (cp.ENOTCONN, cp.EISCONN, cp.EMSGSIZE) == (128, 127, 122)
    # MicroPython: Linux's, and ENOTCONN in its errno module
    mp = _errors_with(monkeypatch, ETIMEDOUT=110, EAGAIN=11, ECONNRESET=104,
                      ENOBUFS=105, ENOTCONN=107)
    assert (mp.ENOTCONN, mp.EISCONN, mp.EMSGSIZE) == (107, 106, 90)
