"""What the module writes: framing, held-back URCs, and output faults.

Every byte for the host passes through Output.raw(), the one place where
muting and byte-level faults (drop, corrupt) apply. Injected URCs are
released at named frame boundaries ("points") and are always whole lines.
"""

CRLF = b"\r\n"

# Frame boundaries where a URC can be injected (see faults.py).
POINTS = ("now", "after_echo", "before_prompt", "before_ok", "after_ok")


def frame(line):
    """A URC or single information line: <CR><LF>line<CR><LF>."""
    return CRLF + line + CRLF


class _ByteFault:
    __slots__ = ("skip", "count", "xor")

    def __init__(self, skip, count, xor):
        self.skip = skip
        self.count = count
        self.xor = xor  # None: drop the bytes


class Output:
    def __init__(self, send):
        self._send = send
        self.muted = False
        self.holding = False
        self._held = []
        self._injections = []  # (point, frame bytes, command prefix or None)
        self._byte_faults = []
        self.on_release = None

    # -- the single exit -------------------------------------------------
    def raw(self, data):
        if self.muted or not data:
            return
        if self._byte_faults:
            data = self._apply_faults(data)
        self._send(data)

    def _apply_faults(self, data):
        out = bytearray()
        i = 0
        n = len(data)
        while i < n and self._byte_faults:
            f = self._byte_faults[0]
            if f.skip:
                k = min(f.skip, n - i)
                out += data[i:i + k]
                f.skip -= k
                i += k
                continue
            k = min(f.count, n - i)
            if f.xor is not None:
                out += bytes(b ^ f.xor for b in data[i:i + k])
            f.count -= k
            i += k
            if not f.count:
                self._byte_faults.pop(0)
        out += data[i:]
        return bytes(out)

    def add_byte_fault(self, skip, count, xor):
        self._byte_faults.append(_ByteFault(skip, count, xor))

    # -- URCs and hold-back ---------------------------------------------
    def urc(self, data):
        """Unsolicited output (already framed); held back in data mode."""
        if self.holding:
            self._held.append(data)
        else:
            self.raw(data)

    def hold(self):
        self.holding = True

    def release(self):
        self.holding = False
        held, self._held = self._held, []
        for data in held:
            self.raw(data)
        if self.on_release:
            self.on_release()

    def drop_held(self):
        self._held = []
        self.holding = False

    # -- injected URCs ---------------------------------------------------
    def inject(self, point, line, on=None):
        if point == "now":
            self.urc(frame(line))
        else:
            self._injections.append((point, frame(line), on))

    def point(self, point, cmdline):
        """Emit the injections due at this boundary of command cmdline."""
        if not self._injections:
            return
        keep = []
        for inj in self._injections:
            p, data, on = inj
            if p == point and (on is None or cmdline.upper().startswith(on.upper())):
                self.raw(data)
            else:
                keep.append(inj)
        self._injections = keep

    def clear_faults(self):
        self._injections = []
        self._byte_faults = []
        self.muted = False
