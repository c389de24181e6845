"""Bad arguments to the command encoders: every range refused with a
ValueError naming the parameter, every wrong type with a TypeError, and no
string that could end the command or start another one (the checks are in
bc26/checks.py; these tests go through the encoders that use them)."""

import pytest

from bc26 import commands as c


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
