"""On MicroPython the services (ping, ntp, ...) are not methods: the first
call loads services.py (Operations.__getattr__), and nothing else does --
not hasattr() of another name, not a private lookup.  The unix port, the
core as .mpy."""
import unixport

SCRIPT = '''
import sys
import bc26


class UART:  # a module that never answers: no call here needs one
    def write(self, b):
        return len(b)

    def readinto(self, b):
        return 0


m = bc26.Modem(UART())
print("loaded", "bc26.services" in sys.modules)
print("hasattr", hasattr(m, "no_such_service"), hasattr(m, "_no_such"),
      hasattr(m, "dns"), hasattr(m, "ping "))
print("loaded", "bc26.services" in sys.modules)
print("ping", callable(m.ping))
print("loaded", "bc26.services" in sys.modules)
'''


def test_services_load_on_first_use_only():
    rc, out, err = unixport.run_script(SCRIPT)
    assert rc == 0, out + err
    assert out.splitlines() == ["loaded False", "hasattr False False False False",
                                "loaded False", "ping True", "loaded True"], out
