"""Every attribute and operator the importer reads, against MACs counted from ONNX's own reference run."""

import math

import numpy as np
import pytest
from onnx import helper

from hwsim.errors import WorkloadError
from hwsim.workload.layers import LayerKind, QuantKind
from hwsim.workload.onnx import OnnxOptions, load_onnx
from hwsim.workload.vector_ops import VectorOp
from onnx_graphs import const, conv_model, reference_macs, save

CONV_CASES = {
    "stride (2, 1)": ((1, 4, 12, 10), (6, 4, 3, 3), dict(strides=[2, 1], pads=[1, 1, 1, 1])),
    "kernel (1, 7), pads (0, 3)": ((1, 4, 9, 9), (5, 4, 1, 7), dict(pads=[0, 3, 0, 3])),
    "dilation 2": ((1, 3, 15, 15), (4, 3, 3, 3), dict(dilations=[2, 2])),
    "dilation (1, 3), stride 2": ((1, 3, 16, 17), (4, 3, 3, 3), dict(dilations=[1, 3], strides=[2, 2])),
    "asymmetric pads": ((1, 2, 7, 8), (3, 2, 3, 3), dict(pads=[0, 1, 1, 2])),
    "SAME_UPPER, stride 2": ((1, 3, 11, 10), (4, 3, 3, 3), dict(auto_pad="SAME_UPPER", strides=[2, 2])),
    "SAME_LOWER, even kernel": ((1, 3, 9, 9), (4, 3, 2, 4), dict(auto_pad="SAME_LOWER")),
    "VALID": ((1, 3, 9, 9), (4, 3, 3, 3), dict(auto_pad="VALID")),
    "group 4": ((1, 8, 10, 10), (12, 2, 3, 3), dict(group=4, pads=[1, 1, 1, 1])),
    "depthwise": ((1, 16, 14, 14), (16, 1, 3, 3), dict(group=16, strides=[2, 2], pads=[1, 1, 1, 1])),
    "depthwise x2 multiplier": ((1, 6, 9, 9), (12, 1, 5, 5), dict(group=6, pads=[2, 2, 2, 2])),
    "batch 3": ((3, 3, 8, 8), (4, 3, 3, 3), dict(pads=[1, 1, 1, 1])),
    "1-D": ((1, 4, 20), (6, 4, 5), dict(strides=[2], pads=[2, 1])),
}


@pytest.mark.parametrize("case", list(CONV_CASES))
def test_conv_attributes_give_exact_macs_and_shapes(tmp_path, case):
    x_shape, w_shape, attrs = CONV_CASES[case]
    path, feeds = conv_model(tmp_path / "conv.onnx", x_shape, w_shape, **attrs)
    total, _ = reference_macs(path, feeds)
    net = load_onnx(path)
    (layer,) = net.layers
    assert layer.macs == total
    group = attrs.get("group", 1)
    assert (layer.G, layer.K * layer.G, layer.C * layer.G) == (group, w_shape[0], x_shape[1])
    assert net.weights["conv"].shape == layer.weight_shape


def test_conv_stride_and_dilation_reach_the_layer(tmp_path):
    path, _ = conv_model(tmp_path / "c.onnx", (1, 3, 16, 17), (4, 3, 3, 3), dilations=[1, 3], strides=[2, 1],
                         pads=[0, 1, 2, 3])
    (layer,) = load_onnx(path).layers
    assert (layer.stride, layer.dilation, layer.padding) == ((2, 1), (1, 3), (0, 1, 2, 3))
    assert (layer.window_rows, layer.window_cols) == (3, 7)


def test_conv_transpose_counts_the_scattered_products(tmp_path):
    rng = np.random.default_rng(0)
    w = rng.normal(size=(4, 3, 3, 3)).astype(np.float32)  # (C_in, K / group, R, S)
    node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="up", strides=[2, 2], pads=[1, 1, 1, 1],
                            output_padding=[1, 1])
    path = save(tmp_path / "up.onnx", [node], [("x", [1, 4, 5, 5])], [("y", None)], [const("w", w)])
    total, _ = reference_macs(path, {"x": rng.normal(size=(1, 4, 5, 5)).astype(np.float32)})
    (layer,) = load_onnx(path).layers
    assert layer.macs == total == 4 * 5 * 5 * 3 * 9


