"""Cycle-approximate engine for IMC accelerators (counts only; ``hwsim.cost`` prices them).

Weighted layers run in two phases:

1. *compute*: every subarray works through the work units the mapping deals it (load an
   activation chunk by row writes; per output channel, issue the chunk's additions; read
   the sums out).  Subarrays run independently and the phase ends when the busiest one
   finishes, so uneven non-zero counts cost real time; the units are dealt longest first
   (the weights are known when the layer is compiled), which keeps that imbalance small.
2. *gather*: partial sums travel over the bank interconnect (overlapped with compute) and
   reduction parts are summed by full-width in-memory additions spread over all columns.

The mapper (:mod:`hwsim.mapping.imc`) ranks tilings by an estimate; the engine counts the
best few exactly from the weight tensor and reports the best for the spec's objective.  A
tiling that provably cannot beat the best counted so far is not counted to the end: first
from the tiling alone (:func:`_cost_floor`), then from its additions before its empty chunks
(:func:`hwsim.sim.blocks.ternary_dot_engine.part_additions`).  Both are floors of the exact
cost, so the choice, and every number reported, are those of counting every tiling.

Layers without weights (add, pooling) are element-wise in-memory additions over all columns.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from types import MappingProxyType
from typing import MutableMapping

import numpy as np

from hwsim.cost.imc import energy_table_pj
from hwsim.errors import MappingError, SimulationError
from hwsim.mapping.imc import ImcMapping, check_tiling, deal_busiest, map_candidates, signed_bits, tiling_cost
from hwsim.sim.blocks import sparse_skip, ternary_adder, ternary_dot_engine
from hwsim.sim.stats import LayerStats, not_priced_stats
from hwsim.spec.enums import MICRO_OP_ACTION, DataMapping, MicroOp
from hwsim.spec.imc import ImcSpec, SenseAmpSpec
from hwsim.workload.layers import WEIGHTED_KINDS, Layer, LayerKind, QuantKind

def simulate_layer(
    layer: Layer,
    weights: np.ndarray | None,
    spec: ImcSpec,
    *,
    data_mapping: DataMapping | None = None,
    memo: MutableMapping[tuple, object] | None = None,
    tiling: ImcMapping | None = None,
) -> LayerStats:
    """Count cycles and actions of ``layer`` on ``spec``.

    Parameters
    ----------
    weights
        int8 (G * K, C, R, S) ternary/binary weights for conv/linear layers, else None.
    data_mapping
        Pins the layer's data mapping (its tiling is still searched); else the spec decides.
    memo
        Mapping searches (:func:`hwsim.mapping.imc.map_candidates`), and without zero
        skipping the counts, to share between the layers of one network on ``spec``; each
        layer leaves its weights' non-zero count there.
    tiling
        Runs one group of the layer with exactly this tiling instead of searching one.
    """
    if layer.kind in WEIGHTED_KINDS:
        quant = layer.weight_quant
        if quant is not None and quant.kind in (QuantKind.INT, QuantKind.FLOAT):
            hint = " (quantize them: --set workload.quantize=ternary or binary)"
            raise MappingError(
                f"layer '{layer.name}': {quant.label} weights cannot run on IMC arch '{spec.name}', which adds "
                f"activations for ternary or binary weights only{hint}"
            )
        if weights is None:
            raise SimulationError(f"layer '{layer.name}': no weights to simulate")
        packed = sparse_skip.pack_nonzeros(weights) if spec.skip_unit.zero_skip else None
        # the packed flags' counts are the non-zeros: no second pass over the weights
        nonzero = int(packed.running[:, -1].sum()) if packed is not None else int(np.count_nonzero(weights))
        if memo is not None:  # the network's measured sparsity sums them (hwsim.sim.imc.network)
            memo[("nonzeros", layer.name)] = nonzero
        density = nonzero / weights.size if spec.skip_unit.zero_skip else 1.0
        # a grouped layer is tiled like one of its groups; the groups' units share the subarrays
        group = layer if layer.G == 1 else replace(layer, G=1)
        if tiling is not None:
            candidates = (check_tiling(group, spec, tiling),)
        else:
            candidates = map_candidates(group, spec, density, data_mapping=data_mapping, memo=memo)
        fraction = nonzero / weights.size
        # without zero skipping the count does not depend on the weight values: equal layers share it
        shape = (layer.output_pixels, layer.K, layer.reduction, layer.G, layer.act_bits)
        key = None if spec.skip_unit.zero_skip or memo is None else ("counted", shape, candidates)
        if key is not None and key in memo:
            return replace(memo[key], name=layer.name, kind=layer.kind.value, macs=layer.macs,
                           nonzero_weight_fraction=fraction)
        empties: dict[int, object] = {}  # counts of empty chunks, shared by the candidates
        works: dict[tuple[int, int], tuple] = {}  # and their work, by (chunk, part) length
        issued = nonzero if spec.skip_unit.zero_skip else weights.size
        prices = energy_table_pj(spec)
        can_skip = min(prices.values(), default=0.0) >= 0.0  # then a cost only grows with every count
        chosen, best_cost = None, 0.0
        for m in candidates:
            # the first of equal costs wins (best_counted): a later tiling that cannot cost less is not counted
            if chosen is not None and can_skip and _cost_floor(layer, m, spec, issued, prices) >= best_cost:
                continue
            counted = _count_tiling(layer, packed, m, spec, empties, works,
                                    None if chosen is None or not can_skip else (best_cost, issued, prices))
            if counted is None:  # its additions alone already cost at least as much
                continue
            cost = tiling_cost(counted.cycles, counted.counts, spec, prices)
            if chosen is None or cost < best_cost:
                chosen, best_cost = counted, cost
        best = _layer_stats(layer, chosen, fraction)
        if key is not None:
            memo[key] = best
        return best
    if layer.kind is LayerKind.MATMUL:
        return not_priced_stats(layer.name, layer.kind.value, f"IMC arch '{spec.name}' stores weights in memory and "
                                "has no multiplier for a product of two activations", macs=layer.macs)
    if layer.kind is LayerKind.VECTOR:
        from hwsim.sim.vector import simulate_vector_layer  # only networks with vector layers pay its import

        return simulate_vector_layer(layer, spec.vector_unit, spec.name)
    return _elementwise_layer(layer, spec)


def _weighted_layer(layer: Layer, packed: sparse_skip.PackedNonzeros | None, m: ImcMapping, spec: ImcSpec,
                    nonzero_fraction: float, empties: dict[int, object] | None = None,
                    works: dict[tuple[int, int], tuple] | None = None) -> LayerStats:
    """The stats of ``layer`` with tiling ``m`` (:func:`_count_tiling`)."""
    return _layer_stats(layer, _count_tiling(layer, packed, m, spec, empties, works), nonzero_fraction)


@dataclass(frozen=True)
class _Counted:
    """One tiling's exact count: what the choice between tilings weighs, and the rest of its stats."""

    m: ImcMapping
    cycles: int
    compute_cycles: int
    other_cycles: int
    counts: dict[str, int]
    utilization: float
    used: int
    busy_total: int
    column_adds: int
    skipped: int


