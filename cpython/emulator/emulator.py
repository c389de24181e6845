"""The Emulator: owns the loop thread, the serial endpoint and the module."""
import queue
import threading
import time

from .faults import Faults
from .line import PtyLine, TcpLine
from .log import LogEntry
from .loop import Loop
from .modem import Modem


class Config:
    """The constructor's options, as the module reads them."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


class Emulator:
    def __init__(self, pty=False, listen=None, baud=0, boot_delay=0.5, ip_delay=0.5,
                 ip="127.0.0.1", dns_servers=None, dns_port=53, dns_timeout=2.0,
                 ntp_port=123, ntp_timeout=3.0, connect_timeout=10.0, ping_interval=0.1,
                 allow_any_address=False, recv_variant="line", close_ok_delay=0.0,
                 on_log=None):
        if isinstance(listen, str):
            host, _, port = listen.rpartition(":")
            listen = (host, int(port))
        if bool(pty) == (listen is not None):
            raise ValueError("give either pty=True or listen=(host, port)")
        if recv_variant not in ("line", "quoted"):
            raise ValueError("recv_variant is 'line' or 'quoted'")
        if baud < 0:
            raise ValueError("baud must be >= 0")
        self.config = Config(
            pty=bool(pty), listen=listen, baud=baud, boot_delay=boot_delay,
            ip_delay=ip_delay, ip=ip, dns_servers=list(dns_servers or []),
            dns_port=dns_port, dns_timeout=dns_timeout, ntp_port=ntp_port,
            ntp_timeout=ntp_timeout, connect_timeout=connect_timeout,
            ping_interval=ping_interval, allow_any_address=allow_any_address,
            recv_variant=recv_variant, close_ok_delay=close_ok_delay)
        self.log = []
        self.on_log = on_log
        self.faults = Faults(self)
        self._loop = None
        self._thread = None
        self._modem = None
        self._line = None
        self._t0 = time.monotonic()
        self._booted = threading.Event()
        self._ready = threading.Event()

    # -- life cycle -------------------------------------------------------------
    def start(self):
        cfg = self.config
        self._t0 = time.monotonic()
        self._loop = Loop()
        cls = PtyLine if cfg.pty else TcpLine
        self._line = cls(self._loop, cfg.baud, self._on_rx, self._on_connect,
                         self._on_disconnect)
        self._modem = Modem(self._loop, self._line, cfg, self._log_rx)
        self._modem.on_boot = self._booted.set
        self._modem.on_ready = self._ready.set
        self._modem.on_power = self._on_power
        try:
            if cfg.pty:
                self._line.open()
            else:
                self._line.open(*cfg.listen)
        except BaseException:
            self._loop.close()
            raise
        self._thread = threading.Thread(target=self._loop.run, name="bc26-emulator",
                                        daemon=True)
        self._thread.start()
        return self

    def close(self):
        if self._thread is None:
            return
        self._modem.cancel.set()
        if self._thread.is_alive():
            self._loop.stop()
            self._thread.join(5)
        self._modem.power_off()
        self._line.close()
        self._loop.close()
        self._thread = None

    def __enter__(self):
        return self if self._thread else self.start()

    def __exit__(self, *exc):
        self.close()

    @property
    def url(self):
        """For serial.serial_for_url(): the pty path or socket://host:port."""
        return self._line.url

    @property
    def address(self):
        """(host, port) of the TCP endpoint (listen mode)."""
        return self._line.address

    # -- control ------------------------------------------------------------------
    def call(self, fn, *args, timeout=5.0):
        """Run fn(*args) on the emulator's thread and return its result."""
        if threading.current_thread() is self._thread or not self._thread:
            return fn(*args)
        box = queue.Queue(1)

        def run():
            try:
                box.put((True, fn(*args)))
            except BaseException as e:
                box.put((False, e))
        self._loop.call_soon_threadsafe(run)
        ok, value = box.get(timeout=timeout)
        if not ok:
            raise value
        return value

    def reboot(self):
        """Power-cycle the module now (as AT+QRST=1 does, without the OK)."""
        self.call(self._modem.reboot)

    def power_off(self):
        """Switch the module off now: it answers nothing until power_on()."""
        self.call(self._modem.power_off)

    def power_on(self):
        """Switch it on (PWRKEY): it boots after boot_delay."""
        self.call(self._modem.power_on)

    def wait_boot(self, timeout=5.0):
        """Wait until RDY has been sent in the current power cycle."""
        return self._booted.wait(timeout)

    def wait_ready(self, timeout=5.0):
        """Wait until +IP has been sent in the current power cycle."""
        return self._ready.wait(timeout)

    def urc(self, line):
        """Emit a URC now (same as faults.inject_urc(line))."""
        self.faults.inject_urc(line)

    def sockets(self):
        """Snapshot: {connectID: dict(kind, state, access, nodes, sent)}."""
        def snap():
            return {cid: dict(kind=s.kind, state=s.state, access=s.access,
                              nodes=[bytes(n) for n in s.nodes], sent=s.sent,
                              host=s.host, rport=s.rport, lport=s.lport)
                    for cid, s in self._modem.services.items()}
        return self.call(snap)

    def settings(self):
        """Snapshot of echo, cmee, last_error, dns and the NVRAM values."""
        def snap():
            m = self._modem
            nv = m.nv
            return dict(echo=m.echo, cmee=m.cmee, last_error=m.last_error,
                        dns=list(m.dns), registered=m.registered,
                        send_hex=nv.send_hex, recv_hex=nv.recv_hex,
                        viewmode=nv.viewmode, showlength=nv.showlength,
                        echomode=nv.echomode, access=dict(nv.access))
        return self.call(snap)

    # -- loop-thread callbacks ----------------------------------------------------------
    def _on_rx(self, data):
        self._modem.rx.feed(data)

    def _on_power(self):
        self._booted.clear()
        self._ready.clear()

    def _on_connect(self):
        self._modem.power_on()

    def _on_disconnect(self):
        self._modem.power_off()
        self._on_power()

    def _log_rx(self, kind, data):
        entry = LogEntry(time.monotonic() - self._t0, kind, bytes(data))
        self.log.append(entry)
        if self.on_log:
            self.on_log(entry)
