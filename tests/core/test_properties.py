"""Properties of the core over the transcripts of tests/portable/transcripts.py:
the bytes may come in any pieces, a URC may come at any frame boundary, and
counted payloads arrive byte-exact whatever they hold."""

import binascii
import os
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_PORTABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "portable")
if os.path.normpath(_PORTABLE) not in sys.path:  # tests/conftest.py adds it too
    sys.path.insert(0, os.path.normpath(_PORTABLE))

import transcripts as T  # noqa: E402
from bc26 import commands as C  # noqa: E402
from bc26 import events as ev  # noqa: E402
from bc26.command import Command, DONE  # noqa: E402
from bc26.state import Protocol  # noqa: E402

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

NAMES = [t["name"] for t in T.TRANSCRIPTS]


def chunker_from(data):
    """A chunker whose cuts Hypothesis chooses: anything from one byte at
    a time to everything at once."""
    def chunk(raw):
        if len(raw) < 2:
            return [raw]
        cuts = sorted(data.draw(st.sets(st.integers(1, len(raw) - 1),
                                        max_size=len(raw) - 1)))
        out = []
        start = 0
        for c in cuts + [len(raw)]:
            out.append(raw[start:c])
            start = c
        return out
    return chunk


# -- (a) any chunking ----------------------------------------------------------

@SETTINGS
@given(name=st.sampled_from(NAMES), data=st.data())
def test_chunking_does_not_matter(name, data):
    t = T.find(name)
    whole = T.outcome(*T.run(t))
    got = T.outcome(*T.run(t, chunker_from(data)))
    assert T.differences(got, whole) == []
    assert T.differences(got, T.expected(t)) == []


@pytest.mark.parametrize("name", NAMES)
def test_one_byte_at_a_time(name):
    t = T.find(name)
    got = T.outcome(*T.run(t, lambda d: [d[i:i + 1] for i in range(len(d))]))
    assert T.differences(got, T.expected(t)) == []


# -- (b) a URC at every frame boundary -----------------------------------------

# Sockets 1 and 2 open in buffer mode and 4 in direct push mode, so that the
# URCs about them have something to act on; the transcripts use 0 (and 3).
SCENE = [
    T.cmd(lambda: Command(C.qiopen(1, "TCP", "10.0.0.1", 7), connect_id=1),
          b'AT+QIOPEN=1,1,"TCP","10.0.0.1",7,0,0\r'),
    T.OK,
    T.line("+QIOPEN: 1,0"),
    T.cmd(lambda: Command(C.qiopen(2, "UDP", "10.0.0.2", 53), connect_id=2),
          b'AT+QIOPEN=1,2,"UDP","10.0.0.2",53,0,0\r'),
    T.OK,
    T.line("+QIOPEN: 2,0"),
    T.cmd(lambda: Command(C.qiopen(4, "TCP", "10.0.0.4", 80, 0, 1),
                          connect_id=4),
          b'AT+QIOPEN=1,4,"TCP","10.0.0.4",80,0,1\r'),
    T.OK,
    T.line("+QIOPEN: 4,0"),
]


def scene():
    p = Protocol()
    T.run({"pre": [], "steps": SCENE}, proto=p)
    return p


def _with_event(event):
    def check(got, base):
        urcs = got["urcs"]
        assert any(urcs[k] == event and urcs[:k] + urcs[k + 1:] == base["urcs"]
                   for k in range(len(urcs))), (urcs, base["urcs"])
        rest = dict(got, urcs=base["urcs"])
        if event.kind is ev.IpAddress:
            ips = [u.ip for u in urcs if u.kind is ev.IpAddress]
            assert got["ip"] == ips[-1]
            rest["ip"] = base["ip"]
        assert T.differences(rest, base) == []
    return check


def _socket(cid, **change):
    fields = ("state", "mode", "data", "closed", "full")

    def check(got, base):
        want = list(base["sockets"])
        slot = dict(zip(fields, want[cid]))
        slot.update(change)
        want[cid] = tuple(slot[f] for f in fields)
        assert got["sockets"] == want
        assert T.differences(dict(got, sockets=base["sockets"]), base) == []
    return check


def _pushed(cid, payload):
    def check(got, base):
        want = list(base["rx"])
        want[cid] = want[cid] + payload
        assert got["rx"] == want
        assert T.differences(dict(got, rx=base["rx"]), base) == []
    return check


URCS = {
    "CEREG": (T.line("+CEREG: 1"), _with_event(ev.Info("CEREG", "1"))),
    "CSCON": (T.line("+CSCON: 0"), _with_event(ev.Info("CSCON", "0"))),
    "recv,1": (T.line('+QIURC: "recv",1'), _socket(1, data=True)),
    "closed,2": (T.line('+QIURC: "closed",2'),
                 _socket(2, state=4, closed=True, data=True)),
    "IP": (T.line("+IP: 10.0.0.9"), _with_event(ev.IpAddress("10.0.0.9"))),
    "RDY": (T.line("RDY"), _with_event(ev.Text("RDY"))),
    "push,4": (b'\r\n+QIURC: "recv",4,6\r\nOK\r\n>x\r\n',
               _pushed(4, b"OK\r\n>x")),
}
# in hex dataformat pushed data comes as hex digits
HEX_PUSH = b'\r\n+QIURC: "recv",4,6\r\n' + binascii.hexlify(b"OK\r\n>x") + b"\r\n"


def _hex_recv(t):
    return any(isinstance(s, tuple) and s[0] == "cmd"
               and s[2].startswith(b'AT+QICFG="dataformat"')
               for s in t["pre"] + t["steps"])

