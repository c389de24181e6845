"""bc26.power: the PWRKEY, RESET and PSM_EINT pulses, on fake pins that
record every level written with the time on a virtual clock, and a fake
sleep that only advances that clock. Both pin styles (machine.Pin's
value(v), digitalio's value = v), both wirings (straight to the module:
active low; through an EVB's transistor: active high). Then the boards'
own power_on() on fake machine / digitalio modules: each drives the pin
its wiring constants name."""
import importlib.util
import os
import subprocess
import sys
import types

import pytest

import bc26.power as P
from bc26.power import Power

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOARDS = os.path.join(ROOT, "boards")


class Clock:
    def __init__(self):
        self.t = 0
        self.sleeps = []

    def sleep_ms(self, ms):
        assert ms >= 0
        self.sleeps.append(ms)
        self.t += ms


class MethodPin:
    """machine.Pin's style: value() reads, value(v) writes."""

    def __init__(self, clock, level=None):
        self.clock = clock
        self.level = level
        self.writes = []  # (time, level) of every write

    def value(self, v=None):
        if v is None:
            return self.level
        self.level = v
        self.writes.append((self.clock.t, v))


class PropertyPin:
    """digitalio.DigitalInOut's style: a value property, which (as on
    CircuitPython) cannot be set while the pin is an input."""

    def __init__(self, clock):
        self.clock = clock
        self.output = False
        self.level = False
        self.writes = []

    def switch_to_output(self, value=False):
        self.output = True
        self._write(value)

    @property
    def value(self):
        return self.level

    @value.setter
    def value(self, v):
        if not self.output:
            raise AttributeError("Cannot set value when direction is input.")
        self._write(v)

    def _write(self, v):
        assert isinstance(v, bool), v  # digitalio takes bools
        self.level = v
        self.writes.append((self.clock.t, v))


STYLES = {"machine.Pin": MethodPin, "digitalio": PropertyPin}


def levels(style, *values):
    """The values as the pin style writes them."""
    return [bool(v) for v in values] if style == "digitalio" else list(values)


def transitions(pin):
    """(time, level) where the level changed (repeated writes dropped)."""
    out = []
    for t, v in pin.writes:
        if not out or out[-1][1] != v:
            out.append((t, v))
    return out


def make(style, active_low, with_reset=True, with_eint=True):
    clock = Clock()
    cls = STYLES[style]
    key = cls(clock)
    reset = cls(clock) if with_reset else None
    eint = cls(clock) if with_eint else None
    power = Power(key, reset=reset, psm_eint=eint, active_low=active_low,
                  sleep_ms=clock.sleep_ms)
    return clock, power, key, reset, eint


CASES = [(style, active_low) for style in STYLES for active_low in (True, False)]
IDS = ["%s-%s" % (s, "active_low" if a else "active_high") for s, a in CASES]


@pytest.mark.parametrize("style,active_low", CASES, ids=IDS)
def test_making_a_power_releases_every_line_and_waits_for_nothing(style, active_low):
    clock, power, key, reset, eint = make(style, active_low)
    released = 1 if active_low else 0
    for pin in (key, reset, eint):
        assert transitions(pin) == [(0, levels(style, released)[0])]
    assert clock.sleeps == []
    assert (power.pressed, power.released) == (1 - released, released)


@pytest.mark.parametrize("style,active_low", CASES, ids=IDS)
@pytest.mark.parametrize("method,pin_name,ms", [
    ("on", "key", 600), ("off", "key", 1000),
    ("reset", "reset", 100), ("wake", "eint", 100)])
def test_each_pulse_asserts_its_line_for_its_time_then_releases_it(
        style, active_low, method, pin_name, ms):
    clock, power, key, reset, eint = make(style, active_low)
    pins = {"key": key, "reset": reset, "eint": eint}
    clock.t = 1000  # the pulse starts later than the set-up
    getattr(power, method)()
    pressed, released = (0, 1) if active_low else (1, 0)
    # one pulse: asserted at 1000, released ms later, nothing after
    assert transitions(pins[pin_name]) == [
        (0, x) for x in levels(style, released)] + list(zip(
            (1000, 1000 + ms), levels(style, pressed, released)))
    assert clock.sleeps == [ms] and clock.t == 1000 + ms
    for name, pin in pins.items():  # the other lines are not touched
        if name != pin_name:
            assert transitions(pin) == [(0, levels(style, released)[0])]


