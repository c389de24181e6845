"""Start the BC26, resolve a name, make one TCP round trip, ping, NTP.

Shared by every board: copy the board's board.py as board_wiring.py first
(see README.md)."""
import bc26
import board_wiring as wiring


def run(host="example.com", port=80, ntp_server="pool.ntp.org"):
    wiring.power_on()
    modem = bc26.Modem(wiring.uart())
    print("IP:", modem.start(timeout=90))
    print("resolve:", modem.resolve(host))
    pool = bc26.SocketPool(modem)
    with pool.socket(pool.AF_INET, pool.SOCK_STREAM) as s:
        s.settimeout(20)
        s.connect((host, port))
        s.send(b"HEAD / HTTP/1.0\r\nHost: " + host.encode() + b"\r\n\r\n")
        print(s.recv(128))
    print("ping:", modem.ping(host, count=2))
    print("ntp:", modem.ntp(ntp_server))


if __name__ == "__main__":
    run()
