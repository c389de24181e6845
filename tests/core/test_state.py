"""Protocol: deadlines, routing corner cases, back-pressure, and the
settings that change how the tokenizer frames the stream."""

import pytest

from bc26 import commands as C
from bc26 import events as ev
from bc26 import recovery
from bc26.command import (AWAITING, DONE, FAILED, PROMPTED, REPLY_MS,
                          TIMED_OUT, WAITING, Command)
from bc26.state import (BUFFER, CONNECTED, DIRECT_PUSH, INITIAL, MAX_URCS,
                        REMOTE_CLOSING, Protocol)

OK = b"\r\nOK\r\n"


def line(text):
    return b"\r\n" + text + b"\r\n"


def run(p, wire, *replies, now=0, **kw):
    """Submit a command, feed the module's replies, return the command."""
    c = Command(wire, **kw)
    assert p.submit(c, now) == wire
    for r in replies:
        assert p.receive_data(r, now)
    return c


def opened(mode=BUFFER, cid=0, **kw):
    p = Protocol(**kw)
    c = run(p, C.qiopen(cid, "TCP", "10.0.0.1", 80, 0, mode), OK,
            line(b"+QIOPEN: %d,0" % cid), connect_id=cid)
    assert c.status == DONE and p.sockets[cid].state == CONNECTED
    return p


def rx(slot):
    out = bytearray(slot.rx.count)
    slot.rx.readinto(out)
    return bytes(out)


def push(cid, data):
    return b'\r\n+QIURC: "recv",%d,%d\r\n' % (cid, len(data)) + data + b"\r\n"


# -- deadlines --------------------------------------------------------------------

def test_reply_deadline_and_expire():
    p = Protocol()
    assert p.deadline() is None
    c = run(p, C.at(), now=1000)
    assert p.deadline() == 1000 + REPLY_MS
    assert list(p.expire(1000 + REPLY_MS - 1)) == []
    assert c.status == WAITING
    assert p.expire(1000 + REPLY_MS) == [c]
    assert c.status == TIMED_OUT and c.done
    assert p.wire is None and p.deadline() is None
    # the late OK is a stray result now: ignored, the next command is free
    assert p.receive_data(OK, 1400)
    assert p.urcs == []
    c2 = run(p, C.at(), OK, now=1500)
    assert c2.status == DONE


def test_result_deadline_after_ok():
    p = Protocol()
    c = run(p, C.qiopen(0, "TCP", "10.0.0.1", 80), connect_id=0, now=0)
    p.receive_data(OK, 100)
    assert c.status == AWAITING and p.wire is None
    assert p.deadline() == 100 + 60000  # manual: wait 60 s for +QIOPEN
    assert list(p.expire(60099)) == []
    assert p.expire(60100) == [c]
    assert c.status == TIMED_OUT and c.error == 569
    assert p.awaiting == [] and p.deadline() is None


def test_result_ms_overrides_the_default():
    p = Protocol()
    c = run(p, C.qping("10.0.0.1", timeout=1, count=1), result_ms=5000)
    p.receive_data(OK, 10)
    assert p.deadline() == 10 + 5000
    assert p.expire(5010) == [c]


def test_deadline_is_the_earliest():
    p = Protocol()
    ping = run(p, C.qping("10.0.0.1"), result_ms=90000, now=0)
    p.receive_data(OK, 0)
    ntp = run(p, C.qntp("pool.ntp.org"), result_ms=20000, now=10)
    p.receive_data(OK, 10)
    at = run(p, C.at(), now=20)
    assert p.deadline() == 20 + REPLY_MS
    p.receive_data(OK, 30)
    assert p.deadline() == 10 + 20000
    assert p.expire(20010) == [ntp]
    assert p.deadline() == 90000
    assert at.status == DONE and ping.status == AWAITING


