"""SNN accelerator engine: hand-counted cycles and counts, Spiker's control flow, bit-exact accuracy."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from hwsim import api
from hwsim.errors import MappingError
from hwsim.func.lif import initial_state, lif_step
from hwsim.workload.snn import Encoding, EncodingKind, LeakKind, NeuronParams, Readout, SnnLayer, SnnLayerKind, SnnNetwork


def tiny_net(x, threshold=100, inhibition=0, steps=4):
    n = NeuronParams(16, 0, 5, threshold, leak=LeakKind.NONE, inhibition_lsb=inhibition)
    layer = SnnLayer("l", SnnLayerKind.FC, 2, 3, 1, 1, 1, 1, 1, 0, n)
    return SnnNetwork("tiny", (layer,), steps, Encoding(EncodingKind.DIRECT, input_bits=2), Readout.SPIKE_COUNT,
                      {"l": np.array([[1, 1, 1], [2, 2, 2]], np.int8).reshape(2, 3, 1, 1)},
                      test_inputs=np.array([x]), test_labels=np.array([1]))


HOST = 3 + 2   # load 3 inputs, read 2 counters


@pytest.mark.parametrize("arch, x, cycles", [
    ("spiker", [1, 0, 1], 1 + 4 * (3 + 2) + HOST),        # clock-driven: every input scanned in every active step
    ("spiker-event", [1, 0, 1], 1 + 4 * (2 + 2) + HOST),  # event-driven: 2 events + 2 fire cycles
    ("spiker", [0, 0, 0], 1 + 4 * 1 + HOST),              # empty steps skipped in one cycle
    ("spiker-event", [0, 0, 0], 1 + 4 * 1 + HOST),        # the block's empty step: the marker fires at once
])
def test_cycles_per_step_follow_the_control_flow(arch, x, cycles):
    report = api.simulate(tiny_net(x), api.load_arch(arch))
    assert report.total.cycles == cycles


def test_time_multiplexed_core_runs_each_group_in_turn():
    report = api.simulate(tiny_net([1, 0, 1]), api.load_arch("spiker", overrides={"core.parallel_neurons": 1}))
    assert report.total.cycles == 1 + 4 * 2 * (3 + 2) + HOST
    assert report.total.energy_breakdown_pj["synapse.read"] == pytest.approx(4 * 2 * 3 * 5.6)


def test_inhibition_after_a_firing_step_scans_or_broadcasts():
    net = tiny_net([1, 1, 1], threshold=6, inhibition=1)   # neuron 1 fires every step (v = 6)
    scan = api.simulate(net, api.load_arch("spiker")).total.cycles
    broadcast = api.simulate(net, api.load_arch("spiker-event")).total.cycles
    assert scan == 1 + 4 * (3 + 2) + 3 * (2 + 1) + HOST          # steps 1..3 scan the 2 feedback lines
    assert broadcast == 1 + 4 * (3 + 2) + 3 * 1 + HOST


def test_counts_are_priced_by_the_energy_table():
    report = api.simulate(tiny_net([1, 0, 3]), api.load_arch("spiker-event"))
    b = report.total.energy_breakdown_pj
    assert b["synapse.add"] == pytest.approx(8 * 2 * 0.7)          # 8 events x 2 neurons
    assert b["synapse.shift_add"] == pytest.approx(4 * 2 * 0.7)    # x = 3: one extra shift/add per neuron
    assert b["neuron.update"] == pytest.approx(4 * 2 * 1.4)
    assert b["fpga.static_cycle"] == pytest.approx(report.total.cycles * 0.1 / 100e6 * 1e12)
    assert report.total.energy_pj == pytest.approx(sum(b.values()))


def test_model_wider_than_the_datapath_is_rejected():
    net = tiny_net([1, 0, 1])
    with pytest.raises(MappingError, match=r"^model 'tiny': layer 'l': neuron\.weight_bits = 5 exceeds datapath\.weight_bits = 4 of arch 'spiker'$"):
        api.simulate(net, api.load_arch("spiker", overrides={"datapath.weight_bits": 4}))


def _stepped_predictions(net):
    """Independent reference: the per-step lif_step function, sample by sample."""
    predictions = []
    for x in net.test_inputs:
        states = [initial_state(layer.neurons) for layer in net.layers]
        for _ in range(net.time_steps):
            inp = x
            for i, layer in enumerate(net.layers):
                fires = not (i == len(net.layers) - 1 and net.readout is Readout.MEMBRANE)
                states[i] = lif_step(states[i], inp, net.weights[layer.name].reshape(layer.neurons, -1), layer.neuron, fires)
                inp = states[i].out
        predictions.append(int(np.argmax(states[-1].v)))
    return np.array(predictions)


@pytest.mark.parametrize("model", ["snn-digits", "snn-digits-mt"])
def test_accelerator_accuracy_is_the_functional_models_bit_for_bit(model):
    net = api.load_network(model)
    report = api.simulate(net, api.load_arch("snn-fpga"))
    reference = _stepped_predictions(net)
    assert report.total.extra["samples"] == len(net.test_labels) == 539
    assert report.total.extra["accuracy"] == float(np.mean(reference == net.test_labels))
    assert report.total.extra["accuracy"] >= 0.90


def test_spiker_latency_is_its_phases_on_the_real_spike_trains():
    net = api.load_network("spiker-mnist", samples=12)
    report = api.simulate(net, api.load_arch("spiker"))
    layer = report.layers[0].extra
    active, inhibiting = layer["active_steps_per_inference"], layer["inhibition_steps_per_inference"]
    expected = 1 + 3500 + active * (784 + 2 - 1) + inhibiting * (400 + 1) + 784 + 400
    assert report.total.extra["cycles_per_inference"] == pytest.approx(expected)
    assert report.total.latency_s == pytest.approx(expected / 100e6)
    event = api.simulate(net, api.load_arch("spiker-event"))
    assert event.total.latency_s < report.total.latency_s
    assert event.total.extra["accuracy"] == report.total.extra["accuracy"]


def test_cli_writes_the_standard_json(tmp_path):
    out = tmp_path / "out.json"
    proc = subprocess.run([sys.executable, "-m", "hwsim", "simulate", "--model", "snn-digits-mt", "--arch", "snn-fpga",
                           "--json", str(out), "--quiet"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert data["schema"] == "hwsim.report/1" and data["family"] == "snn"
    total = data["total"]
    assert total["samples"] == 539 and 0.9 <= total["accuracy"] <= 1.0
    assert total["latency_s"] == pytest.approx(total["cycles_per_inference"] / 100e6)
    assert total["batch_cycles"] == pytest.approx(total["cycles_per_inference"] * 539)
    assert total["energy_pj"] == pytest.approx(total["batch_energy_pj"] / 539)
    assert set(total["fpga_resources"]) == {"lut", "ff", "bram36", "dsp"}
    assert [layer["name"] for layer in data["layers"]] == ["fc1", "out"]


def test_resource_estimate_is_the_structural_count():
    report = api.simulate(tiny_net([1, 0, 1]), api.load_arch("spiker"))
    # Per unit: FF 16 membrane + 16 threshold + 16 counter + 3 state + 1 spike; LUT 16 add + 16 operand mux
    # + 8 reset mux + 8 compare + 16 counter + 6 controller.  Shared: 100 FF / 200 LUT control, 3 x 2-bit
    # input buffer, a 3:1 input mux (1 LUT) and 16 bits of a 2:1 readout mux.
    assert report.total.extra["fpga_resources"] == {"lut": 2 * 70 + 200 + 1 + 16, "ff": 2 * 52 + 100 + 6,
                                                    "bram36": 1, "dsp": 0}
