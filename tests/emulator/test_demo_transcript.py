"""The demo's transcript of the AT exchange: every byte that is not
printable ASCII is shown as an escape (\\r, \\n, \\x1a, \\xff, ...), a payload
is one entry (never split at the line ends it holds, never joined to the
next command) that says its length, and how the UART cut the bytes does
not change what is printed."""
import io
import random

from bc26.emulator.modem import BOOT_JUNK
from bc26.host.demo import SHOWN_LINE, SHOWN_PAYLOAD, Transcript, escape

PAYLOAD = bytes(range(8)) + b"\r\nOK\r\n+QIURC: \"closed\",0\r\n"
RECEIVED = (b"\r\nOK\r\n\r\n+QIURC: \"recv\",0,%d\r\n\r\n+QIRD: %d,0\r\n"
            % (len(PAYLOAD), len(PAYLOAD)) + PAYLOAD + b"\r\n\r\nOK\r\n> ")
SHOWN = (r"\x00\x01\x02\x03\x04\x05\x06\x07\r\nOK\r\n+QIURC: "
         r'"closed",0\r\n (%d bytes)' % len(PAYLOAD))


def _shown(writes):
    out = io.StringIO()
    t = Transcript(out=out)
    for direction, data in writes:
        t(direction, data)
    t.finish()
    return out.getvalue().splitlines()


def test_escape():
    assert escape(b"AT\r\n\t\x1a\x1b\x00\x7f\x80\xff\\ ok~") == \
        r"AT\r\n\t\x1a\x1b\x00\x7f\x80\xff\\ ok~"
    assert escape(bytes(range(32, 127)).replace(b"\\", b"")) == \
        bytes(range(32, 127)).replace(b"\\", b"").decode()


def test_payloads_are_one_entry_each_way():
    lines = _shown([(">", b"AT+QISEND=0,%d\r" % len(PAYLOAD)), (">", PAYLOAD),
                    (">", b"AT+QIRD=0,512\r"), ("<", RECEIVED)])
    assert lines == [
        "  -> AT+QISEND=0,%d" % len(PAYLOAD),
        "  -> " + SHOWN,
        "  -> AT+QIRD=0,512",
        "  <- OK",
        "  <- +QIURC: \"recv\",0,%d" % len(PAYLOAD),
        "  <- +QIRD: %d,0" % len(PAYLOAD),
        "  <- " + SHOWN,
        "  <- OK",
        "  <- > ",
    ]


def test_a_payload_that_ends_like_a_command_is_still_a_payload():
    lines = _shown([(">", b"AT+QISEND=1,6\r"), ("<", b"\r\n> "),
                    (">", b"AT+X=1\r"), ("<", b"\r\nSEND OK\r\n"),
                    (">", b"AT+QISEND=1\r"), ("<", b"\r\n> "),
                    (">", b"hi\x1a"), (">", b"AT\r")])
    assert lines == ["  -> AT+QISEND=1,6", "  <- > ",
                     r"  -> AT+X=1\r (7 bytes)", "  <- SEND OK",
                     "  -> AT+QISEND=1", "  <- > ",
                     r"  -> hi\x1a (3 bytes)", "  -> AT"]


def test_no_payload_after_a_refused_send_nor_after_the_counter_query():
    lines = _shown([(">", b"AT+QISEND=0,5\r"), ("<", b"\r\n+CME ERROR: 552\r\n"),
                    (">", b"AT+QISEND=0,0\r"), ("<", b"\r\nERROR\r\n"),
                    (">", b"AT+QIGETERROR\r")])
    assert lines == ["  -> AT+QISEND=0,5", "  <- +CME ERROR: 552",
                     "  -> AT+QISEND=0,0", "  <- ERROR", "  -> AT+QIGETERROR"]


def test_boot_junk_is_escaped_line_by_line():
    lines = _shown([(">", b"AT\r"), ("<", BOOT_JUNK + b"\r\nRDY\r\n")])
    assert lines[:2] == ["  -> AT", r"  <- \x00\xf0\xffF1: 0000 0000"]
    assert lines[-2:] == ["  <- Leaving the BROM", "  <- RDY"]
    for line in lines:
        assert line.isascii() and line.isprintable()


def test_long_entries_are_cut_and_say_their_length():
    payload = bytes(range(256)) * 2
    lines = _shown([(">", b"AT+QISEND=0,%d\r" % len(payload)), (">", payload),
                    ("<", b"\r\n" + b"x" * 300 + b"\r\n")])
    sent = lines[1][len("  -> "):]
    assert sent.startswith(r"\x00\x01\x02") and sent.endswith("... (512 bytes)")
    assert len(sent) <= SHOWN_PAYLOAD + len("... (512 bytes)")
    assert lines[2] == "  <- " + "x" * SHOWN_LINE + "... (300 bytes)"


def test_finish_shows_what_was_held_back():
    assert _shown([("<", b"\r\nOK\r\n\xffhalf a li")]) == \
        ["  <- OK", r"  <- \xffhalf a li"]
    assert _shown([("<", b"\r\n+QIRD: 10,0\r\nabc")]) == \
        ["  <- +QIRD: 10,0", "  <- abc (3 bytes)"]


def test_quiet_prints_nothing():
    out = io.StringIO()
    t = Transcript(out=out, quiet=True)
    t(">", b"AT\r")
    t("<", b"\r\nOK\r\npartial")
    t.finish()
    assert out.getvalue() == ""


def test_the_cut_of_the_reads_does_not_matter():
    whole = _shown([("<", RECEIVED)])
    rnd = random.Random(7)
    for _ in range(200):
        cuts = sorted(rnd.sample(range(1, len(RECEIVED)), rnd.randint(1, 12)))
        pieces = [RECEIVED[a:b] for a, b in zip([0] + cuts, cuts + [len(RECEIVED)])]
        assert _shown([("<", p) for p in pieces]) == whole, pieces
