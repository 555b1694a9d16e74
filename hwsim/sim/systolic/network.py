"""Run a network's conv and linear layers on a systolic array and price them into a report.

Pooling, add and vector layers do not run on the array: they run on the spec's vector unit,
or, where it has none (SCALE-Sim has none either), appear as rows with zero cycles and the
reason, so a report lines up with the network.

Compute cycles always come from the fold model (the dataflow fixes them).  With the
``analytic`` buffer model, a layer that has a loop nest (a mapping file, or the mapper's
choice by default) takes its SRAM and DRAM words from that nest (:mod:`.nest_traffic`, the
mapper's own counts) and its stalls from those DRAM words; without one, and always with the
``scalesim`` buffer model (SCALE-Sim parity), the fold model's closed forms count them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from hwsim.cost import systolic as systolic_cost
from hwsim.cost.report import build_report
from hwsim.errors import SimulationError
from hwsim.mapping.defaults import DEFAULT_BUDGET as MAPPER_DEFAULT_BUDGET
from hwsim.report.model import Report
from hwsim.sim.stats import LayerStats
from hwsim.sim.vector import simulate_vector_layer
from hwsim.sim.systolic.dataflow import ASSIGNMENT_BY_DATAFLOW, Operand
from hwsim.sim.systolic.folds import FoldSchedule, GemmShape, schedule_folds
from hwsim.sim.systolic.memory import MemoryTraffic, analytic_prefetch_cycles, analytic_stall_cycles, memory_traffic
from hwsim.sim.systolic.nest_traffic import NestTraffic, nest_traffic
from hwsim.spec.enums import Family, Objective
from hwsim.spec.systolic import BufferModel, SystolicSpec
from hwsim.workload.layers import GEMM_KINDS, Layer
from hwsim.workload.precision import mac_energy_scale, mac_passes, operand_bits, word_scale
from hwsim.workload.network import Network

if TYPE_CHECKING:  # the mapper pulls in numba (0.3 s at start-up), which SCALE-Sim .cfg runs never need
    from hwsim.mapping.network import LayerMapping, NetworkMapping


# The search behind the default mapping of `hwsim simulate` on an analytic systolic spec:
# EDP finds the same ResNet-18 latency as the latency objective on systolic-32x32-ws, where
# latency alone leaves the DRAM traffic to tie-breaking (docs/systolic.md); 20,000 candidates
# per distinct layer shape reach the 200,000-candidate latency there, searching ResNet-18's 12
# shapes in about 0.5 s.
DEFAULT_OBJECTIVE = Objective.EDP
DEFAULT_BUDGET = MAPPER_DEFAULT_BUDGET
DEFAULT_SEED = 0


def _fold_traffic(shape: GemmShape, folds: FoldSchedule, traffic: MemoryTraffic,
                  scale: dict[Operand, float]) -> NestTraffic:
    """The fold model's buffer traffic in the loop-nest form, in words (elements x ``scale``)."""
    sram, dram = folds.sram_accesses, traffic.dram_words
    return NestTraffic(
        ifmap_sram_reads=sram[Operand.IFMAP] * scale[Operand.IFMAP],
        filter_sram_reads=sram[Operand.FILTER] * scale[Operand.FILTER],
        ofmap_sram_writes=sram[Operand.OFMAP] * scale[Operand.OFMAP],
        # Every ofmap write after a word's first adds to a partial sum, which is read back.
        ofmap_sram_reads=(sram[Operand.OFMAP] - shape.operand_words(Operand.OFMAP)) * scale[Operand.OFMAP],
        ifmap_dram_reads=dram[Operand.IFMAP], filter_dram_reads=dram[Operand.FILTER],
        ofmap_dram_writes=dram[Operand.OFMAP], ofmap_dram_reads=0,
    )


