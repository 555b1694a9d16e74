"""Per-operand cuts of a loop nest ("uneven" mappings) and how the search draws them.

``cuts[x, l]`` is how many of level ``l + 1``'s loops (innermost first) operand ``x``'s tile
at level ``l`` also spans, so each operand can leave a level at its own point of the loop
order.  One cut per level (all zeros) is what every target supports; a target whose
controller moves each operand's tiles on its own schedule says so with
``MappingTarget.per_operand_cuts``, and only then does the search draw other cuts.
"""

from __future__ import annotations

import numpy as np
from hwsim.jit import njit

from hwsim.mapping.loopnest.target import NDIM, MappingTarget


def cut_slots(target: MappingTarget) -> np.ndarray:
    """(3, levels - 1) bool: where an operand may move its cut (a level below the top that holds it)."""
    levels = len(target.levels)
    slots = np.zeros((3, levels - 1), dtype=np.bool_)
    if target.per_operand_cuts:
        for level in range(levels - 1):
            for x in range(3):
                slots[x, level] = target.levels[level].holds[x]
    return slots


def even_cuts(n: int, levels: int) -> np.ndarray:
    """One cut per level for ``n`` mappings: (n, 3, levels - 1) zeros."""
    return np.zeros((n, 3, levels - 1), dtype=np.int64)


def sample_cuts(slots: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` random cuts: each open slot is even half of the time, else spans 1..NDIM of the next level's loops.

    Draws nothing from ``rng`` when no slot is open, so the search on other targets is unchanged.
    """
    if not slots.any():
        return even_cuts(n, slots.shape[1] + 1)
    draws = rng.integers(1, NDIM + 1, size=(n,) + slots.shape)
    keep = rng.random((n,) + slots.shape) < 0.5
    return np.where(keep & slots[None], draws, 0).astype(np.int64)


def mutate_cuts(parents: np.ndarray, slots: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Children of ``parents`` (parent ``i % len``, as :func:`space.neighbours` pairs them): half of
    them re-draw one open slot (0..NDIM).  Draws nothing from ``rng`` when no slot is open."""
    if not slots.any():
        return even_cuts(n, slots.shape[1] + 1)
    open_slots = np.argwhere(slots).astype(np.int64)
    return _mutate(np.ascontiguousarray(parents, dtype=np.int64), open_slots, rng.random((n, 3)))


@njit(cache=True)
def _mutate(parents, open_slots, draws):
    n = draws.shape[0]
    m = parents.shape[0]
    children = np.empty((n, parents.shape[1], parents.shape[2]), dtype=np.int64)
    for i in range(n):
        children[i] = parents[i % m]
        if draws[i, 0] < 0.5:
            k = min(int(draws[i, 1] * open_slots.shape[0]), open_slots.shape[0] - 1)
            children[i, open_slots[k, 0], open_slots[k, 1]] = min(int(draws[i, 2] * (NDIM + 1)), NDIM)
    return children
