"""rtl/lif_neuron.py against hwsim on Icarus and Verilator: the output and membrane of every
step, and its cycle count, equal to hwsim's LIF model and neuron cycle model."""

from __future__ import annotations

import pytest

from hwsim.rtlflow.runner import run_testbench

NARROW = {"membrane_bits": 8, "threshold_lsb": 40, "levels": 3, "input_levels": 3, "reset": "soft",
          "refractory_steps": 2, "leak_shift": 2}  # saturates both ways; multi-threshold in and out
# One Icarus and one Verilator design keep the CPU time down (about 2,500 simulated cycles per
# second); leak 'none' and hard reset with K = 2 run in Amaranth's simulator (tests/test_snn_rtl.py).
CASES = [
    ("icarus", NARROW),
    ("verilator", {}),  # Spiker's neuron: 16-bit membrane, 3 fraction bits, 5-bit weights, v -= v >> 10
]


@pytest.mark.parametrize(("sim", "params"), CASES)
def test_lif_neuron_matches_hwsim(sim, params, build_root):
    result = run_testbench("lif_neuron", sim, params=params, seed=7, transactions=1000, build_root=build_root,
                           run_tag="pytest-lif")
    assert result.passed, result.first_mismatches
    assert result.transactions == 1000
    assert result.output_mismatches == 0 and result.cycle_mismatches == 0
    assert result.cycles_simulated > result.cycles_checked


@pytest.mark.parametrize(("fault", "what"), [("leak_off_by_one", "output"), ("extra_cycle", "cycle")])
def test_broken_lif_neuron_fails(fault, what, build_root):
    result = run_testbench("lif_neuron", "icarus", params={**NARROW, "fault": fault}, seed=8, transactions=60,
                           build_root=build_root, run_tag="pytest-lif-broken")
    assert not result.passed
    assert (result.output_mismatches if what == "output" else result.cycle_mismatches) > 0
    if what == "cycle":
        assert result.output_mismatches == 0
