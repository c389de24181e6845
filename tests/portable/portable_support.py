"""Helpers for the portable suite: plain Python that runs under pytest on
CPython and under mptest.py on MicroPython (no pytest import)."""


def raises(exc_type, fn, *args, **kw):
    """Call fn(*args, **kw); return the exc_type it raises, fail otherwise.

    A different exception propagates unchanged, so its traceback shows.
    """
    try:
        fn(*args, **kw)
    except exc_type as e:
        return e
    name = getattr(exc_type, "__name__", repr(exc_type))
    raise AssertionError("%s not raised by %s" % (name, _name(fn)))


def _name(fn):
    return getattr(fn, "__name__", repr(fn))
