"""The virtual board of `bc26 board`: MicroPython's unix port whose UART
is a TCP connection to an emulated BC26 (virtual_uart, put in the board's
root by `bc26 board`). The module boots when the UART connects, so there
is no PWRKEY; TARGETS points boards/simpletest.py at the loopback echo,
DNS and SNTP servers the board started."""
import virtual_uart

TARGETS = virtual_uart.config()["targets"]


def uart(baudrate=115200):
    # baudrate: accepted for the shape of the other boards; a socket has none
    return virtual_uart.UART()


def power_on():
    pass  # the emulator powers the module up when uart() connects
