"""Basic commands, framing, test forms, parameter errors, NVRAM, the log."""
import pytest

from bc26.emulator import Emulator, format_entry, netops
from bc26.emulator.modem import BOOT_JUNK
from bc26.emulator.receiver import MAX_LINE

from emu_support import Term, free_port, open_tcp, wait_for

BOOT = BOOT_JUNK + b"\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n"


def test_echo_forms(emu_term):
    emu, t = emu_term
    t.exchange(b"ATE0", b"\r\nOK\r\n")  # echoed: echo was on when it came in
    t.write(b"AT\r")
    t.expect(b"\r\nOK\r\n")
    t.write(b"ATE1\r")
    t.expect(b"\r\nOK\r\n")
    t.exchange(b"AT", b"\r\nOK\r\n")
    t.exchange(b"ATE", b"\r\nOK\r\n")
    t.write(b"ATZ\r")
    t.expect(b"\r\nOK\r\n")
    t.exchange(b"AT", b"\r\nOK\r\n")  # ATZ: echo on again


def test_line_endings_case_and_backspace(emu_term):
    emu, t = emu_term
    t.write(b"AT\r\n")
    t.expect(b"AT\r\r\nOK\r\n")  # the LF is ignored, not echoed
    t.exchange(b"at", b"\r\nOK\r\n")
    t.write(b"ATX\x08\r")
    t.expect(b"ATX\x08\r\r\nOK\r\n")
    t.write(b"\r")
    t.expect(b"\r")  # echoed, but an empty line gets no answer
    t.nothing(0.05)


def test_unknown_and_malformed(emu_term):
    emu, t = emu_term
    for line in (b"AT+FOO", b"ATQQ", b"hello", b"AT+CPIN", b"AT+QIOPEN", b"AT+"):
        t.exchange(line, b"\r\nERROR\r\n")
    t.exchange(b"AT" + b"X" * MAX_LINE, b"\r\nERROR\r\n")


def test_information_commands(emu_term):
    emu, t = emu_term
    ok = b"\r\n\r\nOK\r\n"
    t.exchange(b"ATI", b"\r\nQuectel_Ltd\r\nQuectel_BC26\r\nRevision: BC26NBR01A10" + ok)
    t.exchange(b"AT+CPIN?", b"\r\n+CPIN: READY" + ok)
    t.exchange(b"AT+CEREG?", b"\r\n+CEREG: 0,1" + ok)
    t.exchange(b"AT+CGATT?", b"\r\n+CGATT: 1" + ok)
    t.exchange(b"AT+CGPADDR", b"\r\n+CGPADDR: 1,127.0.0.1" + ok)
    t.exchange(b"AT+CGPADDR=1", b"\r\n+CGPADDR: 1,127.0.0.1" + ok)
    t.exchange(b"AT+CFUN?", b"\r\n+CFUN: 1" + ok)
    t.exchange(b"AT+CSQ", b"\r\n+CSQ: 28,0" + ok)
    t.exchange(b"AT+CGMR", b"\r\nRevision: BC26NBR01A10" + ok)
    t.exchange(b"AT+CGSN=1", b"\r\n+CGSN: 866425030000017" + ok)
    t.exchange(b"AT+QSCLK=0", b"\r\nOK\r\n")
    t.exchange(b"AT+QSCLK?", b"\r\n+QSCLK: 0" + ok)


