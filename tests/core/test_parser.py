"""parse_line: every event shape the manual and docs/wire.md describe, and the
tolerated variants; lines framed by the tokenizer with odd line ends."""

import pytest

from bc26 import events as ev
from bc26.parser import parse_line, parse_time, split_fields
from bc26 import Tokenizer
from bc26.tokenizer import LINE, NONE, PAYLOAD, PROMPT

SHAPES = [
    # final results
    (b"OK", ev.Ok()),
    (b"ERROR", ev.Error(-1)),
    (b"+CME ERROR: 3", ev.Error(3)),
    (b"+CME ERROR: 50", ev.Error(50)),
    (b"+CME ERROR: unknown", ev.Error(-1)),  # verbose CMEE 2: no code
    (b"+CME ERROR: DNS parse failed", ev.Error(565)),  # the manual's text
    # echo (ATE1)
    (b'AT+QIOPEN=1,0,"TCP","10.0.0.1",8062,0,0', ev.Echo('AT+QIOPEN=1,0,"TCP","10.0.0.1",8062,0,0')),
    (b"AT", ev.Echo("AT")),
    (b"ATE0", ev.Echo("ATE0")),
    (b"at+qistate?", ev.Echo("at+qistate?")),
    # result codes of the result part
    (b"SEND OK", ev.SendOk()),
    (b"SEND FAIL", ev.SendFail()),
    (b"CLOSE OK", ev.CloseOk()),
    (b"+QIOPEN: 0,0", ev.Opened(0, 0)),
    (b"+QIOPEN: 4,566", ev.Opened(4, 566)),
    # information lines
    (b'+QISTATE: 0,"TCP","220.180.239.212",8062,1234,2,1,0',
     ev.SocketState(0, "TCP", "220.180.239.212", 8062, 1234, 2, 1, 0)),
    (b'+QISTATE: 1,"UDP","iot.example.com",53,0,4,1,1',
     ev.SocketState(1, "UDP", "iot.example.com", 53, 0, 4, 1, 1)),
    (b"+QISEND: 10,8,2", ev.SendCounters(10, 8, 2)),
    (b"+QISEND: 0,0,0", ev.SendCounters(0, 0, 0)),
    (b"+QIRD: 10", ev.ReadHeader(10, None)),
    (b"+QIRD: 0", ev.ReadHeader(0, None)),
    (b"+QIRD: 10,2", ev.ReadHeader(10, 2)),
    (b'+QPING: 0,"47.100.63.174",32,560,88',
     ev.PingReply(0, "47.100.63.174", 32, 560, 88)),
    (b"+QPING: 0,4,4,0,220,560,322", ev.PingSummary(0, 4, 4, 0, 220, 560, 322)),
    (b"+QPING: 569", ev.PingSummary(569)),
    (b'+QNTP: 0,"19/06/11,11:08:20:35+32"',
     ev.NtpTime(0, (2019, 6, 11, 11, 8, 20, 32), "19/06/11,11:08:20:35+32")),
    (b'+QNTP: 0,"19/06/11,11:08:20+32"',
     ev.NtpTime(0, (2019, 6, 11, 11, 8, 20, 32), "19/06/11,11:08:20+32")),
    (b'+QNTP: 0,"2019/06/11,11:08:20+00"',
     ev.NtpTime(0, (2019, 6, 11, 11, 8, 20, 0), "2019/06/11,11:08:20+00")),
    (b'+QNTP: 0,"24/12/31,23:59:59-20"',
     ev.NtpTime(0, (2024, 12, 31, 23, 59, 59, -20), "24/12/31,23:59:59-20")),
    (b'+QNTP: 0,"24/01/01,00:00:00:99-47"',
     ev.NtpTime(0, (2024, 1, 1, 0, 0, 0, -47), "24/01/01,00:00:00:99-47")),
    (b"+QNTP: 565", ev.NtpTime(565, None, None)),
    (b'+QIDNSCFG: 1,"218.2.2.2","8.8.8.8"', ev.DnsConfig(1, "218.2.2.2", "8.8.8.8")),
    (b'+QIDNSCFG: 1,"218.2.2.2"', ev.DnsConfig(1, "218.2.2.2", None)),
    (b'+QIDNSCFG: 1,"2001:4860:4860::8888","::1"',
     ev.DnsConfig(1, "2001:4860:4860::8888", "::1")),
    (b'+QICFG: "showlength",1', ev.Config("showlength", (1,))),
    (b'+QICFG: "viewmode",0', ev.Config("viewmode", (0,))),
    (b'+QICFG: "echomode",1', ev.Config("echomode", (1,))),
    (b'+QICFG: "dataformat",1,1', ev.Config("dataformat", (1, 1))),
    (b'+QICFG: "dataformat",0,1', ev.Config("dataformat", (0, 1))),
    (b"+QIGETERROR: 552,invalid parameters", ev.LastError(552, "invalid parameters")),
    (b"+QIGETERROR: 0,operation successful", ev.LastError(0, "operation successful")),
    (b'+QIGETERROR: 565,"dns parse failed"', ev.LastError(565, "dns parse failed")),
    # URCs
    (b'+QIURC: "recv",0', ev.RecvNotify(0, None)),
    (b'+QIURC: "recv",3,12', ev.RecvNotify(3, 12)),
    (b'+QIURC: "recv",0,"buff full"', ev.BufferFull(0)),
    (b'+QIURC: "closed",2', ev.Closed(2)),
    (b'+QIURC: "dnsgip",0,2,600', ev.DnsResult(0, 2, 600)),
    (b'+QIURC: "dnsgip",565', ev.DnsResult(565, None, None)),
    (b'+QIURC: "dnsgip","47.100.63.174"', ev.DnsAddress("47.100.63.174")),
    (b"+IP: 10.18.237.42", ev.IpAddress("10.18.237.42")),
    (b"+IP: 2001:db8::1", ev.IpAddress("2001:db8::1")),
    # anything else
    (b"+CEREG: 1", ev.Info("CEREG", "1")),
    (b"+CEREG: 0,1", ev.Info("CEREG", "0,1")),
    (b"+CSCON: 1", ev.Info("CSCON", "1")),
    (b'+CGPADDR: 1,"10.0.0.5"', ev.Info("CGPADDR", '1,"10.0.0.5"')),
    (b'+QIURC: "pdpdeact",1', ev.Info("QIURC", '"pdpdeact",1')),
    (b"+QATWAKEUP", ev.Text("+QATWAKEUP")),
    (b"RDY", ev.Text("RDY")),
    (b"Quectel_Ltd", ev.Text("Quectel_Ltd")),
    (b"Revision: BC26NBR01A07", ev.Text("Revision: BC26NBR01A07")),
    # test-command ranges are Info, never results or headers
    (b'+QIOPEN: (1-3),(0-4),"TCP/UDP","<IP_address>/<domain_name>",<remote_port>,<local_port>,(0-1),(0-1)',
     ev.Info("QIOPEN", '(1-3),(0-4),"TCP/UDP","<IP_address>/<domain_name>",<remote_port>,<local_port>,(0-1),(0-1)')),
    (b"+QIRD: (0-4),(1-512)", ev.Info("QIRD", "(0-4),(1-512)")),
    (b"+QISEND: (0-4),(1-1024),<data>", ev.Info("QISEND", "(0-4),(1-1024),<data>")),
    (b'+QPING: (1-3),"<host>",(1-255),(1-10),(32-200)',
     ev.Info("QPING", '(1-3),"<host>",(1-255),(1-10),(32-200)')),
    (b'+QICFG: "dataformat",(0,1),(0,1)', ev.Info("QICFG", '"dataformat",(0,1),(0,1)')),
    (b"+QICLOSE: (0-4)", ev.Info("QICLOSE", "(0-4)")),
]


