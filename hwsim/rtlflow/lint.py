"""``verilator --lint-only -Wall`` on generated Verilog, with the documented waivers only."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hwsim.rtlflow import RtlError
from hwsim.rtlflow.runner import Simulator, check_simulator, tool_env

# Each waiver is explained in docs/rtl.md ("Lint waivers"); all are about how Amaranth's
# Verilog backend writes code, none hides a design error it could make.
LINT_WAIVERS = ("-Wno-WIDTHEXPAND", "-Wno-WIDTHTRUNC", "-Wno-UNUSEDSIGNAL", "-Wno-PROCASSINIT", "-Wno-DECLFILENAME")


def lint_verilog(v_path: Path) -> None:
    """Raise :class:`RtlError` with Verilator's first complaint unless ``v_path`` lints clean."""
    env = tool_env(Simulator.VERILATOR)
    check_simulator(Simulator.VERILATOR, env["PATH"])
    proc = subprocess.run(["verilator", "--lint-only", "-Wall", *LINT_WAIVERS, str(v_path)],
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        first = next((line for line in proc.stderr.splitlines() if line.startswith("%")), proc.stderr.strip())
        raise RtlError(f"verilator lint of {v_path} failed: {first}")
