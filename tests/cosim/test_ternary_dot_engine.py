"""rtl/ternary_dot_engine.py against hwsim on Icarus and Verilator: every dot product and tile's cycles equal."""

from __future__ import annotations

import pytest

from hwsim.rtlflow.runner import run_testbench

SMALL = {"columns": 4, "act_bits": 3, "max_reduction": 16}
# ParaPIM (no skipping, carry written back) costs 4 cycles per bit: a narrower chunk keeps it quick.
CASES = [
    ("icarus", "fat", SMALL, {}),
    ("icarus", "parapim", {"columns": 2, "act_bits": 2, "max_reduction": 8}, {"skip_unit.weights_per_cycle": 4}),
    ("verilator", "fat", SMALL, {}),
]


@pytest.mark.parametrize(("sim", "arch", "params", "overrides"), CASES)
def test_engine_matches_hwsim(sim, arch, params, overrides, build_root):
    result = run_testbench("ternary_dot_engine", sim, arch=arch, params=params, overrides=overrides, seed=5,
                           transactions=1000, build_root=build_root, run_tag=f"pytest-{arch}")
    assert result.passed, result.first_mismatches
    assert result.transactions == 1000 and result.output_mismatches == 0 and result.cycle_mismatches == 0


@pytest.mark.parametrize(("fault", "what"), [("sub_as_add", "output"), ("extra_cycle", "cycle")])
def test_broken_engine_fails(fault, what, build_root):
    result = run_testbench("ternary_dot_engine", "icarus", params={**SMALL, "fault": fault}, seed=4,
                           transactions=100, build_root=build_root, run_tag="pytest-broken")
    assert not result.passed
    assert (result.output_mismatches if what == "output" else result.cycle_mismatches) > 0
