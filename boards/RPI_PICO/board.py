"""Raspberry Pi Pico (RP2040, MicroPython's RPI_PICO) wired to a BC26 EVB.

The wiring this file assumes (change the constants for yours):

    Pico GP0 (UART0 TX, pin 1)  -> BC26 RXD
    Pico GP1 (UART0 RX, pin 2)  <- BC26 TXD
    Pico GP2 (pin 4)            -> PWRKEY
    Pico GP3 (pin 5)            -> RESET
    Pico GP4 (pin 6)            -> PSM_EINT
    GND                         -- GND

GP0/GP1 are the Pico's default UART0 pins. EVBs usually drive PWRKEY,
RESET and PSM_EINT through transistors; this file assumes so: a high
level here asserts them (PWRKEY_ACTIVE = 1). Set 0 for lines wired
straight to the module. The BC26's UART is 3.3 V, like the Pico's."""
from machine import Pin, UART

from bc26.power import machine_power

UART_ID = 0
TX, RX = 0, 1          # GP0, GP1
BAUD = 115200          # the BC26's default, 8N1
PWRKEY = 2             # GP2
PWRKEY_ACTIVE = 1      # the level that presses the key (1: through a transistor)
RESET = 3              # GP3
PSM_EINT = 4           # GP4


def uart(baudrate=BAUD):
    # timeout=0: readinto returns at once, the driver does the waiting
    return UART(UART_ID, baudrate, tx=Pin(TX), rx=Pin(RX), timeout=0,
                rxbuf=2048)


def power():
    """A bc26.power.Power on this wiring: on(), off(), reset(), wake()."""
    return machine_power(Pin, PWRKEY, RESET, PSM_EINT, PWRKEY_ACTIVE)


def power_on():
    power().on()
