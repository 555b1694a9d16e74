"""The on-chip buffers of ``systolic_array`` and the engines that move them to and from DRAM.

``LineBuffer``: one input operand's fold buffers (``halves`` of them, each ``depth`` lines
of ``lanes`` words), filled fold by fold from a DRAM read stream of ``bandwidth`` words per
beat: a line of ``used`` words takes ``ceil(used / bandwidth)`` beats, beat ``b`` filling
lanes ``b * bandwidth`` on.  A fold's buffer is filled only once the fold that used it
before (``halves`` folds back) has ended.

``OutputTiles``: the output tiles, one memory per column and tile half, and the drain that
streams each finished tile to DRAM, line by line, ``bandwidth`` words per beat, ``last`` on
the layer's final beat.  Under weight and input stationary a column fold's row folds add
into one tile (each reads its partial sums back at the top of the array); under output
stationary each fold fills its own tile from the result chain.
"""

from __future__ import annotations

from amaranth import Module, Mux, Signal, signed
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from hwsim.rtl.systolic_walker import FoldWalker


def output_layout(acc_bits: int, bandwidth: int) -> data.StructLayout:
    """One beat of the output stream: ``bandwidth`` sums and the layer's ``last`` flag."""
    return data.StructLayout({"data": data.ArrayLayout(signed(acc_bits), bandwidth), "last": 1})


class LineBuffer(wiring.Component):
    """Fold buffers of one input operand and their loader.

    Parameters
    ----------
    side
        ``"left"`` (``time`` lines of ``used_rows`` words per fold) or ``"top"`` (``used_rows``
        lines of ``used_cols`` words under WS/IS, ``time`` lines of ``used_cols`` under OS).
    lanes, shape
        Words per line and their shape.
    depth
        Lines per fold buffer.
    halves
        Fold buffers (2 double buffered, 1 not).
    bandwidth
        Words per DRAM beat (at most ``lanes``).
    rows, cols, dim_bits, time_bits, count_bits
        Array size and counter widths (as the fold controller's).
    streams_time
        The buffer holds ``time`` lines per fold (left, or top under OS).

    Members
    -------
    dram : In(stream.Signature(ArrayLayout(shape, bandwidth)))
        The DRAM read stream, beats in fold order.
    rows_dim, cols_dim, time, ext_rows, ext_cols, init : In
        The layer, and its start.
    folds_done : In(count_bits)
        Folds the array has finished.
    loaded : Out(count_bits)
        Folds whose buffer is full.
    rd_en, rd_half : In(1); rd_line : In ; rd_data : Out(ArrayLayout(shape, lanes))
        A synchronous read of one line (data in the next cycle).
    """

    def __init__(self, *, side: str, lanes: int, shape, depth: int, halves: int, bandwidth: int, rows: int,
                 cols: int, dim_bits: int, time_bits: int, count_bits: int, streams_time: bool) -> None:
        self._side, self._lanes, self._shape, self._depth = side, lanes, shape, depth
        self._halves, self._bandwidth, self._rows, self._cols = halves, bandwidth, rows, cols
        self._count_bits, self._streams_time = count_bits, streams_time
        super().__init__({
            "dram": In(stream.Signature(data.ArrayLayout(shape, bandwidth))),
            "rows_dim": In(dim_bits), "cols_dim": In(dim_bits), "time": In(time_bits),
            "ext_rows": In(range(rows + 1)), "ext_cols": In(range(cols + 1)), "init": In(1),
            "folds_done": In(count_bits), "loaded": Out(count_bits),
            "rd_en": In(1), "rd_half": In(1), "rd_line": In(range(depth + 1)),
            "rd_data": Out(data.ArrayLayout(shape, lanes)),
        })

    def elaborate(self, platform) -> Module:
        m = Module()
        lanes, bw, depth = self._lanes, self._bandwidth, self._depth
        m.submodules.mem = mem = Memory(shape=data.ArrayLayout(self._shape, lanes), depth=self._halves * depth, init=[])
        wr = mem.write_port(granularity=1)
        rd = mem.read_port()
        m.d.comb += [rd.en.eq(self.rd_en), rd.addr.eq(self.rd_line + Mux(self.rd_half, depth, 0)),
                     self.rd_data.eq(rd.data)]

        m.submodules.walker = walker = FoldWalker(self._rows, self._cols, len(self.rows_dim))
        m.d.comb += [walker.rows_dim.eq(self.rows_dim), walker.cols_dim.eq(self.cols_dim),
                     walker.ext_rows.eq(self.ext_rows), walker.ext_cols.eq(self.ext_cols), walker.init.eq(self.init)]
        if self._side == "left":
            words = walker.used_rows
        else:
            words = walker.used_cols
        lines = self.time if self._streams_time else walker.used_rows
        fold = Signal(self._count_bits)
        line = Signal(range(depth + 1))
        offset = Signal(range(lanes + bw + 1))
        # the fold's buffer is free once the fold ``halves`` back has ended
        free = (self.folds_done + self._halves).as_unsigned() > fold
        m.d.comb += self.dram.ready.eq(~walker.done & free & ~self.init)
        half = walker.parity if self._halves == 2 else 0
        take = self.dram.valid & self.dram.ready
        m.d.comb += [wr.addr.eq(line + Mux(half, depth, 0)), wr.en.eq(0)]
        for lane in range(lanes):
            # beat b fills lanes [b * bw, (b + 1) * bw): lane ``lane`` takes word ``lane % bw``
            m.d.comb += wr.data[lane].eq(self.dram.payload[lane % bw])
            with m.If(take & (offset <= lane) & (lane < offset + bw)):
                m.d.comb += wr.en[lane].eq(1)
        line_done = offset + bw >= words
        with m.If(self.init):
            m.d.sync += [fold.eq(0), line.eq(0), offset.eq(0), self.loaded.eq(0)]
        with m.Elif(take):
            with m.If(line_done):
                m.d.sync += offset.eq(0)
                with m.If(line == lines - 1):
                    m.d.sync += [line.eq(0), fold.eq(fold + 1), self.loaded.eq(self.loaded + 1)]
                    m.d.comb += walker.advance.eq(1)
                with m.Else():
                    m.d.sync += line.eq(line + 1)
            with m.Else():
                m.d.sync += offset.eq(offset + bw)
        return m


