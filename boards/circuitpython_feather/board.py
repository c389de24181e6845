"""A CircuitPython Feather (TX/RX pins) wired to a BC26 breakout; D5 -> PWRKEY."""
import board as _pins
import busio
import digitalio
import time

PWRKEY_ACTIVE = True


def uart(baudrate=115200):
    # timeout=0: read() returns at once, the driver does the waiting
    return busio.UART(_pins.TX, _pins.RX, baudrate=baudrate, timeout=0,
                      receiver_buffer_size=2048)


def power_on():
    key = digitalio.DigitalInOut(_pins.D5)
    key.switch_to_output(value=not PWRKEY_ACTIVE)
    key.value = PWRKEY_ACTIVE
    time.sleep(0.6)
    key.value = not PWRKEY_ACTIVE
