"""Socket commands of the manual: AT+QIOPEN, +QICLOSE, +QISTATE, +QISEND,
+QISENDEX, +QIRD, +QISWTMD, +QICFG, +QIGETERROR.

Decisions where the manual is silent (see docs/decisions.md and the package docs):
an id that is in use -> ERROR, <err> 563; a send, read or switch on an id
without a socket -> ERROR, <err> 567; after a failed open the id stays in
use (state 0) until AT+QICLOSE, as note 3 of 2.1.1 demands.
<protocol_type> 1 (IPv6) takes an IPv6 address literal; an address literal
of the other family -> ERROR 552; a domain name -> +QIOPEN: <id>,565 (the
emulator's DNS asks for A records only).
"""
import binascii

from bc26.errors import describe

from . import netops
from .atparse import (EXEC, READ, TEST, WRITE, BadParam, get_int, get_str,
                      is_ipv4, is_ipv6, nargs, split_args)
from .sockets import Service


def _service(m, cid, connected=False):
    svc = m.services.get(cid)
    if svc is None or (connected and svc.state != 2):
        raise BadParam(567)
    return svc


def _unquote(text):
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1]
    return text


def _unhex(text):
    try:
        return binascii.unhexlify(text)
    except (binascii.Error, ValueError):
        raise BadParam()


# -- AT+QIOPEN -----------------------------------------------------------------

def qiopen(m, c):
    if c.form == TEST:
        return m.ok([b'+QIOPEN: (1-3),(0-4),"TCP/UDP","<IP_address>/<domain_name>",'
                     b'<remote_port>,<local_port>,(0-1),(0-1)'])
    if c.form != WRITE:
        raise BadParam()
    a = c.args
    nargs(a, 5, 8)
    ctx = get_int(a, 0, 1, 3)
    cid = get_int(a, 1, 0, 4)
    kind = get_str(a, 2).upper()
    if kind not in ("TCP", "UDP"):
        raise BadParam()
    host = get_str(a, 3)
    rport = get_int(a, 4, 1, 65535)
    lport = get_int(a, 5, 0, 65535, default=0)
    access = get_int(a, 6, 0, 1, default=m.nv.access.get(cid, 0))
    proto = get_int(a, 7, 0, 1, default=0)
    if ctx != 1:
        raise BadParam(555)  # only context 1, as the notes say
    if is_ipv4(host) if proto == 1 else is_ipv6(host):
        raise BadParam()  # an address literal of the other protocol type
    if not m.registered:
        raise BadParam(561)
    if cid in m.services:
        raise BadParam(563)
    svc = Service(m, cid, kind, host, rport, lport, access)
    m.services[cid] = svc
    m.ok()
    m.spawn(_open_worker, m, svc, host, list(m.dns), proto)


def _open_worker(gen, m, svc, host, dns, proto):
    cfg = m.cfg
    try:
        if proto == 1:
            if not is_ipv6(host):
                raise netops.NetError(565)  # no AAAA lookups
            ips = [host]
        else:
            ips, _ = netops.resolve(host, dns, cfg.dns_port, cfg.dns_timeout,
                                    cfg.allow_any_address, m.cancel)
        netops.check_address(ips[0], cfg.allow_any_address, 566)
        sock = netops.open_socket(svc.kind, ips[0], svc.rport, svc.lport,
                                  cfg.connect_timeout, m.cancel)
    except netops.NetError as e:
        return m.post(gen, _opened, m, svc, None, e.code)
    except OSError:
        return m.post(gen, _opened, m, svc, None, 554)
    m.post(gen, _opened, m, svc, sock, 0)


def _opened(m, svc, sock, err):
    if m.services.get(svc.id) is not svc:  # closed while connecting
        if sock is not None:
            sock.close()
        return
    if err:
        svc.state = 0
        m.last_error = err
    else:
        svc.attach(sock)
    m.urc(b"+QIOPEN: %d,%d" % (svc.id, err))