CASES = [(name, i, kind) for name in NAMES
         for i in T.boundaries(T.find(name)) for kind in sorted(URCS)]


def _check_insert(name, i, kind, chunker=None):
    t = T.find(name)
    segment, check = URCS[kind]
    if kind == "push,4" and _hex_recv(t):
        segment = HEX_PUSH
    base = T.outcome(*T.run(t, proto=scene()))
    got = T.outcome(*T.run(t, chunker, insert=(i, segment), proto=scene()))
    assert got["cmds"] == base["cmds"]  # the replies, unchanged
    check(got, base)


@pytest.mark.parametrize("name,i,kind", CASES)
def test_urc_at_every_boundary(name, i, kind):
    _check_insert(name, i, kind)


@SETTINGS
@given(case=st.sampled_from(CASES), data=st.data())
def test_urc_at_a_boundary_in_any_chunks(case, data):
    name, i, kind = case
    _check_insert(name, i, kind, chunker_from(data))


def test_the_scene_leaves_the_transcripts_alone():
    for t in T.TRANSCRIPTS:
        got = T.outcome(*T.run(t, proto=scene()))
        want = T.expected(t)
        assert got["cmds"] == want["cmds"]
        assert got["rx"] == want["rx"]
        assert got["urcs"] == want["urcs"]


# -- (c) counted payloads, byte-exact --------------------------------------------

NASTY = [b"\r", b"\n", b"\x00", b"\r\n", b"OK", b"\r\nOK\r\n", b"ERROR",
         b'+QIURC: "recv",0', b'\r\n+QIURC: "recv",0,5\r\n', b'"', b'","',
         b"\r\n> ", b">", b"+QIRD: 3\r\n", b"\x1a", b"\x1b", b"\xff", b","]

payloads = st.lists(st.one_of(st.sampled_from(NASTY), st.binary(max_size=24)),
                    min_size=1, max_size=60).map(b"".join).filter(len)


def _hex(data, upper):
    h = binascii.hexlify(data)
    return h.upper() if upper else h


def _push_transcript(layout, payload, upper):
    n = len(payload)
    head = b'\r\n+QIURC: "recv",0,%d' % n
    pre = list(T.OPEN_PUSH)
    if layout == "next line":
        seg = head + b"\r\n" + payload + b"\r\n"
    elif layout == "after comma":
        seg = head + b"," + payload + b"\r\n"
    elif layout == "quoted text":
        seg = head + b',"' + payload + b'"\r\n'
    elif layout == "quoted hex":
        seg = head + b',"' + _hex(payload, upper) + b'"\r\n'
    else:  # hex dataformat
        pre += T.HEX_RECV
        seg = head + b"\r\n" + _hex(payload, upper) + b"\r\n"
    return T.T("push " + layout, [seg, T.line("+CEREG: 1")], [], pre=pre,
               sockets={0: T.PUSH_OPEN}, rx={0: payload},
               urcs=[ev.Info("CEREG", "1")])


@SETTINGS
@given(layout=st.sampled_from(["next line", "after comma", "quoted text",
                               "quoted hex", "hex dataformat"]),
       payload=payloads, upper=st.booleans(), data=st.data())
def test_pushed_payload_is_byte_exact(layout, payload, upper, data):
    payload = payload[:1460]
    t = _push_transcript(layout, payload, upper)
    got = T.outcome(*T.run(t, chunker_from(data)))
    assert T.differences(got, T.expected(t)) == []


@SETTINGS
@given(showlength=st.booleans(), viewmode=st.booleans(), hexdata=st.booleans(),
       payload=payloads, remaining=st.integers(0, 1460), data=st.data())
def test_read_payload_is_byte_exact(showlength, viewmode, hexdata, payload,
                                    remaining, data):
    payload = payload[:512]
    n = len(payload)
    pre = list(T.OPEN_BUFFER)
    if showlength:
        pre += T.SHOWLENGTH_1
    if viewmode:
        pre += T.VIEWMODE_1
    if hexdata:
        pre += T.HEX_RECV
    head = b"\r\n+QIRD: %d" % n + (b",%d" % remaining if showlength else b"")
    body = _hex(payload, False) if hexdata else payload
    seg = head + (b"," if viewmode else b"\r\n") + body + b"\r\n"
    t = T.T("read", [
        T.line('+QIURC: "recv",0'),
        T.cmd(lambda: Command(C.qird(0, 512), connect_id=0), b"AT+QIRD=0,512\r"),
        seg,
        T.OK,
        T.line("+CEREG: 1"),
    ], [T.R(DONE)],
        pre=pre, sockets={0: T.S(2, 0, data=True)}, rx={0: payload},
        urcs=[ev.Info("CEREG", "1")])
    got = T.outcome(*T.run(t, chunker_from(data)))
    assert T.differences(got, T.expected(t)) == []


@SETTINGS
@given(sizes=st.lists(st.integers(1, 3000), min_size=1, max_size=4),
       data=st.data())
def test_long_pushes_across_frames(sizes, data):
    # longer than a frame (1536): the payload comes in several PAYLOAD frames
    segs = []
    want = b""
    for k, n in enumerate(sizes):
        payload = bytes((k * 31 + i) & 0xFF for i in range(n))
        segs.append(b'\r\n+QIURC: "recv",0,%d\r\n' % n + payload + b"\r\n")
        want += payload
    t = T.T("long", segs, [], pre=T.OPEN_PUSH, sockets={0: T.PUSH_OPEN},
            rx={0: want})
    p = Protocol(rx_capacity=16384)
    got = T.outcome(*T.run(t, chunker_from(data), proto=p))
    assert T.differences(got, T.expected(t)) == []
