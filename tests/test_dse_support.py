"""Helpers for the design-space tests (no tests here): small sweeps of the mlp zoo model."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import textwrap
from pathlib import Path

MLP_SWEEP = """\
schema: hwsim.sweep/1
name: mlp-small
models: mlp
designs:
  - arch: fat
    parameters:
      banks: [1, 2, 4]
      subarray.cols: [64, 128]
      skip_unit.weights_per_cycle: [4, 8]
  - arch: parapim
    parameters:
      banks: {log_range: {start: 1, stop: 4, num: 3}}
constraints: ["area_mm2 <= 2"]
objectives: {latency: minimize, energy: minimize}
"""
MLP_SWEEP_POINTS = 3 * 2 * 2 + 3


def start_interruptible(cmd: list[str]) -> subprocess.Popen:
    """Start ``cmd`` in a session of its own (the test signals the group as a terminal would),
    with SIGINT at its default even when this test run was started with it ignored (``nohup``,
    ``cmd &`` in a script): a process started with SIGINT ignored keeps ignoring it, as it should,
    and Ctrl-C could not be tested."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    finally:
        signal.signal(signal.SIGINT, previous)


def write_sweep(folder: Path, text: str = MLP_SWEEP, name: str = "sweep.yaml") -> Path:
    path = Path(folder) / name
    path.write_text(textwrap.dedent(text))
    return path


def stored_reports(db: Path) -> dict[str, tuple[str, str, str | None]]:
    """key -> (parameters, status, report JSON) of every stored point."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT key, parameters_json, status, report_json FROM points").fetchall()
    return {key: (params, status, report) for key, params, status, report in rows}


def stored_count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT COUNT(*) FROM points").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0
