"""The PE grid of ``systolic_array`` with its edge registers.

Operands arrive as whole lines (one word per lane, in the same cycle); the grid delays lane
``i`` of the left line by ``i`` cycles (and, under output stationary, lane ``j`` of the top
line by ``j``), so that element ``t`` of lane ``i`` meets PE(i, j) in cycle
``start + t + i + j``.  Under weight and input stationary the top line is the stationary
tile, shifted in one row per cycle while ``load`` is high (its first line ends in the lowest
row used), the partial sums enter at the top of each column and leave at the bottom of the
lowest row used; under output stationary the sums stay in the PEs until ``capture`` copies
them into a result chain that ``shift`` moves up and out of the top row, one row per cycle.

With ``bypass`` (the spec's ``array.bypass_unused``) a fold may use only the top
``ext_rows`` rows: each column's output is taken from row ``ext_rows - 1`` (an output tap
per row), so sums do not cross the rows below.  Unused columns need no bypass: the last
column a fold uses finishes first.
"""

from __future__ import annotations

from amaranth import Module, Mux, Signal, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hwsim.rtl.systolic_pe import OutputStationaryPE, StationaryPE


def _delayed(m: Module, value, cycles: int, name: str):
    """``value`` through ``cycles`` registers (the value itself for 0)."""
    for k in range(cycles):
        reg = Signal.like(value, name=f"{name}_d{k + 1}")
        m.d.sync += reg.eq(value)
        value = reg
    return value


class SystolicGrid(wiring.Component):
    """``rows x cols`` PEs, their edge skew, output taps or result chain.

    Parameters
    ----------
    rows, cols
        PEs per column and per row.
    left_shape, top_shape
        Shapes of the operands entering from the left and from the top.
    acc_bits
        Signed width of the sums.
    stationary
        True for weight or input stationary (held operand, sums flow down); False for output
        stationary.
    bypass
        Build an output tap per row (weight/input stationary only).
    fault
        Passed to the output-stationary PEs (``"drops_partial_sum"``) or ignored.

    Members
    -------
    left : In(ArrayLayout(left_shape, rows))
        One line of the left operand, lane ``i`` for row ``i`` (skewed inside).
    top : In(ArrayLayout(top_shape, cols))
        One line of the top operand: a row of the stationary tile (WS/IS) or one element per
        column, skewed inside (OS).
    load : In(1)
        WS/IS: shift ``top`` into the held registers (one row per cycle, downwards).
    psum_top : In(ArrayLayout(signed(acc_bits), cols))
        WS/IS: the sum entering each column (its caller times each column).
    psum_bottom : Out(ArrayLayout(signed(acc_bits), cols))
        WS/IS: the sum leaving each column at row ``ext_rows - 1``.
    ext_rows : In(range(rows + 1))
        WS/IS with bypass: rows the fold uses (1..rows).
    left_valid, left_first : In(1)
        OS: the left line is an operand / the first of its sums (skewed with the data).
    capture, shift : In(1)
        OS: copy every sum into the result chain / move the chain up one row.
    result_top : Out(ArrayLayout(signed(acc_bits), cols))
        OS: the result chain's top row.
    """

    def __init__(self, rows: int, cols: int, left_shape, top_shape, acc_bits: int, *, stationary: bool,
                 bypass: bool = False, fault: str | None = None) -> None:
        self._rows, self._cols, self._acc_bits = rows, cols, acc_bits
        self._left_shape, self._top_shape = left_shape, top_shape
        self._stationary, self._bypass, self._fault = stationary, bypass, fault
        acc_line = data.ArrayLayout(signed(acc_bits), cols)
        members = {"left": In(data.ArrayLayout(left_shape, rows)), "top": In(data.ArrayLayout(top_shape, cols))}
        if stationary:
            members.update({"load": In(1), "psum_top": In(acc_line), "psum_bottom": Out(acc_line)})
            if bypass:
                members["ext_rows"] = In(range(rows + 1))
        else:
            members.update({"left_valid": In(1), "left_first": In(1), "capture": In(1), "shift": In(1),
                            "result_top": Out(acc_line)})
        super().__init__(members)

    def elaborate(self, platform) -> Module:
        m = Module()
        rows, cols = self._rows, self._cols
        lefts = [_delayed(m, self.left[i], i, f"left{i}") for i in range(rows)]
        if self._stationary:
            pes = [[StationaryPE(self._left_shape, self._top_shape, self._acc_bits) for _ in range(cols)]
                   for _ in range(rows)]
        else:
            pes = [[OutputStationaryPE(self._left_shape, self._top_shape, self._acc_bits, fault=self._fault)
                    for _ in range(cols)] for _ in range(rows)]
        for i in range(rows):
            for j in range(cols):
                m.submodules[f"pe_{i}_{j}"] = pes[i][j]
        if self._stationary:
            self._wire_stationary(m, pes, lefts)
        else:
            self._wire_output_stationary(m, pes, lefts)
        return m

    def _wire_stationary(self, m: Module, pes, lefts) -> None:
        rows, cols = self._rows, self._cols
        for i in range(rows):
            for j in range(cols):
                pe = pes[i][j]
                m.d.comb += [
                    pe.x_in.eq(lefts[i] if j == 0 else pes[i][j - 1].x_out),
                    pe.w_in.eq(self.top[j] if i == 0 else pes[i - 1][j].w_out),
                    pe.load.eq(self.load),
                    pe.psum_in.eq(self.psum_top[j] if i == 0 else pes[i - 1][j].psum_out),
                ]
        for j in range(cols):
            if self._bypass:
                # a mux chain, not an Array index: ext_rows - 1 wraps at 0, and Verilator
                # rejects the incomplete case an Array index becomes
                tap = pes[rows - 1][j].psum_out
                for i in reversed(range(rows - 1)):
                    tap = Mux(self.ext_rows == i + 1, pes[i][j].psum_out, tap)
                m.d.comb += self.psum_bottom[j].eq(tap)
            else:
                m.d.comb += self.psum_bottom[j].eq(pes[rows - 1][j].psum_out)

    def _wire_output_stationary(self, m: Module, pes, lefts) -> None:
        rows, cols = self._rows, self._cols
        valids = [_delayed(m, self.left_valid, i, f"valid{i}") for i in range(rows)]
        firsts = [_delayed(m, self.left_first, i, f"first{i}") for i in range(rows)]
        tops = [_delayed(m, self.top[j], j, f"top{j}") for j in range(cols)]
        for i in range(rows):
            for j in range(cols):
                pe = pes[i][j]
                west = pes[i][j - 1] if j else None
                m.d.comb += [
                    pe.a_in.eq(lefts[i] if west is None else west.a_out),
                    pe.a_valid_in.eq(valids[i] if west is None else west.a_valid_out),
                    pe.a_first_in.eq(firsts[i] if west is None else west.a_first_out),
                    pe.b_in.eq(tops[j] if i == 0 else pes[i - 1][j].b_out),
                    pe.capture.eq(self.capture),
                    pe.shift.eq(self.shift),
                    pe.res_in.eq(pes[i + 1][j].res_out if i + 1 < rows else 0),
                ]
        for j in range(cols):
            m.d.comb += self.result_top[j].eq(pes[0][j].res_out)
