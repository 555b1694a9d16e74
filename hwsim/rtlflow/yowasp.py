"""Run a yowasp tool (Yosys, nextpnr: WebAssembly builds from PyPI) in a child Python process.

A child process keeps the tool's memory and its WebAssembly runtime out of hwsim's own
process and lets a timeout stop it.
"""

from __future__ import annotations

import subprocess
import sys


def run_tool(module: str, function: str, argv: list[str], cwd: str,
             timeout_s: float | None = None) -> subprocess.CompletedProcess:
    """``module.function(argv)`` in a child interpreter in ``cwd``; raises ``subprocess.TimeoutExpired``."""
    launcher = f"import sys, {module}; sys.exit({module}.{function}(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", launcher, *argv], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout_s)
