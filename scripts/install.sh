#!/usr/bin/env bash
# Install hwsim for development on a Debian/Ubuntu machine: the system tools it needs (Icarus
# Verilog, a C++ compiler and make for Verilator builds, Python's venv module) and a .venv with
# every extra at the versions in constraints.txt.
#
#   bash scripts/install.sh            # tools (apt-get where possible) + .venv
#   bash scripts/install.sh --check    # only say what is missing, install nothing (exit 2 if anything is)
#   bash scripts/install.sh --scalesim # also SCALE-Sim 3.0.0 in .venv-scalesim (the parity tests' peer)
#
# A missing tool that cannot be installed here (no root, no sudo, no apt-get) is named with the
# exact apt-get line to run, and the script stops with status 2.  A venv this script started but
# did not finish is removed on failure, so a rerun starts clean.
set -euo pipefail
cd "$(dirname "$0")/.."

CHECK_ONLY=0
SCALESIM=0
for arg in "$@"; do
    case "$arg" in
        --check) CHECK_ONLY=1 ;;
        --scalesim) SCALESIM=1 ;;
        *) echo "install.sh: unknown option '$arg' (use --check or --scalesim)" >&2; exit 2 ;;
    esac
done

say() { echo "install.sh: $*"; }
PY="${PYTHON:-python3}"

# --- what is missing, as Debian package names ----------------------------------------------
missing=()
if ! command -v "$PY" >/dev/null 2>&1; then
    missing+=(python3)
elif ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "hwsim needs Python >= 3.11, $("$PY" --version 2>&1) found (set PYTHON=/path/to/python3.11)" >&2
    exit 2
elif ! "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    missing+=(python3-venv)
fi
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v iverilog >/dev/null 2>&1 || missing+=(iverilog)

if ((${#missing[@]})); then
    line="apt-get install -y ${missing[*]}"
    if ((CHECK_ONLY)); then
        say "missing: ${missing[*]}; install them with: sudo $line" >&2
        exit 2
    fi
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            SUDO="sudo"
        else
            say "missing: ${missing[*]}; this script cannot install them (not root, no password-less sudo): run  sudo $line" >&2
            exit 2
        fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        say "missing: ${missing[*]}; no apt-get here: install the equivalent packages of  $line  and rerun" >&2
        exit 2
    fi
    say "installing ${missing[*]} (apt-get)"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
elif ((CHECK_ONLY)); then
    say "nothing missing"
    exit 0
fi

# --- the venv ----------------------------------------------------------------------------
made_venv=""
cleanup() {
    if [ -n "$made_venv" ]; then
        say "removing the unfinished $made_venv so that a rerun starts clean" >&2
        rm -rf "$made_venv"
    fi
}
trap cleanup ERR INT TERM

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import pip' >/dev/null 2>&1; then
    rm -rf .venv
    made_venv=".venv"
    say "creating .venv"
    "$PY" -m venv .venv
fi
say "installing hwsim with every extra (constraints.txt pins the versions; about 1.3 GB, 1-3 minutes)"
.venv/bin/python -m pip install --upgrade --progress-bar on pip >/dev/null
.venv/bin/python -m pip install --progress-bar on -c constraints.txt -e ".[dev]"
made_venv=""

# --- SCALE-Sim, only when asked: it crashes under numpy 2.4, which hwsim uses ------------------
if ((SCALESIM)) && ! .venv-scalesim/bin/python -c 'import scalesim' >/dev/null 2>&1; then
    rm -rf .venv-scalesim
    made_venv=".venv-scalesim"
    say "creating .venv-scalesim (SCALE-Sim 3.0.0 with numpy < 2.4, about 500 MB)"
    "$PY" -m venv .venv-scalesim
    .venv-scalesim/bin/python -m pip install --upgrade --progress-bar on pip >/dev/null
    .venv-scalesim/bin/python -m pip install --progress-bar on "scalesim==3.0.0" "numpy<2.4"
    made_venv=""
fi
say "ready ($(.venv/bin/hwsim --version))"
