"""Which GEMM dimension each axis of the array carries, per dataflow: the one table that
makes output-, weight- and input-stationary the same model.

A conv or linear layer is the product ``ofmap[M, N] = ifmap[M, K] @ filter[K, N]`` with
``M = batch * P * Q`` output pixels, ``N`` filters and ``K = R * S * C`` window elements.
A dataflow puts two of M, N, K on the rows and columns of the array (each folded onto it in
``ceil(dim / axis)`` pieces) and streams the third through it in time.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from hwsim.spec.enums import Dataflow


class GemmDim(str, Enum):
    M = "M"  # output pixels
    N = "N"  # filters (output channels)
    K = "K"  # window elements (reduction)


class Operand(str, Enum):
    """The three matrices, each named by the SRAM that holds it."""

    IFMAP = "ifmap"
    FILTER = "filter"
    OFMAP = "ofmap"


# The two GEMM dimensions that index each operand.
OPERAND_DIMS: dict[Operand, frozenset[GemmDim]] = {
    Operand.IFMAP: frozenset({GemmDim.M, GemmDim.K}),
    Operand.FILTER: frozenset({GemmDim.K, GemmDim.N}),
    Operand.OFMAP: frozenset({GemmDim.M, GemmDim.N}),
}


@dataclass(frozen=True)
class AxisAssignment:
    """Operand-to-axis assignment of one dataflow.

    ``rows``/``cols`` are the spatial dimensions, ``time`` the streamed one.  ``preload`` is
    true when the stationary operand is an input that must be shifted into the PEs (one row
    per cycle) before a fold streams; output-stationary accumulates in place instead.
    """

    rows: GemmDim
    cols: GemmDim
    time: GemmDim
    stationary: Operand
    preload: bool


ASSIGNMENT_BY_DATAFLOW: dict[Dataflow, AxisAssignment] = {
    Dataflow.OUTPUT_STATIONARY: AxisAssignment(GemmDim.M, GemmDim.N, GemmDim.K, Operand.OFMAP, preload=False),
    Dataflow.WEIGHT_STATIONARY: AxisAssignment(GemmDim.K, GemmDim.N, GemmDim.M, Operand.FILTER, preload=True),
    Dataflow.INPUT_STATIONARY: AxisAssignment(GemmDim.K, GemmDim.M, GemmDim.N, Operand.IFMAP, preload=True),
}