@pytest.mark.parametrize("cmd,reply", [
    (b"AT+QIOPEN=?", b'+QIOPEN: (1-3),(0-4),"TCP/UDP","<IP_address>/<domain_name>",'
                     b"<remote_port>,<local_port>,(0-1),(0-1)"),
    (b"AT+QICLOSE=?", b"+QICLOSE: (0-4)"),
    (b"AT+QISTATE=?", None),
    (b"AT+QISEND=?", b"+QISEND: (0-4),(1-1024),<data>"),
    (b"AT+QIRD=?", b"+QIRD: (0-4),(1-512)"),
    (b"AT+QISENDEX=?", b"+QISENDEX: (0-4),(1-512),<hex_string>"),
    (b"AT+QISWTMD=?", b"+QISWTMD: (0-4),(0-1)"),
    (b"AT+QISWTMD?", None),
    (b"AT+QPING=?", b'+QPING: (1-3),"<host>"[,(1-255)][,(1-10)][,(32-200)]'),
    (b"AT+QNTP=?", b'+QNTP: (1-3),"<server>"[,<port>[,(0,1)]]'),
    (b"AT+QIDNSGIP=?", b'+QIDNSGIP: (1-3),"<hostname>"'),
    (b"AT+QIDNSCFG=?", b"+QIDNSCFG: (1-3),<pridnsaddr>,<secdnsaddr>"),
    (b"AT+QICFG=?", b'+QICFG: "dataformat",(0,1),(0,1)\r\n+QICFG: "viewmode",(0,1)\r\n'
                    b'+QICFG: "showlength",(0,1)\r\n+QICFG: "echomode",(0,1)'),
    (b"AT+QIGETERROR=?", None),
    (b"AT+CMEE=?", b"+CMEE: (0-2)"),
    (b"AT+CEREG=?", b"+CEREG: (0-5)"),
    (b"AT+QRST=?", b"+QRST: (1)"),
])
def test_test_forms(emu_term, cmd, reply):
    emu, t = emu_term
    t.exchange(cmd, (b"\r\n" + reply + b"\r\n" if reply else b"") + b"\r\nOK\r\n")


@pytest.mark.parametrize("cmd", [
    b'AT+QIOPEN=1,5,"TCP","127.0.0.1",80', b'AT+QIOPEN=0,0,"TCP","127.0.0.1",80',
    b'AT+QIOPEN=1,0,"SCTP","127.0.0.1",80', b'AT+QIOPEN=1,0,"TCP","127.0.0.1",0',
    b'AT+QIOPEN=1,0,"TCP","127.0.0.1",65536', b'AT+QIOPEN=1,0,"TCP","127.0.0.1",80,0,2',
    b'AT+QIOPEN=1,0,"TCP","127.0.0.1",80,x', b'AT+QIOPEN=1,0,"TCP,"127.0.0.1",80',
    b"AT+QICLOSE=5", b"AT+QICLOSE", b"AT+QIRD=0,0", b"AT+QIRD=0,513", b"AT+QIRD=0",
    b"AT+QISTATE=2,0", b"AT+QISTATE=1,9", b"AT+QISWTMD=0,2", b'AT+QICFG="nosuch",1',
    b'AT+QICFG="viewmode",2', b'AT+QICFG="dataformat",1', b"AT+QPING=1,\"h\",0",
    b'AT+QPING=1,"h",4,11', b'AT+QPING=1,"h",4,4,31', b'AT+QPING=1,"h",4,4,201',
    b'AT+QNTP=1,"h",0', b'AT+QNTP=1,"h",123,2', b"AT+QIDNSGIP=1", b"AT+QISEND=5,1,a",
    b'AT+QIDNSCFG=1,"8.8.8"', b'AT+QIDNSCFG=1,"1.1.1.1","x"', b"AT+QIDNSCFG=4",
    b"AT+QISENDEX=0,0,", b"AT+QISEND=0,x",
])
def test_invalid_parameters_are_552(emu_term, cmd):
    emu, t = emu_term
    t.exchange(b"AT+QICFG=\"showlength\"", b'\r\n+QICFG: "showlength",0\r\n\r\nOK\r\n')
    t.exchange(cmd, b"\r\nERROR\r\n")
    t.exchange(b"AT+QIGETERROR", b"\r\n+QIGETERROR: 552,invalid parameters\r\n\r\nOK\r\n")


def test_cmee_forms_of_errors(emu_term):
    emu, t = emu_term
    t.exchange(b"AT+CMEE=1", b"\r\nOK\r\n")
    t.exchange(b"AT+CMEE?", b"\r\n+CMEE: 1\r\n\r\nOK\r\n")
    t.exchange(b"AT+QIRD=9,1", b"\r\n+CME ERROR: 552\r\n")
    t.exchange(b"AT+CMEE=2", b"\r\nOK\r\n")
    t.exchange(b"AT+QIRD=9,1", b"\r\n+CME ERROR: invalid parameters\r\n")
    t.exchange(b"AT+CMEE=7", b"\r\n+CME ERROR: incorrect parameters\r\n")
    t.exchange(b"AT+FOO", b"\r\nERROR\r\n")  # unknown commands stay plain


