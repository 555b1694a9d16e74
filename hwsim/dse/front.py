"""The Pareto front of a results store: which stored points no other point beats."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from hwsim.dse.metrics import Goal, Metric
from hwsim.dse.pareto import pareto_mask
from hwsim.dse.store import ResultStore, StoredPoint
from hwsim.errors import HwsimError
from hwsim.report.pareto_plot import ParetoData


@dataclass(frozen=True)
class Front:
    """The candidates (successful, feasible unless asked otherwise) and which are non-dominated."""

    metrics: tuple[Metric, ...]
    goals: tuple[Goal, ...]
    model: str
    candidates: tuple[StoredPoint, ...]
    on_front: tuple[bool, ...]

    def front_points(self) -> list[StoredPoint]:
        """The non-dominated points, sorted by the first objective."""
        chosen = [p for p, f in zip(self.candidates, self.on_front) if f]
        return sorted(chosen, key=lambda p: tuple(p.metrics[m] for m in self.metrics))

    def plot_data(self, title: str) -> ParetoData:
        pts = self.candidates
        column = lambda m: tuple(p.metrics[m] for p in pts)  # noqa: E731
        z = self.metrics[2] if len(self.metrics) == 3 else None
        return ParetoData(
            x=column(self.metrics[0]), y=column(self.metrics[1]), z=None if z is None else column(z),
            design=tuple(p.design for p in pts), key=tuple(p.key for p in pts),
            parameters=tuple(format_parameters(p.parameters) for p in pts), on_front=self.on_front,
            x_label=self.metrics[0].label, y_label=self.metrics[1].label, z_label=None if z is None else z.label,
            title=f"{self.model}: {' vs '.join(m.value for m in self.metrics)}" if not title else title,
            x_maximized=self.goals[0] is Goal.MAXIMIZE,
        )


def format_parameters(parameters: dict) -> str:
    """``{"banks": 4, "subarray.rows": 256}`` -> ``"banks=4 subarray.rows=256"``."""
    return " ".join(f"{k}={json.dumps(v) if not isinstance(v, (int, float)) else f'{v:g}'}"
                    for k, v in sorted(parameters.items())) or "(defaults)"


def compute_front(store: ResultStore, metrics: Sequence[Metric], goals: Sequence[Goal], *,
                  model: str | None = None, include_infeasible: bool = False) -> Front:
    """The front over ``metrics`` of one model's points in ``store``.

    Raises ``HwsimError`` when the store is empty, holds several models and ``model`` is not
    given, or has no point with every metric measured.
    """
    if not 2 <= len(metrics) <= 3 or len(set(metrics)) != len(metrics):
        raise HwsimError(f"a Pareto front needs 2 or 3 different metrics, got {', '.join(m.value for m in metrics)}")
    models = store.models()
    if not models:
        raise HwsimError(f"{store.path}: holds no results")
    if model is None:
        if len(models) > 1:
            raise HwsimError(f"{store.path}: holds {len(models)} models ({', '.join(models)}); choose one with --model")
        model = models[0]
    elif model not in models:
        raise HwsimError(f"{store.path}: no results for model '{model}' (it holds {', '.join(models)})")
    candidates = tuple(p for p in store.points(model=model, ok_only=True)
                       if (include_infeasible or p.feasible) and all(not math.isnan(p.metrics[m]) for m in metrics))
    if not candidates:
        what = "successful" if include_infeasible else "feasible"
        raise HwsimError(f"{store.path}: no {what} point of '{model}' has {', '.join(m.value for m in metrics)}")
    values = np.array([[p.metrics[m] for m in metrics] for p in candidates])
    mask = pareto_mask(values, [g is Goal.MAXIMIZE for g in goals])
    return Front(tuple(metrics), tuple(goals), model, candidates, tuple(bool(v) for v in mask))
