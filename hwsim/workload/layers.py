"""The network IR: layers on canonical loop dimensions.

Convolutions and linear layers use N, K, C, P, Q, R, S (batch, output channels, input
channels, output rows, output cols, kernel rows, kernel cols).  A linear layer is a 1x1
convolution on a 1x1 image.  Attention layers (B, H, L, D) and spiking layers will join the
same ``LayerKind`` set.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class LayerKind(str, Enum):
    CONV = "conv"
    LINEAR = "linear"
    MAXPOOL = "maxpool"
    AVGPOOL = "avgpool"
    ADD = "add"


WEIGHTED_KINDS = frozenset({LayerKind.CONV, LayerKind.LINEAR})


class QuantKind(str, Enum):
    """How a tensor is quantized (per tensor)."""

    TERNARY = "ternary"   # values in {-1, 0, +1} times one scale
    BINARY = "binary"     # values in {-1, +1} times one scale
    INT = "int"           # signed integers of ``bits`` bits


@dataclass(frozen=True)
class Quant:
    kind: QuantKind
    bits: int

    def __post_init__(self) -> None:
        if self.kind is QuantKind.TERNARY and self.bits != 2:
            raise ValueError("ternary tensors are 2 bits wide")
        if self.kind is QuantKind.BINARY and self.bits != 1:
            raise ValueError("binary tensors are 1 bit wide")

    @staticmethod
    def ternary() -> "Quant":
        return Quant(QuantKind.TERNARY, 2)

    @staticmethod
    def binary() -> "Quant":
        return Quant(QuantKind.BINARY, 1)


@dataclass(frozen=True)
class Layer:
    """One layer; all sizes are element counts, strides and padding in pixels.

    For MAXPOOL/AVGPOOL/ADD, ``K == C`` and the weights are absent.  ``inputs`` names the
    producing layers ("" for the network input).  ``ifmap_hw`` is the input's (height, width)
    when a file states it (SCALE-Sim topologies, whose last window may overhang the ifmap:
    their output size rounds up); None means it follows from P, Q, stride and R, S.
    """

    name: str
    kind: LayerKind
    N: int
    K: int
    C: int
    P: int
    Q: int
    R: int
    S: int
    stride: int
    padding: int
    inputs: tuple[str, ...]
    act_bits: int
    weight_quant: Quant | None
    ifmap_hw: tuple[int, int] | None = None

    @property
    def reduction(self) -> int:
        """Length of one dot product: C * R * S."""
        return self.C * self.R * self.S

    @property
    def output_pixels(self) -> int:
        """N * P * Q: the number of output positions per output channel."""
        return self.N * self.P * self.Q

    @property
    def weight_shape(self) -> tuple[int, int, int, int]:
        return (self.K, self.C, self.R, self.S)

    @property
    def macs(self) -> int:
        """Multiply-accumulates of the dense layer (0 for layers without weights)."""
        if self.kind not in WEIGHTED_KINDS:
            return 0
        return self.N * self.K * self.C * self.P * self.Q * self.R * self.S

    @property
    def output_elements(self) -> int:
        return self.N * self.K * self.P * self.Q
