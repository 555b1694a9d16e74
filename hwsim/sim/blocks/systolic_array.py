"""Cycle model of ``systolic_array``: the engine's folds, plus fold-level double buffering.

The RTL (``rtl/systolic_array.py``) runs one layer as the engine's folds
(:func:`hwsim.sim.systolic.folds.schedule_folds`): column fold outer, row fold inner, each
fold ``fold_cycles`` lines long (preload, stream, skew).  Around the array it keeps, per
input, ``H`` fold buffers (``H = 2`` when the spec double-buffers its SRAMs, else 1) that
its DRAM read streams fill fold by fold, and ``H`` output tiles that its DRAM write stream
drains.  This module predicts every event of that machine when the read streams deliver one
beat per cycle and the write stream takes one (a DRAM at the spec's words per cycle):

* a fold's buffer is filled with ``lines x ceil(used lanes / bandwidth)`` beats, starting
  when the buffer's previous fold (``H`` folds back) has ended and the stream has finished
  the fold before;
* a fold starts when both its buffers are filled (their last beat two cycles earlier), the
  fold before has ended, and the output tile it writes is free;
* an output tile (a column fold's sums under WS/IS, one fold under OS) drains
  ``lines x ceil(used cols / bandwidth)`` beats once complete, after the tile before it;
* a fold that cannot start when the one before ends stalls the array: the engine's stall
  cycles in this machine are the gaps between folds.

All times are cycle numbers counted from the cycle in which the layer's command is accepted
(cycle 0).  With ``calc`` bandwidth a buffer line moves in one beat, and nothing stalls
unless a fold is shorter than its own refill (a 1x1 array extent under OS); see
docs/rtl.md, "Systolic array".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hwsim.sim.systolic.dataflow import ASSIGNMENT_BY_DATAFLOW, AxisAssignment, GemmDim
from hwsim.spec.enums import Dataflow

if TYPE_CHECKING:
    from hwsim.sim.systolic.folds import FoldSchedule, GemmShape

NEVER = -(1 << 60)
"""A time before everything (``max`` with it changes nothing)."""


@dataclass(frozen=True)
class LayerCommand:
    """What the array's ``i_cmd`` stream carries for one layer (one group of it).

    ``rows_dim``, ``cols_dim``, ``time`` are the GEMM dimensions the dataflow puts on the
    array's rows, columns and in time; ``ext_rows`` x ``ext_cols`` is the part of the array
    each fold uses (the whole array without bypass, the engine's ``used_array`` with it).
    """

    rows_dim: int
    cols_dim: int
    time: int
    ext_rows: int
    ext_cols: int

    @staticmethod
    def of(shape: "GemmShape", assignment: AxisAssignment, schedule: "FoldSchedule") -> "LayerCommand":
        """One group of a GEMM as the engine folds it (``schedule``) under ``assignment``."""
        return LayerCommand(rows_dim=shape.size(assignment.rows), cols_dim=shape.size(assignment.cols),
                            time=shape.size(assignment.time), ext_rows=schedule.used_rows,
                            ext_cols=schedule.used_cols)


@dataclass(frozen=True)
class Fold:
    """One fold: its column and row fold index and the array part its data fills."""

    col: int
    row: int
    used_rows: int
    used_cols: int


@dataclass(frozen=True)
class LayerTiming:
    """Predicted events of one layer (cycle numbers; cycle 0 accepts the command).

    ``starts[f]`` is the first line of fold f, ``starts[f] + fold_cycles`` the cycle after its
    last; ``drain_last`` the cycle of the layer's last output beat; ``load_last`` the cycle
    of the last beat each read stream takes (ifmap, filter).
    """

    fold_cycles: int
    starts: tuple[int, ...]
    drain_last: int
    load_last: tuple[int, int]
    output_beats: int

    @property
    def stall_cycles(self) -> int:
        """Cycles between folds in which the array waits (zero when folds run back to back)."""
        return sum(b - (a + self.fold_cycles) for a, b in zip(self.starts, self.starts[1:]))

    @property
    def cycles(self) -> int:
        """The engine's ``cycles`` for this layer: its ``compute_cycles`` (the index of the
        last line, counted from the first) plus the stalls."""
        return self.starts[-1] + self.fold_cycles - 1 - self.starts[0]

    @property
    def before_cycles(self) -> int:
        """Cycles from the command to the first line: the first folds' buffers filling."""
        return self.starts[0]

    @property
    def after_cycles(self) -> int:
        """Cycles from the last line to the last output beat: the last tile draining."""
        return self.drain_last - (self.starts[-1] + self.fold_cycles - 1)


