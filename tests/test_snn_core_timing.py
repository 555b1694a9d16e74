"""The SNN core's cycle model in Spiker's mode, by hand: a clock-driven core that skips empty
steps and scans the lateral-inhibition feedback (hwsim/sim/blocks/snn_core.py), and the engine
composing its layer cycles from exactly that block."""

from __future__ import annotations

import numpy as np
import pytest

from hwsim.api import load_arch
from hwsim.sim.blocks.snn_core import (SnnCoreTiming, empty_steps, inference_cycles, inhibiting_steps,
                                       inhibition_reads, step_cycles, step_row_reads, weight_row_reads)
from hwsim.sim.snn.cycles import layer_cycles

# Spiker: 784 inputs, 400 neurons all in parallel (G = 1); an active step is sample_spikes +
# 784 inputs + the terminal cycle (fire_cycles 2), an empty step the sample_spikes cycle, an
# inhibition scan 400 feedback lines + the terminal cycle.
SPIKER = SnnCoreTiming(400, False, fire_cycles=2, empty_step_cycles=1, setup_cycles=1, skip_empty_steps=True,
                       inhibition_scan=True, inhibition_extra_cycles=1)


def test_spiker_steps_hand_counted():
    active = np.array([5, 0, 0, 784, 3, 0])
    inhibits = np.array([False, False, True, False, True, True])
    # active 786; empty 1; empty after a firing step 1 + 401; active again 786; active after
    # a firing step 786 + 401; an inhibition-only step 1 + 401
    assert step_cycles(active, inputs=784, neurons=400, timing=SPIKER, inhibits=inhibits).tolist() == [
        786, 1, 402, 786, 1187, 402]
    assert inference_cycles(active, inputs=784, neurons=400, timing=SPIKER, inhibits=inhibits) == 1 + 3564
    assert empty_steps(active, SPIKER).tolist() == [False, True, True, False, False, True]
    assert step_row_reads(active, inputs=784, neurons=400, timing=SPIKER).tolist() == [784, 0, 0, 784, 784, 0]
    assert inhibition_reads(inhibits, neurons=400, timing=SPIKER).tolist() == [0, 0, 400, 0, 400, 400]


def test_groups_multiply_every_phase():
    # 5 neurons on 3 units: G = 2.  Per group: 6 inputs + 2, or the empty step's 1, plus a scan of 5.
    timing = SnnCoreTiming(3, False, skip_empty_steps=True, inhibition_scan=True)
    active, inhibits = np.array([1, 0, 0, 6]), np.array([False, False, True, True])
    assert step_cycles(active, inputs=6, neurons=5, timing=timing, inhibits=inhibits).tolist() == [
        2 * 8, 2 * 1, 2 * (1 + 5), 2 * (8 + 5)]
    assert weight_row_reads(active, inputs=6, neurons=5, timing=timing) == 2 * 6 * 2
    # event-driven with the same scan: the input phase is the active inputs only
    event = SnnCoreTiming(3, True, inhibition_scan=True)
    assert step_cycles(active, inputs=6, neurons=5, timing=event, inhibits=inhibits).tolist() == [
        2 * 3, 2 * 1, 2 * (1 + 5), 2 * (8 + 5)]
    # a broadcast of one cycle per group instead of the scan
    broadcast = SnnCoreTiming(3, True, inhibition_extra_cycles=1)
    assert step_cycles(active, inputs=6, neurons=5, timing=broadcast, inhibits=inhibits).tolist() == [6, 2, 4, 18]
    assert inhibition_reads(inhibits, neurons=5, timing=broadcast).tolist() == [0, 0, 2, 2]


def test_defaults_keep_the_plain_block():
    # no skip and no inhibition phase: inhibits changes nothing, and may be left out
    active = np.array([0, 3, 8])
    for timing in (SnnCoreTiming(4, True), SnnCoreTiming(4, False)):
        plain = step_cycles(active, inputs=8, neurons=10, timing=timing)
        assert step_cycles(active, inputs=8, neurons=10, timing=timing, inhibits=np.ones(3, bool)).tolist() == plain.tolist()
    assert step_cycles(active, inputs=8, neurons=10, timing=SnnCoreTiming(4, False)).tolist() == [30, 30, 30]


def test_inhibiting_steps_follow_a_firing_step():
    fired = np.array([[0, 2, 0, 0, 1], [3, 0, 1, 1, 0]])
    assert inhibiting_steps(fired).astype(int).tolist() == [[0, 0, 1, 0, 0], [0, 1, 0, 1, 1]]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"event_driven": True, "skip_empty_steps": True}, r"^skip_empty_steps is for a clock-driven core"),
    ({"event_driven": False, "inhibition_extra_cycles": -1}, r"^inhibition_extra_cycles = -1: expected >= 0$"),
])
def test_bad_timing_is_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SnnCoreTiming(4, **kwargs)