# -- AT+QICLOSE ------------------------------------------------------------------

def qiclose(m, c):
    if c.form == TEST:
        return m.ok([b"+QICLOSE: (0-4)"])
    if c.form != WRITE:
        raise BadParam()
    nargs(c.args, 1)
    cid = get_int(c.args, 0, 0, 4)
    svc = m.services.get(cid)
    if svc is not None:
        svc.state = 3
        svc.close()
    delay = m.close_ok_delay
    if delay <= 0:
        m.services.pop(cid, None)
        return m.ok(then=b"CLOSE OK")
    # Some firmware (BC660K, BC260Y) sends CLOSE OK tens of ms after OK.
    m.ok()
    m.later(delay, _close_ok, m, cid, svc)


def _close_ok(m, cid, svc):
    if m.services.get(cid) is svc:
        m.services.pop(cid, None)
    m.urc(b"CLOSE OK")


# -- AT+QISTATE ---------------------------------------------------------------------

def qistate(m, c):
    if c.form == TEST:
        return m.ok()
    if c.form == READ:
        ids = sorted(m.services)
    elif c.form == WRITE:
        nargs(c.args, 2)
        qtype = get_int(c.args, 0, 0, 1)
        if qtype == 0:
            ids = sorted(m.services) if get_int(c.args, 1, 1, 3) == 1 else []
        else:
            cid = get_int(c.args, 1, 0, 4)
            ids = [cid] if cid in m.services else []
    else:
        raise BadParam()
    m.ok([m.services[i].state_line() for i in ids])


# -- AT+QISEND / AT+QISENDEX ----------------------------------------------------------

def qisend(m, c):
    if c.form == TEST:
        return m.ok([b"+QISEND: (0-4),(1-1024),<data>"])
    if c.form != WRITE:
        raise BadParam()
    a = split_args(c.raw, 2)
    cid = get_int(a, 0, 0, 4)
    hexmode = m.nv.send_hex
    if len(a) == 1:
        svc = _service(m, cid, connected=True)
        limit = 730 if hexmode else 1460
        return m.prompt(None, limit * 2 if hexmode else limit,
                        lambda data: _data_done(m, svc, data, limit, hexmode))
    n = get_int(a, 1, 0, 1460)
    if len(a) == 2:
        if n == 0:
            sent, acked, nacked = _service(m, cid).counters()
            return m.ok([b"+QISEND: %d,%d,%d" % (sent, acked, nacked)])
        if n > (730 if hexmode else 1460):
            raise BadParam()
        svc = _service(m, cid, connected=True)
        count = n * 2 if hexmode else n
        return m.prompt(count, count, lambda data: _data_done(m, svc, data, n, hexmode))
    if not 1 <= n <= (512 if hexmode else 1024):
        raise BadParam()
    text = _unquote(a[2].text)
    data = _unhex(text) if hexmode else text.encode("latin-1")
    if len(data) != n:
        raise BadParam()
    _send(m, _service(m, cid, connected=True), data)


def qisendex(m, c):
    if c.form == TEST:
        return m.ok([b"+QISENDEX: (0-4),(1-512),<hex_string>"])
    if c.form != WRITE:
        raise BadParam()
    nargs(c.args, 3)
    cid = get_int(c.args, 0, 0, 4)
    n = get_int(c.args, 1, 1, 512)
    data = _unhex(get_str(c.args, 2, maxlen=1024))
    if len(data) != n:
        raise BadParam()
    _send(m, _service(m, cid, connected=True), data)


def _send(m, svc, data):
    if m.send_fail:
        m.send_fail -= 1
        return m.ok(then=b"SEND FAIL", err=558)
    if svc.send(data):
        m.ok(then=b"SEND OK")
    else:
        m.ok(then=b"SEND FAIL", err=558)


