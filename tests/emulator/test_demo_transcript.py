"""The demo's transcript of the AT exchange: a payload is one entry (never
split at the line ends it holds, never joined to the next command), and
how the UART cut the bytes does not change what is printed."""
import io
import random

from bc26.host.demo import Transcript

PAYLOAD = bytes(range(8)) + b"\r\nOK\r\n+QIURC: \"closed\",0\r\n"
RECEIVED = (b"\r\nOK\r\n\r\n+QIURC: \"recv\",0,%d\r\n\r\n+QIRD: %d,0\r\n"
            % (len(PAYLOAD), len(PAYLOAD)) + PAYLOAD + b"\r\n\r\nOK\r\n> ")


def _shown(writes):
    out = io.StringIO()
    t = Transcript(out=out)
    for direction, data in writes:
        t(direction, data)
    return out.getvalue().splitlines()


def test_payloads_are_one_entry_each_way():
    lines = _shown([(">", b"AT+QISEND=0,%d\r" % len(PAYLOAD)), (">", PAYLOAD),
                    (">", b"AT+QIRD=0,512\r"), ("<", RECEIVED)])
    summary = "  %s ..........OK..+QIURC: \"closed\",0.. (%d bytes)"
    assert lines == [
        "  -> AT+QISEND=0,%d" % len(PAYLOAD),
        summary % ("->", len(PAYLOAD)),
        "  -> AT+QIRD=0,512",
        "  <- OK",
        "  <- +QIURC: \"recv\",0,%d" % len(PAYLOAD),
        "  <- +QIRD: %d,0" % len(PAYLOAD),
        summary % ("<-", len(PAYLOAD)),
        "  <- OK",
        "  <- > ",
    ]


def test_the_cut_of_the_reads_does_not_matter():
    whole = _shown([("<", RECEIVED)])
    rnd = random.Random(7)
    for _ in range(200):
        cuts = sorted(rnd.sample(range(1, len(RECEIVED)), rnd.randint(1, 12)))
        pieces = [RECEIVED[a:b] for a, b in zip([0] + cuts, cuts + [len(RECEIVED)])]
        assert _shown([("<", p) for p in pieces]) == whole, pieces
