"""Export a zoo of real ONNX networks and count their MACs without hwsim.

Run it with the zoo environment (``.venv-zoo``, the ``zoo`` extra of pyproject.toml; the
default torch wheel brings ~3 GB of CUDA libraries, unused here)::

    python3 -m venv .venv-zoo && .venv-zoo/bin/pip install $(python3 -c "import tomllib; \
        print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['zoo'])")
    .venv-zoo/bin/python scripts/export_zoo.py [--out build/zoo] [--models resnet18 torch_encoder]

Every model is built with random weights (``torch.manual_seed(0)``), batch 1, and written
by both PyTorch exporters: ``<name>.legacy.onnx`` (TorchScript, ``dynamo=False``) and
``<name>.dynamo.onnx`` (``torch.export``, ``dynamo=True``), opset 17 requested.  A failed
export is recorded with its error text in ``manifest.json`` and the run goes on.  Extra
files: dynamic batch (resnet18), dynamic sequence (torch_encoder), onnxruntime QDQ
quantizations (int8 per channel, int8 per tensor, int4).

What counts as a MAC
--------------------
One multiply-accumulate of a dense convolution, fully connected layer or matrix product
(``aten.convolution``, ``mm``, ``addmm``, ``bmm``, scaled-dot-product attention: FLOPs / 2
as ``torch.utils.flop_counter`` counts them).  Bias additions, pooling, normalization,
softmax, activations and other elementwise work are not MACs.  A grouped convolution
counts ``N * K * P * Q * (C / groups) * R * S``.

Outputs per model: ``<name>.macs.json`` with the PyTorch-side total (FlopCounterMode), its
breakdown per aten op, a per-module list from forward hooks (conv geometry, linear sizes,
attention QK^T and AV separately) and, per exported file, the MACs counted from the ONNX
graph alone (shape inference plus node attributes) with the differences explained.
``manifest.json`` lists every file; ``optypes.json`` is the op-type census per file.
"""

from __future__ import annotations

import argparse
import json
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from math import prod
from pathlib import Path
from typing import Any, Callable

import numpy as np
import onnx

OPSET = 17
SEED = 0
MAC_DEFINITION = ("dense conv/linear/matmul multiply-accumulates (FLOPs/2 of aten convolution, mm, addmm, bmm, "
                  "scaled-dot-product attention); no bias, pooling, normalization, softmax or elementwise ops")


# --------------------------------------------------------------------------------------
# The models
# --------------------------------------------------------------------------------------
@dataclass
class Case:
    """One network to export: how to build it and its example input(s).

    Attributes
    ----------
    build
        Returns the ``nn.Module`` in eval mode (called after ``torch.manual_seed(0)``).
    inputs
        Input name -> (shape, dtype name); the example inputs are drawn from seed 0.
    kind
        ``"cnn"`` or ``"transformer"`` (the benchmark adds the attention arch for the latter).
    """

    build: Callable[[], Any]
    inputs: dict[str, tuple[tuple[int, ...], str]]
    kind: str = "cnn"
    outputs: list[str] = field(default_factory=lambda: ["output"])


def _vision(name: str, size: int = 224, kind: str = "cnn", **kwargs: Any) -> Case:
    def build():
        import torchvision

        return getattr(torchvision.models, name)(weights=None, **kwargs).eval()

    return Case(build, {"input": ((1, 3, size, size), "float32")}, kind)


def _torch_encoder():
    """Two ``nn.TransformerEncoderLayer``s, each with its own random weights.

    ``nn.TransformerEncoder`` deep-copies its layer, so at initialization every layer has the
    same weights and both exporters then share one initializer between the layers; the
    layers are re-initialized here so that the file looks like a trained model's.
    """
    import torch

    layer = torch.nn.TransformerEncoderLayer(d_model=256, nhead=4, dim_feedforward=1024, batch_first=True)
    encoder = torch.nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
    for mod in encoder.modules():
        if isinstance(mod, torch.nn.MultiheadAttention):
            mod._reset_parameters()
        elif isinstance(mod, torch.nn.Linear):
            mod.reset_parameters()
    return encoder.eval()


