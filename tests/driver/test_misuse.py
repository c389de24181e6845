"""Misuse harms nothing that was working: a busy socket id, a raw command
that would open the '>' prompt, and what last_error() reports after them."""
import pytest

import bc26
from bc26 import commands

from driver_support import ModemReader as _Reader, no_traffic, recv_exactly, wait_for


def test_open_on_a_busy_id_is_refused_and_the_socket_lives(modem, emu, wire,
                                                           tcp_addr):
    modem.open_socket(0, "TCP", *tcp_addr)
    modem.send(0, b"unread bytes")
    assert wait_for(lambda: emu.sockets()[0]["nodes"])  # waiting in the module
    with no_traffic(emu, wire):
        with pytest.raises(bc26.ModemError) as exc:
            modem.open_socket(0, "TCP", *tcp_addr)
    assert exc.value.code == 563
    # the live socket, its state and its data are untouched
    assert emu.sockets()[0]["state"] == 2
    buf = bytearray(64)
    n = modem.recv_into(0, buf, 0, 5000)
    assert bytes(buf[:n]) == b"unread bytes"
    modem.send(0, b"still works")
    n = modem.recv_into(0, buf, 0, 5000)
    assert bytes(buf[:n]) == b"still works"
    modem.close_socket(0)


def test_a_busy_id_the_driver_did_not_know_is_learnt_not_closed(
        make_modem, tcp_addr):
    """A driver started anew while the module kept a socket open: the
    module's 563 is reported, the socket is asked about, never closed."""
    emu, first, _ = make_modem()
    first.open_socket(0, "TCP", *tcp_addr)
    first.send(0, b"kept")
    assert wait_for(lambda: emu.sockets()[0]["nodes"])
    first.close()  # the host goes; the module keeps its socket
    second = bc26.Modem.open(emu.url)
    try:
        second.start(timeout=10)
        mark = len(emu.log)
        with pytest.raises(bc26.ModemError) as exc:
            second.open_socket(0, "TCP", *tcp_addr)
        assert exc.value.code == 563
        sent = [e.data for e in emu.log[mark:] if e.kind == "line"]
        assert not any(b"QICLOSE" in line for line in sent), sent
        assert emu.sockets()[0]["nodes"] == [b"kept"]
        assert second.last_error() == (563, "socket identity has been used")
        # the driver now knows the id is taken
        assert second.free_socket() == 1
        assert second.proto.sockets[0].state == 2
    finally:
        second.close()


def test_last_error_survives_the_drivers_own_clean_up(modem, emu):
    """A failed open is followed by the driver's AT+QICLOSE (the manual's
    clean-up), which resets the module's last error: last_error() still
    names the user's failure."""
    with pytest.raises(bc26.ModemError) as exc:
        modem.open_socket(1, "TCP", "127.0.0.1", 1, timeout=5)  # refused
    code = exc.value.code
    assert code == 566
    assert emu.settings()["last_error"] == 0  # the clean-up reset it
    assert modem.last_error() == (566, "socket connection failed")
    assert modem.last_error() == (566, "socket connection failed")  # again
    # a later success: the module's own answer again
    modem.resolve("echo.test")
    assert modem.last_error() == (0, "operation successful")


def test_last_error_names_each_last_failure(modem, emu, tcp_addr):
    with pytest.raises(bc26.ModemError):
        modem.open_socket(1, "TCP", "127.0.0.1", 1, timeout=5)  # 566
    modem.open_socket(0, "TCP", *tcp_addr)
    emu.faults.remote_close(0)
    assert wait_for(lambda: modem.poll() is not None
                    and modem.proto.sockets[0].remote_closed)
    with pytest.raises(bc26.ModemError) as exc:
        modem.send_hex(0, b"too late")  # the module: 567, closed
    assert modem.last_error()[0] == exc.value.code != 566
    # the driver's own refusal of a busy id is the last failure too
    with pytest.raises(bc26.ModemError):
        modem.open_socket(0, "TCP", *tcp_addr)
    assert modem.last_error() == (563, "socket identity has been used")


@pytest.mark.parametrize("wire_bytes", [
    b"AT+QISEND=0\r", b"AT+QISEND=0,5\r", b"at+qisend=0,5\r",
    b"AT;+QISEND=0,10\r"])
