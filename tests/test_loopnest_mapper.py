"""The loop-nest mapper: hand-counted accesses, validity, search determinism and objectives."""

from dataclasses import replace

import numpy as np
import pytest

from hwsim.errors import MappingError
from hwsim.mapping.loopnest.search import evaluate, search
from hwsim.mapping.loopnest.target import DIMS, NDIM, MappingTarget, MemoryLevel
from hwsim.spec.enums import Objective
from hwsim.workload.layers import Layer, LayerKind, Quant


def _layer(K=2, C=2, P=2, Q=1, R=1, S=1, stride=1):
    return Layer("t", LayerKind.CONV, 1, K, C, P, Q, R, S, stride, 0, ("",), 8, Quant.ternary())


def _single_pe(reg_capacity=1.0):
    # one PE whose register holds only the weight; DRAM holds everything, 1 pJ per access
    return MappingTarget("one-pe", 1, 1, (), (), (
        MemoryLevel("reg", reg_capacity, 0.1, 0.1, 1e9, (True, False, False)),
        MemoryLevel("dram", 1e12, 1.0, 1.0, 1e9),
    ), mac_energy_pj=0.0)


def _mapping(order_level1, level0=None):
    factors = np.ones((1, 2, NDIM), dtype=np.int64)
    factors[0, 1] = [1, 2, 2, 2, 1, 1, 1, 1]  # N K C P Q R S G all at DRAM level
    if level0 is not None:
        factors[0, 0], factors[0, 1] = level0
    spatial = np.ones((1, NDIM), dtype=np.int64)
    orders = np.tile(np.arange(NDIM), (1, 2, 1))
    orders[0, 1] = [DIMS.index(d) for d in order_level1 + "G"]
    return factors, spatial, orders


def test_weight_stays_resident_across_irrelevant_inner_loop():
    # loops innermost first: P (weights do not depend on it), K, C.
    # the weight tile (1 word) is refetched once per (K, C) iteration: 4 fills.
    # reads: reg 8 MACs; dram 4 weight fills + 8 input words + 8 partial-sum reads
    # writes: reg 4 fills; dram 8 partial-sum writes.  8 MACs, 8 cycles, plus the first weight
    # before the first MAC and the other 3 fills of the full 1-word register (1e9 words/cycle).
    lat, energy, valid = evaluate(_layer(), _single_pe(), *_mapping("PKCNQRS"))
    assert valid[0]
    assert lat[0] == pytest.approx(8 + 4 / 1e9, rel=1e-12)
    assert energy[0] == pytest.approx(8 * 0.1 + 4 * 0.1 + (4 + 8 + 8) * 1.0 + 8 * 1.0)


def test_weight_refetched_when_a_relevant_loop_is_innermost():
    # K innermost: every iteration of K, C and P refetches the weight: 8 fills
    lat, energy, valid = evaluate(_layer(), _single_pe(), *_mapping("KCPNQRS"))
    assert valid[0]
    assert energy[0] == pytest.approx(8 * 0.1 + 8 * 0.1 + (8 + 8 + 8) * 1.0 + 8 * 1.0)


def test_tile_over_capacity_is_invalid():
    level0 = ([1, 2, 1, 1, 1, 1, 1, 1], [1, 1, 2, 2, 1, 1, 1, 1])  # two weights in a 1-word register
    _, _, valid = evaluate(_layer(), _single_pe(reg_capacity=1), *_mapping("PKCNQRS", level0))
    assert not valid[0]
    _, _, valid = evaluate(_layer(), _single_pe(reg_capacity=2), *_mapping("PKCNQRS", level0))
    assert valid[0]


def test_factors_must_multiply_to_the_bounds():
    factors, spatial, orders = _mapping("PKCNQRS")
    factors[0, 1, 1] = 1  # K covered only once of twice
    _, _, valid = evaluate(_layer(), _single_pe(), factors, spatial, orders)
    assert not valid[0]


def _array_target():
    return MappingTarget("ws4x4", 4, 4, ("C", "R", "S"), ("K",), (
        MemoryLevel("reg", 1, 0.03, 0.03, 1e9, (True, False, False)),
        MemoryLevel("sram", 4096, 2.5, 2.5, 16),
        MemoryLevel("dram", 1e15, 160, 160, 2),
    ), mac_energy_pj=0.2)


