"""Every fault kind of the fault API, one test each (or more)."""
import time

import pytest

from bc26.emulator.modem import BOOT_JUNK
from bc26.emulator.servers import PayloadServer

from emu_support import open_tcp, wait_for, wait_nodes


def test_inject_after_echo(emu_term):
    emu, t = emu_term
    emu.faults.inject_urc(b"+CEREG: 1", at="after_echo")
    t.exchange(b"AT", b"\r\n+CEREG: 1\r\n\r\nOK\r\n")
    t.exchange(b"AT", b"\r\nOK\r\n")  # fired once


def test_inject_before_prompt(make_emu, sink):
    emu, t = make_emu()
    open_tcp(t, sink.port)
    emu.faults.inject_urc("+CSCON: 0", at="before_prompt")
    t.exchange(b"AT+CPIN?", b"\r\n+CPIN: READY\r\n\r\nOK\r\n")  # no prompt: waits
    t.exchange(b"AT+QISEND=0,3", b"\r\n+CSCON: 0\r\n\r\n> ")
    t.write(b"abc")
    t.expect(b"\r\nOK\r\n\r\nSEND OK\r\n")


def test_inject_between_qird_payload_and_ok(make_emu, tcp_echo):
    emu, t = make_emu()
    open_tcp(t, tcp_echo.port)
    t.exchange(b"AT+QISEND=0,4,Test", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0\r\n')
    emu.faults.inject_urc(b'+QIURC: "recv",1', at="before_ok", on="AT+QIRD")
    t.exchange(b"AT", b"\r\nOK\r\n")  # not an AT+QIRD: untouched
    t.exchange(b"AT+QIRD=0,512",
               b'\r\n+QIRD: 4\r\nTest\r\n\r\n+QIURC: "recv",1\r\n\r\nOK\r\n')


def test_inject_between_ok_and_send_ok_and_qiopen(make_emu, sink):
    emu, t = make_emu()
    emu.faults.inject_urc(b"+QATWAKEUP", at="after_ok", on="AT+QIOPEN")
    t.exchange(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,0,0' % sink.port,
               b"\r\nOK\r\n\r\n+QATWAKEUP\r\n\r\n+QIOPEN: 0,0\r\n")
    emu.faults.inject_urc(b"+CEREG: 5", at="after_ok")
    t.exchange(b"AT+QISEND=0,2,hi", b"\r\nOK\r\n\r\n+CEREG: 5\r\n\r\nSEND OK\r\n")
    emu.faults.inject_urc(b"+CEREG: 1", at="after_ok", on="AT+QICLOSE")
    t.exchange(b"AT+QICLOSE=0", b"\r\nOK\r\n\r\n+CEREG: 1\r\n\r\nCLOSE OK\r\n")


def test_inject_rejects_partial_lines(emu_term):
    emu, t = emu_term
    with pytest.raises(ValueError):
        emu.faults.inject_urc(b"+A\r\n+B")
    with pytest.raises(ValueError):
        emu.faults.inject_urc(b"+A", at="inside_payload")


def test_drop_output_bytes(emu_term):
    emu, t = emu_term
    emu.faults.drop_output(count=2, skip=2)
    t.write(b"AT\r")
    t.expect(b"AT\nOK\r\n")  # "\r\r" of "AT\r\r\nOK\r\n" lost
    t.exchange(b"AT", b"\r\nOK\r\n")


def test_corrupt_output_bytes(emu_term):
    emu, t = emu_term
    emu.faults.corrupt_output(count=1, skip=5, xor=0x20)
    t.write(b"AT\r")
    t.expect(b"AT\r\r\noK\r\n")
    t.exchange(b"AT", b"\r\nOK\r\n")


def test_delay_reply(emu_term):
    emu, t = emu_term
    emu.faults.delay_reply(0.3, on=b"ATI")
    t.exchange(b"AT", b"\r\nOK\r\n")
    t0 = time.monotonic()
    t.write(b"ATI\r")
    t.expect(b"ATI\r")  # the echo is not delayed
    assert time.monotonic() - t0 < 0.2
    t.write(b"AT\r")  # typed ahead: waits its turn, echo included
    t.expect(b"\r\nQuectel_Ltd\r\nQuectel_BC26\r\nRevision: BC26NBR01A10\r\n\r\nOK\r\n",
             timeout=2)
    assert time.monotonic() - t0 >= 0.3
    t.expect(b"AT\r\r\nOK\r\n")


def test_send_fail(make_emu, sink):
    emu, t = make_emu()
    open_tcp(t, sink.port)
    emu.faults.send_fail_next()
    t.exchange(b"AT+QISEND=0,4,lost", b"\r\nOK\r\n\r\nSEND FAIL\r\n")
    t.exchange(b"AT+QIGETERROR", b"\r\n+QIGETERROR: 558,socket write failed\r\n\r\nOK\r\n")
    t.exchange(b"AT+QISEND=0,4,kept", b"\r\nOK\r\n\r\nSEND OK\r\n")
    wait_for(lambda: bytes(sink.received) == b"kept", what="only the second send")
    t.exchange(b"AT+QISEND=0,0", b"\r\n+QISEND: 4,4,0\r\n\r\nOK\r\n")


def test_remote_closes_right_after_data(make_emu):
    with PayloadServer(b"last words") as srv:
        emu, t = make_emu()
        open_tcp(t, srv.port)
        t.expect(b'\r\n+QIURC: "recv",0\r\n\r\n+QIURC: "closed",0\r\n')
        t.exchange(b"AT+QISTATE=1,0",
                   b'\r\n+QISTATE: 0,"TCP","127.0.0.1",%d,0,4,1,0\r\n\r\nOK\r\n' % srv.port)
        t.exchange(b"AT+QISEND=0,2,hi", b"\r\nERROR\r\n")
        t.exchange(b"AT+QIRD=0,512", b"\r\n+QIRD: 10\r\nlast words\r\n\r\nOK\r\n")
        t.exchange(b"AT+QICLOSE=0", b"\r\nOK\r\n\r\nCLOSE OK\r\n")


def test_remote_close_fault(make_emu, tcp_echo):
    emu, t = make_emu()
    open_tcp(t, tcp_echo.port, access=0)
    t.exchange(b"AT+QISEND=0,3,abc", b"\r\nOK\r\n\r\nSEND OK\r\n")
    t.expect(b'\r\n+QIURC: "recv",0\r\n')
    wait_nodes(emu, 0, 1)
    emu.faults.remote_close(0)
    t.expect(b'\r\n+QIURC: "closed",0\r\n')
    assert emu.sockets()[0]["state"] == 4
    t.exchange(b"AT+QIRD=0,512", b"\r\n+QIRD: 3\r\nabc\r\n\r\nOK\r\n")


def test_fill_buffer(make_emu, sink):
    emu, t = make_emu()
    t.exchange(b'AT+QICFG="showlength",1', b"\r\nOK\r\n")
    open_tcp(t, sink.port)
    emu.faults.fill_buffer(0, size=8)
    t.expect(b'\r\n+QIURC: "recv",0,8\r\n\r\n+QIURC: "recv",0,"buff full"\r\n')
    assert len(emu.sockets()[0]["nodes"]) == 20
    t.exchange(b"AT+QIRD=0,512", b"\r\n+QIRD: 8,0\r\nAAAAAAAA\r\n\r\nOK\r\n")
    emu.faults.fill_buffer(0, size=2)  # one node free: full again, reported again
    t.expect(b'\r\n+QIURC: "recv",0,"buff full"\r\n')
    t.exchange(b"AT+QIRD=0,512", b"\r\n+QIRD: 8,0\r\nBBBBBBBB\r\n\r\nOK\r\n")


def test_late_close_ok(make_emu, sink):
    emu, t = make_emu()
    open_tcp(t, sink.port)
    emu.faults.late_close_ok(0.08)
    t0 = time.monotonic()
    t.exchange(b"AT+QICLOSE=0", b"\r\nOK\r\n")
    t.exchange(b"AT", b"\r\nOK\r\n")  # the module answers in between
    t.expect(b"\r\nCLOSE OK\r\n")
    assert time.monotonic() - t0 >= 0.08
    t.exchange(b"AT+QISTATE?", b"\r\nOK\r\n")


def test_late_close_ok_option(make_emu, sink):
    emu, t = make_emu(close_ok_delay=0.05)
    open_tcp(t, sink.port)
    t.write(b"AT+QICLOSE=0\r")
    t.expect(b"AT+QICLOSE=0\r\r\nOK\r\n")
    t.nothing(0.02)
    t.expect(b"\r\nCLOSE OK\r\n")


def test_reboot_mid_transfer(make_emu, sink):
    emu, t = make_emu(boot_delay=0.05)
    open_tcp(t, sink.port)
    emu.faults.reboot_in_data_mode(after=4)
    t.exchange(b"AT+QISEND=0,10", b"\r\n> ")
    t.write(b"12345")
    t.expect(BOOT_JUNK + b"\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\n+IP: 127.0.0.1\r\n")
    t.exchange(b"AT+QISTATE?", b"\r\nOK\r\n")  # sockets gone
    assert bytes(sink.received) == b""


def test_reboot_from_api(emu_term):
    emu, t = emu_term
    t.exchange(b"ATE0", b"\r\nOK\r\n")
    emu.reboot()
    assert emu.wait_ready(3)
    t.read_until(b"+IP: 127.0.0.1\r\n")
    t.exchange(b"AT", b"\r\nOK\r\n")  # echo is on again after power-up


def test_mute_and_unmute(emu_term):
    emu, t = emu_term
    emu.faults.mute()
    t.write(b"AT\r")
    t.nothing(0.15)
    assert emu.log[-1][1:] == ("lost", b"AT\r")
    emu.faults.unmute()
    t.exchange(b"AT", b"\r\nOK\r\n")


def test_clear(emu_term):
    emu, t = emu_term
    emu.faults.inject_urc(b"+X", at="after_echo")
    emu.faults.delay_reply(5)
    emu.faults.corrupt_output(10)
    emu.faults.clear()
    t.exchange(b"AT", b"\r\nOK\r\n")
