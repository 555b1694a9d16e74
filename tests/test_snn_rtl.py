"""The LIF RTL blocks without Verilog simulators: cycle models by hand, parameter errors, and the
Amaranth components in Amaranth's own simulator against hwsim's LIF model and cycle models."""

from __future__ import annotations

import random

import numpy as np
import pytest
from amaranth.sim import Simulator

from hwsim.func.snn_core import core_weights, default_neuron_params, neuron_from_params
from hwsim.rtlflow import RtlError
from hwsim.rtlflow.generate import make_design
from hwsim.sim.blocks import lif_neuron as neuron_cycles
from hwsim.sim.blocks.snn_core import SnnCoreTiming, groups, inference_cycles, step_cycles, weight_row_reads
from hwsim.rtl import lif_neuron, snn_core
from hwsim.testbench.snn_stimulus import core_transactions, neuron_transactions
from hwsim.testbench.snn_stimulus import pack as snn_core_pack


def test_core_cycles_hand_counted():
    # 10 neurons on 4 units: 3 groups.  Event-driven: an empty step is one cycle per group (the
    # marker fires group 0, then each group fires); 3 events cost 3 x (3 + 2); clock-driven every
    # step scans all 8 inputs.
    active = np.array([0, 3, 8])
    event = SnnCoreTiming(4, True)
    assert step_cycles(active, inputs=8, neurons=10, timing=event).tolist() == [3, 15, 30]
    assert inference_cycles(active, inputs=8, neurons=10, timing=event) == 1 + 3 + 15 + 30
    assert step_cycles(active, inputs=8, neurons=10, timing=SnnCoreTiming(4, False)).tolist() == [30, 30, 30]
    assert weight_row_reads(active, inputs=8, neurons=10, timing=event) == 3 * 11
    assert groups(400, 400) == 1 and groups(401, 400) == 2


def test_neuron_cycles_hand_counted():
    # one beat per event, then one fire cycle; an empty step is the marker beat + fire
    assert neuron_cycles.step_cycles(np.array([0, 1, 5]), inputs=5, event_driven=True).tolist() == [2, 2, 6]
    assert neuron_cycles.step_cycles(np.array([0, 1, 5]), inputs=5, event_driven=False).tolist() == [6, 6, 6]


def test_active_inputs_out_of_range_is_rejected():
    with pytest.raises(ValueError, match=r"^active inputs must lie in 0\.\.4, got 0\.\.5$"):
        step_cycles(np.array([0, 5]), inputs=4, neurons=1, timing=SnnCoreTiming(1, True))


def test_weight_rows_pack_one_group_per_row_block():
    w = np.array([[1, -1], [2, 3], [-4, 0]])  # 3 neurons, 2 inputs, on 2 units: groups {0, 1}, {2, pad}
    rows = snn_core.weight_rows(w, 2, 4)
    assert rows == [0x21, 0x3F, 0x0C, 0x00]  # (1, 2), (-1, 3), (-4, pad 0), (0, pad 0) as 4-bit lanes


@pytest.mark.parametrize(("param", "value", "message"), [
    # the neuron's own checks (hwsim.workload.snn), reached through the block's parameters
    ("levels", 0, r"key 'levels' = 0: .*K >= 1"),
    ("threshold_lsb", 40000, r"key 'threshold\w*' = .*does not fit a 16-bit signed membrane"),
    ("leak_shift", 16, r"key 'leak[._]shift' = 16: .*16-bit membrane"),
    ("leak", "decay", r"leak 'decay' has no RTL"),
    ("reset", "soft_ish", r"reset must be one of \['hard', 'soft'\], not 'soft_ish'"),
    ("event_driven", 2, r"event_driven must be 0 or 1, not 2"),
    ("parallel_neurons", 0, r"parallel_neurons must be an integer in \[1, 1024\], not 0"),
    ("input_levels", 0, r"input_levels must be an integer in \[1, 255\], not 0"),
])
def test_bad_core_parameters_are_one_sentence(param, value, message):
    with pytest.raises(RtlError, match=rf"^RTL block 'snn_core' with parameters .*: {message}"):
        make_design("snn_core", params={param: value})


