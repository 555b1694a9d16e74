"""Per-operand cuts (uneven mappings) and the latency paths of the loop-nest model, counted by hand."""

from dataclasses import replace

import numpy as np
import pytest

from hwsim.mapping.loopnest.cuts import cut_slots
from hwsim.mapping.loopnest.search import evaluate, search
from hwsim.mapping.loopnest.target import DIMS, NDIM, MappingTarget, MemoryLevel
from hwsim.mapping.tiles import tile_words
from hwsim.spec.enums import Objective
from hwsim.workload.layers import Layer, LayerKind, Quant


def _layer(K=2, C=2, P=2, Q=1, R=1, S=1):
    return Layer("t", LayerKind.CONV, 1, K, C, P, Q, R, S, 1, 0, ("",), 8, Quant.ternary())


def _three_levels(sram_words=100.0):
    # one PE: a 1-word weight register, an SRAM for everything, DRAM; only DRAM reads cost (1 pJ)
    return MappingTarget("one-pe-sram", 1, 1, (), (), (
        MemoryLevel("reg", 1, 0.0, 0.0, 1e9, (True, False, False)),
        MemoryLevel("sram", sram_words, 0.0, 0.0, 1e9),
        MemoryLevel("dram", 1e12, 1.0, 0.0, 1e9),
    ), mac_energy_pj=0.0)


def _nest(input_cut=0):
    """reg [-], sram [P2], dram [C2 K2] (C inner); the inputs' SRAM tile spans ``input_cut`` DRAM loops."""
    factors = np.ones((1, 3, NDIM), dtype=np.int64)
    factors[0, 1, DIMS.index("P")] = 2
    factors[0, 2, DIMS.index("C")] = 2
    factors[0, 2, DIMS.index("K")] = 2
    spatial = np.ones((1, NDIM), dtype=np.int64)
    orders = np.tile(np.arange(NDIM), (1, 3, 1))
    orders[0, 2] = [DIMS.index(d) for d in "CKNPQRSG"]
    cuts = np.zeros((1, 3, 2), dtype=np.int64)
    cuts[0, 1, 1] = input_cut
    return factors, spatial, orders, cuts


def test_an_operand_cut_moved_out_keeps_its_tile_across_those_loops():
    # DRAM reads, one cut per level: 4 weights once each; inputs (a P2 tile of one channel)
    # refetched every (C, K) iteration: 4 x 2 = 8; outputs written once, never read back.
    _, energy, valid = evaluate(_layer(), _three_levels(), *_nest(0))
    assert valid[0] and energy[0] == pytest.approx(4 + 8)
    # the inputs' SRAM tile spanning C2 (one DRAM loop) holds both channels: read once, 4 words
    _, energy, valid = evaluate(_layer(), _three_levels(), *_nest(1))
    assert valid[0] and energy[0] == pytest.approx(4 + 4)
    # spanning K2 as well changes nothing for the inputs (K does not index them)
    _, energy2, _ = evaluate(_layer(), _three_levels(), *_nest(2))
    assert energy2[0] == energy[0]


def test_an_operand_cut_counts_its_bigger_tile_against_the_capacity():
    # SRAM: the weight (1 word: P does not index it) + inputs + outputs (P2 of one K: 2 words)
    # even: 1 + 2 + 2 = 5 words; the inputs spanning C2: 1 + 4 + 2 = 7 words
    factors, spatial, orders, cuts = _nest(1)
    assert tile_words(np.array([1, 2, 2, 2, 1, 1, 1, 1]), np.ones(4), factors[0], spatial[0], 1,
                      (True, True, True), orders=orders[0], cuts=cuts[0]) == 7
    for words, ok in ((6, False), (7, True)):
        _, _, valid = evaluate(_layer(), _three_levels(words), factors, spatial, orders, cuts)
        assert valid[0] == ok
    _, _, valid = evaluate(_layer(), _three_levels(5), *_nest(0))
    assert valid[0]


@pytest.mark.parametrize("operand, level, cut", [(1, 0, 1), (0, 1, NDIM + 1), (2, 1, -1)])
def test_a_cut_where_the_operand_is_not_held_or_out_of_range_is_invalid(operand, level, cut):
    factors, spatial, orders, cuts = _nest(0)
    cuts[0, operand, level] = cut  # inputs are not held in the weight register
    _, _, valid = evaluate(_layer(), _three_levels(), factors, spatial, orders, cuts)
    assert not valid[0]


def _one_pe(reg_words, dram_words_per_cycle):
    return MappingTarget("one-pe", 1, 1, (), (), (
        MemoryLevel("reg", reg_words, 0.1, 0.1, 1e9, (True, False, False)),
        MemoryLevel("dram", 1e12, 1.0, 1.0, dram_words_per_cycle),
    ), mac_energy_pj=0.0)


