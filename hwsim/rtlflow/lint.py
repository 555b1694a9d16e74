"""``verilator --lint-only -Wall`` on generated Verilog, without waivers."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hwsim.rtlflow import RtlError
from hwsim.rtlflow.runner import Simulator, check_simulator, tool_env

# No waiver: hwsim.rtl.export writes Verilog that is clean under -Wall (docs/rtl.md, "Lint").


def lint_verilog(v_path: Path) -> None:
    """Raise :class:`RtlError` with Verilator's first complaint unless ``v_path`` lints clean."""
    env = tool_env(Simulator.VERILATOR)
    check_simulator(Simulator.VERILATOR, env["PATH"])
    proc = subprocess.run(["verilator", "--lint-only", "-Wall", str(v_path)],
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        first = next((line for line in proc.stderr.splitlines() if line.startswith("%")), proc.stderr.strip())
        raise RtlError(f"verilator lint of {v_path} failed: {first}")
