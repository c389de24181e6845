"""MicroPython's ticks clock on CPython, for the blocking Modem: ms since
an arbitrary point, a plain difference (CPython's ints do not wrap), and a
sleep in ms."""

import time


def ticks_ms():
    return int(time.monotonic() * 1000)


def ticks_diff(a, b):
    return a - b


def sleep_ms(ms):
    time.sleep(ms / 1000)
