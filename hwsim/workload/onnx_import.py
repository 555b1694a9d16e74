"""Import an ONNX graph into the network IR, quantizing or reading quantized weights.

Supported: Conv (group 1), Gemm, MatMul with a constant weight, MaxPool, AveragePool,
GlobalAveragePool, Add of two activations; shape-only ops pass through (Relu, Clip,
Flatten, Reshape, Identity, Dropout, BatchNormalization, QuantizeLinear and
DequantizeLinear on activations).  Weights come either as integers behind a
DequantizeLinear (QDQ models: the integers are used as they are, ternary when every value is
in {-1, 0, 1}), as QONNX ``Quant``/``BipolarQuant`` nodes on constant floats (the quantizer is
evaluated here and its integers are the weights, with its declared bit width: a signed
narrow 2-bit quantizer is ternary, ``BipolarQuant`` binary), or as floats, quantized per
tensor here: ternary by the TWN threshold 0.7 * mean|w| (Li & Liu 2016), or symmetric intN.
A QONNX quantizer on activations sets the activation bits of the layers that read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hwsim.errors import WorkloadError
from hwsim.workload.layers import Layer, LayerKind, Quant, QuantKind
from hwsim.workload.network import Network
from hwsim.workload.qonnx import QONNX_OPS, bipolar_integers, int_range, quant_integers

_PASS_THROUGH = {"Relu", "Clip", "Flatten", "Reshape", "Identity", "Dropout", "BatchNormalization",
                 "QuantizeLinear", "DequantizeLinear", "Squeeze", "Unsqueeze"}


@dataclass(frozen=True)
class OnnxImportOptions:
    """How float weights are quantized and how wide activations are."""

    weight_format: QuantKind = QuantKind.TERNARY
    weight_bits: int = 8
    act_bits: int = 8


def ternarize(w: np.ndarray) -> np.ndarray:
    """TWN ternarization: +-1 where |w| > 0.7 * mean|w|, else 0."""
    delta = 0.7 * float(np.mean(np.abs(w)))
    return (np.sign(w) * (np.abs(w) > delta)).astype(np.int8)


def quantize_int(w: np.ndarray, bits: int) -> np.ndarray:
    """Symmetric per-tensor intN: round(w / max|w| * (2^(N-1) - 1))."""
    top = (1 << (bits - 1)) - 1
    peak = float(np.max(np.abs(w))) or 1.0
    return np.clip(np.round(w / peak * top), -top, top).astype(np.int8)


def load_onnx(path: Path, options: OnnxImportOptions = OnnxImportOptions()) -> Network:
    """Read ``path`` and return a Network whose weights are quantized integers."""
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:  # pragma: no cover - onnx is a declared dependency
        raise WorkloadError(f"{path}: reading ONNX needs the 'onnx' package") from None
    try:
        model = onnx.load(str(path))
    except FileNotFoundError:
        raise WorkloadError(f"{path}: file not found") from None
    except Exception as exc:  # onnx raises protobuf DecodeError and others
        raise WorkloadError(f"{path}: not a readable ONNX model ({type(exc).__name__})") from None
    graph = model.graph
    inits = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant":
            inits[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    shapes, producer = _graph_inputs(graph, inits, path)
    builder = _Builder(path, options, inits, shapes, producer)
    for index, node in enumerate(graph.node):
        builder.add(node, index)
    if not builder.layers:
        raise WorkloadError(f"{path}: no supported layer found")
    return Network(name=Path(path).stem, layers=tuple(builder.layers), weights=builder.weights, dataset="onnx")


def _graph_inputs(graph, inits, path) -> tuple[dict[str, tuple[int, ...]], dict[str, str]]:
    shapes: dict[str, tuple[int, ...]] = {}
    producer: dict[str, str] = {}
    for value in graph.input:
        if value.name in inits:
            continue
        dims = [d.dim_value if d.HasField("dim_value") else 0 for d in value.type.tensor_type.shape.dim]
        if len(dims) != 4 or any(d <= 0 for d in dims[1:]):
            raise WorkloadError(f"{path}: input '{value.name}' needs a static NCHW shape, got {dims}")
        shapes[value.name] = (max(dims[0], 1), dims[1], dims[2], dims[3])
        producer[value.name] = ""
    return shapes, producer


class _Builder:
    """Walks nodes in order, tracking each tensor's NCHW shape and producing layer."""

    def __init__(self, path, options, inits, shapes, producer) -> None:
        self.path, self.options, self.inits = path, options, inits
        self.shapes, self.producer = shapes, producer
        self.layers: list[Layer] = []
        self.weights: dict[str, np.ndarray] = {}
        self.dq_int: dict[str, np.ndarray] = {}
        self.declared: dict[str, Quant] = {}  # weight quantization a QONNX node states
        self.act_bits_of: dict[str, int] = {}  # activation bits a QONNX node states

    def add(self, node, index: int) -> None:
        op = node.op_type
        name = node.name or f"{op.lower()}_{index}"
        where = f"{self.path}: node '{name}' ({op})"
        if op == "DequantizeLinear" and node.input[0] in self.inits:
            self.dq_int[node.output[0]] = self.inits[node.input[0]]
            return
        if op in QONNX_OPS:
            self._qonnx(node, op, where)
        elif op in ("Conv", "Gemm", "MatMul"):
            self._weighted(node, name, where)
        elif op in ("MaxPool", "AveragePool", "GlobalAveragePool"):
            self._pool(node, name, where)
        elif op == "Add":
            self._add(node, name, where)
        elif op in _PASS_THROUGH or op == "Constant":
            if op != "Constant" and node.input and node.input[0] in self.shapes:
                self._pass(node.input[0], node.output[0])
        else:
            raise WorkloadError(f"{where}: operator not supported by the importer")

    def _pass(self, src: str, dst: str) -> None:
        self.shapes[dst], self.producer[dst] = self.shapes[src], self.producer[src]
        if src in self.act_bits_of:
            self.act_bits_of[dst] = self.act_bits_of[src]

    def _qonnx(self, node, op: str, where: str) -> None:
        """A QONNX quantizer: on a constant it makes integer weights, on an activation it sets its bits."""
        attrs = {a.name: a for a in node.attribute}
        if op == "BipolarQuant":
            bits = 1
        else:
            if len(node.input) < 4 or any(t not in self.inits for t in node.input[1:4]):
                missing = next((t for t in node.input[1:4] if t not in self.inits), "bitwidth")
                raise WorkloadError(f"{where}: scale, zero point and bit width must be constants ('{missing}' is not)")
            bits_value = float(np.asarray(self.inits[node.input[3]]).reshape(-1)[0])
            if bits_value != int(bits_value):
                raise WorkloadError(f"{where}: bitwidth = {bits_value:g} must be an integer")
            bits = int(bits_value)
        src, out = node.input[0], node.output[0]
        if src not in self.inits:
            self._activation(src, where)
            self._pass(src, out)
            self.act_bits_of[out] = bits
            return
        if op == "BipolarQuant":
            self.dq_int[out], self.declared[out] = bipolar_integers(self.inits[src]), Quant.binary()
            return
        signed = attrs["signed"].i != 0 if "signed" in attrs else True
        narrow = attrs["narrow"].i != 0 if "narrow" in attrs else False
        rounding = attrs["rounding_mode"].s.decode() if "rounding_mode" in attrs else "ROUND"
        if bits > 8:
            raise WorkloadError(f"{where}: weight bitwidth = {bits}: weights wider than 8 bits are not supported")
        ints = quant_integers(self.inits[src], self.inits[node.input[1]], self.inits[node.input[2]], bits,
                              signed=signed, narrow=narrow, rounding=rounding, where=where)
        ternary = int_range(bits, signed, narrow) == (-1, 1)
        self.dq_int[out] = ints
        self.declared[out] = Quant.ternary() if ternary else Quant(QuantKind.INT, bits)

    def _activation(self, tensor: str, where: str) -> tuple[tuple[int, ...], str]:
        if tensor not in self.shapes:
            raise WorkloadError(f"{where}: input '{tensor}' has no known shape (is it produced earlier?)")
        return self.shapes[tensor], self.producer[tensor]

    def _weight(self, tensor: str, where: str) -> tuple[np.ndarray, Quant]:
        if tensor in self.declared:
            return self.dq_int[tensor].astype(np.int8), self.declared[tensor]
        if tensor in self.dq_int:
            ints = self.dq_int[tensor].astype(np.int64)
            if np.isin(ints, (-1, 0, 1)).all():
                return ints.astype(np.int8), Quant.ternary()
            bits = max(2, int(np.abs(ints).max()).bit_length() + 1)
            return ints.astype(np.int8), Quant(QuantKind.INT, bits)
        if tensor not in self.inits:
            raise WorkloadError(f"{where}: weight '{tensor}' is not a constant")
        w = self.inits[tensor].astype(np.float64)
        if self.options.weight_format is QuantKind.TERNARY:
            return ternarize(w), Quant.ternary()
        if self.options.weight_format is QuantKind.BINARY:
            return np.where(w < 0, -1, 1).astype(np.int8), Quant.binary()
        return quantize_int(w, self.options.weight_bits), Quant(QuantKind.INT, self.options.weight_bits)

    def _weighted(self, node, name: str, where: str) -> None:
        (n, c, h, wd), src = self._activation(node.input[0], where)
        w, quant = self._weight(node.input[1], where)
        attrs = {a.name: a for a in node.attribute}
        act_bits = self.act_bits_of.get(node.input[0], self.options.act_bits)
        if node.op_type == "Conv":
            if attrs.get("group") is not None and attrs["group"].i != 1:
                raise WorkloadError(f"{where}: grouped convolution (group={attrs['group'].i}) is not supported")
            if w.ndim != 4 or w.shape[1] != c:
                raise WorkloadError(f"{where}: weight shape {w.shape} does not fit {c} input channels")
            k, _, r, s = w.shape
            stride = list(attrs["strides"].ints)[0] if "strides" in attrs else 1
            pad = list(attrs["pads"].ints)[0] if "pads" in attrs else 0
            p, q = (h + 2 * pad - r) // stride + 1, (wd + 2 * pad - s) // stride + 1
            layer = Layer(name, LayerKind.CONV, n, k, c, p, q, r, s, stride, pad, (src,), act_bits, quant)
        else:
            trans_b = node.op_type == "Gemm" and "transB" in attrs and attrs["transB"].i == 1
            w2 = w if trans_b else w.T  # to (K, C)
            if w2.ndim != 2 or w2.shape[1] != c * h * wd:
                raise WorkloadError(f"{where}: weight shape {w.shape} does not fit {c * h * wd} inputs")
            k = w2.shape[0]
            w = w2.reshape(k, c * h * wd, 1, 1)
            layer = Layer(name, LayerKind.LINEAR, n, k, c * h * wd, 1, 1, 1, 1, 1, 0, (src,), act_bits, quant)
        self._emit(layer, node.output[0], w)

    def _pool(self, node, name: str, where: str) -> None:
        (n, c, h, wd), src = self._activation(node.input[0], where)
        attrs = {a.name: a for a in node.attribute}
        if node.op_type == "GlobalAveragePool":
            r, s, stride, pad = h, wd, 1, 0
        else:
            r, s = list(attrs["kernel_shape"].ints)
            stride = list(attrs["strides"].ints)[0] if "strides" in attrs else 1
            pad = list(attrs["pads"].ints)[0] if "pads" in attrs else 0
        kind = LayerKind.MAXPOOL if node.op_type == "MaxPool" else LayerKind.AVGPOOL
        p, q = (h + 2 * pad - r) // stride + 1, (wd + 2 * pad - s) // stride + 1
        act_bits = self.act_bits_of.get(node.input[0], self.options.act_bits)
        self._emit(Layer(name, kind, n, c, c, p, q, r, s, stride, pad, (src,), act_bits, None),
                   node.output[0], None)

    def _add(self, node, name: str, where: str) -> None:
        live = [t for t in node.input if t not in self.inits]
        if len(live) < 2:  # a bias add: folded into the producer
            self._activation(live[0], where)
            self._pass(live[0], node.output[0])
            return
        shapes = [self._activation(t, where) for t in live]
        if len({s for s, _ in shapes}) != 1:
            raise WorkloadError(f"{where}: inputs have different shapes {[s for s, _ in shapes]}")
        (n, c, h, wd), _ = shapes[0]
        srcs = tuple(src for _, src in shapes)
        self._emit(Layer(name, LayerKind.ADD, n, c, c, h, wd, 1, 1, 1, 0, srcs, self.options.act_bits, None),
                   node.output[0], None)

    def _emit(self, layer: Layer, output: str, weights: np.ndarray | None) -> None:
        self.layers.append(layer)
        if weights is not None:
            self.weights[layer.name] = weights
        self.shapes[output] = (layer.N, layer.K, layer.P, layer.Q)
        self.producer[output] = layer.name
