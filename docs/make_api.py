"""Generate docs/api.md, the API reference, from the live code.

    .venv/bin/python docs/make_api.py            # (re)write docs/api.md
    .venv/bin/python docs/make_api.py --check    # exit 1 if it is not current

Every public name of the documented objects is listed with its signature
(inspect.signature) and its docstring, so the reference can never drift
from the code: tests/docs/test_docs.py runs --check.  The output is
deterministic: members in alphabetical order, no object addresses.  It
documents CPython's view of the package (defaults such as rx_capacity are
CPython's; a board has smaller ones, given in the docstrings).
"""

import argparse
import difflib
import inspect
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "api.md")

try:
    import bc26  # the installed package (pip install -e . maps the checkout)
except ImportError:  # not installed: the checkout's core alone
    sys.path.insert(0, os.path.join(ROOT, "micropython"))
    import bc26

import bc26.aio  # noqa: E402
import bc26.commands  # noqa: E402
import bc26.commands_extra  # noqa: E402
import bc26.power  # noqa: E402

# names that are not API although public in their module
_SKIP = {
    "bc26.commands": {"const"},  # the stand-in for micropython.const
}
_SIMPLE = (bool, int, float, str, bytes, type(None))
_NO_DOC = "(no docstring)"


# -- looking at objects ---------------------------------------------------------

def _doc(obj):
    """The object's own docstring, cleaned, or None."""
    doc = getattr(obj, "__doc__", None)
    if not isinstance(doc, str) or not doc.strip():
        return None
    return inspect.cleandoc(doc)


def _signature(obj, fallback="(...)"):
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return fallback


def _owner(cls, name):
    """The class of cls's MRO that defines name, and the raw attribute."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass, klass.__dict__[name]
    return None, None


def _is_builtin(klass):
    return klass is None or klass.__module__ == "builtins"


def _qualified(klass):
    return "%s.%s" % (klass.__module__, klass.__qualname__)


def _bases(cls):
    """'(Base, ...)' as a class statement names them; '' for object."""
    names = [b.__name__ if _is_builtin(b) else _qualified(b)
             for b in cls.__bases__ if b is not object]
    return "(%s)" % ", ".join(names) if names else ""


def _value(value):
    if isinstance(value, tuple) and all(isinstance(v, _SIMPLE) for v in value):
        return repr(value)
    if isinstance(value, _SIMPLE):
        return repr(value)
    return "<%s>" % type(value).__name__


def members(cls):
    """(methods, properties, attributes, classes) of cls: public names
    defined in a class of its own (not a builtin one), each as (name,
    owner, raw)."""
    methods, props, attrs, classes = [], [], [], []
    for name in sorted(dir(cls)):
        if name.startswith("_"):
            continue
        owner, raw = _owner(cls, name)
        if _is_builtin(owner):
            continue
        entry = (name, owner, raw)
        if inspect.isclass(raw):
            classes.append(entry)
        elif isinstance(raw, property):
            props.append(entry)
        elif isinstance(raw, (classmethod, staticmethod)) or inspect.isfunction(raw):
            methods.append(entry)
        elif callable(raw):
            methods.append(entry)
        else:
            attrs.append(entry)
    return methods, props, attrs, classes


def public_methods(cls):
    """Public methods of cls, as (name, function as looked up on cls):
    for the docs test."""
    return [(name, getattr(cls, name)) for name, _, _ in members(cls)[0]]


# -- writing ----------------------------------------------------------------------

def _fence(text):
    """A code fence longer than any run of backticks in text."""
    runs = [len(r) for r in re.findall(r"`+", text)]
    return "`" * max(3, max(runs, default=0) + 1)


def _block(lines):
    text = "\n".join(lines)
    fence = _fence(text)
    return "%spython\n%s\n%s\n" % (fence, text, fence)


def _docstring_lines(doc, indent):
    pad = " " * indent
    if doc is None:
        return [pad + "# " + _NO_DOC]
    body = doc.replace('"""', "'''")  # shown, not run: keep it readable
    lines = body.split("\n")
    if len(lines) == 1:
        return [pad + '"""%s"""' % lines[0]]
    out = [pad + '"""' + lines[0]]
    out += [(pad + line) if line else "" for line in lines[1:]]
    out.append(pad + '"""')
    return out