@pytest.mark.parametrize("attrs, expected", [
    (dict(kernel_shape=[3, 3], strides=[2, 2]), (7, 7)),
    (dict(kernel_shape=[2, 2], strides=[2, 2]), (7, 7)),
    (dict(kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1), (8, 8)),
    (dict(kernel_shape=[2, 3], strides=[2, 1], pads=[0, 1, 1, 1]), (8, 15)),
    (dict(kernel_shape=[3, 3], dilations=[2, 2]), (11, 11)),
    (dict(kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER"), (8, 8)),
])
def test_pooling_attributes_shift_every_later_layer(tmp_path, attrs, expected):
    rng = np.random.default_rng(2)
    w = rng.normal(size=(5, 4, 3, 3)).astype(np.float32)
    nodes = [helper.make_node("MaxPool", ["x"], ["p"], name="pool", **attrs),
             helper.make_node("Conv", ["p", "w"], ["y"], name="conv", pads=[1, 1, 1, 1])]
    path = save(tmp_path / "pool.onnx", nodes, [("x", [1, 4, 15, 15])], [("y", None)], [const("w", w)])
    total, _ = reference_macs(path, {"x": rng.normal(size=(1, 4, 15, 15)).astype(np.float32)})
    pool, conv = load_onnx(path).layers
    assert (pool.P, pool.Q) == expected and (conv.P, conv.Q) == expected
    assert conv.macs == total


def test_matmul_forms(tmp_path):
    rng = np.random.default_rng(4)
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["t"], name="tokens"),  # (2, 7, 6) @ (6, 5): 14 tokens
        helper.make_node("Gemm", ["w2", "f"], ["g"], name="gemm_ta", transA=1),  # W^T @ x
        helper.make_node("Transpose", ["t"], ["tt"], name="tr", perm=[0, 2, 1]),
        helper.make_node("MatMul", ["t", "tt"], ["s"], name="batched"),  # (2, 7, 5) @ (2, 5, 7): G = 2
    ]
    inits = [const("w", rng.normal(size=(6, 5)).astype(np.float32)),
             const("w2", rng.normal(size=(4, 3)).astype(np.float32))]
    path = save(tmp_path / "mm.onnx", nodes, [("x", [2, 7, 6]), ("f", [4, 9])], [("s", None), ("g", None)], inits)
    feeds = {"x": rng.normal(size=(2, 7, 6)).astype(np.float32), "f": rng.normal(size=(4, 9)).astype(np.float32)}
    total, per_node = reference_macs(path, feeds)
    net = load_onnx(path)
    layers = {layer.name: layer for layer in net.layers}
    assert (layers["tokens"].kind, layers["tokens"].N, layers["tokens"].K, layers["tokens"].C) == (
        LayerKind.LINEAR, 14, 5, 6)
    assert (layers["gemm_ta"].N, layers["gemm_ta"].K, layers["gemm_ta"].C) == (9, 3, 4)
    b = layers["batched"]
    assert (b.kind, b.G, b.P, b.C, b.K, b.inputs) == (LayerKind.MATMUL, 2, 7, 5, 7, ("tokens", "tr"))
    assert {name: layers[name].macs for name in per_node} == per_node
    assert net.macs == total


ELEMENTWISE = [
    ("Mul", VectorOp.MUL, {}), ("Sigmoid", VectorOp.SIGMOID, {}), ("HardSigmoid", VectorOp.HARD_SIGMOID, {}),
    ("HardSwish", VectorOp.HARD_SWISH, {}), ("Div", VectorOp.DIV, {}), ("Erf", VectorOp.ERF, {}),
    ("Softmax", VectorOp.SOFTMAX, {"axis": 1}), ("Tanh", VectorOp.TANH, {}),
]


