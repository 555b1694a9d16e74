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

With ``buffer_model: scalesim`` the stall and prefetch cycles instead come from SCALE-Sim's
buffer policy replayed cycle by cycle (:mod:`.scalesim_memory`); the DRAM word counts stay
this module's.  With ``buffer_model: fold`` they, and the DRAM words, come from the RTL array's fold
buffers (:mod:`.fold_buffers`), which reload every fold's operands.
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
    prefetch_cycles: int  # before and after ``cycles``: first fill, last drain (see analytic_prefetch_cycles)


def distinct_words(layer: Layer, shape: GemmShape, operand: Operand, ifmap_hw: tuple[int, int] | None = None) -> int:
    """Distinct elements of an operand (one group): the ifmap pixels its windows touch, not its im2col form.

    ``ifmap_hw`` clips windows that overhang the ifmap (SCALE-Sim topologies).
    """
    if operand is Operand.FILTER:
        return shape.N * shape.K
    if operand is Operand.OFMAP:
        return shape.M * shape.N
    height, width = ifmap_hw if ifmap_hw is not None else (None, None)
    rows_touched = _lines_touched(layer.P, layer.R, layer.stride[0], layer.dilation[0], height)
    cols_touched = _lines_touched(layer.Q, layer.S, layer.stride[1], layer.dilation[1], width)
    return layer.N * layer.C * rows_touched * cols_touched


def _lines_touched(outputs: int, taps: int, stride: int, dilation: int, limit: int | None = None) -> int:
    """Distinct input rows (or cols) below ``limit`` that ``outputs`` windows of ``taps`` taps read."""
    if dilation == 1 and stride < taps:  # the closed form: one overlapping run
        run = (outputs - 1) * stride + taps
        return run if limit is None else min(run, limit)
    if dilation == 1 and limit is None:  # disjoint windows
        return outputs * taps
    # Gaps between windows (or taps), and an overhanging last window may hold some: count them.
    lines = np.unique(np.arange(outputs)[:, None] * stride + np.arange(taps)[None, :] * dilation)
    return int(lines.size if limit is None else np.count_nonzero(lines < limit))


def working_words(spec: SystolicSpec, operand: Operand) -> int:
    """Words of ``operand``'s SRAM that serve the array (half of it when double buffered)."""
    size_kb = {Operand.IFMAP: spec.sram.ifmap_kb, Operand.FILTER: spec.sram.filter_kb, Operand.OFMAP: spec.sram.ofmap_kb}
    return spec.sram_words(size_kb[operand]) // spec.sram.halves


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


def analytic_prefetch_cycles(dram_words: Mapping[Operand, float], spec: SystolicSpec) -> int:
    """Cycles outside ``cycles`` in hwsim's model: the first fill before the layer, the last drain after.

    The ifmap and filter buffers fill their first working part over their own interfaces at
    once (the slower sets the prologue); the ofmap's last working part drains afterwards.
    ``calc`` moves words in no time.  SCALE-Sim's "Total Cycles (incl. prefetch)" counts
    the same two phases with its own policy (:mod:`.scalesim_memory`).
    """
    def transfer(operand: Operand, bandwidth: float | str) -> int:
        if bandwidth == CALC:
            return 0
        return math.ceil(min(dram_words[operand], working_words(spec, operand)) / bandwidth)

    fill = max(transfer(Operand.IFMAP, spec.dram.ifmap_words_per_cycle),
               transfer(Operand.FILTER, spec.dram.filter_words_per_cycle))
    return fill + transfer(Operand.OFMAP, spec.dram.ofmap_words_per_cycle)


def memory_traffic(layer: Layer, shape: GemmShape, assignment: AxisAssignment, folds: FoldSchedule,
                   spec: SystolicSpec, ifmap_hw: tuple[int, int] | None = None,
                   scale: Mapping[Operand, float] | None = None) -> MemoryTraffic:
    """DRAM words, stall and prefetch cycles of ``layer`` (one group) folded as ``folds`` on ``spec``.

    ``ifmap_hw``: the ifmap's (height, width) when windows may overhang it, else None.
    ``scale``: words one element of each operand fills (its width over the word's; 1 when
    absent).  The ``scalesim`` buffer replay keeps SCALE-Sim's one word per element.
    """
    if spec.buffer_model is BufferModel.FOLD:  # the RTL's fold buffers: their own words and timing
        from hwsim.sim.systolic.fold_buffers import fold_traffic

        timing, streamed = fold_traffic(shape, assignment, folds, spec)
        dram = {op: streamed[op] if scale is None or scale[op] == 1.0 else streamed[op] * scale[op] for op in Operand}
        return MemoryTraffic(dram_words=MappingProxyType(dram), stall_cycles=timing.stall_cycles,
                             prefetch_cycles=timing.before_cycles + timing.after_cycles)
    dram: dict[Operand, float] = {}
    for operand in Operand:
        working = working_words(spec, operand)
        s = 1.0 if scale is None else scale[operand]
        unique = distinct_words(layer, shape, operand, ifmap_hw) * s
        passes = max(1, folds.sram_accesses[operand] // shape.operand_words(operand))
        dram[operand] = unique if (unique <= working or operand is Operand.OFMAP) else unique * passes
        if s == 1.0:
            dram[operand] = int(dram[operand])
    if spec.buffer_model is BufferModel.SCALESIM:
        from hwsim.sim.systolic.scalesim_memory import scalesim_memory  # it imports this module

        replayed = scalesim_memory(layer, shape, assignment, folds, spec, ifmap_hw)
        stall_cycles, prefetch_cycles = replayed.stall_cycles, replayed.prefetch_cycles
    else:
        stall_cycles = max(analytic_stall_cycles(dram, spec, folds.compute_cycles).values())
        prefetch_cycles = analytic_prefetch_cycles(dram, spec)
    return MemoryTraffic(
        dram_words=MappingProxyType(dram),
        stall_cycles=stall_cycles,
        prefetch_cycles=prefetch_cycles,
    )
