"""QONNX import: Quant and BipolarQuant weights (values, bit widths, ternary/binary), activation bits, errors."""

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from hwsim import api
from hwsim.errors import WorkloadError
from hwsim.workload.layers import QuantKind
from hwsim.workload.onnx import OnnxOptions, load_onnx
from hwsim.workload.qonnx import int_range, quant_integers

QONNX = "qonnx.custom_op.general"


def _quant(name, src, out, scale, zp, bits, **attrs):
    return [numpy_helper.from_array(np.float32(scale), f"{name}_s"), numpy_helper.from_array(np.float32(zp), f"{name}_z"),
            numpy_helper.from_array(np.float32(bits), f"{name}_b")], \
        helper.make_node("Quant", [src, f"{name}_s", f"{name}_z", f"{name}_b"], [out], name=name, domain=QONNX, **attrs)


def _model(tmp_path, w1, w2, fc, extra=None, act_bits=4, rounding=None):
    inits = [numpy_helper.from_array(w1, "w1f"), numpy_helper.from_array(w2, "w2f"), numpy_helper.from_array(fc, "fcf"),
             numpy_helper.from_array(np.float32(1.0), "bq_s")]
    q1_inits, q1 = _quant("q_w1", "w1f", "w1", 0.5, 0.0, 2, signed=1, narrow=1,
                          **({"rounding_mode": rounding} if rounding else {}))
    qa_inits, qa = _quant("q_act", "r1", "a1", 0.25, 0.0, act_bits, signed=0, narrow=0)
    qf_inits, qf = _quant("q_fc", "fcf", "fcw", 0.1, 0.0, 4, signed=1, narrow=0)
    nodes = [
        q1,
        helper.make_node("BipolarQuant", ["w2f", "bq_s"], ["w2"], name="bq_w2", domain=QONNX),
        qf,
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        qa,
        helper.make_node("Conv", ["a1", "w2"], ["c2"], name="conv2", pads=[1, 1, 1, 1]),
        helper.make_node("GlobalAveragePool", ["c2"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="flat"),
        helper.make_node("Gemm", ["f", "fcw"], ["y"], name="fc", transB=1),
    ]
    if extra is not None:
        nodes.append(extra)
    graph = helper.make_graph(nodes, "qonnx", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 5])],
                              initializer=inits + q1_inits + qa_inits + qf_inits)
    path = tmp_path / "q.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid(QONNX, 1)]),
              str(path))
    return path


@pytest.fixture()
def weights():
    rng = np.random.default_rng(7)
    return (rng.normal(scale=0.6, size=(6, 3, 3, 3)).astype(np.float32),
            rng.normal(size=(4, 6, 3, 3)).astype(np.float32),
            rng.normal(scale=0.5, size=(5, 4)).astype(np.float32))


def test_ternary_quant_weights_are_the_quantizer_integers(tmp_path, weights):
    w1, w2, fc = weights
    net = load_onnx(_model(tmp_path, w1, w2, fc))
    conv1, _, conv2, _, fc_layer = net.layers  # the Relu between the convolutions is a vector layer
    expected = np.clip(np.round(w1 / 0.5), -1, 1).astype(np.int8)  # signed narrow 2 bit: {-1, 0, 1}
    assert np.array_equal(net.weights["conv1"], expected)
    assert conv1.weight_quant.kind is QuantKind.TERNARY
    assert 0 < (expected == 0).mean() < 1  # real zeros for the zero-skipping engines
    assert np.array_equal(net.weights["conv2"], np.where(w2 >= 0, 1, -1))
    assert conv2.weight_quant.kind is QuantKind.BINARY
    ints = np.clip(np.round(fc / 0.1), -8, 7).astype(np.int8)  # signed 4 bit, full range
    assert np.array_equal(net.weights["fc"][:, :, 0, 0], ints)
    assert (fc_layer.weight_quant.kind, fc_layer.weight_quant.bits) == (QuantKind.INT, 4)


def test_activation_quant_sets_the_bits_of_the_layers_reading_it(tmp_path, weights):
    net = load_onnx(_model(tmp_path, *weights, act_bits=3))
    conv1, relu1, conv2, gap, fc = net.layers
    assert conv1.act_bits == relu1.act_bits == 32  # the float network input has no quantizer: it stays float
    assert conv2.act_bits == 3 and gap.act_bits == 32
    assert load_onnx(_model(tmp_path, *weights, act_bits=3), OnnxOptions(act_bits=8)).layers[0].act_bits == 8


def test_zero_skipping_sees_the_quantized_zeros(tmp_path, weights):
    path = _model(tmp_path, *weights)
    net = load_onnx(path)
    two_layer = net.__class__(name=net.name, layers=net.layers[:2], weights=net.weights)
    report = api.simulate(two_layer, api.load_arch("fat"))
    nonzero = np.count_nonzero(net.weights["conv1"]) / net.weights["conv1"].size
    assert report.layers[0].nonzero_weight_fraction == pytest.approx(nonzero)


def test_quantizer_ranges_and_rounding():
    assert int_range(2, True, True) == (-1, 1) and int_range(2, True, False) == (-2, 1)
    assert int_range(4, False, False) == (0, 15) and int_range(4, False, True) == (0, 14)
    x = np.array([-1.3, -0.5, 0.5, 1.5, 2.6])
    assert list(quant_integers(x, 1.0, 0.0, 8, signed=True, narrow=False, rounding="ROUND", where="t")) == [-1, 0, 0, 2, 3]
    assert list(quant_integers(x, 1.0, 0.0, 8, signed=True, narrow=False, rounding="FLOOR", where="t")) == [-2, -1, 0, 1, 2]
    # zero point 2 on unsigned 2 bit: x/s + 2 clipped to [0, 3], minus 2
    assert list(quant_integers(x, 1.0, 2.0, 2, signed=False, narrow=False, rounding="ROUND", where="t")) == [-1, 0, 0, 1, 1]


def test_unsupported_qonnx_op_is_named(tmp_path, weights):
    trunc = helper.make_node("Trunc", ["y", "bq_s", "bq_s", "bq_s", "bq_s"], ["z"], name="trunc0", domain=QONNX)
    with pytest.raises(WorkloadError, match=r"q\.onnx: node 'trunc0' \(Trunc\): operator not supported by the importer "):
        load_onnx(_model(tmp_path, *weights, extra=trunc))


def test_bad_quantizer_attributes_are_named(tmp_path, weights):
    with pytest.raises(WorkloadError, match=r"q\.onnx: node 'q_w1' \(Quant\): rounding_mode 'STOCHASTIC' is not supported"):
        load_onnx(_model(tmp_path, *weights, rounding="STOCHASTIC"))
    bad = helper.make_node("Quant", ["y", "q_fc_s", "q_fc_z", "y"], ["z"], name="qdyn", domain=QONNX)
    with pytest.raises(WorkloadError, match=r"node 'qdyn' \(Quant\): scale, zero point and bit width must be constants "
                                            r"\('y' is not\)$"):
        load_onnx(_model(tmp_path, *weights, extra=bad))
