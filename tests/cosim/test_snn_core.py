"""rtl/snn_core.py against hwsim on Icarus and Verilator: every neuron's output and membrane after
every step, and every step's cycle count, equal to hwsim's LIF model and core cycle model.

Every case has empty steps (one in ten random steps, and whole quiet inferences), so both
simulators check that an empty step costs one cycle per group (``EMPTY_STEP_CYCLES``), with
idle input and back-pressure; the Spiker-mode and event-driven scan cases also check empty
inhibiting steps (``1 + N`` per group)."""

from __future__ import annotations

import pytest

from hwsim.rtlflow.runner import run_testbench

# Each run costs about 2,500 simulated cycles per CPU second (cocotb's per-cycle loop), so
# the layers are small: 6 inputs, 2 groups.
# 8-bit membranes so that integration saturates at both limits; multi-threshold inputs and
# outputs, soft reset and refractory counters; several groups (P < N) and a single one.
MULTI = {"inputs": 6, "neurons": 6, "parallel_neurons": 3, "membrane_bits": 8, "threshold_lsb": 40, "levels": 3,
         "input_levels": 3, "reset": "soft", "refractory_steps": 2, "leak_shift": 2}
CLOCKED = {"inputs": 4, "neurons": 3, "parallel_neurons": 3, "event_driven": 0}  # Spiker's neuron, one group
VERILATED = {"inputs": 6, "neurons": 8, "parallel_neurons": 4, "membrane_bits": 8, "threshold_lsb": 50,
             "levels": 2, "input_levels": 2, "refractory_steps": 1, "leak_shift": 3}
# Spiker's mode: clock-driven, empty steps skipped, lateral inhibition by scanning the feedback
# lines (30 LSB per output unit, so 8-bit membranes saturate at -128).  Two groups with a padding
# lane on Icarus; one group, multi-threshold, soft reset and refractory counters on Verilator.
SPIKER_MODE = {"inputs": 6, "neurons": 5, "parallel_neurons": 3, "membrane_bits": 8, "threshold_lsb": 40,
               "leak_shift": 2, "event_driven": 0, "skip_empty_steps": 1, "inhibition_scan": 1, "inhibition_lsb": 30}
SPIKER_MODE_VERILATED = {**SPIKER_MODE, "parallel_neurons": 5, "levels": 2, "input_levels": 2, "reset": "soft",
                         "refractory_steps": 1, "per_neuron_thresholds": 1}
# Event-driven with the inhibition scan and per-neuron thresholds (Spiker's threshold registers)
# on two groups: the later group of an empty inhibiting step scans without a marker.
EVENT_SCAN = {**SPIKER_MODE, "event_driven": 1, "skip_empty_steps": 0, "per_neuron_thresholds": 1}
CASES = [("icarus", MULTI), ("icarus", CLOCKED), ("verilator", VERILATED), ("icarus", SPIKER_MODE),
         ("verilator", SPIKER_MODE_VERILATED), ("icarus", EVENT_SCAN)]


@pytest.mark.parametrize(("sim", "params"), CASES)
def test_snn_core_matches_hwsim(sim, params, build_root):
    result = run_testbench("snn_core", sim, params=params, seed=5, transactions=1000, build_root=build_root,
                           run_tag="pytest-snn-core")
    assert result.passed, result.first_mismatches
    assert result.transactions == 1000
    assert result.output_mismatches == 0 and result.cycle_mismatches == 0
    assert result.cycles_simulated > result.cycles_checked  # idle input and back-pressure did happen


@pytest.mark.parametrize(("params", "fault", "what"), [
    (MULTI, "wrap_around", "output"), (MULTI, "extra_cycle", "cycle"),
    (SPIKER_MODE, "scan_extra_cycle", "cycle"),  # one idle cycle after each inhibition scan
    (SPIKER_MODE, "inhibit_self", "output"),     # a neuron's own feedback line inhibits it too
    (MULTI, "slow_empty_step", "cycle"),         # an empty step's marker, drain and fire: 3 cycles, not 1
])
def test_broken_snn_core_fails(params, fault, what, build_root):
    result = run_testbench("snn_core", "icarus", params={**params, "fault": fault}, seed=6, transactions=150,
                           build_root=build_root, run_tag="pytest-snn-core-broken")
    assert not result.passed
    assert (result.output_mismatches if what == "output" else result.cycle_mismatches) > 0
    if what == "cycle":
        assert result.output_mismatches == 0  # only the timing is wrong, and only the cycle check sees it


def test_trained_digits_layer_matches_hwsim(build_root):
    """The hidden layer of the shipped snn-digits network on its first test sample's real input
    currents (T = 16 steps): every spike, membrane and step cycle count equal to hwsim."""
    params = {"model": "snn-digits", "layer": "fc1", "parallel_neurons": 16}
    result = run_testbench("snn_core", "icarus", params=params, seed=1, transactions=16, build_root=build_root,
                           run_tag="pytest-snn-digits")
    assert result.passed, result.first_mismatches
    assert result.transactions == 16 and result.cycles_checked > 16 * 8 * 3  # 8 groups, real events