@pytest.mark.parametrize("line,event", SHAPES, ids=[s[0].decode("latin-1")[:40] for s in SHAPES])
def test_shape(line, event):
    assert parse_line(line) == event


def test_accepts_memoryview_and_bytearray():
    assert parse_line(memoryview(b"+QIOPEN: 0,0")) == ev.Opened(0, 0)
    assert parse_line(bytearray(b"SEND OK")) == ev.SendOk()


def test_announced_recv_is_a_push_header():
    assert parse_line(b'+QIURC: "recv",0,5', True) == ev.RecvPush(0, 5)
    assert parse_line(b'+QIURC: "recv",0,5', False) == ev.RecvNotify(0, 5)
    # only recv headers announce data
    assert parse_line(b'+QIURC: "closed",0', True) == ev.Closed(0)


def test_empty_line_is_nothing():
    assert parse_line(b"") is None


def test_boot_junk_is_text():
    e = parse_line(b"\xff\xfe\x00RDY")
    assert e.kind is ev.Text and e.line.endswith("RDY")


def test_info_names_route_to_commands():
    assert ev.Info("QIOPEN", "(1-3)").NAME == "QIOPEN"
    assert ev.SocketState(0, "TCP", "h", 1, 0, 2, 1, 0).NAME == "QISTATE"
    assert ev.ReadHeader(1, None).NAME == "QIRD"
    assert ev.Text("x").NAME is None


