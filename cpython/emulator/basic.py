"""The basic and 3GPP commands a driver needs around the TCP/IP set:
AT, ATE, ATI, ATZ, AT+CMEE, +CPIN, +CEREG, +CGATT, +CGPADDR, +CFUN, +QRST,
+CSQ, +CCLK, identification, +QSCLK.
"""
import time

from .atparse import EXEC, READ, TEST, WRITE, BadParam, get_int, nargs

MANUFACTURER = b"Quectel_Ltd"
MODEL = b"Quectel_BC26"
REVISION = b"Revision: BC26NBR01A10"
IMEI = b"866425030000017"
IMSI = b"460001234567890"


def at(m, c):
    if c.form != EXEC:
        raise BadParam()
    m.ok()


def ate(m, c):
    # ATE and ATE0 switch echo off, ATE1 on; the reply itself is already
    # shaped by the old setting (the command was echoed as it came in).
    v = int(c.raw) if c.form == WRITE else 0
    if c.form not in (EXEC, WRITE) or v > 1:
        raise BadParam()
    m.echo = bool(v)
    m.ok()


def ati(m, c):
    if c.form == WRITE and c.raw != "0" or c.form not in (EXEC, WRITE):
        raise BadParam()
    m.ok([MANUFACTURER, MODEL, REVISION])


def atz(m, c):
    if c.form == WRITE and c.raw != "0" or c.form not in (EXEC, WRITE):
        raise BadParam()
    m.echo = True
    m.cmee = 0
    m.ok()


def _setting(m, c, name, attr, hi, test):
    """A plain 0..hi setting with read, write and test forms."""
    if c.form == TEST:
        return m.ok([test])
    if c.form == READ:
        return m.ok([b"%s: %d" % (name, getattr(m, attr))])
    if c.form != WRITE:
        raise BadParam()
    nargs(c.args, 1)
    setattr(m, attr, get_int(c.args, 0, 0, hi))
    m.ok()


def cmee(m, c):
    _setting(m, c, b"+CMEE", "cmee", 2, b"+CMEE: (0-2)")


def qsclk(m, c):
    _setting(m, c, b"+QSCLK", "sclk", 2, b"+QSCLK: (0-2)")


def cpin(m, c):
    if c.form == TEST:
        return m.ok()
    if c.form != READ:
        raise BadParam()
    m.ok([b"+CPIN: READY"])


def _reg_stat(m):
    if m.registered:
        return 1
    return 2 if m.cfun == 1 else 0


def cereg(m, c):
    if c.form == TEST:
        return m.ok([b"+CEREG: (0-5)"])
    if c.form == READ:
        return m.ok([b"+CEREG: %d,%d" % (m.cereg_n, _reg_stat(m))])
    if c.form != WRITE:
        raise BadParam()
    nargs(c.args, 1)
    m.cereg_n = get_int(c.args, 0, 0, 5)
    m.ok()


def cgatt(m, c):
    if c.form == TEST:
        return m.ok([b"+CGATT: (0,1)"])
    if c.form == READ:
        return m.ok([b"+CGATT: %d" % (1 if m.registered else 0)])
    if c.form != WRITE:
        raise BadParam()
    nargs(c.args, 1)
    if get_int(c.args, 0, 0, 1):
        m.ok()
        if m.cfun == 1 and not m.registered:
            m.later(m.cfg.ip_delay, m.register)
    else:
        m.ok()
        m.deregister()


def cgpaddr(m, c):
    if c.form == TEST:
        return m.ok([b"+CGPADDR: (1)"])
    if c.form == WRITE:
        nargs(c.args, 1)
        if get_int(c.args, 0, 1, 11) != 1:
            return m.ok()
    elif c.form != EXEC:
        raise BadParam()
    if not m.registered:
        return m.ok()
    m.ok([b"+CGPADDR: 1," + m.cfg.ip.encode()])


def cfun(m, c):
    if c.form == TEST:
        return m.ok([b"+CFUN: (0,1,4),(0,1)"])
    if c.form == READ:
        return m.ok([b"+CFUN: %d" % m.cfun])
    if c.form != WRITE:
        raise BadParam()
    nargs(c.args, 1, 2)
    fun = get_int(c.args, 0, 0, 4)
    rst = get_int(c.args, 1, 0, 1, default=0)
    if fun not in (0, 1, 4):
        raise BadParam()
    if rst:
        return m.ok(then=m.reboot)
    m.cfun = fun
    if fun == 1:
        m.ok()
        if not m.registered:
            m.later(m.cfg.ip_delay, m.register)
    else:
        m.ok(then=m.deregister)


def qrst(m, c):
    if c.form == TEST:
        return m.ok([b"+QRST: (1)"])
    if c.form != WRITE:
        raise BadParam()
    nargs(c.args, 1)
    get_int(c.args, 0, 1, 1)
    m.ok(then=m.reboot)


def _info(*lines):
    def handler(m, c):
        if c.form == TEST:
            return m.ok()
        if c.form != EXEC:
            raise BadParam()
        m.ok(list(lines))
    return handler


def cgsn(m, c):
    if c.form == TEST:
        return m.ok([b"+CGSN: (0-3)"])
    if c.form == EXEC:
        return m.ok([IMEI])
    nargs(c.args, 1)
    if get_int(c.args, 0, 0, 3) != 1:
        return m.ok([IMEI])
    m.ok([b"+CGSN: " + IMEI])


def csq(m, c):
    if c.form == TEST:
        return m.ok([b"+CSQ: (0-31,99),(0-7,99)"])
    if c.form != EXEC:
        raise BadParam()
    m.ok([b"+CSQ: 28,0" if m.registered else b"+CSQ: 99,99"])


def cclk(m, c):
    if c.form == TEST:
        return m.ok()
    if c.form != READ:
        raise BadParam()
    stamp = time.strftime("%y/%m/%d,%H:%M:%S", time.gmtime(m.now()))
    m.ok([b'+CCLK: "%s+00"' % stamp.encode()])


COMMANDS = {
    "": at, "E": ate, "I": ati, "Z": atz, "&F": atz,
    "+CMEE": cmee, "+CPIN": cpin, "+CEREG": cereg, "+CGATT": cgatt,
    "+CGPADDR": cgpaddr, "+CFUN": cfun, "+QRST": qrst, "+QSCLK": qsclk,
    "+CGMI": _info(MANUFACTURER), "+CGMM": _info(MODEL), "+CGMR": _info(REVISION),
    "+CIMI": _info(IMSI), "+CGSN": cgsn, "+CSQ": csq, "+CCLK": cclk,
}
