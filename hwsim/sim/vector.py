"""Element-wise layers on an engine's vector unit, or listed unpriced where it has none.

Vector layers carry their operation; residual adds and pooling are element-wise too and run
on the same unit where an engine gives them to it (a systolic array has no other place for
them; an IMC engine adds them in memory instead).
"""

from __future__ import annotations

from types import MappingProxyType

from hwsim.sim.stats import LayerStats, not_priced_stats
from hwsim.spec.vector import VectorUnitSpec
from hwsim.workload.layers import Layer, LayerKind
from hwsim.workload.vector_ops import VECTOR_OP_COST, VectorOp

VECTOR_OP_ACTION = "vector.op"


def vector_work(layer: Layer) -> tuple[VectorOp, int]:
    """The operation and element count of an element-wise layer.

    A residual add of n inputs is n - 1 adds per output; a pooling window of R x S is R * S - 1
    compares (max) or R * S adds and a scale (average, counted as R * S) per output.
    """
    if layer.kind is LayerKind.VECTOR:
        assert layer.vector_op is not None
        return layer.vector_op, layer.K
    if layer.kind is LayerKind.ADD:
        return VectorOp.ADD, layer.output_elements * (len(layer.inputs) - 1)
    window = layer.R * layer.S
    if layer.kind is LayerKind.MAXPOOL:
        return VectorOp.REDUCE_MAX, layer.output_elements * (window - 1)
    if layer.kind is LayerKind.AVGPOOL:
        return VectorOp.REDUCE_SUM, layer.output_elements * window
    raise ValueError(f"layer '{layer.name}': kind '{layer.kind.value}' is not element-wise")


def simulate_vector_layer(layer: Layer, unit: VectorUnitSpec | None, arch_name: str) -> LayerStats:
    """Cycles and lane operations of an element-wise layer: ``ceil(ops / lanes)`` cycles.

    Without a vector unit the layer is listed, not priced, and the report says so; layout
    operations (0 operations per element) are listed the same way.
    """
    op, elements = vector_work(layer)
    if unit is None:
        return not_priced_stats(layer.name, layer.kind.value, f"arch '{arch_name}' has no vector unit")
    cost = VECTOR_OP_COST[op]
    ops = cost.ops_per_element * elements
    if ops == 0:
        return not_priced_stats(layer.name, layer.kind.value, f"{op.value} is {cost.counted_as}")
    cycles = -(-ops // unit.lanes)
    return LayerStats(
        name=layer.name, kind=layer.kind.value, cycles=cycles, compute_cycles=cycles, other_cycles=0,
        counts=MappingProxyType({VECTOR_OP_ACTION: ops}), utilization=ops / (cycles * unit.lanes), macs=0,
        nonzero_weight_fraction=None,
        mapping=f"vector unit: {op.value}, {elements:,} elements x {cost.ops_per_element} ops "
                f"({cost.counted_as}) over {unit.lanes} lanes",
    )
