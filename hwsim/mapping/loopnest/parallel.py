"""Layer searches side by side: one process per distinct layer shape, up to a number of workers.

Each search is deterministic for its seed and independent of the others, so a pool returns
exactly what the serial loop returns.  Workers are forked after the parent has loaded the
compiled kernels (numba's first call in a process costs about a second), so a worker starts
searching at once; where fork is not available they are spawned and load the kernels
themselves.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import nullcontext

from hwsim.jit import HAVE_NUMBA
from hwsim.mapping.loopnest.search import LoopNestMapping, search, warm_up
from hwsim.mapping.loopnest.target import MappingTarget
from hwsim.progress import activity
from hwsim.spec.enums import Objective
from hwsim.workload.layers import Layer

# progress(done, total, layer name, seconds of that search)
Progress = Callable[[int, int, str, float], None]
# Compiling every kernel without numba's cache: 14 s of CPU, 31 s on a loaded 2-core VM (BENCHMARKS.md).
NUMBA_COMPILE_S = 20.0


def available_cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers(searches: int) -> int:
    """One worker per core, but no more than there are searches."""
    return max(1, min(available_cores(), searches))


def search_all(jobs: Sequence[tuple[Layer, MappingTarget]], *, objective: Objective, budget: int, seed: int,
               workers: int = 1, progress: Progress | None = None) -> list[LoopNestMapping]:
    """The best mapping of each ``(layer, target)`` job, in the order of ``jobs``.

    Parameters
    ----------
    workers
        Processes to search in; 1 searches in this process.  The results do not depend on it.
    progress
        Called once per job, in job order, as soon as it and every job before it have finished.

    Raises
    ------
    MappingError
        The first failing job's error (by job order), as the serial loop raises it.
    """
    if workers < 1:
        raise ValueError(f"workers = {workers}: must be at least 1")
    results: list[LoopNestMapping | None] = [None] * len(jobs)
    if jobs:
        compiling = (activity("compiling the mapper's kernels with numba (the first run on a machine)", NUMBA_COMPILE_S)
                     if HAVE_NUMBA else nullcontext())
        with compiling:
            warm_up(jobs[0][1])  # from numba's cache in well under the delay: then nothing is shown
    if workers == 1 or len(jobs) <= 1:
        for done, (layer, target) in enumerate(jobs, start=1):
            results[done - 1] = search(layer, target, objective=objective, budget=budget, seed=seed)
            if progress is not None:
                progress(done, len(jobs), layer.name, results[done - 1].seconds)
        return results
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    errors: dict[int, BaseException] = {}
    reported = 0
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        futures = {pool.submit(search, layer, target, objective=objective, budget=budget, seed=seed): i
                   for i, (layer, target) in enumerate(jobs)}
        for future in as_completed(futures):
            i = futures[future]
            try:
                results[i] = future.result()
            except Exception as exc:  # noqa: BLE001 - re-raised below, in job order
                errors[i] = exc
            # report in job order, as the serial loop does, as far as the searches have finished
            while reported < len(jobs) and results[reported] is not None:
                reported += 1
                if progress is not None:
                    progress(reported, len(jobs), jobs[reported - 1][0].name, results[reported - 1].seconds)
    if errors:
        raise errors[min(errors)]
    return results
