"""The `bc26` command line.

    bc26 emulate --pty                 prints "pty: /dev/pts/N" first
    bc26 emulate --listen 127.0.0.1:0  prints "listening: 127.0.0.1:PORT" first
    bc26 demo [--port URL]             a full session, shown as AT exchange
    bc26 board [--root DIR]            a virtual MicroPython board: prints
                                       "board: /dev/pts/N", then "root: DIR"
    bc26 deploy --port PORT [--board NAME]   the driver onto a board (mpremote)

emulate and board serve until SIGINT or SIGTERM and then exit with status 0.
Subcommands register themselves in SUBCOMMANDS: (name, add_arguments, run).
"""
import argparse
import signal
import sys
import threading


def _host_port(text):
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError("expected HOST:PORT, e.g. 127.0.0.1:0")
    return host, int(port)


def _emulate_args(p):
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--pty", action="store_true",
                       help="serve on a new pseudo-terminal (raw mode)")
    where.add_argument("--listen", type=_host_port, metavar="HOST:PORT",
                       help="serve on TCP, for pyserial's socket://HOST:PORT")
    p.add_argument("--baud", type=int, default=0, metavar="N",
                   help="pace both directions at N/10 bytes/s; 0 = unpaced (default)")
    p.add_argument("--boot-delay", type=float, default=0.5, metavar="S",
                   help="seconds from power-up to RDY (default 0.5)")
    p.add_argument("--ip-delay", type=float, default=0.5, metavar="S",
                   help="seconds from RDY to +IP (default 0.5)")
    p.add_argument("--dns-server", action="append", default=[], metavar="IP",
                   help="DNS server given by the network (repeatable)")
    p.add_argument("--dns-port", type=int, default=53, metavar="N",
                   help="port for DNS queries (test aid, default 53)")
    p.add_argument("--ntp-port", type=int, default=123, metavar="N",
                   help="port used for AT+QNTP (test aid, default 123)")
    p.add_argument("--ping-interval", type=float, default=0.1, metavar="S",
                   help="seconds between the echo requests of one AT+QPING")
    p.add_argument("--recv-variant", choices=("line", "quoted"), default="line",
                   help="direct-push layout (default: line)")
    p.add_argument("--late-close-ok", type=float, default=0.0, metavar="S",
                   help="send CLOSE OK S seconds after OK")
    p.add_argument("--allow-any-address", action="store_true",
                   help="allow addresses outside 127.0.0.0/8 (off by default)")
    p.add_argument("--log", metavar="FILE",
                   help="write every received line and data block to FILE ('-': stderr)")


def _emulate(args):
    from bc26.emulator import Emulator, format_entry

    log_file = None
    if args.log:
        log_file = sys.stderr if args.log == "-" else open(args.log, "a", buffering=1)

    def on_log(entry):
        log_file.write(format_entry(entry) + "\n")
        log_file.flush()

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    emu = Emulator(
        pty=args.pty, listen=args.listen, baud=args.baud, boot_delay=args.boot_delay,
        ip_delay=args.ip_delay, dns_servers=args.dns_server, dns_port=args.dns_port,
        ntp_port=args.ntp_port, ping_interval=args.ping_interval,
        allow_any_address=args.allow_any_address, recv_variant=args.recv_variant,
        close_ok_delay=args.late_close_ok, on_log=on_log if log_file else None)
    try:
        emu.start()
    except OSError as e:
        print("bc26 emulate: %s" % e, file=sys.stderr)
        return 1
    with emu:
        if args.pty:
            print("pty: %s" % emu.url, flush=True)
        else:
            print("listening: %s:%d" % tuple(emu.address), flush=True)
        while not stop.wait(0.5):
            pass
    if log_file not in (None, sys.stderr):
        log_file.close()
    return 0


def _demo_args(p):
    from . import demo
    demo.add_arguments(p)


def _demo(args):
    from . import demo
    return demo.main(args)


def _board_args(p):
    try:
        from . import board
    except ImportError:  # no pty/termios (Windows): `bc26 board` says so
        return
    board.add_arguments(p)


def _board(args):
    try:
        from . import board
    except ImportError as e:
        print("bc26 board: needs a POSIX system with pseudo-terminals (%s)" % e,
              file=sys.stderr)
        return 1
    return board.main(args)


def _deploy_args(p):
    from . import deploy
    deploy.add_arguments(p)


def _deploy(args):
    from . import deploy
    return deploy.main(args)


SUBCOMMANDS = [
    ("emulate", "run a BC26 emulator on a pty or a TCP port", _emulate_args, _emulate),
    ("demo", "run a full session (against a private emulator unless --port)",
     _demo_args, _demo),
    ("board", "a virtual MicroPython board (the unix port) with an emulated "
     "BC26 on its UART, for mpremote", _board_args, _board),
    ("deploy", "compile the driver and copy it, a board's wiring and "
     "simpletest.py onto a board with mpremote", _deploy_args, _deploy),
]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bc26", description="Quectel BC26 tools")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, help_text, add_args, run in SUBCOMMANDS:
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_args(p)
        p.set_defaults(run=run)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
