"""The manual's example transcripts (chapter 4) and the byte streams around
them, as data, with a runner that drives a Protocol through one of them.

A transcript is a dict:

    name     what it shows
    pre      steps that set the scene (an open socket, a QICFG setting);
             their commands are not part of the outcome
    steps    the steps under test
    expect   the outcome: see expected()

Steps, in order:

    cmd(factory, wire)   the host submits factory() (a Command); the bytes
                         submit() returns must equal wire
    b"..."               one frame-level segment of module output: a whole
                         line with its line ends, a '>' prompt, a counted
                         header together with its payload, an echo
    WRITE(payload)       the host writes the data-mode payload after '>'

Module output between two host actions is fed as one string, optionally cut
into pieces by a chunker; a URC may be inserted before any step (see
boundaries()).  Runs on MicroPython as well as CPython.
"""

from bc26 import commands as C
from bc26 import events as ev
from bc26.command import Command, DONE, FAILED, PROMPTED
from bc26.state import Protocol

# -- building blocks -------------------------------------------------------

CRLF = b"\r\n"
PROMPT = b"\r\n> "


def line(text):
    """A line as the module frames it: CRLF before and after."""
    if isinstance(text, str):
        text = text.encode()
    return CRLF + text + CRLF


def more(text):
    """A further information line: only CRLF after it."""
    if isinstance(text, str):
        text = text.encode()
    return text + CRLF


OK = line("OK")
ERROR = line("ERROR")
SEND_OK = line("SEND OK")
SEND_FAIL = line("SEND FAIL")
CLOSE_OK = line("CLOSE OK")


def cmd(factory, wire):
    return ("cmd", factory, wire)


def WRITE(payload):
    return ("write", payload)


def S(state=0, mode=0, data=False, closed=False, full=0):
    """Expected socket slot: (state, access_mode, module_data,
    remote_closed, buff_full)."""
    return (state, mode, data, closed, full)


def R(status, error=None, lines=(), results=()):
    """Expected command: (status, error, lines, results)."""
    return (status, error, list(lines), list(results))


def T(name, steps, cmds, pre=(), sockets=None, rx=None, urcs=(), ip=None):
    return {
        "name": name,
        "pre": list(pre),
        "steps": list(steps),
        "expect": {
            "cmds": list(cmds),
            "sockets": sockets or {},
            "rx": rx or {},
            "urcs": list(urcs),
            "ip": ip,
        },
    }


# -- scenes ----------------------------------------------------------------

HOST = "220.180.239.212"

OPEN_BUFFER = [
    cmd(lambda: Command(C.qiopen(0, "TCP", HOST, 8062, 1234, 0), connect_id=0),
        b'AT+QIOPEN=1,0,"TCP","220.180.239.212",8062,1234,0\r'),
    OK,
    line("+QIOPEN: 0,0"),
]

OPEN_PUSH = [
    cmd(lambda: Command(C.qiopen(0, "TCP", HOST, 8062, 0, 1), connect_id=0),
        b'AT+QIOPEN=1,0,"TCP","220.180.239.212",8062,0,1\r'),
    OK,
    line("+QIOPEN: 0,0"),
]

SHOWLENGTH_1 = [
    cmd(lambda: Command(C.qicfg_showlength(1)), b'AT+QICFG="showlength",1\r'),
    OK,
]

VIEWMODE_1 = [
    cmd(lambda: Command(C.qicfg_viewmode(1)), b'AT+QICFG="viewmode",1\r'),
    OK,
]

HEX_RECV = [
    cmd(lambda: Command(C.qicfg_dataformat(0, 1)), b'AT+QICFG="dataformat",0,1\r'),
    OK,
]

BUFFER_OPEN = S(2, 0)
PUSH_OPEN = S(2, 1)

QISTATE_4_1_1 = '+QISTATE: 0,"TCP","220.180.239.212",8062,1234,2,1,0'
STATE_4_1_1 = ev.SocketState(0, "TCP", HOST, 8062, 1234, 2, 1, 0)


def _send_text(data, quote=None):
    return lambda: Command(C.qisend_text(0, data, quote=quote), connect_id=0)


def _send_var():
    return lambda: Command(C.qisend_var(0), connect_id=0, prompt=True)


def _send_fixed(n):
    return lambda: Command(C.qisend_fixed(0, n), connect_id=0, prompt=True)


