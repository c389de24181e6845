"""start(): bringing the module up, loaded for the call and (on a board)
dropped after it -- it runs once per power-up, and its code would
otherwise stay in RAM for nothing.

The command lines are constants here: commands.ate(0), commands.cmee(1)
... make the same bytes (tests/portable/test_command_bytes.py holds them
equal), but their encoders then need not be loaded for start().
"""

from .command import Command, DONE
from .checks import _seconds
from .errors import NotReady, ETIMEDOUT

AT = b"AT\r"
ECHO_OFF = b"ATE0\r"
NUMERIC_ERRORS = b"AT+CMEE=1\r"
SIM_QUERY = b"AT+CPIN?\r"
IP_QUERY = b"AT+CGPADDR=1\r"
# QICFG layouts persist in NVRAM: set the ones the driver reads by
SYNC_CONFIG = (b'AT+QICFG="dataformat",0,0\r', b'AT+QICFG="viewmode",0\r',
               b'AT+QICFG="showlength",1\r')
# echomode exists only from BC26NxR01A07 on: older firmware says ERROR
ECHOMODE_OFF = b'AT+QICFG="echomode",0\r'


def start(modem, timeout=90, power=None):
    """Generator: synchronise, echo off, numeric errors, SIM, settings,
    registration; returns the IP address.  power: a bc26.power.Power (or
    anything with on()) to switch the module on with when the first AT
    goes unanswered.  A new session: the unclaimed
    URCs so far (before and during the bring-up) are discarded, poll()
    shows what comes after it."""
    _seconds("timeout", timeout)
    proto = modem.proto
    end = modem.now_ms() + int(timeout * 1000)
    modem.ip = None  # from here on an RDY is part of the bring-up
    if modem._desync or modem._probes:  # (not set: the class defaults)
        modem._desync = False
        modem._probes = 0
    if proto.wire is not None:
        proto.abandon()
    heard = modem._rx_total  # bytes from the module so far
    while True:  # AT until OK, through boot junk and echo
        cmd = Command(AT, reply_ms=500)
        modem._write(proto.submit(cmd, modem.now_ms()))
        yield from modem._finish(cmd)
        if cmd.status == DONE:
            break
        if power is not None and modem._rx_total == heard:
            # not a byte back: switched off, it seems -- press PWRKEY, once
            # (a press would switch a module that is on, or booting and
            # talking, off again)
            power.on()
            power = None
        if modem.now_ms() >= end:
            raise NotReady(ETIMEDOUT, "no answer from the module")
    # an AT that timed out may be answered late: if one did, the next
    # command resynchronises first (Operations._resync)
    yield from modem._cmd(ECHO_OFF)
    yield from modem._cmd(NUMERIC_ERRORS)
    cmd = yield from modem._cmd(SIM_QUERY, raise_error=False)
    text = cmd.lines[-1].text if cmd.lines else ""
    if cmd.status != DONE or "READY" not in text:
        raise NotReady(19, "SIM not ready: %s" % (text or cmd.error))
    for wire in SYNC_CONFIG:
        yield from modem._cmd(wire)
    yield from modem._cmd(ECHOMODE_OFF, raise_error=False)
    while proto.ip is None:
        yield from modem._cmd(IP_QUERY, raise_error=False)
        if proto.ip:
            break
        if modem.now_ms() >= end:
            raise NotReady(ETIMEDOUT, "not registered to the network")
        # up to a second for the +IP: URC before asking again
        deadline = modem.now_ms() + 1000
        modem._step()
        while proto.ip is None and modem.now_ms() < deadline:
            yield deadline
            modem._step()
    modem._look_at_urcs()  # all seen: RDY and junk of the bring-up
    # A new session: the unclaimed URCs so far -- the module's previous
    # life and its bring-up (boot junk, RDY, +CPIN, +IP), all acted on --
    # are not kept for poll(), where they would hold RAM for nothing.
    proto.urcs.clear()
    # back to the class defaults, setting only what differs (an instance
    # attribute is a table entry: RAM on a board)
    if modem._last_urc is not None:
        modem._last_urc = None
    if modem._urcs_tail is not None:
        modem._urcs_tail = None
    if modem._urcs_len:
        modem._urcs_len = 0
    modem.ip = proto.ip
    return modem.ip
