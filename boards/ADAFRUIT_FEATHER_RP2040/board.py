"""Adafruit Feather RP2040 (CircuitPython) wired to a BC26 EVB.

The wiring this file assumes (change the constants for yours):

    TX (GPIO0, UART0 TX) -> BC26 RXD
    RX (GPIO1, UART0 RX) <- BC26 TXD
    D5 (GPIO7)           -> PWRKEY
    D6 (GPIO8)           -> RESET
    D9 (GPIO9)           -> PSM_EINT
    GND                  -- GND

TX/RX are the Feather's labelled UART pins. EVBs usually drive PWRKEY,
RESET and PSM_EINT through transistors; this file assumes so: a high
level here asserts them (PWRKEY_ACTIVE = 1). Set 0 for lines wired
straight to the module.

On the CIRCUITPY drive this file is board_wiring.py, the name
simpletest.py imports (never board.py: that is CircuitPython's own
module of pin names, imported below); see code.py and boards/README.md.
"""
import board as _pins
import busio
import digitalio

from bc26.power import Power

UART_ID = None         # busio picks the UART from the pins (GPIO0/1: UART0)
TX, RX = _pins.TX, _pins.RX
BAUD = 115200          # the BC26's default, 8N1
PWRKEY = _pins.D5
PWRKEY_ACTIVE = 1      # the level that presses the key (1: through a transistor)
RESET = _pins.D6
PSM_EINT = _pins.D9


def uart(baudrate=BAUD):
    # timeout=0: read() returns at once, the driver does the waiting
    return busio.UART(TX, RX, baudrate=baudrate, timeout=0,
                      receiver_buffer_size=2048)


def _output(pin):
    line = digitalio.DigitalInOut(pin)
    line.switch_to_output(value=not PWRKEY_ACTIVE)  # released
    return line


_power = None  # type: Power | None


def power():
    """The bc26.power.Power on this wiring: on(), off(), reset(), wake().
    Made once: CircuitPython lets only one DigitalInOut hold a pin."""
    global _power
    if _power is None:
        _power = Power(_output(PWRKEY), reset=_output(RESET),
                       psm_eint=_output(PSM_EINT), active_low=not PWRKEY_ACTIVE)
    return _power


def power_on():
    power().on()