@pytest.mark.parametrize("style", STYLES)
def test_the_module_sees_active_low_pulses_whatever_the_wiring(style):
    # Straight wiring: the pin is the module's line. Through a transistor:
    # the module's line is the pin inverted. Either way the module's
    # PSM_EINT sees high -> low (the falling edge that wakes it) -> high.
    for active_low in (True, False):
        clock, power, key, reset, eint = make(style, active_low)
        power.wake()
        at_module = [(t, int(bool(v)) if active_low else 1 - int(bool(v)))
                     for t, v in transitions(eint)]
        assert at_module == [(0, 1), (0, 0), (100, 1)], (active_low, at_module)


def test_hold_times_can_be_given_per_call_or_per_instance():
    clock, power, key, reset, eint = make("machine.Pin", True)
    power.on(800)
    power.reset(ms=250)
    power.wake_ms = 20
    power.wake()
    assert clock.sleeps == [800, 250, 20]
    assert Power.wake_ms == P.WAKE_MS == 100  # the class default is untouched
    assert (Power.on_ms, Power.off_ms, Power.reset_ms) == (
        P.PWRKEY_ON_MS, P.PWRKEY_OFF_MS, P.RESET_MS) == (600, 1000, 100)


def test_a_line_the_board_does_not_wire_raises_and_touches_nothing():
    clock, power, key, reset, eint = make("machine.Pin", False, with_reset=False,
                                          with_eint=False)
    with pytest.raises(ValueError, match="RESET"):
        power.reset()
    with pytest.raises(ValueError, match="PSM_EINT"):
        power.wake()
    assert transitions(key) == [(0, 0)] and clock.sleeps == []
    with pytest.raises(ValueError):
        Power(None)


@pytest.mark.parametrize("style", STYLES)
def test_an_interrupted_pulse_still_releases_the_line(style):
    clock, power, key, reset, eint = make(style, False)

    def interrupted(ms):
        clock.t += 10
        raise KeyboardInterrupt

    power.sleep_ms = interrupted
    with pytest.raises(KeyboardInterrupt):
        power.on()
    assert transitions(key) == [(0, x) for x in levels(style, 0, 1)] + [
        (10, levels(style, 0)[0])]


def test_a_digitalio_pin_still_an_input_is_switched_to_output_released():
    clock = Clock()
    pin = PropertyPin(clock)
    Power(pin, active_low=True, sleep_ms=clock.sleep_ms)
    assert pin.output and pin.writes[0] == (0, True)


def test_default_sleep_is_sleep_ms_where_there_is_one_else_sleep(monkeypatch):
    slept = []
    monkeypatch.setattr(P.time, "sleep", slept.append)
    clock = Clock()
    Power(MethodPin(clock)).on()
    assert slept == [0.6]  # CPython, CircuitPython: time.sleep(seconds)
    monkeypatch.setattr(P.time, "sleep_ms", slept.append, raising=False)
    Power(MethodPin(clock)).on()
    assert slept == [0.6, 600]  # MicroPython: time.sleep_ms(ms)


def test_power_imports_no_pin_module():
    # machine / digitalio blocked: bc26.power still imports (it only ever
    # touches the pin objects it is given)
    code = ("import sys; sys.modules['machine'] = None; "
            "sys.modules['digitalio'] = None; import bc26.power; print('ok')")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


# -- the boards' wiring files -------------------------------------------------

