"""rtl/attention_engine.py on Icarus and Verilator: requests of different lengths, every
output bit equal to hwsim.func.attention_fixed and every request's cycles to the block model."""

from __future__ import annotations

import pytest

from hwsim.rtlflow.runner import run_testbench

# Icarus builds in under a second; the runs take 1-5 s.  A Verilator build is the slow part:
# one small representative design (the block's defaults: D = 4, k = 4, L <= 16).
CASES = [
    ("icarus", {}),
    ("icarus", {"head_dim": 8, "k": 5, "max_len": 20}),
    ("icarus", {"head_dim": 1, "k": 1, "max_len": 2}),
    ("verilator", {}),
]


@pytest.mark.parametrize(("sim", "params"), CASES)
def test_attention_engine_matches_fixed_reference(sim, params, build_root):
    result = run_testbench("attention_engine", sim, params=params, seed=3, transactions=8,
                           build_root=build_root, run_tag="pytest-attention-engine")
    assert result.passed, result.first_mismatches
    assert result.output_mismatches == 0 and result.cycle_mismatches == 0
    assert result.cycles_simulated > result.cycles_checked  # idle input and back-pressure did happen


@pytest.mark.parametrize(("fault", "what"), [("no_rounding", "output"), ("extra_cycle", "cycle")])
def test_broken_attention_engine_fails(fault, what, build_root):
    result = run_testbench("attention_engine", "icarus", params={"fault": fault}, seed=4, transactions=4,
                           build_root=build_root, run_tag="pytest-attention-engine-broken")
    assert not result.passed
    wrong = result.output_mismatches if what == "output" else result.cycle_mismatches
    right = result.cycle_mismatches if what == "output" else result.output_mismatches
    assert wrong > 0 and right == 0
