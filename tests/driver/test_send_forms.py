"""Every send form of the manual through the API, the QISTATE queries by
context and by connect id, and the driver's own choice of the cheapest
form for a small payload."""
import pytest

import bc26

from driver_support import (NASTY, ModemReader as _Reader, commands_since, no_traffic,
                            recv_exactly)


def _echoed(modem, n, cid=0):
    return recv_exactly(_Reader(modem, cid), n)


@pytest.mark.parametrize("text,on_wire", [
    ("hello", b'AT+QISEND=0,5,hello'),
    ("{t: 21.5, ok: 1}", b'AT+QISEND=0,16,"{t: 21.5, ok: 1}"'),
])
def test_send_text_is_one_exchange(modem, emu, tcp_echo, tcp_addr, text,
                                   on_wire):
    modem.open_socket(0, "TCP", *tcp_addr)
    mark = len(emu.log)
    assert modem.send_text(0, text) == len(text)
    assert commands_since(emu, mark) == [on_wire]
    assert _echoed(modem, len(text)) == text.encode()


@pytest.mark.parametrize("bad", ['say "hi"', "a;b", "line\r\n", "caf\u00e9", ""])
def test_send_text_refuses_what_the_line_cannot_carry(modem, emu, wire,
                                                      tcp_addr, bad):
    modem.open_socket(0, "TCP", *tcp_addr)
    with no_traffic(emu, wire):
        with pytest.raises(ValueError):
            modem.send_text(0, bad)


def test_send_hex_carries_any_byte(modem, emu, tcp_echo, tcp_addr):
    modem.open_socket(0, "TCP", *tcp_addr)
    data = bytes(range(256)) * 2  # 512: QISENDEX's limit
    mark = len(emu.log)
    assert modem.send_hex(0, data) == 512
    assert commands_since(emu, mark) == [
        b"AT+QISENDEX=0,512," + data.hex().encode()]
    assert _echoed(modem, 512) == data
    with no_traffic(emu):
        with pytest.raises(ValueError):
            modem.send_hex(0, b"x" * 513)


def test_send_variable_ends_in_ctrl_z(modem, emu, tcp_echo, tcp_addr):
    modem.open_socket(0, "TCP", *tcp_addr)
    data = b"variable length\r\nOK\r\n" * 10
    mark = len(emu.log)
    assert modem.send_variable(0, data) == len(data)
    assert commands_since(emu, mark) == [b"AT+QISEND=0"]
    assert [e.data for e in emu.log[mark:] if e.kind == "data"] == [data]
    assert _echoed(modem, len(data)) == data
    with no_traffic(emu):
        with pytest.raises(ValueError):
            modem.send_variable(0, b"no \x1a inside")
        with pytest.raises(ValueError):
            modem.send_variable(0, b"no \x1b inside")


def test_send_variable_in_hex_format(modem, emu, tcp_echo, tcp_addr):
    modem.configure(dataformat=(1, 0))
    modem.open_socket(0, "TCP", *tcp_addr)
    data = bytes(range(200))
    assert modem.send_variable(0, data) == 200
    assert _echoed(modem, 200) == data


def test_small_sends_take_one_exchange(modem, emu, tcp_echo, tcp_addr):
    """Up to modem.small_send bytes go as AT+QISENDEX (no '>' prompt to
    wait for); longer ones in data mode; small_send = 0 turns it off."""
    modem.open_socket(0, "TCP", *tcp_addr)
    small = NASTY[:modem.small_send]
    mark = len(emu.log)
    modem.send(0, small)
    assert commands_since(emu, mark) == [
        b"AT+QISENDEX=0,%d,%s" % (len(small), small.hex().encode())]
    assert _echoed(modem, len(small)) == small
    big = NASTY[:modem.small_send + 1]
    mark = len(emu.log)
    modem.send(0, big)
    assert commands_since(emu, mark)[0] == b"AT+QISEND=0,%d" % len(big)
    assert _echoed(modem, len(big)) == big
    modem.small_send = 0
    mark = len(emu.log)
    modem.send(0, b"x")
    assert commands_since(emu, mark)[0] == b"AT+QISEND=0,1"
    assert _echoed(modem, 1) == b"x"


