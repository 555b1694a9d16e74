"""Per-neuron thresholds (Spiker's threshold registers) and local MNIST-format (IDX) data sets."""

from __future__ import annotations

import gzip
import subprocess
import sys

import numpy as np
import pytest

from hwsim import api
from hwsim.errors import MappingError, WorkloadError
from hwsim.func.encoding import encode
from hwsim.func.lif import initial_state, lif_step, run_network
from hwsim.func.snn_core import model_layer
from hwsim.workload.idx import read_idx

MODEL = """\
schema: hwsim.snn-model/1
name: idx-snn
input: {channels: 1, height: 2, width: 3, bits: 8}
dataset: {name: mnist_idx, images: images.idx.gz, labels: labels.idx}
neuron: {membrane_bits: 16, frac_bits: 0, weight_bits: 5, threshold_lsb: 30, reset: hard, leak: {kind: none}}
layers:
  - {name: exc, type: fc, out: 4}
weights: w.npz
workload: {time_steps: 40, encoding: {kind: lfsr_rate, seed: 5, random_bits: 8}}
"""


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


@pytest.fixture
def idx_model(tmp_path):
    """A 6-input, 4-neuron model on 5 IDX images (gzip) and labels (plain), and its writer."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (5, 2, 3))
    (tmp_path / "images.idx.gz").write_bytes(gzip.compress(idx_bytes(images)))
    (tmp_path / "labels.idx").write_bytes(idx_bytes(np.arange(5) % 4))

    def write(thresholds=None, text=MODEL):
        arrays = {"exc": np.array([[5, 5, 5, 5, 5, 5], [9, 0, 9, 0, 9, 0], [1, 2, 3, 4, 5, 6], [15] * 6], np.int8)}
        if thresholds is not None:
            arrays["exc.threshold_lsb"] = np.asarray(thresholds)
        np.savez(tmp_path / "w.npz", **arrays)
        path = tmp_path / "idx.yaml"
        path.write_text(text)
        return path

    return write, images


def test_idx_images_and_labels_are_the_model_data(idx_model):
    write, images = idx_model
    net = api.load_network(str(write()))
    assert net.test_inputs.tolist() == images.reshape(5, -1).tolist()
    assert net.test_labels.tolist() == [0, 1, 2, 3, 0]
    report = api.simulate(net, api.load_arch("spiker"))
    assert report.total.extra["samples"] == 5


def test_per_neuron_thresholds_fire_each_neuron_at_its_own_level():
    from hwsim.workload.snn import LeakKind, NeuronParams

    n = NeuronParams(16, 0, 5, threshold_lsb=100, leak=LeakKind.NONE)
    w = np.array([[10], [10], [10]])
    s = initial_state(3)
    fired = []
    for _ in range(4):
        s = lif_step(s, np.array([1]), w, n, thresholds=np.array([10, 20, 40]))
        fired.append(s.out.tolist())
    # v grows 10 per step: neuron 0 fires every step, neuron 1 every 2nd, neuron 2 at the 4th
    assert fired == [[1, 0, 0], [1, 1, 0], [1, 0, 0], [1, 1, 1]]
    assert lif_step(initial_state(3), np.array([1]), w, n).out.tolist() == [0, 0, 0]   # shared 100: none


def test_whole_run_uses_the_shipped_thresholds_exactly(idx_model):
    write, _ = idx_model
    theta = np.array([12, 30, 7, 60])
    net = api.load_network(str(write(theta)))
    shared = api.load_network(str(write()))
    run, base = run_network(net, net.test_inputs, record=True), run_network(shared, shared.test_inputs, record=True)
    assert not np.array_equal(run.counts, base.counts)
    spikes = encode(net.test_inputs, net.encoding, net.time_steps)   # independent reference: lif_step step by step
    for b in range(5):
        state = initial_state(4)
        for t in range(40):
            state = lif_step(state, spikes[b, t], net.weights["exc"].reshape(4, 6), net.layers[0].neuron, thresholds=theta)
            assert state.out.tolist() == run.outputs[0][b, t].tolist()


@pytest.mark.parametrize("theta, message", [
    ([10, 20, 30], r" have shape \(3,\), the layer needs \(4,\)"),
    ([10, 0, 30, 40], r": neuron 1 has threshold 0; a threshold must be at least 1 LSB"),
    ([10, 20, 40000, 40], r": neuron 2 has threshold 40000, and 1 x 40000 = 40000 LSB does not fit a 16-bit signed membrane \(max 32767 LSB\)"),
    ([1.5, 2, 3, 4], r" must be integers, got float64"),
])
def test_bad_thresholds_name_the_file_layer_and_value(idx_model, theta, message):
    write, _ = idx_model
    with pytest.raises(WorkloadError, match=r"w\.npz: layer 'exc': per-neuron thresholds" + message + "$"):
        api.load_network(str(write(np.array(theta))))


def test_shared_threshold_hardware_refuses_per_neuron_thresholds(idx_model):
    write, _ = idx_model
    net = api.load_network(str(write(np.array([12, 30, 7, 60]))))
    with pytest.raises(MappingError, match=r"^model 'idx-snn': layer 'exc' has per-neuron thresholds, but arch 'snn-fpga' "
                                           r"has one shared threshold \(datapath\.per_neuron_threshold = false\)$"):
        api.simulate(net, api.load_arch("snn-fpga"))


def test_rtl_core_takes_a_trained_layers_per_neuron_thresholds(idx_model):
    """The RTL core has a threshold per lane (Spiker's registers): a model's thresholds reach it."""
    from hwsim.rtl import snn_core

    path = str(write_path := idx_model[0](np.array([12, 30, 7, 60])))
    net, index, *_ = model_layer(path, "exc")
    layer = snn_core.core_layer({**snn_core.default_params(None), "model": path, "layer": "exc"})
    assert layer.thresholds.tolist() == [12, 30, 7, 60] == net.thresholds["exc"].tolist()
    core = snn_core.build(None, {**snn_core.default_params(None), "model": str(write_path), "layer": "exc",
                                 "parallel_neurons": 2})
    assert core.groups == 2
    core._MustUse__silence = True  # built to read its sizes, never elaborated


@pytest.mark.parametrize("mutate, message", [
    (lambda p: (p / "images.idx.gz").unlink(), r"images\.idx\.gz: IDX file not found$"),
    (lambda p: (p / "labels.idx").write_bytes(idx_bytes(np.arange(4))), r"images\.idx\.gz: 5 images, but .*labels\.idx holds 4 labels$"),
    (lambda p: (p / "labels.idx").write_bytes(b"\x00\x00\x0d\x01" + bytes(8)), r"labels\.idx: IDX type 0x0d with 1 dimensions; expected unsigned bytes \(0x08\) with 1$"),
    (lambda p: (p / "labels.idx").write_bytes(b"PK\x03\x04"), r"labels\.idx: not an IDX file"),
    (lambda p: (p / "labels.idx").write_bytes(idx_bytes(np.arange(5))[:-2]), r"labels\.idx: the header announces 5 values, the file holds 3$"),
    (lambda p: (p / "images.idx.gz").write_bytes(b"not gzip"), r"images\.idx\.gz: cannot be read as gzip"),
])
def test_bad_idx_files_give_one_line_errors(idx_model, tmp_path, mutate, message):
    write, _ = idx_model
    path = write()
    mutate(tmp_path)
    with pytest.raises(WorkloadError, match=message):
        api.load_network(str(path))


def test_idx_keys_are_checked_against_the_data_set(idx_model):
    write, _ = idx_model
    with pytest.raises(WorkloadError, match=r"idx\.yaml: data set 'mnist_idx' needs key 'dataset\.labels' \(a local IDX file\)$"):
        api.load_network(str(write(text=MODEL.replace(", labels: labels.idx", ""))))
    digits = MODEL.replace("name: mnist_idx", "name: sklearn_digits")
    with pytest.raises(WorkloadError, match=r"key 'dataset\.images' applies to data set 'mnist_idx' only, not 'sklearn_digits'$"):
        api.load_network(str(write(text=digits)))


def test_cli_reports_a_bad_idx_file_in_one_line_with_status_2(idx_model, tmp_path):
    write, _ = idx_model
    path = write()
    (tmp_path / "labels.idx").write_bytes(b"junk")
    proc = subprocess.run([sys.executable, "-m", "hwsim", "simulate", "--model", str(path), "--arch", "spiker"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "labels.idx: not an IDX file" in proc.stderr


def test_read_idx_round_trips_a_three_dimensional_file(tmp_path):
    array = np.arange(24).reshape(2, 3, 4)
    (tmp_path / "a.idx").write_bytes(idx_bytes(array))
    assert read_idx(tmp_path / "a.idx", 3).tolist() == array.tolist()
