"""Start the BC26, resolve a name, make TCP and UDP round trips, ping, NTP.

Shared by every board: copy the board's board.py as board_wiring.py first
(`bc26 deploy --board NAME` does; see README.md). A real board talks to
the public hosts in DEFAULTS; a wiring file may replace any of them with
its own TARGETS dict (the virtual board's points at loopback servers), and
run() takes the same keys. A target set to None skips its step."""
import bc26
import board_wiring as wiring

DEFAULTS = {
    "resolve": "example.com",    # a name to look up
    "http": ("example.com", 80),  # a web server: HEAD /, first bytes shown
    "tcp_echo": None,            # (host, port) of a TCP echo server
    "udp_echo": None,            # (host, port) of a UDP echo server
    "ping": "example.com",
    "ntp": "pool.ntp.org",
}

PAYLOAD = bytes(range(256)) * 2  # every byte value, CR, LF, Ctrl-Z, ESC too


def targets(**overrides):
    t = dict(DEFAULTS)
    t.update(getattr(wiring, "TARGETS", None) or {})
    t.update(overrides)
    return t


def _receive(sock, n):
    got = b""
    while len(got) < n:
        chunk = sock.recv(n - len(got))
        if not chunk:
            break
        got += chunk
    return got


def run(**overrides):
    t = targets(**overrides)
    wiring.power_on()
    modem = bc26.Modem(wiring.uart())
    print("IP:", modem.start(timeout=90))
    if t["resolve"]:
        print("resolve:", modem.resolve(t["resolve"]))
    pool = bc26.SocketPool(modem)
    if t["http"]:
        host, port = t["http"]
        with pool.socket(pool.AF_INET, pool.SOCK_STREAM) as s:
            s.settimeout(20)
            s.connect((host, port))
            s.send(b"HEAD / HTTP/1.0\r\nHost: " + host.encode() + b"\r\n\r\n")
            print(s.recv(128))
    if t["tcp_echo"]:
        with pool.socket(pool.AF_INET, pool.SOCK_STREAM) as s:
            s.settimeout(20)
            s.connect(tuple(t["tcp_echo"]))
            s.sendall(PAYLOAD)
            got = _receive(s, len(PAYLOAD))
            print("tcp echo: %d bytes, intact: %s" % (len(got), got == PAYLOAD))
    if t["udp_echo"]:
        with pool.socket(pool.AF_INET, pool.SOCK_DGRAM) as u:
            u.settimeout(20)
            datagram = PAYLOAD[:200]
            u.sendto(datagram, tuple(t["udp_echo"]))
            got = u.recv(512)
            print("udp echo: %d bytes, intact: %s" % (len(got), got == datagram))
    if t["ping"]:
        print("ping:", modem.ping(t["ping"], count=2))
    if t["ntp"]:
        print("ntp:", modem.ntp(t["ntp"]))
    modem.close()


if __name__ == "__main__":
    run()
