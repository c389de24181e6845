# For freezing the driver into a MicroPython firmware image:
#   include("path/to/bc26/manifest.py")
package("bc26", base_path="micropython", opt=3)
