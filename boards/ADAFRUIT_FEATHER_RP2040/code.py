"""code.py for the Feather's CIRCUITPY drive: runs the shared simpletest.

What the drive holds (see boards/README.md):

    code.py          this file (CircuitPython runs it at every start)
    board_wiring.py  boards/ADAFRUIT_FEATHER_RP2040/board.py, renamed
    simpletest.py    boards/simpletest.py
    lib/bc26/        the driver: micropython/bc26/*.py, or .mpy files
                     compiled by CircuitPython's own mpy-cross

Its output goes to the USB serial console (e.g. `tio /dev/ttyACM0`).
"""
import simpletest

simpletest.run()
