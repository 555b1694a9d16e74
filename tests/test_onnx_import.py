"""ONNX import: layers on canonical dims, precision from the graph, explicit quantization, errors."""

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from hwsim import api
from hwsim.cli import main
from hwsim.errors import WorkloadError
from hwsim.workload.layers import LayerKind, Quant, QuantKind
from hwsim.workload.onnx import OnnxOptions, load_onnx
from hwsim.workload.onnx.weights import ternarize
from hwsim.workload.vector_ops import VectorOp

TERNARY = OnnxOptions(quantize=Quant.ternary())


def _residual_net(tmp_path, qdq: bool = False, extra_node=None):
    rng = np.random.default_rng(1)
    w1 = rng.normal(size=(8, 3, 3, 3)).astype(np.float32)
    w2 = rng.normal(size=(8, 8, 3, 3)).astype(np.float32)
    fc = rng.normal(size=(10, 8)).astype(np.float32)
    inits = [numpy_helper.from_array(w2, "w2"), numpy_helper.from_array(fc, "fc_w")]
    nodes = []
    if qdq:
        ints = np.array(rng.integers(-1, 2, size=(8, 3, 3, 3)), dtype=np.int8)
        inits += [numpy_helper.from_array(ints, "w1_q"), numpy_helper.from_array(np.float32(0.1), "w1_s"),
                  numpy_helper.from_array(np.int8(0), "w1_z")]
        nodes.append(helper.make_node("DequantizeLinear", ["w1_q", "w1_s", "w1_z"], ["w1"], name="dq_w1"))
    else:
        inits.append(numpy_helper.from_array(w1, "w1"))
    nodes += [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "w2"], ["c2"], name="conv2", pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["c2", "p1"], ["a1"], name="add1"),
        helper.make_node("GlobalAveragePool", ["a1"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="flat"),
        helper.make_node("Gemm", ["f", "fc_w"], ["y"], name="fc", transB=1),
    ]
    if extra_node is not None:
        nodes.append(extra_node)
    graph = helper.make_graph(
        nodes, "residual",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])],
        initializer=inits,
    )
    path = tmp_path / ("qdq.onnx" if qdq else "float.onnx")
    onnx.save(helper.make_model(graph), str(path))
    return path, w1


def test_imports_layers_with_canonical_dims(tmp_path):
    path, _ = _residual_net(tmp_path)
    net = load_onnx(path)
    kinds = [(layer.name, layer.kind) for layer in net.layers]
    assert kinds == [("conv1", LayerKind.CONV), ("relu1", LayerKind.VECTOR), ("pool1", LayerKind.MAXPOOL),
                     ("conv2", LayerKind.CONV), ("add1", LayerKind.ADD), ("gap", LayerKind.AVGPOOL),
                     ("fc", LayerKind.LINEAR)]
    conv1, relu1, pool1, conv2, add1, gap, fc = net.layers
    assert (conv1.K, conv1.C, conv1.P, conv1.Q, conv1.R, conv1.S) == (8, 3, 16, 16, 3, 3)
    assert (relu1.vector_op, relu1.K) == (VectorOp.RELU, 8 * 16 * 16)
    assert (pool1.P, pool1.Q) == (8, 8)
    assert conv2.inputs == ("pool1",) and add1.inputs == ("conv2", "pool1")
    assert (gap.R, gap.S, gap.P) == (8, 8, 1)
    assert (fc.K, fc.C) == (10, 8)
    assert net.macs == 8 * 3 * 16 * 16 * 9 + 8 * 8 * 8 * 8 * 9 + 10 * 8


def test_float_graph_keeps_its_precision(tmp_path):
    path, w1 = _residual_net(tmp_path)
    net = load_onnx(path)
    assert net.layers[0].weight_quant == Quant(QuantKind.FLOAT, 32) and net.layers[0].act_bits == 32
    assert np.array_equal(net.weights["conv1"], w1)
    assert net.notes["quantize"].startswith("none")


def test_float_weights_are_ternarized_only_when_asked(tmp_path):
    path, w1 = _residual_net(tmp_path)
    net = load_onnx(path, TERNARY)
    got = net.weights["conv1"]
    delta = 0.7 * np.abs(w1).mean()
    assert np.array_equal(got, (np.sign(w1) * (np.abs(w1) > delta)).astype(np.int8))
    assert net.layers[0].weight_quant.kind is QuantKind.TERNARY and net.layers[0].act_bits == 8
    assert 0.2 < (got == 0).mean() < 0.6  # the TWN threshold zeroes a real share of a Gaussian
    assert set(np.unique(ternarize(np.array([-3.0, 0.1, 2.0])))) == {-1, 0, 1}
    sparsity = net.weight_sparsity()
    assert net.notes["quantize"].startswith("ternary: every weight quantized by the TWN rule")
    assert net.notes["quantize"].endswith(f"measured weight sparsity {sparsity:.3f}")


