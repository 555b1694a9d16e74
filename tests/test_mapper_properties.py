"""Properties of every mapping the loop-nest search returns, and exhaustive search against brute force."""

from itertools import permutations, product

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hwsim.errors import MappingError
from hwsim.mapping.loopnest import space
from hwsim.mapping.loopnest.search import evaluate, layer_bounds, search
from hwsim.mapping.loopnest.target import DIMS, NDIM, MappingTarget, MemoryLevel
from hwsim.mapping.tiles import tile_words
from hwsim.spec.enums import Objective
from hwsim.workload.layers import Layer, LayerKind, Quant

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def layers(draw):
    r = draw(st.sampled_from([1, 3]))
    return Layer("t", LayerKind.CONV, draw(st.integers(1, 2)), draw(st.sampled_from([1, 2, 4, 6, 8, 12])),
                 draw(st.sampled_from([1, 2, 3, 4, 8])), draw(st.integers(1, 7)), draw(st.integers(1, 4)), r, r,
                 draw(st.sampled_from([1, 2])), 0, ("",), 8, Quant.ternary())


@st.composite
def targets(draw):
    rows, cols = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    row_dims = draw(st.sampled_from([(), ("C",), ("C", "R", "S"), ("K", "C")]))
    col_dims = tuple(d for d in draw(st.sampled_from([(), ("K",), ("P", "Q"), ("N", "K")])) if d not in row_dims)
    reg = MemoryLevel("reg", float(draw(st.integers(3, 16))), 0.1, 0.1, 1e9,
                      draw(st.sampled_from([(True, False, False), (True, True, True), (False, True, True)])))
    sram = MemoryLevel("sram", float(draw(st.integers(64, 4096))), 2.0, 2.0, float(draw(st.integers(1, 64))),
                       double_buffered=draw(st.booleans()))
    dram = MemoryLevel("dram", 1e15, 100.0, 100.0, float(draw(st.integers(1, 8))))
    return MappingTarget("t", rows, cols, row_dims, col_dims, (reg, sram, dram), mac_energy_pj=0.5,
                         mac_cycles=float(draw(st.sampled_from([1, 3]))))


@SETTINGS
@given(layers(), targets(), st.sampled_from(list(Objective)), st.integers(0, 2**16))
def test_every_returned_mapping_is_valid_and_deterministic(layer, target, objective, seed):
    try:
        best = search(layer, target, objective=objective, budget=3000, seed=seed, batch=1000)
    except MappingError:
        # only allowed when no candidate fits: the all-outer mapping must then overflow level 0
        assert layer.R * layer.S * sum(target.levels[0].holds) > target.levels[0].capacity_words
        return
    bounds, window = layer_bounds(layer)
    factors, spatial = np.array(best.factors), np.array(best.spatial)
    assert np.array_equal(spatial * factors.prod(axis=0), bounds)
    rows = np.prod([spatial[DIMS.index(d)] for d in target.row_dims]) if target.row_dims else 1
    cols = np.prod([spatial[DIMS.index(d)] for d in target.col_dims]) if target.col_dims else 1
    assert rows <= target.rows and cols <= target.cols
    allowed = set(target.row_dims + target.col_dims)
    assert all(f == 1 or d in allowed for d, f in zip(DIMS, spatial))
    for li, level in enumerate(target.levels[:-1]):
        words = tile_words(bounds, window, factors, spatial, li, level.holds, target.operand_scale)
        assert words * (2 if level.double_buffered else 1) <= level.capacity_words
    assert best.latency_cycles >= layer.macs / (target.rows * target.cols) * target.mac_cycles
    again = search(layer, target, objective=objective, budget=3000, seed=seed, batch=1000)
    assert (again.factors, again.spatial, again.orders, again.energy_pj) == (
        best.factors, best.spatial, best.orders, best.energy_pj)


def _brute_force(layer, target, objective):
    """Every factorization (unpruned) with every loop order of every level above 0."""
    bounds = np.array([layer.N, layer.K, layer.C, layer.P, layer.Q, layer.R, layer.S, layer.G])
    levels = len(target.levels)
    tables = []
    for d, name in enumerate(DIMS):
        limit = target.rows if name in target.row_dims else target.cols if name in target.col_dims else 1
        tables.append(space.factor_table(int(bounds[d]), levels, limit))
    live = [d for d in range(NDIM) if bounds[d] > 1]
    level_orders = [list(p) + [d for d in range(NDIM) if d not in p] for p in permutations(live)]
    best = np.inf
    for rows in product(*tables):
        stacked = np.array(rows)  # (NDIM, 1 + levels)
        combos = list(product(level_orders, repeat=levels - 1))
        n = len(combos)
        factors = np.repeat(stacked[None, :, 1:].transpose(0, 2, 1), n, axis=0)
        spatial = np.repeat(stacked[None, :, 0], n, axis=0)
        orders = np.array([[list(range(NDIM)), *c] for c in combos], dtype=np.int64)
        lat, energy, valid = evaluate(layer, target, np.ascontiguousarray(factors), np.ascontiguousarray(spatial),
                                      orders)
        cost = {Objective.LATENCY: lat, Objective.ENERGY: energy, Objective.EDP: lat * energy}[objective]
        cost = np.where(valid, cost, np.inf)
        best = min(best, float(cost.min()))
    return best


@settings(max_examples=12, deadline=None)
@given(st.sampled_from([1, 2, 4]), st.sampled_from([1, 2, 3]), st.sampled_from([1, 2, 4]),
       st.sampled_from(list(Objective)), st.integers(3, 8), st.integers(4, 24))
def test_exhaustive_search_finds_the_brute_force_optimum(k, c, p, objective, reg_words, sram_words):
    layer = Layer("tiny", LayerKind.CONV, 1, k, c, p, 1, 1, 1, 1, 0, ("",), 8, Quant.ternary())
    target = MappingTarget("2x2", 2, 2, ("C",), ("K",), (
        MemoryLevel("reg", float(reg_words), 0.1, 0.2, 1e9, (True, False, True)),
        MemoryLevel("sram", float(sram_words), 2.0, 3.0, 4.0),
        MemoryLevel("dram", 1e15, 100.0, 120.0, 1.0),
    ), mac_energy_pj=0.5)
    result = search(layer, target, objective=objective, budget=10**7)
    assert result.exhaustive
    cost = {Objective.LATENCY: result.latency_cycles, Objective.ENERGY: result.energy_pj,
            Objective.EDP: result.edp}[objective]
    assert cost == pytest.approx(_brute_force(layer, target, objective), rel=1e-12)
