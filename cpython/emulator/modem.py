"""The emulated module: power, boot, registration, command dispatch, replies.

Runs entirely on the loop thread. Blocking network work (DNS, connect,
NTP, ping) runs in short worker threads whose results come back through
post(); a power cycle bumps `gen`, so results of a previous life are
dropped.
"""
import threading
import time

from bc26.errors import describe

from . import atparse
from .commands import COMMANDS, TCPIP
from .output import CRLF, Output, frame
from .receiver import Receiver

# Boot-ROM chatter in the style MediaTek parts print before the firmware
# runs: line noise, LF-CR line ends, no line end at all at first.
BOOT_JUNK = (b"\x00\xf0\xff"
             b"F1: 0000 0000\n\rV0: 0000 0000 [0001]\n\r00: 0006 000C\n\r"
             b"01: 0000 0000\n\rU0: 0000 0001 [0000]\n\rT0: 0000 00B4\n\r"
             b"Leaving the BROM\n\r")
BOOT_LINES = (b"RDY", b"+CFUN: 1", b"+CPIN: READY")

# Texts for +CME ERROR with AT+CMEE=2 (3GPP TS 27.007 codes we use).
CME_TEXT = {3: "operation not allowed", 4: "operation not supported",
            50: "incorrect parameters"}


class NVRAM:
    """Settings the manual says are saved: they survive AT+QRST=1."""

    def __init__(self):
        self.send_hex = 0
        self.recv_hex = 0
        self.viewmode = 0
        self.showlength = 0
        self.echomode = 0
        self.access = {}  # connectID -> access mode last set by AT+QISWTMD


