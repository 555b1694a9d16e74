"""Run a sweep: expand the sweep file, skip what the store holds, evaluate the rest, store each result.

``run_sweep`` is what ``hwsim sweep`` calls.  The store is written only here, one
transaction per finished task, so whatever stops the run (Ctrl-C, kill -9, a lost cluster)
leaves a store that ``--resume`` continues.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from hwsim import __version__
from hwsim.dse.evaluate import Status, evaluate_task, make_tasks, validate_points
from hwsim.dse.executors import ExecutorKind, check_executor_options, make_executor
from hwsim.dse.points import DesignPoint, expand_sweep
from hwsim.dse.progress import Progress
from hwsim.dse.store import ResultStore, check_store_path
from hwsim.dse.sweep_spec import SweepSpec, file_sha256, load_sweep
from hwsim.errors import HwsimError

# Tasks per worker the automatic chunk size aims at: enough to balance the load, few enough
# that each task reuses its network for several points.
_TASKS_PER_WORKER = 4
_MAX_AUTO_CHUNK = 16


@dataclass(frozen=True)
class SweepOptions:
    """How to run a sweep (the ``hwsim sweep`` options)."""

    resume: bool = False
    executor: ExecutorKind = ExecutorKind.LOCAL
    workers: int | None = None
    scheduler: str | None = None
    chunk_size: int | None = None
    retry_errors: bool = False


@dataclass(frozen=True)
class SweepSummary:
    """What a run did; ``stored`` counts the whole store afterwards.

    ``stale`` counts skipped points whose stored result was computed from an arch or model
    file with other contents than now (``--resume`` keeps them; delete the store to redo them).
    """

    name: str
    points: int
    skipped: int
    ran: int
    failed: int
    stored: int
    feasible: int
    elapsed_s: float
    workers: int
    interrupted: bool
    first_error: str | None
    stale: int = 0


def run_sweep(sweep_path: Path, out: Path, options: SweepOptions, progress_stream: TextIO | None) -> SweepSummary:
    """Evaluate every point of the sweep file that ``out`` does not hold yet.

    Raises ``HwsimError`` for a bad sweep file, a first point that does not validate, or an
    existing non-empty store without ``resume``.  Ctrl-C does not raise: it stops the workers
    and returns a summary with ``interrupted=True``.
    """
    sweep_path = Path(sweep_path)
    check_executor_options(options.executor, workers=options.workers, scheduler=options.scheduler)
    if options.chunk_size is not None and options.chunk_size < 1:
        raise HwsimError(f"--chunk must be at least 1, got {options.chunk_size}")
    check_store_path(out)
    sweep = load_sweep(sweep_path)
    points = expand_sweep(sweep, sweep_path.parent)
    validate_points(points)
    sweep_sha = file_sha256(sweep_path)
    with ResultStore(out) as store:
        existing = store.count()
        if existing and not options.resume:
            raise HwsimError(f"{out}: already holds {existing} results; pass --resume to continue it or choose another --out")
        if options.retry_errors:
            store.delete_errors()
        store.set_meta({"sweep_name": sweep.name, "sweep_sha256": sweep_sha, "hwsim_version": __version__,
                        "sweep_json": sweep.model_dump_json(by_alias=True)})
        store.apply_constraints(sweep.constraints)
        provenance = store.provenance()
        todo = [p for p in points if p.key not in provenance]
        stale = sum(1 for p in points if p.key in provenance and provenance[p.key] != (p.arch_sha256, p.model_sha256))
        ran, failed, first_error, interrupted, workers = 0, 0, None, False, 0
        progress = Progress(len(todo), progress_stream)
        if todo:
            try:
                ran, failed, first_error, workers = _evaluate(todo, sweep, sweep_sha, store, options, progress)
            except KeyboardInterrupt:
                interrupted = True
            finally:
                progress.finish()
        counts = store.status_counts()
    return SweepSummary(
        name=sweep.name, points=len(points), skipped=len(points) - len(todo), ran=progress.done if interrupted else ran,
        failed=progress.errors if interrupted else failed, stored=counts["ok"] + counts["error"],
        feasible=counts["feasible"], elapsed_s=progress.elapsed_s, workers=workers,
        interrupted=interrupted, first_error=first_error, stale=stale,
    )


def _evaluate(todo: list[DesignPoint], sweep: SweepSpec, sweep_sha: str, store: ResultStore,
              options: SweepOptions, progress: Progress) -> tuple[int, int, str | None, int]:
    by_key = {p.key: p for p in todo}
    ran = failed = 0
    first_error: str | None = None
    with make_executor(options.executor, workers=options.workers, scheduler=options.scheduler) as executor:
        chunk = options.chunk_size or auto_chunk_size(len(todo), executor.workers)
        tasks = make_tasks(todo, chunk)
        for results in executor.imap_unordered(evaluate_task, tasks):
            store.write(((by_key[r.key], r) for r in results), version=__version__, sweep_sha256=sweep_sha,
                        constraints=sweep.constraints)
            errors = [r for r in results if r.status is Status.ERROR]
            if errors and first_error is None:
                first_error = f"{by_key[errors[0].key].design} {dict(by_key[errors[0].key].parameters)}: {errors[0].error}"
            ran += len(results)
            failed += len(errors)
            progress.update(len(results), len(errors))
        return ran, failed, first_error, executor.workers


def auto_chunk_size(points: int, workers: int) -> int:
    """Points per task: about ``_TASKS_PER_WORKER`` tasks per worker, at most ``_MAX_AUTO_CHUNK``."""
    return max(1, min(_MAX_AUTO_CHUNK, math.ceil(points / (workers * _TASKS_PER_WORKER))))

