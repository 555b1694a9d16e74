"""DRAM traffic and memory stalls of one layer: SRAM capacity, double buffering, bandwidth.

hwsim's own model (SCALE-Sim's buffer state machine is not reproduced; docs/systolic.md
says where the two differ):

* An operand whose distinct words fit in its buffer's working part (half of it when double
  buffered) is fetched from DRAM once; otherwise it is fetched again for every pass the
  array makes over it, i.e. as often as the SRAM reads it (``FoldSchedule.sram_accesses``
  divided by its im2col size), at least once.
* The first working part is filled before the layer starts (a prologue SCALE-Sim also keeps
  out of its cycle count), and the ofmap's last part drains after it.  The rest moves at the
  buffer's DRAM bandwidth.  Double buffered, that transfer overlaps compute and stalls the
  array only by what exceeds the compute cycles; single buffered, the array waits for all of
  it.  The three buffers have their own interfaces, so the layer stalls by the worst one.
* ``calc`` bandwidth never stalls (SCALE-Sim's CALC mode).

With ``buffer_model: scalesim`` and numeric bandwidths, the stall cycles instead come from
SCALE-Sim's buffer policy replayed cycle by cycle (:mod:`.scalesim_buffers`); the DRAM word
counts stay this module's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np

from hwsim.sim.systolic.folds import FoldSchedule, GemmShape
from hwsim.sim.systolic.dataflow import AxisAssignment, Operand
from hwsim.spec.systolic import CALC, BufferModel, SystolicSpec
from hwsim.workload.layers import Layer


@dataclass(frozen=True)
class MemoryTraffic:
    """Words moved between DRAM and each SRAM (ifmap/filter read, ofmap written) and the stalls."""

    dram_words: Mapping[Operand, float]
    stall_cycles: int
    stall_cycles_by_operand: Mapping[Operand, int]


def distinct_words(layer: Layer, shape: GemmShape, operand: Operand, ifmap_hw: tuple[int, int] | None = None) -> int:
    """Distinct elements of an operand (one group): the ifmap pixels its windows touch, not its im2col form.

    ``ifmap_hw`` clips windows that overhang the ifmap (SCALE-Sim topologies).
    """
    if operand is Operand.FILTER:
        return shape.N * shape.K
    if operand is Operand.OFMAP:
        return shape.M * shape.N
    rows_touched = _lines_touched(layer.P, layer.R, layer.stride[0], layer.dilation[0])
    cols_touched = _lines_touched(layer.Q, layer.S, layer.stride[1], layer.dilation[1])
    if ifmap_hw is not None:
        rows_touched, cols_touched = min(rows_touched, ifmap_hw[0]), min(cols_touched, ifmap_hw[1])
    return layer.N * layer.C * rows_touched * cols_touched


def _lines_touched(outputs: int, taps: int, stride: int, dilation: int) -> int:
    """Distinct input rows (or cols) that ``outputs`` windows of ``taps`` taps read."""
    if dilation == 1:  # the closed form: disjoint windows, or one overlapping run
        return outputs * taps if stride >= taps else (outputs - 1) * stride + taps
    lines = np.arange(outputs)[:, None] * stride + np.arange(taps)[None, :] * dilation
    return int(np.unique(lines).size)


def working_words(spec: SystolicSpec, operand: Operand) -> int:
    """Words of ``operand``'s SRAM that serve the array (half of it when double buffered)."""
    size_kb = {Operand.IFMAP: spec.sram.ifmap_kb, Operand.FILTER: spec.sram.filter_kb, Operand.OFMAP: spec.sram.ofmap_kb}
    return spec.sram_words(size_kb[operand]) // (2 if spec.sram.double_buffered else 1)