def test_data_mode_deadline():
    p = opened()
    c = run(p, C.qisend_fixed(0, 3), connect_id=0, prompt=True, now=0)
    p.receive_data(b"\r\n> ", 50)
    assert c.status == PROMPTED
    p.data_written(c, 100)
    assert c.status == WAITING
    assert p.deadline() == 100 + REPLY_MS + c.result_ms
    p.receive_data(OK + line(b"SEND OK"), 120)
    assert c.status == DONE and p.deadline() is None


# -- routing --------------------------------------------------------------------

def test_urc_before_the_prompt():
    p = opened()
    c = run(p, C.qisend_var(0), line(b"+CEREG: 1") + b"\r\n> ",
            connect_id=0, prompt=True)
    assert c.status == PROMPTED and p.prompt_seen
    assert p.urcs == [ev.Info("CEREG", "1")]


def test_prompt_without_a_prompt_command_changes_nothing():
    p = Protocol()
    c = run(p, C.at(), b"\r\n> ")
    assert c.status == WAITING
    p.receive_data(OK, 1)
    assert c.status == DONE


def test_stray_results_are_ignored():
    p = Protocol()
    assert p.receive_data(OK + line(b"ERROR") + line(b"+CME ERROR: 4"), 0)
    assert p.urcs == [] and p.wire is None
    assert run(p, C.at(), OK).status == DONE


def test_one_command_on_the_wire():
    p = Protocol()
    run(p, C.at())
    with pytest.raises(RuntimeError):
        p.submit(Command(C.at()), 0)


def test_one_send_at_a_time():
    # manual: wait for SEND OK / SEND FAIL before the next send
    p = opened()
    run(p, C.qisend_text(0, "a"), OK, connect_id=0)
    with pytest.raises(RuntimeError):
        p.submit(Command(C.qisend_text(0, "b"), connect_id=0), 0)
    p.receive_data(line(b"SEND OK"), 0)
    assert run(p, C.qisend_text(0, "b"), OK, line(b"SEND OK"),
               connect_id=0).status == DONE


def test_opens_of_different_sockets_may_overlap():
    p = Protocol()
    a = run(p, C.qiopen(0, "TCP", "10.0.0.1", 80), OK, connect_id=0)
    b = run(p, C.qiopen(1, "TCP", "10.0.0.1", 81), OK, connect_id=1)
    with pytest.raises(RuntimeError):
        p.submit(Command(C.qiopen(0, "TCP", "10.0.0.1", 80), connect_id=0), 0)
    p.receive_data(line(b"+QIOPEN: 1,566") + line(b"+QIOPEN: 0,0"), 0)
    assert (a.status, b.status, b.error) == (DONE, FAILED, 566)
    assert p.sockets[0].state == CONNECTED
    assert p.sockets[1].state == INITIAL  # the error is the command's (566)


def test_open_refused_with_error_frees_the_slot():
    p = Protocol()
    c = run(p, C.qiopen(2, "TCP", "10.0.0.1", 80, 0, 1), line(b"ERROR"),
            connect_id=2)
    assert c.status == FAILED and p.sockets[2].state == INITIAL
    # no longer pushing: this is a notice, not a header with data
    p.receive_data(b'\r\n+QIURC: "recv",2,3\r\n', 0)
    assert not p.sockets[2].readable and p.sockets[2].module_data


def test_push_right_after_qiopen_result():
    p = Protocol()
    run(p, C.qiopen(0, "TCP", "10.0.0.1", 80, 0, 1),
        OK + line(b"+QIOPEN: 0,0") + push(0, b"hi"), connect_id=0)
    assert rx(p.sockets[0]) == b"hi"


def test_result_before_ok_is_tolerated():
    p = opened()
    c = run(p, C.qisend_text(0, "a"), line(b"SEND OK") + OK, connect_id=0)
    assert c.status == DONE and c.results == []  # SEND OK ended it
    assert p.awaiting == [] and p.urcs == []


