"""Builds the optional C tokenizer (csrc/, through cffi); everything else is
in pyproject.toml.  Without a working compiler the package still installs,
pure Python, and says so."""
import os
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext

WARNING = """
**********************************************************************
bc26: the C tokenizer could not be built ({0}).
bc26 installs without it and uses the pure-Python tokenizer
(bc26.IMPLEMENTATION == "python"): correct, only slower on bulk traffic.
**********************************************************************
"""


def _warn(err):
    sys.stderr.write(WARNING.format(err))
    sys.stderr.flush()


class optional_build_ext(build_ext):
    """A failed C build must not fail the installation."""

    def run(self):
        try:
            super().run()
        except Exception as e:  # cffi source generation, no compiler, ...
            _warn(e)

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as e:
            _warn(e)


kwargs = {}
BUILD_SCRIPT = os.path.join("csrc", "build_cffi.py")
try:
    import cffi  # noqa: F401  (a build requirement; absent only by hand)
except ImportError as e:
    _warn(e)
else:
    if os.path.exists(BUILD_SCRIPT):
        kwargs["cffi_modules"] = [BUILD_SCRIPT + ":ffibuilder"]
    else:
        _warn(BUILD_SCRIPT + " is missing")

setup(cmdclass={"build_ext": optional_build_ext}, **kwargs)
