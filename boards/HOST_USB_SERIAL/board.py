"""A BC26 EVB on a USB-serial adapter, driven from CPython on the host.

The host is the board here: the driver runs in CPython and talks to the
module through the adapter's serial port. In an application that is one
line, `modem = bc26.Modem.open("/dev/ttyUSB0")`; this file gives
boards/simpletest.py the same UART (the same pyserial wrapper).
Run the simpletest with it from the checkout:

    python boards/HOST_USB_SERIAL/board.py            # BC26_PORT=/dev/ttyUSB1 to change

The wiring this file assumes (change the constants for yours):

    adapter TXD -> BC26 RXD
    adapter RXD <- BC26 TXD
    adapter GND -- GND
    PWRKEY: the EVB's own power key, pressed by hand (PWRKEY = None)

The adapter must be a 3.3 V one (the BC26's UART is 3.3 V). Optionally
the adapter's RTS or DTR output can work the EVB's PWRKEY (or RESET)
input: set PWRKEY = "RTS" (RESET = "DTR"). Those outputs are active low
on USB-serial adapters (an asserted RTS is a low pin), which this file
accounts for: PWRKEY_ACTIVE is the level on the adapter's pin that
presses the key, 1 for an EVB input that goes through a transistor.
"""
import os
import sys

from bc26.power import Power

PORT = os.environ.get("BC26_PORT", "/dev/ttyUSB0")  # any pyserial URL
UART_ID = None         # the port is the UART
TX, RX = "TXD", "RXD"  # the adapter's pins
BAUD = 115200          # the BC26's default, 8N1
PWRKEY = None          # None: pressed by hand; or "RTS" / "DTR"
PWRKEY_ACTIVE = 1      # the pin level that presses the key
RESET = None           # None, "RTS" or "DTR"
PSM_EINT = None        # not wired

_uart = None


def uart(baudrate=BAUD):
    """The port as the driver's UART (opened once, shared with power())."""
    global _uart
    if _uart is None:
        from bc26.host.serial_port import open_uart
        _uart = open_uart(PORT, baudrate)
    return _uart


class ControlLine:
    """An adapter's RTS or DTR output as a pin: value(1) puts the pin
    high, which is the line *de*asserted in pyserial's terms."""

    def __init__(self, port, name):
        if name not in ("RTS", "DTR"):
            raise ValueError("a control line is 'RTS' or 'DTR', not %r" % (name,))
        self.port = port
        self.attr = name.lower()

    def value(self, level):
        setattr(self.port, self.attr, not level)


def power():
    """A bc26.power.Power on the wired control lines, or None when PWRKEY
    is pressed by hand."""
    if PWRKEY is None:
        return None
    port = uart().port
    reset = ControlLine(port, RESET) if RESET else None
    return Power(ControlLine(port, PWRKEY), reset=reset,
                 active_low=not PWRKEY_ACTIVE)


def power_on():
    line = power()
    if line is None:
        print("press the EVB's PWRKEY now if the module is off")
    else:
        line.on()


if __name__ == "__main__":
    # run boards/simpletest.py with this file as its board_wiring
    sys.modules["board_wiring"] = sys.modules["__main__"]
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import simpletest
    simpletest.run()
