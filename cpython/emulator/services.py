"""Network service commands: AT+QPING, +QNTP, +QIDNSGIP, +QIDNSCFG.

Each answers OK at once and reports later through URCs, from a worker
thread that does the real network operation.

AT+QPING: each request answers "+QPING: 0,<ip>,<bytes>,<time>,<ttl>" or,
lost, "+QPING: 569" (<result> is an <err> code, the fields that describe a
reply absent). The last line is "+QPING: 0,<sent>,<rcvd>,<lost>,<min>,
<max>,<avg>" when at least one reply came ("0 Ping successful"); with every
request lost the ping failed and it is the bare "+QPING: 569". IPv6 ping is
not supported (note 2): an IPv6 <host> is ERROR, <err> 555.
"""
import time

from . import netops
from .atparse import (TEST, WRITE, BadParam, get_int, get_str, is_ipv4,
                      is_ipv6, nargs)


def _context(m, args):
    if get_int(args, 0, 1, 3) != 1:
        raise BadParam(555)  # only context 1 is supported (notes)
    if not m.registered:
        raise BadParam(561)


def _resolve(m, host, dns):
    cfg = m.cfg
    return netops.resolve(host, dns, cfg.dns_port, cfg.dns_timeout,
                          cfg.allow_any_address, m.cancel)


def _fail(m, line, code):
    m.last_error = code
    m.urc(line)


# -- AT+QPING -------------------------------------------------------------------

def qping(m, c):
    if c.form == TEST:
        return m.ok([b'+QPING: (1-3),"<host>"[,(1-255)][,(1-10)][,(32-200)]'])
    if c.form != WRITE:
        raise BadParam()
    a = c.args
    nargs(a, 2, 5)
    host = get_str(a, 1)
    timeout = get_int(a, 2, 1, 255, default=4)
    count = get_int(a, 3, 1, 10, default=4)
    size = get_int(a, 4, 32, 200, default=32)
    _context(m, a)
    if is_ipv6(host):
        raise BadParam(555)  # "Currently IPv6 ping is not supported."
    # the lose_pings fault: the first `lost` requests of this ping
    lost = min(count, m.ping_loss)
    m.ping_loss -= lost
    m.ok()
    m.spawn(_ping_worker, m, host, timeout, count, size, list(m.dns), lost)


def _ping_worker(gen, m, host, timeout, count, size, dns, lost=0):
    try:
        ip = _resolve(m, host, dns)[0][0]
    except netops.NetError as e:
        return m.post(gen, _fail, m, b"+QPING: %d" % e.code, e.code)
    # Outside loopback (without allow_any) behaves as an unreachable host,
    # minus the waiting: every request is lost.
    blocked = not m.cfg.allow_any_address and not netops.is_loopback(ip)
    pinger = None
    if not blocked:
        try:
            pinger = netops.Pinger()
        except OSError:
            return m.post(gen, _fail, m, b"+QPING: 550", 550)
    rtts = []
    try:
        for seq in range(1, count + 1):
            if m.cancel.is_set():
                return
            got = None if blocked else pinger.ping(ip, seq, size, timeout, m.cancel,
                                                   discard=seq <= lost)
            if got is None:
                m.post(gen, _fail, m, b"+QPING: 569", 569)
            else:
                rtts.append(got[0])
                m.post(gen, m.urc, b'+QPING: 0,"%s",%d,%d,%d' % (ip.encode(), size, got[0], got[1]))
            if seq < count and m.cfg.ping_interval:
                m.cancel.wait(m.cfg.ping_interval)
    finally:
        if pinger:
            pinger.close()
    if not rtts:
        return m.post(gen, _fail, m, b"+QPING: 569", 569)  # all lost: no summary
    stats = (min(rtts), max(rtts), int(round(sum(rtts) / len(rtts))))
    m.post(gen, m.urc, b"+QPING: 0,%d,%d,%d,%d,%d,%d" % (
        (count, len(rtts), count - len(rtts)) + stats))


# -- AT+QNTP ---------------------------------------------------------------------------

def qntp(m, c):
    if c.form == TEST:
        return m.ok([b'+QNTP: (1-3),"<server>"[,<port>[,(0,1)]]'])
    if c.form != WRITE:
        raise BadParam()
    a = c.args
    nargs(a, 2, 4)
    server = get_str(a, 1)
    port = get_int(a, 2, 1, 65535, default=123)
    autoset = get_int(a, 3, 0, 1, default=0)
    _context(m, a)
    if port == 123:
        port = m.cfg.ntp_port  # a test aid: an SNTP server on a high port
    m.ok()
    m.spawn(_ntp_worker, m, server, port, autoset, list(m.dns))


def _ntp_worker(gen, m, server, port, autoset, dns):
    try:
        ip = _resolve(m, server, dns)[0][0]
        netops.check_address(ip, m.cfg.allow_any_address, 569)
        t = netops.sntp(ip, port, m.cfg.ntp_timeout, m.cancel)
    except netops.NetError as e:
        return m.post(gen, _fail, m, b"+QNTP: %d" % e.code, e.code)
    except OSError:
        return m.post(gen, _fail, m, b"+QNTP: 569", 569)
    m.post(gen, _ntp_done, m, t, autoset)


def _ntp_done(m, t, autoset):
    if autoset:
        m.clock_offset = t - time.time()
    stamp = time.strftime("%y/%m/%d,%H:%M:%S", time.gmtime(t))
    m.urc(b'+QNTP: 0,"%s+00"' % stamp.encode())


# -- AT+QIDNSGIP ------------------------------------------------------------------------

def qidnsgip(m, c):
    if c.form == TEST:
        return m.ok([b'+QIDNSGIP: (1-3),"<hostname>"'])
    if c.form != WRITE:
        raise BadParam()
    nargs(c.args, 2)
    host = get_str(c.args, 1)
    _context(m, c.args)
    m.ok()
    m.spawn(_dns_worker, m, host, list(m.dns))


def _dns_worker(gen, m, host, dns):
    try:
        ips, ttl = _resolve(m, host, dns)
    except netops.NetError as e:
        return m.post(gen, _fail, m, b'+QIURC: "dnsgip",%d' % e.code, e.code)
    m.post(gen, _dns_done, m, ips, ttl)


def _dns_done(m, ips, ttl):
    m.urc(b'+QIURC: "dnsgip",0,%d,%d' % (len(ips), ttl))
    for ip in ips:
        m.urc(b'+QIURC: "dnsgip","%s"' % ip.encode())


# -- AT+QIDNSCFG ---------------------------------------------------------------------------

def qidnscfg(m, c):
    if c.form == TEST:
        return m.ok([b"+QIDNSCFG: (1-3),<pridnsaddr>,<secdnsaddr>"])
    if c.form != WRITE:
        raise BadParam()
    a = c.args
    nargs(a, 1, 3)
    if get_int(a, 0, 1, 3) != 1:
        raise BadParam(555)
    if len(a) == 1:
        if not m.dns:
            return m.ok()
        return m.ok([b"+QIDNSCFG: 1," + b",".join(b'"%s"' % s.encode() for s in m.dns)])
    servers = [get_str(a, i) for i in range(1, len(a))]
    for s in servers:
        if not is_ipv4(s):
            raise BadParam()
    m.dns = servers
    m.ok()


COMMANDS = {"+QPING": qping, "+QNTP": qntp, "+QIDNSGIP": qidnsgip, "+QIDNSCFG": qidnscfg}
