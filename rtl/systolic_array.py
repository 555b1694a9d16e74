"""A whole systolic array: PE grid, fold control, fold buffers, DRAM streams.

Generated from a ``systolic`` spec (``hwsim rtl generate systolic_array --arch
systolic-32x32-ws``): the array's rows and columns, the dataflow (OS, WS, IS), bypass of
unused rows, the SRAMs (their sizes bound the buffers; double buffering gives two of each)
and the DRAM words per cycle of each buffer (``calc``: a whole line per beat).

One layer (one group of it) runs per command on ``i_cmd``: the GEMM dimensions on the
array's rows, columns and in time, and the part of the array each fold uses
(:class:`hwsim.sim.blocks.systolic_array.LayerCommand`, made from the engine's fold schedule by
:func:`hwsim.func.systolic_array.layer_command`).  The control walks the engine's folds
(column fold outer, row fold inner; each fold ``fold_cycles`` lines: preload, stream,
skew).  The DRAM read streams ``i_ifmap`` and ``i_filter`` deliver each fold's lines in fold
order (:func:`hwsim.func.systolic_array.dram_beats`); ``o_ofmap`` carries the output tiles
(:func:`hwsim.func.systolic_array.output_beats`); all three are ``amaranth.lib.stream``
(valid/ready), so a slower DRAM stalls the array.  ``o_status`` shows which cycles run a
fold line, for the testbench to time every fold.
"""

from __future__ import annotations

from typing import Any, Mapping

from amaranth import Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from hwsim.cost.fpga_systolic import systolic_array_resources
from hwsim.rtl.systolic_buffers import LineBuffer, OutputTiles, output_layout
from hwsim.rtl.systolic_control import FAULTS as CONTROL_FAULTS, FoldControl
from hwsim.rtl.systolic_grid import SystolicGrid
from hwsim.rtl.systolic_pe import FAULTS as PE_FAULTS
from hwsim.rtlflow.blocks import RtlBlock
from hwsim.sim.blocks.systolic_array import side_of_operand
from hwsim.spec.enums import Dataflow, Family
from hwsim.func.systolic_array import ArrayConfig, array_config, layer_command, param_layer
from hwsim.sim.systolic.folds import GemmShape

FAULTS = CONTROL_FAULTS + PE_FAULTS
DIM_BITS = 24
COUNT_BITS = 24


def command_layout(config: ArrayConfig) -> data.StructLayout:
    """The layer command: GEMM dims on rows/cols/time and the array part each fold uses."""
    return data.StructLayout({
        "rows_dim": unsigned(DIM_BITS), "cols_dim": unsigned(DIM_BITS), "time": unsigned(config.time_bits),
        "ext_rows": range(config.rows + 1), "ext_cols": range(config.cols + 1),
    })


def operand_shapes(config: ArrayConfig) -> dict[str, Any]:
    """Amaranth shapes of the two input operands (activations unsigned after a ReLU)."""
    act = signed(config.act_bits) if config.act_signed else unsigned(config.act_bits)
    return {"ifmap": act, "filter": signed(config.weight_bits)}


STATUS_LAYOUT = data.StructLayout({"busy": 1, "in_fold": 1, "fold_first": 1})


