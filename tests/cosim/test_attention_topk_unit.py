"""rtl/topk_unit.py against hwsim on Icarus and Verilator: every kept (index, score), ties
included, and every query's cycle count equal."""

from __future__ import annotations

import pytest

from hwsim.rtlflow.runner import run_testbench

# Icarus builds in milliseconds: k = 1, a small k and the preset's width, a narrow width.
# Verilator builds take 15-20 s: one representative design (the block's defaults, k = 8).
CASES = [
    ("icarus", {"k": 1}), ("icarus", {"k": 8}), ("icarus", {"k": 5, "score_bits": 6, "index_bits": 4}),
    ("verilator", {}),
]


@pytest.mark.parametrize(("sim", "params"), CASES)
def test_topk_unit_matches_hwsim(sim, params, build_root):
    result = run_testbench("topk_unit", sim, params=params, seed=3, transactions=150,
                           build_root=build_root, run_tag="pytest-topk")
    assert result.passed, result.first_mismatches
    assert result.output_mismatches == 0 and result.cycle_mismatches == 0
    assert result.cycles_simulated > result.cycles_checked  # idle input and back-pressure did happen


@pytest.mark.parametrize(("fault", "what"), [("ties_to_later", "output"), ("extra_cycle", "cycle")])
def test_broken_topk_unit_fails(fault, what, build_root):
    result = run_testbench("topk_unit", "icarus", params={"k": 4, "fault": fault}, seed=4, transactions=60,
                           build_root=build_root, run_tag="pytest-topk-broken")
    assert not result.passed
    assert (result.output_mismatches if what == "output" else result.cycle_mismatches) > 0
    if what == "cycle":
        assert result.output_mismatches == 0  # only the timing is wrong, and only the cycle check sees it
