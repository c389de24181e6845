"""The documentation stays true to the code.

- docs/api.md is what docs/make_api.py makes from the code now;
- every public method of the API classes has a docstring and a real
  signature (not the wrappers' (self, *args, **kw));
- every relative link in README.md and docs/*.md leads to a file (and,
  for a heading anchor, to a heading) that exists;
- no source file cites documents that are not in the repository.
"""

import inspect
import os
import re
import subprocess
import sys

import pytest

import bc26
import bc26.aio

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCS = os.path.join(ROOT, "docs")


# -- (a) docs/api.md is current ---------------------------------------------------

def test_api_md_is_current():
    proc = subprocess.run(
        [sys.executable, os.path.join(DOCS, "make_api.py"), "--check"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True, timeout=120)
    assert proc.returncode == 0, (
        "docs/api.md is out of date; run .venv/bin/python docs/make_api.py\n"
        + proc.stderr[-4000:])


# -- (b) docstrings and signatures --------------------------------------------------

API_CLASSES = (
    ("bc26.Modem", bc26.Modem),
    ("bc26.aio.Modem", bc26.aio.Modem),
    ("bc26.SocketPool", bc26.SocketPool),
    ("bc26.Socket", bc26.Socket),
    ("bc26.aio.Socket", bc26.aio.Socket),
)


def _owner(cls, name):
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass
    return None


def _public_methods(cls):
    """Public methods (functions, class and static methods) of cls defined
    in the project's classes, inherited ones included."""
    out = []
    for name in sorted(dir(cls)):
        if name.startswith("_"):
            continue
        owner = _owner(cls, name)
        if owner is None or owner.__module__ == "builtins":
            continue
        raw = owner.__dict__[name]
        if inspect.isclass(raw) or isinstance(raw, property):
            continue
        if isinstance(raw, (classmethod, staticmethod)):
            raw = raw.__func__
        if inspect.isfunction(raw):
            out.append((name, raw))
    return out


METHODS = [(title + "." + name, func)
           for title, cls in API_CLASSES
           for name, func in _public_methods(cls)]
CLASSES = [(title, cls) for title, cls in API_CLASSES]


def _has_doc(obj):
    doc = obj.__dict__.get("__doc__") if inspect.isclass(obj) else obj.__doc__
    return isinstance(doc, str) and bool(doc.strip())


@pytest.mark.parametrize("title, cls", CLASSES, ids=[t for t, _ in CLASSES])
def test_class_has_docstring(title, cls):
    assert _has_doc(cls), "%s has no docstring of its own" % title


@pytest.mark.parametrize("title, func", METHODS, ids=[t for t, _ in METHODS])
def test_method_has_docstring(title, func):
    assert _has_doc(func), "%s has no docstring" % title


def test_methods_without_docstrings_listed():
    """One list of them all, for whoever adds the docstrings."""
    missing = [title for title, func in METHODS if not _has_doc(func)]
    missing += [title + " (class)" for title, cls in CLASSES
                if not _has_doc(cls)]
    assert not missing, "%d without a docstring: %s" % (
        len(missing), ", ".join(missing))


def _is_wrapper_signature(sig):
    params = list(sig.parameters.values())
    if params and params[0].name in ("self", "cls"):
        params = params[1:]
    kinds = [p.kind for p in params]
    return kinds == [inspect.Parameter.VAR_POSITIONAL,
                     inspect.Parameter.VAR_KEYWORD]


@pytest.mark.parametrize("title, func", METHODS, ids=[t for t, _ in METHODS])
def test_method_has_real_signature(title, func):
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError) as e:
        pytest.fail("%s: no signature (%s)" % (title, e))
    assert not _is_wrapper_signature(sig), \
        "%s shows the wrapper's signature %s" % (title, sig)


@pytest.mark.parametrize("title, func", METHODS, ids=[t for t, _ in METHODS])
def test_help_shows_signature_and_docstring(title, func):
    """What help() prints: the real parameters and the docstring's text."""
    import pydoc
    text = pydoc.plain(pydoc.render_doc(func))
    assert "*args, **kw" not in text, text
    params = [p for p in inspect.signature(func).parameters if p != "self"]
    for name in params:
        assert name in text, "%s: %r not in help()" % (title, name)
    first = inspect.getdoc(func).splitlines()[0]
    assert first in text, text


def test_bound_operations_show_their_own_signatures():
    # the operations bound by operations.bind_api, spot-checked by name
    for cls in (bc26.Modem, bc26.aio.Modem):
        assert "timeout" in inspect.signature(cls.start).parameters
        assert "host" in inspect.signature(cls.resolve).parameters
        assert "connect_id" in inspect.signature(cls.open_socket).parameters
        assert "server" in inspect.signature(cls.ntp).parameters
    assert inspect.iscoroutinefunction(bc26.aio.Modem.start)


