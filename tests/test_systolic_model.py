"""The systolic engine on hand-counted cases, properties of its one parameterized model, pricing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwsim import api
from hwsim.cost.systolic import area_breakdown_um2, energy_table_pj
from hwsim.sim.systolic import demand
from hwsim.sim.systolic.dataflow import ASSIGNMENT_BY_DATAFLOW, Operand
from hwsim.sim.systolic.folds import GemmShape, schedule_folds
from hwsim.sim.systolic.network import simulate_layer
from hwsim.sim.systolic.scalesim_buffers import ReadBufferGeometry
from hwsim.spec.arch import load_arch_spec
from hwsim.spec.enums import Dataflow
from hwsim.workload.layers import Layer, LayerKind, Quant, QuantKind

INT8 = Quant(QuantKind.INT, 8)
OS, WS, IS = Dataflow.OUTPUT_STATIONARY, Dataflow.WEIGHT_STATIONARY, Dataflow.INPUT_STATIONARY


def gemm_layer(m: int, n: int, k: int, name: str = "g") -> Layer:
    """``ifmap[m, k] @ filter[k, n]`` as a 1xk conv over m output pixels."""
    return Layer(name, LayerKind.CONV, 1, n, 1, m, 1, 1, k, 1, 0, ("",), 8, INT8)


def spec(dataflow: Dataflow = WS, rows: int = 2, cols: int = 2, **overrides):
    """The preset resized, with SCALE-Sim's array (every fold crosses all of it) unless overridden."""
    base = {"array.rows": rows, "array.cols": cols, "array.bypass_unused": False, "dataflow": dataflow.value}
    base.update({key.replace("__", "."): value for key, value in overrides.items()})
    return load_arch_spec("systolic-32x32-ws", base)


# --- compute cycles, counted by hand -------------------------------------------------------
# M=3 pixels, N=3 filters, K=4 window on a 2x2 array: every dimension folds twice.
# OS: rows M, cols N, K streams: 4 folds x (4 + 2 + 2 - 2) = 24 cycles, last index 23.
# WS: rows K, cols N, M streams, 2 preload: 4 x (2 + 3 + 2 + 2 - 2) = 28 -> 27.
# IS: rows K, cols M, N streams, 2 preload: 4 x (2 + 3 + 2 + 2 - 2) = 28 -> 27.


@pytest.mark.parametrize("dataflow, folds, fold_cycles, cycles", [(OS, 4, 6, 23), (WS, 4, 7, 27), (IS, 4, 7, 27)])
def test_compute_cycles_hand_counted(dataflow, folds, fold_cycles, cycles):
    stats = simulate_layer(gemm_layer(3, 3, 4), spec(dataflow))
    assert stats.compute_cycles == cycles
    assert stats.other_cycles == 0 and stats.cycles == cycles
    assert stats.extra["row_folds"] * stats.extra["col_folds"] == folds
    assert f"folds of {fold_cycles} cycles" in stats.mapping


def test_sram_reads_hand_counted():
    # OS re-reads the ifmap (12 words) for each of 2 filter folds and the filter (12) for each
    # of 2 pixel folds; the ofmap (9 words) stays put until it is written once.
    stats = simulate_layer(gemm_layer(3, 3, 4), spec(OS))
    assert (stats.counts["ifmap_sram.read"], stats.counts["filter_sram.read"], stats.counts["ofmap_sram.write"]) == (24, 24, 9)
    # WS keeps filters: ifmap read per filter fold (12 x 2), filter once, ofmap once per K fold.
    stats = simulate_layer(gemm_layer(3, 3, 4), spec(WS))
    assert (stats.counts["ifmap_sram.read"], stats.counts["filter_sram.read"], stats.counts["ofmap_sram.write"]) == (24, 12, 18)
    # The second K fold adds to the first one's 9 partial sums: 9 read back.
    assert stats.counts["ofmap_sram.read"] == 9
    assert simulate_layer(gemm_layer(3, 3, 4), spec(OS)).counts["ofmap_sram.read"] == 0


def test_utilization_is_macs_over_pe_cycles():
    stats = simulate_layer(gemm_layer(3, 3, 4), spec(OS))
    assert stats.utilization == pytest.approx(36 / (23 * 4))


# --- one model, three dataflows: properties of the axis table -------------------------------

