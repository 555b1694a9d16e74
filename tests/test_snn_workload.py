"""hwsim.snn-model/1 files: the shipped models load; bad neuron parameters give one-line errors."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from hwsim import api
from hwsim.errors import WorkloadError

HEAD = """\
schema: hwsim.snn-model/1
name: tiny-snn
input: {channels: 1, height: 1, width: 4, bits: 4}
neuron: {membrane_bits: 8, frac_bits: 2, weight_bits: 4, threshold_lsb: 20, leak: {kind: shift, shift: 2}}
weights: tiny.npz
workload: {time_steps: 4, encoding: {kind: direct}}
"""


@pytest.fixture
def tiny(tmp_path):
    np.savez(tmp_path / "tiny.npz", fc1=np.ones((3, 4), np.int8), out=np.ones((2, 3), np.int8))

    def write(layers: str, head: str = HEAD):
        path = tmp_path / "tiny.yaml"
        path.write_text(head + textwrap.dedent(layers))
        return path

    return write


LAYERS = """\
layers:
  - {name: fc1, type: fc, out: 3}
  - {name: out, type: fc, out: 2}
"""


def test_tiny_model_loads_with_layer_defaults_and_overrides(tiny):
    net = api.load_network(str(tiny(LAYERS.replace("out: 2}", "out: 2, neuron: {levels: 2, threshold_lsb: 30}}"))))
    fc1, out = net.layers
    assert (fc1.inputs, fc1.neurons, fc1.neuron.threshold_lsb, fc1.neuron.levels) == (4, 3, 20, 1)
    assert (out.inputs, out.neuron.threshold_lsb, out.neuron.levels, out.neuron.leak_shift) == (3, 30, 2, 2)
    assert net.time_steps == 4 and net.test_inputs.shape == (0, 4)


@pytest.mark.parametrize("neuron, message", [
    ("{threshold_lsb: 200}", r"key 'neuron\.threshold_lsb' = 200: the highest threshold 1 x 200 = 200 LSB does not fit a 8-bit signed membrane \(max 127 LSB\)"),
    ("{levels: 0}", r"key 'neuron\.levels' = 0: a neuron needs at least one threshold \(K >= 1\)"),
    ("{levels: 7}", r"key 'neuron\.threshold_lsb' = 20: the highest threshold 7 x 20 = 140 LSB does not fit"),
    ("{leak: {shift: 8}}", r"key 'neuron\.leak\.shift' = 8: expected 1\.\.7 for a 8-bit membrane"),
    ("{frac_bits: 8}", r"key 'neuron\.frac_bits' = 8: expected 0\.\.7 for a 8-bit membrane"),
    ("{weight_bits: 9}", r"key 'neuron\.weight_bits' = 9: expected 2\.\.8 \(at most the membrane width\)"),
    ("{refractory_steps: -1}", r"key 'neuron\.refractory_steps' = -1: expected >= 0"),
])
def test_bad_neuron_parameter_names_file_layer_key_and_value(tiny, neuron, message):
    path = tiny(LAYERS.replace("out: 3}", f"out: 3, neuron: {neuron}}}"))
    with pytest.raises(WorkloadError, match="^" + re.escape(str(path)) + r": layer 'fc1': " + message):
        api.load_network(str(path))


def test_weight_that_does_not_fit_its_width_is_rejected(tiny, tmp_path):
    path = tiny(LAYERS)
    np.savez(tmp_path / "tiny.npz", fc1=np.full((3, 4), 9, np.int8), out=np.ones((2, 3), np.int8))
    with pytest.raises(WorkloadError, match=r"^.*tiny\.npz: layer 'fc1': weight 9 does not fit 4 signed bits \(\|w\| <= 7\)$"):
        api.load_network(str(path))


def test_missing_layer_weights_and_unknown_keys_are_clear(tiny, tmp_path):
    path = tiny(LAYERS.replace("name: out", "name: head"))
    with pytest.raises(WorkloadError, match=r"tiny\.npz: no array 'head' for layer 'head'$"):
        api.load_network(str(path))
    path = tiny(LAYERS.replace("out: 3}", "out: 3, neurons: 4}"))
    with pytest.raises(WorkloadError, match=r"unknown key 'layers\[0\]\.neurons' \(layer 'fc1'\)$"):
        api.load_network(str(path))


def test_workload_overrides_and_lfsr_seed_check(tiny):
    path = tiny(LAYERS)
    net = api.load_network(str(path), time_steps=9)
    assert net.time_steps == 9
    with pytest.raises(WorkloadError, match=r"key 'workload\.encoding\.seed' = 0: a 16-bit LFSR seed must be in 1\.\.65535"):
        api.load_network(str(path), **{"encoding": {"kind": "lfsr_rate", "seed": 0}})


def test_cli_reports_a_bad_neuron_in_one_line_with_status_2(tiny):
    path = tiny(LAYERS.replace("out: 3}", "out: 3, neuron: {levels: 0}}"))
    proc = subprocess.run([sys.executable, "-m", "hwsim", "simulate", "--model", str(path), "--arch", "snn-fpga"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "layer 'fc1': key 'neuron.levels' = 0" in proc.stderr


def test_shipped_models_load_with_their_test_split():
    mt = api.load_network("snn-digits-mt")
    assert mt.test_inputs.shape == (539, 64) and int(mt.test_inputs.max()) == 16
    assert mt.layers[0].neuron.levels == 3 and mt.time_steps == 2
