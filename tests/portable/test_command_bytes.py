"""bc26.commands on the MicroPython VM: the manual's chapter-4 command bytes
and refusals of bad input. (tests/core/test_commands.py covers the ranges
exhaustively on CPython; this checks the same encoders behave identically
under MicroPython's str/bytes/int semantics.)
Plain functions and assert: runs under pytest and on MicroPython."""

from bc26 import commands as C

from portable_support import raises

HOST = "220.180.239.212"


def _check(got, expected):
    assert got == expected, "%r != %r" % (got, expected)


# -- chapter 4, in the manual's order -------------------------------------


def test_4_1_1_open_buffer_access():
    _check(
        C.qiopen(0, "TCP", HOST, 8062, 1234, 0),
        b'AT+QIOPEN=1,0,"TCP","220.180.239.212",8062,1234,0\r',
    )
    _check(C.qistate(1, 0), b"AT+QISTATE=1,0\r")


def test_4_1_2_send_buffer_access():
    _check(C.qisend_text(0, "1234567890"), b"AT+QISEND=0,10,1234567890\r")
    _check(C.qisend_var(0), b"AT+QISEND=0\r")
    _check(C.var_payload(b"1234567890"), b"1234567890\x1a")
    _check(C.qisend_fixed(0, 10), b"AT+QISEND=0,10\r")
    _check(C.qisendex(0, b"01234"), b"AT+QISENDEX=0,5,3031323334\r")


def test_4_1_3_receive_buffer_access():
    _check(C.qird(0, 512), b"AT+QIRD=0,512\r")
    _check(C.qicfg_showlength(1), b'AT+QICFG="showlength",1\r')
    _check(C.qird(0, 10), b"AT+QIRD=0,10\r")
    _check(C.qicfg_viewmode(1), b'AT+QICFG="viewmode",1\r')
    _check(
        C.qisend_text(0, "012345678901", quote=True),
        b'AT+QISEND=0,12,"012345678901"\r',
    )


def test_4_1_4_close():
    _check(C.qiclose(0), b"AT+QICLOSE=0\r")


def test_4_2_direct_push():
    _check(
        C.qiopen(0, "TCP", HOST, 8062, 0, 1),
        b'AT+QIOPEN=1,0,"TCP","220.180.239.212",8062,0,1\r',
    )
    _check(C.qisend_text(0, "12345"), b"AT+QISEND=0,5,12345\r")
    _check(C.var_payload("12345"), b"12345\x1a")
    _check(C.qisend_fixed(0, 5), b"AT+QISEND=0,5\r")
    _check(C.qisendex(0, b"12345"), b"AT+QISENDEX=0,5,3132333435\r")


def test_4_3_ping():
    _check(C.qping("iot.quectel.com"), b'AT+QPING=1,"iot.quectel.com"\r')


def test_4_4_ntp():
    _check(C.qntp("ntp5.aliyun.com"), b'AT+QNTP=1,"ntp5.aliyun.com"\r')


def test_4_5_dns_servers():
    _check(
        C.qidnscfg("218.2.2.2", "8.8.8.8"),
        b'AT+QIDNSCFG=1,"218.2.2.2","8.8.8.8"\r',
    )
    _check(C.qidnscfg(), b"AT+QIDNSCFG=1\r")


def test_4_6_last_error():
    _check(C.qigeterror(), b"AT+QIGETERROR\r")


# -- MicroPython's own types going in -------------------------------------


def test_bytes_like_arguments():
    _check(C.qiopen(1, b"udp", b"example.com", 53), b'AT+QIOPEN=1,1,"UDP","example.com",53,0,0\r')
    _check(C.qisendex(4, bytearray(b"\x00\xff\r\n")), b"AT+QISENDEX=4,4,00ff0d0a\r")
    _check(C.qisendex(2, memoryview(b"\x1a\x1b")), b"AT+QISENDEX=2,2,1a1b\r")
    _check(C.hex_payload(bytes(range(4))), b"00010203")


def test_quoting_and_optional_parameters():
    _check(C.qisend_text(0, "{'a':1}"), b"AT+QISEND=0,7,\"{'a':1}\"\r")
    _check(C.qping("host", count=2), b'AT+QPING=1,"host",4,2\r')
    _check(C.qntp("pool.ntp.org", autosettime=1), b'AT+QNTP=1,"pool.ntp.org",123,1\r')
    _check(C.test("qiopen"), b"AT+QIOPEN=?\r")


