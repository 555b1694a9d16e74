"""The Dask path: a LocalCluster on loopback fills the same store with the same results."""

from __future__ import annotations

import re

from hwsim.cli import main
from hwsim.dse.evaluate import evaluate_task, make_tasks
from hwsim.dse.executors import DaskExecutor

from test_dse_support import MLP_SWEEP_POINTS, stored_reports, write_sweep


def test_local_cluster_sweep_equals_local_pool(tmp_path, capsys):
    sweep = write_sweep(tmp_path)
    local, dask = tmp_path / "local.db", tmp_path / "dask.db"
    assert main(["sweep", str(sweep), "--out", str(local), "--workers", "2", "--no-progress"]) == 0
    assert main(["sweep", str(sweep), "--out", str(dask), "--executor", "dask", "--workers", "2",
                 "--chunk", "2", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert re.search(rf"{MLP_SWEEP_POINTS} run \(0 failed\) in .* on 2 workers\)", out), out
    assert stored_reports(dask) == stored_reports(local)
    assert len(stored_reports(dask)) == MLP_SWEEP_POINTS


def test_scheduler_address_is_used(tmp_path):
    """An external scheduler (here a LocalCluster's address) receives the tasks."""
    from distributed import LocalCluster

    from hwsim.dse.points import expand_sweep
    from hwsim.dse.sweep_spec import load_sweep

    sweep = write_sweep(tmp_path)
    points = expand_sweep(load_sweep(sweep), tmp_path)[:4]
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://", host="127.0.0.1",
                      dashboard_address=None) as cluster:
        with DaskExecutor(cluster.scheduler_address, 1) as executor:
            assert executor.workers == 1
            results = [r for batch in executor.imap_unordered(evaluate_task, make_tasks(points, 1)) for r in batch]
    assert sorted(r.key for r in results) == sorted(p.key for p in points)
    assert all(r.status.value == "ok" for r in results)


def test_unreachable_scheduler_is_one_sentence():
    import pytest

    from hwsim.errors import HwsimError

    with pytest.raises(HwsimError, match=r"^--scheduler tcp://127\.0\.0\.1:9: cannot connect \(.*\)$"):
        with DaskExecutor("tcp://127.0.0.1:9", 1, connect_timeout_s=0.5):
            pass


def test_ctrl_c_on_a_local_cluster_is_quiet_and_resumable(tmp_path, capsys):
    import os
    import signal
    import sys
    import time

    from test_dse_resume import LONG_SWEEP, POINTS
    from test_dse_support import start_interruptible, stored_count

    sweep = write_sweep(tmp_path, LONG_SWEEP)
    db = tmp_path / "r.db"
    proc = start_interruptible([sys.executable, "-m", "hwsim", "sweep", str(sweep), "--out", str(db), "--executor", "dask",
                                "--workers", "2", "--chunk", "1"])
    deadline = time.monotonic() + 90
    while stored_count(db) < 4:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the coordinator and every worker
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in err and "hwsim: " not in err.replace(
        f"hwsim: interrupted; {db} is consistent, continue with --resume", "")
    assert 4 <= stored_count(db) < POINTS
    assert main(["sweep", str(sweep), "--out", str(db), "--resume", "--workers", "2", "--no-progress"]) == 0
    assert stored_count(db) == POINTS