def _def_lines(name, func, raw=None, indent=0, say_missing=True):
    """`def name(sig):` and its docstring, as help() would show it."""
    pad = " " * indent
    lines = []
    target = func
    if isinstance(raw, classmethod):
        lines.append(pad + "@classmethod")
        sig = _signature(raw.__func__)
        target = raw.__func__
    elif isinstance(raw, staticmethod):
        lines.append(pad + "@staticmethod")
        sig = _signature(raw.__func__)
        target = raw.__func__
    else:
        sig = _signature(func)
    prefix = "async def " if inspect.iscoroutinefunction(target) else "def "
    lines.append(pad + prefix + name + sig + ":")
    doc = _doc(target)
    if doc is None and not say_missing:
        lines.append(pad + "    ...")  # the class docstring says it all
    else:
        lines += _docstring_lines(doc, indent + 4)
    return lines


def render_function(title, func):
    out = ["## `%s`" % title, ""]
    out.append(_block(_def_lines(title.rpartition(".")[2], func)))
    return out


def render_class(title, cls, note=None):
    out = ["## `%s`" % title, ""]
    where = _qualified(cls)
    if where != title:
        out += ["Defined as `%s`." % where, ""]
    if note:
        out += [note, ""]
    head = ["class %s%s:" % (title.rpartition(".")[2], _bases(cls))]
    head += _docstring_lines(_doc(cls), 4)
    owner, init = _owner(cls, "__init__")
    if not _is_builtin(owner):
        head.append("")
        head += _def_lines("__init__", init, indent=4, say_missing=False)
    out.append(_block(head))
    methods, props, attrs, classes = members(cls)
    if classes:
        out += ["### Classes of `%s`" % title, ""]
        for name, owner, raw in classes:
            lines = ["class %s%s:" % (name, _bases(raw))]
            lines += _docstring_lines(_doc(raw), 4)
            out += ["#### `%s.%s`" % (title, name), "", _block(lines)]
    if methods:
        out += ["### Methods of `%s`" % title, ""]
        for name, owner, raw in methods:
            out += ["#### `%s.%s`" % (title, name), ""]
            if owner is not cls:
                out += ["Inherited from `%s`." % _qualified(owner), ""]
            out.append(_block(_def_lines(name, getattr(cls, name), raw)))
    if props:
        out += ["### Properties of `%s`" % title, ""]
        for name, owner, raw in props:
            lines = ["@property", "def %s(self):" % name]
            lines += _docstring_lines(_doc(raw), 4)
            out += ["#### `%s.%s`" % (title, name), "", _block(lines)]
    if attrs:
        out += ["### Class attributes of `%s`" % title, ""]
        lines = []
        for name, owner, raw in attrs:
            line = "%s = %s" % (name, _value(raw))
            if owner is not cls:
                line += "  # from %s" % _qualified(owner)
            lines.append(line)
        out.append(_block(lines))
    return out


def render_module_functions(title, module, names, via=None):
    """The public functions of module (reached as via.<name> if given)."""
    out = []
    for name in names:
        func = getattr(via or module, name)
        out += ["### `%s.%s`" % (title, name), ""]
        out.append(_block(_def_lines(name, func)))
    return out


def _public_functions(module):
    skip = _SKIP.get(module.__name__, ())
    return sorted(name for name, obj in vars(module).items()
                  if not name.startswith("_") and name not in skip
                  and inspect.isfunction(obj)
                  and obj.__module__ == module.__name__)


def _public_constants(module):
    return sorted(name for name, obj in vars(module).items()
                  if not name.startswith("_") and name.isupper()
                  and isinstance(obj, _SIMPLE))


def render_commands():
    cmds = bc26.commands
    extra = bc26.commands_extra
    out = ["## `bc26.commands`", ""]
    doc = _doc(cmds)
    out.append(_block(_docstring_lines(doc, 0)))
    out += ["### Constants", ""]
    out.append(_block(["%s = %s" % (n, _value(getattr(cmds, n)))
                       for n in _public_constants(cmds)]))
    out += ["### Encoders loaded with `bc26.commands`", ""]
    out += render_module_functions("bc26.commands", cmds,
                                   _public_functions(cmds))
    names = [n for n in _public_functions(extra)
             if getattr(cmds, n, None) is getattr(extra, n)]
    out += ["### Encoders loaded on first use", "",
            "These live in `bc26.commands_extra` and are reached as "
            "`bc26.commands.<name>`: the module's `__getattr__` loads "
            "them the first time one is asked for.", ""]
    doc = _doc(extra)
    out.append(_block(_docstring_lines(doc, 0)))
    out += render_module_functions("bc26.commands", extra, names, via=cmds)
    return out


