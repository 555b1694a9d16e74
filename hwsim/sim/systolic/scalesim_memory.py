"""One layer through SCALE-Sim v3's memory system: its stall cycles and its prefetch cycles.

SCALE-Sim's COMPUTE_REPORT has two totals per layer.  "Total Cycles" runs from the array's
first line (cycle 0) to its last ofmap write into the SRAM; "Total Cycles (incl. prefetch)"
runs from the first DRAM read of the ifmap or filter buffer (before cycle 0: the first fill
of the buffers) to the last DRAM write of the ofmap buffer (after the last line: the final
drain).  ``prefetch_cycles`` is their difference, computed here as SCALE-Sim does:

* the last ofmap DRAM write comes from replaying the ofmap buffer (:mod:`.scalesim_buffers`,
  or :mod:`.scalesim_drain` in CALC mode, where it drains at the array's width in words per
  cycle and nothing else stalls);
* USER mode: a read buffer's first fill moves ``min(half the buffer, its prefetch matrix)``
  in lines of ``bandwidth`` words, one per cycle, ending at cycle -1;
* CALC mode: the read buffers only estimate bandwidth, in sets of ``floor(size / 100)``
  words at 10 words per cycle.  Once half the buffer's worth of sets has been asked for, the
  first fill is the prefetch half's sets, ending one cycle before the operand's first read;
  an operand that never fills half the buffer is fetched whole, ending at cycle -1.

A grouped layer (SCALE-Sim's depthwise "DP" rows: one layer per channel) runs its groups one
after another, each with emptied buffers, so its counts are G times one group's (the caller
multiplies).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hwsim.errors import SimulationError
from hwsim.limits import limit_text
from hwsim.sim.systolic import demand
from hwsim.sim.systolic.dataflow import AxisAssignment, Operand
from hwsim.sim.systolic.folds import FoldSchedule, GemmShape
from hwsim.sim.systolic.memory import distinct_words
from hwsim.sim.systolic.scalesim_drain import ACTIVE_FRACTION, SETS_PER_BUFFER, BufferReplay, drain_without_stalls
from hwsim.spec.systolic import SystolicSpec
from hwsim.workload.layers import Layer

# CALC mode: SCALE-Sim's read buffers estimate at 10 words per cycle ("arbitrary", its
# single_layer_sim.py) and its ofmap buffer drains at the array's width.
CALC_READ_WORDS_PER_CYCLE = 10
INPUTS = (Operand.IFMAP, Operand.FILTER)
# Entries of one replay array (int64): 1 GiB each, far above any layer SCALE-Sim itself runs.
MAX_REPLAY_ELEMENTS = 1 << 27


@dataclass(frozen=True)
class ScalesimMemory:
    """Stall and prefetch cycles of one group of a layer in SCALE-Sim's memory system."""

    stall_cycles: int
    prefetch_cycles: int


def user_read_start_cycle(size_words: int, bandwidth_words: int, prefetch_matrix_words: int) -> int:
    """Cycle of a USER-mode read buffer's first DRAM read: its first fill ends at cycle -1."""
    active_words = math.ceil(size_words * ACTIVE_FRACTION)
    lines = min(math.ceil(active_words / bandwidth_words), math.ceil(prefetch_matrix_words / bandwidth_words))
    return -lines


def calc_read_start_cycle(size_words: int, distinct: int, first_request_line: int) -> int:
    """Cycle of a CALC-mode read buffer's first DRAM read.

    ``distinct``: the operand's distinct words; ``first_request_line``: the line of its first
    read (CALC never stalls before it).
    """
    words_per_set = size_words // SETS_PER_BUFFER
    active_sets = int(ACTIVE_FRACTION * SETS_PER_BUFFER)
    if distinct >= active_sets * words_per_set:
        prefetch_sets = SETS_PER_BUFFER - active_sets
        return first_request_line - math.ceil(prefetch_sets * words_per_set / CALC_READ_WORDS_PER_CYCLE)
    sets = math.ceil(distinct / words_per_set)
    return -math.ceil(sets * words_per_set / CALC_READ_WORDS_PER_CYCLE)


