"""package.json (mip) and manifest.py (freezing) ship every module of the
core package and nothing host-only: a module added or removed without them
would be missing on a board."""
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORE = os.path.join(ROOT, "micropython", "bc26")


def _modules():
    return sorted(f for f in os.listdir(CORE) if f.endswith(".py"))


def test_package_json_lists_every_core_module_once():
    with open(os.path.join(ROOT, "package.json")) as f:
        pkg = json.load(f)
    dests = [d for d, _ in pkg["urls"]]
    srcs = [s for _, s in pkg["urls"]]
    assert sorted(dests) == ["bc26/" + m for m in _modules()]
    assert sorted(srcs) == ["micropython/bc26/" + m for m in _modules()]
    for s in srcs:
        assert os.path.isfile(os.path.join(ROOT, s)), s


def test_manifest_names_every_module_in_its_layers():
    with open(os.path.join(ROOT, "manifest.py")) as f:
        text = f.read()
    assert 'package("bc26", base_path="micropython"' in text
    for m in _modules():
        assert " " + m[:-3] in text, m