def render_socket_info():
    kind = bc26.SocketInfo
    fields = ", ".join(kind.fields)
    return ["## `bc26.SocketInfo`", "",
            "The kind of the events `Modem.sockets()` returns, one per "
            "`+QISTATE:` line (`e.kind is bc26.SocketInfo`). It is an event "
            "kind, not a class: its events have these fields, in order "
            "(`e.astuple()` gives them all):", "",
            _block([fields])]


def build():
    out = [
        "# API reference",
        "",
        "<!-- generated by docs/make_api.py from the code: do not edit; "
        "run `.venv/bin/python docs/make_api.py` after changing a "
        "signature or a docstring -->",
        "",
        "Every public name of the driver's API, with its signature and "
        "its docstring as the code has them. Defaults are CPython's "
        "(`rx_capacity`, `read_size` and `rx_limit` are smaller on a "
        "board). The README shows the API in use; "
        "[wire.md](wire.md) gives the bytes each operation puts on the "
        "UART and [decisions.md](decisions.md) the choices behind them.",
        "",
        "Contents: `bc26` constants, `bc26.Modem`, `bc26.aio.Modem`, "
        "`bc26.SocketPool`, `bc26.Socket`, `bc26.aio.Socket`, "
        "`bc26.aio.StreamReader`, `bc26.aio.StreamWriter`, "
        "`bc26.aio.open_connection`, `bc26.install_socket_module`, "
        "`bc26.power.Power`, `bc26.power.machine_power`, "
        "`bc26.PingResult`, `bc26.SocketInfo`, `bc26.ModemError`, "
        "`bc26.NotReady`, `bc26.commands`.",
        "",
        "## `bc26` constants",
        "",
        _block(["BUFFER = %r        # access mode 0: the module keeps data "
                "until AT+QIRD" % bc26.BUFFER,
                "DIRECT_PUSH = %r   # access mode 1: the module pushes data "
                "in +QIURC: \"recv\"" % bc26.DIRECT_PUSH,
                "IMPLEMENTATION     # \"c\" (the C tokenizer) or \"python\""]),
    ]
    out += render_class("bc26.Modem", bc26.Modem)
    out += render_class("bc26.aio.Modem", bc26.aio.Modem)
    out += render_class("bc26.SocketPool", bc26.SocketPool)
    out += render_class("bc26.Socket", bc26.Socket,
                        "What `SocketPool.socket()` returns.")
    out += render_class("bc26.aio.Socket", bc26.aio.Socket)
    out += render_class("bc26.aio.StreamReader", bc26.aio.StreamReader)
    out += render_class("bc26.aio.StreamWriter", bc26.aio.StreamWriter)
    out += render_function("bc26.aio.open_connection", bc26.aio.open_connection)
    out += render_function("bc26.install_socket_module",
                           bc26.install_socket_module)
    out += render_class("bc26.power.Power", bc26.power.Power)
    out += render_function("bc26.power.machine_power",
                           bc26.power.machine_power)
    out += render_class("bc26.PingResult", bc26.PingResult,
                        "What `Modem.ping()` returns.")
    out += render_socket_info()
    out += render_class("bc26.ModemError", bc26.ModemError)
    out += render_class("bc26.NotReady", bc26.NotReady)
    out += render_commands()
    text = "\n".join(out).rstrip("\n") + "\n"
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", text)  # never an address
    return re.sub(r"\n{3,}", "\n\n", text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if docs/api.md is not what the code gives")
    args = ap.parse_args(argv)
    text = build()
    if args.check:
        try:
            with open(OUT, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = ""
        if current == text:
            return 0
        diff = list(difflib.unified_diff(
            current.splitlines(), text.splitlines(),
            "docs/api.md (committed)", "docs/api.md (from the code)",
            lineterm="", n=1))
        shown = diff[:80]
        sys.stderr.write("docs/api.md is not current: run "
                         ".venv/bin/python docs/make_api.py\n")
        sys.stderr.write("\n".join(shown) + "\n")
        if len(diff) > len(shown):
            sys.stderr.write("... %d more diff lines\n" % (len(diff) - len(shown)))
        return 1
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print("wrote %s" % os.path.relpath(OUT, ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
