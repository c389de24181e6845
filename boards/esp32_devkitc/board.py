"""ESP32 DevKitC wired to a BC26 EVB.

GPIO17 (UART2 TX) -> BC26 RXD, GPIO16 (UART2 RX) <- BC26 TXD,
GPIO4 -> PWRKEY (high presses the key through the EVB's transistor).
"""
from machine import Pin, UART
import time

UART_ID = 2
TX, RX = 17, 16
PWRKEY, PWRKEY_ACTIVE = 4, 1


def uart(baudrate=115200):
    return UART(UART_ID, baudrate, tx=TX, rx=RX, timeout=0, rxbuf=4096)


def power_on():
    key = Pin(PWRKEY, Pin.OUT, value=1 - PWRKEY_ACTIVE)
    key.value(PWRKEY_ACTIVE)
    time.sleep_ms(600)
    key.value(1 - PWRKEY_ACTIVE)
