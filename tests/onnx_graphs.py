"""Small ONNX graphs built with onnx.helper for the importer's tests, and an independent MAC count.

The reference count runs the graph with ONNX's own reference evaluator and counts MACs from
the shapes it actually produced (conv: output elements x C/group x kernel; products: output
elements x the reduced length), so it shares nothing with hwsim's attribute reading.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

OPSET = 17


def save(path: Path, nodes, inputs, outputs, inits=(), opset: int = OPSET) -> Path:
    """Write a graph: ``inputs``/``outputs`` as (name, shape) pairs (a None dim or a string is symbolic)."""
    graph = helper.make_graph(
        nodes, path.stem,
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in outputs],
        initializer=list(inits))
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), str(path))
    return path


def const(name: str, array) -> onnx.TensorProto:
    return numpy_helper.from_array(np.asarray(array), name)


def reference_macs(path: Path, feeds: dict[str, np.ndarray]) -> tuple[int, dict[str, int]]:
    """Total and per-node MACs of the products in ``path``, from the shapes the reference run produced."""
    model = onnx.load(str(path))
    values = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    wanted = [o for node in model.graph.node for o in node.output]
    run = ReferenceEvaluator(_expose(model, wanted))
    values.update(feeds)
    values.update(zip(wanted, run.run(wanted, feeds)))
    per_node: dict[str, int] = {}
    for node in model.graph.node:
        out = values[node.output[0]]
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "Conv":
            w = values[node.input[1]]
            per_node[node.name] = out.size * math.prod(w.shape[1:])
        elif node.op_type == "ConvTranspose":  # every input element scatters into K/group x kernel outputs
            x, w = values[node.input[0]], values[node.input[1]]
            per_node[node.name] = x.size * w.shape[1] * math.prod(w.shape[2:])
        elif node.op_type == "MatMul":
            a = values[node.input[0]]
            per_node[node.name] = out.size * a.shape[-1]
        elif node.op_type == "Gemm":
            a = values[node.input[0]]
            per_node[node.name] = out.size * (a.shape[0] if attrs.get("transA", 0) else a.shape[-1])
    return sum(per_node.values()), per_node


def _expose(model, names):
    """A copy of ``model`` whose every intermediate tensor is a graph output (for the reference run)."""
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    have = {o.name for o in copy.graph.output}
    for name in names:
        if name not in have:
            copy.graph.output.append(helper.make_empty_tensor_value_info(name))
    return copy


def conv_model(path: Path, x_shape, w_shape, **attrs) -> tuple[Path, dict[str, np.ndarray]]:
    """x -> Conv(**attrs) -> y with random weights; returns the file and a feed for the reference run."""
    rng = np.random.default_rng(0)
    w = rng.normal(size=w_shape).astype(np.float32)
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="conv", **attrs)
    save(path, [node], [("x", list(x_shape))], [("y", None)], [const("w", w)])
    return path, {"x": rng.normal(size=x_shape).astype(np.float32)}


def encoder_model(path: Path, *, layers: int = 2, d: int = 32, heads: int = 4, d_ff: int = 64, seq: int = 16,
                  batch: int = 1, fused_qkv: bool = False, seq_dim: int | str = None, pre_norm: bool = False) -> Path:
    """A Transformer encoder as the torch exporters write it: post-norm (BERT, torch's default)
    or pre-norm (ViT), separate or fused Q/K/V projections, GELU as Erf."""
    rng = np.random.default_rng(3)
    head_dim = d // heads
    nodes, inits = [], [const("heads_shape", np.array([batch, seq, heads, head_dim], np.int64)),
                        const("model_shape", np.array([batch, seq, d], np.int64)),
                        const("scale", np.float32(math.sqrt(head_dim))), const("gamma", np.ones(d, np.float32)),
                        const("beta", np.zeros(d, np.float32)), const("split", np.array([d, d, d], np.int64)),
                        const("sqrt2", np.float32(math.sqrt(2))), const("one", np.float32(1)),
                        const("half", np.float32(0.5))]
    x = "x"
    for i in range(layers):
        def w(name, shape):
            inits.append(const(f"{name}{i}", rng.normal(size=shape).astype(np.float32)))
            return f"{name}{i}"

        def n(op, ins, outs, **kw):
            nodes.append(helper.make_node(op, ins, [f"{o}{i}" for o in outs], name=f"{op.lower()}_{outs[0]}{i}", **kw))
            return [f"{o}{i}" for o in outs]

        block_in = x
        if pre_norm:
            (x,) = n("LayerNormalization", [block_in, "gamma", "beta"], ["ln0"], axis=-1)
        if fused_qkv:
            (qkv,) = n("MatMul", [x, w("wqkv", (d, 3 * d))], ["qkv"])
            q, k, v = n("Split", [qkv, "split"], ["q", "k", "v"], axis=2)
        else:
            (q,) = n("MatMul", [x, w("wq", (d, d))], ["q"])
            (k,) = n("MatMul", [x, w("wk", (d, d))], ["k"])
            (v,) = n("MatMul", [x, w("wv", (d, d))], ["v"])
        heads_of = {}
        for name, t in (("q", q), ("k", k), ("v", v)):
            (r,) = n("Reshape", [t, "heads_shape"], [f"{name}r"])
            perm = [0, 2, 3, 1] if name == "k" else [0, 2, 1, 3]
            (heads_of[name],) = n("Transpose", [r], [f"{name}t"], perm=perm)
        (s,) = n("MatMul", [heads_of["q"], heads_of["k"]], ["scores"])
        (s2,) = n("Div", [s, "scale"], ["scaled"])
        (p,) = n("Softmax", [s2], ["probs"], axis=-1)
        (c,) = n("MatMul", [p, heads_of["v"]], ["ctx"])
        (ct,) = n("Transpose", [c], ["ctxt"], perm=[0, 2, 1, 3])
        (cr,) = n("Reshape", [ct, "model_shape"], ["ctxr"])
        (o,) = n("MatMul", [cr, w("wo", (d, d))], ["out"])
        (a1,) = n("Add", [o, block_in], ["res1"])
        if pre_norm:
            (l1,) = n("LayerNormalization", [a1, "gamma", "beta"], ["ln1"], axis=-1)
            (f1,) = n("MatMul", [l1, w("w1", (d, d_ff))], ["ff1"])
        else:
            (l1,) = n("LayerNormalization", [a1, "gamma", "beta"], ["ln1"], axis=-1)
            (f1,) = n("MatMul", [l1, w("w1", (d, d_ff))], ["ff1"])
        (e1,) = n("Div", [f1, "sqrt2"], ["gelu_div"])  # GELU as the exporters write it: x/2 * (1 + erf(x/sqrt2))
        (e2,) = n("Erf", [e1], ["gelu_erf"])
        (e3,) = n("Add", [e2, "one"], ["gelu_add"])
        (e4,) = n("Mul", [f1, e3], ["gelu_mul"])
        (g,) = n("Mul", [e4, "half"], ["gelu"])
        (f2,) = n("MatMul", [g, w("w2", (d_ff, d))], ["ff2"])
        if pre_norm:
            (x,) = n("Add", [f2, a1], ["res2"])
        else:
            (a2,) = n("Add", [f2, l1], ["res2"])
            (x,) = n("LayerNormalization", [a2, "gamma", "beta"], ["ln2"], axis=-1)
    shape = [batch, seq if seq_dim is None else seq_dim, d]
    return save(path, nodes, [("x", shape)], [(x, None)], inits)
