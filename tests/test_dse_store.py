"""The results store: one row per point, duplicates ignored, failures recorded, export round trips."""

from __future__ import annotations

import csv
import json
import math
import re

import pytest

from hwsim.cli import main
from hwsim.dse.evaluate import EvalTask, PointResult, Status, evaluate_task, make_tasks
from hwsim.dse.metrics import Metric
from hwsim.dse.points import expand_sweep
from hwsim.dse.store import ResultStore, StoreError
from hwsim.dse.sweep_spec import load_sweep

from test_dse_support import MLP_SWEEP_POINTS, write_sweep


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    """The mlp sweep's points and their results, evaluated in this process."""
    folder = tmp_path_factory.mktemp("sweep")
    sweep = load_sweep(write_sweep(folder))
    points = expand_sweep(sweep, folder)
    results = [r for task in make_tasks(points, 4) for r in evaluate_task(task)]
    return sweep, points, results


def test_tasks_share_a_workload_and_cover_every_point(evaluated):
    _, points, _ = evaluated
    tasks = make_tasks(points, 4)
    assert sorted(p.key for t in tasks for p in t.points) == sorted(p.key for p in points)
    assert all(len(t.points) <= 4 and len({p.workload_overrides == t.points[0].workload_overrides
                                           for p in t.points}) == 1 for t in tasks)


def test_rows_are_unique_and_metrics_come_from_the_report(evaluated, tmp_path):
    sweep, points, results = evaluated
    pairs = list(zip(points, results))
    with ResultStore(tmp_path / "r.db") as store:
        assert store.write(pairs, version="t", sweep_sha256="s", constraints=sweep.constraints) == MLP_SWEEP_POINTS
        assert store.write(pairs[:3], version="t", sweep_sha256="s") == 0  # a repeat is ignored
        assert store.count() == MLP_SWEEP_POINTS
        stored = {p.key: p for p in store.points()}
    for point, result in pairs:
        report = json.loads(result.report_json)
        row = stored[point.key]
        assert row.metrics[Metric.LATENCY_S] == report["total"]["latency_s"]
        assert row.metrics[Metric.ENERGY_PJ] == report["total"]["energy_pj"]
        assert row.feasible == (report["total"]["area_mm2"] <= 2)
        assert row.parameters == dict(point.parameters)
    assert {p.feasible for p in stored.values()} == {True, False}  # the constraint bites both ways


def test_failed_points_are_recorded_with_their_message(evaluated, tmp_path):
    _, points, _ = evaluated
    broken = [p for p in points if p.design == "fat"][0]
    bad = type(broken)(**{**broken.__dict__, "parameters": (("banks", 0),)})
    (result,) = evaluate_task(EvalTask((bad,)))
    assert result.status is Status.ERROR
    assert re.fullmatch(r"preset 'fat': key 'banks' = 0: Input should be greater than 0", result.error)
    with ResultStore(tmp_path / "r.db") as store:
        store.write([(bad, result)], version="t", sweep_sha256="s")
        (row,) = store.points()
        assert row.status is Status.ERROR and math.isnan(row.metrics[Metric.LATENCY_S])
        assert store.delete_errors() == 1 and store.count() == 0


def test_a_result_for_another_point_is_refused(evaluated, tmp_path):
    _, points, results = evaluated
    with ResultStore(tmp_path / "r.db") as store, pytest.raises(ValueError, match="does not belong"):
        store.write([(points[0], results[1])], version="t", sweep_sha256="s")
    assert isinstance(results[0], PointResult)