def test_a_send_ok_before_the_prompt_is_not_the_sends():
    # data mode: nothing was sent yet, so a SEND OK now is somebody
    # else's; ending the send here would leave its payload unwritten and
    # the module waiting for it
    p = opened()
    c = run(p, C.qisend_fixed(0, 5), line(b"SEND OK") + b"\r\n> ",
            connect_id=0, prompt=True)
    assert c.status == PROMPTED and not c.done
    assert [e.kind for e in p.urcs] == [ev.SendOk]  # unclaimed


def test_a_late_send_result_is_the_timed_out_sends_not_the_next_ones():
    p = opened()
    old = run(p, C.qisendex(0, b"a"), OK, connect_id=0)
    assert old.status == AWAITING
    assert p.expire(old.deadline) == [old]  # no SEND OK in time
    # the next send's line; the old SEND OK comes before its OK, then the
    # module's answer for this one: SEND FAIL
    new = run(p, C.qisendex(0, b"b"), line(b"SEND OK"), connect_id=0,
              now=old.deadline)
    assert new.status == WAITING  # the late SEND OK is not its result
    p.receive_data(OK + line(b"SEND FAIL"), old.deadline)
    assert new.status == FAILED
    # owed nothing more: a result before OK is tolerated again
    c = run(p, C.qisendex(0, b"c"), line(b"SEND OK") + OK, connect_id=0,
            now=old.deadline)
    assert c.status == DONE


def test_an_owed_late_result_is_not_taken_from_another_commands_reply():
    p = opened()
    old = run(p, C.qisendex(0, b"a"), OK, connect_id=0)
    p.expire(old.deadline)  # owed its result from now on
    new = run(p, C.qisendex(0, b"b"), OK, connect_id=0, now=old.deadline)
    assert new.status == AWAITING
    # another command is on the wire when a SEND OK comes: the awaiting
    # send's, as before (only a send on the wire can be told a late one)
    run(p, C.at(), line(b"SEND OK") + OK, now=old.deadline)
    assert new.status == DONE


def test_a_late_result_that_never_comes_is_forgotten():
    p = opened()
    old = run(p, C.qisendex(0, b"a"), OK, connect_id=0)
    p.expire(old.deadline)
    later = old.deadline + 60000  # (state._LATE_MS) past it
    c = run(p, C.qisendex(0, b"c"), line(b"SEND OK") + OK, connect_id=0,
            now=later)
    assert c.status == DONE  # a result before OK is its own again


def test_the_socket_of_a_line_with_blanks_between_parameters():
    assert Command(b"AT+QICLOSE= 0\r").connect_id == 0
    assert Command(b'AT+QIOPEN=1, 2,"TCP","10.0.0.1",80\r').connect_id == 2
    assert Command(b"AT+QICLOSE=14\r").connect_id == -1  # no such socket
    assert Command(b"AT+QICLOSE=7\r").connect_id == -1
    p = opened(cid=0)
    run(p, b"AT+QICLOSE= 0\r", OK, line(b"CLOSE OK"))
    assert p.sockets[0].state == INITIAL  # socket 0's, not socket 4's
    assert [s.state for s in p.sockets[1:]] == [INITIAL] * 4


def test_settings_joined_on_one_line_are_each_learnt():
    p = Protocol()
    run(p, b'AT+QICFG="viewmode",1;+QICFG="dataformat",1,1\r', OK)
    assert p.viewmode == 1 and p.send_hex == 1 and p.tok.hex_recv == 1


def test_a_failed_ping_request_after_a_reply_is_not_the_end():
    p = Protocol()
    reply = line(b'+QPING: 0,"10.0.0.9",32,20,255')
    c = run(p, C.qping("10.0.0.9", 1, 3), OK, reply, line(b"+QPING: 558"),
            reply)
    assert not c.done  # one request of three failed: the summary follows
    p.receive_data(line(b"+QPING: 0,3,2,1,20,20,20"), 0)
    assert c.status == DONE and len(c.results) == 4