def test_bring_up_lines_are_the_encoders_bytes():
    # start() and the resync probe send constants, so that a board need not
    # load the encoders for them: they must be what the encoders make
    from bc26 import bringup, operations

    _check(bringup.AT, C.at())
    _check(bringup.ECHO_OFF, C.ate(0))
    _check(bringup.NUMERIC_ERRORS, C.cmee(1))
    _check(bringup.SIM_QUERY, C.cpin_read())
    _check(bringup.IP_QUERY, C.cgpaddr(1))
    _check(bringup.SYNC_CONFIG[0], C.qicfg_dataformat(0, 0))
    _check(bringup.SYNC_CONFIG[1], C.qicfg_viewmode(0))
    _check(bringup.SYNC_CONFIG[2], C.qicfg_showlength(1))
    _check(bringup.ECHOMODE_OFF, C.qicfg_echomode(0))
    _check(operations.PROBE, C.cmee_read())
    from bc26 import reconcile
    _check(reconcile.QISTATE_ALL, C.qistate_read())
    for cid in range(5):
        _check(reconcile.qistate_one(cid), C.qistate(1, cid))


def test_every_line_ends_in_cr_only():
    for line in (
        C.at(),
        C.ate(False),
        C.qistate_read(),
        C.qidnsgip("example.com"),
        C.qicfg_dataformat(1, 0),
        C.qiswtmd(3, 1),
        C.qisend_query(0),
    ):
        assert line.startswith(b"AT") and line.endswith(b"\r"), line
        assert b"\n" not in line and line.count(b"\r") == 1, line


# -- refusals: a clear exception naming the parameter ----------------------


def _refused(exc_type, name, fn, *args, **kw):
    e = raises(exc_type, fn, *args, **kw)
    assert name in str(e), "%r does not name %s" % (str(e), name)


def test_connect_id_range_and_type():
    _refused(ValueError, "connect_id", C.qiopen, 5, "TCP", HOST, 80)
    _refused(ValueError, "connect_id", C.qiclose, -1)
    _refused(TypeError, "connect_id", C.qiclose, True)
    _refused(TypeError, "connect_id", C.qird, "0", 10)


def test_ports_and_service_type():
    _refused(ValueError, "remote_port", C.qiopen, 0, "TCP", HOST, 0)
    _refused(ValueError, "remote_port", C.qiopen, 0, "TCP", HOST, 65536)
    _refused(ValueError, "local_port", C.qiopen, 0, "TCP", HOST, 80, 70000)
    _refused(ValueError, "service_type", C.qiopen, 0, "SCTP", HOST, 80)
    _refused(ValueError, "context_id", C.qiopen, 0, "TCP", HOST, 80, context_id=4)


def test_hosts_that_could_inject_commands():
    for bad in (
        'a"b',
        "a.com\r\nAT+QRST=1",
        "a.com;+QRST=1",
        "a\x1ab",
        "a\x1bb",
        "h\u00e9llo.com",
        "",
        "256.1.1.1",
        "a..b",
    ):
        _refused(ValueError, "host", C.qiopen, 0, "TCP", bad, 80)
        _refused(ValueError, "host", C.qping, bad)
    _refused(ValueError, "host", C.qidnsgip, "x" * 256)
    _refused(ValueError, "primary", C.qidnscfg, "8.8.8.8;AT")


def test_text_payloads():
    for bad in ('say "hi"', "a;b", "line\r\n", "\x1a", "\x1b", "caf\u00e9"):
        _refused(ValueError, "data", C.qisend_text, 0, bad)
    _refused(ValueError, "data", C.qisend_text, 0, "x" * 1025)
    _refused(ValueError, "data", C.qisend_text, 0, "")
    _refused(TypeError, "data", C.qisend_text, 0, "abcd", hex=True)
    _refused(ValueError, "data", C.var_payload, b"ab\x1acd")
    _refused(ValueError, "data", C.var_payload, b"ab\x1bcd")


def test_lengths():
    assert len(C.qisend_text(0, "x" * 1024)) > 1024
    _refused(ValueError, "data", C.qisendex, 0, b"\x00" * 513)
    _refused(ValueError, "length", C.qisend_fixed, 0, 1461)
    _refused(ValueError, "length", C.qisend_fixed, 0, 731, hex=True)
    _refused(ValueError, "length", C.qird, 0, 0)
    _refused(ValueError, "length", C.qird, 0, 513)


def test_ping_ranges():
    _refused(ValueError, "timeout", C.qping, "h", timeout=0)
    _refused(ValueError, "timeout", C.qping, "h", timeout=256)
    _refused(ValueError, "count", C.qping, "h", count=11)
    _refused(ValueError, "size", C.qping, "h", size=31)
    _refused(ValueError, "size", C.qping, "h", size=201)
