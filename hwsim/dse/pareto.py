"""Non-dominated (Pareto) sets over two or three objectives."""

from __future__ import annotations

from typing import Sequence

import numpy as np


def pareto_mask(values: np.ndarray, maximize: Sequence[bool]) -> np.ndarray:
    """Which rows of ``values`` (n points x k objectives) no other row dominates.

    Row ``a`` dominates ``b`` when ``a`` is no worse in every objective and better in one;
    objectives flagged in ``maximize`` improve upwards, the others downwards.  Identical
    rows do not dominate each other, so all copies of a front point are kept.  Rows with a
    NaN are never on the front.

    Runs in O(n log n + n f k) for a front of f points: after a lexicographic sort no row
    can be dominated by a later one, so each row is checked against the front so far only.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or values.shape[1] != len(maximize):
        raise ValueError(f"values of shape {values.shape} do not match {len(maximize)} objectives")
    cost = np.where(np.asarray(maximize, dtype=bool), -values, values)
    valid = ~np.isnan(cost).any(axis=1)
    mask = np.zeros(len(cost), dtype=bool)
    rows = np.flatnonzero(valid)
    order = rows[np.lexsort(cost[rows].T[::-1])]
    front = np.empty((len(order), cost.shape[1]))
    size = 0
    for index in order:
        point = cost[index]
        kept = front[:size]
        if size and np.any(np.all(kept <= point, axis=1) & np.any(kept < point, axis=1)):
            continue
        front[size] = point
        size += 1
        mask[index] = True
    return mask