def test_text_replies_belong_to_ati():
    p = Protocol()
    c = run(p, C.ati(), line(b"Quectel_Ltd") + b"Quectel_BC26\r\n"
            + b"Revision: BC26NBR01A07\r\n" + OK)
    assert c.lines == [ev.Text("Quectel_Ltd"), ev.Text("Quectel_BC26"),
                       ev.Text("Revision: BC26NBR01A07")]
    assert p.urcs == []
    # for any other command a bare line is unsolicited
    c = run(p, C.at(), line(b"RDY") + OK)
    assert c.lines == [] and p.urcs == [ev.Text("RDY")]


def test_unsolicited_qiopen_result():
    p = Protocol()
    p.receive_data(line(b"+QIOPEN: 3,0"), 0)
    assert p.sockets[3].state == CONNECTED
    assert p.urcs == [ev.Opened(3, 0)]


def test_closed_urc_for_an_idle_socket_is_dropped():
    p = Protocol()
    p.receive_data(line(b'+QIURC: "closed",1'), 0)
    assert p.sockets[1].state == INITIAL and not p.sockets[1].remote_closed
    assert p.urcs == []


def test_remote_close_in_push_mode_reaches_eof():
    p = opened(DIRECT_PUSH)
    p.receive_data(push(0, b"bye") + line(b'+QIURC: "closed",0'), 0)
    s = p.sockets[0]
    assert s.state == REMOTE_CLOSING and s.remote_closed and not s.at_eof
    assert rx(s) == b"bye"
    assert s.at_eof


def test_read_after_its_timeout_still_lands():
    # the module handed the data over: it must not be lost
    p = opened()
    c = run(p, C.qird(0, 512), connect_id=0, now=0)
    assert p.expire(REPLY_MS) == [c]
    p.receive_data(b"\r\n+QIRD: 3\r\nabc\r\n" + OK, REPLY_MS + 1)
    assert rx(p.sockets[0]) == b"abc"
    assert p.urcs == []


def test_cgpaddr_teaches_the_address():
    p = Protocol()
    c = run(p, C.cgpaddr(1), line(b'+CGPADDR: 1,"10.7.0.2"') + OK)
    assert c.lines == [ev.Info("CGPADDR", '1,"10.7.0.2"')]
    assert p.ip == "10.7.0.2"


def test_ip_urc():
    p = Protocol()
    p.receive_data(line(b"+IP: 10.18.237.42"), 0)
    assert p.ip == "10.18.237.42"
    assert p.urcs == [ev.IpAddress("10.18.237.42")]


def test_urcs_keep_the_newest():
    p = Protocol()
    for i in range(MAX_URCS + 5):
        p.receive_data(line(b"+CSCON: %d" % i), 0)
    assert len(p.urcs) == MAX_URCS
    assert p.urcs[0] == ev.Info("CSCON", "5")
    assert p.urcs[-1] == ev.Info("CSCON", str(MAX_URCS + 4))


def test_dns_addresses_counted():
    p = Protocol()
    c = run(p, C.qidnsgip("example.com"), OK,
            line(b'+QIURC: "dnsgip",0,1,300'), line(b'+QIURC: "dnsgip","1.2.3.4"'))
    assert c.status == DONE
    # one more address than announced is nobody's
    p.receive_data(line(b'+QIURC: "dnsgip","5.6.7.8"'), 0)
    assert p.urcs == [ev.DnsAddress("5.6.7.8")]


# -- back-pressure ------------------------------------------------------------------

def test_push_bigger_than_free_space_waits_for_the_app():
    p = opened(DIRECT_PUSH, rx_capacity=64)
    first = bytes(range(48))
    second = bytes(range(100, 140))
    assert p.receive_data(push(0, first), 0)
    more = push(0, second) + line(b"+CEREG: 1")
    assert p.receive_data(more, 1) is False   # 40 bytes do not fit in 16
    assert p.sockets[0].rx.free() == 0        # what fits is there already
    assert p.urcs == []                        # nothing after it was handled
    assert p.resume(2) is False                # still no room
    got = rx(p.sockets[0])                     # the app reads
    assert p.resume(3) is True
    got += rx(p.sockets[0])
    assert got == first + second
    assert p.urcs == [ev.Info("CEREG", "1")]