def test_command_refuses_what_opens_the_prompt(modem, emu, wire, tcp_addr,
                                               wire_bytes):
    modem.open_socket(0, "TCP", *tcp_addr)
    with no_traffic(emu, wire):
        with pytest.raises(ValueError):
            modem.command(wire_bytes)
    with no_traffic(emu, wire):
        with pytest.raises(ValueError):
            modem.command(commands.qisend_var(0))
    # the driver and the socket are fine
    modem.send(0, b"after")
    buf = bytearray(16)
    n = modem.recv_into(0, buf, 0, 5000)
    assert bytes(buf[:n]) == b"after"


def test_command_takes_the_one_line_send_forms(modem, emu, tcp_addr):
    """The forms that carry their data on the line do not open '>'."""
    modem.open_socket(0, "TCP", *tcp_addr)
    cmd = modem.command(b"AT+QISEND=0,0\r")  # the counters
    assert cmd.status == 3
    cmd = modem.command(b"AT+QISEND=?\r")  # the test form
    assert cmd.status == 3 and cmd.lines
    modem.command(commands.qisendex(0, b"hi"))
    modem.command(commands.qisend_text(0, "yo"))
    buf = bytearray(16)
    got = b""
    while len(got) < 4:
        n = modem.recv_into(0, buf, 0, 5000)
        got += bytes(buf[:n])
    assert got == b"hiyo"


def test_verbose_cme_error_keeps_its_code(modem, emu, wire, tcp_addr):
    """AT+CMEE=2: '+CME ERROR: <text>' is mapped back to its code."""
    modem.command(commands.cmee(2))
    modem.open_socket(0, "TCP", *tcp_addr)
    mark = len(wire.inp)
    with pytest.raises(bc26.ModemError) as exc:
        modem.command(commands.qiopen(0, "TCP", tcp_addr[0], tcp_addr[1]))
    assert b"+CME ERROR: socket identity has been used" in wire.inp[mark:]
    assert exc.value.code == 563
    # the socket it named is untouched
    modem.send(0, b"ok")
    assert recv_exactly(_Reader(modem, 0), 2) == b"ok"


ECHO_BAIT = (b'\r\n+QIURC: "closed",1\r\n' b"\r\nSEND FAIL\r\n" b"\r\nERROR\r\n"
             b"\r\n+CME ERROR: 550\r\n" b"\r\nOK\r\n" b"\r\nSEND OK\r\n"
             b'\r\n+QIURC: "recv",1,5\r\n12345\r\n' b"\r\n+QIRD: 10\r\n"
             b"\r\nCLOSE OK\r\n" b"\r\n+QIOPEN: 1,566\r\n" b"\r\nRDY\r\n"
             b"\r\n> " b"\r\n+IP: 10.0.0.1\r\n" b'\r\n+QIURC: "dnsgip",565\r\n'
             b"\r\n+QPING: 569\r\n" b"\r\n+QNTP: 1,\"19/06/11,11:08:20+32\"\r\n"
             b"\r\n+QISTATE: 1,\"TCP\",\"1.2.3.4\",1,0,4,1,0\r\n")


@pytest.mark.parametrize("mode", [bc26.BUFFER, bc26.DIRECT_PUSH])
def test_echomode_payload_is_skipped_not_parsed(modem, emu, wire, tcp_addr,
                                               mode):
    """AT+QICFG="echomode",1: the module echoes what is sent in data mode.
    A payload holding every reply and URC must fail nothing and close
    nothing: the driver skips the echo by its count."""
    modem.configure(echomode=1)
    modem.open_socket(0, "TCP", *tcp_addr, access_mode=mode)
    modem.open_socket(1, "TCP", *tcp_addr, access_mode=mode)
    reader = _Reader(modem, 0)
    payload = ECHO_BAIT + bytes(range(256))
    mark = len(wire.inp)
    assert modem.send(0, payload) == len(payload)  # fixed-length data mode
    assert payload in bytes(wire.inp[mark:])  # the echo did come
    assert recv_exactly(reader, len(payload)) == payload
    variable = ECHO_BAIT.replace(b"\x1a", b"") * 2
    assert modem.send_variable(0, variable) == len(variable)
    assert recv_exactly(reader, len(variable)) == variable
    # socket 1 was never closed, and still carries data
    assert modem.proto.sockets[1].state == 2
    assert [e.connect_id for e in modem.sockets()] == [0, 1]
    modem.send(1, b"one")
    assert recv_exactly(_Reader(modem, 1), 3) == b"one"
    assert not any("closed" in repr(e) for e in modem.proto.urcs)