def _count_tiling(layer: Layer, packed: sparse_skip.PackedNonzeros | None, m: ImcMapping, spec: ImcSpec,
                  empties: dict[int, object] | None = None, works: dict[tuple[int, int], tuple] | None = None,
                  to_beat: tuple[float, int, dict[str, float]] | None = None) -> _Counted | None:
    """``m`` tiles one group; the G groups' work units are dealt to the subarrays together.

    ``packed`` holds the weights' non-zero flags (None without zero skipping: every weight
    is issued).  ``works`` keeps the per-(K, part) work of tilings with the same chunk length
    and chunks per part (they differ only in their channel groups) for the next candidate.
    ``to_beat`` (the best cost so far, the layer's issued additions, the prices): the chunks'
    empty counts are taken only if the additions alone, dealt like the units, cost less;
    else None.
    """
    sa = spec.sense_amp
    groups = layer.G
    red = layer.reduction
    # every part but the last holds whole chunks (only the last chunk is short)
    part_len, parts = m.chunks_per_part * m.chunk_len, -(-m.n_chunks // m.chunks_per_part)
    load = np.full(parts, part_len * layer.act_bits * spec.subarray.row_write_cycles, dtype=np.int64)
    load[-1] = (red - (parts - 1) * part_len) * layer.act_bits * spec.subarray.row_write_cycles
    readout = m.add_bits * spec.subarray.row_read_cycles  # one accumulator
    copies = 1 if m.data_mapping is DataMapping.WEIGHT_STATIONARY else m.pixel_tiles
    # the same per-chunk work the RTL dot engine is checked against, summed per (K, part)
    cached = None if works is None else works.get((m.chunk_len, m.chunks_per_part))
    if cached is None:
        chunk_lens = np.full(m.n_chunks, m.chunk_len, dtype=np.int32)
        chunk_lens[-1] = red - (m.n_chunks - 1) * m.chunk_len
        act_max = (1 << layer.act_bits) - 1
        additions = None
        if to_beat is not None and packed is not None:
            additions = ternary_dot_engine.part_additions(sa, spec.skip_unit, packed, chunk_lens, m.chunks_per_part,
                                                          act_max, red)
            if additions is not None:
                # a scan wait only lengthens an item, and a longer unit never shortens the busiest
                # subarray (its units are ranked): this is a floor of the count's cost
                best_cost, issued, prices = to_beat
                _, busiest, _ = deal_busiest(
                    _unit_cycles(m, additions.item_cycles.reshape(groups, layer.K, -1), load, readout),
                    spec.subarrays, copies=copies)
                counts, bus_cycles, _, reduction_cycles = _tiling_counts(layer, m, spec, additions.bit_steps, issued)
                if tiling_cost(max(busiest, bus_cycles) + reduction_cycles, counts, spec, prices) >= best_cost:
                    return None
        work = ternary_dot_engine.chunk_work(sa, spec.skip_unit, packed, chunk_lens, m.chunks_per_part, act_max, red,
                                             layer.out_channels, per_part=True, memo=empties, additions=additions)
        cached = work, int(work.ops.sum(dtype=np.int64)), int(work.adder_cycles.sum(dtype=np.int64))
        if works is not None:
            works[(m.chunk_len, m.chunks_per_part)] = cached
    work, issued, adder_total = cached
    bit_steps, item = work.bit_steps, work.item_cycles

    if packed is None and m.data_mapping is DataMapping.WEIGHT_STATIONARY:
        # without zero skipping every channel issues the same work: its units sort as one
        # channel's units, each repeated once per channel
        unit_row = m.pixel_tiles * (load + item[0].astype(np.int64) + readout)
        used, compute_cycles, busy_total = deal_busiest(unit_row, spec.subarrays, copies=groups * layer.K)
    else:
        used, compute_cycles, busy_total = deal_busiest(
            _unit_cycles(m, item.reshape(groups, layer.K, -1), load, readout), spec.subarrays, copies=copies)

    pixels = layer.output_pixels
    counts, bus_cycles, reduction_adds, reduction_cycles = _tiling_counts(layer, m, spec, bit_steps, issued)

    # the interconnect drains partial sums while the subarrays compute (separate hardware),
    # so only the part of the transfer that outlasts the compute phase adds latency
    other = max(0, bus_cycles - compute_cycles) + reduction_cycles
    cycles = compute_cycles + other
    useful = pixels * adder_total + reduction_adds * ternary_adder.addition_cycles(sa, m.out_bits)
    utilization = useful / (spec.subarrays * spec.subarray.cols * cycles) if cycles else 0.0
    return _Counted(m, cycles, compute_cycles, other, counts, float(utilization), used, busy_total,
                    pixels * issued, pixels * (layer.out_channels * red - issued))


_ACT_LOADS = {  # how many times each activation of a group is written into a subarray, by what a unit is
    DataMapping.WEIGHT_STATIONARY: lambda m, k: k,
    DataMapping.OUTPUT_STATIONARY: lambda m, k: k,
    DataMapping.INPUT_STATIONARY: lambda m, k: 1,
    DataMapping.COMBINED_STATIONARY: lambda m, k: m.k_groups,
}


def _tiling_counts(layer: Layer, m: ImcMapping, spec: ImcSpec, bit_steps: int,
                   issued: int) -> tuple[dict[str, int], int, int, int]:
    """The actions of ``layer`` with tiling ``m`` that issues ``issued`` additions over ``bit_steps``
    bit positions per column; and the transfer, reduction additions and reduction cycles the tiling sets."""
    sa = spec.sense_amp
    red = layer.reduction
    pixels = layer.output_pixels
    outputs = pixels * layer.out_channels
    mapping = m.data_mapping
    cells_loaded = layer.G * pixels * red * layer.act_bits * _ACT_LOADS[mapping](m, layer.K)
    cells_read = outputs * m.parts * m.add_bits
    bus_cycles = -(-cells_read // (spec.interconnect.width_bits * spec.banks))
    reduction_adds = outputs * (m.parts - 1)
    actions, step_cycles, preset_cycles = _micro_op_actions(sa)
    reduction_cycles = 0
    if reduction_adds:
        rounds = -(-reduction_adds // (spec.subarrays * spec.subarray.cols))
        reduction_cycles = rounds * (m.out_bits * step_cycles + preset_cycles)  # ternary_adder.addition_cycles

    # ternary_adder.accumulation_action_counts for the column additions, then addition_action_counts
    # for the reduction's, by action in the sense amplifier's order
    column_adds = pixels * issued
    column_bits = pixels * bit_steps
    counts: dict[str, int] = {}
    for action, per_bit, per_add in actions:
        counts[action] = column_bits * per_bit + column_adds * per_add + reduction_adds * (m.out_bits * per_bit + per_add)
    counts["subarray.row_write"] = cells_loaded
    counts["subarray.row_read"] = cells_read
    counts["interconnect.transfer"] = cells_loaded + cells_read
    total_weights = layer.out_channels * red
    weight_reads = total_weights * (1 if mapping is DataMapping.WEIGHT_STATIONARY else m.pixel_tiles)
    counts["weight_buffer.read"] = 2 * weight_reads
    counts["skip_unit.scan"] = m.pixel_tiles * total_weights
    return counts, bus_cycles, reduction_adds, reduction_cycles


@lru_cache(maxsize=64)  # a frozen spec hashes by value
def _micro_op_actions(sa: SenseAmpSpec) -> tuple[tuple[tuple[str, int, int], ...], int, int]:
    """(action, executions per bit position, per addition) of ``sa``'s micro-ops, first seen first:
    the order and numbers of :func:`ternary_adder.accumulation_action_counts`; and the cycles of
    a bit position and of the carry preset (:func:`ternary_adder.bit_step_cycles`,
    :func:`ternary_adder.carry_init_cycles`)."""
    per_bit = Counter(micro.op for micro in sa.micro_ops)
    if sa.carry_rows:
        per_bit[MicroOp.WRITE_CARRY] += 0  # the carry preset: one per addition
    carry = MicroOp.WRITE_CARRY if sa.carry_rows else None
    return (tuple((MICRO_OP_ACTION[op], n, int(op is carry)) for op, n in per_bit.items()),
            ternary_adder.bit_step_cycles(sa), ternary_adder.carry_init_cycles(sa))


def _cost_floor(layer: Layer, m: ImcMapping, spec: ImcSpec, issued: int, prices: dict[str, float]) -> float:
    """A cost (:func:`hwsim.mapping.imc.tiling_cost`) that counting ``m`` exactly cannot beat, from
    the tiling and the layer's count of issued additions alone.

    Bit steps: the running widths never shrink (``bit_step_table`` is convex), so the ``issued``
    additions spread evenly over every (channel, part) sum process the fewest.  Cycles: the busiest
    subarray has at least the mean of the dealt units, whose sum needs no weights but those bit
    steps (a chunk waiting for its scan only adds).  Every count is at least its floor, and a
    price is never negative, so the floors' cost is at most the count's.
    """
    groups, k, red = layer.G, layer.K, layer.reduction
    parts = -(-m.n_chunks // m.chunks_per_part)
    table = ternary_adder.bit_step_table(red, (1 << layer.act_bits) - 1)
    sums = groups * k * parts
    q, r = divmod(issued, sums)
    bit_steps = (sums - r) * int(table[q]) + (r * int(table[q + 1]) if r else 0)
    counts, bus_cycles, _, reduction_cycles = _tiling_counts(layer, m, spec, bit_steps, issued)
    _, step_cycles, preset_cycles = _micro_op_actions(spec.sense_amp)
    items = step_cycles * bit_steps + preset_cycles * issued
    loads = red * layer.act_bits * spec.subarray.row_write_cycles  # over all parts
    readout = m.add_bits * spec.subarray.row_read_cycles
    total = m.pixel_tiles * (groups * _ACT_LOADS[m.data_mapping](m, k) * loads + items + sums * readout)
    units = {
        DataMapping.WEIGHT_STATIONARY: sums,
        DataMapping.INPUT_STATIONARY: groups * parts * m.pixel_tiles,
        DataMapping.OUTPUT_STATIONARY: groups * k * m.pixel_tiles,
        DataMapping.COMBINED_STATIONARY: groups * m.k_groups * parts * m.pixel_tiles,
    }[m.data_mapping]
    compute = -(-total // max(1, min(units, spec.subarrays)))
    return tiling_cost(max(compute, bus_cycles) + reduction_cycles, counts, spec, prices)


def _layer_stats(layer: Layer, c: _Counted, nonzero_fraction: float) -> LayerStats:
    m = c.m
    return LayerStats(
        name=layer.name,
        kind=layer.kind.value,
        cycles=c.cycles,
        compute_cycles=c.compute_cycles,
        other_cycles=c.other_cycles,
        counts=MappingProxyType(c.counts),
        utilization=c.utilization,
        macs=layer.macs,
        nonzero_weight_fraction=nonzero_fraction,
        mapping=m.describe() + f", {c.used} subarrays" + (f", {layer.G} groups" if layer.G > 1 else ""),
        extra=MappingProxyType(
            {
                "data_mapping": m.data_mapping.value,
                "mapping_source": m.source,
                "additions_issued": float(c.column_adds),
                "additions_skipped": float(c.skipped),
                "busiest_subarray_cycles": float(c.compute_cycles),
                "mean_subarray_cycles": float(c.busy_total / c.used),
                "subarrays_used": float(c.used),
                "rows_used": float(m.rows_used),
                "cols_used": float(m.tile_cols),
                "reduction_parts": float(m.parts),
                # the tiling's free choices (hwsim.mapping.imc.tiling_of rebuilds it from them)
                "chunk_len": float(m.chunk_len),
                "chunks_per_part": float(m.chunks_per_part),
                "k_per_group": float(m.k_per_group),
            }
        ),
    )


def _unit_cycles(m: ImcMapping, item: np.ndarray, load: np.ndarray, readout: int) -> np.ndarray:
    """Cycles of every work unit of one pixel tile (weight-stationary: of all tiles), to be dealt
    to the subarrays once per pixel tile (weight-stationary: once).

    ``item`` is (groups, K, parts): one channel's additions over one reduction part; ``load``
    the row writes of a part's activations.  A unit never spans two groups, whose
    activations differ.
    """
    if m.data_mapping is DataMapping.WEIGHT_STATIONARY:
        return (m.pixel_tiles * (load + item.astype(np.int64) + readout)).ravel()  # unit (group, k, chunk)
    if m.data_mapping is DataMapping.INPUT_STATIONARY:
        unit = load + (item + readout).sum(axis=1, dtype=np.int64)  # unit (tile, group, chunk)
    elif m.data_mapping is DataMapping.OUTPUT_STATIONARY:
        unit = load[0] + item[:, :, 0].astype(np.int64) + readout  # unit (tile, group, k)
    else:
        k = item.shape[1]
        # (groups, k-groups, parts)
        per_group = np.add.reduceat(item, np.arange(0, k, m.k_per_group), axis=1, dtype=np.int64)
        k_in_group = np.full(per_group.shape[1], m.k_per_group, dtype=np.int64)
        k_in_group[-1] = k - (per_group.shape[1] - 1) * m.k_per_group
        unit = per_group + load + (k_in_group * readout)[:, np.newaxis]  # unit (tile, group, k-group, part)
    return unit.ravel()


def _add_micro_ops(counts: Counter[str], sa, column_adds: int, width_bits: int) -> None:
    if not column_adds:
        return
    for op, n in ternary_adder.addition_action_counts(sa, width_bits).items():
        counts[MICRO_OP_ACTION[op]] += column_adds * n


def _elementwise_layer(layer: Layer, spec: ImcSpec) -> LayerStats:
    act_max = (1 << layer.act_bits) - 1
    if layer.kind is LayerKind.ADD:
        operands = len(layer.inputs)
        width = signed_bits(operands * act_max)
        adds = layer.output_elements * (operands - 1)
    elif layer.kind in (LayerKind.AVGPOOL, LayerKind.MAXPOOL):
        window = layer.R * layer.S
        # max pooling compares by subtraction; the winner's copy is not modelled
        width = signed_bits(window * act_max) if layer.kind is LayerKind.AVGPOOL else signed_bits(act_max)
        adds = layer.output_elements * (window - 1)
    else:
        raise SimulationError(f"layer '{layer.name}': kind '{layer.kind.value}' is not supported on IMC")
    columns = spec.subarrays * spec.subarray.cols
    add_cycles = ternary_adder.addition_cycles(spec.sense_amp, width)
    rounds = -(-adds // columns)
    cycles = rounds * add_cycles
    counts: Counter[str] = Counter()
    _add_micro_ops(counts, spec.sense_amp, adds, width)
    return LayerStats(
        name=layer.name,
        kind=layer.kind.value,
        cycles=int(cycles),
        compute_cycles=int(cycles),
        other_cycles=0,
        counts=MappingProxyType(dict(counts)),
        utilization=float(adds * add_cycles / (columns * cycles)) if cycles else 0.0,
        macs=0,
        nonzero_weight_fraction=None,
        mapping=f"element-wise: {adds} additions of {width} b over {columns} columns",
    )