@pytest.mark.parametrize("op, vector_op, attrs", ELEMENTWISE)
def test_elementwise_ops_are_vector_layers(tmp_path, op, vector_op, attrs):
    rng = np.random.default_rng(5)
    w = rng.normal(size=(4, 3, 1, 1)).astype(np.float32)
    binary = op in ("Mul", "Div")
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
             helper.make_node(op, ["c", "c"] if binary else ["c"], ["y"], name="op", **attrs)]
    path = save(tmp_path / "e.onnx", nodes, [("x", [1, 3, 5, 6])], [("y", None)], [const("w", w)])
    conv, layer = load_onnx(path).layers
    assert (layer.kind, layer.vector_op, layer.K, layer.inputs) == (LayerKind.VECTOR, vector_op, 4 * 5 * 6, ("conv",))


def test_silu_clip_layernorm_reduce_concat_split_slice(tmp_path):
    rng = np.random.default_rng(6)
    nodes = [
        helper.make_node("Sigmoid", ["x"], ["s"], name="sig"),
        helper.make_node("Mul", ["x", "s"], ["silu"], name="silu"),  # SiLU as torch exports it
        helper.make_node("Clip", ["silu", "lo", "hi"], ["c"], name="relu6"),
        helper.make_node("LayerNormalization", ["c", "gamma", "beta"], ["ln"], name="ln", axis=-1),
        helper.make_node("ReduceMean", ["ln"], ["rm"], name="mean", axes=[-1], keepdims=1),
        helper.make_node("Concat", ["rm", "ln"], ["cat"], name="cat", axis=-1),
        helper.make_node("Split", ["cat", "parts"], ["a", "b"], name="split", axis=-1),
        helper.make_node("Slice", ["b", "starts", "ends", "axes"], ["y"], name="slice"),
        helper.make_node("ReduceMean", ["x4"], ["gap"], name="gap", axes=[2, 3], keepdims=0),
    ]
    inits = [const("lo", np.float32(0)), const("hi", np.float32(6)), const("gamma", np.ones(8, np.float32)),
             const("beta", np.zeros(8, np.float32)), const("parts", np.array([4, 5], np.int64)),
             const("starts", np.array([1], np.int64)), const("ends", np.array([4], np.int64)),
             const("axes", np.array([2], np.int64))]
    path = save(tmp_path / "v.onnx", nodes, [("x", [1, 6, 8]), ("x4", [1, 3, 4, 5])], [("y", None), ("gap", None)],
                inits, opset=17)
    # a graph without any product is still a graph: add one so the import has something to price
    layers = {layer.name: layer for layer in _with_a_product(path).layers}
    assert [(n, layers[n].vector_op, layers[n].K) for n in ("sig", "silu", "relu6", "ln", "mean", "cat", "split",
                                                             "slice")] == [
        ("sig", VectorOp.SIGMOID, 48), ("silu", VectorOp.MUL, 48), ("relu6", VectorOp.CLIP, 48),
        ("ln", VectorOp.LAYER_NORM, 48), ("mean", VectorOp.REDUCE_MEAN, 48), ("cat", VectorOp.CONCAT, 54),
        ("split", VectorOp.SPLIT, 54), ("slice", VectorOp.SLICE, 18)]
    gap = layers["gap"]  # ReduceMean over H, W: the global average pool of today's exporter
    assert (gap.kind, gap.R, gap.S, gap.P, gap.K) == (LayerKind.AVGPOOL, 4, 5, 1, 3)


def _with_a_product(path):
    import onnx

    model = onnx.load(str(path))
    model.graph.initializer.append(const("wp", np.ones((3, 2), np.float32)))
    model.graph.node.append(helper.make_node("MatMul", ["y", "wp"], ["yp"], name="proj"))
    model.graph.output.append(helper.make_empty_tensor_value_info("yp"))
    onnx.save(model, str(path))
    return load_onnx(path)


