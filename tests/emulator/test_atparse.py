"""The emulator's own command-line parser."""
import pytest

from bc26.emulator.atparse import (EXEC, READ, TEST, WRITE, BadCommand, BadParam,
                                   get_int, get_str, is_ipv4, parse, split_args)


@pytest.mark.parametrize("line,name,form,raw", [
    (b"AT", "", EXEC, None),
    (b"at", "", EXEC, None),
    (b"ATE0", "E", WRITE, "0"),
    (b"ATI", "I", EXEC, None),
    (b"AT&F", "&F", EXEC, None),
    (b"AT+QIOPEN=?", "+QIOPEN", TEST, None),
    (b"AT+QISTATE?", "+QISTATE", READ, None),
    (b"AT+QIGETERROR", "+QIGETERROR", EXEC, None),
    (b'at+qicfg="viewmode",1', "+QICFG", WRITE, '"viewmode",1'),
])
def test_forms(line, name, form, raw):
    c = parse(line)
    assert (c.name, c.form, c.raw) == (name, form, raw)


@pytest.mark.parametrize("line", [b"", b"A", b"XYZ", b"AT+", b"AT+QIRD?x", b"ATE0x", b"AT1"])
def test_not_commands(line):
    with pytest.raises(BadCommand):
        parse(line)


def test_split_args_quotes_and_commas():
    args = split_args('1,0,"TCP","a,b",80')
    assert [(a.text, a.quoted) for a in args] == [
        ("1", False), ("0", False), ("TCP", True), ("a,b", True), ("80", False)]
    assert [a.text for a in split_args("0,5,a,b,c", 2)] == ["0", "5", "a,b,c"]
    assert split_args('0,12,"0123"', 2)[2].text == '"0123"'  # raw remainder
    assert [a.text for a in split_args("1,")] == ["1", ""]
    for bad in ('"open', '"a"b', 'a"b'):
        with pytest.raises(BadParam):
            split_args(bad)


def test_get_int_and_str():
    args = split_args('5,"x",,007')
    assert get_int(args, 0, 0, 9) == 5
    assert get_int(args, 9, 0, 9, default=4) == 4
    assert get_int(args, 3, 0, 9) == 7
    assert get_str(args, 1) == "x"
    for i, lo, hi in ((0, 6, 9), (1, 0, 9), (2, 0, 9), (9, 0, 9)):
        with pytest.raises(BadParam):
            get_int(args, i, lo, hi)
    with pytest.raises(BadParam):
        get_str(args, 2)
    assert BadParam(563).code == 563


def test_is_ipv4():
    assert is_ipv4("127.0.0.1") and is_ipv4("255.255.255.255")
    assert not any(map(is_ipv4, ["256.0.0.1", "1.2.3", "a.b.c.d", "1.2.3.4.5", ""]))