def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fake_machine(clock, pins):
    machine = types.ModuleType("machine")

    class Pin(MethodPin):
        OUT = "out"

        def __init__(self, id, mode=None, value=None):
            MethodPin.__init__(self, clock)
            if mode is None:  # a UART's pin (the Pico's uart() makes them)
                return
            assert mode == Pin.OUT, mode
            pins[id] = self
            if value is not None:
                self.value(value)

    class UART:
        def __init__(self, id, baudrate, **kw):
            self.id, self.baudrate, self.kw = id, baudrate, kw

    machine.Pin, machine.UART = Pin, UART
    return machine


@pytest.mark.parametrize("name", ["RPI_PICO", "ESP32_GENERIC", "PYBV11"])
def test_micropython_boards_power_on_presses_their_pwrkey(name, monkeypatch):
    clock, pins = Clock(), {}
    monkeypatch.setitem(sys.modules, "machine", _fake_machine(clock, pins))
    monkeypatch.setattr(P, "_default_sleep_ms", lambda: clock.sleep_ms)
    board = _load(os.path.join(BOARDS, name, "board.py"), "board_wiring_" + name)
    board.power_on()
    active = board.PWRKEY_ACTIVE
    assert transitions(pins[board.PWRKEY]) == [(0, 1 - active), (0, active),
                                               (600, 1 - active)]
    for line in (board.RESET, board.PSM_EINT):  # set up, released, untouched
        assert transitions(pins[line]) == [(0, 1 - active)]
    uart = board.uart()
    assert (uart.id, uart.baudrate) == (board.UART_ID, 115200)
    assert uart.kw["timeout"] == 0


def test_the_feather_board_uses_digitalio_and_busio(monkeypatch):
    clock, pins = Clock(), {}
    board_mod = types.ModuleType("board")
    for n in ("TX", "RX", "D5", "D6", "D9"):
        setattr(board_mod, n, "pin " + n)
    digitalio = types.ModuleType("digitalio")

    class DigitalInOut(PropertyPin):
        def __init__(self, pin):
            assert pin not in pins, "pin in use"
            PropertyPin.__init__(self, clock)
            pins[pin] = self

    digitalio.DigitalInOut = DigitalInOut
    busio = types.ModuleType("busio")
    busio.UART = lambda tx, rx, **kw: (tx, rx, kw)
    for mod in (board_mod, digitalio, busio):
        monkeypatch.setitem(sys.modules, mod.__name__, mod)
    monkeypatch.setattr(P, "_default_sleep_ms", lambda: clock.sleep_ms)
    board = _load(os.path.join(BOARDS, "ADAFRUIT_FEATHER_RP2040", "board.py"),
                  "board_wiring_feather")
    board.power_on()
    board.power_on()  # the second press reuses the pins (one owner per pin)
    assert transitions(pins["pin D5"]) == [(0, False), (0, True), (600, False),
                                           (600, True), (1200, False)]
    assert transitions(pins["pin D6"]) == transitions(pins["pin D9"]) == [(0, False)]
    tx, rx, kw = board.uart()
    assert (tx, rx, kw["baudrate"], kw["timeout"]) == ("pin TX", "pin RX", 115200, 0)


def test_the_host_board_works_pwrkey_through_the_adapters_rts(monkeypatch):
    board = _load(os.path.join(BOARDS, "HOST_USB_SERIAL", "board.py"),
                  "board_wiring_host")
    assert board.power() is None  # default: the EVB's key, pressed by hand

    clock = Clock()

    class Port:
        def __init__(self):
            self.writes = []

        def __setattr__(self, name, v):
            if name in ("rts", "dtr"):
                self.writes.append((clock.t, name, v))
            object.__setattr__(self, name, v)

    port = Port()
    monkeypatch.setattr(board, "PWRKEY", "RTS")
    monkeypatch.setattr(board, "uart", lambda *a: types.SimpleNamespace(port=port))
    monkeypatch.setattr(P, "_default_sleep_ms", lambda: clock.sleep_ms)
    board.power_on()
    # PWRKEY_ACTIVE 1: a high pin presses, and a high pin is RTS deasserted
    assert port.writes == [(0, "rts", True), (0, "rts", False), (600, "rts", True)]
    with pytest.raises(ValueError):
        board.ControlLine(port, "CTS")  # an input on every adapter