def simulate_layer(layer: Layer, spec: SystolicSpec, nest: LayerMapping | None = None) -> LayerStats:
    """Cycles (compute + stall, in SCALE-Sim's sense) and action counts of one layer.

    A layer's ``ifmap_hw`` (topology CSVs) clips windows that overhang its ifmap.  The G groups
    of a grouped convolution or batched matrix product run one after another, each as the
    layer of one group, as SCALE-Sim runs a depthwise layer channel by channel: G times the
    cycles and words of one group.
    ``nest``: the layer's loop nest; its words replace the fold model's SRAM and DRAM counts
    and set the stalls (``analytic`` buffer model only; the caller checks).
    ``extra["prefetch_cycles"]``: the cycles before and after ``cycles`` in which the buffers
    first fill and last drain (SCALE-Sim's "Total Cycles (incl. prefetch)" minus its "Total
    Cycles" with the ``scalesim`` buffer model).
    """
    if layer.kind not in GEMM_KINDS:
        return simulate_vector_layer(layer, spec.vector_unit, spec.name)
    groups = layer.G
    group = layer if groups == 1 else replace(layer, G=1)
    assignment = ASSIGNMENT_BY_DATAFLOW[spec.dataflow]
    shape = GemmShape.of_layer(group)
    folds = schedule_folds(shape, assignment, spec.array.rows, spec.array.cols, bypass_unused=spec.array.bypass_unused)
    word_bits = spec.word_bytes * 8
    passes = mac_passes(layer, word_bits)
    compute_cycles = groups * passes * folds.compute_cycles
    if nest is None:
        scale = dict(zip((Operand.FILTER, Operand.IFMAP, Operand.OFMAP), word_scale(layer, word_bits)))
        traffic = memory_traffic(group, shape, assignment, folds, spec, layer.ifmap_hw, scale)
        words = _fold_traffic(shape, folds, traffic, scale).scaled(groups)
        stall_cycles = groups * traffic.stall_cycles
        prefetch_cycles = groups * traffic.prefetch_cycles
    else:
        from hwsim.mapping.network import shape_key

        if shape_key(nest.layer) != shape_key(layer):
            raise SimulationError(f"layer '{layer.name}': its loop nest is for N, K, C, P, Q, R, S, G, strides, "
                                  f"dilations, bits = {shape_key(nest.layer)}, the layer has {shape_key(layer)}")
        words = nest_traffic(nest)
        dram = {Operand.IFMAP: words.ifmap_dram_reads, Operand.FILTER: words.filter_dram_reads,
                # the ofmap interface carries the drained tiles and the partial sums read back
                Operand.OFMAP: words.ofmap_dram_writes + words.ofmap_dram_reads}
        stall_cycles = max(analytic_stall_cycles(dram, spec, compute_cycles).values())
        prefetch_cycles = analytic_prefetch_cycles(dram, spec)
    cycles = compute_cycles + stall_cycles
    counts = {
        "pe.mac": layer.macs * mac_energy_scale(layer, word_bits),  # in word-wide MACs
        "ifmap_sram.read": words.ifmap_sram_reads,
        "filter_sram.read": words.filter_sram_reads,
        "ofmap_sram.write": words.ofmap_sram_writes,
        "ofmap_sram.read": words.ofmap_sram_reads,
        "dram.ifmap_read": words.ifmap_dram_reads,
        "dram.filter_read": words.filter_dram_reads,
        "dram.ofmap_write": words.ofmap_dram_writes,
    }
    if nest is not None:
        counts["dram.ofmap_read"] = words.ofmap_dram_reads
    mapping = (
        f"{spec.dataflow.value}: rows={assignment.rows.value}({shape.size(assignment.rows)}) "
        f"cols={assignment.cols.value}({shape.size(assignment.cols)}) time={assignment.time.value}"
        f"({shape.size(assignment.time)}), {folds.row_folds}x{folds.col_folds} folds of {folds.fold_cycles} cycles"
        + (f" on {folds.used_rows}x{folds.used_cols} PEs" if (folds.used_rows, folds.used_cols) != (
            spec.array.rows, spec.array.cols) else "")
        + (f", {groups} groups one after another" if groups > 1 else "")
        + (f", {passes} passes per MAC for {'x'.join(map(str, operand_bits(layer)[:2]))}-bit operands"
           if passes > 1 else "")
    )
    extra = {
        # SCALE-Sim's "Total Cycles (incl. prefetch)" minus "Total Cycles": first fill and last drain
        "prefetch_cycles": prefetch_cycles,
        "row_folds": folds.row_folds,
        "col_folds": folds.col_folds,
        "mapping_efficiency": folds.mapping_efficiency,
        "ifmap_sram_reads": words.ifmap_sram_reads,
        "filter_sram_reads": words.filter_sram_reads,
        "ofmap_sram_writes": words.ofmap_sram_writes,
        "ifmap_dram_reads": words.ifmap_dram_reads,
        "filter_dram_reads": words.filter_dram_reads,
        "ofmap_dram_writes": words.ofmap_dram_writes,
    }
    if groups > 1:
        extra["groups"] = groups
    if nest is not None:
        extra["ofmap_dram_reads"] = words.ofmap_dram_reads
        extra["traffic"] = "loop nest"
    return LayerStats(
        name=layer.name,
        kind=layer.kind.value,
        cycles=cycles,
        compute_cycles=compute_cycles,
        other_cycles=stall_cycles,
        counts=counts,
        # SCALE-Sim's "Overall Util %": MACs over PE-cycles of the whole layer, stalls included.
        utilization=layer.macs / (max(cycles, 1) * spec.pes),
        macs=layer.macs,
        nonzero_weight_fraction=None,
        mapping=mapping,
        extra=extra,
    )