def _qird(n):
    return lambda: Command(C.qird(0, n), connect_id=0)


SENT = R(DONE)  # SEND OK ends the command; it is not kept as a result
CLOSED = R(DONE, results=[ev.CloseOk()])

PING_REPLIES = [
    ev.PingReply(0, "47.100.63.174", 32, 560, 88),
    ev.PingReply(0, "47.100.63.174", 32, 220, 88),
    ev.PingReply(0, "47.100.63.174", 32, 230, 88),
    ev.PingReply(0, "47.100.63.174", 32, 280, 88),
]

QIOPEN_RANGES = ('(1-3),(0-4),"TCP/UDP","<IP_address>/<domain_name>",'
                 '<remote_port>,<local_port>,(0-1),(0-1)')

# -- the transcripts ---------------------------------------------------------

TRANSCRIPTS = [
    # 4.1 TCP client in buffer access mode
    T("4.1.1 open in buffer access mode", OPEN_BUFFER,
      [R(DONE, results=[ev.Opened(0, 0)])],
      sockets={0: BUFFER_OPEN}),
    T("4.1.1 QISTATE", [
        cmd(lambda: Command(C.qistate(1, 0)), b"AT+QISTATE=1,0\r"),
        line(QISTATE_4_1_1),
        OK,
    ], [R(DONE, lines=[STATE_4_1_1])],
        pre=OPEN_BUFFER, sockets={0: BUFFER_OPEN}),
    T("4.1.2 send text", [
        cmd(_send_text("1234567890"), b"AT+QISEND=0,10,1234567890\r"),
        OK,
        SEND_OK,
    ], [SENT], pre=OPEN_BUFFER, sockets={0: BUFFER_OPEN}),
    T("4.1.2 send variable length (data mode, Ctrl-Z)", [
        cmd(_send_var(), b"AT+QISEND=0\r"),
        PROMPT,
        WRITE(C.var_payload(b"1234567890")),
        OK,
        SEND_OK,
    ], [SENT], pre=OPEN_BUFFER, sockets={0: BUFFER_OPEN}),
    T("4.1.2 send fixed length (data mode)", [
        cmd(_send_fixed(10), b"AT+QISEND=0,10\r"),
        PROMPT,
        WRITE(b"1234567890"),
        OK,
        SEND_OK,
    ], [SENT], pre=OPEN_BUFFER, sockets={0: BUFFER_OPEN}),
    T("4.1.2 QISENDEX", [
        cmd(lambda: Command(C.qisendex(0, b"01234"), connect_id=0),
            b"AT+QISENDEX=0,5,3031323334\r"),
        OK,
        SEND_OK,
    ], [SENT], pre=OPEN_BUFFER, sockets={0: BUFFER_OPEN}),
    T("4.1.3 recv URC, QIRD 10 bytes, QIRD 0", [
        line('+QIURC: "recv",0'),
        cmd(_qird(512), b"AT+QIRD=0,512\r"),
        b"\r\n+QIRD: 10\r\n1234567890\r\n",
        OK,
        cmd(_qird(512), b"AT+QIRD=0,512\r"),
        line("+QIRD: 0"),
        OK,
    ], [R(DONE),
        R(DONE)],
        pre=OPEN_BUFFER, sockets={0: BUFFER_OPEN}, rx={0: b"1234567890"}),
    T("4.1.3 recv URC, data left in the module", [
        line('+QIURC: "recv",0'),
        cmd(_qird(512), b"AT+QIRD=0,512\r"),
        b"\r\n+QIRD: 10\r\n1234567890\r\n",
        OK,
    ], [R(DONE)],
        pre=OPEN_BUFFER, sockets={0: S(2, 0, data=True)},
        rx={0: b"1234567890"}),
    T("4.1.3 showlength 1: +QIRD: 10,2", [
        cmd(lambda: Command(C.qicfg_showlength(1)), b'AT+QICFG="showlength",1\r'),
        OK,
        line('+QIURC: "recv",0,12'),
        cmd(_qird(10), b"AT+QIRD=0,10\r"),
        b"\r\n+QIRD: 10,2\r\n1234567890\r\n",
        OK,
    ], [R(DONE), R(DONE)],
        pre=OPEN_BUFFER, sockets={0: S(2, 0, data=True)},
        rx={0: b"1234567890"}),
    T("4.1.3 buff full", [
        line('+QIURC: "recv",0,"buff full"'),
    ], [], pre=OPEN_BUFFER, sockets={0: S(2, 0, data=True, full=1)}),
    T("4.1.3 viewmode 1: +QIRD: 10,2,0123456789", [
        cmd(lambda: Command(C.qicfg_viewmode(1)), b'AT+QICFG="viewmode",1\r'),
        line('+QICFG: "viewmode",1'),  # chapter 2's layout echoes the setting
        OK,
        cmd(_send_text("012345678901", quote=True),
            b'AT+QISEND=0,12,"012345678901"\r'),
        OK,
        SEND_OK,
        line('+QIURC: "recv",0,12'),
        cmd(_qird(10), b"AT+QIRD=0,10\r"),
        line("+QIRD: 10,2,0123456789"),
        OK,
    ], [R(DONE, lines=[ev.Config("viewmode", (1,))]),
        SENT,
        R(DONE)],
        pre=OPEN_BUFFER + SHOWLENGTH_1, sockets={0: S(2, 0, data=True)},
        rx={0: b"0123456789"}),
    T("4.1.3 viewmode 1, showlength 0: +QIRD: 10,0123456789", [
        cmd(_qird(10), b"AT+QIRD=0,10\r"),
        line("+QIRD: 10,0123456789"),
        OK,
    ], [R(DONE)],
        pre=OPEN_BUFFER + VIEWMODE_1, sockets={0: BUFFER_OPEN},
        rx={0: b"0123456789"}),
    T("4.1.4 close", [
        cmd(lambda: Command(C.qiclose(0), connect_id=0), b"AT+QICLOSE=0\r"),
        OK,
        CLOSE_OK,
    ], [CLOSED], pre=OPEN_BUFFER),

    # 4.2 TCP client in direct push mode
    T("4.2.1 open in direct push mode, QISTATE", OPEN_PUSH + [
        cmd(lambda: Command(C.qistate(1, 0)), b"AT+QISTATE=1,0\r"),
        line('+QISTATE: 0,"TCP","220.180.239.212",8062,0,2,1,1'),
        OK,
    ], [R(DONE, results=[ev.Opened(0, 0)]),
        R(DONE, lines=[ev.SocketState(0, "TCP", HOST, 8062, 0, 2, 1, 1)])],
        sockets={0: PUSH_OPEN}),
    T("4.2.2 the four send forms", [
        cmd(_send_text("12345"), b"AT+QISEND=0,5,12345\r"),
        OK,
        SEND_OK,
        cmd(_send_var(), b"AT+QISEND=0\r"),
        PROMPT,
        WRITE(C.var_payload("12345")),
        OK,
        SEND_OK,
        cmd(_send_fixed(5), b"AT+QISEND=0,5\r"),
        PROMPT,
        WRITE(b"12345"),
        OK,
        SEND_OK,
        cmd(lambda: Command(C.qisendex(0, b"12345"), connect_id=0),
            b"AT+QISENDEX=0,5,3132333435\r"),
        OK,
        SEND_OK,
    ], [SENT, SENT, SENT, SENT], pre=OPEN_PUSH, sockets={0: PUSH_OPEN}),
    T("4.2.3 direct push, then viewmode 1", [
        b'\r\n+QIURC: "recv",0,5\r\n12345\r\n',
        cmd(lambda: Command(C.qicfg_viewmode(1)), b'AT+QICFG="viewmode",1\r'),
        OK,
        cmd(_send_text("012345678901", quote=True),
            b'AT+QISEND=0,12,"012345678901"\r'),
        OK,
        SEND_OK,
        line('+QIURC: "recv",0,12,012345678901'),
    ], [R(DONE), SENT], pre=OPEN_PUSH, sockets={0: PUSH_OPEN},
        rx={0: b"12345012345678901"}),
    T("4.2.4 close", [
        cmd(lambda: Command(C.qiclose(0), connect_id=0), b"AT+QICLOSE=0\r"),
        OK,
        CLOSE_OK,
    ], [CLOSED], pre=OPEN_PUSH),

    # 4.3 - 4.6
    T("4.3 ping", [
        cmd(lambda: Command(C.qping("iot.quectel.com")),
            b'AT+QPING=1,"iot.quectel.com"\r'),
        OK,
        line('+QPING: 0,"47.100.63.174",32,560,88'),
        line('+QPING: 0,"47.100.63.174",32,220,88'),
        line('+QPING: 0,"47.100.63.174",32,230,88'),
        line('+QPING: 0,"47.100.63.174",32,280,88'),
        line("+QPING: 0,4,4,0,220,560,322"),
    ], [R(DONE, results=PING_REPLIES + [ev.PingSummary(0, 4, 4, 0, 220, 560, 322)])]),
    T("4.4 NTP, the manual's hh:mm:ss:cc time", [
        cmd(lambda: Command(C.qntp("ntp5.aliyun.com")),
            b'AT+QNTP=1,"ntp5.aliyun.com"\r'),
        OK,
        line('+QNTP: 0,"19/06/11,11:08:20:35+32"'),
    ], [R(DONE, results=[ev.NtpTime(0, (2019, 6, 11, 11, 8, 20, 32),
                                     "19/06/11,11:08:20:35+32")])]),
    T("4.4 NTP, hh:mm:ss+zz time", [
        cmd(lambda: Command(C.qntp("ntp5.aliyun.com")),
            b'AT+QNTP=1,"ntp5.aliyun.com"\r'),
        OK,
        line('+QNTP: 0,"19/06/11,11:08:20+32"'),
    ], [R(DONE, results=[ev.NtpTime(0, (2019, 6, 11, 11, 8, 20, 32),
                                     "19/06/11,11:08:20+32")])]),
    T("4.5 DNS server configuration", [
        cmd(lambda: Command(C.qidnscfg("218.2.2.2", "8.8.8.8")),
            b'AT+QIDNSCFG=1,"218.2.2.2","8.8.8.8"\r'),
        OK,
        cmd(lambda: Command(C.qidnscfg()), b"AT+QIDNSCFG=1\r"),
        line('+QIDNSCFG: 1,"218.2.2.2","8.8.8.8"'),
        OK,
    ], [R(DONE), R(DONE, lines=[ev.DnsConfig(1, "218.2.2.2", "8.8.8.8")])]),
    T("4.6 ERROR, then QIGETERROR", [
        # no encoder builds this command (connectID missing): raw bytes
        cmd(lambda: Command(b'AT+QIOPEN=1,"UDP","220.180.239.212",8063,0,1\r'),
            b'AT+QIOPEN=1,"UDP","220.180.239.212",8063,0,1\r'),
        ERROR,
        cmd(lambda: Command(C.qigeterror()), b"AT+QIGETERROR\r"),
        line("+QIGETERROR: 552,invalid parameters"),
        OK,
    ], [R(FAILED, -1), R(DONE, lines=[ev.LastError(552, "invalid parameters")])]),

    # failures
    T("SEND FAIL", [
        cmd(_send_text("12345"), b"AT+QISEND=0,5,12345\r"),
        OK,
        SEND_FAIL,
    ], [R(FAILED, -1, results=[ev.SendFail()])],
        pre=OPEN_BUFFER, sockets={0: BUFFER_OPEN}),
    T("open fails with 566, then QICLOSE", [
        cmd(lambda: Command(C.qiopen(0, "TCP", HOST, 8062), connect_id=0),
            b'AT+QIOPEN=1,0,"TCP","220.180.239.212",8062,0,0\r'),
        OK,
        line("+QIOPEN: 0,566"),
        cmd(lambda: Command(C.qiclose(0), connect_id=0), b"AT+QICLOSE=0\r"),
        OK,
        CLOSE_OK,
    ], [R(FAILED, 566, results=[ev.Opened(0, 566)]), CLOSED]),
    T("+CME ERROR: 3", [
        cmd(lambda: Command(C.qiopen(0, "TCP", HOST, 8062), connect_id=0),
            b'AT+QIOPEN=1,0,"TCP","220.180.239.212",8062,0,0\r'),
        line("+CME ERROR: 3"),
    ], [R(FAILED, 3)]),
    T("DNS resolution", [
        cmd(lambda: Command(C.qidnsgip("iot.quectel.com")),
            b'AT+QIDNSGIP=1,"iot.quectel.com"\r'),
        OK,
        line('+QIURC: "dnsgip",0,2,600'),
        line('+QIURC: "dnsgip","47.100.63.174"'),
        line('+QIURC: "dnsgip","47.100.63.175"'),
    ], [R(DONE, results=[ev.DnsResult(0, 2, 600), ev.DnsAddress("47.100.63.174"),
                         ev.DnsAddress("47.100.63.175")])]),
    T("DNS failure 565", [
        cmd(lambda: Command(C.qidnsgip("no.such.host")),
            b'AT+QIDNSGIP=1,"no.such.host"\r'),
        OK,
        line('+QIURC: "dnsgip",565'),
    ], [R(FAILED, 565, results=[ev.DnsResult(565, None, None)])]),
    T("ping failure", [
        cmd(lambda: Command(C.qping("no.such.host", timeout=1, count=1)),
            b'AT+QPING=1,"no.such.host",1,1\r'),
        OK,
        line("+QPING: 565"),
    ], [R(FAILED, 565, results=[ev.PingSummary(565)])]),
    # a request that times out is reported alone; the summary still follows
    T("ping request timeouts", [
        cmd(lambda: Command(C.qping("10.0.0.1", timeout=1, count=2)),
            b'AT+QPING=1,"10.0.0.1",1,2\r'),
        OK,
        line("+QPING: 569"),
        line('+QPING: 0,"10.0.0.1",32,120,64'),
        line("+QPING: 0,2,1,1,120,120,120"),
    ], [R(DONE, None, results=[
        ev.PingReply(569, None, None, None, None),
        ev.PingReply(0, "10.0.0.1", 32, 120, 64),
        ev.PingSummary(0, 2, 1, 1, 120, 120, 120)])]),
    T("NTP failure", [
        cmd(lambda: Command(C.qntp("ntp5.aliyun.com")),
            b'AT+QNTP=1,"ntp5.aliyun.com"\r'),
        OK,
        line("+QNTP: 565"),
    ], [R(FAILED, 565, results=[ev.NtpTime(565, None, None)])]),

    # receive variants
    T("hex dataformat, buffer mode read", [
        line('+QIURC: "recv",0'),
        cmd(_qird(512), b"AT+QIRD=0,512\r"),
        b"\r\n+QIRD: 4\r\n54657374\r\n",
        OK,
    ], [R(DONE)],
        pre=OPEN_BUFFER + HEX_RECV, sockets={0: S(2, 0, data=True)},
        rx={0: b"Test"}),
    T("hex dataformat, direct push (either case)", [
        b'\r\n+QIURC: "recv",0,4\r\n54657374\r\n',
        b'\r\n+QIURC: "recv",0,3\r\n0d0A00\r\n',
    ], [], pre=OPEN_PUSH + HEX_RECV, sockets={0: PUSH_OPEN},
        rx={0: b"Test\r\n\x00"}),
    T("direct push, inline quoted hex", [
        line('+QIURC: "recv",0,4,"54657374"'),
    ], [], pre=OPEN_PUSH, sockets={0: PUSH_OPEN}, rx={0: b"Test"}),
    T("direct push, inline quoted text", [
        line('+QIURC: "recv",0,5,"a,b\"c"'),
    ], [], pre=OPEN_PUSH, sockets={0: PUSH_OPEN}, rx={0: b'a,b"c'}),
    T("direct push, inline quoted hex in hex dataformat", [
        line('+QIURC: "recv",0,2,"4F4B"'),
    ], [], pre=OPEN_PUSH + HEX_RECV, sockets={0: PUSH_OPEN}, rx={0: b"OK"}),
    T("remote close after data, buffer mode", [
        line('+QIURC: "recv",0'),
        line('+QIURC: "closed",0'),
        cmd(_qird(512), b"AT+QIRD=0,512\r"),
        b"\r\n+QIRD: 3\r\nbye\r\n",
        OK,
        cmd(_qird(512), b"AT+QIRD=0,512\r"),
        line("+QIRD: 0"),
        OK,
    ], [R(DONE),
        R(DONE)],
        pre=OPEN_BUFFER, sockets={0: S(4, 0, closed=True)}, rx={0: b"bye"}),
    T("remote close right after pushed data", [
        b'\r\n+QIURC: "recv",0,3\r\nbye\r\n',
        line('+QIURC: "closed",0'),
    ], [], pre=OPEN_PUSH, sockets={0: S(4, 1, closed=True)}, rx={0: b"bye"}),

    # framing and replies
    T("echo on", [
        cmd(lambda: Command(C.qistate(1, 0)), b"AT+QISTATE=1,0\r"),
        b"AT+QISTATE=1,0\r",
        line(QISTATE_4_1_1),
        OK,
        cmd(_send_fixed(5), b"AT+QISEND=0,5\r"),
        b"AT+QISEND=0,5\r",
        PROMPT,
        WRITE(b"12345"),
        OK,
        SEND_OK,
        cmd(lambda: Command(C.at()), b"AT\r"),
        b"AT\r",
        OK,
    ], [R(DONE, lines=[STATE_4_1_1]), SENT, R(DONE)],
        pre=OPEN_BUFFER, sockets={0: BUFFER_OPEN}),
    T("echo on, open", [
        cmd(lambda: Command(C.qiopen(0, "TCP", HOST, 8062, 1234, 0), connect_id=0),
            b'AT+QIOPEN=1,0,"TCP","220.180.239.212",8062,1234,0\r'),
        b'AT+QIOPEN=1,0,"TCP","220.180.239.212",8062,1234,0\r',
        OK,
        line("+QIOPEN: 0,0"),
    ], [R(DONE, results=[ev.Opened(0, 0)])], sockets={0: BUFFER_OPEN}),
    T("late CLOSE OK, during the next command", [
        cmd(lambda: Command(C.qiclose(0), connect_id=0), b"AT+QICLOSE=0\r"),
        OK,
        cmd(lambda: Command(C.qistate(1, 0)), b"AT+QISTATE=1,0\r"),
        line('+QISTATE: 0,"TCP","220.180.239.212",8062,1234,3,1,0'),
        CLOSE_OK,
        OK,
    ], [CLOSED,
        R(DONE, lines=[ev.SocketState(0, "TCP", HOST, 8062, 1234, 3, 1, 0)])],
        pre=OPEN_BUFFER),
    T("QISEND=0,0 counters", [
        cmd(lambda: Command(C.qisend_query(0), connect_id=0), b"AT+QISEND=0,0\r"),
        line("+QISEND: 10,10,0"),
        OK,
    ], [R(DONE, lines=[ev.SendCounters(10, 10, 0)])],
        pre=OPEN_BUFFER, sockets={0: BUFFER_OPEN}),
    T("QISTATE? lists every socket", [
        cmd(lambda: Command(C.qistate_read()), b"AT+QISTATE?\r"),
        line(QISTATE_4_1_1),
        more('+QISTATE: 3,"UDP","10.0.0.1",53,0,2,1,1'),
        OK,
    ], [R(DONE, lines=[STATE_4_1_1,
                       ev.SocketState(3, "UDP", "10.0.0.1", 53, 0, 2, 1, 1)])],
        pre=OPEN_BUFFER, sockets={0: BUFFER_OPEN, 3: PUSH_OPEN}),
    T("test command AT+QIOPEN=?", [
        cmd(lambda: Command(C.test("qiopen")), b"AT+QIOPEN=?\r"),
        line("+QIOPEN: " + QIOPEN_RANGES),
        OK,
    ], [R(DONE, lines=[ev.Info("QIOPEN", QIOPEN_RANGES)])]),
    T("test command AT+QICFG=?", [
        cmd(lambda: Command(C.test("QICFG")), b"AT+QICFG=?\r"),
        line('+QICFG: "dataformat",(0,1),(0,1)'),
        more('+QICFG: "viewmode",(0,1)'),
        more('+QICFG: "showlength",(0,1)'),
        more('+QICFG: "echomode",(0,1)'),
        OK,
    ], [R(DONE, lines=[ev.Info("QICFG", '"dataformat",(0,1),(0,1)'),
                       ev.Info("QICFG", '"viewmode",(0,1)'),
                       ev.Info("QICFG", '"showlength",(0,1)'),
                       ev.Info("QICFG", '"echomode",(0,1)')])]),
    T("test command AT+QIRD=?", [
        cmd(lambda: Command(C.test("qird")), b"AT+QIRD=?\r"),
        line("+QIRD: (0-4),(1-512)"),
        OK,
    ], [R(DONE, lines=[ev.Info("QIRD", "(0-4),(1-512)")])], pre=OPEN_BUFFER,
        sockets={0: BUFFER_OPEN}),
    T("unknown URCs", [
        line("+CEREG: 1"),
        line("+CSCON: 1"),
        line("+QATWAKEUP"),
        line("RDY"),
        cmd(lambda: Command(C.at()), b"AT\r"),
        line("+CSCON: 0"),
        OK,
        line("+IP: 10.1.2.3"),
    ], [R(DONE)], urcs=[ev.Info("CEREG", "1"), ev.Info("CSCON", "1"),
                        ev.Text("+QATWAKEUP"), ev.Text("RDY"),
                        ev.Info("CSCON", "0"), ev.IpAddress("10.1.2.3")],
        ip="10.1.2.3"),
]


