"""The mapping space of one layer on one target: factorizations and loop orders.

Every dimension's bound is split exactly into a spatial factor (only for dimensions the
target lets an array axis unroll, at most that axis' size) and one temporal factor per
level.  Loop orders are permutations per level; level 0's order never changes a refetch
count, so it is fixed.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import permutations, product

import numpy as np
from hwsim.jit import njit

from hwsim.mapping.loopnest.target import DIMS, NDIM, RELEVANCE, MappingTarget


_PERMUTATIONS = np.array(list(permutations(range(NDIM))), dtype=np.int64)


def divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


@lru_cache(maxsize=4096)
def _splits(n: int, parts: int) -> tuple[tuple[int, ...], ...]:
    """Every ordered way to write ``n`` as a product of ``parts`` factors."""
    if parts == 1:
        return ((n,),)
    return tuple((d,) + rest for d in divisors(n) for rest in _splits(n // d, parts - 1))


def factor_table(bound: int, levels: int, max_spatial: int) -> np.ndarray:
    """Rows (spatial, t_0, ..., t_{levels-1}) whose product is ``bound``."""
    rows = [(s,) + t for s in divisors(bound) if s <= max_spatial for t in _splits(bound // s, levels)]
    return np.array(rows, dtype=np.int64)


def factor_tables(bounds: np.ndarray, target: MappingTarget) -> list[np.ndarray]:
    """Per dimension, the factorizations that can be part of a valid mapping.

    A row is pruned when the dimension's own cumulative factor up to some level already
    exceeds that level's capacity for an operand the level holds and the dimension indexes:
    every tile of that operand is at least that large, so no choice elsewhere can save it.
    """
    levels = len(target.levels)
    tables = []
    for d, name in enumerate(DIMS):
        limit = target.rows if name in target.row_dims else target.cols if name in target.col_dims else 1
        table = factor_table(int(bounds[d]), levels, limit)
        keep = np.ones(len(table), dtype=bool)
        for level_index, level in enumerate(target.levels[:-1]):
            indexed = [x for x in range(3) if RELEVANCE[x, d] and level.holds[x]]
            if not indexed:
                continue
            cum = np.prod(table[:, 1 : level_index + 2], axis=1) * (table[:, 0] if level_index >= 1 else 1)
            # in elements of the operand indexed here with the most room: a wider one fills its words sooner
            part = level.partition_words or (level.capacity_words,) * 3
            room = max(min(level.capacity_words, part[x]) / target.operand_scale[x] for x in indexed)
            room /= 2 if level.double_buffered else 1
            keep &= cum <= room
        tables.append(table[keep])
    return tables


def space_size(tables: list[np.ndarray], levels: int) -> float:
    """Factorization combinations times loop orders (levels above 0, NDIM! each)."""
    combos = float(np.prod([len(t) for t in tables], dtype=np.float64))
    return combos * float(len(_PERMUTATIONS)) ** (levels - 1)


def canonical_orders(levels: int) -> np.ndarray:
    """One order per (level >= 1) keeping W, I or O resident: its irrelevant loops innermost."""
    per_level = []
    for operand in range(3):
        rel = RELEVANCE[operand]
        per_level.append([d for d in range(NDIM) if not rel[d]] + [d for d in range(NDIM) if rel[d]])
    combos = []
    for choice in product(range(3), repeat=levels - 1):
        combos.append([list(range(NDIM))] + [per_level[c] for c in choice])
    return np.array(combos, dtype=np.int64)


def sample(tables: list[np.ndarray], levels: int, n: int, rng: np.random.Generator):
    """``n`` random mappings: (factors (n, L, NDIM), spatial (n, NDIM), orders (n, L, NDIM))."""
    rows, orders = sample_rows(tables, levels, n, rng)
    factors, spatial = materialize(tables, rows)
    return factors, spatial, orders


def flatten(tables: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """All tables stacked (rows of (spatial, t_0, ...)) and each dimension's first row in the stack."""
    flat = np.ascontiguousarray(np.concatenate(tables), dtype=np.int64)
    offsets = np.cumsum([0] + [len(t) for t in tables[:-1]]).astype(np.int64)
    return flat, offsets


