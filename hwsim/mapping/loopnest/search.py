"""Search a layer's mapping space for the best mapping by latency, energy or EDP.

Small spaces (at most ``budget`` candidates with canonical loop orders) are enumerated
exhaustively; larger ones are sampled at random with the given seed, so the result is
deterministic.  Evaluation is batched through the compiled cost model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from hwsim.jit import njit

from hwsim.errors import MappingError
from hwsim.mapping.loopnest import space
from hwsim.mapping.loopnest.cuts import cut_slots, even_cuts, mutate_cuts, sample_cuts
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
    # of ``seconds``, the time inside the compiled cost model (a timing, so not compared)
    model_seconds: float = field(default=0.0, compare=False)
    # [operand W, I, O][level below the top]: loops of the next level each operand's tile also spans (.cuts)
    cuts: tuple[tuple[int, ...], ...] = ()

    @classmethod
    def of_arrays(cls, factors: np.ndarray, spatial: np.ndarray, orders: np.ndarray, cuts: np.ndarray,
                  **rest) -> "LoopNestMapping":
        """The mapping of one nest as the cost model takes it (dim indices; cuts all zero: ``()``)."""
        return cls(factors=tuple(tuple(int(v) for v in row) for row in factors),
                   spatial=tuple(int(v) for v in spatial),
                   orders=tuple(tuple(DIMS[int(d)] for d in row) for row in orders),
                   cuts=tuple(tuple(int(v) for v in row) for row in cuts) if cuts.any() else (), **rest)

    def cut_array(self) -> np.ndarray:
        """``cuts`` as the (3, levels - 1) array the cost model takes (zeros when the mapping has one cut per level)."""
        return np.array(self.cuts, dtype=np.int64) if self.cuts else even_cuts(1, len(self.factors))[0]

    def spanned(self, operand: int, level: int) -> list[tuple[str, int]]:
        """The loops (dim, bound > 1) of level ``level + 1`` that operand ``operand``'s (W, I, O) tile
        at ``level`` also spans, by its cut."""
        above = self.factors[level + 1]
        return [(d, above[DIMS.index(d)]) for d in self.orders[level + 1][: self.cut_array()[operand, level]]
                if above[DIMS.index(d)] > 1]

    @property
    def edp(self) -> float:
        return self.latency_cycles * self.energy_pj

    def describe(self, target: MappingTarget) -> str:
        parts = ["spatial " + " ".join(f"{d}{f}" for d, f in zip(DIMS, self.spatial) if f > 1)]
        for level, (fac, order) in enumerate(zip(self.factors, self.orders)):
            loops = [f"{d}{fac[DIMS.index(d)]}" for d in order if fac[DIMS.index(d)] > 1]
            parts.append(f"{target.levels[level].name}[{' '.join(loops) or '-'}]")
        cuts = self.cut_array()
        for x, name in enumerate("WIO"):
            for level in np.flatnonzero(cuts[x]):
                spanned = self.spanned(x, int(level))
                if spanned:
                    parts.append(f"{name} keeps {' '.join(f'{d}{f}' for d, f in spanned)} in {target.levels[level].name}")
        return " | ".join(parts)


def layer_bounds(layer: Layer) -> tuple[np.ndarray, np.ndarray]:
    """The layer's loop bounds in ``DIMS`` order and its window (stride rows, cols, dilation rows, cols)."""
    if layer.kind not in GEMM_KINDS:
        raise MappingError(f"layer '{layer.name}': only conv, linear and matmul layers have a loop-nest mapping")
    bounds = np.array([layer.N, layer.K, layer.C, layer.P, layer.Q, layer.R, layer.S, layer.G], dtype=np.int64)
    return bounds, np.array(layer.stride + layer.dilation, dtype=np.float64)


def evaluate(layer: Layer, target: MappingTarget, factors, spatial, orders, cuts=None):
    """Cost of given mappings of ``layer``: (latency cycles, energy pJ, valid) arrays.

    ``cuts`` (n, 3, levels - 1), per-operand cuts (:mod:`.cuts`); None is one cut per level.
    """
    return CostModel.of(layer, target)(factors, spatial, orders, cuts)