def _hf_bert(direct: bool = False):
    """A small random-init HF ``BertModel``, wrapped to take ``input_ids`` by keyword.

    The wrapper returns (last_hidden_state, pooler_output), as export scripts usually do; the
    bare ``BertModel`` (``direct=True``) is also tried with the legacy exporter.
    """
    import torch
    from transformers import BertConfig, BertModel

    config = BertConfig(num_hidden_layers=2, hidden_size=256, num_attention_heads=4, intermediate_size=1024,
                        max_position_embeddings=512)
    bert = BertModel(config).eval()
    if direct:
        return bert

    class BertOutputs(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.bert = model

        def forward(self, input_ids):
            out = self.bert(input_ids=input_ids)
            return out.last_hidden_state, out.pooler_output

    return BertOutputs(bert).eval()


MODELS: dict[str, Case] = {
    "resnet18": _vision("resnet18"),
    "resnet50": _vision("resnet50"),
    "mobilenet_v2": _vision("mobilenet_v2"),
    "mobilenet_v3_small": _vision("mobilenet_v3_small"),
    "efficientnet_b0": _vision("efficientnet_b0"),
    "squeezenet1_0": _vision("squeezenet1_0"),
    "googlenet": _vision("googlenet", aux_logits=False, init_weights=True),
    "inception_v3": _vision("inception_v3", size=299, aux_logits=False, init_weights=True),
    "vit_b_16": _vision("vit_b_16", kind="transformer"),
    "torch_encoder": Case(_torch_encoder, {"input": ((1, 128, 256), "float32")}, "transformer"),
    "hf_bert": Case(_hf_bert, {"input_ids": ((1, 128), "int64")}, "transformer",
                    ["last_hidden_state", "pooler_output"]),
}

# Extra float exports: (model, file tag, exporter, {input: {axis: name}}).
DYNAMIC = [
    ("resnet18", "legacy-dynbatch", "legacy", {"input": {0: "batch"}}),
    ("resnet18", "dynamo-dynbatch", "dynamo", {"input": {0: "batch"}}),
    ("torch_encoder", "legacy-dynseq", "legacy", {"input": {1: "seq"}}),
    ("torch_encoder", "dynamo-dynseq", "dynamo", {"input": {1: "seq"}}),
]

# onnxruntime QDQ quantizations: (model, source tag, file tag, method, options).
QUANTIZED = [
    ("resnet18", "legacy", "qdq-int8-perchannel", "static", {"per_channel": True, "weight_type": "QInt8"}),
    ("mobilenet_v2", "legacy", "qdq-int8-pertensor", "static", {"per_channel": False, "weight_type": "QInt8"}),
    ("torch_encoder", "legacy", "qdq-int4", "static",
     {"per_channel": True, "weight_type": "QInt4", "op_types_to_quantize": ["MatMul"]}),
    ("torch_encoder", "legacy", "qdq-int4-block32", "matmul_nbits", {"block_size": 32}),
]


def example_inputs(case: Case) -> dict[str, Any]:
    """The example inputs of ``case`` as tensors, from a generator seeded with 0."""
    import torch

    gen = torch.Generator().manual_seed(SEED)
    out = {}
    for name, (shape, dtype) in case.inputs.items():
        if dtype == "int64":
            out[name] = torch.randint(0, 1000, shape, generator=gen, dtype=torch.int64)
        else:
            out[name] = torch.randn(shape, generator=gen)
    return out


def build(case: Case, **kwargs: Any):
    """The module of ``case`` with seed-0 random weights."""
    import torch

    torch.manual_seed(SEED)
    return case.build(**kwargs)


# --------------------------------------------------------------------------------------
# Exporting
# --------------------------------------------------------------------------------------
def export(module, case: Case, path: Path, exporter: str, dynamic: dict | None = None) -> dict[str, Any]:
    """Export ``module`` with one exporter; return the manifest fields (success or the error)."""
    import torch

    inputs = example_inputs(case)
    names = list(case.inputs)
    kwargs: dict[str, Any] = {"input_names": names, "output_names": case.outputs, "opset_version": OPSET}
    if exporter == "legacy":
        kwargs["dynamo"] = False
        if dynamic:
            kwargs["dynamic_axes"] = dynamic
    else:
        kwargs["dynamo"] = True
        if dynamic:
            kwargs["dynamic_shapes"] = tuple(
                {axis: torch.export.Dim(label, min=1, max=4096) for axis, label in dynamic.get(n, {}).items()}
                for n in names)
    start = time.perf_counter()
    try:
        torch.onnx.export(module, tuple(inputs[n] for n in names), str(path), **kwargs)
    except Exception as exc:  # record any exporter failure and go on
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}".strip(),
                "traceback_tail": traceback.format_exc().splitlines()[-6:],
                "seconds": round(time.perf_counter() - start, 2)}
    return {"ok": True, "error": None, "seconds": round(time.perf_counter() - start, 2)}


