"""The IMC engine skips counting a tiling whose cost floor cannot beat the best counted so far
(from the tiling alone, then from its additions before its empty chunks): neither floor exceeds
the exact count, and skipping never changes the layer's result."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import linear_layer, tiny_imc
from hwsim.cost.imc import energy_table_pj
from hwsim.mapping.imc import best_counted, map_candidates, tiling_cost
from hwsim.sim.blocks import sparse_skip
from hwsim.sim.imc import engine

SPECS = {
    name: tiny_imc(preset, data_mapping="search", mapping_objective=objective, subarrays_per_bank=4,
                   subarray__rows=rows)
    for name, preset, objective, rows in (("fat-edp", "fat", "edp", 64), ("fat-latency", "fat", "latency", 128),
                                          ("parapim-energy", "parapim", "energy", 64),
                                          ("parapim-edp", "parapim", "edp", 128))
}


def _case(c, k, n, groups, density, seed):
    rng = np.random.default_rng(seed)
    layer = linear_layer(c=c, k=k, n=n)
    layer = layer if groups == 1 else replace(layer, G=groups)
    shape = (groups * k, c, 1, 1)
    weights = np.where(rng.random(shape) < density, rng.choice([-1, 1], size=shape), 0).astype(np.int8)
    return layer, weights


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(1, 80), st.integers(1, 12), st.integers(1, 9), st.sampled_from([1, 2]), st.floats(0.0, 1.0),
       st.integers(0, 2**16), st.sampled_from(sorted(SPECS)))
def test_cost_floor_never_exceeds_the_count(c, k, n, groups, density, seed, spec_name):
    spec = SPECS[spec_name]
    layer, weights = _case(c, k, n, groups, density, seed)
    group = layer if groups == 1 else replace(layer, G=1)
    nonzero = int(np.count_nonzero(weights))
    issued = nonzero if spec.skip_unit.zero_skip else weights.size
    packed = sparse_skip.pack_nonzeros(weights) if spec.skip_unit.zero_skip else None
    prices = energy_table_pj(spec)
    candidates = map_candidates(group, spec, nonzero / weights.size)
    counted = [engine._count_tiling(layer, packed, m, spec) for m in candidates]
    for m, exact in zip(candidates, counted):
        cost = tiling_cost(exact.cycles, exact.counts, spec)
        assert engine._cost_floor(layer, m, spec, issued, prices) <= cost
        # the additions' floor, taken before the empty chunks: a tiling is dropped only at or above it
        just_above = (math.nextafter(cost, math.inf), issued, prices)
        assert engine._count_tiling(layer, packed, m, spec, {}, {}, just_above) == exact
    # the engine's choice, with tilings skipped, is the one counting every tiling picks
    full = counted[best_counted([x.cycles for x in counted], [x.counts for x in counted], spec)]
    chosen = engine.simulate_layer(layer, weights, spec)
    assert (chosen.cycles, dict(chosen.counts), chosen.mapping) == (
        full.cycles, full.counts, engine._layer_stats(layer, full, nonzero / weights.size).mapping)


def test_some_tilings_are_not_counted_on_a_real_layer(monkeypatch):
    """The floor is tight enough to skip tilings of ResNet-18's first 3x3 layer on FAT (else it only costs)."""
    from hwsim import api

    net = api.load_network("resnet18")
    layer = next(x for x in net.layers if x.name == "layer1.0.conv1")
    spec = api.load_arch("fat")
    real = engine._count_tiling
    seen = []
    monkeypatch.setattr(engine, "_count_tiling", lambda *a, **kw: seen.append(a[2]) or real(*a, **kw))
    engine.simulate_layer(layer, net.weights[layer.name], spec)
    candidates = map_candidates(layer, spec, np.count_nonzero(net.weights[layer.name]) / net.weights[layer.name].size)
    assert 0 < len(seen) < len(candidates)
