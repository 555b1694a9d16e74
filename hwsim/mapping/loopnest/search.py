"""Search a layer's mapping space for the best mapping by latency, energy or EDP.

Small spaces (at most ``budget`` candidates with canonical loop orders) are enumerated
exhaustively; larger ones are sampled at random with the given seed, so the result is
deterministic.  Evaluation is batched through the compiled cost model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from hwsim.errors import MappingError
from hwsim.mapping.loopnest import space
from hwsim.mapping.loopnest.evaluate import evaluate_batch
from hwsim.mapping.loopnest.target import DIMS, NDIM, RELEVANCE, MappingTarget
from hwsim.spec.enums import Objective
from hwsim.workload.layers import GEMM_KINDS, Layer


@dataclass(frozen=True)
class LoopNestMapping:
    """The chosen mapping and its modelled cost."""

    factors: tuple[tuple[int, ...], ...]  # [level][dim]
    spatial: tuple[int, ...]
    orders: tuple[tuple[str, ...], ...]  # [level] innermost first
    latency_cycles: float
    energy_pj: float
    evaluated: int
    valid: int
    exhaustive: bool
    seconds: float

    @property
    def edp(self) -> float:
        return self.latency_cycles * self.energy_pj

    def describe(self, target: MappingTarget) -> str:
        parts = ["spatial " + " ".join(f"{d}{f}" for d, f in zip(DIMS, self.spatial) if f > 1)]
        for level, (fac, order) in enumerate(zip(self.factors, self.orders)):
            loops = [f"{d}{fac[DIMS.index(d)]}" for d in order if fac[DIMS.index(d)] > 1]
            parts.append(f"{target.levels[level].name}[{' '.join(loops) or '-'}]")
        return " | ".join(parts)


def layer_bounds(layer: Layer) -> tuple[np.ndarray, np.ndarray]:
    """The layer's loop bounds in ``DIMS`` order and its window (stride rows, cols, dilation rows, cols)."""
    if layer.kind not in GEMM_KINDS:
        raise MappingError(f"layer '{layer.name}': only conv, linear and matmul layers have a loop-nest mapping")
    bounds = np.array([layer.N, layer.K, layer.C, layer.P, layer.Q, layer.R, layer.S, layer.G], dtype=np.int64)
    return bounds, np.array(layer.stride + layer.dilation, dtype=np.float64)


def evaluate(layer: Layer, target: MappingTarget, factors, spatial, orders):
    """Cost of given mappings of ``layer``: (latency cycles, energy pJ, valid) arrays."""
    bounds, window = layer_bounds(layer)
    a = target.arrays()
    row_mask = np.array([d in target.row_dims for d in DIMS], dtype=np.bool_)
    col_mask = np.array([d in target.col_dims for d in DIMS], dtype=np.bool_)
    scale = np.array(target.operand_scale, dtype=np.float64)
    return evaluate_batch(bounds, window, scale, factors, spatial, orders, RELEVANCE, a["holds"], a["capacity"],
                          a["double"], a["e_read"], a["e_write"], a["bandwidth"], target.mac_energy_pj,
                          target.rows, target.cols, row_mask, col_mask, float(target.mac_cycles))