def test_int8_option_quantizes_symmetrically(tmp_path):
    path, _ = _residual_net(tmp_path)
    net = load_onnx(path, OnnxOptions(quantize=Quant(QuantKind.INT, 8)))
    got = net.weights["conv1"]
    assert got.max() == 127 or got.min() == -127
    assert net.layers[0].weight_quant.bits == 8


def test_qdq_integer_weights_are_used_as_they_are(tmp_path):
    path, _ = _residual_net(tmp_path, qdq=True)
    net = load_onnx(path)
    assert net.layers[0].weight_quant.kind is QuantKind.TERNARY
    stored = numpy_helper.to_array(next(t for t in onnx.load(str(path)).graph.initializer if t.name == "w1_q"))
    assert np.array_equal(net.weights["conv1"], stored)


def test_quantize_requantizes_a_quantizers_values(tmp_path):
    """An int8 QDQ model on a ternary arch: the dequantized values go through the asked rule."""
    path, _ = _residual_net(tmp_path, qdq=True)
    net = load_onnx(path, OnnxOptions(quantize=Quant(QuantKind.INT, 4)))
    stored = numpy_helper.to_array(next(t for t in onnx.load(str(path)).graph.initializer if t.name == "w1_q"))
    assert np.array_equal(net.weights["conv1"], stored * 7)  # +-1 x 0.1 -> +-7 of int4's +-7
    assert net.layers[0].weight_quant == Quant(QuantKind.INT, 4)


def test_imported_network_simulates_on_imc_after_explicit_ternarization(tmp_path):
    path, _ = _residual_net(tmp_path)
    net = load_onnx(path, TERNARY)
    report = api.simulate(net, api.load_arch("fat"))
    assert report.total.cycles > 0
    assert report.layers[0].nonzero_weight_fraction == pytest.approx(
        float(np.count_nonzero(net.weights["conv1"])) / (8 * 27))
    relu = report.layers[1]
    assert (relu.cycles, relu.energy_pj, relu.extra["not_priced"]) == (0, 0.0, "arch 'fat' has no vector unit")
    assert report.total.extra["not_priced_layers"] == {"arch 'fat' has no vector unit": 1}


def test_unsupported_operator_is_named(tmp_path):
    path, _ = _residual_net(tmp_path, extra_node=helper.make_node("NonMaxSuppression", ["y", "y"], ["z"], name="nms"))
    with pytest.raises(WorkloadError, match=r"node 'nms' \(NonMaxSuppression\): operator not supported by the "
                                            r"importer \(hwsim reads"):
        load_onnx(path)


def test_unreadable_file_is_reported(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a protobuf at all")
    with pytest.raises(WorkloadError, match=r"bad.onnx: not a readable ONNX model"):
        load_onnx(bad)
    with pytest.raises(WorkloadError, match=r"missing.onnx: file not found"):
        load_onnx(tmp_path / "missing.onnx")


def test_cli_float_model_on_imc_says_what_to_do(tmp_path, capsys):
    path, _ = _residual_net(tmp_path)
    assert main(["simulate", "--model", str(path), "--arch", "fat", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "hwsim: error: layer 'conv1': float32 weights cannot run on IMC arch 'fat', which adds activations for "
        "ternary or binary weights only (quantize them: --set workload.quantize=ternary or binary)"]


def test_cli_notes_the_quantization_rule_and_unpriced_layers(tmp_path, capsys):
    path, _ = _residual_net(tmp_path)
    out = tmp_path / "r.json"
    assert main(["simulate", "--model", str(path), "--arch", "fat", "--quiet", "--json", str(out),
                 "--set", "workload.quantize=ternary"]) == 0
    err = capsys.readouterr().err
    assert "note: fat: 1 layer not priced: arch 'fat' has no vector unit" in err
    assert "note: float: weights ternary: every weight quantized by the TWN rule" in err
    for bad, message in (("workload.weight_sparsity=0.5", "does not apply to an ONNX model"),
                         ("workload.quantize=int9", "workload.quantize = 'int9': expected ternary, binary, int2"),
                         ("workload.quantize=int8", "int8 weights cannot run on IMC")):
        assert main(["simulate", "--model", str(path), "--arch", "fat", "--quiet", "--set", bad]) == 2
        assert message in capsys.readouterr().err


def test_onnx_is_a_model_in_help(capsys):
    with pytest.raises(SystemExit):
        main(["simulate", "--help"])
    assert ".onnx" in capsys.readouterr().out