@dataclass(frozen=True)
class CostModel:
    """One layer on one target in the compiled model's terms, built once per search.

    Calling it evaluates a batch: ``(factors, spatial, orders[, cuts]) -> (latency, energy, valid)``.
    """

    bounds: np.ndarray
    window: np.ndarray
    scale: np.ndarray
    arrays: tuple[np.ndarray, ...]  # holds, capacity, partition, double, e_read, e_write, bandwidth
    mac_energy_pj: float
    rows: int
    cols: int
    row_mask: np.ndarray
    col_mask: np.ndarray
    mac_cycles: float
    share_halo: bool = True

    @classmethod
    def of(cls, layer: Layer, target: MappingTarget) -> "CostModel":
        bounds, window = layer_bounds(layer)
        return cls.of_bounds(bounds, window, target)

    @classmethod
    def of_bounds(cls, bounds: np.ndarray, window: np.ndarray, target: MappingTarget) -> "CostModel":
        """The model of a layer given by its loop bounds and window (:func:`layer_bounds`)."""
        a = target.arrays()
        return cls(bounds, window, np.array(target.operand_scale, dtype=np.float64),
                   (a["holds"], a["capacity"], a["partition"], a["double"], a["e_read"], a["e_write"], a["bandwidth"]),
                   float(target.mac_energy_pj), target.rows, target.cols,
                   np.array([d in target.row_dims for d in DIMS], dtype=np.bool_),
                   np.array([d in target.col_dims for d in DIMS], dtype=np.bool_), float(target.mac_cycles),
                   bool(target.share_halo))

    def __call__(self, factors, spatial, orders, cuts=None):
        return self.with_path(factors, spatial, orders, cuts)[:3]

    def with_path(self, factors, spatial, orders, cuts=None):
        """``(latency, energy, valid, compute path)``: see :func:`evaluate_batch`."""
        holds, capacity, partition, double, e_read, e_write, bandwidth = self.arrays
        if cuts is None:
            cuts = even_cuts(len(factors), factors.shape[1])
        return evaluate_batch(self.bounds, self.window, self.scale, factors, spatial, orders,
                              np.ascontiguousarray(cuts, dtype=np.int64), RELEVANCE, holds,
                              capacity, partition, double, e_read, e_write, bandwidth, self.mac_energy_pj, self.rows,
                              self.cols, self.row_mask, self.col_mask, self.mac_cycles, self.share_halo)


