"""A sweep killed with -9 (or stopped with Ctrl-C) and resumed ends equal to a clean run."""

from __future__ import annotations

import os
import re
import signal
import sys
import time

import pytest

from hwsim.cli import main

from test_dse_support import start_interruptible, stored_count, stored_reports, write_sweep

# 64 + 4 points of about 50 ms each: long enough to be interrupted, short enough for CI.
LONG_SWEEP = """\
schema: hwsim.sweep/1
name: mlp-long
models: mlp
designs:
  - arch: fat
    parameters:
      banks: [1, 2, 4, 8]
      subarray.cols: [32, 64, 128, 256]
      skip_unit.weights_per_cycle: [2, 4, 8, 16]
  - arch: parapim
    parameters:
      banks: [1, 2, 4, 8]
"""
POINTS = 68


def _start(sweep, db, *extra):
    cmd = [sys.executable, "-m", "hwsim", "sweep", str(sweep), "--out", str(db), "--workers", "1", "--chunk", "1",
           *extra]
    return start_interruptible(cmd)


def _wait_for_rows(proc, db, rows: int, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while stored_count(db) < rows:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the sweep ended or stalled before {rows} rows: {proc.communicate()}")
        time.sleep(0.02)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clean")
    sweep = write_sweep(folder, LONG_SWEEP)
    assert main(["sweep", str(sweep), "--out", str(folder / "clean.db"), "--workers", "2", "--no-progress"]) == 0
    return stored_reports(folder / "clean.db")


def test_kill_9_then_resume_gives_exactly_the_clean_results(tmp_path, clean, capsys):
    sweep = write_sweep(tmp_path, LONG_SWEEP)
    db = tmp_path / "r.db"
    proc = _start(sweep, db)
    _wait_for_rows(proc, db, 8)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # any worker the kernel has not reaped yet
    except ProcessLookupError:
        pass
    survived = stored_count(db)
    assert 8 <= survived < POINTS
    assert main(["sweep", str(sweep), "--out", str(db), "--resume", "--workers", "2", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert re.match(rf"sweep 'mlp-long': {POINTS} points, {survived} already in .*r\.db, {POINTS - survived} run "
                    r"\(0 failed\)", out), out
    assert stored_reports(db) == clean
    assert len(clean) == POINTS


def test_ctrl_c_stops_cleanly_and_resume_finishes(tmp_path, clean, capsys):
    sweep = write_sweep(tmp_path, LONG_SWEEP)
    db = tmp_path / "r.db"
    proc = _start(sweep, db)
    _wait_for_rows(proc, db, 4)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert err.splitlines()[-1] == f"hwsim: interrupted; {db} is consistent, continue with --resume"
    assert 4 <= stored_count(db) < POINTS
    assert main(["sweep", str(sweep), "--out", str(db), "--resume", "--no-progress"]) == 0
    assert stored_reports(db) == clean


def test_rerun_without_resume_is_refused(tmp_path, capsys):
    sweep = write_sweep(tmp_path, LONG_SWEEP.replace("[1, 2, 4, 8]", "[1]"))
    db = tmp_path / "r.db"
    assert main(["sweep", str(sweep), "--out", str(db), "--workers", "1", "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["sweep", str(sweep), "--out", str(db), "--no-progress"]) == 2
    assert capsys.readouterr().err == (f"hwsim: error: {db}: already holds 17 results; pass --resume to continue it "
                                       "or choose another --out\n")
