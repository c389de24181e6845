"""Start the BC26, resolve a name, make one TCP round trip, ping, NTP."""
import bc26
import board_wiring as wiring

wiring.power_on()
modem = bc26.Modem(wiring.uart())
print("IP:", modem.start(timeout=90))
print("resolve:", modem.resolve("example.com"))
pool = bc26.SocketPool(modem)
s = pool.socket(pool.AF_INET, pool.SOCK_STREAM)
s.settimeout(20)
s.connect(("example.com", 80))
s.send(b"HEAD / HTTP/1.0\r\nHost: example.com\r\n\r\n")
print(s.recv(128))
s.close()
print("ping:", modem.ping("example.com", count=2))
print("ntp:", modem.ntp("pool.ntp.org"))
