"""rtl/attention_engine.py on Icarus and Verilator: requests of different lengths back to back,
every output bit equal to hwsim.func.attention_fixed, every token and output row in the cycle
of the block model's schedule, and requests starting engine_head_cycles apart."""

from __future__ import annotations

import json

import pytest

from hwsim.rtlflow.runner import run_testbench
from hwsim.sim.blocks.attention_engine import engine_head_cycles

# Icarus builds in under a second; the runs take 1-5 s.  A Verilator build is the slow part:
# one small representative design (the block's defaults: D = 4, k = 4, L <= 16).
# (sim, params, whether every next request's load fits under the current one's selection)
CASES = [
    ("icarus", {}, True),
    ("icarus", {"head_dim": 8, "k": 5, "max_len": 20}, True),
    ("icarus", {"head_dim": 1, "k": 1, "max_len": 2}, False),
    ("verilator", {}, True),
]


@pytest.mark.parametrize(("sim", "params", "loads_fit"), CASES)
def test_attention_engine_matches_fixed_reference(sim, params, loads_fit, build_root):
    result = run_testbench("attention_engine", sim, params=params, seed=3, transactions=8,
                           build_root=build_root, run_tag="pytest-attention-engine")
    assert result.passed, result.first_mismatches
    assert result.output_mismatches == 0 and result.cycle_mismatches == 0
    assert result.cycles_simulated > result.cycles_checked  # the back-pressured second pass did run
    summary = json.loads((result.run_dir / "summary.json").read_text())
    lengths, starts = summary["lengths"], summary["starts"]
    d, k = params.get("head_dim", 4), params.get("k", 4)
    intervals = [later - earlier for earlier, later in zip(starts, starts[1:])]
    per_head = [engine_head_cycles(length, d, k) for length in lengths[:-1]]
    if loads_fit:
        assert intervals == per_head  # the selection stage never waits: equal, not close
    else:  # L = 1 selects in 2 cycles, less than the next load: the block model's stalls (checked cycle by cycle)
        assert all(i >= p for i, p in zip(intervals, per_head)) and intervals != per_head


@pytest.mark.parametrize(("fault", "what"), [("no_rounding", "output"), ("extra_cycle", "cycle"),
                                             ("early_free", "output")])
def test_broken_attention_engine_fails(fault, what, build_root):
    result = run_testbench("attention_engine", "icarus", params={"fault": fault}, seed=4, transactions=6,
                           build_root=build_root, run_tag="pytest-attention-engine-broken")
    assert not result.passed
    if what == "output":
        assert result.output_mismatches > 0
    if fault != "early_free":  # an early free also lets loads start early: its token cycles differ too
        wrong = result.output_mismatches if what == "output" else result.cycle_mismatches
        right = result.cycle_mismatches if what == "output" else result.output_mismatches
        assert wrong > 0 and right == 0