def preload_lines(dataflow: Dataflow, ext_rows: int) -> int:
    """Lines a fold spends shifting its stationary operand in (0 under OS)."""
    return ext_rows if ASSIGNMENT_BY_DATAFLOW[dataflow].preload else 0


def fold_cycles(dataflow: Dataflow, cmd: LayerCommand) -> int:
    """Lines of one fold: ``preload + time + ext_rows + ext_cols - 2`` (the engine's)."""
    return preload_lines(dataflow, cmd.ext_rows) + cmd.time + cmd.ext_rows + cmd.ext_cols - 2


def folds(cmd: LayerCommand) -> list[Fold]:
    """The folds in the engine's order: column fold outer, row fold inner."""
    out = []
    for col, c0 in enumerate(range(0, cmd.cols_dim, cmd.ext_cols)):
        for row, r0 in enumerate(range(0, cmd.rows_dim, cmd.ext_rows)):
            out.append(Fold(col, row, min(cmd.ext_rows, cmd.rows_dim - r0), min(cmd.ext_cols, cmd.cols_dim - c0)))
    return out


def beats(words: int, bandwidth: int) -> int:
    """Beats that move ``words`` words of one buffer line at ``bandwidth`` words per beat."""
    return -(-words // bandwidth)


def load_beats(dataflow: Dataflow, cmd: LayerCommand, fold: Fold, side: str, bandwidth: int) -> int:
    """Beats that fill one fold's ``left`` (row-side) or ``top`` (column-side) buffer.

    The left buffer holds ``time`` lines of the rows' operand; the top buffer the stationary
    tile (``used_rows`` lines, WS/IS) or ``time`` lines of the columns' operand (OS).
    """
    if side == "left":
        return cmd.time * beats(fold.used_rows, bandwidth)
    lines = cmd.time if dataflow is Dataflow.OUTPUT_STATIONARY else fold.used_rows
    return lines * beats(fold.used_cols, bandwidth)


def streamed_words(dataflow: Dataflow, cmd: LayerCommand) -> dict[str, int]:
    """Elements each DRAM stream moves for one layer: ``left`` and ``top`` read, ``out`` written.

    Every fold's buffers are filled afresh (the RTL keeps no operand across folds), so an
    input moves once per fold that reads it; each output once, when its tile drains.
    """
    fl = folds(cmd)
    moved = {side: sum(load_beats(dataflow, cmd, fold, side, 1) for fold in fl) for side in ("left", "top")}
    return {**moved, "out": sum(lines * cols for _, lines, cols in output_groups(dataflow, cmd))}


def output_groups(dataflow: Dataflow, cmd: LayerCommand) -> list[tuple[int, int, int]]:
    """(last fold index, lines, used cols) of each output tile, in drain order.

    WS/IS: one tile per column fold (its row folds add into it); OS: one per fold.
    """
    fl = folds(cmd)
    if dataflow is Dataflow.OUTPUT_STATIONARY:
        return [(f, fold.used_rows, fold.used_cols) for f, fold in enumerate(fl)]
    row_folds = -(-cmd.rows_dim // cmd.ext_rows)
    return [(g * row_folds + row_folds - 1, cmd.time, fl[g * row_folds].used_cols)
            for g in range(len(fl) // row_folds)]


def layer_timing(dataflow: Dataflow, cmd: LayerCommand, *, bandwidth_left: int, bandwidth_top: int,
                 bandwidth_out: int, halves: int = 2) -> LayerTiming:
    """Every fold's start and the layer's last output beat, as the RTL produces them.

    Parameters
    ----------
    dataflow
        The spec's dataflow.
    cmd
        The layer as the array's command.
    bandwidth_left, bandwidth_top, bandwidth_out
        Words per beat of the stream that fills the left buffer, the top buffer, and of the
        output stream (a ``calc`` interface moves one whole line per beat).
    halves
        Fold buffers per input and output tiles: 2 double buffered, 1 not.
    """
    fl = folds(cmd)
    fc = fold_cycles(dataflow, cmd)
    os_ = dataflow is Dataflow.OUTPUT_STATIONARY
    groups = output_groups(dataflow, cmd)
    group_of = [0] * len(fl)
    first_of_group = [False] * len(fl)
    g0 = 0
    for g, (last, _, _) in enumerate(groups):
        for f in range(g0, last + 1):
            group_of[f] = g
        first_of_group[g0] = True
        g0 = last + 1

    starts: list[int] = []
    ends: list[int] = []
    last_beat = {"left": 0, "top": 0}     # the command is taken in cycle 0; beats from cycle 1
    loaded = {"left": [], "top": []}
    drain_done: list[int] = []            # cycle each tile's drain is seen finished (last beat + 1)
    captures: list[int] = []
    drain_last = 0
    bw = {"left": bandwidth_left, "top": bandwidth_top}

    def drain(g: int, ready: int) -> None:
        nonlocal drain_last
        _, lines, used_cols = groups[g]
        read0 = max(ready, drain_last + 1)            # first line read; its first beat a cycle later
        drain_last = read0 + lines * beats(used_cols, bandwidth_out)
        drain_done.append(drain_last + 1)

    def free_after(done: list[int], index: int) -> int:
        return done[index] if index >= 0 else NEVER

    for f, fold in enumerate(fl):
        # Tiles finished by now drain first: their drains may free the tile this fold needs.
        if os_ and f:
            # fold f - 1 is captured when it has ended and its tile's previous occupant
            # (``halves`` folds back) has drained; fold f cannot start before that
            captures.append(max(ends[f - 1], free_after(drain_done, f - 1 - halves)))
            drain(f - 1, captures[-1] + 1)
        elif not os_ and first_of_group[f] and f:
            drain(group_of[f] - 1, ends[f - 1])
        for side in ("left", "top"):
            # The fold's buffer is free once fold f - halves has ended (seen at its end cycle).
            free = ends[f - halves] if f >= halves else 1
            first = max(last_beat[side] + 1, free)
            last_beat[side] = first + load_beats(dataflow, cmd, fold, side, bw[side]) - 1
            loaded[side].append(last_beat[side] + 1)     # seen by the controller a cycle later
        go = max(loaded["left"][f], loaded["top"][f])
        if f:
            go = max(go, ends[f - 1] - 1)              # the go cycle is the fold before's last line
            if os_:
                # the go cycle sees fold f - 1's tile free, so its capture comes by the next cycle
                go = max(go, free_after(drain_done, f - 1 - halves))
        if not os_ and first_of_group[f]:
            go = max(go, free_after(drain_done, group_of[f] - halves))
        starts.append(go + 1)
        ends.append(go + 1 + fc)
    # the last tile
    if os_:
        captures.append(max(ends[-1], free_after(drain_done, len(fl) - 1 - halves)))
        drain(len(fl) - 1, captures[-1] + 1)
    else:
        drain(len(groups) - 1, ends[-1])
    total_beats = sum(lines * beats(cols, bandwidth_out) for _, lines, cols in groups)
    return LayerTiming(fc, tuple(starts), drain_last, (last_beat["left"], last_beat["top"]), total_beats)


def side_of_operand(dataflow: Dataflow) -> dict[str, str]:
    """Which buffer each DRAM read stream fills: ``{"ifmap": "left"|"top", "filter": ...}``.

    The rows' operand enters from the left: the ifmap under WS and OS (its K or M lanes),
    the filter under IS (its K lanes).
    """
    a = ASSIGNMENT_BY_DATAFLOW[dataflow]
    ifmap_on_rows = a.rows is GemmDim.M or (a.rows is GemmDim.K and a.time is GemmDim.M)
    return {"ifmap": "left", "filter": "top"} if ifmap_on_rows else {"ifmap": "top", "filter": "left"}
