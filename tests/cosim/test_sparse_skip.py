"""rtl/sparse_skip.py against hwsim on Icarus and Verilator: every issued operation and cycle count equal."""

from __future__ import annotations

import pytest

from hwsim.rtlflow.runner import run_testbench

# (sim, arch, overrides): skipping on and off, and a chunk width that is not a power of two.
CASES = [
    ("icarus", "fat", {}), ("icarus", "parapim", {}), ("icarus", "fat", {"skip_unit.weights_per_cycle": 5}),
    ("verilator", "fat", {}),
]


@pytest.mark.parametrize(("sim", "arch", "overrides"), CASES)
def test_skip_unit_matches_hwsim(sim, arch, overrides, build_root):
    result = run_testbench("sparse_skip", sim, arch=arch, overrides=overrides, seed=11, transactions=1000,
                           build_root=build_root, run_tag=f"pytest-{arch}-{len(overrides)}")
    assert result.passed, result.first_mismatches
    assert result.transactions == 1000 and result.output_mismatches == 0 and result.cycle_mismatches == 0


@pytest.mark.parametrize(("fault", "what"), [("sub_as_add", "output"), ("no_skip", "cycle")])
def test_broken_skip_unit_fails(fault, what, build_root):
    result = run_testbench("sparse_skip", "icarus", params={"fault": fault}, seed=3, transactions=200,
                           build_root=build_root, run_tag="pytest-broken")
    assert not result.passed
    assert (result.output_mismatches if what == "output" else result.cycle_mismatches) > 0
