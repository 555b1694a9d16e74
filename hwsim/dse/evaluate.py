"""Evaluate design points with ``hwsim.api``: the work a process-pool or Dask worker does.

Points are sent in tasks that share one workload (same model, same workload options), so a
worker builds the network and its weights once per task and then only loads, overrides and
simulates each accelerator.  Everything here is a pure function of its arguments: a task
carries all it needs and returns plain, picklable results.
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from enum import Enum
from typing import Iterable, Sequence

from hwsim import __version__
from hwsim.dse.metrics import headline_metrics
from hwsim.dse.points import DesignPoint
from hwsim.errors import HwsimError


class Status(str, Enum):
    """How the evaluation of a point ended."""

    OK = "ok"
    ERROR = "error"


@dataclass(frozen=True)
class PointResult:
    """The outcome of one point: its report JSON (``hwsim.report/1``) or the error sentence.

    ``metrics`` are the report's headline numbers by metric name, computed by the worker so
    that the one process writing the store does not parse every report again; names, not
    enum members, so that a worker with another hwsim version cannot break unpickling.
    ``hwsim_version`` is the worker's (the provenance of the numbers).
    """

    key: str
    status: Status
    report_json: str | None
    error: str | None
    elapsed_s: float
    worker: str
    metrics: tuple[tuple[str, float], ...] = ()
    hwsim_version: str = ""


@dataclass(frozen=True)
class EvalTask:
    """Points that share one workload, evaluated in order by one worker."""

    points: tuple[DesignPoint, ...]


def make_tasks(points: Sequence[DesignPoint], chunk_size: int) -> list[EvalTask]:
    """Group ``points`` by workload and cut each group into tasks of at most ``chunk_size`` points.

    Order is kept within a group; groups appear in the order of their first point.
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    groups: dict[tuple[str, str], list[DesignPoint]] = {}
    for point in points:
        groups.setdefault(_workload_id(point), []).append(point)
    return [EvalTask(tuple(group[i:i + chunk_size])) for group in groups.values()
            for i in range(0, len(group), chunk_size)]


def evaluate_task(task: EvalTask) -> tuple[PointResult, ...]:
    """Simulate every point of ``task``; an ``HwsimError`` becomes that point's error result.

    Errors of other types are recorded too, with their type name, so that one broken corner
    of a design space does not stop a sweep of thousands of points.
    """
    from hwsim import api

    worker = f"{socket.gethostname()}:{os.getpid()}"
    first = task.points[0]
    start = time.perf_counter()
    try:
        network = api.load_network(first.model_ref, overrides=first.workload_overrides)
    except Exception as exc:  # noqa: BLE001 - recorded per point, see the docstring
        message = _message(exc)
        share = (time.perf_counter() - start) / len(task.points)
        return tuple(PointResult(p.key, Status.ERROR, None, message, share, worker, (), __version__)
                     for p in task.points)
    load_share = (time.perf_counter() - start) / len(task.points)
    return tuple(_evaluate_point(point, network, load_share, worker) for point in task.points)


def _evaluate_point(point: DesignPoint, network, load_share_s: float, worker: str) -> PointResult:
    from hwsim import api

    start = time.perf_counter()
    try:
        arch = api.load_arch(point.arch_ref, overrides=point.arch_overrides)
        report = api.simulate(network, arch).to_dict()
        text = json.dumps(report, default=_json_scalar, allow_nan=True)
        metrics = tuple((metric.value, value) for metric, value in headline_metrics(report).items())
    except Exception as exc:  # noqa: BLE001 - recorded per point, see evaluate_task
        return PointResult(point.key, Status.ERROR, None, _message(exc),
                           load_share_s + time.perf_counter() - start, worker, (), __version__)
    return PointResult(point.key, Status.OK, text, None, load_share_s + time.perf_counter() - start, worker, metrics,
                       __version__)


def validate_points(points: Iterable[DesignPoint]) -> None:
    """Load the arch of the first point of each design, so an unknown key fails before the sweep.

    Raises the loader's ``SpecError`` (it names the preset or file and the key).
    """
    from hwsim import api

    seen: set[tuple[str, tuple[str, ...]]] = set()
    for point in points:
        shape = (point.arch_ref, tuple(sorted(point.arch_overrides)))
        if shape in seen:
            continue
        seen.add(shape)
        api.load_arch(point.arch_ref, overrides=point.arch_overrides)


def _workload_id(point: DesignPoint) -> tuple[str, str]:
    return point.model_ref, json.dumps(point.workload_overrides, sort_keys=True)


def _message(exc: Exception) -> str:
    text = str(exc).replace("\n", " ")
    return text if isinstance(exc, HwsimError) else f"{type(exc).__name__}: {text}"


def _json_scalar(value):
    """numpy scalars in a report become plain numbers."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