def test_bytes_keep_coming_while_held_back():
    p = opened(DIRECT_PUSH, rx_capacity=64)
    chunks = [bytes([65 + k]) * 30 for k in range(6)]
    stream = b"".join(push(0, c) for c in chunks) + line(b"RDY")
    got = b""
    for i in range(0, len(stream), 7):       # the UART keeps delivering
        p.receive_data(stream[i:i + 7], i)
    while True:
        got += rx(p.sockets[0])
        if p.resume(1000) and p.sockets[0].rx.count == 0:
            break
    assert got == b"".join(chunks)
    assert p.urcs == [ev.Text("RDY")]


def test_push_bigger_than_the_whole_ring():
    # a payload frame larger than rx_capacity must still get through,
    # piece by piece as the app reads
    p = opened(DIRECT_PUSH, rx_capacity=64)
    data = bytes((i * 7) & 0xFF for i in range(300))
    ok = p.receive_data(push(0, data) + line(b"+CEREG: 1"), 0)
    got = b""
    for _ in range(50):
        got += rx(p.sockets[0])
        if ok:
            break
        ok = p.resume(1)
    got += rx(p.sockets[0])
    assert ok and got == data
    assert p.urcs == [ev.Info("CEREG", "1")]


def test_dropped_push_is_counted_and_so_is_what_follows():
    # past the limit the shell gives up the held bytes: they are counted,
    # and so is everything pushed to that socket until the loss is told,
    # so what it delivers is a clean prefix
    p = opened(DIRECT_PUSH, rx_capacity=64)
    slot = p.sockets[0]
    assert p.receive_data(push(0, bytes(48)), 0)
    more = push(0, bytes(range(40))) + line(b"+CEREG: 1")
    assert p.receive_data(more, 1) is False
    p.drop_held()
    assert slot.lost == 24  # 16 of the 40 fitted
    assert p.resume(2) and p.urcs == [ev.Info("CEREG", "1")]
    assert p.receive_data(push(0, b"later"), 3)
    assert slot.lost == 29
    assert rx(slot) == bytes(48) + bytes(range(16))


def test_read_reply_bigger_than_free_space():
    p = opened(rx_capacity=64)
    p.sockets[0].store().write(b"x" * 60)
    c = run(p, C.qird(0, 10), connect_id=0)
    assert p.receive_data(b"\r\n+QIRD: 10\r\n0123456789\r\n" + OK, 0) is False
    assert c.status == WAITING                 # OK is behind the data
    got = rx(p.sockets[0])
    assert p.resume(1)
    got += rx(p.sockets[0])
    assert c.status == DONE and got == b"x" * 60 + b"0123456789"


# -- access mode and QICFG settings ------------------------------------------------

def test_qiswtmd_switches_push_on_ok():
    p = opened(BUFFER)
    c = run(p, C.qiswtmd(0, 1), connect_id=0)
    # before OK the module still buffers: a notice
    p.receive_data(line(b'+QIURC: "recv",0'), 0)
    assert p.sockets[0].module_data
    p.receive_data(OK, 0)
    assert c.status == DONE and p.sockets[0].access_mode == DIRECT_PUSH
    p.receive_data(push(0, b"OK\r\n"), 0)
    assert rx(p.sockets[0]) == b"OK\r\n" and p.urcs == []
    # and back to buffer mode: the same header is a notice again
    run(p, C.qiswtmd(0, 0), OK, connect_id=0)
    assert p.sockets[0].access_mode == BUFFER
    p.receive_data(b'\r\n+QIURC: "recv",0,5\r\n', 0)
    assert p.sockets[0].rx.count == 0


def test_qiswtmd_error_changes_nothing():
    p = opened(BUFFER)
    run(p, C.qiswtmd(0, 1), line(b"ERROR"), connect_id=0)
    assert p.sockets[0].access_mode == BUFFER
    p.receive_data(b'\r\n+QIURC: "recv",0,2\r\n', 0)
    assert not p.sockets[0].readable and p.sockets[0].module_data