def test_unrolling_divides_compute_cycles():
    layer = _layer(K=4, C=4, P=4, Q=4)
    factors = np.ones((1, 3, NDIM), dtype=np.int64)
    factors[0, 2] = [1, 1, 1, 4, 4, 1, 1, 1]
    spatial = np.array([[1, 4, 4, 1, 1, 1, 1, 1]])
    orders = np.tile(np.arange(NDIM), (1, 3, 1))
    lat, _, valid = evaluate(layer, _array_target(), factors, spatial, orders)
    assert valid[0]
    # 16 output pixels, each a cycle on the 4x4 array, unless DRAM traffic dominates
    assert lat[0] >= 16


def test_unrolling_beyond_the_array_is_invalid():
    layer = _layer(K=8, C=4, P=1)
    factors = np.ones((1, 3, NDIM), dtype=np.int64)
    spatial = np.array([[1, 8, 4, 1, 1, 1, 1, 1]])
    _, _, valid = evaluate(layer, _array_target(), factors, spatial, np.tile(np.arange(NDIM), (1, 3, 1)))
    assert not valid[0]


def test_search_is_deterministic_and_objectives_order():
    layer = _layer(K=16, C=8, P=8, Q=8, R=3, S=3)
    target = _array_target()
    runs = {obj: search(layer, target, objective=obj, budget=20_000, seed=3) for obj in Objective}
    again = search(layer, target, objective=Objective.EDP, budget=20_000, seed=3)
    assert replace(again, seconds=0.0) == replace(runs[Objective.EDP], seconds=0.0)
    assert runs[Objective.LATENCY].latency_cycles <= runs[Objective.ENERGY].latency_cycles
    assert runs[Objective.ENERGY].energy_pj <= runs[Objective.LATENCY].energy_pj
    assert runs[Objective.EDP].edp <= min(runs[Objective.LATENCY].edp, runs[Objective.ENERGY].edp)
    assert runs[Objective.LATENCY].latency_cycles >= layer.macs / 16


def test_small_space_is_searched_exhaustively():
    result = search(_layer(), _single_pe(), objective=Objective.ENERGY, budget=100_000)
    assert result.exhaustive
    # the best keeps the weight resident across P: 4 weight fills, as counted by hand above
    assert result.energy_pj == pytest.approx(8 * 0.1 + 4 * 0.1 + 20 * 1.0 + 8 * 1.0)


def test_no_valid_mapping_is_a_clear_error():
    layer = _layer(K=2, C=2)
    target = MappingTarget("tiny", 1, 1, (), (), (
        MemoryLevel("reg", 0.5, 0.1, 0.1, 1e9, (True, False, False)),
        MemoryLevel("dram", 1e12, 1.0, 1.0, 1e9),
    ), mac_energy_pj=0.0)
    with pytest.raises(MappingError, match=r"^layer 't': no valid mapping on 'tiny'"):
        search(layer, target, budget=1000)


def test_attention_lowers_to_two_gemms_the_mapper_maps():
    from hwsim.mapping.loopnest.attention import AttentionShape, attention_gemms

    shape = AttentionShape("enc0.attn", B=1, H=4, L=32, D=16)
    qk, av = attention_gemms(shape)
    # G = B * H: both operands change per head, so neither is reused across G
    assert (qk.N, qk.G, qk.K, qk.C, qk.P) == (1, 4, 32, 16, 32)
    assert (av.N, av.G, av.K, av.C, av.P) == (1, 4, 16, 32, 32)
    assert qk.macs == av.macs == 4 * 32 * 32 * 16
    sparse_qk, sparse_av = attention_gemms(AttentionShape("s", B=1, H=4, L=32, D=16, kept_keys=8))
    assert sparse_av.macs == av.macs // 4
    target = _array_target()
    dense = search(av, target, objective=Objective.LATENCY, budget=20_000, seed=0)
    sparse = search(sparse_av, target, objective=Objective.LATENCY, budget=20_000, seed=0)
    assert sparse.latency_cycles < dense.latency_cycles
    with pytest.raises(MappingError, match=r"^attention 'x': kept_keys = 40 must be in \[1, 32\]"):
        AttentionShape("x", B=1, H=1, L=32, D=8, kept_keys=40)