def test_inhibition_phase_needs_the_inhibiting_steps():
    with pytest.raises(ValueError, match=r"^this timing has an inhibition phase: pass inhibits"):
        step_cycles(np.array([1]), inputs=784, neurons=400, timing=SPIKER)
    with pytest.raises(ValueError, match=r"^inhibits has shape \(2,\), the active inputs \(1,\)$"):
        step_cycles(np.array([1]), inputs=784, neurons=400, timing=SPIKER, inhibits=np.zeros(2, bool))


def test_spiker_preset_timing_is_the_hand_counted_one():
    arch = load_arch("spiker")
    assert arch.core_timing(400) == SPIKER
    # the engine's layer cycles are the block's, per sample
    active = np.array([[5, 0, 0, 784, 3, 0], [0, 0, 0, 0, 0, 0]])
    fired = np.array([[0, 1, 0, 2, 3, 0], [0, 0, 0, 0, 0, 0]])
    lc = layer_cycles(active, fired, inputs=784, neurons=400, arch=arch)
    assert lc.cycles.tolist() == [1 + 3564, 1 + 6]
    assert lc.skipped_steps.tolist() == [3, 6] and lc.inhibition_steps.tolist() == [3, 0]
    assert lc.scanned_rows.tolist() == [3 * 784, 0] and lc.inhibition_rows.tolist() == [1200, 0]
    event = load_arch("spiker-event").core_timing(400)
    assert not event.skip_empty_steps and event.event_driven and not event.inhibition_scan


def _spiker_mode_params(**changes) -> dict:
    from hwsim.rtl import snn_core

    return {**snn_core.default_params(None), "inputs": 6, "neurons": 5, "parallel_neurons": 3, "membrane_bits": 8,
            "threshold_lsb": 40, "leak_shift": 2, "event_driven": 0, "skip_empty_steps": 1, "inhibition_scan": 1,
            "inhibition_lsb": 30, **changes}


def test_spiker_mode_stimulus_covers_every_kind_of_step():
    """The testbench's random spike trains (tests/cosim/test_snn_core.py) reach empty steps,
    inhibition-only steps and input + inhibition steps, each a marker or a full scan, and
    inhibition drives 8-bit membranes to v_min."""
    import random
    from collections import Counter

    from hwsim.testbench.snn_stimulus import core_transactions

    fields = {"index": (0, 3), "value": (3, 1), "last": (4, 1), "clear": (5, 1)}
    trs = core_transactions(_spiker_mode_params(), fields, random.Random(5), 300)
    kinds = Counter(t["label"].split("(")[1].split(")")[0] for t in trs)
    assert min(kinds[k] for k in ("input", "empty", "input + inhibition", "empty + inhibition")) >= 10, kinds
    first = {t["label"].split("(")[1].split(")")[0]: t for t in trs if not t["label"].startswith("step 0 ")}
    # 2 groups: a full scan of 6 inputs is 2 x 8 cycles, an empty step 2 x 1, a scan of 5 lines 2 x 5
    assert [first[k]["cycles"] for k in ("input", "empty", "input + inhibition", "empty + inhibition")] == [16, 2, 26, 12]
    assert [len(first[k]["beats"]) for k in ("input", "empty", "input + inhibition", "empty + inhibition")] == [6, 1, 6, 1]
    assert any(v == -128 for t in trs for g in t["expected"] for v in g[1])


@pytest.mark.parametrize(("changes", "message"), [
    ({"event_driven": 1}, r"skip_empty_steps=1 is for a clock-driven core \(event_driven=0\); an event-driven one always skips"),
    ({"inhibition_scan": 0}, r"inhibition = 30 LSB has no RTL without an inhibition scan; .*inhibition_scan=1"),
    ({"inhibition_scan": 2}, r"inhibition_scan must be 0 or 1, not 2"),
    ({"inhibition_lsb": 200}, r"key 'inhibition_lsb' = 200: expected 0\.\.127"),
    ({"inhibition_scan": 0, "inhibition_lsb": 0, "fault": "scan_extra_cycle"},
     r"fault 'scan_extra_cycle' is in the inhibition scan; build it with inhibition_scan=1"),
])
def test_bad_spiker_mode_parameters_are_one_sentence(changes, message):
    from hwsim.rtlflow import RtlError
    from hwsim.rtlflow.generate import make_design

    params = {k: v for k, v in _spiker_mode_params(**changes).items() if v is not None}
    with pytest.raises(RtlError, match=rf"^RTL block 'snn_core' with parameters .*: {message}"):
        make_design("snn_core", params=params)


@pytest.mark.parametrize("changes", [
    {},
    # no inhibition weight (spiker-digits') on one neuron unit: no signal may be 0 bits wide
    {"inhibition_lsb": 0, "neurons": 1, "parallel_neurons": 1},
])
def test_spiker_mode_designs_lint_clean(changes, tmp_path):
    from hwsim.rtlflow.generate import make_design, write_design
    from hwsim.rtlflow.lint import lint_verilog

    params = {k: v for k, v in _spiker_mode_params(**changes).items() if v is not None}
    v_path, _, _ = write_design(make_design("snn_core", params=params), tmp_path)
    lint_verilog(v_path)
