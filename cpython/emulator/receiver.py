"""The module's UART receiver: command lines with echo, and data mode.

Input that arrives while a command is still being executed waits in
_pending and is processed afterwards, in order, as the module's UART FIFO
would hold it.
"""

_BS = 0x08
_CR = 0x0D
_CTRL_Z = 0x1A
_ESC = 0x1B
MAX_LINE = 4096  # longer command lines are refused with ERROR
_PRINTABLE = bytes(range(0x20, 0x7F))


class Receiver:
    def __init__(self, modem):
        self.m = modem
        self.mode = "off"     # "off" (no power / booting), "cmd", "data"
        self.busy = False     # a command is executing
        self._running = False
        self._pending = bytearray()
        self._line = bytearray()
        self._too_long = False
        self._data = bytearray()
        self._fixed = None    # number of input bytes expected (fixed length)
        self._cap = 0
        self._on_data = None
        self.reboot_after = None  # fault: reboot after this many data bytes

    def reset(self, mode="off"):
        self.mode = mode
        self.busy = False
        self._pending.clear()
        self._line.clear()
        self._too_long = False
        self._data.clear()
        self._on_data = None

    def feed(self, data):
        if self.mode == "off" or self.m.out.muted:
            self.m.log_rx("lost", data)  # nobody is listening (booting, hung)
            return
        self._pending += data
        self.run()

    def done(self):
        """The current command has finished; go on with queued input."""
        self.busy = False
        self.run()

    def run(self):
        if self._running:
            return
        self._running = True
        try:
            while self._pending and not self.busy and self.mode != "off":
                if self.mode == "cmd":
                    self._cmd_step()
                else:
                    self._data_step()
        finally:
            self._running = False

    # -- command mode ------------------------------------------------------
    def _cmd_step(self):
        p = self._pending
        end = p.find(b"\r")
        seg = bytes(p[:end] if end >= 0 else p)
        del p[:len(seg) + (1 if end >= 0 else 0)]
        echo = bytearray()
        if not seg.translate(None, _PRINTABLE):  # all printable: fast path
            self._add(seg)
            echo += seg
        else:
            for b in seg:
                if b == _BS:
                    if self._line:
                        self._line.pop()
                    echo.append(b)
                elif 0x20 <= b < 0x7F:
                    self._add(bytes((b,)))
                    echo.append(b)
                # other control bytes (LF after CR, NUL, stray ^Z) are ignored
        if end >= 0:
            echo.append(_CR)
        if echo and self.m.echo:
            self.m.out.raw(bytes(echo))
        if end < 0:
            return
        line = bytes(self._line).strip(b" ")
        too_long = self._too_long
        self._line.clear()
        self._too_long = False
        if not line:
            return  # an empty line gets no answer
        self.busy = True
        self.m.on_line(line, too_long)

    def _add(self, data):
        if len(self._line) + len(data) > MAX_LINE:
            self._too_long = True
            return
        self._line += data

    # -- data mode (after the "> " prompt) ---------------------------------
    def start_data(self, fixed, cap, on_data):
        """Collect payload: exactly `fixed` bytes, or up to Ctrl-Z / ESC.

        cap bounds what is kept in variable mode (the caller checks limits).
        """
        self.mode = "data"
        self._data.clear()
        self._fixed = fixed
        self._cap = cap
        self._on_data = on_data
        self.busy = False
        self.run()

    def _data_step(self):
        p = self._pending
        if self._fixed is not None:
            take = min(self._fixed - len(self._data), len(p))
            chunk = bytes(p[:take])
            del p[:take]
            self._take(chunk)
            if self.mode == "data" and len(self._data) >= self._fixed:
                self._finish(bytes(self._data), "data")
            return
        z = p.find(b"\x1a")
        e = p.find(b"\x1b")
        ends = [i for i in (z, e) if i >= 0]
        end = min(ends) if ends else -1
        chunk = bytes(p[:end] if end >= 0 else p)
        del p[:len(chunk)]
        self._take(chunk)
        if self.mode != "data" or end < 0:
            return
        term = p[0]
        del p[:1]
        if term == _CTRL_Z:
            self._finish(bytes(self._data), "data")
        else:
            self._finish(None, "cancel")

    def _take(self, chunk):
        if not chunk:
            return
        if self.m.nv.echomode:
            self.m.out.raw(chunk)
        room = self._cap + 1 - len(self._data)  # keep one extra: "too long"
        self._data += chunk[:max(0, room)]
        if self.reboot_after is not None:
            self.reboot_after -= len(chunk)
            if self.reboot_after <= 0:
                self.reboot_after = None
                self.m.reboot()

    def _finish(self, data, kind):
        self.m.log_rx(kind, bytes(self._data) if data is None else data)
        on_data = self._on_data
        self._on_data = None
        self._data.clear()
        self.mode = "cmd"
        self.busy = True
        on_data(data)