def default_mapping(network: object, spec: SystolicSpec) -> NetworkMapping | None:
    """The loop nests ``hwsim simulate`` uses when no mapping is given (``api.simulate`` asks).

    The mapper's choice for ``DEFAULT_OBJECTIVE`` with ``DEFAULT_BUDGET`` and ``DEFAULT_SEED``
    (the same as ``hwsim map --objective edp --budget 20000 --seed 0``); None with the
    ``scalesim`` buffer model, whose traffic and stalls are SCALE-Sim's, or for a workload
    that is not a layer network (the engine then says why).
    """
    if spec.buffer_model is not BufferModel.ANALYTIC or not isinstance(network, Network):
        return None
    from hwsim.mapping.network import map_network

    return map_network(network, spec, objective=DEFAULT_OBJECTIVE, budget=DEFAULT_BUDGET, seed=DEFAULT_SEED)


def simulate_network(network: Network, spec: SystolicSpec, *, mapping: NetworkMapping | None = None) -> Report:
    """Simulate every layer of ``network`` on ``spec`` and price the result.

    ``mapping``: loop nests by layer name; a layer with one takes its SRAM/DRAM traffic (and
    stalls) from it.  Raises SimulationError when a mapping is given for a ``scalesim``
    buffer model, which replays SCALE-Sim's own buffers and cannot follow a loop nest.
    """
    if not isinstance(network, Network):
        raise SimulationError(
            f"model '{getattr(network, 'name', network)}' is not a layer network; arch '{spec.name}' "
            "(systolic) runs conv/linear networks"
        )
    if mapping is not None and spec.buffer_model is BufferModel.FOLD:
        raise SimulationError(
            f"arch '{spec.name}': buffer_model fold (the RTL array's fold buffers) follows the engine's fold "
            "order, not a loop nest; drop --mapping or --set buffer_model=analytic"
        )
    if mapping is not None and spec.buffer_model is BufferModel.SCALESIM:
        raise SimulationError(
            f"arch '{spec.name}': buffer_model scalesim (SCALE-Sim's buffer replay, what .cfg files select) "
            "follows SCALE-Sim's fold order, not a loop nest; drop --mapping or --set buffer_model=analytic"
        )
    nests = {} if mapping is None else {m.name: m for m in mapping.layers}
    # Layers equal but for their name and inputs (SCALE-Sim's per-channel depthwise rows,
    # repeated blocks) are simulated once: simulate_layer is a pure function of the layer.
    once: dict[Layer, LayerStats] = {}
    stats = []
    for layer in network.layers:
        nest = nests.get(layer.name)
        if nest is not None:
            stats.append(simulate_layer(layer, spec, nest))
            continue
        key = replace(layer, name="", inputs=())
        if key not in once:
            once[key] = simulate_layer(layer, spec)
        stats.append(replace(once[key], name=layer.name))
    return build_report(
        model=network.name,
        arch=spec.name,
        family=Family.SYSTOLIC.value,
        clock_mhz=spec.clock_mhz,
        stats=stats,
        energy_table_pj=systolic_cost.energy_table_pj(spec),
        area_um2=systolic_cost.area_breakdown_um2(spec),
        workload={"dataset": network.dataset, "seed": network.seed, **network.notes},
        total_extra={"dataflow": spec.dataflow.value, "array": f"{spec.array.rows}x{spec.array.cols}",
                     "prefetch_cycles": sum(st.extra.get("prefetch_cycles", 0) for st in stats)},
    )
