"""The services a board loads on first call (Operations.__getattr__) are
named in operations.SERVICE_NAMES: the names must be services.OPS's, all of
them, and on CPython each is a real method of both shells."""
import bc26
import bc26.aio
from bc26 import operations, services


def test_the_names_are_the_services():
    assert sorted(operations.SERVICE_NAMES.split()) == sorted(services.OPS)
    assert operations.SERVICE_NAMES.startswith(" ")
    assert operations.SERVICE_NAMES.endswith(" ")


def test_on_cpython_each_service_is_a_method_of_both_shells():
    for cls in (bc26.Modem, bc26.aio.Modem):
        for name in services.OPS:
            assert callable(cls.__dict__.get(name)), (cls, name)
