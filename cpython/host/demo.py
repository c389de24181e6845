"""`bc26 demo`: a whole session -- start, DNS, ping, NTP, TCP and UDP round
trips, socket states, close -- with the AT exchange shown as it happens.

Without --port it starts a private emulator; with --port it talks to the
module on that pyserial URL (a real one, or `bc26 emulate --listen`).
Every target is an option, and the defaults are on loopback, so the demo
runs against any emulator as it is: a port of 0 has the demo start its own
loopback server for that target (TCP and UDP echo, SNTP), and without
--port and --dns-server it also serves the private emulator's DNS.  A real
module needs targets it can reach (see the epilog of `bc26 demo --help`).

A failure ends the demo with one line on stderr, `bc26 demo: error: ...`,
and exit status 1.
"""

import argparse
import contextlib
import re
import sys
import time

import bc26


# -- the transcript ------------------------------------------------------------

# characters of an entry's text shown; the rest is cut
SHOWN_PAYLOAD = 64
SHOWN_LINE = 160

_ESCAPES = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r", 0x5C: "\\\\"}
# AT+QISEND=<id>[,<length>] (<length> 0 asks the counters: no payload)
_QISEND_DATA_MODE = re.compile(rb"AT\+QISEND=\d+(,0*[1-9]\d*)?\r\Z", re.IGNORECASE)
_FAILED = (b"ERROR", b"+CME ERROR:")


def _escaped(b):
    if 32 <= b < 127 and b != 0x5C:
        return chr(b)
    return _ESCAPES.get(b) or "\\x%02x" % b


def escape(data):
    """bytes -> text: printable ASCII as it is, a backslash doubled, CR, LF
    and TAB as \\r \\n \\t, every other byte as \\xNN."""
    return "".join(_escaped(b) for b in data)


def _show(data, payload=False):
    """An entry's text: escaped, cut after SHOWN_PAYLOAD / SHOWN_LINE
    characters (never inside an escape); a payload, and a line that was
    cut, says its length."""
    limit = SHOWN_PAYLOAD if payload else SHOWN_LINE
    pieces = []
    used = 0
    for b in data:
        piece = _escaped(b)
        if used + len(piece) > limit:
            break
        pieces.append(piece)
        used += len(piece)
    text = "".join(pieces)
    cut = len(pieces) < len(data)
    if cut:
        text += "..."
    if payload or cut:
        text += " (%d bytes)" % len(data)
    return text


class Transcript:
    """Prints the AT exchange, one entry a line: `-> ` a command line (its
    CR not shown) or a payload written, `<- ` a line received (its line end
    not shown), the '> ' prompt or a payload read.  Bytes that are not
    printable ASCII are escaped (see escape()); a payload says its length
    and is never split at the line ends it holds nor joined to a line
    around it.  How the reads were cut does not change what is printed.

    A write is a payload when it follows a data-mode AT+QISEND (unless the
    module refused it first) or is not a command line; a read payload is
    the one an AT+QIRD reply announces by its length."""

    def __init__(self, out=None, quiet=False):
        self.out = out if out is not None else sys.stdout
        self.quiet = quiet
        self._partial = b""   # received bytes not shown yet
        self._left = 0        # payload bytes of an AT+QIRD still to come
        self._payload = b""
        self._eol = False     # the header's CR LF comes before the payload
        self._send = False    # a data-mode AT+QISEND awaits its payload

    def __call__(self, direction, data):
        if self.quiet:
            return
        data = bytes(data)
        if direction == ">":
            self._written(data)
        else:
            self._received(data)
        self.out.flush()

    def finish(self):
        """Show what is held back still: a line without its end, a payload
        cut short (the session ended or failed in the middle)."""
        if self.quiet:
            return
        if self._payload or self._left:
            self._entry("<", self._payload, payload=True)
        if self._partial:
            self._entry("<", self._partial)
        self._partial = self._payload = b""
        self._left = 0
        self._eol = False
        self.out.flush()

    def _entry(self, direction, data, payload=False):
        self.out.write("  %s %s\n" % ("->" if direction == ">" else "<-",
                                      _show(data, payload)))

    def _written(self, data):
        is_line = (data.endswith(b"\r") and b"\r" not in data[:-1]
                   and b"\n" not in data)
        if self._send or not is_line:
            self._send = False
            self._entry(">", data, payload=True)
        else:
            self._entry(">", data[:-1])
            self._send = bool(_QISEND_DATA_MODE.match(data))

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
                if line.startswith(_FAILED):
                    self._send = False  # no payload goes after a refusal
                self._left = _read_length(line)
                self._eol = self._left > 0
        self._partial = buf


def _read_length(line):
    """The payload length an '+QIRD: <n>[,...]' line announces, else 0."""
    if not line.startswith(b"+QIRD: "):
        return 0
    n = line[7:].split(b",")[0]
    return int(n) if n.isdigit() else 0


