"""The ``workload.*`` options an ONNX model takes, checked one by one with one-line errors.

- ``quantize``: ``ternary`` (TWN rule), ``binary`` (sign) or ``int2`` .. ``int8`` (symmetric per
  tensor): every weight tensor, float or a quantizer's dequantized values, is quantized by that
  rule; absent, float weights stay float (32 or 16 bits, as stored) and a graph's own
  QDQ/QONNX integers are used as they are.
- ``act_bits``: activation width where the graph does not quantize activations itself
  (default: 8 when ``quantize`` is given, else the float width).
- ``input_shape``: the first input's full shape (``1,3,224,224``) where the graph leaves dims
  symbolic; ``batch`` and ``seq_len`` fill symbolic batch and sequence dims of every input.
- ``top_k``, ``qk_bits``: the Transformer view's sparse attention (keys kept per query) and
  score-operand width, as ``hwsim.transformer/1`` files give them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hwsim.errors import WorkloadError
from hwsim.workload.layers import Quant, QuantKind

ALLOWED = ("quantize", "act_bits", "input_shape", "batch", "seq_len", "top_k", "qk_bits")
_INT_RULE = re.compile(r"^int([2-8])$")


@dataclass(frozen=True)
class OnnxOptions:
    """How an ONNX graph becomes a workload (see the module docstring)."""

    quantize: Quant | None = None
    act_bits: int | None = None
    input_shape: tuple[int, ...] | None = None
    batch: int | None = None
    seq_len: int | None = None
    top_k: int | None = None
    qk_bits: int = 4


def parse_options(path: Path, overrides: dict[str, Any]) -> OnnxOptions:
    """``--set workload.KEY=VALUE`` values of an ONNX model as :class:`OnnxOptions`."""
    for key in overrides:
        if key not in ALLOWED:
            raise WorkloadError(
                f"{path}: --set workload.{key} does not apply to an ONNX model (use {', '.join(ALLOWED)})")
    return OnnxOptions(
        quantize=_quantize(path, overrides.get("quantize")),
        act_bits=_int(path, overrides, "act_bits", 1, 32),
        input_shape=_shape(path, overrides.get("input_shape")),
        batch=_int(path, overrides, "batch", 1, 1 << 16),
        seq_len=_int(path, overrides, "seq_len", 1, 1 << 20),
        top_k=_int(path, overrides, "top_k", 1, 1 << 20),
        qk_bits=_int(path, overrides, "qk_bits", 2, 8) or 4,
    )


def _quantize(path: Path, value: Any) -> Quant | None:
    if value is None or value == "none":
        return None
    text = str(value).strip().lower()
    if text == "ternary":
        return Quant.ternary()
    if text == "binary":
        return Quant.binary()
    match = _INT_RULE.match(text)
    if match:
        return Quant(QuantKind.INT, int(match.group(1)))
    raise WorkloadError(f"{path}: workload.quantize = {value!r}: expected ternary, binary, int2 .. int8 or none")


def _int(path: Path, overrides: dict[str, Any], key: str, low: int, high: int) -> int | None:
    value = overrides.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise WorkloadError(f"{path}: workload.{key} = {value!r}: expected an integer in [{low}, {high}]")
    return value


def _shape(path: Path, value: Any) -> tuple[int, ...] | None:
    if value is None:
        return None
    items = value if isinstance(value, (list, tuple)) else str(value).replace("x", ",").split(",")
    try:
        dims = tuple(int(str(v).strip()) for v in items)
    except ValueError:
        dims = ()
    if not dims or any(d < 1 or d > 1 << 20 for d in dims):
        raise WorkloadError(f"{path}: workload.input_shape = {value!r}: expected positive sizes such as 1,3,224,224")
    return dims