def find(name):
    for t in TRANSCRIPTS:
        if t["name"] == name:
            return t
    raise KeyError(name)


# -- the runner ------------------------------------------------------------

def boundaries(t):
    """Indexes of t["steps"] before which a URC may arrive: every frame
    boundary except in data mode (after '>' until the host has written)."""
    out = []
    data_mode = False
    steps = t["steps"]
    for i in range(len(steps)):
        s = steps[i]
        if not data_mode:
            out.append(i)
        if s == PROMPT:
            data_mode = True
        elif isinstance(s, tuple) and s[0] == "write":
            data_mode = False
    out.append(len(steps))
    return out


def _drive(p, steps, chunker, cmds, clock):
    pending = []
    last = None
    for s in steps + [None]:
        if isinstance(s, bytes):
            pending.append(s)
            continue
        if pending:
            data = b"".join(pending)
            pending = []
            pieces = chunker(data) if chunker is not None else [data]
            if b"".join(pieces) != data:
                raise AssertionError("chunker lost bytes")
            for piece in pieces:
                clock[0] += 1
                if not p.receive_data(piece, clock[0]):
                    raise AssertionError("receive_data held bytes back")
        if s is None:
            break
        clock[0] += 1
        if s[0] == "cmd":
            c = s[1]()
            wire = p.submit(c, clock[0])
            if wire != s[2]:
                raise AssertionError("wire %r, expected %r" % (wire, s[2]))
            cmds.append(c)
            last = c
        elif s[0] == "write":
            if last is None or last.status != PROMPTED:
                raise AssertionError("data written without a '>' prompt: %r"
                                     % (last,))
            p.data_written(last, clock[0])
        else:
            raise ValueError("unknown step %r" % (s,))