dims = st.integers(min_value=1, max_value=40)
axes = st.integers(min_value=1, max_value=9)


@settings(max_examples=60, deadline=None)
@given(m=dims, n=dims, k=dims, rows=axes, cols=axes)
def test_ws_is_is_with_pixels_and_filters_swapped(m, n, k, rows, cols):
    ws = schedule_folds(GemmShape(m, n, k), ASSIGNMENT_BY_DATAFLOW[WS], rows, cols)
    is_ = schedule_folds(GemmShape(n, m, k), ASSIGNMENT_BY_DATAFLOW[IS], rows, cols)
    assert ws.compute_cycles == is_.compute_cycles


@settings(max_examples=60, deadline=None)
@given(m=dims, n=dims, k=dims, rows=axes, cols=axes)
def test_os_is_symmetric_under_transpose(m, n, k, rows, cols):
    a = schedule_folds(GemmShape(m, n, k), ASSIGNMENT_BY_DATAFLOW[OS], rows, cols)
    b = schedule_folds(GemmShape(n, m, k), ASSIGNMENT_BY_DATAFLOW[OS], cols, rows)
    assert a.compute_cycles == b.compute_cycles


@settings(max_examples=60, deadline=None)
@given(m=dims, n=dims, k=dims, rows=axes, cols=axes, dataflow=st.sampled_from(list(Dataflow)))
def test_cycles_bound_and_streams_hold_every_access(m, n, k, rows, cols, dataflow):
    shape, assignment = GemmShape(m, n, k), ASSIGNMENT_BY_DATAFLOW[dataflow]
    folds = schedule_folds(shape, assignment, rows, cols)
    assert folds.compute_cycles + 1 >= math.ceil(m * n * k / (rows * cols))
    layer = gemm_layer(m, n, k)
    for operand in (Operand.IFMAP, Operand.FILTER):
        stream = demand.input_demand(layer, shape, assignment, folds, operand, rows, cols)
        assert stream.shape[0] == folds.folds * folds.fold_cycles
        assert int((stream != demand.IDLE).sum()) == folds.sram_accesses[operand]
        order = demand.prefetch_order(layer, shape, assignment, operand, rows, cols)
        assert set(np.unique(stream[stream != demand.IDLE])) <= set(order.tolist())
    words = demand.ofmap_words_per_line(shape, assignment, folds, rows, cols)
    assert int(words.sum()) == folds.sram_accesses[Operand.OFMAP]


# --- memory: capacity, double buffering, bandwidth ----------------------------------------


def test_calc_bandwidth_never_stalls():
    stats = simulate_layer(gemm_layer(64, 64, 64), spec(WS, sram__ifmap_kb=1, sram__filter_kb=1, sram__ofmap_kb=1))
    assert stats.other_cycles == 0


def test_single_buffered_refill_stalls_by_transfer_time():
    # WS reads the 64 x 64 = 4096-word filter once; 1 KB holds 1024 of them before the layer,
    # the other 3072 come at 4 words per cycle: 768 cycles the array waits for.
    bw = {"dram__ifmap_words_per_cycle": 1000, "dram__filter_words_per_cycle": 4, "dram__ofmap_words_per_cycle": 1000}
    single = spec(WS, 8, 8, sram__filter_kb=1, sram__double_buffered=False, **bw)
    stats = simulate_layer(gemm_layer(16, 64, 64), single)
    assert stats.counts["dram.filter_read"] == 4096
    assert stats.other_cycles == 768
    # Double buffered, half (512 words) is preloaded and the 896-cycle transfer overlaps the
    # 8 x 8 folds x (8 + 16 + 8 + 8 - 2) - 1 = 2431 compute cycles: no stall.
    double = spec(WS, 8, 8, sram__filter_kb=1, sram__double_buffered=True, **bw)
    stats = simulate_layer(gemm_layer(16, 64, 64), double)
    assert stats.compute_cycles == 2431 and stats.other_cycles == 0