def materialize(tables: list[np.ndarray], rows: np.ndarray,
                flat: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Factors (n, L, NDIM) and spatial (n, NDIM) of mappings given as one table row per dimension (n, NDIM).

    ``flat`` is :func:`flatten` of ``tables``, when the caller has it already.
    """
    stacked, offsets = flat if flat is not None else flatten(tables)
    return _gather(stacked, offsets, np.ascontiguousarray(rows, dtype=np.int64))


@njit(cache=True)
def _gather(flat, offsets, rows):
    n = rows.shape[0]
    levels = flat.shape[1] - 1
    factors = np.empty((n, levels, NDIM), dtype=np.int64)
    spatial = np.empty((n, NDIM), dtype=np.int64)
    for i in range(n):
        for d in range(NDIM):
            r = offsets[d] + rows[i, d]
            spatial[i, d] = flat[r, 0]
            for l in range(levels):
                factors[i, l, d] = flat[r, 1 + l]
    return factors, spatial


def sample_rows(tables: list[np.ndarray], levels: int, n: int, rng: np.random.Generator):
    """``n`` random mappings as (table rows (n, NDIM), orders (n, L, NDIM)); level 0's order is fixed."""
    rows = np.stack([rng.integers(0, len(t), size=n) for t in tables], axis=1)
    orders = _PERMUTATIONS[rng.integers(0, len(_PERMUTATIONS), size=(n, levels))]
    orders[:, 0, :] = np.arange(NDIM)
    return rows, orders


def neighbours(tables: list[np.ndarray], rows: np.ndarray, orders: np.ndarray, n: int,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` mutations of the given mappings (parents drawn evenly).

    Each child re-draws the factorization of one or two dimensions (every row of a table is
    an exact split, so children stay exact) and, half of the time, replaces one level's
    loop order by a canonical one.  All random numbers are drawn from ``rng`` in one call,
    so the children depend only on the parents and the generator's state.
    """
    sizes = np.array([len(t) for t in tables], dtype=np.int64)
    # only dimensions with a choice are worth re-drawing (most layers have G = 1, many N = 1)
    free = np.flatnonzero(sizes > 1)
    if free.size == 0:
        free = np.arange(NDIM)
    canon = canonical_orders(2)[:, 1, :]  # the three canonical single-level orders
    draws = rng.random((n, 9))
    return _mutate(np.ascontiguousarray(rows, dtype=np.int64), np.ascontiguousarray(orders, dtype=np.int64),
                   sizes, free.astype(np.int64), canon, draws)


@njit(cache=True)
def _pick(u, k):
    """An integer in [0, k) from a uniform ``u`` in [0, 1)."""
    return min(int(u * k), k - 1)


@njit(cache=True)
def _mutate(rows, orders, sizes, free, canon, draws):
    """Children of ``rows``/``orders`` (parent ``i % len``), steered by uniform ``draws`` (n, 9)."""
    n = draws.shape[0]
    m, levels = orders.shape[0], orders.shape[1]
    child_rows = np.empty((n, rows.shape[1]), dtype=np.int64)
    child_orders = np.empty((n, levels, orders.shape[2]), dtype=np.int64)
    for i in range(n):
        p = i % m
        child_rows[i] = rows[p]
        child_orders[i] = orders[p]
        for k in range(2):
            dim = free[_pick(draws[i, 3 * k], free.size)]
            if draws[i, 3 * k + 1] < 0.75:
                child_rows[i, dim] = _pick(draws[i, 3 * k + 2], sizes[dim])
        if levels > 1 and draws[i, 6] < 0.5:
            level = 1 + _pick(draws[i, 7], levels - 1)
            child_orders[i, level] = canon[_pick(draws[i, 8], 3)]
    return child_rows, child_orders


def enumerate_all(tables: list[np.ndarray], levels: int, chunk: int = 200_000):
    """Every factorization with every canonical order, in batches of about ``chunk``."""
    orders_set = canonical_orders(levels)
    sizes = [len(t) for t in tables]
    total = int(np.prod(sizes))
    for start in range(0, total, max(1, chunk // len(orders_set))):
        idx = np.arange(start, min(total, start + max(1, chunk // len(orders_set))))
        per_dim = np.unravel_index(idx, sizes)
        stacked = np.stack([tables[d][per_dim[d]] for d in range(NDIM)], axis=1)
        m = len(idx)
        spatial = np.repeat(stacked[:, :, 0], len(orders_set), axis=0)
        factors = np.repeat(stacked[:, :, 1:].transpose(0, 2, 1), len(orders_set), axis=0)
        orders = np.tile(orders_set, (m, 1, 1))
        yield np.ascontiguousarray(factors), np.ascontiguousarray(spatial), np.ascontiguousarray(orders)