def _resident_weight_nest():
    # loops innermost first P, K, C, all at DRAM: the 1-word weight is filled 4 times (once per (K, C))
    factors = np.ones((1, 2, NDIM), dtype=np.int64)
    factors[0, 1] = [1, 2, 2, 2, 1, 1, 1, 1]
    orders = np.tile(np.arange(NDIM), (1, 2, 1))
    orders[0, 1] = [DIMS.index(d) for d in "PKCNQRSG"]
    return factors, np.ones((1, NDIM), dtype=np.int64), orders


def test_a_full_register_cannot_load_the_next_weight_while_the_pe_uses_it():
    # DRAM at 4 words/cycle moves 4 weight fills + 8 inputs + 8 partial-sum reads + 8 writes:
    # 28 words, 7 cycles.  The compute path: the first weight (1/4 cycle), 8 MACs, and, in a
    # 1-word register, the other 3 fills one after another (3/4 cycle): 9 cycles.
    lat, _, _ = evaluate(_layer(), _one_pe(1, 4.0), *_resident_weight_nest())
    assert lat[0] == pytest.approx(9.0)
    # with room for a second weight the fills overlap the MACs: 8 + 1/4 cycles
    lat, _, _ = evaluate(_layer(), _one_pe(2, 4.0), *_resident_weight_nest())
    assert lat[0] == pytest.approx(8.25)
    # at 1 word/cycle DRAM's 28 words set the latency
    lat, _, _ = evaluate(_layer(), _one_pe(2, 1.0), *_resident_weight_nest())
    assert lat[0] == pytest.approx(28.0)


def test_first_tiles_in_and_last_outputs_out_frame_the_compute():
    # the whole layer in the SRAM (it spans every loop): DRAM moves 4 weights + 4 inputs in
    # before the first MAC and 4 outputs out after the last; at 2 words/cycle that is 4 + 2
    # cycles around 8 MACs (the SRAM feeds the register at 1e9 words/cycle).
    target = replace(_three_levels(), levels=tuple(
        replace(level, bandwidth_words_per_cycle=2.0) if level.name == "dram" else level
        for level in _three_levels().levels))
    factors = np.ones((1, 3, NDIM), dtype=np.int64)
    factors[0, 1] = [1, 2, 2, 2, 1, 1, 1, 1]
    orders = np.tile(np.arange(NDIM), (1, 3, 1))
    orders[0, 1] = [DIMS.index(d) for d in "PKCNQRSG"]
    lat, _, valid = evaluate(_layer(), target, factors, np.ones((1, NDIM), dtype=np.int64), orders)
    assert valid[0]
    # plus the 3 weight refills of the full register from the SRAM (3e-9 cycles) and the first (1e-9)
    assert lat[0] == pytest.approx(4 + 8 + 2, rel=1e-6)


def _streaming_case():
    # weights (64 x 64 x 3 x 3) do not fit the SRAM; inputs and outputs do
    layer = _layer(K=64, C=64, P=7, Q=7, R=3, S=3)
    target = MappingTarget("ws8", 8, 8, ("C", "R", "S"), ("K",), (
        MemoryLevel("reg", 1, 0.03, 0.03, 1e9, (True, False, False)),
        MemoryLevel("sram", 16 * 1024, 2.5, 2.5, 16),
        MemoryLevel("dram", 1e15, 160.0, 160.0, 2),
    ), mac_energy_pj=0.2)
    return layer, target


def test_the_search_draws_cuts_only_where_the_target_allows_them():
    layer, even = _streaming_case()
    uneven = replace(even, per_operand_cuts=True)
    assert not cut_slots(even).any()
    assert cut_slots(uneven).tolist() == [[True, True], [False, True], [False, True]]
    plain = search(layer, even, objective=Objective.LATENCY, budget=30_000, seed=1)
    assert plain.cuts == ()
    cut = search(layer, uneven, objective=Objective.LATENCY, budget=30_000, seed=1)
    again = search(layer, uneven, objective=Objective.LATENCY, budget=30_000, seed=1)
    assert replace(again, seconds=0.0) == replace(cut, seconds=0.0)
    # streaming the weights past inputs and outputs that stay is what only cuts can express
    assert cut.cuts and cut.latency_cycles < plain.latency_cycles
    lat, energy, valid = evaluate(layer, uneven, np.array([cut.factors]), np.array([cut.spatial]),
                                  np.array([[[DIMS.index(d) for d in o] for o in cut.orders]]), cut.cut_array()[None])
    assert valid[0] and (lat[0], energy[0]) == (cut.latency_cycles, cut.energy_pj)
    assert " keeps " in cut.describe(uneven)


