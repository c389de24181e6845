"""Raspberry Pi Pico (RP2040) wired to a BC26 breakout.

GP4 (UART1 TX) -> BC26 RXD, GP5 (UART1 RX) <- BC26 TXD, GP6 -> PWRKEY
(through the breakout's transistor: high presses the key), GND common.
"""
from machine import Pin, UART
import time

UART_ID = 1
TX, RX = 4, 5
PWRKEY, PWRKEY_ACTIVE = 6, 1


def uart(baudrate=115200):
    # timeout=0: readinto returns at once, the driver does the waiting
    return UART(UART_ID, baudrate, tx=Pin(TX), rx=Pin(RX), timeout=0,
                rxbuf=2048)


def power_on():
    key = Pin(PWRKEY, Pin.OUT, value=1 - PWRKEY_ACTIVE)
    key.value(PWRKEY_ACTIVE)
    time.sleep_ms(600)
    key.value(1 - PWRKEY_ACTIVE)
