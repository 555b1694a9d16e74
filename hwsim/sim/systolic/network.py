"""Run a network's conv and linear layers on a systolic array and price them into a report.

Pooling and add layers do not run on the array (SCALE-Sim has none either); they appear as
rows with zero cycles so a report lines up with the network.
"""

from __future__ import annotations

from hwsim.cost import systolic as systolic_cost
from hwsim.cost.report import build_report
from hwsim.errors import SimulationError
from hwsim.report.model import Report
from hwsim.sim.stats import LayerStats
from hwsim.sim.systolic.dataflow import ASSIGNMENT_BY_DATAFLOW, Operand
from hwsim.sim.systolic.folds import GemmShape, schedule_folds
from hwsim.sim.systolic.memory import memory_traffic
from hwsim.spec.enums import Family
from hwsim.spec.systolic import SystolicSpec
from hwsim.workload.layers import WEIGHTED_KINDS, Layer
from hwsim.workload.network import Network


def simulate_layer(layer: Layer, spec: SystolicSpec, ifmap_hw: tuple[int, int] | None = None) -> LayerStats:
    """Cycles (compute + stall, in SCALE-Sim's sense) and action counts of one layer.

    ``ifmap_hw`` is the ifmap's (height, width) when windows may overhang it (topology CSVs).
    """
    if layer.kind not in WEIGHTED_KINDS:
        return LayerStats(layer.name, layer.kind.value, 0, 0, 0, {}, 0.0, 0, None, "not run on the array")
    assignment = ASSIGNMENT_BY_DATAFLOW[spec.dataflow]
    shape = GemmShape.of_layer(layer)
    folds = schedule_folds(shape, assignment, spec.array.rows, spec.array.cols)
    traffic = memory_traffic(layer, shape, assignment, folds, spec, ifmap_hw)
    cycles = folds.compute_cycles + traffic.stall_cycles
    sram, dram = folds.sram_accesses, traffic.dram_words
    counts = {
        "pe.mac": layer.macs,
        "ifmap_sram.read": sram[Operand.IFMAP],
        "filter_sram.read": sram[Operand.FILTER],
        "ofmap_sram.write": sram[Operand.OFMAP],
        # Every ofmap write after a word's first adds to a partial sum, which is read back.
        "ofmap_sram.read": sram[Operand.OFMAP] - shape.operand_words(Operand.OFMAP),
        "dram.ifmap_read": dram[Operand.IFMAP],
        "dram.filter_read": dram[Operand.FILTER],
        "dram.ofmap_write": dram[Operand.OFMAP],
    }
    mapping = (
        f"{spec.dataflow.value}: rows={assignment.rows.value}({shape.size(assignment.rows)}) "
        f"cols={assignment.cols.value}({shape.size(assignment.cols)}) time={assignment.time.value}"
        f"({shape.size(assignment.time)}), {folds.row_folds}x{folds.col_folds} folds of {folds.fold_cycles} cycles"
    )
    extra = {
        "row_folds": folds.row_folds,
        "col_folds": folds.col_folds,
        "mapping_efficiency": folds.mapping_efficiency,
        "ifmap_sram_reads": sram[Operand.IFMAP],
        "filter_sram_reads": sram[Operand.FILTER],
        "ofmap_sram_writes": sram[Operand.OFMAP],
        "ifmap_dram_reads": dram[Operand.IFMAP],
        "filter_dram_reads": dram[Operand.FILTER],
        "ofmap_dram_writes": dram[Operand.OFMAP],
    }
    return LayerStats(
        name=layer.name,
        kind=layer.kind.value,
        cycles=cycles,
        compute_cycles=folds.compute_cycles,
        other_cycles=traffic.stall_cycles,
        counts=counts,
        # SCALE-Sim's "Overall Util %": MACs over PE-cycles of the whole layer, stalls included.
        utilization=layer.macs / (max(cycles, 1) * spec.pes),
        macs=layer.macs,
        nonzero_weight_fraction=None,
        mapping=mapping,
        extra=extra,
    )


def simulate_network(network: Network, spec: SystolicSpec) -> Report:
    """Simulate every layer of ``network`` on ``spec`` and price the result."""
    if not isinstance(network, Network):
        raise SimulationError(
            f"model '{getattr(network, 'name', network)}' is not a layer network; arch '{spec.name}' "
            "(systolic) runs conv/linear networks"
        )
    ifmap_hw = getattr(network, "ifmap_hw", {})
    stats = [simulate_layer(layer, spec, ifmap_hw.get(layer.name)) for layer in network.layers]
    return build_report(
        model=network.name,
        arch=spec.name,
        family=Family.SYSTOLIC.value,
        clock_mhz=spec.clock_mhz,
        stats=stats,
        energy_table_pj=systolic_cost.energy_table_pj(spec),
        area_um2=systolic_cost.area_breakdown_um2(spec),
        workload={"dataset": network.dataset, "seed": network.seed},
        total_extra={"dataflow": spec.dataflow.value, "array": f"{spec.array.rows}x{spec.array.cols}"},
    )