def _fields(layout) -> dict[str, tuple[int, int]]:
    return {name: (f.offset, f.width) for name, f in layout}


def _run(dut, transactions: list[dict], decode) -> tuple[list, list[int]]:
    """Feed every transaction's beats back to back with the output always ready (Amaranth's simulator);
    returns the outputs per transaction and the cycles from its first beat to its last output."""
    outputs: list[list] = [[] for _ in transactions]
    cycles: list[int] = []
    beats = [(t, b) for t, tr in enumerate(transactions) for b in tr["beats"]]

    async def bench(ctx):
        nxt, start, done, cycle = 0, {}, 0, 0
        ctx.set(dut.o_stream.ready, 1)
        while done < len(transactions):
            assert cycle < 100 * sum(t["cycles"] for t in transactions), "stuck"
            ctx.set(dut.i_stream.valid, int(nxt < len(beats)))
            if nxt < len(beats):
                ctx.set(dut.i_stream.payload.as_value(), beats[nxt][1])
            if nxt < len(beats) and ctx.get(dut.i_stream.ready):
                start.setdefault(beats[nxt][0], cycle)
                nxt += 1
            if ctx.get(dut.o_stream.valid):
                value, ends = decode(ctx.get(dut.o_stream.payload))
                outputs[done].append(value)
                if ends:
                    cycles.append(cycle - start[done] + 1)
                    done += 1
            await ctx.tick()
            cycle += 1

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
    return outputs, cycles


def _core_params(**changes) -> dict:
    return {**snn_core.default_params(None), **changes}


@pytest.mark.parametrize("changes", [
    {"inputs": 6, "neurons": 5, "parallel_neurons": 2, "membrane_bits": 8, "threshold_lsb": 30, "levels": 3,
     "input_levels": 3, "reset": "soft", "refractory_steps": 1, "leak_shift": 2},
    {"inputs": 5, "neurons": 3, "parallel_neurons": 3, "event_driven": 0},
])
def test_core_in_amaranth_sim_equals_hwsim(changes):
    params = _core_params(**changes)
    dut = snn_core.build(None, params)
    trs = core_transactions(params, _fields(dut.i_stream.payload.shape()), random.Random(1), 30)

    def decode(view):
        lanes = range(params["parallel_neurons"])
        return [[view.spikes[p] for p in lanes], [view.membranes[p] for p in lanes], view.group], bool(view.last)

    outputs, cycles = _run(dut, trs, decode)
    assert outputs == [t["expected"] for t in trs]
    assert cycles == [t["cycles"] for t in trs]


