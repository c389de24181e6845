"""What the driver's public methods show in help() and inspect on CPython.

The shells (bc26.Modem, bc26.aio.Modem) make each public method from an
operation by wrapping it, and a wrapper alone would show (self, *args,
**kw). Here the wrapper gets the operation's own signature and docstring,
and the services (services.OPS) become methods as well. CPython only: a
board's functions take no attributes, it loads the services on first use
(Operations.__getattr__), and there this code would be RAM for nothing.
"""

import functools
import inspect


def document(cls, wrap, api, skip=()):
    """cls's methods of api (less skip) and the services, described."""
    from bc26.services import OPS

    for name in api:
        if name not in skip:
            op = getattr(cls, "_op_" + name)
            setattr(cls, name, describe(wrap(op), op, name))
    for name, op in OPS.items():
        setattr(cls, name, describe(wrap(_service(name)), op, name))


def _service(name):
    # looked up when called, so a reloaded services.py is the one that runs
    def op(self, *args, **kw):
        from bc26.services import OPS
        return OPS[name](self, *args, **kw)
    return op


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