def analytic_stall_cycles(dram_words: Mapping[Operand, int], spec: SystolicSpec,
                          compute_cycles: int) -> dict[Operand, int]:
    """Stall cycles each buffer's DRAM interface causes when it moves ``dram_words`` in a layer.

    The first working part moves before the layer starts; the rest at the buffer's words per
    cycle, hidden under ``compute_cycles`` when double buffered.  ``calc`` never stalls.
    """
    bandwidth = {
        Operand.IFMAP: spec.dram.ifmap_words_per_cycle,
        Operand.FILTER: spec.dram.filter_words_per_cycle,
        Operand.OFMAP: spec.dram.ofmap_words_per_cycle,
    }
    stalls: dict[Operand, int] = {}
    for operand, words in dram_words.items():
        bw = bandwidth[operand]
        if bw == CALC:
            stalls[operand] = 0
            continue
        transfer_cycles = math.ceil(max(0, words - working_words(spec, operand)) / bw)
        hidden = compute_cycles if spec.sram.double_buffered else 0
        stalls[operand] = max(0, transfer_cycles - hidden)
    return stalls


def memory_traffic(layer: Layer, shape: GemmShape, assignment: AxisAssignment, folds: FoldSchedule,
                   spec: SystolicSpec, ifmap_hw: tuple[int, int] | None = None,
                   scale: Mapping[Operand, float] | None = None) -> MemoryTraffic:
    """DRAM words and stall cycles of ``layer`` folded as ``folds`` on ``spec``.

    ``ifmap_hw``: the ifmap's (height, width) when windows may overhang it, else None.
    ``scale``: words one element of each operand fills (its width over the word's; 1 when
    absent).  The ``scalesim`` buffer replay keeps SCALE-Sim's one word per element.
    """
    dram: dict[Operand, float] = {}
    for operand in Operand:
        working = working_words(spec, operand)
        s = 1.0 if scale is None else scale[operand]
        unique = distinct_words(layer, shape, operand, ifmap_hw) * s
        passes = max(1, folds.sram_accesses[operand] // shape.operand_words(operand))
        dram[operand] = unique if (unique <= working or operand is Operand.OFMAP) else unique * passes
        if s == 1.0:
            dram[operand] = int(dram[operand])
    stalls = analytic_stall_cycles(dram, spec, folds.compute_cycles)
    stall_cycles = max(stalls.values())
    if spec.buffer_model is BufferModel.SCALESIM and not spec.dram.is_calc:
        stall_cycles = scalesim_stall_cycles(layer, shape, assignment, folds, spec, ifmap_hw)
    return MemoryTraffic(
        dram_words=MappingProxyType(dram),
        stall_cycles=stall_cycles,
        stall_cycles_by_operand=MappingProxyType(stalls),
    )


def scalesim_stall_cycles(layer: Layer, shape: GemmShape, assignment: AxisAssignment, folds: FoldSchedule,
                          spec: SystolicSpec, ifmap_hw: tuple[int, int] | None = None) -> int:
    """Stall cycles of SCALE-Sim's buffer policy on this layer (USER bandwidth mode)."""
    from hwsim.sim.systolic import demand
    from hwsim.sim.systolic.scalesim_buffers import service_layer

    rows, cols = spec.array.rows, spec.array.cols
    streams = [demand.input_demand(layer, shape, assignment, folds, op, rows, cols, ifmap_hw) for op in (Operand.IFMAP, Operand.FILTER)]
    orders = [demand.prefetch_order(layer, shape, assignment, op, rows, cols, ifmap_hw) for op in (Operand.IFMAP, Operand.FILTER)]
    ofmap_words = demand.ofmap_words_per_line(shape, assignment, folds, rows, cols)
    sizes = (spec.sram_words(spec.sram.ifmap_kb), spec.sram_words(spec.sram.filter_kb), spec.sram_words(spec.sram.ofmap_kb))
    bandwidths = (int(spec.dram.ifmap_words_per_cycle), int(spec.dram.filter_words_per_cycle),
                  int(spec.dram.ofmap_words_per_cycle))
    _, stalls = service_layer(streams[0], streams[1], ofmap_words, orders[0], orders[1], sizes, bandwidths)
    return stalls
