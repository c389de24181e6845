"""A pyboard v1.1 (STM32F405, MicroPython's PYBV11) wired to a BC26 EVB.

The wiring this file assumes (change the constants for yours):

    Y1 (PC6, UART6 TX) -> BC26 RXD
    Y2 (PC7, UART6 RX) <- BC26 TXD
    Y3 (PB8)           -> PWRKEY
    Y4 (PB9)           -> RESET
    Y5 (PB12)          -> PSM_EINT
    GND                -- GND

On the stm32 port each UART has fixed pins: UART(6) is Y1/Y2, so TX and
RX below only record them (uart() does not pass them). EVBs usually
drive PWRKEY, RESET and PSM_EINT through transistors; this file assumes
so: a high level here asserts them (PWRKEY_ACTIVE = 1). Set 0 for lines
wired straight to the module."""
from machine import Pin, UART

from bc26.power import machine_power

UART_ID = 6
TX, RX = "Y1", "Y2"    # fixed by UART_ID on this port
BAUD = 115200          # the BC26's default, 8N1
PWRKEY = "Y3"
PWRKEY_ACTIVE = 1      # the level that presses the key (1: through a transistor)
RESET = "Y4"
PSM_EINT = "Y5"


def uart(baudrate=BAUD):
    # timeout=0: readinto returns at once, the driver does the waiting
    return UART(UART_ID, baudrate, timeout=0, rxbuf=2048)


def power():
    """A bc26.power.Power on this wiring: on(), off(), reset(), wake()."""
    return machine_power(Pin, PWRKEY, RESET, PSM_EINT, PWRKEY_ACTIVE)


def power_on():
    power().on()
