"""rtl/lut_score_unit.py against hwsim on Icarus and Verilator: every score and every key's
cycle count equal."""

from __future__ import annotations

import pytest

from hwsim.rtlflow.runner import run_testbench

# Icarus: the preset's 16 lanes, lanes dividing D unevenly, one lane.  Verilator: the defaults.
CASES = [
    ("icarus", {}), ("icarus", {"lanes": 5, "head_dim": 12}), ("icarus", {"lanes": 1, "head_dim": 3}),
    ("verilator", {}),
]


@pytest.mark.parametrize(("sim", "params"), CASES)
def test_lut_score_unit_matches_hwsim(sim, params, build_root):
    result = run_testbench("lut_score_unit", sim, params=params, seed=5, transactions=200,
                           build_root=build_root, run_tag="pytest-lut-score")
    assert result.passed, result.first_mismatches
    assert result.output_mismatches == 0 and result.cycle_mismatches == 0
    assert result.cycles_simulated > result.cycles_checked


@pytest.mark.parametrize("fault", ["ignores_sign", "drops_beat"])
def test_broken_lut_score_unit_fails(fault, build_root):
    result = run_testbench("lut_score_unit", "icarus", params={"lanes": 4, "head_dim": 8, "fault": fault}, seed=6,
                           transactions=60, build_root=build_root, run_tag="pytest-lut-score-broken")
    assert not result.passed and result.output_mismatches > 0
