"""The network IR: layers on canonical loop dimensions.

Convolutions, linear layers and matrix products use N, G, K, C, P, Q, R, S (batch, groups,
output channels per group, input channels per group, output rows, output cols, kernel rows,
kernel cols), as Timeloop's grouped convolution does: a dense convolution has G = 1, a
depthwise one G = channels and C = 1.  A linear layer is a 1x1 convolution on a 1x1 image
(N counts tokens where a Transformer applies it to a sequence).  A batched matrix product of
two activations (attention scores and context) is ``out[g, p, k] = sum_c a[g, p, c] *
b[g, c, k]`` with G = batch x heads, P = rows of ``a``, C = the reduced dimension.

Vector layers (softmax, layer norm, element-wise arithmetic, data movement) carry the
elements they process in K (N = C = P = Q = 1) and their operation in ``vector_op``; what one
element costs per operation is :mod:`hwsim.workload.vector_ops`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from hwsim.workload.vector_ops import VectorOp


class LayerKind(str, Enum):
    CONV = "conv"
    LINEAR = "linear"
    MATMUL = "matmul"      # activation x activation, batched over G
    MAXPOOL = "maxpool"
    AVGPOOL = "avgpool"
    ADD = "add"            # element-wise sum of equally shaped activations (residuals)
    VECTOR = "vector"      # everything else an engine runs element by element (see ``vector_op``)


WEIGHTED_KINDS = frozenset({LayerKind.CONV, LayerKind.LINEAR})
# Layers whose work is multiply-accumulates over the loop dimensions.
GEMM_KINDS = frozenset({LayerKind.CONV, LayerKind.LINEAR, LayerKind.MATMUL})


class QuantKind(str, Enum):
    """How a tensor is quantized."""

    TERNARY = "ternary"   # values in {-1, 0, +1} times one scale
    BINARY = "binary"     # values in {-1, +1} times one scale
    INT = "int"           # signed integers of ``bits`` bits
    FLOAT = "float"       # not quantized: IEEE floats of ``bits`` bits (32 or 16)


@dataclass(frozen=True)
class Quant:
    kind: QuantKind
    bits: int

    def __post_init__(self) -> None:
        if self.kind is QuantKind.TERNARY and self.bits != 2:
            raise ValueError("ternary tensors are 2 bits wide")
        if self.kind is QuantKind.BINARY and self.bits != 1:
            raise ValueError("binary tensors are 1 bit wide")
        if self.kind is QuantKind.FLOAT and self.bits not in (16, 32, 64):
            raise ValueError("float tensors are 16, 32 or 64 bits wide")

    @staticmethod
    def ternary() -> "Quant":
        return Quant(QuantKind.TERNARY, 2)

    @staticmethod
    def binary() -> "Quant":
        return Quant(QuantKind.BINARY, 1)

    @property
    def label(self) -> str:
        """``ternary``, ``binary``, ``int8``, ``float32``."""
        return self.kind.value if self.kind in (QuantKind.TERNARY, QuantKind.BINARY) else f"{self.kind.value}{self.bits}"


def _pair(value: int | tuple[int, ...], what: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2:
        raise ValueError(f"{what} needs 2 values (rows, cols), got {value!r}")
    return int(pair[0]), int(pair[1])


def _pads(value: int | tuple[int, ...]) -> tuple[int, int, int, int]:
    if isinstance(value, int):
        return (value,) * 4
    pads = tuple(int(v) for v in value)
    if len(pads) == 2:
        return (pads[0], pads[1], pads[0], pads[1])
    if len(pads) != 4:
        raise ValueError(f"padding needs 4 values (top, left, bottom, right), got {value!r}")
    return pads  # type: ignore[return-value]


@dataclass(frozen=True)
class Layer:
    """One layer; all sizes are element counts, strides and padding in pixels.

    ``K`` and ``C`` are per group (``G`` groups).  For MAXPOOL/AVGPOOL/ADD, ``K == C`` and the
    weights are absent.  ``inputs`` names the producing layers ("" for the network input).
    ``stride`` and ``dilation`` are (rows, cols), ``padding`` (top, left, bottom, right); an
    int given for either means the same on every side.  ``ifmap_hw`` is the input's (height,
    width) when a file states it (SCALE-Sim topologies, whose last window may overhang the
    ifmap: their output size rounds up); None means it follows from P, Q, stride and R, S.
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
    stride: tuple[int, int]
    padding: tuple[int, int, int, int]
    inputs: tuple[str, ...]
    act_bits: int
    weight_quant: Quant | None
    ifmap_hw: tuple[int, int] | None = None
    G: int = 1
    dilation: tuple[int, int] = (1, 1)
    vector_op: VectorOp | None = None

    def __post_init__(self) -> None:
        # frozen: normalize the int shorthands once, here
        object.__setattr__(self, "stride", _pair(self.stride, "stride"))
        object.__setattr__(self, "dilation", _pair(self.dilation, "dilation"))
        object.__setattr__(self, "padding", _pads(self.padding))
        if (self.kind is LayerKind.VECTOR) != (self.vector_op is not None):
            raise ValueError(f"layer '{self.name}': vector_op is set exactly for vector layers")

    @property
    def reduction(self) -> int:
        """Length of one dot product: C * R * S (per group)."""
        return self.C * self.R * self.S

    @property
    def output_pixels(self) -> int:
        """N * P * Q: the number of output positions per output channel."""
        return self.N * self.P * self.Q

    @property
    def out_channels(self) -> int:
        """Output channels of all groups: G * K."""
        return self.G * self.K

    @property
    def in_channels(self) -> int:
        """Input channels of all groups: G * C."""
        return self.G * self.C

    @property
    def weight_shape(self) -> tuple[int, int, int, int]:
        """(G * K, C, R, S): ONNX's layout of a grouped convolution's weights."""
        return (self.G * self.K, self.C, self.R, self.S)

    @property
    def macs(self) -> int:
        """Multiply-accumulates of the dense layer (0 for layers that are not products)."""
        if self.kind not in GEMM_KINDS:
            return 0
        return self.N * self.G * self.K * self.C * self.P * self.Q * self.R * self.S

    @property
    def output_elements(self) -> int:
        return self.N * self.G * self.K * self.P * self.Q

    @property
    def window_rows(self) -> int:
        """Input rows one output row's window spans: (R - 1) * dilation + 1."""
        return (self.R - 1) * self.dilation[0] + 1

    @property
    def window_cols(self) -> int:
        return (self.S - 1) * self.dilation[1] + 1