@pytest.mark.parametrize("objective", [Objective.LATENCY, Objective.ENERGY])
def test_ties_in_the_objective_go_to_the_better_other_metric(objective):
    # many mappings share the smallest latency (the same compulsory DRAM traffic); the search
    # returns the one of least energy among them (and for energy, the least latency)
    from hwsim.mapping.loopnest import space
    from hwsim.mapping.loopnest.search import layer_bounds

    layer = _layer(K=4, C=4, P=4, Q=2)
    target = _array_target()
    result = search(layer, target, objective=objective, budget=10**7)
    assert result.exhaustive
    first, second = [], []
    tables = space.factor_tables(layer_bounds(layer)[0], target)
    for factors, spatial, orders in space.enumerate_all(tables, len(target.levels)):
        lat, energy, valid = evaluate(layer, target, factors, spatial, orders)
        pair = (lat, energy) if objective is Objective.LATENCY else (energy, lat)
        first.append(pair[0][valid])
        second.append(pair[1][valid])
    first, second = np.concatenate(first), np.concatenate(second)
    best = first.min()
    assert (first == best).sum() > 1  # a real tie
    ours = (result.latency_cycles, result.energy_pj) if objective is Objective.LATENCY else (
        result.energy_pj, result.latency_cycles)
    assert ours == (best, second[first == best].min())


def test_a_partitioned_level_holds_each_operand_in_its_own_part():
    # two weights at level 0: fit a 4-word shared register, but not a 1-word weight part
    level0 = ([1, 2, 1, 1, 1, 1, 1, 1], [1, 1, 2, 2, 1, 1, 1, 1])
    shared = _single_pe(reg_capacity=4)
    _, _, valid = evaluate(_layer(), shared, *_mapping("PKCNQRS", level0))
    assert valid[0]
    parts = replace(shared, levels=(replace(shared.levels[0], partition_words=(1.0, 3.0, 0.0)), shared.levels[1]))
    _, _, valid = evaluate(_layer(), parts, *_mapping("PKCNQRS", level0))
    assert not valid[0]
    parts = replace(shared, levels=(replace(shared.levels[0], partition_words=(2.0, 0.0, 0.0)), shared.levels[1]))
    lat, energy, valid = evaluate(_layer(), parts, *_mapping("PKCNQRS", level0))
    assert valid[0]


def test_each_operand_of_a_partitioned_level_pays_its_own_energy():
    # weights in the register cost 0.1 pJ per access before; at 1.0 pJ, the 8 reads and 4
    # fills of the resident-weight nest cost 12 x 0.9 pJ more (inputs and outputs bypass it)
    base = _single_pe()
    lat, energy, _ = evaluate(_layer(), base, *_mapping("PKCNQRS"))
    costly = replace(base, levels=(replace(base.levels[0], operand_energy_pj=((1.0, 1.0), (5.0, 5.0), (5.0, 5.0))),
                                   base.levels[1]))
    lat2, energy2, _ = evaluate(_layer(), costly, *_mapping("PKCNQRS"))
    assert lat2[0] == lat[0]
    assert energy2[0] == pytest.approx(energy[0] + 12 * 0.9)


def test_arrays_that_do_not_share_input_halos_read_every_pes_inputs():
    # P4 x R3 unrolled on 12 PEs: overlapping windows need 6 distinct inputs a cycle when
    # shared, 12 when each PE gets its own; one cycle per output column (Q 5), 1 pJ per read
    layer = _layer(K=1, C=1, P=4, Q=5, R=3)
    target = MappingTarget("row", 12, 1, ("P", "R"), (), (
        MemoryLevel("reg", 16, 0.0, 0.0, 1e9, (True, False, False)),
        MemoryLevel("sram", 1e6, 1.0, 0.0, 1e9),
        MemoryLevel("dram", 1e15, 0.0, 0.0, 1e9),
    ), mac_energy_pj=0.0)
    factors = np.ones((1, 3, NDIM), dtype=np.int64)
    factors[0, 1, 4] = 5
    spatial = np.array([[1, 1, 1, 4, 1, 3, 1, 1]])
    orders = np.tile(np.arange(NDIM), (1, 3, 1))
    _, shared, valid = evaluate(layer, target, factors, spatial, orders)
    _, own, _ = evaluate(layer, replace(target, share_halo=False), factors, spatial, orders)
    assert valid[0]
    assert own[0] - shared[0] == pytest.approx(5 * (12 - 6) * 1.0)
