"""An ESP32 board (MicroPython's ESP32_GENERIC, e.g. a DevKitC) wired to a
BC26 EVB.

The wiring this file assumes (change the constants for yours):

    GPIO17 (UART2 TX) -> BC26 RXD
    GPIO16 (UART2 RX) <- BC26 TXD
    GPIO4             -> PWRKEY
    GPIO18            -> RESET
    GPIO19            -> PSM_EINT
    GND               -- GND

GPIO16/17 are UART2's default pins in MicroPython's esp32 port (any free
GPIO would do: the ESP32 routes UART signals to any pin; on WROVER
modules GPIO16/17 belong to the PSRAM, so pick others there); none of
the pins used is a strapping pin (0, 2, 5, 12, 15). EVBs usually drive
PWRKEY, RESET and PSM_EINT through transistors; this file assumes so: a
high level here asserts them (PWRKEY_ACTIVE = 1). Set 0 for lines wired
straight to the module."""
from machine import Pin, UART

from bc26.power import machine_power

UART_ID = 2
TX, RX = 17, 16
BAUD = 115200          # the BC26's default, 8N1
PWRKEY = 4
PWRKEY_ACTIVE = 1      # the level that presses the key (1: through a transistor)
RESET = 18
PSM_EINT = 19


def uart(baudrate=BAUD):
    # timeout=0: readinto returns at once, the driver does the waiting
    return UART(UART_ID, baudrate, tx=TX, rx=RX, timeout=0, rxbuf=4096)


def power():
    """A bc26.power.Power on this wiring: on(), off(), reset(), wake()."""
    return machine_power(Pin, PWRKEY, RESET, PSM_EINT, PWRKEY_ACTIVE)


def power_on():
    power().on()
