"""Faults on demand: what real modules and real wires do to a driver.

All methods are safe to call from any thread; they take effect before they
return. Faults that wait for a command (inject_urc with a boundary,
delay_reply) fire once, on the next command whose line starts with `on`
(any command when on is None) and reaches that boundary.
"""
from .output import POINTS
from .sockets import MAX_NODES


def _line(line):
    if isinstance(line, str):
        line = line.encode("latin-1")
    line = bytes(line).strip(b"\r\n")
    if b"\r" in line or b"\n" in line:
        raise ValueError("a URC is one whole line")
    return line


def _prefix(on):
    if isinstance(on, (bytes, bytearray)):
        return bytes(on).decode("latin-1")
    return on


class Faults:
    def __init__(self, emulator):
        self._emu = emulator

    def _m(self):
        return self._emu._modem

    def inject_urc(self, line, at="now", on=None):
        """Emit `line` as a URC (framed <CR><LF>line<CR><LF>) at a boundary:

        "now"           at once (held back while in data mode, like any URC)
        "after_echo"    between the echo of the next command and its reply
        "before_prompt" just before the "> " prompt of the next data-mode send
        "before_ok"     before the final result (after a +QIRD payload ...)
        "after_ok"      after the final OK, before SEND OK / CLOSE OK
        """
        if at not in POINTS:
            raise ValueError("at must be one of %s" % (POINTS,))
        line = _line(line)
        on = _prefix(on)
        self._emu.call(lambda: self._m().out.inject(at, line, on))

    def drop_output(self, count=1, skip=0):
        """Drop `count` bytes of the output, after letting `skip` bytes pass."""
        self._emu.call(lambda: self._m().out.add_byte_fault(skip, count, None))

    def corrupt_output(self, count=1, skip=0, xor=0x5A):
        """XOR `count` output bytes with `xor`, after `skip` good bytes."""
        if not 0 < xor < 256:
            raise ValueError("xor must be 1..255")
        self._emu.call(lambda: self._m().out.add_byte_fault(skip, count, xor))

    def delay_reply(self, seconds, on=None):
        """Hold the reply of the next (matching) command for `seconds`."""
        on = _prefix(on)
        self._emu.call(lambda: self._m().delays.append((seconds, on)))

    def send_fail_next(self, count=1):
        """The next `count` sends answer OK, then SEND FAIL (nothing sent)."""
        def arm():
            self._m().send_fail += count
        self._emu.call(arm)

    def lose_pings(self, count=1):
        """The next `count` echo requests of AT+QPING are sent, but their
        replies are thrown away: each is lost after <time_out>."""
        def arm():
            self._m().ping_loss += count
        self._emu.call(arm)

    def late_close_ok(self, seconds):
        """From now on CLOSE OK comes `seconds` after OK (0: together)."""
        def arm():
            self._m().close_ok_delay = seconds
        self._emu.call(arm)

    def remote_close(self, connect_id):
        """Act as if the peer closed: "closed" URC, state 4, buffer kept."""
        def act():
            svc = self._m().services.get(connect_id)
            if svc is None or svc.state != 2:
                raise ValueError("socket %d is not connected" % connect_id)
            svc.remote_closed()
            svc.close()
        self._emu.call(act)

    def drop_socket(self, connect_id):
        """The socket vanishes from the module without a word (no URC, as
        when a lost network context takes it): AT+QISTATE no longer lists
        it, its unread data is gone."""
        def act():
            svc = self._m().services.pop(connect_id, None)
            if svc is None:
                raise ValueError("socket %d is not open" % connect_id)
            svc.close()
        self._emu.call(act)

    def fill_buffer(self, connect_id, nodes=None, size=64):
        """Deliver synthetic received data: `nodes` nodes of `size` bytes
        (default: until all 20 nodes are used). Node k holds the letter
        chr(65 + k % 26) repeated."""
        def act():
            svc = self._m().services.get(connect_id)
            if svc is None or svc.state != 2:
                raise ValueError("socket %d is not connected" % connect_id)
            n = MAX_NODES - len(svc.nodes) if nodes is None else nodes
            for k in range(n):
                svc.deliver(bytes((65 + k % 26,)) * size)
        self._emu.call(act)

    def reboot_in_data_mode(self, after=0):
        """Reboot once `after` more payload bytes have come in data mode."""
        def arm():
            self._m().rx.reboot_after = after
        self._emu.call(arm)

    def mute(self):
        """Stop answering: nothing goes out, input is ignored."""
        def act():
            self._m().out.muted = True
        self._emu.call(act)

    def unmute(self):
        """Answer again (a partly typed command line is forgotten)."""
        def act():
            m = self._m()
            m.out.muted = False
            m.rx._line.clear()
        self._emu.call(act)

    def clear(self):
        """Disarm everything armed above."""
        def act():
            m = self._m()
            m.out.clear_faults()
            m.delays = []
            m.send_fail = 0
            m.ping_loss = 0
            m.close_ok_delay = self._emu.config.close_ok_delay
            m.rx.reboot_after = None
        self._emu.call(act)
