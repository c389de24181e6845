"""bc26.errors: the manual's <err> table (chapter 3) and the exceptions.
Plain functions and assert: runs under pytest and on MicroPython."""

import bc26
from bc26 import errors
from bc26.errors import ERRORS, ModemError, ProtocolError, describe

from portable_support import raises

# Chapter 3 of the manual, as printed there.
MANUAL = (
    (0, "Operation successful"),
    (550, "Unknown error"),
    (551, "Operation blocked"),
    (552, "Invalid parameters"),
    (553, "Memory not enough"),
    (554, "Create socket failed"),
    (555, "Operation not supported"),
    (556, "Socket bind failed"),
    (557, "Socket listen failed"),
    (558, "Socket write failed"),
    (559, "Socket read failed"),
    (560, "Socket accept failed"),
    (561, "Open PDP context failed"),
    (562, "Close PDP context failed"),
    (563, "Socket identity has been used"),
    (564, "DNS busy"),
    (565, "DNS parse failed"),
    (566, "Socket connection failed"),
    (567, "Socket has been closed"),
    (568, "Operation busy"),
    (569, "Operation timeout"),
    (570, "PDP context broken down"),
    (571, "Cancel send"),
    (572, "Operation not allowed"),
    (573, "APN not configured"),
    (574, "Port busy"),
)


def test_table_covers_550_to_574():
    codes = sorted(ERRORS.keys())
    assert codes == [0] + list(range(550, 575)), codes


def test_table_matches_manual():
    for code, text in MANUAL:
        # AT+QIGETERROR prints the descriptions in lower case (example 4.6).
        assert ERRORS[code] == text.lower(), (code, ERRORS[code])


def test_describe_known_and_unknown():
    assert describe(552) == "invalid parameters"
    assert describe(574) == "port busy"
    assert describe(999) == "error 999"


def test_package_exports():
    assert bc26.ModemError is ModemError
    assert bc26.ProtocolError is ProtocolError
    assert bc26.ERRORS is errors.ERRORS


def test_modem_error_is_oserror():
    e = ModemError(566)
    assert isinstance(e, OSError)
    assert e.code == 566
    assert e.text == "socket connection failed"
    assert e.args == (566, "socket connection failed")
    assert str(e) == "[566] socket connection failed"


def test_modem_error_errno():
    # OSError's errno comes from the first argument on both implementations.
    assert ModemError(569).errno == 569


def test_modem_error_custom_text():
    e = ModemError(552, "bad things")
    assert e.code == 552
    assert e.text == "bad things"
    assert str(e) == "[552] bad things"


def test_modem_error_unknown_code():
    e = ModemError(1234)
    assert e.text == "error 1234"
    assert str(e) == "[1234] error 1234"


def test_plain_error_is_negative():
    e = ModemError(-1)
    assert e.code == -1
    assert e.text == "ERROR"
    assert str(e) == "ERROR"


def test_raise_and_catch_as_oserror():
    def fail():
        raise ModemError(563)

    e = raises(OSError, fail)
    assert isinstance(e, ModemError)
    assert e.code == 563
    assert "socket identity has been used" in str(e)


def test_protocol_error_is_not_oserror():
    e = ProtocolError("garbage")
    assert isinstance(e, Exception)
    assert not isinstance(e, OSError)
    assert raises(ProtocolError, _raise, e) is e


def test_raises_helper_reports_missing_exception():
    e = raises(AssertionError, raises, ValueError, _nothing)
    assert "ValueError" in str(e)


def test_raises_helper_lets_other_exceptions_through():
    e = raises(KeyError, raises, ValueError, _raise, KeyError("k"))
    assert isinstance(e, KeyError)


def _raise(e):
    raise e


def _nothing():
    return None