@pytest.mark.parametrize("changes", [
    # Spiker's mode on 2 groups: empty steps are 1 cycle per group, empty inhibiting steps 1 + N
    {"inputs": 6, "neurons": 5, "parallel_neurons": 3, "membrane_bits": 8, "threshold_lsb": 40, "leak_shift": 2,
     "event_driven": 0, "skip_empty_steps": 1, "inhibition_scan": 1, "inhibition_lsb": 30},
    # event-driven with the scan and per-neuron thresholds, on one group and on three
    {"inputs": 6, "neurons": 5, "parallel_neurons": 5, "membrane_bits": 8, "threshold_lsb": 40, "leak_shift": 2,
     "inhibition_scan": 1, "inhibition_lsb": 30, "per_neuron_thresholds": 1},
    {"inputs": 6, "neurons": 7, "parallel_neurons": 3, "membrane_bits": 8, "threshold_lsb": 30, "leak_shift": 2,
     "levels": 2, "input_levels": 2, "per_neuron_thresholds": 1},
])
def test_core_modes_in_amaranth_sim_equal_hwsim(changes):
    params = _core_params(**changes)
    dut = snn_core.build(None, params)
    trs = core_transactions(params, _fields(dut.i_stream.payload.shape()), random.Random(1), 120)
    outputs, cycles = _run(dut, trs, _lanes_decoder(params["parallel_neurons"]))
    assert outputs == [t["expected"] for t in trs]
    assert cycles == [t["cycles"] for t in trs]
    g = -(-params["neurons"] // params["parallel_neurons"])
    empty = [c for t, c in zip(trs, cycles) if not t["label"].startswith("step 0 ") and (
        "(empty)" in t["label"] or ("(empty" in t["label"] and not params["inhibition_scan"]))]
    assert empty and set(empty) == {g}   # one cycle per group
    if params["per_neuron_thresholds"]:  # the thresholds matter: the shared threshold predicts other spikes
        shared = core_transactions({**params, "per_neuron_thresholds": 0}, _fields(dut.i_stream.payload.shape()),
                                   random.Random(1), 120)
        assert [t["expected"] for t in shared] != outputs


def test_slow_empty_step_is_caught_by_the_cycle_check():
    params = _core_params(inputs=4, neurons=3, parallel_neurons=3, fault="slow_empty_step")
    dut = snn_core.build(None, params)
    trs = core_transactions(params, _fields(dut.i_stream.payload.shape()), random.Random(2), 60)
    outputs, cycles = _run(dut, trs, _lanes_decoder(3))
    assert outputs == [t["expected"] for t in trs]
    assert [c - t["cycles"] for t, c in zip(trs, cycles) if c != t["cycles"]] and all(
        c - t["cycles"] == 2 for t, c in zip(trs, cycles) if "(empty" in t["label"])


def test_bad_per_neuron_thresholds_are_one_sentence():
    neuron = neuron_from_params({**default_neuron_params(), "membrane_bits": 8, "leak_shift": 2, "threshold_lsb": 40})
    with pytest.raises(ValueError, match=r"^neuron 1 has threshold 0; expected 1\.\.127 for 1 level\(s\) on a 8-bit membrane$"):
        snn_core.check_thresholds(neuron, np.array([5, 0]), 2)
    with pytest.raises(ValueError, match=r"^3 per-neuron thresholds for a layer of 2 neurons$"):
        snn_core.check_thresholds(neuron, np.array([5, 6, 7]), 2)


def test_broken_core_leak_differs_from_hwsim():
    params = _core_params(inputs=4, neurons=2, parallel_neurons=2, leak_shift=1, fault="leak_off_by_one")
    dut = snn_core.build(None, params)
    trs = core_transactions(params, _fields(dut.i_stream.payload.shape()), random.Random(2), 40)
    outputs, cycles = _run(dut, trs, lambda v: ([[v.spikes[p] for p in range(2)], [v.membranes[p] for p in range(2)],
                                                  v.group], bool(v.last)))
    assert outputs != [t["expected"] for t in trs]
    assert cycles == [t["cycles"] for t in trs]


@pytest.mark.parametrize("changes", [
    {"membrane_bits": 8, "threshold_lsb": 20, "levels": 2, "input_levels": 2, "refractory_steps": 2, "leak_shift": 1},
    {"membrane_bits": 8, "threshold_lsb": 30, "levels": 2, "leak": "none", "refractory_steps": 1},
])
def test_neuron_in_amaranth_sim_equals_hwsim(changes):
    params = {**lif_neuron.default_params(None), **changes}
    dut = lif_neuron.build(None, params)
    trs = neuron_transactions(params, _fields(dut.i_stream.payload.shape()), random.Random(3), 150)
    outputs, cycles = _run(dut, trs, lambda v: ([v.o, v.v], True))
    assert outputs == [t["expected"] for t in trs]
    assert cycles == [t["cycles"] for t in trs]


def test_test_weights_reach_both_extremes():
    w = core_weights(64, 16, 5, seed=0)
    assert w.min() == -15 and w.max() == 15 and (w == 0).any()
    assert neuron_from_params(default_neuron_params()).w_max == 15


@pytest.mark.parametrize(("params", "message"), [
    ({"model": "snn-digits", "layer": "fc9"}, r"model 'snn-digits' has no layer 'fc9'; its layers: fc1, out"),
    ({"model": "snn-digits"}, r"model and layer go together \(e\.g\. model=snn-digits layer=fc1\)"),
])
def test_bad_trained_layer_is_one_sentence(params, message):
    with pytest.raises(RtlError, match=rf"^RTL block 'snn_core' with parameters .*: {message}$"):
        make_design("snn_core", params=params)


def test_trained_layer_core_takes_the_layers_neuron_and_weights():
    from hwsim.func.snn_core import model_layer

    net, index, neuron, weights, levels = model_layer("snn-digits", "fc1")
    core = snn_core.build(None, {**snn_core.default_params(None), "model": "snn-digits", "layer": "fc1",
                                 "parallel_neurons": 32})
    assert index == 0 and weights.shape == (128, 64) and levels == (1 << net.encoding.input_bits) - 1
    assert core.groups == 4 and neuron.reset.value == "soft"
    core._MustUse__silence = True  # built to read its sizes, never elaborated


def _lanes_decoder(lanes: int):
    return lambda v: ([[v.spikes[p] for p in range(lanes)], [v.membranes[p] for p in range(lanes)], v.group],
                      bool(v.last))


def test_trained_readout_core_integrates_and_never_fires():
    """snn-digits-mt's readout (10 integrating neurons over 128 multi-threshold inputs) on the
    functional hidden layer's outputs of 3 test samples: membranes and cycles equal to hwsim."""
    params = _core_params(model="snn-digits-mt", layer="out", parallel_neurons=4)
    dut = snn_core.build(None, params)
    trs = core_transactions(params, _fields(dut.i_stream.payload.shape()), random.Random(1), 6)
    outputs, cycles = _run(dut, trs, _lanes_decoder(4))
    assert outputs == [t["expected"] for t in trs]
    assert cycles == [t["cycles"] for t in trs]
    assert all(s == 0 for t in trs for g in t["expected"] for s in g[0])
    assert max(v for t in trs for g in t["expected"] for v in g[1]) > 1  # far above its threshold of 1


def test_integrating_core_leaks_saturates_and_keeps_its_membrane():
    # 8-bit membrane, threshold 20, v -= v >> 3: a firing core would reset; this one saturates at 127
    from hwsim.func.lif import initial_state, lif_step

    neuron = neuron_from_params({**default_neuron_params(), "membrane_bits": 8, "threshold_lsb": 20, "leak_shift": 3,
                                 "weight_bits": 5})
    weights = np.array([[15, 15, 15], [-15, -15, -15], [3, -1, 0]])
    dut = snn_core.SnnCore(neuron, weights, 2, fires=False)
    fields = _fields(dut.i_stream.payload.shape())
    steps = [[1, 1, 1], [0, 0, 0], [1, 0, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1]]
    state, trs = initial_state(3), []
    for t, x in enumerate(steps):
        state = lif_step(state, np.array(x), weights, neuron, fires=False)
        events = [(i, v) for i, v in enumerate(x) if v]
        beats = ([snn_core_pack(fields, clear=1)] if t == 0 else []) + (
            [snn_core_pack(fields, index=i, value=v, last=int(j == len(events) - 1)) for j, (i, v) in enumerate(events)]
            or [snn_core_pack(fields, value=0, last=1)])
        v = state.v.tolist() + [0]
        trs.append({"beats": beats, "expected": [[[0, 0], v[0:2], 0], [[0, 0], v[2:4], 1]],
                    "cycles": int(step_cycles(np.array([len(events)]), inputs=3, neurons=3,
                                              timing=SnnCoreTiming(2, True))[0]) + (1 if t == 0 else 0)})
    outputs, cycles = _run(dut, trs, _lanes_decoder(2))
    assert [o[0][1] for o in outputs][:2] == [[45, -45], [40, -39]]  # 3 x 15, then v -= v >> 3 (arithmetic)
    assert max(o[0][1][0] for o in outputs) == 127 and min(o[0][1][1] for o in outputs) == -128
    assert outputs == [t["expected"] for t in trs]
    assert cycles == [t["cycles"] for t in trs]


def test_readout_layer_builds_a_non_firing_core():
    core = snn_core.build(None, _core_params(model="snn-digits", layer="out", parallel_neurons=10))
    assert core.groups == 1 and not core._fires
    core._MustUse__silence = True