class _RandomCalibration:
    """onnxruntime calibration reader: ``count`` standard-normal batches from a fixed seed."""

    def __init__(self, inputs: dict[str, tuple[tuple[int, ...], str]], count: int = 8) -> None:
        rng = np.random.default_rng(SEED)
        self._batches = iter([{n: rng.standard_normal(s).astype(np.float32) for n, (s, _) in inputs.items()}
                              for _ in range(count)])

    def get_next(self):
        return next(self._batches, None)

    def rewind(self) -> None:  # pragma: no cover - part of the reader protocol
        pass


def quantize(src: Path, dst: Path, case: Case, method: str, options: dict[str, Any]) -> dict[str, Any]:
    """Quantize ``src`` into a QDQ model with onnxruntime; the manifest fields."""
    from onnxruntime import quantization as q

    start = time.perf_counter()
    try:
        if method == "static":
            opts = dict(options)
            reader = type("Reader", (_RandomCalibration, q.CalibrationDataReader), {})(case.inputs)
            q.quantize_static(str(src), str(dst), reader, quant_format=q.QuantFormat.QDQ,
                              activation_type=q.QuantType.QUInt8, weight_type=getattr(q.QuantType, opts.pop("weight_type")),
                              **opts)
        else:
            from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

            quantizer = MatMulNBitsQuantizer(onnx.load(str(src)), block_size=options["block_size"],
                                             is_symmetric=True, quant_format=q.QuantFormat.QDQ)
            quantizer.process()
            quantizer.model.save_model_to_file(str(dst), use_external_data_format=False)
    except Exception as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}".strip(),
                "traceback_tail": traceback.format_exc().splitlines()[-6:],
                "seconds": round(time.perf_counter() - start, 2)}
    return {"ok": True, "error": None, "seconds": round(time.perf_counter() - start, 2)}


def run_onnxruntime(path: Path, case: Case, reference: list[np.ndarray] | None) -> dict[str, Any]:
    """Run ``path`` once in onnxruntime on the example inputs; max |difference| to PyTorch."""
    import onnxruntime as ort

    try:
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        feeds = {n: t.numpy() for n, t in example_inputs(case).items()}
        outs = session.run(None, feeds)
    except Exception as exc:
        return {"ort_runs": False, "ort_error": f"{type(exc).__name__}: {exc}"[:500]}
    if reference is None or len(reference) != len(outs):
        return {"ort_runs": True}
    diff = max(float(np.max(np.abs(o - r))) for o, r in zip(outs, reference))
    scale = max(float(np.max(np.abs(r))) for r in reference)
    return {"ort_runs": True, "ort_max_abs_diff_vs_torch": diff,
            "ort_max_rel_diff_vs_torch": diff / scale if scale else None}


# --------------------------------------------------------------------------------------
# MACs from PyTorch
# --------------------------------------------------------------------------------------
def _shape(t) -> list[int]:
    return list(t.shape)


