"""The manual's chapter 4 examples, and the byte streams around them, end to
end through the sans-I/O core: encoder bytes out, module bytes in, events
and socket state checked.  Plain functions and assert: runs under pytest
and on MicroPython."""

from bc26 import commands as C
from bc26 import events as ev
from bc26.command import DONE, FAILED

import transcripts as T


def _raises(exc, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc:
        return
    raise AssertionError("%s not raised" % exc.__name__)


def _check(name):
    return T.verify(T.find(name))


def _bytewise(data):
    return [data[i:i + 1] for i in range(len(data))]


# -- 4.1 TCP client in buffer access mode -------------------------------------

def test_4_1_1_open():
    p, cmds = _check("4.1.1 open in buffer access mode")
    assert cmds[0].results == [ev.Opened(0, 0)]
    slot = p.sockets[0]  # what it is connected to is the socket's business:
    # the slot keeps only what routing needs (RAM on a board)
    assert (slot.state, slot.access_mode, slot.rx) == (2, 0, None)


def test_4_1_1_qistate():
    _check("4.1.1 QISTATE")


def test_4_1_2_send_text():
    _check("4.1.2 send text")


def test_4_1_2_send_variable_length():
    _check("4.1.2 send variable length (data mode, Ctrl-Z)")
    assert C.var_payload(b"1234567890") == b"1234567890\x1a"


def test_4_1_2_send_fixed_length():
    _check("4.1.2 send fixed length (data mode)")


def test_4_1_2_qisendex():
    _check("4.1.2 QISENDEX")


def test_4_1_3_read_until_empty():
    p, cmds = _check("4.1.3 recv URC, QIRD 10 bytes, QIRD 0")
    assert not p.sockets[0].module_data


def test_4_1_3_data_left_after_a_read():
    p, cmds = _check("4.1.3 recv URC, data left in the module")
    assert p.sockets[0].module_data  # only +QIRD: 0 says the buffer is empty


def test_4_1_3_showlength():
    _check("4.1.3 showlength 1: +QIRD: 10,2")


def test_4_1_3_buff_full():
    p, cmds = _check("4.1.3 buff full")
    assert p.sockets[0].buff_full == 1 and p.urcs == []


def test_4_1_3_viewmode():
    p, cmds = _check("4.1.3 viewmode 1: +QIRD: 10,2,0123456789")
    assert p.viewmode == 1


def test_4_1_3_viewmode_without_showlength():
    _check("4.1.3 viewmode 1, showlength 0: +QIRD: 10,0123456789")


def test_4_1_4_close():
    p, cmds = _check("4.1.4 close")
    assert p.sockets[0].state == 0


# -- 4.2 TCP client in direct push mode -------------------------------------

def test_4_2_1_open_direct_push():
    _check("4.2.1 open in direct push mode, QISTATE")


def test_4_2_2_send_forms():
    _check("4.2.2 the four send forms")


def test_4_2_3_direct_push_receive():
    p, cmds = _check("4.2.3 direct push, then viewmode 1")
    assert p.urcs == []  # payload bytes never turn into lines


def test_4_2_4_close():
    _check("4.2.4 close")


# -- 4.3 - 4.6 ----------------------------------------------------------------

def test_4_3_ping():
    p, cmds = _check("4.3 ping")
    summary = cmds[0].results[-1]
    assert (summary.sent, summary.received, summary.lost) == (4, 4, 0)
    assert (summary.min, summary.max, summary.avg) == (220, 560, 322)


def test_4_4_ntp_manual_layout():
    p, cmds = _check("4.4 NTP, the manual's hh:mm:ss:cc time")
    assert cmds[0].results[0].time == (2019, 6, 11, 11, 8, 20, 32)


def test_4_4_ntp_plain_layout():
    _check("4.4 NTP, hh:mm:ss+zz time")


def test_4_5_dns_config():
    _check("4.5 DNS server configuration")


def test_4_6_error_then_qigeterror():
    p, cmds = _check("4.6 ERROR, then QIGETERROR")
    assert cmds[0].status == FAILED and cmds[0].error == -1
    assert cmds[1].lines[0].code == 552
    assert [s.state for s in p.sockets] == [0, 0, 0, 0, 0]


def test_4_6_encoders_cannot_build_the_invalid_command():
    # the manual's command leaves out <connectID>: positionally "UDP"
    # lands in connect_id, and without it the call is incomplete
    _raises(TypeError, C.qiopen, "UDP", "220.180.239.212", 8063, 0, 1)
    _raises(TypeError, C.qiopen, service_type="UDP", host="220.180.239.212",
            remote_port=8063, local_port=0, access_mode=1)
    # the nearest valid call always puts a <connectID> in
    assert C.qiopen(1, "UDP", "220.180.239.212", 8063, 0, 1) == (
        b'AT+QIOPEN=1,1,"UDP","220.180.239.212",8063,0,1\r')


# -- failures -------------------------------------------------------------------

def test_send_fail():
    _check("SEND FAIL")


def test_open_fails_566():
    p, cmds = _check("open fails with 566, then QICLOSE")
    assert cmds[0].error == 566


def test_cme_error():
    p, cmds = _check("+CME ERROR: 3")
    assert p.sockets[0].state == 0


def test_dns_resolution():
    _check("DNS resolution")


def test_dns_failure_565():
    _check("DNS failure 565")


def test_ping_failure():
    _check("ping failure")


def test_ntp_failure():
    _check("NTP failure")


# -- receive variants ------------------------------------------------------------

def test_hex_dataformat_read():
    _check("hex dataformat, buffer mode read")


def test_hex_dataformat_push():
    _check("hex dataformat, direct push (either case)")


def test_inline_quoted_hex():
    _check("direct push, inline quoted hex")


def test_inline_quoted_text():
    _check("direct push, inline quoted text")


def test_inline_quoted_hex_in_hex_dataformat():
    _check("direct push, inline quoted hex in hex dataformat")


def test_remote_close_after_data_buffer_mode():
    p, cmds = _check("remote close after data, buffer mode")
    assert p.sockets[0].at_eof is False  # "bye" still unread by the app


def test_remote_close_after_pushed_data():
    _check("remote close right after pushed data")


# -- framing and replies ---------------------------------------------------------

def test_echo_on():
    _check("echo on")


def test_echo_on_open():
    _check("echo on, open")


def test_late_close_ok():
    _check("late CLOSE OK, during the next command")


def test_qisend_counters():
    p, cmds = _check("QISEND=0,0 counters")
    assert cmds[0].results == []  # no SEND OK to wait for


def test_qistate_read():
    _check("QISTATE? lists every socket")


def test_test_command_qiopen():
    p, cmds = _check("test command AT+QIOPEN=?")
    assert p.sockets[0].state == 0  # the ranges are no +QIOPEN result


def test_test_command_qicfg():
    _check("test command AT+QICFG=?")


def test_test_command_qird():
    _check("test command AT+QIRD=?")


def test_unknown_urcs():
    p, cmds = _check("unknown URCs")
    assert p.ip == "10.1.2.3"


# -- every transcript, every way -------------------------------------------------

def test_transcript_names_are_unique():
    names = [t["name"] for t in T.TRANSCRIPTS]
    assert len(set(names)) == len(names)


def test_every_transcript():
    for t in T.TRANSCRIPTS:
        T.verify(t)


def test_every_transcript_one_byte_at_a_time():
    for t in T.TRANSCRIPTS:
        T.verify(t, _bytewise)


def test_a_urc_at_every_boundary():
    urc = T.line("+CEREG: 5")
    for t in T.TRANSCRIPTS:
        want = T.expected(t)
        for i in T.boundaries(t):
            got = T.outcome(*T.run(t, insert=(i, urc)))
            extra = got["urcs"]
            assert ev.Info("CEREG", "5") in extra, (t["name"], i)
            extra.remove(ev.Info("CEREG", "5"))
            assert not T.differences(got, want), (t["name"], i, got)


def test_boundaries_skip_data_mode():
    t = T.find("4.1.2 send fixed length (data mode)")
    steps = t["steps"]
    prompt = steps.index(T.PROMPT)
    assert prompt in T.boundaries(t)            # a URC may come before '>'
    assert prompt + 1 not in T.boundaries(t)    # but not between '>' and data
    assert len(steps) in T.boundaries(t)


def test_commands_finish():
    for t in T.TRANSCRIPTS:
        p, cmds = T.run(t)
        for c in cmds:
            assert c.status in (DONE, FAILED), (t["name"], c)
