"""Helpers for the driver tests (a uniquely named module: tests import it by
name, which a second conftest.py elsewhere in the tree could shadow)."""
import contextlib
import hashlib
import time

EMU_FAST = dict(boot_delay=0.01, ip_delay=0.01, ping_interval=0.01,
                dns_timeout=0.5, ntp_timeout=0.5, connect_timeout=2.0)
TRANSPORTS = ["pty", "tcp"]

# Payloads that a line-oriented parser would get wrong.
NASTY = (bytes(range(256)) + b"\r\nOK\r\n" + b'+QIURC: "recv",0,5\r\n'
         + b"\r\nERROR\r\n> " + b"\x1a\x1b" + b'\r\n+QIURC: "closed",0\r\n'
         + b"SEND OK\r\n+QIRD: 3\r\n" + bytes(range(255, -1, -1)))


class WireWatch:
    """Modem(log=...) callback: every byte the driver writes and reads."""

    def __init__(self):
        self.out = []
        self.inp = bytearray()

    def __call__(self, direction, data):
        if direction == ">":
            self.out.append(bytes(data))
        else:
            self.inp += data

    @property
    def written(self):
        return b"".join(self.out)


@contextlib.contextmanager
def no_traffic(emu, wire=None, settle=0.05):
    """Nothing inside the block may reach the module: no command-log entry
    (and, with a WireWatch, not a single byte written)."""
    n_log = len(emu.log)
    n_out = len(wire.out) if wire is not None else 0
    yield
    time.sleep(settle)
    assert emu.log[n_log:] == [], "AT traffic: %r" % (emu.log[n_log:],)
    if wire is not None:
        assert wire.out[n_out:] == [], "bytes written: %r" % (wire.out[n_out:],)


def commands_since(emu, mark):
    """The command lines the module got after log position mark."""
    return [e.data for e in emu.log[mark:] if e.kind == "line"]


class ModemReader:
    """recv() over Modem.recv_into (socket cid, 5 s), for recv_exactly."""

    def __init__(self, modem, cid):
        self.modem, self.cid = modem, cid

    def recv(self, n):
        buf = bytearray(n)
        return bytes(buf[:self.modem.recv_into(self.cid, buf, 0, 5000)])


def recv_exactly(sock, n, chunk=4096):
    out = bytearray()
    while len(out) < n:
        data = sock.recv(min(chunk, n - len(out)))
        if not data:
            raise AssertionError("EOF after %d of %d bytes" % (len(out), n))
        out += data
    return bytes(out)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def records(first, count):
    """Unique, self-delimiting records: b"<0000123>" ..."""
    return b"".join(b"<%07d>" % i for i in range(first, first + count))


def parse_records(data):
    """The record numbers that arrived intact, in order of arrival."""
    out = []
    for part in bytes(data).split(b"<")[1:]:
        end = part.find(b">")
        if end == 7 and part[:7].isdigit():
            out.append(int(part[:7]))
    return out


def assert_no_duplicates(numbers):
    """Each record at most once, in increasing order."""
    assert len(numbers) == len(set(numbers)), "duplicated records"
    assert numbers == sorted(numbers), "records out of order"


def wait_for(cond, timeout=3.0, step=0.01):
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            return False
        time.sleep(step)
    return True