def search(layer: Layer, target: MappingTarget, *, objective: Objective = Objective.EDP,
           budget: int = 200_000, seed: int = 0, batch: int = 50_000, explore_fraction: float = 0.25,
           elite: int = 32, generation: int | None = None) -> LoopNestMapping:
    """Best mapping of ``layer`` on ``target`` for ``objective`` within ``budget`` evaluations.

    Spaces of at most ``budget`` candidates (with canonical loop orders) are enumerated.
    Larger ones are searched in two seeded phases: ``explore_fraction`` of the budget samples
    the space uniformly, the rest refines the ``elite`` best mappings found so far by
    mutation (``generation`` children per round, by default ``max(4096, budget // 64)`` so that
    a large budget spends little time outside the compiled model; see :func:`space.neighbours`).
    On a target with ``per_operand_cuts`` the sampled phase also draws each operand's cut and
    the refinement mutates it (:mod:`.cuts`); the enumeration has no cuts, so a target with open
    cut slots is always sampled, and a larger budget never trades the cuts away.
    Mappings equal in ``objective`` are ranked by the other metric (:func:`ranking`).
    """
    if budget <= 0:
        raise MappingError(f"mapper budget must be positive, got {budget}")
    started = time.perf_counter()
    model = CostModel.of(layer, target)
    levels = len(target.levels)
    tables = space.factor_tables(model.bounds, target)
    n_orders = len(space.canonical_orders(levels))
    slots = cut_slots(target)
    exhaustive = not slots.any() and float(np.prod([len(t) for t in tables], dtype=np.float64)) * n_orders <= budget
    tracker = _Best(objective, model)
    if exhaustive:
        for factors, spatial, orders in space.enumerate_all(tables, levels, batch):
            tracker.add(factors, spatial, orders)
    else:
        rng = np.random.default_rng(seed)
        flat = space.flatten(tables)
        generation = generation or max(4096, budget // 64)
        explore = max(min(budget, generation), int(budget * explore_fraction))
        pool_rows = np.empty((0, NDIM), dtype=np.int64)
        pool_orders = np.empty((0, levels, NDIM), dtype=np.int64)
        pool_cuts = even_cuts(0, levels)
        pool_keys = np.empty((0, 3))
        while tracker.evaluated < budget:
            if tracker.evaluated < explore or len(pool_rows) == 0:
                n = min(batch, max(explore - tracker.evaluated, generation), budget - tracker.evaluated)
                rows, orders = space.sample_rows(tables, levels, n, rng)
                cuts = sample_cuts(slots, n, rng)
            else:
                n = min(generation, budget - tracker.evaluated)
                rows, orders = space.neighbours(tables, pool_rows, pool_orders, n, rng)
                cuts = mutate_cuts(pool_cuts, slots, n, rng)
            factors, spatial = space.materialize(tables, rows, flat)
            keys = tracker.add(factors, spatial, orders, cuts)
            pool_rows, pool_orders, pool_cuts, pool_keys = _elite((pool_rows, pool_orders, pool_cuts, pool_keys),
                                                                  (rows, orders, cuts, keys), elite)
    seconds = time.perf_counter() - started
    if tracker.best is None:
        inner = target.levels[0]
        raise MappingError(
            f"layer '{layer.name}': no valid mapping on '{target.name}' among {tracker.evaluated} candidates "
            f"(level '{inner.name}' holds {inner.capacity_words:g} words per PE; buffers too small for any tile?)"
        )
    _, f, s, o, c, lat, energy = tracker.best
    return LoopNestMapping.of_arrays(f, s, o, c, latency_cycles=lat, energy_pj=energy, evaluated=tracker.evaluated,
                                     valid=tracker.valid, exhaustive=exhaustive, seconds=seconds,
                                     model_seconds=tracker.model_seconds)


def ranking(objective: Objective, latency: np.ndarray, energy: np.ndarray, valid: np.ndarray,
            path: np.ndarray) -> np.ndarray:
    """Sort keys (n, 3) of mappings: the objective, the other metric, the compute path; inf where invalid.

    Many mappings tie on latency (every one whose time is set by the same level's compulsory
    traffic) and some on energy; among equals the search prefers the lower energy (for
    latency and EDP) or the lower latency (for energy), so a tie never goes to an arbitrary
    mapping that is worse in the other metric.  Mappings equal in both (the same compulsory
    traffic through the same levels) go to the shortest compute path (:func:`evaluate_batch`):
    the one that starts computing soonest and would gain most from a faster bottleneck.
    """
    first = Objective(objective).cost(latency, energy)
    second = latency if objective is Objective.ENERGY else energy
    keys = np.stack([first, second, path], axis=1)
    keys[~valid] = np.inf
    return keys


class _Best:
    """The best valid mapping seen so far and the evaluation counts (mutable, local to one search)."""

    def __init__(self, objective: Objective, model: CostModel) -> None:
        self.objective = objective
        self.model = model
        self.best = None
        self.evaluated = self.valid = 0
        self.model_seconds = 0.0

    def add(self, factors, spatial, orders, cuts=None) -> np.ndarray:
        """Evaluate and account one batch; returns its sort keys (:func:`ranking`)."""
        if cuts is None:
            cuts = even_cuts(len(factors), factors.shape[1])
        t = time.perf_counter()
        lat, energy, valid, path = self.model.with_path(factors, spatial, orders, cuts)
        self.model_seconds += time.perf_counter() - t
        self.evaluated += len(lat)
        self.valid += int(valid.sum())
        keys = ranking(self.objective, lat, energy, valid, path)
        i = _argmin_key(keys)
        if valid[i] and (self.best is None or tuple(keys[i]) < self.best[0]):
            self.best = (tuple(keys[i]), factors[i].copy(), spatial[i].copy(), orders[i].copy(), cuts[i].copy(),
                         float(lat[i]), float(energy[i]))
        return keys


@njit(cache=True)
def _argmin_key(keys):
    """Index of the lexicographically smallest row of ``keys`` (n, k); the first on ties."""
    best = 0
    for i in range(1, keys.shape[0]):
        for j in range(keys.shape[1]):
            if keys[i, j] != keys[best, j]:
                if keys[i, j] < keys[best, j]:
                    best = i
                break
    return best


def _elite(pool: tuple[np.ndarray, ...], batch: tuple[np.ndarray, ...], size: int) -> tuple[np.ndarray, ...]:
    """The ``size`` best distinct valid mappings of ``pool`` and ``batch`` (each (rows, orders, cuts, keys)).

    Ties are broken by position, pool first, so the choice is deterministic.  The batch is
    cut to its own best first, so that the large arrays are never copied.
    """
    rows, orders, cuts, keys = batch
    keep = _elite_index(rows, orders.reshape(len(orders), -1), cuts.reshape(len(cuts), -1), keys, size)
    rows = np.concatenate([pool[0], rows[keep]])
    orders = np.concatenate([pool[1], orders[keep]])
    cuts = np.concatenate([pool[2], cuts[keep]])
    keys = np.concatenate([pool[3], keys[keep]])
    keep = _elite_index(rows, orders.reshape(len(orders), -1), cuts.reshape(len(cuts), -1), keys, size)
    return rows[keep], orders[keep], cuts[keep], keys[keep]


@njit(cache=True)
def _elite_index(rows, orders, cuts, keys, size):
    """Indices of the ``size`` best distinct rows with finite keys, best first (stable on ties)."""
    n = keys.shape[0]
    if n == 0:
        return np.empty(0, dtype=np.int64)
    # candidates: every row whose first key is at most the (4 size)-th smallest (duplicates
    # of one mapping are few, so the distinct best are among them)
    cut = np.partition(keys[:, 0], min(n, 4 * size) - 1)[min(n, 4 * size) - 1]
    candidates = np.flatnonzero(keys[:, 0] <= cut)
    sub = keys[candidates]
    # stable sorts from the last key to the first: lexicographic order, ties by position
    order = np.arange(sub.shape[0])
    for j in range(sub.shape[1] - 1, -1, -1):
        order = order[np.argsort(sub[order, j], kind="mergesort")]
    rank = candidates[order]
    keep = np.empty(min(size, n), dtype=np.int64)
    kept = 0
    for i in rank:
        if kept == keep.size or not np.isfinite(keys[i, 0]):
            break
        duplicate = False
        for m in range(kept):
            other = keep[m]
            if np.array_equal(keys[other], keys[i]) and np.array_equal(rows[other], rows[i]) and np.array_equal(
                    orders[other], orders[i]) and np.array_equal(cuts[other], cuts[i]):
                duplicate = True
                break
        if not duplicate:
            keep[kept] = i
            kept += 1
    return keep[:kept]


def warm_up(target: MappingTarget) -> None:
    """Load (from numba's cache, or compile) every kernel a search on ``target`` calls, in this process.

    Forked workers then inherit them instead of each loading them again.
    """
    levels = len(target.levels)
    model = CostModel.of_bounds(np.ones(NDIM, dtype=np.int64), np.ones(4), target)  # a 1x1x...x1 layer
    tables = [np.ones((1, levels + 1), dtype=np.int64)] * NDIM
    rows, orders = space.sample_rows(tables, levels, 1, np.random.default_rng(0))
    rows, orders = space.neighbours(tables, rows, orders, 1, np.random.default_rng(0))
    cuts = mutate_cuts(even_cuts(1, levels), np.ones((3, levels - 1), dtype=np.bool_), 1, np.random.default_rng(0))
    factors, spatial = space.materialize(tables, rows)
    lat, energy, valid, path = model.with_path(factors, spatial, orders, cuts)
    keys = ranking(Objective.EDP, lat, energy, valid, path)
    _argmin_key(keys)
    _elite((rows, orders, cuts, keys), (rows, orders, cuts, keys), 1)
