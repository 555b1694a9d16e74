"""The ``fold`` buffer model: stalls and prefetch of the fold buffers hwsim's RTL array has.

``hwsim rtl generate systolic_array`` builds, per input, one fold buffer (two when the spec
double-buffers its SRAMs) holding one fold's lines, refilled from DRAM at the spec's words
per cycle while the fold before runs, and output tiles drained the same way
(:mod:`hwsim.sim.blocks.systolic_array`).  With ``buffer_model: fold`` the engine takes a
layer's stall cycles (the gaps between folds) and its prefetch cycles (before the first
fold, after the last) from that machine, so that the engine's cycles are the RTL's, cycle
for cycle.  One element moves as one word (the RTL's streams carry elements), as with
SCALE-Sim's buffer replay.  The elements DRAM moves are the RTL's too: every fold reloads
its operands (:func:`fold_traffic`); they are priced in the spec's words like every other
count (a 2-bit weight fills a quarter of an 8-bit word), while the timing moves one element
per lane and beat.
"""

from __future__ import annotations

from hwsim.sim.blocks.systolic_array import (LayerCommand, LayerTiming, layer_timing, side_of_operand,
                                             streamed_words)
from hwsim.sim.systolic.dataflow import AxisAssignment, Operand
from hwsim.sim.systolic.folds import FoldSchedule, GemmShape
from hwsim.spec.systolic import CALC, SystolicSpec


def words_per_beat(spec: SystolicSpec) -> dict[str, int]:
    """Words each DRAM stream moves per cycle (``ifmap``, ``filter``, ``ofmap``).

    A beat moves at most one buffer line (the widest a buffer's write port is); ``calc``
    moves a whole line.
    """
    sides = side_of_operand(spec.dataflow)
    lanes = {"left": spec.array.rows, "top": spec.array.cols}
    line = {"ifmap": lanes[sides["ifmap"]], "filter": lanes[sides["filter"]], "ofmap": spec.array.cols}
    return {k: line[k] if v == CALC else min(int(v), line[k]) for k, v in spec.dram.by_stream().items()}


def fold_traffic(shape: GemmShape, assignment: AxisAssignment, folds: FoldSchedule,
                 spec: SystolicSpec) -> tuple[LayerTiming, dict[Operand, int]]:
    """One layer (one group) on the RTL's buffers: every fold's start and the last output beat,
    and the elements its DRAM streams move per operand."""
    cmd = LayerCommand.of(shape, assignment, folds)
    sides = side_of_operand(spec.dataflow)
    beat = words_per_beat(spec)
    side_words = {sides[name]: beat[name] for name in ("ifmap", "filter")}
    timing = layer_timing(spec.dataflow, cmd, bandwidth_left=side_words["left"], bandwidth_top=side_words["top"],
                          bandwidth_out=beat["ofmap"], halves=spec.sram.halves)
    words = streamed_words(spec.dataflow, cmd)
    return timing, {Operand.IFMAP: words[sides["ifmap"]], Operand.FILTER: words[sides["filter"]],
                    Operand.OFMAP: words["out"]}
