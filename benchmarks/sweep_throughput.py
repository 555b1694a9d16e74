"""Sweep throughput (design points/s) on ResNet-18 and the per-point cost of the results store.

Runs the same sweep (default: examples/sweep-resnet18.yaml) with
  * a plain in-process loop over hwsim.api (the peer: what one would write by hand),
  * the local process pool with 1 and 2 workers,
  * a Dask LocalCluster with 2 single-threaded workers,
each into a fresh store, and prints points/s and the ratio to the in-process loop.  Then it
writes the same results again into an empty store, one transaction per point as
``hwsim sweep`` does, to measure what the store costs per point.

    .venv/bin/python benchmarks/sweep_throughput.py [--sweep FILE] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from hwsim.dse.evaluate import PointResult, Status, evaluate_task, make_tasks
from hwsim.dse.executors import ExecutorKind
from hwsim.dse.metrics import headline_metrics
from hwsim.dse.points import expand_sweep
from hwsim.dse.runner import SweepOptions, auto_chunk_size, run_sweep
from hwsim.dse.store import ResultStore
from hwsim.dse.sweep_spec import load_sweep

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "results" / "bench-sweep"


def _limited_sweep(sweep: Path, limit: int | None) -> Path:
    """The sweep file itself, or a copy whose designs keep about ``limit`` points (for quick runs)."""
    if limit is None:
        return sweep
    import yaml

    data = yaml.safe_load(sweep.read_text())
    per_design = max(1, limit // len(data["designs"]))
    for design in data["designs"]:
        design["samples"] = per_design
    path = OUT / f"limited-{limit}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def in_process(sweep: Path) -> tuple[float, int]:
    """The peer: one process, the same tasks (networks reused within a task), no store."""
    points = expand_sweep(load_sweep(sweep), sweep.parent)
    start = time.perf_counter()
    results = [r for task in make_tasks(points, auto_chunk_size(len(points), 1)) for r in evaluate_task(task)]
    elapsed = time.perf_counter() - start
    assert all(r.status is Status.OK for r in results)
    return elapsed, len(results)


def pooled(sweep: Path, executor: ExecutorKind, workers: int, tag: str) -> tuple[float, int]:
    db = OUT / f"{tag}.db"
    for stale in OUT.glob(f"{tag}.db*"):
        stale.unlink()
    start = time.perf_counter()
    summary = run_sweep(sweep, db, SweepOptions(executor=executor, workers=workers), None)
    elapsed = time.perf_counter() - start  # includes pool or cluster start-up
    assert summary.failed == 0 and summary.stored == summary.points
    return elapsed, summary.points


def store_overhead(source_db: Path, sweep: Path) -> tuple[float, float, int]:
    """(µs per point to store a result, mean simulation s per point, points)."""
    points = {p.key: p for p in expand_sweep(load_sweep(sweep), sweep.parent)}
    with ResultStore(source_db) as src:
        rows = [(k, src.report_json(k)) for k in sorted(points)]
        sim_s = [p.elapsed_s for p in src.points()]
    target = OUT / "overhead.db"
    for stale in OUT.glob("overhead.db*"):
        stale.unlink()
    # Metrics are computed by the workers; what the coordinator pays per point is the insert.
    results = []
    for key, text in rows:
        metrics = tuple((m.value, v) for m, v in headline_metrics(json.loads(text)).items())
        results.append(PointResult(key, Status.OK, text, None, 0.0, "bench", metrics))
    with ResultStore(target) as store:
        start = time.perf_counter()
        for result in results:
            store.write([(points[result.key], result)], version="bench", sweep_sha256="bench")
        per_point = (time.perf_counter() - start) / len(rows)
    return per_point * 1e6, sum(sim_s) / len(sim_s), len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sweep", type=Path, default=ROOT / "examples" / "sweep-resnet18.yaml")
    parser.add_argument("--limit", type=int, default=None, help="about this many points (random subset)")
    parser.add_argument("--store-only", action="store_true", help="only the store overhead (needs an earlier run)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    sweep = _limited_sweep(args.sweep, args.limit)
    if args.store_only:
        _print_store(sweep)
        return 0
    print(f"sweep {sweep.name}; {os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.2f}")
    runs = [("in-process loop over hwsim.api (peer)", lambda: in_process(sweep)),
            ("local pool, 1 worker", lambda: pooled(sweep, ExecutorKind.LOCAL, 1, "local1")),
            ("local pool, 2 workers", lambda: pooled(sweep, ExecutorKind.LOCAL, 2, "local2")),
            ("Dask LocalCluster, 2 workers", lambda: pooled(sweep, ExecutorKind.DASK, 2, "dask2"))]
    rows = []
    for name, run in runs:
        load = os.getloadavg()[0]
        elapsed, count = run()
        rows.append((name, count, elapsed, count / elapsed, load))
        print(f"  {name}: {count} points in {elapsed:.1f} s", file=sys.stderr)
    peer = rows[0][3]
    print("\n| executor | points | wall s | points/s | vs in-process | load avg at start |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, count, elapsed, rate, load in rows:
        print(f"| {name} | {count} | {elapsed:.1f} | {rate:.2f} | {rate / peer:.2f}x | {load:.2f} |")
    _print_store(sweep)
    shutil.rmtree(OUT / "dask-worker-space", ignore_errors=True)
    return 0


def _print_store(sweep: Path) -> None:
    us, sim_s, n = store_overhead(OUT / "local1.db", sweep)
    size = sum(f.stat().st_size for f in OUT.glob("local1.db*"))
    print(f"\nstore: {us:.0f} µs per point (one transaction each, {n} ResNet-18 reports), "
          f"{100 * us / 1e6 / sim_s:.2f} % of the mean {sim_s * 1e3:.0f} ms a point takes to simulate "
          f"(1 worker); {size / n / 1024:.1f} KiB per point on disk")


if __name__ == "__main__":
    raise SystemExit(main())
