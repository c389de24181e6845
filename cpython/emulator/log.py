"""The command log: every line and data block the module receives."""
import collections

LogEntry = collections.namedtuple("LogEntry", "t kind data")
LogEntry.__doc__ = """t: seconds since the emulator started; kind: "line" (a
command line without its CR), "data" (a data-mode payload as sent, without
Ctrl-Z; hex digits in hex mode), "cancel" (a payload dropped with ESC) or
"lost" (bytes that came while the module could not listen: before RDY, or
muted); data: the bytes."""


def escape(data):
    """Printable ASCII as is, everything else as \\r, \\n or \\xNN."""
    out = []
    for b in data:
        if b == 0x0D:
            out.append("\\r")
        elif b == 0x0A:
            out.append("\\n")
        elif b == 0x5C:
            out.append("\\\\")
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append("\\x%02x" % b)
    return "".join(out)


def format_entry(entry):
    return "%10.3f %-6s %s" % (entry.t, entry.kind, escape(entry.data))
