"""Helpers for the emulator tests: a raw AT terminal over pyserial and small
waits. (A uniquely named module: tests import it by name, which a second
conftest.py elsewhere in the tree could shadow.)"""
import re
import socket
import time

import serial

FINAL = re.compile(rb"\r\n(OK|ERROR|\+CME ERROR: [^\r\n]*)\r\n")
FAST = dict(boot_delay=0.01, ip_delay=0.01, ping_interval=0.01)


class Term:
    """Raw bytes over pyserial, with exact and pattern expectations."""

    def __init__(self, url, timeout=3.0):
        self.ser = serial.serial_for_url(url, timeout=0.01)
        self.buf = bytearray()
        self.timeout = timeout

    def close(self):
        self.ser.close()

    def write(self, data):
        self.ser.write(data)
        self.ser.flush()

    def _more(self, deadline, what):
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for %s; have %r" % (what, bytes(self.buf)))
        chunk = self.ser.read(65536)
        if chunk:
            self.buf += chunk

    def read_exact(self, n, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while len(self.buf) < n:
            self._more(deadline, "%d bytes" % n)
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    def expect(self, expected, timeout=None):
        """The next bytes are exactly `expected`."""
        got = self.read_exact(len(expected), timeout)
        assert got == expected, "expected %r\n     got %r" % (expected, got)
        return got

    def expect_re(self, pattern, timeout=None):
        """The next bytes match `pattern` (anchored at the start)."""
        rx = re.compile(pattern, re.S)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            m = rx.match(bytes(self.buf))  # groups must outlive the buffer
            if m:
                del self.buf[:m.end()]
                return m
            self._more(deadline, "%r" % pattern)

    def read_until(self, marker, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            i = self.buf.find(marker)
            if i >= 0:
                data = bytes(self.buf[:i + len(marker)])
                del self.buf[:i + len(marker)]
                return data
            self._more(deadline, "%r" % marker)

    def read_final(self, timeout=None):
        """Everything up to and including the next final result code."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            m = FINAL.search(self.buf)
            if m:
                data = bytes(self.buf[:m.end()])
                del self.buf[:m.end()]
                return data
            self._more(deadline, "a final result")

    def cmd(self, line, timeout=None):
        """Send a command line; return the bytes up to its final result."""
        self.write(line + b"\r")
        return self.read_final(timeout)

    def exchange(self, line, reply, timeout=None):
        """Send a command (echo on): expect its echo, then exactly reply."""
        self.write(line + b"\r")
        self.expect(line + b"\r" + reply, timeout)

    def drain(self, quiet=0.05):
        """Read until the line has been quiet for `quiet` seconds."""
        last = time.monotonic()
        while time.monotonic() - last < quiet:
            chunk = self.ser.read(65536)
            if chunk:
                self.buf += chunk
                last = time.monotonic()
        data = bytes(self.buf)
        self.buf.clear()
        return data

    def nothing(self, quiet=0.1):
        data = self.drain(quiet)
        assert data == b"", "unexpected output %r" % data


def open_term(emu):
    assert emu.wait_ready(5), "no +IP from the emulator"
    t = Term(emu.url)
    t.drain(0.02)  # boot output that pyserial did not flush on open
    t.exchange(b"AT", b"\r\nOK\r\n")
    return t


def wait_for(predicate, timeout=3.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.002)


def wait_nodes(emu, cid, n, timeout=3.0):
    wait_for(lambda: len(emu.sockets()[cid]["nodes"]) >= n, timeout,
             "%d nodes in socket %d" % (n, cid))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def open_tcp(term, port, cid=0, access=0, lport=0):
    term.exchange(b'AT+QIOPEN=1,%d,"TCP","127.0.0.1",%d,%d,%d' % (cid, port, lport, access),
                  b"\r\nOK\r\n\r\n+QIOPEN: %d,0\r\n" % cid)