def torch_macs(module, case: Case) -> tuple[dict[str, Any], list[np.ndarray]]:
    """Count MACs of one forward pass from the PyTorch side; also return the outputs.

    Two counts from the same pass: ``FlopCounterMode`` (total and per aten op, FLOPs / 2)
    and forward hooks that list every ``nn.Conv2d``, ``nn.Linear``, ``nn.MultiheadAttention``
    and HF ``*SelfAttention`` module with its geometry.  Gradients stay enabled so that
    PyTorch's fused inference fast path of ``nn.MultiheadAttention`` (which the flop counter
    does not see) is not taken.
    """
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    records: dict[str, dict[str, Any]] = {}
    hooks = []

    def conv_hook(name):
        def hook(mod, args, out):
            r, s = mod.kernel_size
            cin = mod.in_channels // mod.groups
            records[name] = {"type": "Conv2d", "kind": "conv", "in_channels": mod.in_channels,
                             "out_channels": mod.out_channels, "groups": mod.groups, "kernel": [r, s],
                             "stride": list(mod.stride), "padding": list(mod.padding),
                             "dilation": list(mod.dilation), "input_shape": _shape(args[0]),
                             "output_shape": _shape(out), "macs": out.numel() * cin * r * s}
        return hook

    def linear_hook(name):
        def hook(mod, args, out):
            rows = args[0].numel() // mod.in_features
            records[name] = {"type": "Linear", "kind": "linear", "in_features": mod.in_features,
                             "out_features": mod.out_features, "input_shape": _shape(args[0]),
                             "output_shape": _shape(out), "macs": rows * mod.in_features * mod.out_features}
        return hook

    def mha_hook(name):
        def hook(mod, args, kwargs, out):
            query = args[0] if args else kwargs["query"]
            key = args[1] if len(args) > 1 else kwargs["key"]
            b, lq, e = query.shape if mod.batch_first else (query.shape[1], query.shape[0], query.shape[2])
            lk = key.shape[1] if mod.batch_first else key.shape[0]
            dh = e // mod.num_heads
            qk = av = b * mod.num_heads * lq * lk * dh
            in_proj = b * (lq + 2 * lk) * e * e
            out_proj = b * lq * e * e
            records[name] = {"type": "MultiheadAttention", "kind": "attention", "heads": mod.num_heads,
                             "embed_dim": e, "batch": b, "len_q": lq, "len_k": lk,
                             "macs_in_proj": in_proj, "macs_out_proj": out_proj, "macs_qk": qk, "macs_av": av,
                             "macs": in_proj + out_proj + qk + av}
        return hook

    def hf_attention_hook(name):
        def hook(mod, args, kwargs, out):
            hidden = args[0] if args else kwargs["hidden_states"]
            b, length, _ = hidden.shape
            heads, dh = mod.num_attention_heads, mod.attention_head_size
            qk = av = b * heads * length * length * dh
            records[name] = {"type": type(mod).__name__, "kind": "attention", "heads": heads, "head_dim": dh,
                             "batch": b, "len_q": length, "len_k": length, "macs_qk": qk, "macs_av": av,
                             "macs": qk + av, "note": "query/key/value/output projections are Linear records"}
        return hook

    for name, mod in module.named_modules():
        if isinstance(mod, torch.nn.Conv2d):
            hooks.append(mod.register_forward_hook(conv_hook(name)))
        elif isinstance(mod, torch.nn.Linear):  # an MHA's out_proj never fires: F.linear is called on its weight
            hooks.append(mod.register_forward_hook(linear_hook(name)))
        elif isinstance(mod, torch.nn.MultiheadAttention):
            hooks.append(mod.register_forward_hook(mha_hook(name), with_kwargs=True))
        elif type(mod).__name__.endswith("SelfAttention") and hasattr(mod, "attention_head_size"):
            hooks.append(mod.register_forward_hook(hf_attention_hook(name), with_kwargs=True))
    inputs = example_inputs(case)
    counter = FlopCounterMode(display=False, depth=None)
    with counter:
        outputs = module(*inputs.values())
    for hook in hooks:
        hook.remove()
    flops = counter.get_flop_counts()
    by_module_fc = {k.partition(".")[2]: sum(v.values()) // 2 for k, v in flops.items() if "." in k}
    for name, rec in records.items():
        rec["flop_counter_macs"] = by_module_fc.get(name)
    by_kind = Counter()
    for rec in records.values():
        if rec["kind"] == "attention":
            by_kind["linear"] += rec.get("macs_in_proj", 0) + rec.get("macs_out_proj", 0)
            by_kind["attention_qk"] += rec["macs_qk"]
            by_kind["attention_av"] += rec["macs_av"]
        else:
            by_kind[rec["kind"]] += rec["macs"]
    total = counter.get_total_flops() // 2
    hooks_total = sum(r["macs"] for r in records.values())
    return {
        "total_macs": total,
        "by_aten_op": {str(op): f // 2 for op, f in flops.get("Global", {}).items()},
        "by_kind": dict(by_kind),
        "hooks_total_macs": hooks_total,
        "hooks_agree_with_flop_counter": hooks_total == total,
        "modules": records,
    }, _flatten_outputs(outputs)


def _flatten_outputs(outputs) -> list[np.ndarray]:
    if isinstance(outputs, (tuple, list)):
        return [o.detach().numpy() for o in outputs]
    return [outputs.detach().numpy()]


# --------------------------------------------------------------------------------------
# MACs from the ONNX graph alone
# --------------------------------------------------------------------------------------
_WEIGHT_PATH_OPS = {"Transpose", "DequantizeLinear", "Identity", "Cast", "Reshape", "Unsqueeze", "Squeeze"}


def onnx_macs(path: Path, input_shapes: dict[str, tuple[int, ...]]) -> dict[str, Any]:
    """Count the MACs of an ONNX file from shape inference and node attributes.

    Symbolic input dims are set to ``input_shapes`` first.  Conv: ``prod(output) * (C/group)
    * prod(kernel)``; Gemm: ``M * N * K``; MatMul (and MatMulInteger): ``prod(output) * K``
    with K the last dim of A; com.microsoft MatMulNBits: rows * N * K from its attributes.
    A MatMul whose B is a constant (an initializer, maybe behind Transpose or
    DequantizeLinear) is ``linear``, one of two activations ``matmul`` (attention).  Nodes
    inside subgraphs or functions are not visited (listed under ``not_counted``).
    """
    model = onnx.load(str(path), load_external_data=False)
    for inp in model.graph.input:
        for dim, value in zip(inp.type.tensor_type.shape.dim, input_shapes.get(inp.name, ())):
            if not dim.HasField("dim_value"):
                dim.dim_value = value
    model, shapes = _infer_shapes(model)
    graph = model.graph
    counted_ops = ("Conv", "ConvInteger", "Gemm", "MatMul", "MatMulInteger")
    wanted = {t for n in graph.node if n.op_type in counted_ops for t in (*n.input[:2], n.output[0])}
    unknown = sorted(t for t in wanted if shapes.get(t) is None or None in shapes[t])
    shape_source = "onnx.shape_inference"
    if unknown:  # a Reshape whose target shape is computed at run time: ask onnxruntime
        shapes.update(_shapes_by_running(path, input_shapes, unknown))
        shape_source += f" + onnxruntime run for {len(unknown)} tensors"
    constants = {t.name for t in graph.initializer}
    producer = {out: node for node in graph.node for out in node.output}
    for node in graph.node:
        if node.op_type == "Constant":
            constants.add(node.output[0])

    def root(name: str) -> str | None:
        """The initializer behind a weight path, or None when the tensor is an activation."""
        while name not in constants:
            node = producer.get(name)
            if node is None or node.op_type not in _WEIGHT_PATH_OPS:
                return None
            name = node.input[0]
        return name

    nodes, not_counted = [], Counter()
    for node in graph.node:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        op = node.op_type if node.domain in ("", "ai.onnx") else f"{node.domain}::{node.op_type}"
        out = shapes.get(node.output[0])
        a = shapes.get(node.input[0]) if node.input else None
        macs, kind = None, None
        if op in ("Conv", "ConvInteger"):
            w = shapes.get(node.input[1])
            kind = "conv"
            if out and w and None not in out and None not in w:
                macs = prod(out) * prod(w[1:])
        elif op in ("Gemm", "MatMul", "MatMulInteger", "com.microsoft::MatMulNBits"):
            weight = root(node.input[1])
            kind = "linear" if weight is not None else "matmul"
            if op == "com.microsoft::MatMulNBits" and a and None not in a:
                macs = prod(a[:-1]) * attrs["N"] * attrs["K"]
            elif op == "Gemm" and out and a and None not in out and None not in a:
                macs = prod(out) * (a[0] if attrs.get("transA", 0) else a[1])
            elif out and a and None not in out and None not in a:
                macs = prod(out) * a[-1]
        elif op in ("ConvTranspose", "QLinearConv", "QLinearMatMul", "com.microsoft::Attention",
                    "com.microsoft::MultiHeadAttention", "Attention", "com.microsoft::FusedMatMul",
                    "Einsum", "If", "Loop", "Scan"):
            not_counted[op] += 1
            continue
        else:
            continue
        nodes.append({"name": node.name, "op": op, "kind": kind, "macs": macs, "output_shape": out,
                      "weight": root(node.input[1]),
                      "scopes": _scopes(node)})
    for function in model.functions:
        not_counted[f"function {function.domain}::{function.name}"] += 1
    by_kind = Counter()
    for n in nodes:
        by_kind[n["kind"]] += n["macs"] or 0
    unknown = [n["name"] for n in nodes if n["macs"] is None]
    return {"total_macs": sum(n["macs"] or 0 for n in nodes), "by_kind": dict(by_kind), "shape_source": shape_source,
            "unknown_shape_nodes": [n["name"] for n in nodes if n["macs"] is None],
            "not_counted": dict(not_counted), "nodes": nodes}


def _dims(value_info) -> tuple | None:
    tt = value_info.type.tensor_type
    if not tt.HasField("shape"):
        return None
    return tuple(d.dim_value if d.HasField("dim_value") else None for d in tt.shape.dim)


def _infer_shapes(model):
    """ONNX shape inference (with data propagation), then every tensor's dims (None: unknown).

    ``com.microsoft`` QuantizeLinear/DequantizeLinear (what onnxruntime writes for int4 below
    opset 21) are unknown to ONNX's inference; their output keeps the input's shape, so it is
    declared and inference runs again.
    """
    def run(m):
        try:
            return onnx.shape_inference.infer_shapes(m, data_prop=True)
        except Exception:  # data propagation is best effort
            return onnx.shape_inference.infer_shapes(m)

    def table(m):
        dims = {vi.name: _dims(vi) for vi in (*m.graph.input, *m.graph.value_info, *m.graph.output)}
        dims.update({t.name: tuple(t.dims) for t in m.graph.initializer})
        for node in m.graph.node:
            if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
                dims[node.output[0]] = tuple(node.attribute[0].t.dims)
        return dims

    model = run(model)
    shapes = table(model)
    for _ in range(len(model.graph.node)):  # a chain Q -> DQ -> Transpose -> ... needs a round per link
        added = False
        for node in model.graph.node:
            if node.domain == "com.microsoft" and node.op_type in ("QuantizeLinear", "DequantizeLinear"):
                if shapes.get(node.input[0]) is not None and shapes.get(node.output[0]) is None:
                    elem = onnx.TensorProto.FLOAT if node.op_type == "DequantizeLinear" else onnx.TensorProto.INT8
                    model.graph.value_info.append(
                        onnx.helper.make_tensor_value_info(node.output[0], elem, list(shapes[node.input[0]])))
                    added = True
        if not added:
            break
        model = run(model)
        shapes = table(model)
    return model, shapes


def _shapes_by_running(path: Path, input_shapes: dict[str, tuple[int, ...]], names: list[str]) -> dict[str, tuple]:
    """The shapes of ``names`` from one onnxruntime run on zeros (all graph optimizations off)."""
    import onnxruntime as ort

    model = onnx.load(str(path))
    kinds = {i.name: i.type.tensor_type.elem_type for i in model.graph.input}
    present = {o.name for o in model.graph.output}
    model.graph.output.extend(onnx.ValueInfoProto(name=n) for n in names if n not in present)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    feeds = {n: np.zeros(s, dtype=onnx.helper.tensor_dtype_to_np_dtype(kinds[n])) for n, s in input_shapes.items()}
    outputs = session.run(names, feeds)
    return {n: tuple(o.shape) for n, o in zip(names, outputs)}


def _scopes(node) -> list[str] | None:
    """The module scopes the dynamo exporter stores in ``pkg.torch.onnx.name_scopes``."""
    for prop in node.metadata_props:
        if prop.key == "pkg.torch.onnx.name_scopes":
            return [s.strip(" '\"") for s in prop.value.strip("[]").split(",")]
    return None


def module_of(node: dict[str, Any], modules: dict[str, Any]) -> str | None:
    """The PyTorch module a counted ONNX node belongs to, when its names tell.

    Tried in order: the weight initializer's name (``layer1.0.conv1.weight``), the legacy
    exporter's scope path in the node name (``/layer1/layer1.0/conv1/Conv``), the dynamo
    exporter's ``name_scopes`` metadata.  The deepest ancestor that has a record wins (the
    out-projection of ``nn.MultiheadAttention`` is counted in its parent).
    """
    candidates = []
    if node["weight"] and "." in node["weight"]:
        candidates.append(node["weight"].rsplit(".", 1)[0])
    for segments in (node["name"].strip("/").split("/")[:-1] if node["name"].startswith("/") else [],
                     (node["scopes"] or [])[1:]):
        path = ""
        for seg in segments:  # a Sequential child is scoped "<parent>.<index>" ("layer1.0", "downsample.0")
            head, _, tail = seg.rpartition(".")
            if not path:
                path = seg
            elif head and (path == head or path.endswith("." + head)):
                path = f"{path}.{tail}"
            else:
                path = f"{path}.{seg}"
        if path:
            candidates.append(path)
    for cand in candidates:
        parts = cand.split(".")
        for depth in range(len(parts), 0, -1):
            name = ".".join(parts[:depth])
            if name in modules:
                return name
    return None


def compare_counts(reference: dict[str, Any], counted: dict[str, Any]) -> dict[str, Any]:
    """Where the ONNX-side count differs from the PyTorch one: per kind and per module."""
    ref_kind = reference["by_kind"]
    torch_kinds = {"conv": ref_kind.get("conv", 0), "linear": ref_kind.get("linear", 0),
                   "matmul": ref_kind.get("attention_qk", 0) + ref_kind.get("attention_av", 0)}
    per_kind = {k: {"torch": v, "onnx": counted["by_kind"].get(k, 0)} for k, v in torch_kinds.items()}
    modules = reference["modules"]
    onnx_by_module: Counter = Counter()
    unmatched = []
    for node in counted["nodes"]:
        name = module_of(node, modules)
        if name is None:
            unmatched.append(node["name"])
        else:
            onnx_by_module[name] += node["macs"] or 0
    mismatched = {name: {"torch": modules[name]["macs"], "onnx": macs}
                  for name, macs in onnx_by_module.items() if modules[name]["macs"] != macs}
    return {"torch_total": reference["total_macs"], "onnx_total": counted["total_macs"],
            "equal": reference["total_macs"] == counted["total_macs"], "per_kind": per_kind,
            "modules_matched": len(onnx_by_module), "modules_in_torch": len(modules),
            "modules_mismatched": mismatched, "nodes_unmatched": unmatched}


def census(path: Path) -> dict[str, Any]:
    """Op types (domain-qualified when not the default domain), opsets, symbolic input dims."""
    model = onnx.load(str(path), load_external_data=False)
    ops = Counter(n.op_type if n.domain in ("", "ai.onnx") else f"{n.domain}::{n.op_type}" for n in model.graph.node)
    inputs = {i.name: [d.dim_value if d.HasField("dim_value") else d.dim_param for d in i.type.tensor_type.shape.dim]
              for i in model.graph.input}
    return {"ops": dict(sorted(ops.items())), "opsets": {o.domain or "ai.onnx": o.version for o in model.opset_import},
            "inputs": inputs, "functions": [f.name for f in model.functions],
            "external_data": any(t.data_location == onnx.TensorProto.EXTERNAL for t in model.graph.initializer)}


# --------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("build/zoo"), help="output folder (default build/zoo)")
    parser.add_argument("--models", nargs="+", choices=sorted(MODELS), help="only these models")
    args = parser.parse_args(argv)
    out_dir: Path = args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    names = args.models or list(MODELS)
    manifest: list[dict[str, Any]] = []
    optypes: dict[str, Any] = {}
    refs: dict[str, tuple[dict, list]] = {}

    def finish(entry: dict[str, Any], case: Case, name: str) -> None:
        path = out_dir / entry["path"]
        if entry["ok"]:
            info = census(path)
            optypes[entry["path"]] = info
            entry["opset"] = info["opsets"].get("ai.onnx")
            entry["symbolic_inputs"] = {k: v for k, v in info["inputs"].items() if any(isinstance(d, str) for d in v)}
            entry["external_data"] = info["external_data"]
            entry.update(run_onnxruntime(path, case, refs[name][1]))
            counted = onnx_macs(path, {k: s for k, (s, _) in case.inputs.items()})
            entry["onnx_macs"] = counted["total_macs"]
            entry["onnx_check"] = compare_counts(refs[name][0], counted)
            (out_dir / f"{path.stem}.onnxmacs.json").write_text(json.dumps(counted, indent=1))
        entry["torch_macs"] = refs[name][0]["total_macs"]
        manifest.append(entry)
        status = "ok" if entry["ok"] else f"FAILED: {entry['error'].splitlines()[0][:160]}"
        print(f"[zoo] {entry['path']}: {status} ({entry['seconds']} s)", flush=True)

    for name in names:
        case = MODELS[name]
        reference, outputs = torch_macs(build(case), case)
        refs[name] = (reference, outputs)
        inputs = {k: list(s) for k, (s, _) in case.inputs.items()}
        (out_dir / f"{name}.macs.json").write_text(json.dumps(
            {"model": name, "inputs": inputs, "definition": MAC_DEFINITION, **reference}, indent=1))
        print(f"[zoo] {name}: {reference['total_macs']:,} MACs (torch)", flush=True)
        # (file tag, exporter, extra manifest fields, how to make the file)
        jobs = [(ex, ex, {}, lambda path, ex=ex: export(build(case), case, path, ex)) for ex in ("legacy", "dynamo")]
        if name == "hf_bert":  # the bare BertModel, called positionally as the legacy exporter does
            jobs.append(("legacy-direct", "legacy", {"note": "BertModel itself, not the keyword wrapper"},
                         lambda path: export(build(case, direct=True), case, path, "legacy")))
        jobs += [(tag, ex, {"dynamic_axes": axes}, lambda path, ex=ex, axes=axes: export(build(case), case, path, ex, axes))
                 for model, tag, ex, axes in DYNAMIC if model == name]
        for model, source, tag, method, options in QUANTIZED:
            if model != name:
                continue
            src = out_dir / f"{name}.{source}.onnx"
            jobs.append((tag, f"ort-{method}", {"source": src.name, "quantization": {"method": method, **options}},
                         lambda path, src=src, method=method, options=options:
                         quantize(src, path, case, method, options)
                         if any(e["path"] == src.name and e["ok"] for e in manifest) else
                         {"ok": False, "error": f"source {src.name} was not exported", "seconds": 0.0}))
        for tag, exporter, extra, make in jobs:
            file = f"{name}.{tag}.onnx"
            entry = {"model": name, "exporter": exporter, "path": file, "kind": case.kind, "opset_requested": OPSET,
                     "inputs": inputs, "dynamic_axes": None, **extra}
            entry.update(make(out_dir / file))
            finish(entry, case, name)
    _merge_json(out_dir / "manifest.json", manifest, key="path")
    _merge_json(out_dir / "optypes.json", optypes)
    failed = [e["path"] for e in manifest if not e["ok"]]
    print(f"[zoo] {len(manifest) - len(failed)} files written, {len(failed)} failed: {failed}")
    return 0


def _merge_json(path: Path, new: Any, key: str | None = None) -> None:
    """Write ``new`` into ``path``, keeping entries of other models from an earlier run."""
    old = json.loads(path.read_text()) if path.exists() else ([] if key else {})
    if key:
        fresh = {e[key] for e in new}
        merged = [e for e in old if e[key] not in fresh] + new
    else:
        merged = {**old, **new}
    path.write_text(json.dumps(merged, indent=1))


if __name__ == "__main__":
    raise SystemExit(main())
