"""Splitting an AT command line into name, form and parameters.

Written from V.25ter and the manual alone; it shares nothing with the
driver's parser on purpose, so the two can check each other.
"""
import socket

TEST, READ, WRITE, EXEC = "test", "read", "write", "exec"


class BadCommand(Exception):
    """The line is not a command this module understands (plain ERROR)."""


class BadParam(Exception):
    """A parameter is missing, malformed or out of range (<err> 552)."""

    def __init__(self, code=552):
        Exception.__init__(self, code)
        self.code = code


class Arg:
    """One parameter: its text and whether it was in double quotes."""

    __slots__ = ("text", "quoted")

    def __init__(self, text, quoted):
        self.text = text
        self.quoted = quoted

    def __repr__(self):
        return "Arg(%r, %r)" % (self.text, self.quoted)


class Command:
    """A parsed command line.

    name: "+QIOPEN", "E", "I", "Z", "" (bare AT) ...; form: TEST/READ/WRITE/EXEC;
    raw: the text after "=" (write form); line: the whole line as text.
    """

    def __init__(self, line, name, form, raw):
        self.line = line
        self.name = name
        self.form = form
        self.raw = raw
        self._args = None

    @property
    def args(self):
        if self._args is None:
            self._args = split_args(self.raw) if self.raw is not None else []
        return self._args

    def __repr__(self):
        return "Command(%r, %r, %r)" % (self.name, self.form, self.raw)


def parse(line):
    """Parse one command line (bytes without the terminator)."""
    text = line.decode("latin-1").strip(" ")
    if text[:2].upper() != "AT":
        raise BadCommand(text)
    body = text[2:]
    if not body:
        return Command(text, "", EXEC, None)
    if body[0] == "+":
        i = 1
        while i < len(body) and (body[i].isalnum() or body[i] in "_"):
            i += 1
        if i == 1:
            raise BadCommand(text)
        name = body[:i].upper()
        rest = body[i:]
        if rest == "":
            return Command(text, name, EXEC, None)
        if rest == "?":
            return Command(text, name, READ, None)
        if rest == "=?":
            return Command(text, name, TEST, None)
        if rest[0] == "=":
            return Command(text, name, WRITE, rest[1:])
        raise BadCommand(text)
    # Basic commands: a letter (or &letter) and an optional number.
    if body[0] == "&":
        name, rest = body[:2].upper(), body[2:]
    else:
        name, rest = body[0].upper(), body[1:]
    if not name.strip("&").isalpha():
        raise BadCommand(text)
    if rest == "":
        return Command(text, name, EXEC, None)
    if rest.isdigit():
        return Command(text, name, WRITE, rest)
    if rest == "?":
        return Command(text, name, READ, None)
    raise BadCommand(text)


def split_args(raw, maxsplit=-1):
    """Split parameters at commas outside double quotes.

    With maxsplit, the last element keeps the unsplit remainder (as text,
    quotes untouched) - for QISEND's data, which may contain commas.
    """
    args = []
    i = 0
    n = len(raw)
    while True:
        if maxsplit >= 0 and len(args) == maxsplit:
            args.append(Arg(raw[i:], False))
            return args
        # skip spaces before a parameter
        while i < n and raw[i] == " ":
            i += 1
        if i < n and raw[i] == '"':
            j = raw.find('"', i + 1)
            if j < 0:
                raise BadParam()
            arg = Arg(raw[i + 1:j], True)
            i = j + 1
            while i < n and raw[i] == " ":
                i += 1
            if i < n and raw[i] != ",":
                raise BadParam()
        else:
            j = raw.find(",", i)
            if j < 0:
                j = n
            token = raw[i:j].strip(" ")
            if '"' in token:
                raise BadParam()
            arg = Arg(token, False)
            i = j
        args.append(arg)
        if i >= n:
            return args
        i += 1  # the comma
        if i >= n:
            args.append(Arg("", False))  # trailing comma: empty parameter
            return args


# -- parameter helpers ----------------------------------------------------

def nargs(args, lo, hi=None):
    """Check the parameter count is within lo..hi."""
    if hi is None:
        hi = lo
    if not lo <= len(args) <= hi:
        raise BadParam()


def get_int(args, i, lo, hi, default=None):
    """Parameter i as an integer in lo..hi; default when absent."""
    if i >= len(args):
        if default is None:
            raise BadParam()
        return default
    a = args[i]
    if a.quoted or not a.text.isdigit() or len(a.text) > 6:
        raise BadParam()
    v = int(a.text)
    if not lo <= v <= hi:
        raise BadParam()
    return v


def get_str(args, i, default=None, maxlen=255):
    """Parameter i as a string (quoted, or bare as many firmwares accept)."""
    if i >= len(args):
        if default is None:
            raise BadParam()
        return default
    a = args[i]
    if not a.text or len(a.text) > maxlen:
        raise BadParam()
    return a.text


def is_ipv4(text):
    parts = text.split(".")
    if len(parts) != 4:
        return False
    for p in parts:
        if not p.isdigit() or len(p) > 3 or int(p) > 255:
            return False
    return True


def is_ipv6(text):
    """An IPv6 address literal (no zone index, no brackets)."""
    if ":" not in text:
        return False
    try:
        socket.inet_pton(socket.AF_INET6, text)
    except (OSError, ValueError):
        return False
    return True
