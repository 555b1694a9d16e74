"""Lower the nodes of a prepared ONNX graph to hwsim layers, one operator table.

Every node that computes becomes a layer or is counted as fused into one: nothing is
dropped silently.  Products (Conv, ConvTranspose, Gemm, MatMul) become conv, linear or
matmul layers on canonical dims with every attribute read (per-axis strides, four-sided
pads, dilations, groups, ``auto_pad``, ``ceil_mode``) and their output sizes checked against
ONNX shape inference; pooling and residual adds keep their kinds; everything else that
touches elements is a vector layer.  Views (Reshape, Flatten, Squeeze, ...) and activation
quantizers only pass a tensor on; biases and batch norms that directly follow a product are
fused into it (the report counts them), as every inference flow folds them.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Callable

import numpy as np

from hwsim.errors import WorkloadError
from hwsim.workload.layers import GEMM_KINDS, Layer, LayerKind, Quant, QuantKind
from hwsim.workload.onnx.graph import PreparedGraph
from hwsim.workload.onnx.options import OnnxOptions
from hwsim.workload.onnx.weights import (WeightTensor, activation_bits, dequantize_linear_weight, float_weight,
                                          qonnx_bits, qonnx_weight)
from hwsim.workload.vector_ops import VectorOp

# Element-wise operators and what a vector unit does for them (elements: the output's).
ELEMENTWISE: dict[str, VectorOp] = {
    "Relu": VectorOp.RELU, "Clip": VectorOp.CLIP, "LeakyRelu": VectorOp.LEAKY_RELU, "Sub": VectorOp.SUB,
    "Mul": VectorOp.MUL, "Div": VectorOp.DIV, "Neg": VectorOp.NEG, "Abs": VectorOp.ABS, "Exp": VectorOp.EXP,
    "Sqrt": VectorOp.SQRT, "Pow": VectorOp.POW, "Reciprocal": VectorOp.RECIPROCAL, "Erf": VectorOp.ERF,
    "Tanh": VectorOp.TANH, "Sigmoid": VectorOp.SIGMOID, "HardSigmoid": VectorOp.HARD_SIGMOID,
    "HardSwish": VectorOp.HARD_SWISH, "Gelu": VectorOp.GELU, "Softmax": VectorOp.SOFTMAX,
    "LogSoftmax": VectorOp.SOFTMAX, "LayerNormalization": VectorOp.LAYER_NORM,
    "InstanceNormalization": VectorOp.LAYER_NORM, "GroupNormalization": VectorOp.LAYER_NORM,
    "Concat": VectorOp.CONCAT, "Slice": VectorOp.SLICE, "Transpose": VectorOp.TRANSPOSE,
    "Pad": VectorOp.PAD, "Resize": VectorOp.RESIZE, "Upsample": VectorOp.RESIZE, "Where": VectorOp.SELECT,
    "Equal": VectorOp.COMPARE, "Less": VectorOp.COMPARE, "Greater": VectorOp.COMPARE,
    "LessOrEqual": VectorOp.COMPARE, "GreaterOrEqual": VectorOp.COMPARE, "Max": VectorOp.REDUCE_MAX,
    "Min": VectorOp.REDUCE_MAX, "Softplus": VectorOp.EXP, "Floor": VectorOp.ROUND, "Ceil": VectorOp.ROUND,
    "Round": VectorOp.ROUND, "Mod": VectorOp.DIV, "Sign": VectorOp.COMPARE, "IsNaN": VectorOp.COMPARE,
    "IsInf": VectorOp.COMPARE, "Not": VectorOp.COMPARE, "And": VectorOp.COMPARE, "Or": VectorOp.COMPARE,
    "Xor": VectorOp.COMPARE,
}
# Reductions: elements are the input's.
REDUCTIONS: dict[str, VectorOp] = {
    "ReduceMean": VectorOp.REDUCE_MEAN, "ReduceSum": VectorOp.REDUCE_SUM, "ReduceMax": VectorOp.REDUCE_MAX,
    "ReduceMin": VectorOp.REDUCE_MAX, "ReduceL2": VectorOp.REDUCE_SUM, "Split": VectorOp.SPLIT,
    "ArgMax": VectorOp.REDUCE_MAX, "CumSum": VectorOp.REDUCE_SUM,
}
# Operators that only pass their first input on (views, casts, inference no-ops).
VIEWS = frozenset({"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Dropout", "Cast", "CastLike",
                   "Expand"})
CONTROL_FLOW = frozenset({"If", "Loop", "Scan"})
# Operators that may re-lay out stored weights before a product reads them.
WEIGHT_LAYOUT = frozenset({"Transpose", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Slice", "Split",
                           "Gather", "Concat", "Cast", "Expand"})


class Lowering:
    """Walks the nodes once, tracking which layer produced each tensor and how wide it is."""

    def __init__(self, graph: PreparedGraph, options: OnnxOptions) -> None:
        self.g, self.options = graph, options
        self.producer: dict[str, str] = {inp.name: "" for inp in graph.inputs}
        self.bits: dict[str, int] = {}
        self.weight_of: dict[str, WeightTensor] = {}
        self.layers: list[Layer] = []
        self.weights: dict[str, np.ndarray] = {}
        self.fused: Counter[str] = Counter()
        self._names: set[str] = set()
        self.float_bits = 32
        self._handlers: dict[str, Callable] = {
            "Conv": self._conv, "ConvTranspose": self._conv_transpose, "Gemm": self._gemm, "MatMul": self._matmul,
            "MaxPool": self._pool, "AveragePool": self._pool, "GlobalAveragePool": self._global_pool,
            "GlobalMaxPool": self._global_pool, "Add": self._add, "Sum": self._add,
            "BatchNormalization": self._batch_norm, "QuantizeLinear": self._quantize_linear,
            "DequantizeLinear": self._dequantize_linear, "Quant": self._qonnx, "BipolarQuant": self._qonnx,
            "Gather": self._gather,
        }

    # ----------------------------------------------------------------- dispatch
    def run(self) -> None:
        for index, node in enumerate(self.g.nodes):
            op = node.op_type
            name = self._unique(node.name or f"{op.lower()}_{index}")
            where = f"{self.g.path}: node '{name}' ({op})"
            if self._on_weights_only(node):
                self._weight_layout(node, where)
            elif op in self._handlers:
                self._handlers[op](node, name, where)
            elif op in REDUCTIONS and self._is_activation(node.input[0]):
                self._reduce(node, name, where)
            elif op in ELEMENTWISE:
                self._elementwise(node, name, where, ELEMENTWISE[op])
            elif op in VIEWS:
                self._view(node, where)
            elif op in CONTROL_FLOW:
                raise WorkloadError(f"{where}: control flow is not supported: export the model with static "
                                    "shapes and no data-dependent branches or loops")
            else:
                raise WorkloadError(f"{where}: operator not supported by the importer (hwsim reads products, "
                                    "pooling, element-wise, normalization and layout operators; see docs/onnx.md)")

    # ----------------------------------------------------------------- weights re-laid out
    def _on_weights_only(self, node) -> bool:
        """True when a node reads stored weights and constants only (a quantized weight re-laid out)."""
        live = [t for t in node.input if t]
        return (any(t in self.weight_of for t in live) and not any(self._is_activation(t) for t in live)
                and node.op_type not in ("MatMul", "Gemm", "Conv", "ConvTranspose"))

    def _weight_layout(self, node, where: str) -> None:
        """Apply a layout operator to weights (ONNX's reference operator on the stored values)."""
        if node.op_type not in WEIGHT_LAYOUT:
            raise WorkloadError(f"{where}: arithmetic on quantized weights is not supported (only "
                                f"{', '.join(sorted(WEIGHT_LAYOUT))} may re-lay them out)")
        from onnx.reference import ReferenceEvaluator

        first = next(t for t in node.input if t in self.weight_of)
        feeds = {t: (self.weight_of[t].values if t in self.weight_of else self.g.consts[t]) for t in node.input if t}
        outputs = ReferenceEvaluator(node, opsets={"": self.g.opset}).run(None, feeds)
        for name, value in zip(node.output, outputs):
            self.weight_of[name] = self.weight_of[first].transformed(np.asarray(value))

    # ----------------------------------------------------------------- tensors
    def _unique(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self._names:
            n += 1
            candidate = f"{name}#{n}"
        self._names.add(candidate)
        return candidate

    def _is_activation(self, tensor: str) -> bool:
        return tensor in self.producer

    def _activation(self, tensor: str, where: str) -> tuple[tuple[int, ...], str]:
        if tensor not in self.producer:
            raise WorkloadError(f"{where}: input '{tensor}' is neither a network input nor computed earlier")
        return self.g.shape(tensor, where), self.producer[tensor]

    def _act_bits(self, tensor: str) -> int:
        if tensor in self.bits:
            return self.bits[tensor]
        if self.options.act_bits is not None:
            return self.options.act_bits
        return 8 if self.options.quantize is not None else self.float_bits

    def _weight(self, tensor: str, where: str) -> WeightTensor:
        if tensor in self.weight_of:
            return self.weight_of[tensor]
        if tensor in self.g.consts:
            value = self.g.consts[tensor]
            if not np.issubdtype(value.dtype, np.floating):
                raise WorkloadError(f"{where}: weight '{tensor}' holds {value.dtype} values without a "
                                    "DequantizeLinear: expected floats or a QDQ/QONNX quantizer")
            weight = float_weight(value, self.options.quantize)
            if weight.quant.kind is QuantKind.FLOAT:
                self.float_bits = weight.quant.bits
            self.weight_of[tensor] = weight
            return weight
        raise WorkloadError(f"{where}: weight '{tensor}' is not a constant (a product of two activations is "
                            "read as a matmul only for MatMul and Gemm)")

    def _emit(self, layer: Layer, outputs, weights: np.ndarray | None = None) -> None:
        self.layers.append(layer)
        if weights is not None:
            self.weights[layer.name] = weights
        for out in outputs:
            if out:
                self.producer[out] = layer.name

    def _pass(self, src: str, dst: str) -> None:
        self.producer[dst] = self.producer[src]
        if src in self.bits:
            self.bits[dst] = self.bits[src]

    def _sources(self, tensors, where: str) -> tuple[str, ...]:
        out: list[str] = []
        for t in tensors:
            if t and self._is_activation(t):
                src = self.producer[t]
                if src not in out:
                    out.append(src)
        if not out:
            raise WorkloadError(f"{where}: no input is computed by the network")
        return tuple(out)

    def _check_shape(self, computed: tuple[int, ...], tensor: str, where: str, what: str) -> None:
        inferred = self.g.shapes.get(tensor)
        if inferred is not None and tuple(inferred) != tuple(computed):
            raise WorkloadError(f"{where}: {what} gives output shape {computed}, ONNX shape inference "
                                f"gives {inferred}")

    # ----------------------------------------------------------------- products
    def _window_attrs(self, node, spatial: int, in_hw: tuple[int, ...], kernel: tuple[int, ...], where: str):
        attrs = {a.name: a for a in node.attribute}
        strides = tuple(attrs["strides"].ints) if "strides" in attrs else (1,) * spatial
        dilations = tuple(attrs["dilations"].ints) if "dilations" in attrs else (1,) * spatial
        auto_pad = attrs["auto_pad"].s.decode() if "auto_pad" in attrs else "NOTSET"
        if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            pads_begin, pads_end = [], []
            for size, k, s, d in zip(in_hw, kernel, strides, dilations):
                total = max((math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size, 0)
                small, big = total // 2, total - total // 2
                pads_begin.append(big if auto_pad == "SAME_LOWER" else small)
                pads_end.append(small if auto_pad == "SAME_LOWER" else big)
            pads = tuple(pads_begin) + tuple(pads_end)
        elif auto_pad == "VALID":
            pads = (0,) * (2 * spatial)
        elif auto_pad == "NOTSET":
            pads = tuple(attrs["pads"].ints) if "pads" in attrs else (0,) * (2 * spatial)
        else:
            raise WorkloadError(f"{where}: auto_pad = '{auto_pad}' is not an ONNX value")
        ceil_mode = bool(attrs["ceil_mode"].i) if "ceil_mode" in attrs else False
        return strides, pads, dilations, ceil_mode

    @staticmethod
    def _out_size(size: int, k: int, s: int, d: int, begin: int, end: int, ceil_mode: bool) -> int:
        span = size + begin + end - ((k - 1) * d + 1)
        out = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (out - 1) * s >= size + begin:  # ONNX: the last window must start inside
            out -= 1
        return out

    @staticmethod
    def _as_2d(strides, pads, dilations, spatial: int):
        """Per-axis attributes of a 1-D or 2-D window as (rows, cols) and (top, left, bottom, right)."""
        if spatial == 1:
            return (1, strides[0]), (0, pads[0], 0, pads[1]), (1, dilations[0])
        return (strides[0], strides[1]), (pads[0], pads[1], pads[2], pads[3]), (dilations[0], dilations[1])

    def _conv(self, node, name: str, where: str) -> None:
        shape, src = self._activation(node.input[0], where)
        spatial = len(shape) - 2
        if spatial not in (1, 2):
            raise WorkloadError(f"{where}: {spatial}-D convolution is not supported (1-D and 2-D are)")
        weight = self._weight(node.input[1], where)
        attrs = {a.name: a for a in node.attribute}
        groups = attrs["group"].i if "group" in attrs else 1
        w = weight.values if spatial == 2 else weight.values.reshape(weight.values.shape[:2] + (1,) + weight.values.shape[2:])
        k_out, c_group = int(w.shape[0]), int(w.shape[1])
        n, c = shape[0], shape[1]
        if c_group * groups != c or k_out % groups:
            raise WorkloadError(f"{where}: weight shape {tuple(weight.values.shape)} with group = {groups} does not "
                                f"fit {c} input channels")
        kernel = tuple(int(v) for v in weight.values.shape[2:])
        strides, pads, dilations, _ = self._window_attrs(node, spatial, shape[2:], kernel, where)
        out_hw = tuple(self._out_size(shape[2 + i], kernel[i], strides[i], dilations[i], pads[i], pads[spatial + i],
                                      False) for i in range(spatial))
        self._check_shape((n, k_out) + out_hw, node.output[0], where, "its strides, pads and dilations")
        (p, q) = (1, out_hw[0]) if spatial == 1 else out_hw
        r, s = (1, kernel[0]) if spatial == 1 else kernel
        stride, padding, dilation = self._as_2d(strides, pads, dilations, spatial)
        if len(node.input) > 2 and node.input[2]:
            self.fused["Conv bias"] += 1
        layer = Layer(name, LayerKind.CONV, n, k_out // groups, c_group, p, q, r, s, stride, padding, (src,),
                      self._act_bits(node.input[0]), weight.quant, G=groups, dilation=dilation)
        self._emit(layer, node.output, w)

    def _conv_transpose(self, node, name: str, where: str) -> None:
        """Every input pixel scatters a kernel into the output: MACs = N * G * K * C * H_in * W_in * R * S."""
        shape, src = self._activation(node.input[0], where)
        if len(shape) != 4:
            raise WorkloadError(f"{where}: only 2-D transposed convolutions are supported, input shape {shape}")
        weight = self._weight(node.input[1], where)
        attrs = {a.name: a for a in node.attribute}
        groups = attrs["group"].i if "group" in attrs else 1
        c_in, k_group, r, s = (int(v) for v in weight.values.shape)
        if c_in != shape[1] or c_in % groups:
            raise WorkloadError(f"{where}: weight shape {tuple(weight.values.shape)} with group = {groups} does not "
                                f"fit {shape[1]} input channels")
        c_group = c_in // groups
        w = weight.values.reshape(groups, c_group, k_group, r, s).transpose(0, 2, 1, 3, 4).reshape(
            groups * k_group, c_group, r, s)
        layer = Layer(name, LayerKind.CONV, shape[0], k_group, c_group, shape[2], shape[3], r, s, 1, 0, (src,),
                      self._act_bits(node.input[0]), weight.quant, G=groups)
        self._emit(layer, node.output, w)

    def _gemm(self, node, name: str, where: str) -> None:
        attrs = {a.name: a for a in node.attribute}
        trans_a = bool(attrs["transA"].i) if "transA" in attrs else False
        trans_b = bool(attrs["transB"].i) if "transB" in attrs else False
        if len(node.input) > 2 and node.input[2]:
            self.fused["Gemm bias"] += 1
        self._product(node, name, where, trans_a, trans_b)

    def _matmul(self, node, name: str, where: str) -> None:
        self._product(node, name, where, False, False)

    def _product(self, node, name: str, where: str, trans_a: bool, trans_b: bool) -> None:
        a_name, b_name = node.input[0], node.input[1]
        a_act, b_act = self._is_activation(a_name), self._is_activation(b_name)
        if a_act and b_act:
            self._matmul_of_activations(node, name, where, trans_a, trans_b)
            return
        if not a_act and not b_act:
            raise WorkloadError(f"{where}: both operands are constants (nothing of the network flows through it)")
        act, const = (a_name, b_name) if a_act else (b_name, a_name)
        shape, src = self._activation(act, where)
        weight = self._weight(const, where)
        w = weight.values
        if w.ndim == 1:
            w = w.reshape(-1, 1) if a_act else w.reshape(1, -1)
        if w.ndim != 2:
            raise WorkloadError(f"{where}: a constant operand of shape {tuple(w.shape)} is not a weight matrix")
        if a_act:  # y = x @ W: W is (C, K), or (K, C) transposed
            w2 = w if trans_b else w.T  # (K, C)
            x_shape = shape if not trans_a else shape[:-2] + (shape[-1], shape[-2])
            rows, c = math.prod(x_shape[:-1]), x_shape[-1]
        else:  # y = W @ x: W is (K, C), x is (..., C, M): every column of x is a token
            w2 = w.T if trans_a else w
            x_shape = shape if not trans_b else shape[:-2] + (shape[-1], shape[-2])
            if len(x_shape) < 2:
                raise WorkloadError(f"{where}: activation shape {shape} cannot be a right operand")
            rows, c = math.prod(x_shape[:-2]) * x_shape[-1], x_shape[-2]
        k = int(w2.shape[0])
        if w2.shape[1] != c:
            raise WorkloadError(f"{where}: weight shape {tuple(weight.values.shape)} does not fit {c} inputs")
        layer = Layer(name, LayerKind.LINEAR, rows, k, c, 1, 1, 1, 1, 1, 0, (src,), self._act_bits(act), weight.quant)
        self._emit(layer, node.output, w2.reshape(k, c, 1, 1))

    def _matmul_of_activations(self, node, name: str, where: str, trans_a: bool, trans_b: bool) -> None:
        a_shape, _ = self._activation(node.input[0], where)
        b_shape, _ = self._activation(node.input[1], where)
        a = (1,) + a_shape if len(a_shape) == 1 else a_shape
        b = b_shape + (1,) if len(b_shape) == 1 else b_shape
        if trans_a:
            a = a[:-2] + (a[-1], a[-2])
        if trans_b:
            b = b[:-2] + (b[-1], b[-2])
        if a[-1] != b[-2]:
            raise WorkloadError(f"{where}: operand shapes {a_shape} and {b_shape} do not multiply")
        try:
            batch = np.broadcast_shapes(a[:-2], b[:-2])
        except ValueError:
            raise WorkloadError(f"{where}: batch dims of {a_shape} and {b_shape} do not broadcast") from None
        bits = max(self._act_bits(node.input[0]), self._act_bits(node.input[1]))
        quant = Quant(QuantKind.FLOAT, self.float_bits) if bits > 16 else Quant(QuantKind.INT, bits)
        layer = Layer(name, LayerKind.MATMUL, 1, b[-1], a[-1], a[-2], 1, 1, 1, 1, 0,
                      self._sources(node.input[:2], where), bits, quant, G=math.prod(batch))
        self._emit(layer, node.output)

    # ----------------------------------------------------------------- pooling and adds
    def _pool(self, node, name: str, where: str) -> None:
        shape, src = self._activation(node.input[0], where)
        if len(shape) != 4:
            raise WorkloadError(f"{where}: only 2-D pooling is supported, input shape {shape}")
        attrs = {a.name: a for a in node.attribute}
        kernel = tuple(attrs["kernel_shape"].ints)
        strides, pads, dilations, ceil_mode = self._window_attrs(node, 2, shape[2:], kernel, where)
        out_hw = tuple(self._out_size(shape[2 + i], kernel[i], strides[i], dilations[i], pads[i], pads[2 + i],
                                      ceil_mode) for i in range(2))
        self._check_shape(shape[:2] + out_hw, node.output[0], where, "its strides, pads, dilations and ceil_mode")
        kind = LayerKind.MAXPOOL if node.op_type == "MaxPool" else LayerKind.AVGPOOL
        n, c = shape[0], shape[1]
        layer = Layer(name, kind, n, c, c, out_hw[0], out_hw[1], kernel[0], kernel[1], strides, pads, (src,),
                      self._act_bits(node.input[0]), None, dilation=dilations)
        self._emit(layer, node.output[:1])

    def _global_pool(self, node, name: str, where: str) -> None:
        shape, src = self._activation(node.input[0], where)
        if len(shape) != 4:
            raise WorkloadError(f"{where}: only 2-D pooling is supported, input shape {shape}")
        kind = LayerKind.MAXPOOL if node.op_type == "GlobalMaxPool" else LayerKind.AVGPOOL
        n, c, h, w = shape
        layer = Layer(name, kind, n, c, c, 1, 1, h, w, 1, 0, (src,), self._act_bits(node.input[0]), None)
        self._emit(layer, node.output)

    def _add(self, node, name: str, where: str) -> None:
        live = [t for t in node.input if t and self._is_activation(t)]
        if not live:
            raise WorkloadError(f"{where}: no input is computed by the network")
        out_shape = self.g.shape(node.output[0], where)
        if len(live) == 1:
            producer = self.producer[live[0]]
            made = next((layer for layer in reversed(self.layers) if layer.name == producer), None)
            if made is not None and made.kind in GEMM_KINDS and self.g.shape(live[0], where) == out_shape:
                self.fused["Add (bias of a product)"] += 1
                self._pass(live[0], node.output[0])
                return
            self._vector(name, VectorOp.ADD, math.prod(out_shape), node, where)
            return
        shapes = {self.g.shape(t, where) for t in live}
        if len(shapes) != 1:  # broadcasting: an element-wise add on the output
            self._vector(name, VectorOp.ADD, math.prod(out_shape), node, where)
            return
        n, k, p, q = self._nkpq(out_shape)
        layer = Layer(name, LayerKind.ADD, n, k, k, p, q, 1, 1, 1, 0, self._sources(live, where),
                      max(self._act_bits(t) for t in live), None)
        self._emit(layer, node.output)

    @staticmethod
    def _nkpq(shape: tuple[int, ...]) -> tuple[int, int, int, int]:
        """(N, channels, rows, cols) of an NCHW tensor; other ranks: (first dim, the rest, 1, 1)."""
        if len(shape) == 4:
            return shape  # type: ignore[return-value]
        if len(shape) <= 1:
            return 1, math.prod(shape), 1, 1
        return shape[0], math.prod(shape[1:]), 1, 1

    def _batch_norm(self, node, name: str, where: str) -> None:
        shape, _ = self._activation(node.input[0], where)
        producer = self.producer[node.input[0]]
        made = next((layer for layer in reversed(self.layers) if layer.name == producer), None)
        if made is not None and made.kind is LayerKind.CONV:
            self.fused["BatchNormalization (folded into the convolution)"] += 1
            self._pass(node.input[0], node.output[0])
            return
        self._vector(name, VectorOp.BATCH_NORM, math.prod(shape), node, where)

    # ----------------------------------------------------------------- vector layers
    def _vector(self, name: str, op: VectorOp, elements: int, node, where: str, outputs=None) -> None:
        layer = Layer(name, LayerKind.VECTOR, 1, elements, elements, 1, 1, 1, 1, 1, 0,
                      self._sources(node.input, where), self._act_bits(node.input[0]), None, vector_op=op)
        self._emit(layer, node.output if outputs is None else outputs)

    def _elementwise(self, node, name: str, where: str, op: VectorOp) -> None:
        out_shape = self.g.shape(node.output[0], where)
        self._vector(name, op, math.prod(out_shape), node, where)

    def _reduce(self, node, name: str, where: str) -> None:
        shape, src = self._activation(node.input[0], where)
        op = node.op_type
        axes = self._axes(node)
        if op in ("ReduceMean", "ReduceMax") and len(shape) == 4 and axes is not None and \
                sorted(a % 4 for a in axes) == [2, 3]:
            # a global pooling written as a reduction (today's exporter does this for adaptive pools)
            kind = LayerKind.AVGPOOL if op == "ReduceMean" else LayerKind.MAXPOOL
            n, c, h, w = shape
            layer = Layer(name, kind, n, c, c, 1, 1, h, w, 1, 0, (src,), self._act_bits(node.input[0]), None)
            self._emit(layer, node.output)
            return
        self._vector(name, REDUCTIONS[op], math.prod(shape), node, where)

    def _axes(self, node) -> tuple[int, ...] | None:
        attrs = {a.name: a for a in node.attribute}
        if "axes" in attrs:
            return tuple(attrs["axes"].ints)
        if len(node.input) > 1 and node.input[1] in self.g.consts:
            return tuple(int(v) for v in np.asarray(self.g.consts[node.input[1]]).reshape(-1))
        return None

    def _gather(self, node, name: str, where: str) -> None:
        data, indices = node.input[0], node.input[1]
        if not self._is_activation(data) and not self._is_activation(indices):
            raise WorkloadError(f"{where}: both inputs are constants")
        self._elementwise(node, name, where, VectorOp.GATHER)


    # ----------------------------------------------------------------- views and quantizers
    def _view(self, node, where: str) -> None:
        src = node.input[0]
        if not self._is_activation(src):
            raise WorkloadError(f"{where}: input '{src}' is neither a network input nor computed earlier")
        if node.op_type not in ("Identity", "Dropout", "Cast", "CastLike"):
            self.g.shape(node.output[0], where)  # the view must have a known shape
        self._pass(src, node.output[0])

    def _quantize_linear(self, node, name: str, where: str) -> None:
        src = node.input[0]
        if not self._is_activation(src):
            raise WorkloadError(f"{where}: quantizing a constant that no product reads is not supported")
        self._pass(src, node.output[0])
        self.bits[node.output[0]] = activation_bits(node, self.g.consts)

    def _dequantize_linear(self, node, name: str, where: str) -> None:
        src = node.input[0]
        if src in self.g.consts and not self._is_activation(src):
            self.weight_of[node.output[0]] = dequantize_linear_weight(node, self.g.consts, where, self.options.quantize)
            return
        if not self._is_activation(src):
            raise WorkloadError(f"{where}: input '{src}' is neither a network input nor computed earlier")
        self._pass(src, node.output[0])

    def _qonnx(self, node, name: str, where: str) -> None:
        src = node.input[0]
        if src in self.g.consts and not self._is_activation(src):
            self.weight_of[node.output[0]] = qonnx_weight(node, self.g.consts, where, self.options.quantize)
            return
        if not self._is_activation(src):
            raise WorkloadError(f"{where}: input '{src}' is neither a network input nor computed earlier")
        self._pass(src, node.output[0])
        self.bits[node.output[0]] = qonnx_bits(node, self.g.consts, where)