def check_replay_size(layer: Layer, shape: GemmShape, folds: FoldSchedule, lanes: int, *, user: bool) -> None:
    """Refuse a layer whose replay arrays would exceed ``MAX_REPLAY_ELEMENTS`` before any is allocated.

    The replay holds one entry per array line (CALC) and, in USER mode, one address per line
    and lane plus the im2col address matrices of both inputs.
    """
    lines = folds.folds * folds.fold_cycles
    need = {"array lines": lines}
    if user:
        need.update({"line x lane addresses": lines * lanes, "ifmap addresses": shape.M * shape.K,
                     "filter addresses": shape.K * shape.N})
    what, largest = max(need.items(), key=lambda kv: kv[1])
    if largest > MAX_REPLAY_ELEMENTS:
        raise SimulationError(
            f"layer '{layer.name}': SCALE-Sim's buffer replay would hold {largest:,} {what}, more than the limit of "
            f"{limit_text(MAX_REPLAY_ELEMENTS)}; use --set buffer_model=analytic (the fold model's closed forms)")


def scalesim_memory(layer: Layer, shape: GemmShape, assignment: AxisAssignment, folds: FoldSchedule,
                    spec: SystolicSpec, ifmap_hw: tuple[int, int] | None = None) -> ScalesimMemory:
    """Stalls and prefetch cycles of one group of ``layer`` in SCALE-Sim's memory system.

    USER mode (numeric bandwidths) replays all three buffers; CALC mode only the ofmap buffer
    (SCALE-Sim's read buffers never stall there).
    """
    rows, cols = spec.array.rows, spec.array.cols
    check_replay_size(layer, shape, folds, max(rows, cols), user=not spec.dram.is_calc)
    sizes = tuple(spec.sram_words(kb) for kb in (spec.sram.ifmap_kb, spec.sram.filter_kb, spec.sram.ofmap_kb))
    ofmap_words = demand.ofmap_words_per_line(shape, assignment, folds, rows, cols)
    if spec.dram.is_calc:
        replay: BufferReplay | None = drain_without_stalls(ofmap_words, sizes[2], cols)
        if replay is None:  # the ofmap buffer stalls the array: replay it word by word (numba)
            from hwsim.sim.systolic.scalesim_buffers import drain_ofmap

            replay = drain_ofmap(ofmap_words, sizes[2], cols)
        starts = [
            calc_read_start_cycle(size, distinct_words(layer, shape, op, ifmap_hw),
                                  demand.first_request_line(shape, assignment, op, rows))
            for op, size in zip(INPUTS, sizes)
        ]
    else:
        from hwsim.sim.systolic.scalesim_buffers import service_layer  # numba: loaded only for USER mode

        bandwidths = (int(spec.dram.ifmap_words_per_cycle), int(spec.dram.filter_words_per_cycle),
                      int(spec.dram.ofmap_words_per_cycle))
        streams = [demand.input_demand(layer, shape, assignment, folds, op, rows, cols, ifmap_hw) for op in INPUTS]
        orders = [demand.prefetch_order(layer, shape, assignment, op, rows, cols, ifmap_hw) for op in INPUTS]
        replay = service_layer(streams[0], streams[1], ofmap_words, orders[0], orders[1], sizes, bandwidths)
        starts = [
            user_read_start_cycle(size, bw, demand.prefetch_matrix_words(shape, assignment, op, rows, cols))
            for op, size, bw in zip(INPUTS, sizes, bandwidths)
        ]
    prefetch = replay.ofmap_last_write_cycle - min(starts) - replay.total_cycles
    return ScalesimMemory(stall_cycles=replay.stall_cycles, prefetch_cycles=prefetch)
