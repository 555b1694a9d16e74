"""A walker over one layer's folds, in the engine's order: column fold outer, row fold inner.

Each engine of ``systolic_array`` (the two buffer loaders, the fold controller, the drain)
walks the folds on its own, as far ahead or behind as the buffers allow, with one of these.
It keeps what is left of each spatial dimension, so a fold's used part is
``min(ext, remaining)``: the last fold of a dimension that the array does not divide uses
only part of the array, as in :func:`hwsim.sim.blocks.systolic_array.folds`.
"""

from __future__ import annotations

from amaranth import Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out


class FoldWalker(wiring.Component):
    """The current fold's position and used part; ``advance`` moves to the next.

    Parameters
    ----------
    rows, cols
        The array's size (the largest extents).
    dim_bits
        Width of the GEMM dimensions on rows and columns.
    by_column
        Every ``advance`` moves to the next column fold (the drain of weight/input-stationary
        output tiles, one per column fold).

    Members
    -------
    rows_dim, cols_dim, ext_rows, ext_cols : In
        The layer (held stable while it runs).
    init : In(1)
        Go to the first fold.
    advance : In(1)
        Go to the next fold (or column fold).
    used_rows, used_cols : Out
        Rows and columns of the array the current fold's data fills.
    first_row, last_row, last_col : Out(1)
        The current fold is the first / last row fold of its column fold, in the last column fold.
    parity, col_parity : Out(1)
        Toggle on every advance / on every change of column fold (which buffer half to use).
    done : Out(1)
        Advanced past the last fold.
    """

    def __init__(self, rows: int, cols: int, dim_bits: int, *, by_column: bool = False) -> None:
        self._dim_bits, self._by_column = dim_bits, by_column
        super().__init__({
            "rows_dim": In(dim_bits), "cols_dim": In(dim_bits),
            "ext_rows": In(range(rows + 1)), "ext_cols": In(range(cols + 1)),
            "init": In(1), "advance": In(1),
            "used_rows": Out(range(rows + 1)), "used_cols": Out(range(cols + 1)),
            "first_row": Out(1), "last_row": Out(1), "last_col": Out(1),
            "parity": Out(1), "col_parity": Out(1), "done": Out(1),
        })

    def elaborate(self, platform) -> Module:
        m = Module()
        rem_rows = Signal(self._dim_bits)
        rem_cols = Signal(self._dim_bits)
        m.d.comb += [
            self.last_row.eq(rem_rows <= self.ext_rows),
            self.last_col.eq(rem_cols <= self.ext_cols),
            self.used_rows.eq(Mux(self.last_row, rem_rows, self.ext_rows)),
            self.used_cols.eq(Mux(self.last_col, rem_cols, self.ext_cols)),
        ]
        with m.If(self.init):
            m.d.sync += [rem_rows.eq(self.rows_dim), rem_cols.eq(self.cols_dim), self.first_row.eq(1),
                         self.parity.eq(0), self.col_parity.eq(0), self.done.eq(0)]
        with m.Elif(self.advance):
            m.d.sync += self.parity.eq(~self.parity)
            next_col = 1 if self._by_column else self.last_row
            with m.If(next_col):
                m.d.sync += [rem_rows.eq(self.rows_dim), rem_cols.eq(rem_cols - self.ext_cols),
                             self.first_row.eq(1), self.col_parity.eq(~self.col_parity)]
                with m.If(self.last_col):
                    m.d.sync += self.done.eq(1)
            with m.Else():
                m.d.sync += [rem_rows.eq(rem_rows - self.ext_rows), self.first_row.eq(0)]
        return m