def run(t, chunker=None, insert=None, proto=None):
    """Drive a Protocol through transcript t.

    chunker: data -> list of pieces, applied to each run of module output.
    insert: (index, segment): one more output segment before steps[index].
    Returns (protocol, the commands of t["steps"])."""
    p = proto if proto is not None else Protocol()
    clock = [0]
    _drive(p, t["pre"], None, [], clock)
    steps = t["steps"]
    if insert is not None:
        i, seg = insert
        steps = steps[:i] + [seg] + steps[i:]
    cmds = []
    _drive(p, steps, chunker, cmds, clock)
    return p, cmds


def rx_bytes(slot):
    r = slot.rx
    if r is None:
        return b""
    return r.peek()


def outcome(p, cmds):
    """Everything a transcript can change, in comparable form."""
    return {
        "cmds": [(c.status, c.error, list(c.lines), list(c.results))
                 for c in cmds],
        "sockets": [(s.state, s.access_mode, s.module_data, s.remote_closed,
                     s.buff_full) for s in p.sockets],
        "rx": [rx_bytes(s) for s in p.sockets],
        "urcs": list(p.urcs),
        "ip": p.ip,
        "idle": p.wire is None and not p.awaiting,
    }


def expected(t):
    """t's expect, filled out to outcome()'s shape (unnamed sockets idle)."""
    e = t["expect"]
    return {
        "cmds": e["cmds"],
        "sockets": [e["sockets"].get(i, S()) for i in range(5)],
        "rx": [e["rx"].get(i, b"") for i in range(5)],
        "urcs": e["urcs"],
        "ip": e["ip"],
        "idle": True,
    }


def differences(got, want):
    """Readable differences between two outcomes ([] when equal)."""
    out = []
    for key in ("cmds", "sockets", "rx", "urcs", "ip", "idle"):
        if got[key] != want[key]:
            out.append("%s: got %r, want %r" % (key, got[key], want[key]))
    return out


def verify(t, chunker=None):
    """Run t and check its outcome; raise AssertionError naming t."""
    p, cmds = run(t, chunker)
    diff = differences(outcome(p, cmds), expected(t))
    if diff:
        raise AssertionError("%s: %s" % (t["name"], "; ".join(diff)))
    return p, cmds