def test_qistate_by_context_and_by_connect_id(modem, emu, tcp_addr, udp_addr):
    modem.open_socket(0, "TCP", *tcp_addr)
    modem.open_socket(3, "UDP", *udp_addr, access_mode=bc26.DIRECT_PUSH)
    by_ctx = modem.sockets(1)
    assert [(e.connect_id, e.service_type) for e in by_ctx] == [
        (0, "TCP"), (3, "UDP")]
    assert all(e.kind is bc26.SocketInfo for e in by_ctx)
    one = modem.socket_state(3)
    assert (one.connect_id, one.service_type, one.remote_port, one.state,
            one.access_mode) == (3, "UDP", udp_addr[1], 2, 1)
    assert modem.socket_state(2) is None
    mark = len(emu.log)
    modem.sockets(1)
    modem.socket_state(0)
    assert commands_since(emu, mark) == [b"AT+QISTATE=0,1",
                                         b"AT+QISTATE=1,0"]
    with no_traffic(emu):
        with pytest.raises(ValueError):
            modem.socket_state(5)
        with pytest.raises(ValueError):
            modem.sockets(4)


@pytest.fixture
def echo6():
    from bc26.emulator.servers import TCPEchoServer, UDPEchoServer
    with TCPEchoServer(host="::1") as tcp, UDPEchoServer(host="::1") as udp:
        yield tcp, udp


@pytest.mark.parametrize("mode", [bc26.BUFFER, bc26.DIRECT_PUSH])
def test_ipv6_echo_round_trip_on_loopback(modem, emu, echo6, mode):
    tcp, udp = echo6
    pool = bc26.SocketPool(modem, access_mode=mode)
    assert pool.getaddrinfo("::1", tcp.port, pool.AF_INET6)[0][4][:2] == (
        "::1", tcp.port)
    with pool.socket(pool.AF_INET6, pool.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(("::1", tcp.port, 0, 0))
        s.sendall(NASTY)
        assert recv_exactly(s, len(NASTY)) == NASTY
        state = modem.socket_state(s.connect_id)
        assert (state.service_type, state.host) == ("TCP", "::1")
    with pool.socket(pool.AF_INET6, pool.SOCK_DGRAM) as u:
        u.settimeout(5)
        u.sendto(b"datagram over IPv6", ("::1", udp.port))
        assert u.recvfrom(64) == (b"datagram over IPv6", ("::1", udp.port))
    mark = len(emu.log)
    modem.open_socket(0, "TCP", "::1", tcp.port, protocol_type=1)
    assert commands_since(emu, mark)[0] == (
        b'AT+QIOPEN=1,0,"TCP","::1",%d,0,0,1' % tcp.port)
    modem.close_socket(0)


def test_getaddrinfo_unknown_name_is_gaierror(pool):
    with pytest.raises(pool.gaierror) as exc:
        pool.getaddrinfo("nowhere.test", 80)
    assert exc.value.errno == pool.EAI_NONAME
    with pytest.raises(pool.gaierror):
        pool.getaddrinfo("echo.test", 80, pool.AF_INET6)  # IPv4 only


@pytest.mark.parametrize("size", [100, 512])
def test_small_send_can_be_raised_to_512(modem, emu, tcp_echo, tcp_addr, size):
    modem.open_socket(0, "TCP", *tcp_addr)
    modem.small_send = size
    data = bytes(range(256)) * 2
    data = data[:size]
    mark = len(emu.log)
    assert modem.send(0, data) == size
    assert commands_since(emu, mark) == [
        b"AT+QISENDEX=0,%d,%s" % (size, data.hex().encode())]
    assert _echoed(modem, size) == data
