"""The IMC mapping search, its YAML form, per-layer pins, and the fast counting it relies on."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import linear_layer, ternary, tiny_imc
from hwsim import api
from hwsim.errors import MappingError, SimulationError, SpecError
from hwsim.mapping.imc import deal_units, map_candidates, map_layer
from hwsim.sim.blocks import sparse_skip, ternary_dot_engine
from hwsim.sim.imc.engine import simulate_layer
from hwsim.sim.imc.network import layer_data_mappings, simulate_network
from hwsim.spec.arch import load_arch_spec
from hwsim.spec.enums import DataMapping
from hwsim.workload.layers import Quant, QuantKind
from hwsim.workload.weights import generate_weights

# --- counting from packed flags equals counting the weights -----------------------------------


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(1, 6), st.integers(1, 70), st.sampled_from([1, 2, 3, 4, 5, 8, 12, 16, 24]), st.integers(1, 9),
       st.floats(0.0, 1.0), st.integers(0, 2**16))
def test_part_work_equals_the_sum_of_its_chunks(k, reduction, chunk_len, cpp, density, seed):
    rng = np.random.default_rng(seed)
    w = np.where(rng.random((k, reduction)) < density, rng.choice([-1, 1], size=(k, reduction)), 0).astype(np.int8)
    chunk_len = min(chunk_len, reduction)
    n = -(-reduction // chunk_len)
    lens = np.full(n, chunk_len, dtype=np.int32)
    lens[-1] = reduction - (n - 1) * chunk_len
    nonzeros = sparse_skip.chunk_nonzeros(w, chunk_len)
    assert nonzeros.tolist() == np.count_nonzero(sparse_skip.chunk_weights(w, chunk_len), axis=2).tolist()
    starts = np.arange(0, n, cpp)
    for preset in ("fat", "parapim"):
        for wpc in (1, 8):
            spec = load_arch_spec(preset, {"skip_unit.weights_per_cycle": wpc})
            chunks = ternary_dot_engine.chunk_work(spec.sense_amp, spec.skip_unit, nonzeros, lens, cpp, 3, reduction, k)
            packed = None if not spec.skip_unit.zero_skip else sparse_skip.pack_nonzeros(w)
            parts = ternary_dot_engine.chunk_work(spec.sense_amp, spec.skip_unit, packed, lens, cpp, 3, reduction, k,
                                                  per_part=True)
            for name in ("ops", "adder_cycles", "item_cycles"):
                assert np.add.reduceat(getattr(chunks, name), starts, axis=1).tolist() == getattr(parts, name).tolist()
            assert chunks.bit_steps == parts.bit_steps


def test_nonzeros_before_any_position():
    w = ternary([[1, 0, 0, -1, 1, 1, 0, 0, 0, 1, -1]]).reshape(1, -1)
    packed = sparse_skip.pack_nonzeros(w)
    positions = np.arange(12)
    assert sparse_skip.nonzeros_before(packed, positions)[0].tolist() == [0, 1, 1, 1, 2, 3, 4, 4, 4, 4, 5, 6]


# --- the subarray deal ------------------------------------------------------------------------


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.integers(0, 500), min_size=1, max_size=60), st.integers(1, 70))
def test_more_subarrays_never_make_the_busiest_busier(units, subarrays):
    used, busy = deal_units(np.array(units), subarrays)
    more_used, more_busy = deal_units(np.array(units), subarrays + 1)
    assert busy.sum() == more_busy.sum() == sum(units)
    assert used <= subarrays and busy.max() >= max(units)
    assert more_busy.max() <= busy.max()


# --- the YAML form: search or a pin -----------------------------------------------------------


def test_search_is_the_default_and_a_value_pins():
    assert load_arch_spec("fat", {"data_mapping": "search"}).data_mapping is None
    assert load_arch_spec("fat").data_mapping is DataMapping.COMBINED_STATIONARY
    assert load_arch_spec("parapim").data_mapping is DataMapping.WEIGHT_STATIONARY


def test_bad_data_mapping_names_search_and_every_pin():
    with pytest.raises(SpecError, match=re.escape(
            "preset 'fat': key 'data_mapping' = 'diagonal': expected one of 'search', 'weight_stationary', "
            "'input_stationary', 'output_stationary', 'combined_stationary'")):
        load_arch_spec("fat", {"data_mapping": "diagonal"})


def test_searched_and_pinned_layers_say_so():
    net = api.load_network("mlp", weight_sparsity=0.8)
    pinned = api.simulate(net, api.load_arch("fat"))
    searched = api.simulate(net, api.load_arch("fat", overrides={"data_mapping": "search"}))
    weighted = [layer for layer in pinned.layers if layer.macs]
    assert all(layer.extra["mapping_source"] == "pinned" and "(pinned)" in layer.mapping for layer in weighted)
    assert pinned.total.extra["mapping_source"] == "pinned"
    assert pinned.total.extra["data_mappings"] == {"combined_stationary": len(weighted)}
    assert all(layer.extra["mapping_source"] == "searched" for layer in searched.layers if layer.macs)
    assert searched.total.extra["mapping_source"] == "searched"
    assert searched.total.cycles <= pinned.total.cycles * 1.01  # the search may pick combined-stationary itself


def test_search_tries_every_data_mapping():
    # one subarray, one column: output-stationary keeps the whole sum in one accumulator;
    # the search weighs all four and must do at least as well as each pinned one by its objective
    spec = tiny_imc("fat", data_mapping="search", mapping_objective="latency", subarray__rows=64)
    layer = linear_layer(c=12, k=3)
    w = ternary([[1, 0, -1, 1, 0, 0, 1, 0, 0, -1, 1, 1], [0] * 12, [1] * 12])
    searched = simulate_layer(layer, w, spec)
    for mapping in DataMapping:
        pinned = simulate_layer(layer, w, spec, data_mapping=mapping)
        assert pinned.extra["data_mapping"] == mapping.value
        assert searched.cycles <= pinned.cycles * 1.01


def test_a_design_runs_another_designs_data_mappings():
    net = api.load_network("mlp", weight_sparsity=0.8)
    fat, parapim = api.load_arch("fat"), api.load_arch("parapim")
    mappings = layer_data_mappings(api.simulate(net, fat))
    assert set(mappings.values()) == {DataMapping.COMBINED_STATIONARY}
    base = simulate_network(net, parapim, data_mappings=mappings)
    assert {layer.extra["data_mapping"] for layer in base.layers if layer.macs} == {"combined_stationary"}
    assert base.total.extra["mapping_source"] == "pinned"
    strings = simulate_network(net, parapim, data_mappings={name: m.value for name, m in mappings.items()})
    assert strings.total.cycles == base.total.cycles


def test_unknown_layer_or_mapping_in_data_mappings_rejected():
    net = api.load_network("mlp")
    with pytest.raises(SimulationError, match=r"^data_mappings: model 'mlp' has no layer 'fc9'$"):
        simulate_network(net, api.load_arch("fat"), data_mappings={"fc9": DataMapping.WEIGHT_STATIONARY})
    with pytest.raises(SimulationError, match=r"^data_mappings: layer 'fc1' = 'diagonal' on arch 'fat': expected one of "
                                              r"'weight_stationary', .*'combined_stationary'$"):
        simulate_network(net, api.load_arch("fat"), data_mappings={"fc1": "diagonal"})


def test_a_tiling_that_does_not_fit_is_rejected():
    layer = linear_layer(c=8, k=2)
    tiling = map_layer(layer, tiny_imc("fat", subarray__rows=64))
    with pytest.raises(MappingError, match=rf"^layer 'fc': the tiling uses {tiling.rows_used} of subarray\.rows = 8$"):
        simulate_layer(layer, ternary([[1] * 8, [0] * 8]), tiny_imc("fat", subarray__rows=8), tiling=tiling)


def test_equal_layers_share_one_search():
    memo: dict = {}
    layer = linear_layer(c=64, k=8)
    first = map_candidates(layer, api.load_arch("fat"), 0.2, memo=memo)
    assert map_candidates(linear_layer(c=64, k=8, name="other"), api.load_arch("fat"), 0.2049, memo=memo) is first
    assert len(memo) == 1


# --- generated weights ------------------------------------------------------------------------


def test_generated_weights_are_int8_at_the_requested_sparsity():
    net = api.load_network("resnet18", weight_sparsity=0.8, seed=3)
    assert all(w.dtype == np.int8 and w.flags.c_contiguous for w in net.weights.values())
    values = np.concatenate([w.ravel() for w in net.weights.values()])
    assert set(np.unique(values).tolist()) == {-1, 0, 1}
    assert np.mean(values == 0) == pytest.approx(0.8, abs=0.001)
    assert np.mean(values == 1) == pytest.approx(np.mean(values == -1), abs=0.001)
    again = api.load_network("resnet18", weight_sparsity=0.8, seed=3)
    assert all(np.array_equal(net.weights[name], again.weights[name]) for name in net.weights)


def test_generated_binary_and_int_weights():
    layers = (replace(linear_layer(c=300, k=7, name="b"), weight_quant=Quant(QuantKind.BINARY, 1)),
              replace(linear_layer(c=300, k=7, name="i"), weight_quant=Quant(QuantKind.INT, 4)))
    w = generate_weights(layers, 0.5, 0)
    assert set(np.unique(w["b"]).tolist()) == {-1, 1}
    assert w["i"].dtype == np.int8 and w["i"].min() >= -7 and w["i"].max() <= 7
    assert np.mean(w["i"] == 0) == pytest.approx(0.5, abs=0.03)
