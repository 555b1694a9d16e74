"""The Pareto filter: hand-checked fronts and agreement with the definition on random data."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hwsim.dse.pareto import pareto_mask


def _brute_force(values: np.ndarray, maximize) -> np.ndarray:
    cost = np.where(np.asarray(maximize), -values, values)
    n = len(cost)
    keep = np.zeros(n, dtype=bool)
    for i in range(n):
        if np.isnan(cost[i]).any():
            continue
        others = cost[~np.isnan(cost).any(axis=1)]
        dominated = np.any(np.all(others <= cost[i], axis=1) & np.any(others < cost[i], axis=1))
        keep[i] = not dominated
    return keep


def test_two_objectives_by_hand():
    # (latency, energy): c is beaten by b in both; d ties a in latency but costs more energy.
    values = np.array([[1.0, 9.0], [2.0, 4.0], [3.0, 5.0], [1.0, 10.0], [5.0, 1.0]])
    assert pareto_mask(values, [False, False]).tolist() == [True, True, False, False, True]


def test_maximized_objective_flips_the_direction():
    values = np.array([[1.0, 0.5], [2.0, 0.9], [3.0, 0.4]])
    assert pareto_mask(values, [False, True]).tolist() == [True, True, False]
    assert pareto_mask(values, [False, False]).tolist() == [True, False, True]


def test_duplicates_are_all_kept_and_nan_never():
    values = np.array([[1.0, 1.0], [1.0, 1.0], [np.nan, 0.0], [2.0, 2.0]])
    assert pareto_mask(values, [False, False]).tolist() == [True, True, False, False]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(*(st.integers(0, 6),) * 3), min_size=1, max_size=40),
       st.tuples(st.booleans(), st.booleans(), st.booleans()))
def test_matches_the_definition(points, maximize):
    values = np.array(points, dtype=float)
    assert pareto_mask(values, maximize).tolist() == _brute_force(values, maximize).tolist()
    assert pareto_mask(values[:, :2], maximize[:2]).tolist() == _brute_force(values[:, :2], maximize[:2]).tolist()