class OutputTiles(wiring.Component):
    """Output tiles (a memory per column and half), their write and read ports, the drain.

    Parameters
    ----------
    cols, acc_bits
        Columns (words per tile line) and the sums' signed width.
    depth
        Lines per tile (``time`` under WS/IS, the array's rows under OS).
    halves
        Output tiles in flight (2 double buffered, 1 not).
    bandwidth
        Words per beat of the output stream (at most ``cols``).
    rows, dim_bits, time_bits, count_bits
        As the fold controller's.
    per_column_fold
        WS/IS: one tile per column fold, ``time`` lines; OS: one per fold, ``used_rows`` lines.

    Members
    -------
    dram : Out(stream.Signature(output_layout(acc_bits, bandwidth)))
        The DRAM write stream.
    rows_dim, cols_dim, time, ext_rows, ext_cols, init : In
        The layer and its start.
    tiles_ready : In(count_bits); drains_done : Out(count_bits); done : Out(1)
        Tiles complete; tiles drained; every tile of the layer drained.
    wr_en, wr_half : In(cols); wr_addr, wr_data : In(ArrayLayout(...))
        One write per column per cycle.
    rd_en, rd_half : In(cols); rd_addr : In(ArrayLayout(...)); rd_data : Out(ArrayLayout(...))
        WS/IS partial-sum reads, one per column per cycle (never on the half being drained).
    """

    def __init__(self, *, cols: int, acc_bits: int, depth: int, halves: int, bandwidth: int, rows: int,
                 dim_bits: int, time_bits: int, count_bits: int, per_column_fold: bool) -> None:
        self._cols, self._acc_bits, self._depth, self._halves = cols, acc_bits, depth, halves
        self._bandwidth, self._rows, self._count_bits = bandwidth, rows, count_bits
        self._per_column_fold = per_column_fold
        addr_line = data.ArrayLayout(range(depth), cols)
        acc_line = data.ArrayLayout(signed(acc_bits), cols)
        super().__init__({
            "dram": Out(stream.Signature(output_layout(acc_bits, bandwidth))),
            "rows_dim": In(dim_bits), "cols_dim": In(dim_bits), "time": In(time_bits),
            "ext_rows": In(range(rows + 1)), "ext_cols": In(range(cols + 1)), "init": In(1),
            "tiles_ready": In(count_bits), "drains_done": Out(count_bits), "done": Out(1),
            "wr_en": In(cols), "wr_half": In(cols), "wr_addr": In(addr_line), "wr_data": In(acc_line),
            "rd_en": In(cols), "rd_half": In(cols), "rd_addr": In(addr_line), "rd_data": Out(acc_line),
        })

    def elaborate(self, platform) -> Module:
        m = Module()
        cols, bw, depth = self._cols, self._bandwidth, self._depth
        m.submodules.walker = walker = FoldWalker(self._rows, cols, len(self.rows_dim),
                                                  by_column=self._per_column_fold)
        m.d.comb += [walker.rows_dim.eq(self.rows_dim), walker.cols_dim.eq(self.cols_dim),
                     walker.ext_rows.eq(self.ext_rows), walker.ext_cols.eq(self.ext_cols),
                     walker.init.eq(self.init), self.done.eq(walker.done)]
        lines = self.time if self._per_column_fold else walker.used_rows
        words = walker.used_cols
        tile = Signal(self._count_bits)
        busy = Signal()
        line = Signal(range(depth + 1))
        offset = Signal(range(cols + bw + 1))
        issue = Signal()                      # read the drain's next line this cycle
        drain_half = walker.parity if self._halves == 2 else 0
        read_half = Signal()                  # the half whose read data the beats show
        drain_data = [Signal(signed(self._acc_bits), name=f"drain{j}") for j in range(cols)]

        for j in range(cols):
            mems = []
            for h in range(self._halves):
                mem = Memory(shape=signed(self._acc_bits), depth=depth, init=[])
                m.submodules[f"col{j}_half{h}"] = mem
                wp = mem.write_port()
                rp = mem.read_port(transparent_for=(wp,))
                m.d.comb += [wp.addr.eq(self.wr_addr[j]), wp.data.eq(self.wr_data[j]),
                             wp.en.eq(self.wr_en[j] & (self.wr_half[j] == h))]
                drains_here = issue & (drain_half == h)
                m.d.comb += [rp.en.eq(drains_here | (self.rd_en[j] & (self.rd_half[j] == h))),
                             rp.addr.eq(Mux(drains_here, Mux(busy, line + 1, 0), self.rd_addr[j]))]
                mems.append(rp)
            psum_half = Signal(name=f"psum_half{j}")
            m.d.sync += psum_half.eq(self.rd_half[j])
            if self._halves == 2:
                m.d.comb += [self.rd_data[j].eq(Mux(psum_half, mems[1].data, mems[0].data)),
                             drain_data[j].eq(Mux(read_half, mems[1].data, mems[0].data))]
            else:
                m.d.comb += [self.rd_data[j].eq(mems[0].data), drain_data[j].eq(mems[0].data)]

        # the beat: words [offset, offset + bw) of the line read, zero past the used columns
        for w in range(bw):
            choices = {}
            for b in range(-(-cols // bw)):
                lane = b * bw + w
                choices[b * bw] = drain_data[lane] if lane < cols else 0
            word = Signal(signed(self._acc_bits), name=f"beat{w}")
            with m.Switch(offset):
                for value, source in choices.items():
                    with m.Case(value):
                        m.d.comb += word.eq(source)
                with m.Default():       # offsets between beats never occur; a case for lint
                    m.d.comb += word.eq(0)
            m.d.comb += self.dram.payload.data[w].eq(Mux(offset + w < words, word, 0))
        line_done = offset + bw >= words
        tile_done = line_done & (line == lines - 1)
        m.d.comb += [self.dram.valid.eq(busy),
                     self.dram.payload.last.eq(tile_done & walker.last_col & (walker.last_row | self._per_column_fold))]
        take = self.dram.valid & self.dram.ready
        start = ~busy & ~walker.done & (self.tiles_ready > tile) & ~self.init
        m.d.comb += issue.eq(start | (take & line_done & ~tile_done))
        with m.If(self.init):
            m.d.sync += [tile.eq(0), busy.eq(0), line.eq(0), offset.eq(0), self.drains_done.eq(0)]
        with m.Elif(start):
            m.d.sync += [busy.eq(1), line.eq(0), offset.eq(0), read_half.eq(drain_half)]
        with m.Elif(take):
            with m.If(tile_done):
                m.d.sync += [busy.eq(0), tile.eq(tile + 1), self.drains_done.eq(self.drains_done + 1)]
                m.d.comb += walker.advance.eq(1)
            with m.Elif(line_done):
                m.d.sync += [line.eq(line + 1), offset.eq(0)]
            with m.Else():
                m.d.sync += offset.eq(offset + bw)
        return m
