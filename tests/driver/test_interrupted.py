"""A blocking call left by an exception -- Ctrl-C, or the UART's own --
in the middle of a send.  The module may then sit at its '>' prompt,
taking every byte that follows as payload, or still owe the send its
SEND OK: the driver's next calls must neither become data nor fail
forever."""
import time

import pytest

import bc26
import bc26.modem as M
from bc26.state import CONNECTED

from driver_support import NASTY


def _interrupt_first_read_after(modem, wire, line):
    """The next UART read after `line` goes out raises KeyboardInterrupt,
    before it reads: what the module answered waits unread."""
    orig = modem._readinto

    def read(buf):
        if wire.out and wire.out[-1].startswith(line):
            modem._readinto = orig
            raise KeyboardInterrupt
        return orig(buf)
    modem._readinto = read


def _recv(modem, n, timeout_ms=3000):
    buf = bytearray(n)
    got = 0
    while got < n:
        got += modem.recv_into(0, memoryview(buf)[got:], 0, timeout_ms)
    return bytes(buf)


def test_ctrl_c_before_the_prompt_still_writes_the_payload(modem, wire, tcp_addr):
    modem.open_socket(0, "TCP", *tcp_addr)
    data = NASTY * 2  # data mode: AT+QISEND=0,<n>, then '>'
    _interrupt_first_read_after(modem, wire, b"AT+QISEND=0,")
    with pytest.raises(KeyboardInterrupt):
        modem.send(0, data)
    # the payload went at the prompt: the peer got exactly it, and what
    # the driver writes next are commands again
    assert _recv(modem, len(data)) == data
    assert modem.send(0, b"next") == 4
    assert _recv(modem, 4) == b"next"
    assert modem.counters(0)[0] == len(data) + 4


def test_ctrl_c_at_a_variable_length_prompt_cancels_it(modem, emu, wire, tcp_addr):
    modem.open_socket(0, "TCP", *tcp_addr)
    mark = len(emu.log)
    _interrupt_first_read_after(modem, wire, b"AT+QISEND=0\r")
    with pytest.raises(KeyboardInterrupt):
        modem.send_variable(0, b"never sent")
    # ESC, the manual's cancel: none of it went, the module says 571
    assert modem.last_error()[0] == 571
    kinds = [e.kind for e in emu.log[mark:] if e.kind in ("data", "cancel")]
    assert kinds == ["cancel"]
    assert modem.send(0, b"second") == 6
    assert _recv(modem, 6) == b"second"
    assert modem.counters(0)[0] == 6


# -- an interrupted send still owed its SEND OK (a scripted module) -------------

class SlowSendOkModule:
    """Answers AT+QISENDEX with OK at once; the first send's SEND OK only
    after `late_ms` (DRX: a URC may lag a paging cycle), the second's at
    once, the third's is SEND FAIL.  Enough of AT for the resync probe."""

    def __init__(self, late_ms):
        self.late_ms = late_ms
        self.rx = bytearray()
        self.later = []  # (due, bytes)
        self.sends = 0
        self.line = bytearray()

    def _due(self):
        now = time.monotonic()
        for item in [x for x in self.later if x[0] <= now]:
            self.later.remove(item)
            self.rx += item[1]

    def write(self, data):
        self._due()  # what is due goes out before any answer to this
        for b in bytes(data):
            self.line.append(b)
            if b == 13:
                self._answer(bytes(self.line))
                self.line = bytearray()
        return len(data)

    def _answer(self, line):
        if line.startswith(b"AT+QISENDEX="):
            self.sends += 1
            self.rx += b"\r\nOK\r\n"
            if self.sends == 1:
                self.later.append((time.monotonic() + self.late_ms / 1000,
                                   b"\r\nSEND OK\r\n"))
            elif self.sends == 3:
                self.rx += b"\r\nSEND FAIL\r\n"
            else:
                self.rx += b"\r\nSEND OK\r\n"
        elif line == b"AT+CMEE?\r":
            self.rx += b"\r\n+CMEE: 1\r\n\r\nOK\r\n"
        else:
            self.rx += b"\r\nOK\r\n"

    def readinto(self, buf):
        self._due()
        n = min(len(buf), len(self.rx))
        buf[:n] = self.rx[:n]
        del self.rx[:n]
        return n


def test_a_send_interrupted_before_its_send_ok_misleads_no_later_send():
    uart = SlowSendOkModule(late_ms=600)
    m = M.Modem(uart)
    m.ip = "10.0.0.1"
    m.proto.sockets[0].state = CONNECTED
    m.send_ms = 300
    orig = m._readinto
    seen = []

    def read(buf):
        if seen:  # Ctrl-C on the read after the OK: SEND OK is owed
            m._readinto = orig
            raise KeyboardInterrupt
        n = orig(buf)
        if b"OK" in bytes(buf[:n]):
            seen.append(n)
        return n
    m._readinto = read
    with pytest.raises(KeyboardInterrupt):
        m.send(0, b"first")
    assert m.proto.awaiting  # still owed its SEND OK
    # the next send waits out the first one's deadline, then goes
    assert m.send(0, b"second") == 6
    time.sleep(0.4)
    # the first one's SEND OK, late, comes before this one's OK: it is not
    # taken for this send's, whose own answer is SEND FAIL
    with pytest.raises(bc26.ModemError):
        m.send(0, b"third")
    assert m.send(0, b"fourth") == 6
    assert uart.sends == 4