def _data_done(m, svc, data, limit, hexmode):
    """The payload of a data-mode send (None: cancelled with ESC)."""
    if data is None:
        return m.ok(err=571)
    if hexmode:
        try:
            data = binascii.unhexlify(data)
        except (binascii.Error, ValueError):
            return m.fail(552)
    if not 1 <= len(data) <= limit:
        return m.fail(552)
    if m.services.get(svc.id) is not svc or svc.state != 2:
        return m.ok(then=b"SEND FAIL", err=567)
    _send(m, svc, data)


# -- AT+QIRD ----------------------------------------------------------------------------------

def qird(m, c):
    if c.form == TEST:
        return m.ok([b"+QIRD: (0-4),(1-512)"])
    if c.form != WRITE:
        raise BadParam()
    nargs(c.args, 2)
    cid = get_int(c.args, 0, 0, 4)
    n = get_int(c.args, 1, 1, 512)
    data, remaining = _service(m, cid).read(n)
    if not data:
        return m.ok([b"+QIRD: 0"])
    body = data.hex().upper().encode() if m.nv.recv_hex else data
    head = b"+QIRD: %d" % len(data)
    if m.nv.showlength:
        head += b",%d" % remaining
    if m.nv.viewmode:
        return m.ok([head + b"," + body])
    m.ok([head, body])


# -- AT+QISWTMD --------------------------------------------------------------------------------

def qiswtmd(m, c):
    if c.form == TEST:
        return m.ok([b"+QISWTMD: (0-4),(0-1)"])
    if c.form == READ:
        return m.ok()
    if c.form != WRITE:
        raise BadParam()
    nargs(c.args, 2)
    cid = get_int(c.args, 0, 0, 4)
    mode = get_int(c.args, 1, 0, 1)
    svc = _service(m, cid)
    m.nv.access[cid] = mode  # saved to NVRAM (manual 2.1.7 note 2)
    old, svc.access = svc.access, mode
    if old == 0 and mode == 1:
        return m.ok(then=svc.push_buffered)
    m.ok()


# -- AT+QICFG -------------------------------------------------------------------------------------

_ONE_VALUE = {"viewmode": "viewmode", "showlength": "showlength", "echomode": "echomode"}


def qicfg(m, c):
    if c.form == TEST:
        return m.ok([b'+QICFG: "dataformat",(0,1),(0,1)', b'+QICFG: "viewmode",(0,1)',
                     b'+QICFG: "showlength",(0,1)', b'+QICFG: "echomode",(0,1)'])
    if c.form != WRITE:
        raise BadParam()
    a = c.args
    name = get_str(a, 0).lower()
    nv = m.nv
    if name == "dataformat":
        if len(a) == 1:
            return m.ok([b'+QICFG: "dataformat",%d,%d' % (nv.send_hex, nv.recv_hex)])
        nargs(a, 3)
        nv.send_hex = get_int(a, 1, 0, 1)
        nv.recv_hex = get_int(a, 2, 0, 1)
        return m.ok()
    attr = _ONE_VALUE.get(name)
    if attr is None:
        raise BadParam()
    if len(a) == 1:
        return m.ok([b'+QICFG: "%s",%d' % (name.encode(), getattr(nv, attr))])
    nargs(a, 2)
    setattr(nv, attr, get_int(a, 1, 0, 1))
    m.ok()


# -- AT+QIGETERROR ----------------------------------------------------------------------------------

def qigeterror(m, c):
    if c.form == TEST:
        return m.ok()
    if c.form != EXEC:
        raise BadParam()
    code = m.last_error
    m.ok([b"+QIGETERROR: %d,%s" % (code, describe(code).encode())])


COMMANDS = {
    "+QIOPEN": qiopen, "+QICLOSE": qiclose, "+QISTATE": qistate,
    "+QISEND": qisend, "+QISENDEX": qisendex, "+QIRD": qird,
    "+QISWTMD": qiswtmd, "+QICFG": qicfg, "+QIGETERROR": qigeterror,
}