def test_a_mapping_file_keeps_the_cuts_and_rejects_them_where_the_target_has_none():
    from hwsim.errors import MappingError
    from hwsim.mapping.mapfile import LayerEntry, _layer_mapping, mapping_to_dict
    from hwsim.mapping.network import LayerMapping, NetworkMapping, residency
    from hwsim.spec.loading import validate

    layer, even = _streaming_case()
    uneven = replace(even, per_operand_cuts=True)
    found = search(layer, uneven, objective=Objective.LATENCY, budget=30_000, seed=1)
    network = NetworkMapping("m", "a", Objective.LATENCY, 30_000, 1, (LayerMapping(layer, uneven, found, True),))
    entry = validate(LayerEntry, mapping_to_dict(network)["layers"][0], "f")
    assert entry.cuts
    back = _layer_mapping(entry, layer, uneven, "f: layer 't'").mapping
    assert (back.latency_cycles, back.energy_pj) == (found.latency_cycles, found.energy_pj)
    assert residency(LayerMapping(layer, uneven, back, False)) == residency(network.layers[0])
    with pytest.raises(MappingError, match=r"^f: layer 't': cuts given, but target 'ws8' has one cut per level$"):
        _layer_mapping(entry, layer, even, "f: layer 't'")
    name, row = next(iter(entry.cuts.items()))
    bad = replace(entry, cuts={name: [row[0], 99]})
    with pytest.raises(MappingError, match=rf"^f: layer 't': cuts.{name}\[1\] = 99 must be in \[0, \d+\]"):
        _layer_mapping(bad, layer, uneven, "f: layer 't'")


def test_a_buffer_waits_only_for_the_first_tiles_of_the_operands_it_holds():
    # systolic-32x32-ws keeps W, I and O in three SRAMs stacked as levels.  mlp's fc1 (784 x 256
    # ternary weights, 4 to an 8-bit word) on C28 x K32: the filter SRAM reads 50,176 weight
    # words into the registers and takes 50,176 from DRAM, 32 words a cycle: 3,136 cycles.
    # The inputs' first tile coming into the ifmap SRAM meanwhile does not hold it up.
    from hwsim.api import load_arch, load_network
    from hwsim.mapping.network import mappable_layers
    from hwsim.mapping.targets import target_for

    arch = load_arch("systolic-32x32-ws")
    layer = mappable_layers(load_network("mlp"), arch)[0]
    target = target_for(arch, layer)
    assert [level.name for level in target.levels] == ["pe_reg", "filter_sram", "ifmap_sram", "ofmap_sram", "dram"]
    factors = np.ones((1, 5, NDIM), dtype=np.int64)
    for level, d, f in ((0, "C", 4), (1, "C", 7), (2, "K", 2), (4, "K", 4)):
        factors[0, level, DIMS.index(d)] = f
    spatial = np.ones((1, NDIM), dtype=np.int64)
    spatial[0, DIMS.index("C")], spatial[0, DIMS.index("K")] = 28, 32
    orders = np.tile(np.arange(NDIM), (1, 5, 1))
    lat, _, valid = evaluate(layer, target, factors, spatial, orders)
    assert valid[0] and lat[0] == pytest.approx(3136.0)


def test_a_resident_operand_does_not_expose_the_refills_of_an_operand_with_room():
    # one PE; the SRAM keeps a 16-word weight tile (C8 K2, loaded once) and 8 inputs and 2
    # outputs refetched for each of DRAM's 8 P iterations.  At 36 words a second input and
    # output tile (10 words) fits beside everything (26), so their refills overlap the MACs:
    # the latency is that of 52 words, where everything fits twice; at 26 words they do not
    layer = Layer("t", LayerKind.CONV, 1, 2, 8, 8, 1, 1, 1, 1, 0, ("",), 8, Quant.ternary())

    def target(sram_words):
        return MappingTarget("one-pe", 1, 1, (), (), (
            MemoryLevel("reg", 1, 0.0, 0.0, 1e9, (True, False, False)),
            MemoryLevel("sram", sram_words, 0.0, 0.0, 1e9),
            MemoryLevel("dram", 1e12, 1.0, 0.0, 1.0)), mac_energy_pj=0.0)

    factors = np.ones((1, 3, NDIM), dtype=np.int64)
    factors[0, 1, DIMS.index("C")], factors[0, 1, DIMS.index("K")], factors[0, 2, DIMS.index("P")] = 8, 2, 8
    orders = np.tile(np.arange(NDIM), (1, 3, 1))
    orders[0, 1] = [DIMS.index(d) for d in "CKNPQRSG"]
    nest = (factors, np.ones((1, NDIM), dtype=np.int64), orders)
    tight, roomy, ample = (evaluate(layer, target(w), *nest)[0][0] for w in (26, 36, 52))
    assert roomy == pytest.approx(ample) and tight > roomy


def test_a_budget_that_covers_the_nests_does_not_drop_the_cuts():
    # the nests alone fit the budget, but with cuts the space is larger: it is sampled with
    # cuts rather than enumerated without them (a larger budget never loses the cuts)
    layer = _layer(K=4, C=4, P=2)
    even = _three_levels(100.0)
    uneven = replace(even, per_operand_cuts=True)
    assert search(layer, even, objective=Objective.LATENCY, budget=10_000).exhaustive
    found = search(layer, uneven, objective=Objective.LATENCY, budget=10_000)
    assert not found.exhaustive and found.evaluated == 10_000
    # a budget above every nest times every cut choice (18 x 9**slots here) still samples the cuts
    small = _layer(K=2, C=1, P=1)
    found = search(small, uneven, objective=Objective.LATENCY, budget=200_000)
    assert not found.exhaustive and found.cuts
