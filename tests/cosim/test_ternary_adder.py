"""rtl/ternary_adder.py against hwsim on Icarus and Verilator: every sum and every cycle count equal."""

from __future__ import annotations

import pytest

from hwsim.rtlflow.runner import run_testbench

# Icarus builds in milliseconds: both addition schemes and two widths.  Verilator builds take
# 15-20 s each: one representative design (FAT, 8 bits).
CASES = [
    ("icarus", "fat", 8), ("icarus", "parapim", 8), ("icarus", "fat", 13), ("icarus", "parapim", 5),
    ("verilator", "fat", 8),
]


@pytest.mark.parametrize(("sim", "arch", "width"), CASES)
def test_adder_matches_hwsim(sim, arch, width, build_root):
    result = run_testbench("ternary_adder", sim, arch=arch, params={"width_bits": width}, seed=width,
                           transactions=1000, build_root=build_root, run_tag=f"pytest-{arch}")
    assert result.passed, result.first_mismatches
    assert result.transactions == 1000
    assert result.output_mismatches == 0 and result.cycle_mismatches == 0
    assert result.cycles_simulated > result.cycles_checked  # idle input and back-pressure did happen


@pytest.mark.parametrize(("fault", "what"), [("sub_as_add", "output"), ("extra_cycle", "cycle")])
def test_broken_adder_fails(fault, what, build_root):
    result = run_testbench("ternary_adder", "icarus", params={"width_bits": 8, "fault": fault}, seed=2,
                           transactions=200, build_root=build_root, run_tag="pytest-broken")
    assert not result.passed
    mismatches = result.output_mismatches if what == "output" else result.cycle_mismatches
    assert mismatches > 0


def test_simulators_agree_cycle_for_cycle(build_root):
    """The same seed gives the same stimulus, so both simulators must see the same cycles."""
    runs = [run_testbench("ternary_adder", sim, arch="fat", params={"width_bits": 8}, seed=21, transactions=300,
                          build_root=build_root, run_tag="pytest-agree") for sim in ("icarus", "verilator")]
    assert all(r.passed for r in runs)
    assert runs[0].cycles_simulated == runs[1].cycles_simulated


def test_cli_test_with_a_relative_build_dir(tmp_path, monkeypatch, capsys):
    # cocotb runs inside the build tree, so a relative --build-dir must be resolved first
    from hwsim.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["rtl", "test", "ternary_adder", "--param", "width_bits=4", "--transactions", "20",
                 "--build-dir", "rel/build"]) == 0
    assert capsys.readouterr().out.startswith("PASS ternary_adder on icarus (seed 1): 20 transactions")
    assert (tmp_path / "rel" / "build").is_dir()