def test_shape_subgraphs_fold_into_real_shapes(tmp_path):
    """Shape -> Gather -> Unsqueeze -> Concat -> Reshape, the legacy exporter's flatten."""
    rng = np.random.default_rng(7)
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("Shape", ["c"], ["shape"], name="shape"),
        helper.make_node("Gather", ["shape", "zero"], ["n"], name="gather", axis=0),
        helper.make_node("Unsqueeze", ["n", "axes0"], ["n1"], name="unsq"),
        helper.make_node("Concat", ["n1", "minus1"], ["target"], name="cat", axis=0),
        helper.make_node("Reshape", ["c", "target"], ["flat"], name="flat"),
        helper.make_node("MatMul", ["flat", "fc"], ["y"], name="fc"),
    ]
    inits = [const("w", rng.normal(size=(4, 3, 3, 3)).astype(np.float32)), const("zero", np.int64(0)),
             const("axes0", np.array([0], np.int64)), const("minus1", np.array([-1], np.int64)),
             const("fc", rng.normal(size=(4 * 6 * 6, 10)).astype(np.float32))]
    path = save(tmp_path / "f.onnx", nodes, [("x", ["batch", 3, 8, 8])], [("y", None)], inits)
    net = load_onnx(path, OnnxOptions(batch=2))
    conv, fc = net.layers
    assert (conv.N, fc.N, fc.C, fc.K) == (2, 2, 144, 10)
    assert net.notes["inputs"]["x"] == {"shape": [2, 3, 8, 8], "from": ["'batch' = workload.batch", "graph",
                                                                       "graph", "graph"]}
    assert load_onnx(path).layers[0].N == 1  # a symbolic batch defaults to 1


def test_symbolic_dims_need_a_size(tmp_path):
    path = save(tmp_path / "s.onnx", [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")],
                [("x", ["batch", "sequence", 8])], [("y", None)], [const("w", np.ones((8, 4), np.float32))])
    with pytest.raises(WorkloadError, match=r"s\.onnx: input 'x' dim 1 is symbolic \('sequence'\): give its size "
                                            r"with --set workload\.input_shape=\.\.\. or workload\.seq_len=N$"):
        load_onnx(path)
    assert load_onnx(path, OnnxOptions(seq_len=128)).layers[0].N == 128
    assert load_onnx(path, OnnxOptions(input_shape=(3, 5, 8))).layers[0].N == 15
    with pytest.raises(WorkloadError, match=r"workload\.input_shape dim 2 = 9, but input 'x' fixes it at 8$"):
        load_onnx(path, OnnxOptions(input_shape=(1, 5, 9)))
    with pytest.raises(WorkloadError, match=r"workload\.input_shape = 1,5 has 2 dims, input 'x' has 3$"):
        load_onnx(path, OnnxOptions(input_shape=(1, 5)))


def _qdq_model(tmp_path, q, scale, zero, axis=None, act_zero=np.int8(0)):
    rng = np.random.default_rng(8)
    attrs = {} if axis is None else {"axis": axis}
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"], name="qx"),
        helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], name="dqx"),
        helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["w"], name="dqw", **attrs),
        helper.make_node("Conv", ["xd", "w"], ["y"], name="conv", pads=[1, 1, 1, 1]),
    ]
    inits = [const("xs", np.float32(0.05)), const("xz", act_zero), const("wq", q), const("ws", scale),
             const("wz", zero)]
    del rng
    return save(tmp_path / "qdq.onnx", nodes, [("x", [1, q.shape[1], 6, 6])], [("y", None)], inits, opset=21)


def test_qdq_per_channel_int8_and_int4(tmp_path):
    rng = np.random.default_rng(9)
    q = rng.integers(-100, 100, size=(4, 3, 3, 3)).astype(np.int8)
    zero = np.array([0, 1, -2, 3], np.int8)
    net = load_onnx(_qdq_model(tmp_path, q, np.array([0.1, 0.2, 0.3, 0.4], np.float32), zero, axis=0))
    (conv,) = net.layers
    assert (conv.weight_quant.kind, conv.weight_quant.bits, conv.act_bits) == (QuantKind.INT, 8, 8)
    assert np.array_equal(net.weights["conv"], q.astype(np.int64) - zero.reshape(4, 1, 1, 1))
    from onnx import TensorProto, numpy_helper

    q4 = rng.integers(-8, 8, size=(4, 3, 3, 3))
    int4 = helper.make_tensor("wq", TensorProto.INT4, q4.shape, q4.ravel().tolist())
    path = _qdq_model(tmp_path, q, np.float32(0.1), np.int8(0), act_zero=np.uint8(128))
    import onnx

    model = onnx.load(str(path))
    for i, t in enumerate(model.graph.initializer):
        if t.name == "wq":
            model.graph.initializer[i].CopyFrom(int4)
        if t.name == "wz":
            model.graph.initializer[i].CopyFrom(helper.make_tensor("wz", TensorProto.INT4, [], [0]))
    onnx.save(model, str(path))
    net = load_onnx(path)
    assert (net.layers[0].weight_quant.bits, net.layers[0].act_bits) == (4, 8)
    assert np.array_equal(net.weights["conv"], q4)
    assert numpy_helper  # the int4 tensor went through onnx's own numpy conversion