# -- (c) relative links ----------------------------------------------------------------

def _markdown_files():
    files = [os.path.join(ROOT, "README.md")]
    files += sorted(os.path.join(DOCS, f) for f in os.listdir(DOCS)
                    if f.endswith(".md"))
    return files


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)")
_REFDEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _prose_lines(path, keep_code=False):
    """The file's lines outside fenced code blocks, inline code removed
    (keep_code: kept)."""
    out = []
    fence = None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            m = _FENCE.match(line)
            if fence is None and m:
                fence = m.group(1)
                continue
            if fence is not None:
                if line.strip().startswith(fence[0] * len(fence)) and \
                        not line.strip().strip(fence[0]):
                    fence = None
                continue
            out.append((number, line if keep_code else _INLINE_CODE.sub("", line)))
    return out


def _links(path):
    """(line number, target) of every relative link in the file."""
    found = []
    for number, line in _prose_lines(path):
        targets = _LINK.findall(line)
        m = _REFDEF.match(line)
        if m:
            targets.append(m.group(1))
        for target in targets:
            if _SCHEME.match(target) or target.startswith("//"):
                continue  # http:, https:, mailto: ...
            found.append((number, target))
    return found


def _resolve(path, target):
    """The file a link points at ('' for a link within the same file),
    and its anchor."""
    target, _, anchor = target.partition("#")
    target = target.partition("?")[0]
    if not target:
        return path, anchor
    if target.startswith("/"):
        return os.path.normpath(os.path.join(ROOT, target.lstrip("/"))), anchor
    return os.path.normpath(os.path.join(os.path.dirname(path), target)), anchor


MARKDOWN = [(os.path.relpath(p, ROOT), p) for p in _markdown_files()]


@pytest.mark.parametrize("name, path", MARKDOWN, ids=[n for n, _ in MARKDOWN])
def test_relative_links_point_to_files(name, path):
    broken = []
    for number, target in _links(path):
        dest, _ = _resolve(path, target)
        if not os.path.exists(dest):
            broken.append("%s:%d -> %s" % (name, number, target))
    assert not broken, "links to missing files: " + "; ".join(broken)


def _slug(heading):
    """GitHub's anchor for a heading."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path):
    seen = {}
    anchors = set()
    for _, line in _prose_lines_with_code_headings(path):
        m = re.match(r"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        slug = _slug(m.group(1))
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        anchors.add(slug if n == 0 else "%s-%d" % (slug, n))
    return anchors


def _prose_lines_with_code_headings(path):
    """Lines outside fenced code blocks, inline code kept (a heading's
    `code` is part of its anchor)."""
    return _prose_lines(path, keep_code=True)


@pytest.mark.parametrize("name, path", MARKDOWN, ids=[n for n, _ in MARKDOWN])
def test_relative_link_anchors_exist(name, path):
    broken = []
    for number, target in _links(path):
        dest, anchor = _resolve(path, target)
        if anchor and dest.endswith(".md") and os.path.exists(dest):
            if anchor.lower() not in _anchors(dest):
                broken.append("%s:%d -> %s" % (name, number, target))
    assert not broken, "links to missing headings: " + "; ".join(broken)


def test_the_documentation_section_links_the_docs():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    assert re.search(r"^## Documentation\s*$", readme, re.M), \
        "README.md has no Documentation section"
    for doc in ("docs/wire.md", "docs/decisions.md", "docs/api.md"):
        assert "(%s)" % doc in readme, "README.md does not link %s" % doc


# -- (d) no citations of documents outside the repository ----------------------------

CITED = ("WIRE.md", "DESIGN.md")
_BINARY = (".so", ".pyd", ".pyc", ".mpy", ".o", ".a", ".dll", ".dylib")


def _source_files():
    for top in ("micropython", "cpython"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, top)):
            dirnames[:] = sorted(d for d in dirnames
                                 if d != "__pycache__" and not d.startswith("."))
            for name in sorted(filenames):
                if not name.endswith(_BINARY):
                    yield os.path.join(dirpath, name)


def test_no_citations_of_documents_outside_the_repository():
    offenders = []
    for path in _source_files():
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.readlines()
        except UnicodeDecodeError:
            continue  # not text
        for number, line in enumerate(lines, 1):
            for cited in CITED:
                if cited in line and not os.path.exists(os.path.join(ROOT, cited)):
                    offenders.append("%s:%d (%s)" % (
                        os.path.relpath(path, ROOT), number, cited))
    assert not offenders, (
        "%d citations of files that are not in the repository (cite "
        "docs/wire.md or docs/decisions.md instead): %s"
        % (len(offenders), "; ".join(offenders)))
