"""What the driver's public methods show in help() and inspect on CPython.

The shells (bc26.Modem, bc26.aio.Modem) make each public method from an
operation by wrapping it, and a wrapper alone would show (self, *args,
**kw). Here the wrapper gets the operation's own signature and docstring.
CPython only: a board's functions take no attributes, and there this code
would be RAM for nothing (the core imports it only off the board).
"""

import functools
import inspect


def describe(method, op, name):
    """method, showing op's signature (first parameter named self) and
    docstring under name."""
    functools.update_wrapper(method, op)
    method.__name__ = method.__qualname__ = name
    params = list(inspect.signature(op).parameters.values())
    if params and params[0].name != "self":  # services.py's functions
        params[0] = params[0].replace(name="self")
    method.__signature__ = inspect.Signature(params)
    del method.__wrapped__  # the signature above is the one to show
    return method
