"""Attention on the loop-nest mapper: its two matmuls as batched GEMMs on canonical dims.

For B sequences, H heads, L queries, L_kv keys and head dimension D:

- scores = Q K^T:  G = B*H, P = L (queries), K = L_kv (keys), C = D (reduced);
- output = A V:    G = B*H, P = L (queries), K = D, C = L_kv (reduced).

N, Q, R, S are 1: both operands change with the sequence and head (G), neither is a weight
reused across them.  Softmax and scaling are element-wise and not part of the loop nest.  With
top-k sparse attention (issue: sparse attention) the second matmul reduces over k instead
of L_kv, which ``kept_keys`` expresses.
"""

from __future__ import annotations

from dataclasses import dataclass

from hwsim.errors import MappingError
from hwsim.workload.layers import Layer, LayerKind, Quant, QuantKind


@dataclass(frozen=True)
class AttentionShape:
    """One attention block: batch, heads, query length, key length, head dimension."""

    name: str
    B: int
    H: int
    L: int
    D: int
    L_kv: int | None = None
    kept_keys: int | None = None
    act_bits: int = 8

    def __post_init__(self) -> None:
        for field in ("B", "H", "L", "D"):
            value = getattr(self, field)
            if value <= 0:
                raise MappingError(f"attention '{self.name}': {field} = {value} must be positive")
        if self.kept_keys is not None and not 0 < self.kept_keys <= self.keys:
            raise MappingError(
                f"attention '{self.name}': kept_keys = {self.kept_keys} must be in [1, {self.keys}]"
            )

    @property
    def keys(self) -> int:
        return self.L_kv if self.L_kv is not None else self.L


def attention_gemms(shape: AttentionShape) -> tuple[Layer, Layer]:
    """The score and value GEMMs of ``shape`` as layers the mapper accepts."""
    batch = shape.B * shape.H
    reduce_v = shape.kept_keys if shape.kept_keys is not None else shape.keys
    quant = Quant(QuantKind.INT, shape.act_bits)  # both operands are activations
    scores = Layer(f"{shape.name}.qk", LayerKind.MATMUL, 1, shape.keys, shape.D, shape.L, 1, 1, 1, 1, 0,
                   ("",), shape.act_bits, quant, G=batch)
    values = Layer(f"{shape.name}.av", LayerKind.MATMUL, 1, shape.D, reduce_v, shape.L, 1, 1, 1, 1, 0,
                   (scores.name,), shape.act_bits, quant, G=batch)
    return scores, values
