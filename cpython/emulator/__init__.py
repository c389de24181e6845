"""A Quectel BC26 emulator: the module's TCP/IP AT command set on a real
pseudo-terminal or TCP port, with real sockets, DNS, NTP and ping on this
machine (loopback only, unless told otherwise).

    from bc26.emulator import Emulator
    with Emulator(pty=True, boot_delay=0.05, ip_delay=0.05) as emu:
        port = serial.serial_for_url(emu.url, timeout=1)
        emu.wait_ready()
        ...

Constructor (all keyword arguments)
    pty=True | listen=("127.0.0.1", 0) (or "127.0.0.1:0")
        the endpoint: a pty pair in raw mode (url is the slave path) or a
        TCP port for pyserial's socket:// URL (one client at a time; the
        module powers up when a client connects, off when it leaves)
    baud=0              pace both directions at baud/10 bytes/s (0: unpaced)
    boot_delay=0.5      s from power-up (start, client connect, reboot) to
                        the boot output (BROM junk, RDY, +CFUN: 1, +CPIN: READY)
    ip_delay=0.5        s from RDY to registration: +IP: <ip> (and +CEREG: 1
                        when AT+CEREG=1 or higher was set)
    ip="127.0.0.1"      the address in +IP / +CGPADDR
    dns_servers=None    DNS servers "from the network" (reported by
                        AT+QIDNSCFG=1 and restored at reboot); None: the
                        system resolver (hosts file only unless the system
                        resolver is itself on loopback or allow_any_address)
    dns_port=53         port for DNS queries (a test aid)
    ntp_port=123        port used for AT+QNTP when the command names port
                        123 or none (a test aid)
    dns_timeout=2.0, ntp_timeout=3.0, connect_timeout=10.0   (seconds)
    ping_interval=0.1   s between the echo requests of one AT+QPING
    allow_any_address=False   without it, any address outside 127.0.0.0/8
                        and ::1 is refused: QIOPEN -> +QIOPEN: <id>,566, QNTP
                        -> +QNTP: 569, QPING -> every request lost (+QPING:
                        569), DNS servers outside loopback are never asked (565)
    recv_variant="line" direct-push layout; "quoted" gives the inline form
                        +QIURC: "recv",0,4,"54657374" seen on some firmware
    close_ok_delay=0.0  s between OK and CLOSE OK (late CLOSE OK firmware)
    on_log=None         callable(entry) for each log entry, on the loop thread

Attributes and methods
    url, address        where to connect; start(), close(), context manager
    log                 list of LogEntry(t, kind, data): t in s since start,
                        kind "line" (a command line, no CR), "data" (a
                        data-mode payload, no Ctrl-Z), "cancel" (ESC) or
                        "lost" (input before RDY or while muted);
                        format_entry(entry) prints one
    wait_boot(t), wait_ready(t)   wait for RDY / +IP of this power cycle
    reboot()            power-cycle now (sockets gone, NVRAM kept)
    urc(line)           emit a URC now
    sockets(), settings()   snapshots of the module's state
    call(fn, *args)     run fn on the emulator's thread
    faults              the fault API (see faults.Faults):
        inject_urc(line, at="now"|"after_echo"|"before_prompt"|"before_ok"
                   |"after_ok", on=None)     whole lines at frame boundaries
        drop_output(count=1, skip=0), corrupt_output(count=1, skip=0, xor=0x5A)
        delay_reply(seconds, on=None)        hold the next reply
        send_fail_next(count=1)              OK then SEND FAIL
        lose_pings(count=1)                  the next echo replies are lost
        late_close_ok(seconds)               CLOSE OK after OK by seconds
        remote_close(connect_id)             act as if the peer closed
        fill_buffer(connect_id, nodes=None, size=64)   buffer full on demand
        reboot_in_data_mode(after=0)         reboot after N payload bytes
        mute(), unmute()                     stop / resume answering
        clear()

Behaviour where the manual is silent (besides those in docs/decisions.md)
    - input before RDY or while muted is lost; input typed while a command
      runs waits, and is echoed when its turn comes
    - a failed AT+QIOPEN keeps its connectID (state 0) until AT+QICLOSE; an id
      in use -> ERROR 563; AT+QICLOSE of an unused id -> OK, CLOSE OK
    - send/read/switch on an id without a (connected) socket -> ERROR 567;
      SEND FAIL sets 558; more than 64 KiB unsent on a socket -> SEND FAIL
    - data mode: an empty or over-long payload before Ctrl-Z -> ERROR 552
    - AT+QPING: a lost request gives "+QPING: 569"; the summary follows
      when at least one reply came; with every request lost (or a failure
      before any request, DNS 565) the last line is a bare "+QPING: <err>"
      (569 for the losses); an IPv6 <host> -> ERROR, <err> 555
    - AT+QIOPEN <protocol_type> 1: an IPv6 address literal (real AF_INET6
      sockets); a literal of the other family -> ERROR 552; a domain name
      -> +QIOPEN: <id>,565 (DNS is IPv4 only); +QISTATE shows the address
      as given
    - a <local_port> held by a live socket (of any process) -> +QIOPEN:
      <id>,574; one whose last TCP connection is in TIME_WAIT is free
    - output for a host that does not read is capped at 1 MiB, whole frames
      dropped beyond it (line.py)
    - AT+QIDNSCFG=1 lists nothing (just OK) while no server is known
    - TCP nodes hold at most 1460 bytes (one read); a UDP datagram is a node,
      and in direct push one URC

Test servers for loopback live in bc26.emulator.servers.
"""
from .emulator import Emulator
from .faults import Faults
from .log import LogEntry, format_entry

__all__ = ["Emulator", "Faults", "LogEntry", "format_entry"]
