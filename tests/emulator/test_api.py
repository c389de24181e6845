"""The Python API in listen mode: url, power on connect, one client at a time."""
import socket

import pytest

from bc26.emulator import Emulator
from bc26.emulator.modem import BOOT_JUNK

from emu_support import FAST, Term, open_tcp, wait_for

BOOT = BOOT_JUNK + b"\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\n+IP: 127.0.0.1\r\n"


def test_listen_url_boot_and_power_off(tcp_echo):
    with Emulator(listen="127.0.0.1:0", **FAST) as emu:
        assert emu.url == "socket://127.0.0.1:%d" % emu.address[1]
        assert not emu.wait_boot(0.1)  # nobody connected: no power
        t = Term(emu.url)
        t.expect(BOOT)
        open_tcp(t, tcp_echo.port)
        assert list(emu.sockets()) == [0]
        t.close()
        wait_for(lambda: emu.sockets() == {}, what="power off on disconnect")
        t = Term(emu.url)
        t.expect(BOOT)
        t.exchange(b"AT+QISTATE?", b"\r\nOK\r\n")
        t.close()


def test_one_client_at_a_time():
    with Emulator(listen=("127.0.0.1", 0), **FAST) as emu:
        first = Term(emu.url)
        first.expect(BOOT)
        second = socket.create_connection(emu.address, timeout=2)
        second.settimeout(0.2)
        with pytest.raises(socket.timeout):
            second.recv(100)  # waits in the backlog
        first.close()
        second.settimeout(3)
        got = b""
        while not got.endswith(b"+IP: 127.0.0.1\r\n"):
            got += second.recv(1000)
        assert got == BOOT
        second.sendall(b"AT\r")
        reply = b""
        while not reply.endswith(b"OK\r\n"):
            reply += second.recv(100)
        assert reply == b"AT\r\r\nOK\r\n"
        second.close()


def test_bad_options():
    with pytest.raises(ValueError):
        Emulator()
    with pytest.raises(ValueError):
        Emulator(pty=True, listen=("127.0.0.1", 0))
    with pytest.raises(ValueError):
        Emulator(pty=True, recv_variant="inline")


def test_pty_is_raw_for_any_client():
    """A client that opens the pty without configuring it (as the Node.js
    virtual board does) still gets the bytes unmangled."""
    import os
    import select
    with Emulator(pty=True, **FAST) as emu:
        assert emu.wait_ready(3)
        fd = os.open(emu.url, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            os.write(fd, b"AT\r")
            got = b""
            while not got.endswith(b"OK\r\n") and select.select([fd], [], [], 2)[0]:
                got += os.read(fd, 1000)
            assert got.endswith(b"+IP: 127.0.0.1\r\nAT\r\r\nOK\r\n")
            assert got.startswith(BOOT_JUNK)  # unflushed: the boot output too
        finally:
            os.close(fd)