def test_operand_that_does_not_fit_is_fetched_once_per_pass():
    # WS reads the ifmap once per filter fold (64 filters / 8 columns = 8 passes).
    s = spec(WS, 8, 8, sram__ifmap_kb=1)
    stats = simulate_layer(gemm_layer(64, 64, 64), s)
    assert stats.counts["ifmap_sram.read"] == 64 * 64 * 8
    assert stats.counts["dram.ifmap_read"] == 64 * 64 * 8
    assert simulate_layer(gemm_layer(64, 64, 64), spec(WS, 8, 8)).counts["dram.ifmap_read"] == 64 * 64


def test_scalesim_read_buffer_geometry_hand_counted():
    # 1024 words in sets of ceil(1024/100) = 11; 512 active, 512 refilled in 256 lines of 2.
    g = ReadBufferGeometry.of(1024, 2, 1000)
    assert (g.sets, g.active_sets, g.prefetch_sets, g.prefetch_cycles) == (91, 47, 44, 257)


# --- pricing and the report ---------------------------------------------------------------


def test_energy_is_counts_times_table_and_area_adds_up():
    s = spec(OS)
    report = api.simulate(api.load_network("resnet18"), s)
    table = energy_table_pj(s)
    conv1 = report.layers[0]
    assert conv1.energy_pj == pytest.approx(sum(conv1.energy_breakdown_pj.values()))
    # ternary weights x 8-bit activations on an 8-bit MAC: 2 x 8 / 64 of its energy
    assert conv1.energy_breakdown_pj["pe.mac"] == pytest.approx(conv1.macs * table["pe.mac"] * 2 * 8 / 64)
    area = area_breakdown_um2(s)
    assert area["pe_array"] == pytest.approx(4 * 419.0)
    assert area["ifmap_sram"] == pytest.approx(512 * 1024 * 8 * 0.69)
    assert report.total.area_mm2 == pytest.approx(sum(area.values()) / 1e6)


def test_pooling_and_add_layers_run_on_the_vector_unit_or_are_listed():
    report = api.simulate(api.load_network("resnet18"), spec(WS))
    elementwise = {layer.name: layer for layer in report.layers if layer.kind in {"maxpool", "avgpool", "add"}}
    add = elementwise["layer1.0.add"]  # 64 x 56 x 56 adds over the preset's 32 lanes
    assert add.cycles == 64 * 56 * 56 // 32 and add.energy_breakdown_pj == {"vector.op": 64 * 56 * 56 * 0.1}
    pool = elementwise["pool1"]  # 3 x 3 max: 8 compares per output
    assert pool.cycles == 64 * 56 * 56 * 8 // 32 and pool.macs == 0
    assert report.total.macs == api.load_network("resnet18").macs
    bare = api.simulate(api.load_network("resnet18"), api.load_arch("systolic-32x32-ws", overrides={"vector_unit": None}))
    idle = [layer for layer in bare.layers if layer.kind in {"maxpool", "avgpool", "add"}]
    assert idle and all(layer.cycles == 0 and layer.energy_pj == 0 for layer in idle)
    assert bare.total.extra["not_priced_layers"] == {"arch 'systolic-32x32-ws' has no vector unit": len(idle)}


def test_json_rows_carry_scalesim_cycle_fields():
    row = api.simulate(api.load_network("resnet18"), spec(WS)).to_dict()["layers"][0]
    assert row["cycles"] == row["compute_cycles"] + row["stall_cycles"]
    assert {"ifmap_sram_reads", "filter_dram_reads", "ofmap_dram_writes", "mapping_efficiency"} <= set(row)


def test_bypass_uses_the_part_of_the_array_a_fold_needs():
    """A 32-deep reduction on a 64-row WS array: without bypass every fold crosses 64 rows."""
    layer = gemm_layer(100, 32, 32)
    whole = simulate_layer(layer, spec(WS, 64, 64))
    part = simulate_layer(layer, spec(WS, 64, 64, array__bypass_unused=True))
    assert whole.compute_cycles == (64 + 100 + 64 + 64 - 2) - 1  # preload, time, skew over all 64 x 64
    assert part.compute_cycles == (32 + 100 + 32 + 32 - 2) - 1 and "on 32x32 PEs" in part.mapping
    # a short time dimension: two folds of 16 rows beat one fold of 32 when preload and skew dominate
    tall = simulate_layer(gemm_layer(1, 1, 32), spec(WS, 32, 1, array__bypass_unused=True))
    assert tall.compute_cycles <= (32 + 1 + 32 + 1 - 2) - 1