# -- the session ------------------------------------------------------------------

class DemoError(Exception):
    """A failure of the demo: str() is the reason, shown on one line."""


class Steps:
    """Prints each step's title and remembers it, to say where a failure
    happened."""

    def __init__(self):
        self.current = None

    def __call__(self, title, detail=None):
        self.current = title
        print("\n== %s" % (title if detail is None else
                            "%s: %s" % (title, detail)))


def session(modem, targets, step, timeout=90):
    """The demo's session; targets: tcp and udp (host, port), dns_host,
    dns_server (None: the module's own), ping_host, ntp_host, ntp_port
    (None: the module's default, 123)."""
    step("start", "synchronise, echo off, SIM, registration")
    print("IP address:", modem.start(timeout=timeout))
    if targets.dns_server:
        step("DNS server %s (AT+QIDNSCFG)" % targets.dns_server)
        modem.set_dns(targets.dns_server)
        print("DNS servers:", modem.get_dns())
    step("resolve %s (AT+QIDNSGIP)" % targets.dns_host)
    print("addresses:", modem.resolve(targets.dns_host))
    step("ping %s (AT+QPING)" % targets.ping_host)
    print(modem.ping(targets.ping_host, timeout=2, count=3))
    ntp = targets.ntp_host if targets.ntp_port is None else \
        "%s:%d" % (targets.ntp_host, targets.ntp_port)
    step("time from %s (AT+QNTP)" % ntp)
    print("UTC (Y, M, D, h, m, s, zone in quarter hours):",
          modem.ntp(targets.ntp_host, port=targets.ntp_port))

    pool = bc26.SocketPool(modem)
    step("TCP round trip to %s:%d" % targets.tcp)
    payload = bytes(range(256)) + b"\r\nOK\r\n"
    with pool.socket(pool.AF_INET, pool.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(targets.tcp)
        s.sendall(payload)
        got = b""
        while len(got) < len(payload):
            chunk = s.recv(1024)
            if not chunk:
                raise DemoError("the TCP peer closed after %d of %d bytes"
                                % (len(got), len(payload)))
            got += chunk
        print("echoed %d bytes intact: %s" % (len(got), got == payload))
        if got != payload:
            raise DemoError("the TCP echo came back changed")
        print("sockets:", modem.sockets())
        print("sent, acked, unacked:", s.pending())
    step("UDP round trip to %s:%d" % targets.udp)
    with pool.socket(pool.AF_INET, pool.SOCK_DGRAM) as u:
        u.settimeout(10)
        u.sendto(b"hello over NB-IoT", targets.udp)
        print("reply:", u.recvfrom(64))
    step("last error (AT+QIGETERROR)")
    print(modem.last_error())


def _targets(args):
    return argparse.Namespace(
        tcp=(args.tcp_host, args.tcp_port), udp=(args.udp_host, args.udp_port),
        dns_host=args.dns_host, dns_server=args.dns_server,
        ping_host=args.ping_host, ntp_host=args.ntp_host,
        ntp_port=None if args.ntp_port == 123 else args.ntp_port)


def _own_servers(stack, args, targets):
    """Start a loopback server for each target whose port is 0 (and, for
    the private emulator without --dns-server, its DNS); returns what was
    started, for the header line."""
    from bc26.emulator.servers import (DNSServer, SNTPServer, TCPEchoServer,
                                       UDPEchoServer)

    started = []

    def serve(what, cls, *a, host="127.0.0.1"):
        try:
            server = stack.enter_context(cls(*a, host=host))
        except OSError as e:
            raise DemoError("cannot start the %s server on %s: %s"
                            % (what, host, _reason(e)))
        started.append("%s %s:%d" % ((what,) + tuple(server.address)))
        return server

    if args.tcp_port == 0:
        targets.tcp = (args.tcp_host,
                       serve("TCP echo", TCPEchoServer, host=args.tcp_host).port)
    if args.udp_port == 0:
        targets.udp = (args.udp_host,
                       serve("UDP echo", UDPEchoServer, host=args.udp_host).port)
    if args.ntp_port == 0:
        targets.ntp_port = serve("SNTP", SNTPServer, host=args.ntp_host).port
    dns = None
    if not args.port and not args.dns_server:
        dns = serve("DNS", DNSServer, {"localhost": ["127.0.0.1"]})
        targets.dns_server = dns.address[0]
    return started, dns


def _reason(e):
    """An exception as the reason of a one-line failure."""
    if isinstance(e, (DemoError, bc26.ModemError)):
        return str(e)
    if isinstance(e, OSError) and e.strerror and e.errno is not None:
        return e.strerror  # not "[Errno 110] ..."
    text = str(e)
    if isinstance(e, (OSError, ValueError)):
        return text or type(e).__name__
    return "%s: %s" % (type(e).__name__, text) if text else type(e).__name__


def _run(args, transcript, step):
    targets = _targets(args)
    with contextlib.ExitStack() as stack:
        started, dns = _own_servers(stack, args, targets)
        if args.port:
            url, baud = args.port, args.baud or 115200
            where = "BC26 on %s (%d baud)" % (url, baud)
        else:
            from bc26.emulator import Emulator
            emu = stack.enter_context(Emulator(
                pty=True, baud=args.baud, boot_delay=0.3, ip_delay=0.3,
                dns_port=dns.port if dns else 53))
            url, baud = emu.url, args.baud or 115200
            where = "emulated BC26 on %s (%s baud)" % (
                url, args.baud or "unpaced")
        print(where + (", loopback servers: " + ", ".join(started)
                       if started else ""))
        try:
            modem = bc26.Modem.open(url, baudrate=baud, log=transcript)
        except (OSError, ValueError) as e:
            reason = _reason(e)
            raise DemoError(reason if url in reason else
                            "cannot open %s: %s" % (url, reason))
        with modem:
            try:
                session(modem, targets, step, timeout=args.timeout)
            finally:
                transcript.finish()


def main(args):
    start = time.monotonic()
    print("bc26 %s, tokenizer: %s" % (bc26.__version__, bc26.IMPLEMENTATION))
    transcript = Transcript(quiet=args.quiet)
    step = Steps()
    try:
        _run(args, transcript, step)
    except KeyboardInterrupt:
        return _fail(step, "interrupted", status=130)
    except Exception as e:  # a failure is one line, never a traceback
        return _fail(step, _reason(e))
    print("\ndemo finished in %.1f s" % (time.monotonic() - start))
    return 0


def _fail(step, reason, status=1):
    sys.stdout.flush()
    where = "%s: " % step.current if step.current else ""
    print("bc26 demo: error: %s%s" % (where, reason), file=sys.stderr,
          flush=True)
    return status


# -- the command line ----------------------------------------------------------------

def _port_number(text):
    try:
        n = int(text)
    except ValueError:
        n = -1
    if not 0 <= n <= 65535:
        raise argparse.ArgumentTypeError("expected a port number 0-65535")
    return n


def _seconds(text):
    try:
        s = float(text)
    except ValueError:
        s = 0
    if not s > 0:
        raise argparse.ArgumentTypeError("expected seconds > 0")
    return s


EPILOG = """\
The default targets are on loopback, for an emulator (`bc26 demo` itself,
or `bc26 emulate --listen 127.0.0.1:0` and --port socket://127.0.0.1:PORT).
A real module needs servers it can reach, e.g.
  bc26 demo --port /dev/ttyUSB0 --tcp-host tcpbin.com --tcp-port 4242
    --udp-host tcpbin.com --udp-port 4242 --dns-host example.com
    --ping-host example.com --ntp-host pool.ntp.org --ntp-port 123"""


def add_arguments(p):
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = EPILOG
    p.add_argument("--port", metavar="URL",
                   help="pyserial URL of the module, e.g. /dev/ttyUSB0 or "
                   "socket://127.0.0.1:PORT (default: a private emulator)")
    p.add_argument("--baud", type=int, default=115200, metavar="N",
                   help="UART baud rate; the private emulator paces at it, "
                   "0 = unpaced (default: %(default)s)")
    p.add_argument("--timeout", type=_seconds, default=90.0, metavar="S",
                   help="seconds for the module to answer and register "
                   "(default: %(default)s)")
    p.add_argument("--quiet", action="store_true",
                   help="hide the AT exchange (default: shown)")
    own = "; 0 = an echo server the demo starts on %s (default: %%(default)s)"
    p.add_argument("--tcp-host", default="127.0.0.1", metavar="HOST",
                   help="TCP echo server (default: %(default)s)")
    p.add_argument("--tcp-port", type=_port_number, default=0, metavar="N",
                   help="its port" + own % "--tcp-host")
    p.add_argument("--udp-host", default="127.0.0.1", metavar="HOST",
                   help="UDP echo server (default: %(default)s)")
    p.add_argument("--udp-port", type=_port_number, default=0, metavar="N",
                   help="its port" + own % "--udp-host")
    p.add_argument("--dns-host", default="localhost", metavar="NAME",
                   help="name to resolve (default: %(default)s)")
    p.add_argument("--dns-server", metavar="IP",
                   help="DNS server to set with AT+QIDNSCFG (default: with "
                   "--port none, the module's own; without, the demo's own "
                   "on 127.0.0.1)")
    p.add_argument("--ping-host", default="127.0.0.1", metavar="HOST",
                   help="host to ping (default: %(default)s)")
    p.add_argument("--ntp-host", default="127.0.0.1", metavar="HOST",
                   help="SNTP server (default: %(default)s)")
    p.add_argument("--ntp-port", type=_port_number, default=0, metavar="N",
                   help="its port; 0 = an SNTP server the demo starts on "
                   "--ntp-host (default: %(default)s)")