def test_export_csv_and_parquet_round_trip(evaluated, tmp_path, capsys):
    import pyarrow.parquet as pq

    sweep, points, results = evaluated
    db = tmp_path / "r.db"
    with ResultStore(db) as store:
        store.write(zip(points, results), version="t", sweep_sha256="s", constraints=sweep.constraints)
        stored = {p.key: p for p in store.points()}
    assert main(["export", str(db), "--csv", str(tmp_path / "o.csv"), "--parquet", str(tmp_path / "o.parquet")]) == 0
    assert capsys.readouterr().out.splitlines() == [f"wrote {tmp_path / 'o.csv'} ({MLP_SWEEP_POINTS} rows)",
                                                    f"wrote {tmp_path / 'o.parquet'} ({MLP_SWEEP_POINTS} rows)"]
    with open(tmp_path / "o.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    table = pq.read_table(tmp_path / "o.parquet").to_pylist()
    assert len(rows) == len(table) == MLP_SWEEP_POINTS
    for row, prow in zip(rows, table):
        point = stored[row["key"]]
        assert prow["key"] == row["key"]
        for metric in Metric:
            value = point.metrics[metric]
            assert (row[metric.value] == "") if math.isnan(value) else float(row[metric.value]) == value
            assert prow[metric.value] is None if math.isnan(value) else prow[metric.value] == value
        for key, value in point.parameters.items():
            assert int(row[key]) == value and prow[key] == value
        assert row["design"] == prow["design"] == point.design
        assert bool(int(row["feasible"])) == prow["feasible"] == point.feasible


def test_export_of_a_missing_store(tmp_path, capsys):
    assert main(["export", str(tmp_path / "none.db"), "--csv", str(tmp_path / "o.csv")]) == 2
    assert re.fullmatch(r"hwsim: error: .*none\.db: results store not found\n", capsys.readouterr().err)


def test_resume_reapplies_changed_constraints_and_flags_changed_specs(tmp_path, capsys):
    from importlib import resources

    arch = tmp_path / "my-fat.yaml"
    arch.write_text((resources.files("hwsim.presets") / "fat.yaml").read_text())
    text = ("schema: hwsim.sweep/1\nname: c\nmodels: mlp\ndesigns:\n  - arch: my-fat.yaml\n"
            "    parameters: {{banks: [1, 2, 4]}}\nconstraints: ['area <= {bound}']\n")
    db = tmp_path / "r.db"
    args = ["sweep", str(tmp_path / "sweep.yaml"), "--out", str(db), "--workers", "1", "--no-progress"]
    write_sweep(tmp_path, text.format(bound=100))
    assert main(args) == 0
    assert capsys.readouterr().out.splitlines()[1] == f"{db}: 3 points stored, 3 feasible"
    write_sweep(tmp_path, text.format(bound=1.5))  # banks=1 is 0.85 mm2 on mlp, banks=2 1.7 mm2
    assert main([*args, "--resume"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == f"{db}: 3 points stored, 1 feasible"
    arch.write_text(arch.read_text().replace("clock_mhz: 500.0", "clock_mhz: 400.0"))
    assert main([*args, "--resume"]) == 0
    assert capsys.readouterr().err == ("hwsim: warning: 3 stored points were computed from arch or model files "
                                       "that have changed since; they were kept\n")


def test_a_failing_point_is_reported_stored_and_retried_on_request(tmp_path, capsys):
    sweep = write_sweep(tmp_path, "schema: hwsim.sweep/1\nname: f\nmodels: mlp\ndesigns:\n  - arch: fat\n"
                                  "    parameters: {banks: [1, 0]}\n")
    db = tmp_path / "r.db"
    args = ["sweep", str(sweep), "--out", str(db), "--workers", "1", "--no-progress"]
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert re.match(r"sweep 'f': 2 points, 0 already in .*, 2 run \(1 failed\)", out[0])
    assert out[2] == "first failure: fat {'banks': 0}: preset 'fat': key 'banks' = 0: Input should be greater than 0"
    assert main([*args, "--resume"]) == 0
    assert ", 0 run (0 failed)" in capsys.readouterr().out
    assert main([*args, "--resume", "--retry-errors"]) == 0
    assert ", 1 run (1 failed)" in capsys.readouterr().out


def test_a_store_without_a_newer_metric_column_gets_it(tmp_path):
    import sqlite3

    db = tmp_path / "r.db"
    ResultStore(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE points DROP COLUMN accuracy")
    with ResultStore(db) as store:
        assert list(store.points()) == []
    with sqlite3.connect(db) as conn:
        assert "accuracy" in {info[1] for info in conn.execute("PRAGMA table_info(points)")}


def test_a_file_that_is_not_a_store(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("not sqlite at all, just some text that is long enough to have a header" * 10)
    with pytest.raises(StoreError, match=r"^.*notes\.db: not a hwsim results store \(file is not a database\)$"):
        ResultStore(path)


def test_results_from_a_worker_of_another_version_are_stored(evaluated, tmp_path):
    _, points, results = evaluated
    newer = type(results[0])(**{**results[0].__dict__, "metrics": (("latency_s", 1.0), ("quantum_bits", 3.0)),
                                "hwsim_version": "9.9"})
    with ResultStore(tmp_path / "r.db") as store:
        store.write([(points[0], newer)], version="coordinator", sweep_sha256="s")
        (row,) = store.points()
    assert row.metrics[Metric.LATENCY_S] == 1.0 and math.isnan(row.metrics[Metric.ENERGY_PJ])
    assert row.hwsim_version == "9.9"
