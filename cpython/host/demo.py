"""`bc26 demo`: a whole session -- start, DNS, ping, NTP, TCP and UDP round
trips, socket states, close -- with the AT exchange shown as it happens.

Without --port it starts a private emulator and loopback servers (TCP and
UDP echo, DNS, SNTP), so it runs anywhere; with --port it talks to a real
module and uses public hosts given by the options.
"""

import sys
import time

import bc26


class Transcript:
    """Prints the AT exchange line by line; payloads as one entry each, a
    summary when they are not plain text (a payload is never split at the
    line ends it holds, nor joined to the line written next)."""

    def __init__(self, out=sys.stdout, quiet=False):
        self.out = out
        self.quiet = quiet
        self._partial = b""   # received bytes not shown yet
        self._left = 0        # payload bytes of an AT+QIRD still to come
        self._payload = b""
        self._eol = False     # the header's CR LF comes before the payload

    def __call__(self, direction, data):
        if self.quiet:
            return
        if direction == ">":
            if data.endswith(b"\r"):
                self._entry(">", data[:-1])
            else:  # no command line: a data-mode payload
                self._entry(">", data, payload=True)
        else:
            self._received(data)
        self.out.flush()

    def _entry(self, direction, line, payload=False):
        self.out.write("  %s %s\n" % ("->" if direction == ">" else "<-",
                                      _show(line, always_summary=payload)))

    def _received(self, data):
        buf = self._partial + data
        while buf:
            if self._eol:
                if buf[:1] == b"\r" and len(buf) < 2:
                    break  # the LF may come with the next read
                if buf[:2] == b"\r\n":
                    buf = buf[2:]
                self._eol = False
            elif self._left:
                take = buf[:self._left]
                buf = buf[len(take):]
                self._payload += take
                self._left -= len(take)
                if not self._left:
                    self._entry("<", self._payload, payload=True)
                    self._payload = b""
            elif buf[:1] in (b"\r", b"\n"):
                buf = buf[1:]
            elif buf.startswith(b"> "):
                self._entry("<", b"> ")
                buf = buf[2:]
            else:
                ends = [i for i in (buf.find(b"\r"), buf.find(b"\n")) if i >= 0]
                if not ends:
                    break  # the rest of the line is still on its way
                line, buf = buf[:min(ends)], buf[min(ends):]
                self._entry("<", line)
                self._left = _read_length(line)
                self._eol = self._left > 0
        self._partial = buf


def _read_length(line):
    """The payload length an '+QIRD: <n>[,...]' line announces, else 0."""
    if not line.startswith(b"+QIRD: "):
        return 0
    n = line[7:].split(b",")[0]
    return int(n) if n.isdigit() else 0


def _show(line, always_summary=False):
    if always_summary or len(line) > 72 or any(b < 32 or b > 126 for b in line):
        # printable ASCII as it is, every other byte a dot (boot output
        # holds bytes that are no text at all)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in line[:40])
        return "%s%s (%d bytes)" % (text, "..." if len(line) > 40 else "",
                                    len(line))
    return line.decode()


def step(title):
    print("\n== %s" % title)


def session(modem, tcp_addr, udp_addr, dns_host, ping_host, ntp_host,
            dns_server=None):
    step("start: synchronise, echo off, SIM, registration")
    print("IP address:", modem.start(timeout=90))
    if dns_server:
        step("DNS server (AT+QIDNSCFG)")
        modem.set_dns(dns_server)
        print("DNS servers:", modem.get_dns())
    step("resolve %s (AT+QIDNSGIP)" % dns_host)
    print("addresses:", modem.resolve(dns_host))
    step("ping %s (AT+QPING)" % ping_host)
    print(modem.ping(ping_host, timeout=2, count=3))
    step("time from %s (AT+QNTP)" % ntp_host)
    print("UTC (Y, M, D, h, m, s, zone in quarter hours):", modem.ntp(ntp_host))

    pool = bc26.SocketPool(modem)
    step("TCP round trip to %s:%d" % tcp_addr)
    payload = bytes(range(256)) + b"\r\nOK\r\n"
    with pool.socket(pool.AF_INET, pool.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(tcp_addr)
        s.sendall(payload)
        got = b""
        while len(got) < len(payload):
            got += s.recv(1024)
        print("echoed %d bytes intact: %s" % (len(got), got == payload))
        print("sockets:", modem.sockets())
        print("sent, acked, unacked:", s.pending())
    step("UDP round trip to %s:%d" % udp_addr)
    with pool.socket(pool.AF_INET, pool.SOCK_DGRAM) as u:
        u.settimeout(10)
        u.sendto(b"hello over NB-IoT", udp_addr)
        print("reply:", u.recvfrom(64))
    step("last error (AT+QIGETERROR)")
    print(modem.last_error())


def run_emulated(baud, quiet):
    from bc26.emulator import Emulator
    from bc26.emulator.servers import (DNSServer, SNTPServer, TCPEchoServer,
                                       UDPEchoServer)
    with TCPEchoServer() as tcp, UDPEchoServer() as udp, \
            DNSServer({"echo.bc26.test": ["127.0.0.1"]}) as dns, \
            SNTPServer() as ntp, \
            Emulator(pty=True, baud=baud, boot_delay=0.3, ip_delay=0.3,
                     dns_port=dns.port, ntp_port=ntp.port) as emu:
        print("emulated BC26 on %s (%s baud), loopback servers: TCP echo :%d, "
              "UDP echo :%d, DNS :%d, SNTP :%d" % (emu.url, baud or "unpaced",
                                                  tcp.port, udp.port, dns.port,
                                                  ntp.port))
        modem = bc26.Modem.open(emu.url, baudrate=baud or 115200,
                                log=Transcript(quiet=quiet))
        try:
            session(modem, ("127.0.0.1", tcp.port), ("127.0.0.1", udp.port),
                    "echo.bc26.test", "127.0.0.1", "127.0.0.1",
                    dns_server="127.0.0.1")
        finally:
            modem.close()


def main(args):
    start = time.monotonic()
    print("bc26 %s, tokenizer: %s" % (bc26.__version__, bc26.IMPLEMENTATION))
    if args.port:
        modem = bc26.Modem.open(args.port, baudrate=args.baud or 115200,
                                log=Transcript(quiet=args.quiet))
        try:
            session(modem, (args.tcp_host, args.tcp_port),
                    (args.udp_host, args.udp_port), args.dns_host,
                    args.ping_host, args.ntp_host)
        finally:
            modem.close()
    else:
        run_emulated(args.baud, args.quiet)
    print("\ndemo finished in %.1f s" % (time.monotonic() - start))
    return 0


def add_arguments(p):
    p.add_argument("--port", help="pyserial URL of a real module "
                   "(default: a private emulator)")
    p.add_argument("--baud", type=int, default=115200,
                   help="UART baud rate (emulator: pacing, 0 = unpaced)")
    p.add_argument("--quiet", action="store_true", help="hide the AT exchange")
    p.add_argument("--tcp-host", default="tcpbin.com")
    p.add_argument("--tcp-port", type=int, default=4242)
    p.add_argument("--udp-host", default="tcpbin.com")
    p.add_argument("--udp-port", type=int, default=4242)
    p.add_argument("--dns-host", default="example.com")
    p.add_argument("--ping-host", default="example.com")
    p.add_argument("--ntp-host", default="pool.ntp.org")
