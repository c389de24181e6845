"""What send() takes as data, checked before any byte goes out
(bc26.datapath.data_length): the same answer on CPython and MicroPython,
where memoryview() of a str gives its UTF-8 bytes instead of refusing it.
Plain functions and assert: runs under pytest and on MicroPython."""

from bc26.datapath import data_length

from portable_support import raises


def test_bytes_like_data_is_counted_in_bytes():
    assert data_length(b"abc", False) == 3
    assert data_length(bytearray(5), False) == 5
    assert data_length(memoryview(b"abcdef")[1:4], False) == 3


def test_a_str_is_refused_short_or_long():
    # short: it would go as one AT+QISENDEX line; long: after the prompt
    for text in ("text", "x" * 30 + "\u00e9"):
        e = raises(TypeError, data_length, text, False)
        assert "str" in str(e), str(e)


def test_no_buffer_is_refused():
    raises(TypeError, data_length, 12, False)
    raises(TypeError, data_length, None, False)
