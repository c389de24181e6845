"""Third-party MicroPython libraries the tests run unmodified, fetched from
PyPI (the index pip uses) as their published sdists, checked against a
pinned sha256 and cached under tests/mpy/.cache.

    path = fetch("micropython-umqtt.simple", "1.3.4", SHA256, "umqtt/simple.py")

pip itself cannot download these: they are sdists without setup.py or
pyproject.toml (a MicroPython-only layout), so pip refuses to read their
metadata. The index is asked the way pip asks it (the simple API, JSON).
"""

import hashlib
import io
import json
import os
import tarfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(HERE, ".cache")


def _index_url():
    # pip's configured index if there is one, else its default
    url = os.environ.get("PIP_INDEX_URL")
    if not url:
        from pip._internal.models.index import PyPI

        url = PyPI.simple_url
    return url.rstrip("/")


def _normalised(name):
    return name.lower().replace(".", "-").replace("_", "-")


def fetch(package, version, sha256, member):
    """The file `member` of the sdist package==version (a path into the
    cache); the sdist's sha256 must be sha256."""
    dest = os.path.join(CACHE, "%s-%s" % (package, version))
    path = os.path.join(dest, member)
    if os.path.isfile(path):
        return path
    req = urllib.request.Request(
        "%s/%s/" % (_index_url(), _normalised(package)),
        headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        files = json.load(r)["files"]
    name = "%s-%s.tar.gz" % (package, version)
    found = [f for f in files if f["filename"] == name]
    if not found:
        raise RuntimeError("%s is not on the index" % name)
    with urllib.request.urlopen(found[0]["url"], timeout=60) as r:
        data = r.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise RuntimeError("%s: sha256 differs from the pinned one" % name)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for info in tar.getmembers():
            rel = info.name.split("/", 1)[-1]
            if rel == member and info.isfile():
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as f:
                    f.write(tar.extractfile(info).read())
                return path
    raise RuntimeError("%s has no %s" % (name, member))