class Modem:
    def __init__(self, loop, line, cfg, log_rx):
        self.loop = loop
        self.line = line
        self.cfg = cfg
        self.log_rx = log_rx
        self.out = Output(line.send)
        self.out.on_release = self.refresh_io
        self.rx = Receiver(self)
        self.nv = NVRAM()
        self.gen = 0
        self.cancel = threading.Event()  # set when the emulator closes
        self.services = {}
        self.cmdline = ""
        self.cmd_tcpip = False
        self.on_ready = None      # called when +IP has been sent
        self.on_boot = None       # called when RDY has been sent
        self.on_power = None      # called at every power-up
        # faults armed through the Faults API
        self.delays = []          # (seconds, command prefix or None)
        self.send_fail = 0        # next N sends answer SEND FAIL
        self.ping_loss = 0        # next N echo requests get no reply
        self.close_ok_delay = cfg.close_ok_delay
        self._volatile()

    def _volatile(self):
        """Power-up defaults of everything not kept in NVRAM."""
        self.echo = True
        self.cmee = 0
        self.cereg_n = 0
        self.sclk = 0
        self.cfun = 1
        self.registered = False
        self.last_error = 0
        self.dns = list(self.cfg.dns_servers or [])
        self.clock_offset = 0.0

    # -- power ---------------------------------------------------------------
    def power_on(self):
        self.gen += 1
        if self.on_power:
            self.on_power()
        self._volatile()
        self.rx.reset("off")
        self.later(self.cfg.boot_delay, self._boot)

    def power_off(self):
        self.gen += 1
        for s in list(self.services.values()):
            s.close()
        self.services.clear()
        self.rx.reset("off")
        self.out.drop_held()
        self.registered = False

    def reboot(self):
        self.power_off()
        self.power_on()

    def _boot(self):
        self.out.raw(BOOT_JUNK)
        for line in BOOT_LINES:
            self.out.raw(frame(line))
        self.rx.reset("cmd")
        if self.on_boot:
            self.on_boot()
        self.later(self.cfg.ip_delay, self.register)

    def register(self):
        if self.cfun != 1 or self.registered:
            return
        self.registered = True
        if self.cereg_n:
            self.out.urc(frame(b"+CEREG: 1"))
        self.out.urc(frame(b"+IP: " + self.cfg.ip.encode()))
        if self.on_ready:
            self.on_ready()

    def deregister(self):
        if not self.registered:
            return
        self.registered = False
        if self.cereg_n:
            self.out.urc(frame(b"+CEREG: 0"))
        for s in list(self.services.values()):
            s.network_lost()

    # -- scheduling helpers bound to this power cycle --------------------------
    def later(self, delay, fn, *args):
        gen = self.gen

        def run():
            if gen == self.gen:
                fn(*args)
        return self.loop.call_later(delay, run)

    def post(self, gen, fn, *args):
        """From a worker thread: run fn on the loop if still in cycle gen."""
        def run():
            if gen == self.gen:
                fn(*args)
            else:
                for a in args:  # a socket from a previous life
                    close = getattr(a, "close", None)
                    if close and hasattr(a, "fileno"):
                        close()
        self.loop.call_soon_threadsafe(run)

    def spawn(self, target, *args):
        """Run target(gen, *args) in a worker thread."""
        t = threading.Thread(target=target, args=(self.gen,) + args, daemon=True)
        t.start()

    def now(self):
        """The module's RTC (UTC seconds), set by AT+QNTP=..,1."""
        return time.time() + self.clock_offset

    # -- commands -----------------------------------------------------------------
    def on_line(self, line, too_long=False):
        self.log_rx("line", line)
        self.cmdline = line.decode("latin-1")
        self.out.point("after_echo", self.cmdline)
        delay = self._take_delay()
        if too_long:
            self.later(delay, self.error)
        elif delay:
            self.later(delay, self._execute, line)
        else:
            self._execute(line)

    def _take_delay(self):
        for i, (secs, on) in enumerate(self.delays):
            if on is None or self.cmdline.upper().startswith(on.upper()):
                del self.delays[i]
                return secs
        return 0

    def _execute(self, line):
        self.cmd_tcpip = False
        try:
            cmd = atparse.parse(line)
        except atparse.BadCommand:
            return self.error()
        handler = COMMANDS.get(cmd.name)
        if handler is None:
            return self.error()
        self.cmd_tcpip = cmd.name in TCPIP
        try:
            handler(self, cmd)
        except atparse.BadParam as e:
            self.fail(e.code)

    # -- replies ----------------------------------------------------------------------
    def ok(self, lines=(), then=None, err=0):
        """Information lines, OK, then `then`: a second result line (SEND OK)
        or a callable, both before the next command is looked at.
        err: the last error after it all (571 for a cancelled send ...)."""
        if self.cmd_tcpip:
            self.last_error = err
        self._final(lines, b"OK", then)

    def fail(self, code):
        """ERROR for a command; code is a TCP/IP <err> or a CME code."""
        if self.cmd_tcpip:
            self.last_error = code
        elif code == 552:
            code = 50  # a basic command's bad parameter is a 27.007 error
        if self.cmee == 0:
            result = b"ERROR"
        elif self.cmee == 1:
            result = b"+CME ERROR: %d" % code
        else:
            text = describe(code) if self.cmd_tcpip else CME_TEXT.get(code, "unknown")
            result = b"+CME ERROR: " + text.encode()
        self._final((), result)

    def error(self):
        """Plain ERROR: unknown command or bad syntax."""
        self._final((), b"ERROR")

    def _final(self, lines, result, then=None):
        if lines:
            self.out.raw(CRLF + b"".join(l + CRLF for l in lines))
        self.out.point("before_ok", self.cmdline)
        self.out.raw(CRLF + result + CRLF)
        self.out.point("after_ok", self.cmdline)
        if callable(then):
            then()
        elif then:
            self.out.raw(frame(then))
        if self.out.holding:
            self.out.release()
        self.refresh_io()
        self.rx.done()

    def prompt(self, fixed, cap, on_data):
        """Enter data mode: "> " and collect the payload for on_data."""
        self.out.point("before_prompt", self.cmdline)
        self.out.hold()
        self.refresh_io()  # direct-push sockets pause while URCs are held
        self.out.raw(b"\r\n> ")
        self.rx.start_data(fixed, cap, on_data)

    def urc(self, line):
        self.out.urc(frame(line))

    def refresh_io(self):
        for s in list(self.services.values()):
            s.sync()
