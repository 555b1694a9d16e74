#!/usr/bin/env bash
# Install everything hwsim needs on a fresh Debian/Ubuntu machine:
# Icarus Verilog from apt (only when missing) and a venv in .venv with the pinned packages.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v iverilog >/dev/null 2>&1; then
    echo "install.sh: installing Icarus Verilog (apt-get)"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq iverilog >/dev/null
fi

PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "install.sh: hwsim needs Python >= 3.11, $("$PY" --version) found (set PYTHON=...)" >&2
    exit 2
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"

# SCALE-Sim v3, the peer of the systolic family's parity test and benchmark, in its own venv:
# it crashes with a TypeError under numpy 2.4, which hwsim pins.  Skipped when already there.
if ! .venv-scalesim/bin/python -c 'import scalesim' >/dev/null 2>&1; then
    [ -x .venv-scalesim/bin/python ] || "$PY" -m venv .venv-scalesim
    .venv-scalesim/bin/python -m pip install -q --upgrade pip
    .venv-scalesim/bin/python -m pip install -q "scalesim==3.0.0" "numpy<2.4"
fi
echo "install.sh: ready ($(.venv/bin/hwsim --version))"
