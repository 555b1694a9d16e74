"""Weights of an ONNX graph as the accelerator stores them: a quantizer's integers, or floats.

Three sources:

1. QDQ: ``DequantizeLinear`` of a constant integer tensor (int8/uint8, int4/uint4, int16,
   int32; per tensor or per channel).  The stored integers minus the zero point are the
   weights, as wide as their data type; a tensor holding only -1, 0 and +1 is ternary.
2. QONNX: ``Quant`` / ``BipolarQuant`` of a constant float tensor, evaluated here
   (:mod:`hwsim.workload.qonnx`); a signed narrow 2-bit quantizer is ternary.
3. Floats: kept as floats (32 or 16 bits).

When the user asks for a precision (``workload.quantize``), every weight tensor, float or a
quantizer's output values, is quantized per tensor by that rule: ternary by the TWN threshold
0.7 * mean|w| (Li & Liu 2016), binary by sign, or symmetric intN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsim.errors import WorkloadError
from hwsim.workload.layers import Quant, QuantKind
from hwsim.workload.qonnx import bipolar_integers, int_range, quant_integers

# ONNX tensor element types of stored integers and their widths.
_INT_BITS = {2: 8, 3: 8, 4: 16, 5: 16, 6: 32, 7: 64, 12: 32, 13: 64, 21: 4, 22: 4}  # UINT8=2 INT8=3 ...
_FLOAT_BITS = {np.dtype(np.float32): 32, np.dtype(np.float16): 16, np.dtype(np.float64): 64}


@dataclass(frozen=True)
class WeightTensor:
    """A constant operand of a product: its values (integers, or floats) and its quantization."""

    values: np.ndarray
    quant: Quant

    def transformed(self, values: np.ndarray) -> "WeightTensor":
        """The same weights re-laid out (transposed, reshaped)."""
        return WeightTensor(values, self.quant)


def ternarize(w: np.ndarray) -> np.ndarray:
    """TWN ternarization: +-1 where |w| > 0.7 * mean|w|, else 0."""
    delta = 0.7 * float(np.abs(w).mean(dtype=np.float64))
    # booleans viewed as int8 0/1: +1 above the threshold, -1 below its negative, no wide temporaries
    return (w > delta).view(np.int8) - (w < -delta).view(np.int8)


def quantize_int(w: np.ndarray, bits: int) -> np.ndarray:
    """Symmetric per-tensor intN: round(w / max|w| * (2^(N-1) - 1))."""
    top = (1 << (bits - 1)) - 1
    peak = float(np.max(np.abs(w))) or 1.0
    return np.clip(np.round(w * (top / peak)), -top, top).astype(np.int8)


def _as_stored(ints: np.ndarray, bits: int) -> WeightTensor:
    ints = np.asarray(ints, dtype=np.int64)
    if ints.size and np.isin(ints, (-1, 0, 1)).all():
        return WeightTensor(ints.astype(np.int8), Quant.ternary())
    dtype = np.int8 if bits <= 8 else np.int32
    return WeightTensor(ints.astype(dtype), Quant(QuantKind.INT, bits))


def dequantize_linear_weight(node, consts: dict[str, np.ndarray], where: str,
                             quantize: Quant | None = None) -> WeightTensor:
    """The integers behind ``DequantizeLinear`` of a constant (per tensor, per channel or blocked).

    With ``quantize`` the dequantized values (integers minus zero point, times scale) are
    quantized again by that rule instead: the user asked for another precision.
    """
    q = consts[node.input[0]]
    elem = _elem_type(node.input[0], q)
    bits = _INT_BITS.get(elem)
    if bits is None:
        raise WorkloadError(f"{where}: DequantizeLinear of a {q.dtype} constant: expected stored integers")
    attrs = {a.name: a.i for a in node.attribute}
    has_zero = len(node.input) > 2 and node.input[2]
    zp = _broadcast(consts.get(node.input[2], 0) if has_zero else 0, q, attrs).astype(np.int64)
    ints = q.astype(np.int64) - zp
    if quantize is None:
        return _as_stored(ints, bits)
    scale = _broadcast(consts[node.input[1]], q, attrs).astype(np.float32)
    return float_weight(ints.astype(np.float32) * scale, quantize)


def _broadcast(param, q: np.ndarray, attrs: dict[str, int]) -> np.ndarray:
    """A scale or zero point shaped to broadcast over ``q``: per tensor, per channel along
    ``axis``, or one per ``block_size`` elements along it."""
    value = np.asarray(param)
    if value.ndim == 0 or q.ndim == 0:
        return value
    axis = attrs.get("axis", 1) % q.ndim
    if attrs.get("block_size"):
        return np.repeat(value, attrs["block_size"], axis=axis)[tuple(slice(0, n) for n in q.shape)]
    if value.ndim == 1 and q.ndim > 1:
        shape = [1] * q.ndim
        shape[axis] = value.size
        return value.reshape(shape)
    return value


def _elem_type(name: str, array: np.ndarray) -> int:
    """The ONNX element type of a constant (onnx's own numpy types stand for int4/uint4)."""
    from onnx import helper

    try:
        return helper.np_dtype_to_tensor_dtype(array.dtype)
    except (KeyError, ValueError, TypeError):
        return 0


def qonnx_weight(node, consts: dict[str, np.ndarray], where: str, quantize: Quant | None = None) -> WeightTensor:
    """The integers of a QONNX quantizer applied to a constant (or, with ``quantize``, its
    output values quantized again by that rule)."""
    if node.op_type == "BipolarQuant":
        signs = bipolar_integers(consts[node.input[0]]).astype(np.int8)
        if quantize is None:
            return WeightTensor(signs, Quant.binary())
        return float_weight(signs.astype(np.float32) * np.float32(np.asarray(consts[node.input[1]])), quantize)
    attrs = {a.name: a for a in node.attribute}
    bits = qonnx_bits(node, consts, where)
    signed = attrs["signed"].i != 0 if "signed" in attrs else True
    narrow = attrs["narrow"].i != 0 if "narrow" in attrs else False
    rounding = attrs["rounding_mode"].s.decode() if "rounding_mode" in attrs else "ROUND"
    if bits > 8 and quantize is None:
        raise WorkloadError(f"{where}: weight bitwidth = {bits}: weights wider than 8 bits are not supported")
    ints = quant_integers(consts[node.input[0]], consts[node.input[1]], consts[node.input[2]], bits,
                          signed=signed, narrow=narrow, rounding=rounding, where=where)
    if quantize is not None:
        return float_weight(ints.astype(np.float32) * np.asarray(consts[node.input[1]], np.float32), quantize)
    if int_range(bits, signed, narrow) == (-1, 1):
        return WeightTensor(ints.astype(np.int8), Quant.ternary())
    return WeightTensor(ints.astype(np.int8), Quant(QuantKind.INT, bits))


def qonnx_bits(node, consts: dict[str, np.ndarray], where: str) -> int:
    """The bit width a QONNX quantizer declares (1 for ``BipolarQuant``)."""
    if node.op_type == "BipolarQuant":
        return 1
    if len(node.input) < 4 or any(t not in consts for t in node.input[1:4]):
        missing = next((t for t in node.input[1:4] if t not in consts), "bitwidth")
        raise WorkloadError(f"{where}: scale, zero point and bit width must be constants ('{missing}' is not)")
    value = float(np.asarray(consts[node.input[3]]).reshape(-1)[0])
    if value != int(value):
        raise WorkloadError(f"{where}: bitwidth = {value:g} must be an integer")
    return int(value)


def float_weight(values: np.ndarray, quantize: Quant | None) -> WeightTensor:
    """Float weights kept as they are, or quantized per tensor by the rule ``quantize`` names."""
    w = np.asarray(values)
    if quantize is None:
        bits = _FLOAT_BITS.get(w.dtype, 32)
        return WeightTensor(w.astype(np.float32) if bits != 16 else w, Quant(QuantKind.FLOAT, bits))
    w = w.astype(np.float32, copy=False)
    if quantize.kind is QuantKind.TERNARY:
        return WeightTensor(ternarize(w), quantize)
    if quantize.kind is QuantKind.BINARY:
        return WeightTensor(np.where(w < 0, -1, 1).astype(np.int8), quantize)
    return WeightTensor(quantize_int(w, quantize.bits), quantize)


def activation_bits(node, consts: dict[str, np.ndarray]) -> int:
    """The width of the integers a ``QuantizeLinear`` makes (its zero point's type; uint8 by default)."""
    attrs = {a.name: a for a in node.attribute}
    if "output_dtype" in attrs and attrs["output_dtype"].i:
        return _INT_BITS.get(attrs["output_dtype"].i, 8)
    if len(node.input) > 2 and node.input[2] in consts:
        return _INT_BITS.get(_elem_type(node.input[2], consts[node.input[2]]), 8)
    return 8
