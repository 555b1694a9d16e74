"""rtl/systolic_array.py on Icarus and Verilator: whole layers (a GEMM the array does not
divide, two ResNet-18 layers sized down), every output equal to numpy, every fold's length
and the layer's cycles equal to the engine's, fold starts, stalls and the last output beat
equal to the block model, with a DRAM slower than the array (the engine's ``buffer_model:
fold``: its stall and prefetch cycles equal the RTL's)."""

from __future__ import annotations

import json

import pytest

from hwsim.rtlflow.runner import run_testbench

SMALL = {"array.rows": 4, "array.cols": 4, "sram.ifmap_kb": 1, "sram.filter_kb": 1, "sram.ofmap_kb": 1}
NARROW_DRAM = {"dram.ifmap_words_per_cycle": 1, "dram.filter_words_per_cycle": 2, "dram.ofmap_words_per_cycle": 1,
               "buffer_model": "fold"}

# Icarus builds in about a second: each dataflow with a narrow DRAM, an 8x8 WS array with
# the preset's stall-free DRAM.  A Verilator build of the 4x4 array takes about 50 s: one
# representative design, weight stationary with the narrow DRAM.
CASES = [
    ("icarus", {**SMALL, "dataflow": "ws", **NARROW_DRAM}),
    ("icarus", {**SMALL, "dataflow": "os", **NARROW_DRAM}),
    ("icarus", {**SMALL, "dataflow": "is", **NARROW_DRAM}),
    ("icarus", {**SMALL, "array.rows": 8, "array.cols": 8, "sram.ifmap_kb": 2, "sram.filter_kb": 2,
                "sram.ofmap_kb": 2}),
    ("verilator", {**SMALL, "dataflow": "ws", **NARROW_DRAM}),
]


def _layers(result) -> list[dict]:
    return json.loads((result.run_dir / "summary.json").read_text())["layers"]


@pytest.mark.parametrize(("sim", "overrides"), CASES)
def test_systolic_array_matches_engine(sim, overrides, build_root):
    result = run_testbench("systolic_array", sim, arch="systolic-32x32-ws", overrides=overrides, seed=3,
                           build_root=build_root, run_tag="pytest-systolic")
    assert result.passed, result.first_mismatches
    layers = _layers(result)
    assert len(layers) >= 2 and any("resnet18" in layer["label"] for layer in layers)
    narrow = "dram.ifmap_words_per_cycle" in overrides
    assert (sum(layer["stall_cycles"] for layer in layers) > 0) == narrow
    # the engine's cycles (buffer_model fold with the narrow DRAM, calc otherwise) are the RTL's
    assert all(layer["engine_cycles"] == layer["compute_cycles"] + layer["stall_cycles"] for layer in layers)


@pytest.mark.parametrize(("dataflow", "fault", "what"), [
    ("os", "fold_off_by_one", "cycle"), ("os", "drops_partial_sum", "output"),
])
def test_broken_systolic_array_fails(dataflow, fault, what, build_root):
    result = run_testbench("systolic_array", "icarus", arch="systolic-32x32-ws",
                           overrides={**SMALL, "dataflow": dataflow}, params={"fault": fault}, seed=4,
                           build_root=build_root, run_tag="pytest-systolic-broken")
    assert not result.passed
    wrong = result.cycle_mismatches if what == "cycle" else result.output_mismatches
    right = result.output_mismatches if what == "cycle" else result.cycle_mismatches
    assert wrong > 0 and right == 0
