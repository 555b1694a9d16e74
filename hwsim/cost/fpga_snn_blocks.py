"""FPGA-resource estimates (xc7: LUT6, FF, CARRY4, RAMB18) of the spiking RTL blocks.

Counted from the structure ``rtl/lif_neuron.py`` and ``rtl/snn_core.py`` build, per membrane
bit, not fitted to one synthesis run; checked against Yosys (``hwsim rtl area``) in
tests/test_snn_rtl.py and BENCHMARKS.md ("Spiking RTL").

One neuron lane (``NeuronLogic``), per membrane bit: the integrate adder and its clamp mux,
the leak subtractor and the next-state mux (integrate / fire / clear / hold): 4 LUTs.  Each
threshold adds a constant compare (half a LUT per bit that the constant involves), a soft
reset a constant subtractor (one per such bit), a multi-bit input value one adder per extra
bit of ``x`` (the shift/add product), the refractory counter two LUTs per bit.

The core keeps ``G x P`` membranes in registers.  With more than one group each state bit of
a lane is read through a ``G:1`` mux (a LUT6 is a 4:1 mux) and each stored bit needs its own
load mux (about 1.25 LUTs with the group decode).  The weight memory is a ROM of ``G * inputs``
rows of ``P * weight_bits``: Yosys puts it into RAMB18s from 256 rows on (below that it
becomes LUT logic, one LUT6 per 64 rows and output bit, with a register for the synchronous
read); the event buffer is LUT RAM.  Spiker's inhibition scan is priced by
:func:`inhibition_scan_resources`.
"""

from __future__ import annotations

from math import ceil
from typing import Any, Mapping

from hwsim.cost.fpga_resources import FpgaResources
from hwsim.sim.blocks.snn_core import groups

BRAM_MIN_ROWS = 256
"""Smallest weight ROM Yosys (0.70, synth_xilinx) maps to block RAM in these designs (measured: 512 rows did, 64 did not)."""

RAMB18_SHAPES = ((512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2), (16384, 1))
"""(depth, width) aspect ratios of one RAMB18E1 (Xilinx UG473)."""


def _bits(n: int) -> int:
    """Register bits of a counter over ``range(n)``."""
    return max(1, (max(n, 2) - 1).bit_length())


def _refractory_bits(params: Mapping[str, Any]) -> int:
    """Refractory counter bits that survive synthesis (none without a refractory period)."""
    return params["refractory_steps"].bit_length()


def _trailing_zeros(value: int) -> int:
    return (value & -value).bit_length() - 1


def lane_luts(params: Mapping[str, Any]) -> float:
    """LUTs of one neuron lane (see the module docstring).

    A compare with, or subtraction of, a constant ``c`` only involves the bits from the lowest
    set bit of ``c`` up (Yosys drops the rest), so a power-of-two threshold is cheap.
    """
    mb, wb, theta = params["membrane_bits"], params["weight_bits"], params["threshold_lsb"]
    xb = params["input_levels"].bit_length()
    lut = 4.0 * mb + 4
    lut += sum(mb - _trailing_zeros(k * theta) for k in range(1, params["levels"] + 1)) / 2
    if params["reset"] == "soft":
        lut += mb - _trailing_zeros(theta)
    lut += (xb - 1) * (wb + xb) + 2 * _refractory_bits(params)
    return lut


def lane_carry(params: Mapping[str, Any]) -> int:
    """CARRY4s of one lane: integrate adder and leak subtractor (a quarter per bit each), the compares."""
    mb = params["membrane_bits"]
    leak = params["leak"] != "none"
    return ceil(mb / 4) * (2 if leak else 1) + params["levels"] * ceil(mb / 8) + (ceil(mb / 4) if params["reset"] == "soft" else 0)


def neuron_block_resources(params: Mapping[str, Any]) -> FpgaResources:
    """:class:`rtl.lif_neuron.LifNeuron`: one lane, its membrane and refractory registers, the fire flag."""
    ff = params["membrane_bits"] + _refractory_bits(params) + 1
    return FpgaResources(lut=round(lane_luts(params)), ff=ff, carry=lane_carry(params))


def ramb18_count(depth: int, width: int) -> int:
    """RAMB18s for a ``depth x width`` memory, in the best aspect ratio."""
    return min(ceil(depth / d) * ceil(width / w) for d, w in RAMB18_SHAPES)


def core_block_resources(params: Mapping[str, Any]) -> FpgaResources:
    """:class:`rtl.snn_core.SnnCore` with ``P`` lanes over ``G`` groups (see the module docstring)."""
    P, C, N = params["parallel_neurons"], params["inputs"], params["neurons"]
    G = groups(N, P)
    mb, wb = params["membrane_bits"], params["weight_bits"]
    xb = params["input_levels"].bit_length()
    state_bits = mb + _refractory_bits(params)
    rows, width = G * C, P * wb
    in_bram = rows >= BRAM_MIN_ROWS
    bram = ramb18_count(rows, width) if in_bram else 0
    rom_luts = 0 if in_bram else width * ceil(rows / 64)

    lut = P * lane_luts(params) + rom_luts + 8
    ff = G * P * state_bits + (0 if in_bram else width) + 4 + xb
    carry = P * lane_carry(params)
    if G > 1:
        # per state bit: the G:1 read mux and a load mux per stored copy
        lut += P * state_bits * (ceil((G - 1) / 3) + 1.25 * G)
        ib = _bits(C)
        buffer_luts = ceil((ib + xb + 2) / 6) if C <= 32 else (ib + xb + 2) * ceil(C / 64)
        lut += buffer_luts + 4 * _bits(C + 1) + 2 * _bits(rows) + 2 * _bits(G)   # beat counter/compare, row base
        ff += _bits(rows) + 2 * _bits(C + 1) + _bits(G)
        carry += ceil(_bits(rows) / 4)
    elif not params["event_driven"]:
        lut += 2 * _bits(C + 1)    # the scan counter and its end compare
        ff += _bits(C + 1)
    if params.get("inhibition_scan"):
        scan = inhibition_scan_resources(P, N, G, mb, params["levels"].bit_length())
        lut, ff, carry = lut + scan.lut, ff + scan.ff, carry + scan.carry
    return FpgaResources(lut=round(lut), ff=ff, carry=carry, bram=bram)


def inhibition_scan_resources(P: int, N: int, G: int, membrane_bits: int, out_bits: int) -> FpgaResources:
    """What Spiker's inhibition scan adds to a core (``rtl/snn_core.py``, ``inhibition_scan=1``).

    Per lane: the subtractor of the line's amount, the floor compare and clamp mux (about 1.5
    LUTs per membrane bit), one more input on the load mux of each of the ``G`` stored copies
    when there are several (1.25 per bit and copy, as for the integrate path), and the "not
    this lane's own line" compare.  Registers: the ring of ``N`` feedback outputs, the outputs
    of groups ``0..G-2`` held until the last group fires, the scan counter and the group's
    first-neuron index; each ring bit has a load/shift mux.
    """
    per_lane = 1.5 * membrane_bits + (1.25 * G * membrane_bits if G > 1 else 0) + _bits(N) / 2
    lut = P * per_lane + N * out_bits + 10
    ff = N * out_bits + (G - 1) * P * out_bits + _bits(N) + _bits(G * P)
    return FpgaResources(lut=round(lut), ff=ff, carry=P * ceil(membrane_bits / 4))
