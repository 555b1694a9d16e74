"""The fold controller of ``systolic_array``: when each fold runs, and which line it is on.

A fold is ``fold_cycles`` lines long (:func:`hwsim.sim.blocks.systolic_array.fold_cycles`).
The controller starts the next fold in the cycle after the current one's last line when its
two fold buffers are filled and the output tile it writes is free; otherwise the array
waits (a stall) until they are.  The cycle in which it decides to start a fold is that
fold's line -1: the buffers' reads are synchronous, so every line's operands are read one
cycle ahead (``rd_valid``, ``rd_line``, ``rd_half`` name the line the next cycle runs).

It counts the folds it has finished (``folds_done``: a loader may refill a buffer once the
fold ``halves`` back has ended) and the output tiles it has completed (``tiles_ready``: the
drain may read them).  Under output stationary it also captures each fold's sums into the
result chain once the fold's tile is free, and writes the chain's rows into the tile, one
per cycle.
"""

from __future__ import annotations

from amaranth import Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from hwsim.rtl.systolic_walker import FoldWalker

FAULTS = ("fold_off_by_one",)
"""A fold controller whose line counter runs one line past ``fold_cycles``."""


class FoldControl(wiring.Component):
    """Fold sequencing, line counter, read requests and OS result capture.

    Parameters
    ----------
    rows, cols
        Array size.
    dim_bits, time_bits, count_bits
        Widths of the GEMM dimensions, of ``time``, and of fold/tile counters.
    halves
        Fold buffers per input and output tiles (2 double buffered, 1 not).
    preload
        True under weight and input stationary (each fold first shifts its tile in).
    fault
        ``None`` or ``"fold_off_by_one"``.

    Members
    -------
    rows_dim, cols_dim, time, ext_rows, ext_cols : In
        The layer (held while it runs).
    init : In(1)
        A new layer starts (next cycle: fold 0 waits for its buffers).
    loaded_left, loaded_top, drains_done : In(count_bits)
        Folds whose buffers are filled; output tiles drained.
    folds_done, tiles_ready : Out(count_bits)
        Folds finished; output tiles complete.
    done : Out(1)
        Every fold has run.
    active, first_line : Out(1); line : Out
        A fold line runs in this cycle; it is the fold's first; its index.
    rd_valid, rd_half : Out(1); rd_line : Out
        The line the next cycle runs (of the fold then current) and that fold's buffer half.
    used_rows, used_cols, first_row, last_row, fold_half, tile_half : Out
        The current fold (the next one while waiting): its used part, whether it is its
        column fold's first / last row fold, and the halves of its buffers and output tile.
    capture, chain_write, chain_half : Out(1); chain_line : Out
        OS: capture the sums now; write the chain's top row into ``chain_line`` of tile half
        ``chain_half`` this cycle (the chain then shifts up).
    """

    def __init__(self, rows: int, cols: int, *, dim_bits: int, time_bits: int, count_bits: int, halves: int,
                 preload: bool, fault: str | None = None) -> None:
        self._rows, self._cols = rows, cols
        self._count_bits, self._halves, self._preload, self._fault = count_bits, halves, preload, fault
        line_bits = (2 * rows + cols + (1 << time_bits)).bit_length()
        self._line_bits = line_bits
        super().__init__({
            "rows_dim": In(dim_bits), "cols_dim": In(dim_bits), "time": In(time_bits),
            "ext_rows": In(range(rows + 1)), "ext_cols": In(range(cols + 1)), "init": In(1),
            "loaded_left": In(count_bits), "loaded_top": In(count_bits), "drains_done": In(count_bits),
            "folds_done": Out(count_bits), "tiles_ready": Out(count_bits), "done": Out(1),
            "active": Out(1), "first_line": Out(1), "line": Out(line_bits),
            "rd_valid": Out(1), "rd_half": Out(1), "rd_line": Out(line_bits),
            "used_rows": Out(range(rows + 1)), "used_cols": Out(range(cols + 1)),
            "first_row": Out(1), "last_row": Out(1), "fold_half": Out(1), "tile_half": Out(1),
            "capture": Out(1), "chain_write": Out(1), "chain_half": Out(1), "chain_line": Out(range(rows)),
        })

    def elaborate(self, platform) -> Module:
        m = Module()
        m.submodules.walker = walker = FoldWalker(self._rows, self._cols, len(self.rows_dim))
        m.d.comb += [walker.rows_dim.eq(self.rows_dim), walker.cols_dim.eq(self.cols_dim),
                     walker.ext_rows.eq(self.ext_rows), walker.ext_cols.eq(self.ext_cols),
                     walker.init.eq(self.init)]
        double = self._halves == 2
        m.d.comb += [self.used_rows.eq(walker.used_rows), self.used_cols.eq(walker.used_cols),
                     self.first_row.eq(walker.first_row), self.last_row.eq(walker.last_row),
                     self.fold_half.eq(walker.parity if double else 0),
                     self.tile_half.eq(walker.col_parity if double else 0)]

        # the fold's length; the broken variant runs one line longer
        fold_lines = Signal(self._line_bits)
        preload = self.ext_rows if self._preload else 0
        extra = 1 if self._fault == "fold_off_by_one" else 0
        m.d.comb += fold_lines.eq(preload + self.time + self.ext_rows + self.ext_cols - 2 + extra)

        cb = self._count_bits + 1
        fold = Signal(self._count_bits)    # the walker's fold: current while active, next while waiting
        group = Signal(self._count_bits)   # its column fold (the output tile under WS/IS)
        waiting = Signal()
        m.d.comb += self.done.eq(walker.done)
        last_line = Signal()
        m.d.comb += [last_line.eq(self.active & (self.line == fold_lines - 1)),
                     self.first_line.eq(self.active & (self.line == 0))]

        def tile_free(index) -> object:
            """The output tile ``index`` uses is free: the one ``halves`` before it has drained."""
            return (self.drains_done + self._halves).as_unsigned() > index

        # Can the next fold start in the next cycle?  From a wait, it is the walker's fold;
        # from a fold's last line, the one after it.
        nxt = Signal(cb)
        nxt_first_row = Signal()
        nxt_group = Signal(cb)
        with m.If(waiting):
            m.d.comb += [nxt.eq(fold), nxt_first_row.eq(walker.first_row), nxt_group.eq(group)]
        with m.Else():
            m.d.comb += [nxt.eq(fold + 1), nxt_first_row.eq(walker.last_row), nxt_group.eq(group + walker.last_row)]
        go_ok = Signal()
        inputs_ok = (self.loaded_left > nxt) & (self.loaded_top > nxt)
        if self._preload:
            m.d.comb += go_ok.eq(inputs_ok & (~nxt_first_row | tile_free(nxt_group)))
        else:
            # the fold before is captured into its tile by the next cycle
            m.d.comb += go_ok.eq(inputs_ok & ((nxt == 0) | tile_free(nxt - 1)))
        go = Signal()
        m.d.comb += go.eq(go_ok & (waiting | (last_line & ~walker.last_row) | (last_line & ~walker.last_col)))

        with m.If(self.init):
            m.d.sync += [fold.eq(0), group.eq(0), waiting.eq(1), self.active.eq(0),
                         self.folds_done.eq(0), self.tiles_ready.eq(0)]
        with m.Else():
            with m.If(self.active):
                m.d.sync += self.line.eq(self.line + 1)
            with m.If(last_line):
                m.d.sync += self.folds_done.eq(self.folds_done + 1)
                if self._preload:
                    with m.If(walker.last_row):
                        m.d.sync += self.tiles_ready.eq(self.tiles_ready + 1)
                m.d.comb += walker.advance.eq(1)
                m.d.sync += [fold.eq(fold + 1), group.eq(group + walker.last_row), self.active.eq(0)]
                with m.If(~(walker.last_row & walker.last_col)):
                    m.d.sync += waiting.eq(1)
            with m.If(go):
                m.d.sync += [self.active.eq(1), self.line.eq(0), waiting.eq(0)]

        # read requests: the line the next cycle runs
        with m.If(go):
            m.d.comb += [self.rd_valid.eq(1), self.rd_line.eq(0),
                         self.rd_half.eq(Mux(waiting, walker.parity, ~walker.parity) if double else 0)]
        with m.Elif(self.active & ~last_line):
            m.d.comb += [self.rd_valid.eq(1), self.rd_line.eq(self.line + 1),
                         self.rd_half.eq(walker.parity if double else 0)]

        if not self._preload:
            self._capture(m, last_line, fold, walker, tile_free, double)
        return m

    def _capture(self, m: Module, last_line, fold, walker, tile_free, double: bool) -> None:
        """OS: capture a finished fold's sums once its tile is free, then write the chain out."""
        pending = Signal()
        pending_fold = Signal(self._count_bits)
        pending_half = Signal()
        chain_left = Signal(range(self._rows + 1))
        with m.If(last_line):
            m.d.sync += [pending.eq(1), pending_fold.eq(fold), pending_half.eq(walker.parity if double else 0)]
        m.d.comb += self.capture.eq(pending & tile_free(pending_fold))
        with m.If(self.init):
            m.d.sync += [pending.eq(0), chain_left.eq(0)]
        with m.Elif(self.capture):
            m.d.sync += [pending.eq(0), self.tiles_ready.eq(self.tiles_ready + 1), chain_left.eq(self.ext_rows),
                         self.chain_line.eq(0), self.chain_half.eq(pending_half)]
        with m.Elif(chain_left != 0):
            m.d.sync += [chain_left.eq(chain_left - 1), self.chain_line.eq(self.chain_line + 1)]
        m.d.comb += self.chain_write.eq(chain_left != 0)