def test_last_error_reset_by_success(make_emu):
    emu, t = make_emu()
    t.exchange(b"AT+QICLOSE=9", b"\r\nERROR\r\n")
    t.exchange(b"AT", b"\r\nOK\r\n")  # not a TCP/IP command: kept
    t.exchange(b"AT+QIGETERROR", b"\r\n+QIGETERROR: 552,invalid parameters\r\n\r\nOK\r\n")
    t.exchange(b"AT+QIGETERROR", b"\r\n+QIGETERROR: 552,invalid parameters\r\n\r\nOK\r\n")
    t.exchange(b"AT+QISTATE?", b"\r\nOK\r\n")
    t.exchange(b"AT+QIGETERROR", b"\r\n+QIGETERROR: 0,operation successful\r\n\r\nOK\r\n")


def test_open_errors_563_566_and_close_after_failure(make_emu, sink, monkeypatch):
    # resolve names from the hosts file only: no query leaves the machine
    monkeypatch.setattr(netops, "_resolver_is_local", lambda: False)
    emu, t = make_emu()
    dead = free_port()
    t.exchange(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,0,0' % dead,
               b"\r\nOK\r\n\r\n+QIOPEN: 0,566\r\n")
    t.exchange(b"AT+QIGETERROR", b"\r\n+QIGETERROR: 566,socket connection failed\r\n\r\nOK\r\n")
    # the failed id stays in use until AT+QICLOSE (manual 2.1.1 note 3)
    t.exchange(b"AT+QISTATE=1,0",
               b'\r\n+QISTATE: 0,"TCP","127.0.0.1",%d,0,0,1,0\r\n\r\nOK\r\n' % dead)
    t.exchange(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,0,0' % sink.port, b"\r\nERROR\r\n")
    t.exchange(b"AT+QIGETERROR",
               b"\r\n+QIGETERROR: 563,socket identity has been used\r\n\r\nOK\r\n")
    t.exchange(b"AT+QICLOSE=0", b"\r\nOK\r\n\r\nCLOSE OK\r\n")
    open_tcp(t, sink.port)
    t.exchange(b'AT+QIOPEN=1,1,"TCP","no.such.name.invalid",80',
               b"\r\nOK\r\n\r\n+QIOPEN: 1,565\r\n")
    # <protocol_type> 1 (IPv6) with an IPv4 address literal
    t.exchange(b'AT+QIOPEN=1,2,"TCP","127.0.0.1",80,0,0,1', b"\r\nERROR\r\n")
    t.exchange(b"AT+QIGETERROR",
               b"\r\n+QIGETERROR: 552,invalid parameters\r\n\r\nOK\r\n")


def test_local_port_is_honoured(make_emu, sink):
    emu, t = make_emu()
    lport = free_port()
    open_tcp(t, sink.port, lport=lport)
    assert emu.sockets()[0]["lport"] == lport
    wait_for(lambda: sink.peers, what="the connection at the server")
    assert sink.peers[0][1] == lport


def test_not_registered_yet():
    with Emulator(pty=True, boot_delay=0.01, ip_delay=30) as emu:
        assert emu.wait_boot(3)
        t = Term(emu.url)
        try:
            t.drain(0.02)
            t.exchange(b"AT", b"\r\nOK\r\n")
            t.exchange(b"AT+CEREG?", b"\r\n+CEREG: 0,2\r\n\r\nOK\r\n")
            t.exchange(b"AT+CGATT?", b"\r\n+CGATT: 0\r\n\r\nOK\r\n")
            t.exchange(b"AT+CGPADDR", b"\r\nOK\r\n")
            t.exchange(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",80', b"\r\nERROR\r\n")
            t.exchange(b"AT+QIGETERROR",
                       b"\r\n+QIGETERROR: 561,open pdp context failed\r\n\r\nOK\r\n")
        finally:
            t.close()


def test_cfun_deregisters_and_registers(make_emu, sink):
    emu, t = make_emu()
    open_tcp(t, sink.port)
    t.exchange(b"AT+CEREG=1", b"\r\nOK\r\n")
    t.exchange(b"AT+CFUN=0", b'\r\nOK\r\n\r\n+CEREG: 0\r\n\r\n+QIURC: "closed",0\r\n')
    t.exchange(b"AT+CGATT?", b"\r\n+CGATT: 0\r\n\r\nOK\r\n")
    t.exchange(b"AT+CGPADDR", b"\r\nOK\r\n")
    t.exchange(b'AT+QIOPEN=1,1,"TCP","127.0.0.1",80', b"\r\nERROR\r\n")
    t.exchange(b"AT+QIGETERROR", b"\r\n+QIGETERROR: 561,open pdp context failed\r\n\r\nOK\r\n")
    t.exchange(b"AT+CFUN=1", b"\r\nOK\r\n")
    t.expect(b"\r\n+CEREG: 1\r\n\r\n+IP: 127.0.0.1\r\n")
    t.exchange(b"AT+CEREG?", b"\r\n+CEREG: 1,1\r\n\r\nOK\r\n")


def test_qrst_keeps_nvram_and_forgets_the_rest(make_emu, sink):
    emu, t = make_emu(boot_delay=0.05)
    for cmd in (b'AT+QICFG="dataformat",1,1', b'AT+QICFG="viewmode",1',
                b'AT+QICFG="showlength",1', b'AT+QICFG="echomode",1',
                b'AT+QIDNSCFG=1,"127.0.0.1"', b"AT+CMEE=1"):
        t.exchange(cmd, b"\r\nOK\r\n")
    open_tcp(t, sink.port)
    t.exchange(b"AT+QISWTMD=0,1", b"\r\nOK\r\n")
    t.exchange(b"ATE0", b"\r\nOK\r\n")
    t.write(b"AT+QRST=1\r")
    t.expect(b"\r\nOK\r\n" + BOOT + b"\r\n+IP: 127.0.0.1\r\n")
    t.exchange(b"AT+QISTATE?", b"\r\nOK\r\n")  # echo on, sockets gone
    t.exchange(b'AT+QICFG="dataformat"', b'\r\n+QICFG: "dataformat",1,1\r\n\r\nOK\r\n')
    t.exchange(b'AT+QICFG="viewmode"', b'\r\n+QICFG: "viewmode",1\r\n\r\nOK\r\n')
    t.exchange(b'AT+QICFG="showlength"', b'\r\n+QICFG: "showlength",1\r\n\r\nOK\r\n')
    t.exchange(b'AT+QICFG="echomode"', b'\r\n+QICFG: "echomode",1\r\n\r\nOK\r\n')
    t.exchange(b"AT+QIDNSCFG=1", b"\r\nOK\r\n")  # not kept (2.1.11 note 5)
    t.exchange(b"AT+CMEE?", b"\r\n+CMEE: 0\r\n\r\nOK\r\n")
    assert emu.settings()["access"] == {0: 1}
    t.exchange(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d' % sink.port,
               b"\r\nOK\r\n\r\n+QIOPEN: 0,0\r\n")
    assert emu.sockets()[0]["access"] == 1


def test_log_records_lines_and_data(make_emu, sink):
    emu, t = make_emu()
    open_tcp(t, sink.port)
    t.exchange(b"AT+QISEND=0,3", b"\r\n> ")
    t.write(b"\r\n\x00")
    t.expect(b"\r\nOK\r\n\r\nSEND OK\r\n")
    kinds = [(e.kind, e.data) for e in emu.log]
    assert kinds[0] == ("line", b"AT")
    assert kinds[-2:] == [("line", b"AT+QISEND=0,3"), ("data", b"\r\n\x00")]
    times = [e.t for e in emu.log]
    assert times == sorted(times) and times[0] > 0
    assert format_entry(emu.log[-1]).split()[1:] == ["data", "\\r\\n\\x00"]


def test_term_helper_reports_mismatch(emu_term):
    emu, t = emu_term
    t.write(b"AT\r")
    with pytest.raises(AssertionError):
        t.expect(b"AT\r\r\nOK\r\r")  # as long as the real reply, one byte off
    assert isinstance(t, Term)
