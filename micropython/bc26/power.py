"""PWRKEY, RESET and PSM_EINT pulses for a BC26, on any board.

    from bc26.power import Power
    power = Power(pwrkey_pin, reset=reset_pin, psm_eint=eint_pin,
                  active_low=False)     # an EVB: its transistors invert
    power.on()                          # press PWRKEY to switch the module on

The pins are output pins of either kind: machine.Pin (MicroPython:
pin.value(v)) or digitalio.DigitalInOut (CircuitPython: pin.value = v;
one still in input mode is switched to output here). Power never imports
machine or digitalio itself, so it loads on MicroPython, CircuitPython and
CPython alike (on a host, anything with either kind of value() works:
a USB-serial adapter's RTS line, a test's fake pin).

At the module all three lines are active low: PWRKEY pressed, RESET
asserted and the PSM_EINT wake edge are all a low level on the module's
pin. active_low=True is for lines wired straight to the module;
active_low=False is for boards that drive them through an inverting
transistor (as BC26 EVBs usually do), where a high level on the MCU's
pin pulls the module's pin low. One setting applies to all three lines:
wire them the same way.

Timings. The document that gives them is Quectel's "BC26 Hardware
Design" manual (its power-on, power-off, reset and PSM wake-up timing).
Its figures were not at hand when this module was written, so the values
below are conservative choices, NOT the manual's numbers: the switch-on,
reset and wake holds are above the minimums commonly quoted for the BC26
(PWRKEY low >= 500 ms to switch on, RESET low >= 50 ms to reset, a
falling edge on PSM_EINT to wake from deep sleep); for switching off by
PWRKEY no figure was at hand at all, so its 1000 ms is a value to verify
(AT+QPOWD switches the module off without a pin). Check them against the
manual for your module's revision: each method takes its hold time as an
argument, and the defaults can be changed on the class or an instance
(power.on_ms = 800).
"""

import time

# Hold times in ms -- conservative values, not yet checked against the
# BC26 Hardware Design manual (see the module docstring):
PWRKEY_ON_MS = 600    # switch on: PWRKEY held low; quoted minimum 500 ms
PWRKEY_OFF_MS = 1000  # switch off by PWRKEY: a longer press; no figure at
                      # hand (AT+QPOWD switches off without a pin)
RESET_MS = 100        # reset: RESET held low; quoted minimum 50 ms
WAKE_MS = 100         # wake from PSM: PSM_EINT low (the falling edge wakes
                      # the module), then released


def _default_sleep_ms():
    sleep_ms = getattr(time, "sleep_ms", None)  # MicroPython
    if sleep_ms is not None:
        return sleep_ms

    def sleep_ms_(ms):  # CircuitPython, CPython
        time.sleep(ms / 1000)
    return sleep_ms_


def _drive(pin, level):
    """Set a pin to level (0 or 1): pin.value(level) for a machine.Pin,
    pin.value = bool(level) for a digitalio.DigitalInOut."""
    value = pin.value
    if callable(value):
        value(level)
    else:
        pin.value = bool(level)


class Power:
    """The module's control lines: pwrkey (required), reset and psm_eint
    (None where the board does not wire them).

    active_low: True if a low level on these pins asserts the module's
    line (wired straight to the module), False if a high level does (an
    inverting transistor between, as on EVBs). sleep_ms: a function
    sleeping the given milliseconds (default: time.sleep_ms, or
    time.sleep(ms / 1000) where there is none) -- tests pass a fake one.

    Making a Power drives every given line to its released level, so the
    first pulse starts from a known state with a real edge."""

    on_ms = PWRKEY_ON_MS
    off_ms = PWRKEY_OFF_MS
    reset_ms = RESET_MS
    wake_ms = WAKE_MS

    def __init__(self, pwrkey, reset=None, psm_eint=None, active_low=True,
                 sleep_ms=None):
        if pwrkey is None:
            raise ValueError("pwrkey pin required")
        self.pressed = 0 if active_low else 1
        self.released = 1 - self.pressed
        self.sleep_ms = sleep_ms or _default_sleep_ms()
        self.pwrkey = pwrkey
        self.reset_pin = reset
        self.psm_eint = psm_eint
        for pin in (pwrkey, reset, psm_eint):
            if pin is None:
                continue
            to_output = getattr(pin, "switch_to_output", None)
            if to_output is not None:  # digitalio, perhaps still an input
                to_output(value=bool(self.released))
            _drive(pin, self.released)

    def _pulse(self, pin, name, ms):
        if pin is None:
            raise ValueError("no %s pin on this board" % name)
        _drive(pin, self.pressed)
        try:
            self.sleep_ms(ms)
        finally:  # interrupted (Ctrl-C): never leave the line asserted
            _drive(pin, self.released)

    def on(self, ms=None):
        """Switch the module on: PWRKEY pressed for ms (default on_ms,
        600 ms; the commonly quoted minimum is 500 ms), then released. The module
        boots after the release: bc26.Modem.start() waits for it."""
        self._pulse(self.pwrkey, "PWRKEY", self.on_ms if ms is None else ms)

    def off(self, ms=None):
        """Switch the module off by PWRKEY: pressed for ms (default
        off_ms, 1000 ms, a conservative value: check the manual's turn-off
        timing for your module), then released. AT+QPOWD does the same
        from software."""
        self._pulse(self.pwrkey, "PWRKEY", self.off_ms if ms is None else ms)

    def reset(self, ms=None):
        """Hardware reset: RESET asserted for ms (default reset_ms,
        100 ms; the commonly quoted minimum is 50 ms), then released; the module
        restarts after the release. ValueError if no RESET pin."""
        self._pulse(self.reset_pin, "RESET", self.reset_ms if ms is None else ms)

    def wake(self, ms=None):
        """Wake the module from PSM (deep sleep): a falling edge on
        PSM_EINT -- asserted (low at the module) for ms (default wake_ms,
        100 ms), then released. ValueError if no PSM_EINT pin."""
        self._pulse(self.psm_eint, "PSM_EINT", self.wake_ms if ms is None else ms)


def machine_power(Pin, pwrkey, reset=None, psm_eint=None, active=1):
    """A Power on MicroPython pins given by id (machine.Pin passed in, so
    this module imports no port's machine): each line an output that
    starts released.  active: the level on these pins that asserts the
    module's lines (1: through an EVB's inverting transistor; 0: wired
    straight)."""
    released = 1 - active

    def out(pin_id):
        return None if pin_id is None else Pin(pin_id, Pin.OUT, value=released)

    return Power(out(pwrkey), reset=out(reset), psm_eint=out(psm_eint),
                 active_low=not active)