class SystolicArray(wiring.Component):
    """The systolic array of one spec (see the module docstring).

    Parameters
    ----------
    config
        Sizes, dataflow, widths, bandwidths and buffer depths
        (:func:`hwsim.func.systolic_array.array_config`).
    fault
        ``None`` or one of :data:`FAULTS`.

    Members
    -------
    i_cmd : In(stream.Signature(command_layout(config)))
        One beat per layer; taken when the layer before has drained.
    i_ifmap, i_filter : In(stream.Signature(ArrayLayout(shape, bandwidth)))
        The DRAM read streams of the two input operands.
    o_ofmap : Out(stream.Signature(output_layout(acc_bits, bandwidth)))
        The DRAM write stream of the output tiles, ``last`` on a layer's final beat.
    o_status : Out(STATUS_LAYOUT)
        ``busy`` (a layer is in the machine), ``in_fold`` (a fold line runs in this cycle),
        ``fold_first`` (it is a fold's first line).
    """

    def __init__(self, config: ArrayConfig, *, fault: str | None = None) -> None:
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"fault must be None or one of {FAULTS}, not {fault!r}")
        self._config, self._fault = config, fault
        c = config
        shapes = operand_shapes(c)
        super().__init__({
            "i_cmd": In(stream.Signature(command_layout(c))),
            "i_ifmap": In(stream.Signature(data.ArrayLayout(shapes["ifmap"], c.bandwidth["ifmap"]))),
            "i_filter": In(stream.Signature(data.ArrayLayout(shapes["filter"], c.bandwidth["filter"]))),
            "o_ofmap": Out(stream.Signature(output_layout(c.acc_bits, c.bandwidth["ofmap"]))),
            "o_status": Out(STATUS_LAYOUT),
        })

    @property
    def config(self) -> ArrayConfig:
        return self._config

    def elaborate(self, platform) -> Module:
        m = Module()
        c = self._config
        stationary = c.dataflow is not Dataflow.OUTPUT_STATIONARY
        sides = side_of_operand(c.dataflow)
        shape = operand_shapes(c)
        operand = {side: name for name, side in sides.items()}
        widths = dict(dim_bits=DIM_BITS, time_bits=c.time_bits, count_bits=COUNT_BITS)

        held = Signal(command_layout(c))
        busy = Signal()
        init = Signal()
        m.d.comb += [self.i_cmd.ready.eq(~busy), init.eq(self.i_cmd.valid & ~busy)]
        with m.If(init):
            m.d.sync += [held.eq(self.i_cmd.payload), busy.eq(1)]
        # the units start from the command in the cycle it is taken, then from the register
        cmd = Signal(command_layout(c))
        m.d.comb += cmd.eq(Mux(init, self.i_cmd.payload, held))

        m.submodules.ctrl = ctrl = FoldControl(c.rows, c.cols, halves=c.halves, preload=stationary,
                                               fault=self._fault if self._fault in CONTROL_FAULTS else None,
                                               **widths)
        left_depth = c.max_time
        top_depth = c.rows if stationary else c.max_time
        bufs = {}
        for side, depth, lanes in (("left", left_depth, c.rows), ("top", top_depth, c.cols)):
            name = operand[side]
            bufs[side] = LineBuffer(side=side, lanes=lanes, shape=shape[name], depth=depth, halves=c.halves,
                                    bandwidth=c.bandwidth[name], rows=c.rows, cols=c.cols,
                                    streams_time=(side == "left" or not stationary), **widths)
            m.submodules[f"{side}_buffer"] = bufs[side]
            wiring.connect(m, wiring.flipped(self.i_ifmap if name == "ifmap" else self.i_filter), bufs[side].dram)
        m.submodules.tiles = tiles = OutputTiles(cols=c.cols, acc_bits=c.acc_bits, depth=c.max_time if stationary else c.rows,
                                                 halves=c.halves, bandwidth=c.bandwidth["ofmap"], rows=c.rows,
                                                 per_column_fold=stationary, **widths)
        wiring.connect(m, tiles.dram, wiring.flipped(self.o_ofmap))
        for unit in (ctrl, bufs["left"], bufs["top"], tiles):
            m.d.comb += [unit.rows_dim.eq(cmd.rows_dim), unit.cols_dim.eq(cmd.cols_dim), unit.time.eq(cmd.time),
                         unit.ext_rows.eq(cmd.ext_rows), unit.ext_cols.eq(cmd.ext_cols), unit.init.eq(init)]
        m.d.comb += [ctrl.loaded_left.eq(bufs["left"].loaded), ctrl.loaded_top.eq(bufs["top"].loaded),
                     ctrl.drains_done.eq(tiles.drains_done), tiles.tiles_ready.eq(ctrl.tiles_ready),
                     bufs["left"].folds_done.eq(ctrl.folds_done), bufs["top"].folds_done.eq(ctrl.folds_done)]
        with m.If(busy & ctrl.done & tiles.done):
            m.d.sync += busy.eq(0)
        m.d.comb += [self.o_status.busy.eq(busy), self.o_status.in_fold.eq(ctrl.active),
                     self.o_status.fold_first.eq(ctrl.first_line)]

        m.submodules.grid = grid = SystolicGrid(
            c.rows, c.cols, shape[operand["left"]], shape[operand["top"]], c.acc_bits, stationary=stationary,
            bypass=c.bypass, fault=self._fault if self._fault in PE_FAULTS else None)
        if stationary:
            self._feed_stationary(m, ctrl, bufs, tiles, grid, cmd)
        else:
            self._feed_output_stationary(m, ctrl, bufs, tiles, grid, cmd)
        return m

    def _masked(self, m: Module, line, lanes: int, used, name: str):
        """``line`` with lanes from ``used`` on set to zero (rows/cols past the layer's edge)."""
        out = Signal.like(line, name=name)
        for lane in range(lanes):
            m.d.comb += out[lane].eq(Mux(lane < used, line[lane], 0))
        return out

    def _feed_stationary(self, m: Module, ctrl, bufs, tiles, grid, cmd) -> None:
        c = self._config
        left, top = bufs["left"], bufs["top"]
        # preload: line l of the fold shifts in array row ext_rows - 1 - l (the lowest row first)
        preloading = ctrl.rd_valid & (ctrl.rd_line < cmd.ext_rows)
        row = Signal(range(c.rows + 1))
        m.d.comb += [row.eq(cmd.ext_rows - 1 - ctrl.rd_line),
                     top.rd_en.eq(preloading), top.rd_line.eq(row), top.rd_half.eq(ctrl.rd_half)]
        load, row_arrived = Signal(), Signal.like(row)
        m.d.sync += [load.eq(preloading), row_arrived.eq(row)]
        tile_row = self._masked(m, top.rd_data, c.cols, ctrl.used_cols, "tile_row")
        m.d.comb += grid.load.eq(load)
        with m.If(row_arrived < ctrl.used_rows):     # rows past the layer's edge hold zeros
            m.d.comb += grid.top.eq(tile_row)
        # stream: operand t of the left buffer is needed at line ext_rows + t
        t = Signal(range(c.max_time + c.rows + c.cols + 2))
        m.d.comb += t.eq(ctrl.rd_line - cmd.ext_rows)
        streaming = ctrl.rd_valid & (ctrl.rd_line >= cmd.ext_rows) & (t < cmd.time)
        m.d.comb += [left.rd_en.eq(streaming), left.rd_line.eq(t), left.rd_half.eq(ctrl.rd_half),
                     grid.left.eq(self._masked(m, left.rd_data, c.rows, ctrl.used_rows, "left_line"))]
        if c.bypass:
            m.d.comb += grid.ext_rows.eq(cmd.ext_rows)
        # partial sums: column j reads element t of its tile one cycle before PE(0, j) adds it
        # (the read token moves one column per cycle) and writes the sum leaving its bottom
        token = data.StructLayout({"valid": 1, "t": range(c.max_time), "half": 1, "use": 1})
        reads = [Signal(token, name=f"psum_rd{j}") for j in range(c.cols)]
        keep = ~ctrl.first_row
        if self._fault == "drops_partial_sum":
            keep = keep & ~ctrl.last_row     # the last row fold loses the sums of the ones before
        m.d.comb += [reads[0].valid.eq(streaming), reads[0].t.eq(t), reads[0].half.eq(ctrl.tile_half),
                     reads[0].use.eq(keep)]
        out_t = Signal.like(t)
        m.d.comb += out_t.eq(ctrl.line - 2 * cmd.ext_rows)
        writes = [Signal(token, name=f"psum_wr{j}") for j in range(c.cols)]
        m.d.comb += [writes[0].valid.eq(ctrl.active & (ctrl.line >= 2 * cmd.ext_rows) & (out_t < cmd.time)),
                     writes[0].t.eq(out_t), writes[0].half.eq(ctrl.tile_half)]
        for j in range(c.cols):
            if j:
                m.d.sync += [reads[j].eq(reads[j - 1]), writes[j].eq(writes[j - 1])]
            use = Signal(name=f"psum_use{j}")
            m.d.sync += use.eq(reads[j].valid & reads[j].use)
            m.d.comb += [tiles.rd_en[j].eq(reads[j].valid), tiles.rd_addr[j].eq(reads[j].t),
                         tiles.rd_half[j].eq(reads[j].half),
                         grid.psum_top[j].eq(Mux(use, tiles.rd_data[j], 0)),
                         tiles.wr_en[j].eq(writes[j].valid), tiles.wr_addr[j].eq(writes[j].t),
                         tiles.wr_half[j].eq(writes[j].half), tiles.wr_data[j].eq(grid.psum_bottom[j])]

    def _feed_output_stationary(self, m: Module, ctrl, bufs, tiles, grid, cmd) -> None:
        c = self._config
        left, top = bufs["left"], bufs["top"]
        streaming = ctrl.rd_valid & (ctrl.rd_line < cmd.time)
        for buf in (left, top):
            m.d.comb += [buf.rd_en.eq(streaming), buf.rd_line.eq(ctrl.rd_line), buf.rd_half.eq(ctrl.rd_half)]
        valid, first = Signal(), Signal()
        m.d.sync += [valid.eq(streaming), first.eq(streaming & (ctrl.rd_line == 0))]
        m.d.comb += [grid.left.eq(self._masked(m, left.rd_data, c.rows, ctrl.used_rows, "left_line")),
                     grid.top.eq(self._masked(m, top.rd_data, c.cols, ctrl.used_cols, "top_line")),
                     grid.left_valid.eq(valid), grid.left_first.eq(first),
                     grid.capture.eq(ctrl.capture), grid.shift.eq(ctrl.chain_write)]
        for j in range(c.cols):
            m.d.comb += [tiles.wr_en[j].eq(ctrl.chain_write), tiles.wr_addr[j].eq(ctrl.chain_line),
                         tiles.wr_half[j].eq(ctrl.chain_half), tiles.wr_data[j].eq(grid.result_top[j]),
                         tiles.rd_en[j].eq(0)]


def default_params(spec: Any) -> dict[str, Any]:
    """Operand widths of the spec's word (or of ``layer`` of ``model``), 32-bit sums, the
    longest streamed dimension the SRAMs allow."""
    return {"weight_bits": None, "act_bits": None, "act_signed": None, "acc_bits": 32, "max_time": None,
            "model": None, "layer": None, "fault": None}


def build(spec: Any, params: Mapping[str, Any]) -> SystolicArray:
    config = array_config(spec, params)
    layer = param_layer(params)
    if layer is not None:  # a layer the buffers cannot hold is refused here, before any build
        layer_command(config, spec, GemmShape.of_layer(layer))
    return SystolicArray(config, fault=params["fault"])


BLOCK = RtlBlock(
    name="systolic_array",
    build=build,
    default_params=default_params,
    testbench="tb_systolic_array",
    estimate=systolic_array_resources,
    family=Family.SYSTOLIC,
    default_arch="systolic-32x32-ws",
    faults=FAULTS,
    drop_zero_memory_init=True,
)