def test_events_compare_and_print():
    assert ev.Opened(0, 0) == ev.Opened(0, 0)
    assert ev.Opened(0, 0) != ev.Opened(0, 566)
    assert ev.RecvNotify(0, 5) != ev.RecvPush(0, 5)  # same fields, other type
    assert ev.Config("showlength", (1,)) == ev.Config("showlength", (1,))
    assert ev.Config("showlength", (1,)).values == (1,)
    assert repr(ev.Config("viewmode", (1,))) == "Config('viewmode', (1,))"
    assert repr(ev.Ok()) == "Ok()"


# -- helpers ------------------------------------------------------------------

def test_split_fields():
    assert split_fields('0,"TCP","a,b",8062') == [0, "TCP", "a,b", 8062]
    assert split_fields(' 1 , "x" ,-5') == [1, "x", -5]
    assert split_fields("abc") == ["abc"]
    assert split_fields('"unterminated') == ["unterminated"]
    assert split_fields("1,,2") == [1, "", 2]


@pytest.mark.parametrize("text,want", [
    ("19/06/11,11:08:20+32", (2019, 6, 11, 11, 8, 20, 32)),
    ("19/06/11,11:08:20:35+32", (2019, 6, 11, 11, 8, 20, 32)),
    ("2019/06/11,11:08:20+32", (2019, 6, 11, 11, 8, 20, 32)),
    ("19/06/11,11:08:20-47", (2019, 6, 11, 11, 8, 20, -47)),
    ("19/06/11,11:08:20+48", (2019, 6, 11, 11, 8, 20, 48)),
    ("19/06/11,11:08:20", (2019, 6, 11, 11, 8, 20, 0)),
    ("junk", None),
    ("19/06/11,11:08", None),
    ("19/06,11:08:20+00", None),
    ("aa/bb/cc,11:08:20+00", None),
])
def test_parse_time(text, want):
    assert parse_time(text) == want


# -- lines framed by the tokenizer ---------------------------------------------------

def frames(data, **config):
    tok = Tokenizer()
    tok.configure(**config)
    out = []
    view = memoryview(data)
    while view:
        took = tok.feed(view)
        view = view[took:]
        while True:
            kind = tok.next()
            if kind == NONE:
                break
            out.append((kind, bytes(tok.frame), tok.remaining))
    return out


def events(data, **config):
    return [parse_line(f, rem > 0) if kind == LINE else kind
            for kind, f, rem in frames(data, **config)]


@pytest.mark.parametrize("data", [
    b"\r\nOK\r\n",        # V.25ter
    b"\nOK\n",            # bare LF
    b"\rOK\r",            # bare CR
    b"OK\r\n",            # no leading line end
    b"\n\rOK\n\r",        # boot-time LF CR
    b"\r\n\r\n\r\nOK\r\n\r\n",  # doubled blank lines
])
def test_odd_line_ends(data):
    assert events(data) == [ev.Ok()]


def test_reply_with_bare_lf():
    data = b'\n+QISTATE: 0,"TCP","10.0.0.1",8062,0,2,1,0\n\nOK\n'
    assert events(data) == [
        ev.SocketState(0, "TCP", "10.0.0.1", 8062, 0, 2, 1, 0), ev.Ok()]


def test_echo_then_reply():
    assert events(b"AT+QICLOSE=0\r\r\nOK\r\n\r\nCLOSE OK\r\n") == [
        ev.Echo("AT+QICLOSE=0"), ev.Ok(), ev.CloseOk()]


def test_prompt_frame():
    assert events(b"AT+QISEND=0\r\r\n> ") == [ev.Echo("AT+QISEND=0"), PROMPT]
    # '>' inside a line is no prompt
    assert events(b"\r\nA>B\r\n") == [ev.Text("A>B")]


def test_read_header_with_bare_lf_then_payload():
    got = frames(b"\n+QIRD: 4\nab\r\n\nOK\n")
    assert got[0] == (LINE, b"+QIRD: 4", 4)
    assert got[1] == (PAYLOAD, b"ab\r\n", 0)
    assert parse_line(got[2][1]) == ev.Ok()


def test_boot_junk_without_line_ends_then_rdy():
    got = events(b"\x00\xf8\x11\xfe\r\nRDY\r\n")
    assert got[-1] == ev.Text("RDY")
    assert all(e.kind is ev.Text for e in got)


def test_push_header_announces_payload():
    got = frames(b'\r\n+QIURC: "recv",1,3\r\nOK\n\r\n', push_mask=2)
    assert got[0] == (LINE, b'+QIURC: "recv",1,3', 3)
    assert parse_line(got[0][1], True) == ev.RecvPush(1, 3)
    assert got[1] == (PAYLOAD, b"OK\n", 0)
    # socket 0 is not pushing: the same header is a notice
    got = frames(b'\r\n+QIURC: "recv",0,3\r\n', push_mask=2)
    assert got == [(LINE, b'+QIURC: "recv",0,3', 0)]