def test_ternary_qdq_detection_and_errors(tmp_path):
    q = np.array(np.random.default_rng(10).integers(-1, 2, size=(4, 3, 3, 3)), np.int8)
    net = load_onnx(_qdq_model(tmp_path, q, np.float32(0.1), np.int8(0)))
    assert net.layers[0].weight_quant.kind is QuantKind.TERNARY


@pytest.mark.parametrize("node, message", [
    (helper.make_node("If", ["cond"], ["y"], name="branch", then_branch=helper.make_graph([], "t", [], []),
                      else_branch=helper.make_graph([], "e", [], [])),
     r"node 'branch' \(If\): control flow is not supported"),
    (helper.make_node("Conv", ["x", "x"], ["y"], name="dyn"),
     r"node 'dyn' \(Conv\): weight 'x' is not a constant"),
])
def test_unsupported_graphs_stop_with_one_line(tmp_path, node, message):
    path = save(tmp_path / "bad.onnx", [node], [("x", [1, 1, 4, 4]), ("cond", [])], [("y", None)])
    with pytest.raises(WorkloadError, match=r"bad\.onnx: " + message):
        load_onnx(path)


def test_3d_convolution_is_refused(tmp_path):
    path, _ = conv_model(tmp_path / "c3.onnx", (1, 2, 4, 4, 4), (3, 2, 3, 3, 3))
    with pytest.raises(WorkloadError, match=r"c3\.onnx: node 'conv' \(Conv\): 3-D convolution is not supported"):
        load_onnx(path)


def test_macs_of_a_small_mobilenet_block(tmp_path):
    """Pointwise, depthwise, pointwise with ReLU6 and a residual: total and per-layer MACs exact."""
    rng = np.random.default_rng(11)
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["a"], name="expand"),
        helper.make_node("Clip", ["a", "lo", "hi"], ["a6"], name="relu6a"),
        helper.make_node("Conv", ["a6", "w2"], ["b"], name="dw", group=24, strides=[1, 1], pads=[1, 1, 1, 1]),
        helper.make_node("Clip", ["b", "lo", "hi"], ["b6"], name="relu6b"),
        helper.make_node("Conv", ["b6", "w3"], ["c"], name="project"),
        helper.make_node("Add", ["c", "x"], ["y"], name="residual"),
    ]
    inits = [const("w1", rng.normal(size=(24, 4, 1, 1)).astype(np.float32)),
             const("w2", rng.normal(size=(24, 1, 3, 3)).astype(np.float32)),
             const("w3", rng.normal(size=(4, 24, 1, 1)).astype(np.float32)),
             const("lo", np.float32(0)), const("hi", np.float32(6))]
    path = save(tmp_path / "mb.onnx", nodes, [("x", [1, 4, 10, 10])], [("y", None)], inits)
    total, per_node = reference_macs(path, {"x": rng.normal(size=(1, 4, 10, 10)).astype(np.float32)})
    layers = {layer.name: layer for layer in load_onnx(path).layers}
    assert {name: layers[name].macs for name in per_node} == per_node
    assert sum(layer.macs for layer in layers.values()) == total == math.prod((10, 10)) * (24 * 4 + 24 * 9 + 4 * 24)
    assert layers["residual"].kind is LayerKind.ADD