SHOWLENGTH_READ = b"\r\n+QIRD: 10,2\r\n0123456789\r\n" + OK


def test_showlength_set_configures_the_tokenizer():
    p = opened()
    run(p, C.qicfg_showlength(1), OK)
    c = run(p, C.qird(0, 10), SHOWLENGTH_READ, connect_id=0)
    assert c.status == DONE and c.lines == []  # the header is routed, not kept
    assert rx(p.sockets[0]) == b"0123456789"


def test_showlength_query_reply_configures_the_tokenizer():
    p = opened()
    c = run(p, C.qicfg_showlength(), line(b'+QICFG: "showlength",1') + OK)
    assert c.lines == [ev.Config("showlength", (1,))]
    run(p, C.qird(0, 10), SHOWLENGTH_READ, connect_id=0)
    assert rx(p.sockets[0]) == b"0123456789"


def test_showlength_unset_frames_differently():
    # the layouts are ambiguous, the setting decides: with showlength 0,
    # "+QIRD: 10,..." is viewmode 1's header with the data after the comma
    p = opened()
    c = run(p, C.qird(0, 10), SHOWLENGTH_READ, connect_id=0)
    assert c.status == DONE and c.lines == []
    assert rx(p.sockets[0]) == b"2\r\n0123456"
    p = opened()
    run(p, C.qicfg_showlength(1), line(b"ERROR"))  # a refused set: still 0
    run(p, C.qird(0, 10), SHOWLENGTH_READ, connect_id=0)
    assert rx(p.sockets[0]) == b"2\r\n0123456"


def test_dataformat_set_configures_hex_receive():
    p = opened(DIRECT_PUSH)
    run(p, C.qicfg_dataformat(1, 1), line(b'+QICFG: "dataformat",1,1') + OK)
    assert p.send_hex == 1
    p.receive_data(b'\r\n+QIURC: "recv",0,4\r\n54657374\r\n', 0)
    assert rx(p.sockets[0]) == b"Test"
    run(p, C.qicfg_dataformat(1, 0), OK)
    p.receive_data(push(0, b"5465"), 0)
    assert rx(p.sockets[0]) == b"5465"


def test_dataformat_query_reply_configures_hex_receive():
    p = opened(DIRECT_PUSH)
    run(p, C.qicfg_dataformat(), line(b'+QICFG: "dataformat",0,1') + OK)
    assert p.send_hex == 0
    p.receive_data(b'\r\n+QIURC: "recv",0,2\r\n4f4B\r\n', 0)
    assert rx(p.sockets[0]) == b"OK"


def test_viewmode_and_echomode_are_remembered():
    p = Protocol()
    run(p, C.qicfg_viewmode(1), OK)
    run(p, C.qicfg_echomode(1), OK)
    assert (p.viewmode, p.echomode) == (1, 1)
    run(p, C.qicfg_viewmode(), line(b'+QICFG: "viewmode",0') + OK)
    assert p.viewmode == 0


# -- reboot ------------------------------------------------------------------

def test_reset_after_reboot():
    p = opened(DIRECT_PUSH)
    p.receive_data(push(0, b"old") + line(b"+IP: 10.0.0.5"), 0)
    ping = run(p, C.qping("10.0.0.1"), OK)
    recovery.reset_after_reboot(p)
    s = p.sockets[0]
    assert (s.state, s.access_mode, s.rx) == (INITIAL, BUFFER, None)  # freed
    assert ping.status == FAILED and ping.error == 550
    assert p.awaiting == [] and p.ip is None
    # socket 0 no longer pushes
    p.receive_data(b'\r\n+QIURC: "recv",0,3\r\n', 0)
    assert not s.readable and s.module_data


def test_qrst_ok_resets():
    p = opened()
    c = run(p, C.qrst(), OK)
    assert c.status == DONE
    assert p.sockets[0].state == INITIAL