def search(layer: Layer, target: MappingTarget, *, objective: Objective = Objective.EDP,
           budget: int = 200_000, seed: int = 0, batch: int = 50_000, explore_fraction: float = 0.25,
           elite: int = 32, generation: int | None = None) -> LoopNestMapping:
    """Best mapping of ``layer`` on ``target`` for ``objective`` within ``budget`` evaluations.

    Spaces of at most ``budget`` candidates (with canonical loop orders) are enumerated.
    Larger ones are searched in two seeded phases: ``explore_fraction`` of the budget samples
    the space uniformly, the rest refines the ``elite`` best mappings found so far by
    mutation (``generation`` children per round, by default ``max(4096, budget // 64)`` so that
    a large budget spends little time outside the compiled model; see :func:`space.neighbours`).
    """
    if budget <= 0:
        raise MappingError(f"mapper budget must be positive, got {budget}")
    bounds, _ = layer_bounds(layer)
    levels = len(target.levels)
    tables = space.factor_tables(bounds, target)
    n_orders = len(space.canonical_orders(levels))
    exhaustive = float(np.prod([len(t) for t in tables], dtype=np.float64)) * n_orders <= budget
    started = time.perf_counter()
    tracker = _Best(objective)
    if exhaustive:
        for factors, spatial, orders in space.enumerate_all(tables, levels, batch):
            tracker.add(factors, spatial, orders, *evaluate(layer, target, factors, spatial, orders))
    else:
        rng = np.random.default_rng(seed)
        generation = generation or max(4096, budget // 64)
        explore = max(min(budget, generation), int(budget * explore_fraction))
        pool_rows = np.empty((0, NDIM), dtype=np.int64)
        pool_orders = np.empty((0, levels, NDIM), dtype=np.int64)
        pool_cost = np.empty(0)
        while tracker.evaluated < budget:
            if tracker.evaluated < explore or len(pool_rows) == 0:
                n = min(batch, max(explore - tracker.evaluated, generation), budget - tracker.evaluated)
                rows, orders = space.sample_rows(tables, levels, n, rng)
            else:
                n = min(generation, budget - tracker.evaluated)
                rows, orders = space.neighbours(tables, pool_rows, pool_orders, n, rng)
            factors, spatial = space.materialize(tables, rows)
            cost = tracker.add(factors, spatial, orders, *evaluate(layer, target, factors, spatial, orders))
            pool_rows, pool_orders, pool_cost = _elite(np.concatenate([pool_rows, rows]),
                                                       np.concatenate([pool_orders, orders]),
                                                       np.concatenate([pool_cost, cost]), elite)
    seconds = time.perf_counter() - started
    if tracker.best is None:
        inner = target.levels[0]
        raise MappingError(
            f"layer '{layer.name}': no valid mapping on '{target.name}' among {tracker.evaluated} candidates "
            f"(level '{inner.name}' holds {inner.capacity_words:g} words per PE; buffers too small for any tile?)"
        )
    _, f, s, o, lat, energy = tracker.best
    return LoopNestMapping(
        factors=tuple(tuple(int(v) for v in row) for row in f),
        spatial=tuple(int(v) for v in s),
        orders=tuple(tuple(DIMS[int(d)] for d in row) for row in o),
        latency_cycles=lat,
        energy_pj=energy,
        evaluated=tracker.evaluated,
        valid=tracker.valid,
        exhaustive=exhaustive,
        seconds=seconds,
    )


class _Best:
    """The best valid mapping seen so far and the evaluation counts (mutable, local to one search)."""

    def __init__(self, objective: Objective) -> None:
        self.objective = objective
        self.best = None
        self.evaluated = self.valid = 0

    def add(self, factors, spatial, orders, lat, energy, valid) -> np.ndarray:
        """Account one evaluated batch; returns its costs (inf where invalid)."""
        self.evaluated += len(lat)
        self.valid += int(valid.sum())
        cost = {Objective.LATENCY: lat, Objective.ENERGY: energy, Objective.EDP: lat * energy}[self.objective]
        cost = np.where(valid, cost, np.inf)
        i = int(np.argmin(cost))
        if valid[i] and (self.best is None or cost[i] < self.best[0]):
            self.best = (float(cost[i]), factors[i].copy(), spatial[i].copy(), orders[i].copy(), float(lat[i]),
                         float(energy[i]))
        return cost


def _elite(rows: np.ndarray, orders: np.ndarray, cost: np.ndarray, size: int):
    """The ``size`` cheapest distinct valid mappings (ties broken by position, so deterministic)."""
    finite = np.flatnonzero(np.isfinite(cost))
    if len(finite) > 4 * size:  # duplicates are at most 4x; ties at the cut go by position
        cut = np.partition(cost[finite], 4 * size - 1)[4 * size - 1]
        finite = finite[cost[finite] <= cut]
    shortlist = finite[np.argsort(cost[finite], kind="stable")[: 4 * size]]
    keys = np.concatenate([rows[shortlist], orders[shortlist].reshape(len(shortlist), -1)], axis=1)
    _, first = np.unique(keys, axis=0, return_index=True)
    keep = shortlist[np.sort(first)[:size]]
    return rows[keep], orders[keep], cost[keep]
