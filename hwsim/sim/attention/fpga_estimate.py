"""FPGA-resource estimates (xc7: LUT6, FF, CARRY4) of the attention RTL blocks.

Counted from the structure each block builds, not fitted: registers are the state the RTL
keeps; one LUT6 per output bit of a mux of up to four inputs; an n-bit adder is n LUTs on
ceil(n/4) CARRY4; a ROM output bit of an a-bit address is 2^(a-6) LUT6.  ``hwsim rtl area <block>`` prints these next to Yosys's count
(docs/attention.md lists both).
"""

from __future__ import annotations

from math import ceil
from typing import Any, Mapping

from hwsim.cost.fpga_resources import FpgaResources
from hwsim.sim.attention.lut_score_unit import accumulator_bits


def topk_resources(spec: Any, params: Mapping[str, Any]) -> FpgaResources:
    """``rtl.topk_unit.TopkUnit``: k slots of (valid, score, index), each with a comparator."""
    k, s, i = params["k"], params["score_bits"], params["index_bits"]
    entry_bits = 1 + s + i
    ff = k * entry_bits + i + 1                       # slots, key counter, draining flag
    # per slot: the signed compare (s LUTs on the carry chain) and a keep/new/upper/lower mux per bit
    lut = k * (s + entry_bits) + i + 4
    # a compare resolves two bits per LUT, so s/2 carry bits: ceil(s/8) CARRY4 per slot
    return FpgaResources(lut=lut, ff=ff, carry=k * ceil(s / 8) + ceil(i / 4))


def lut_score_resources(spec: Any, params: Mapping[str, Any]) -> FpgaResources:
    """``rtl.lut_score_unit.LutScoreUnit``: per lane a magnitude ROM and sign logic, an adder tree, an accumulator."""
    lanes, bits = params["lanes"], params["qk_bits"]
    width = params["score_bits"] or accumulator_bits(params["head_dim"], bits)
    mag_bits = 2 * (bits - 1)                                   # |q| * |k|
    rom_luts = mag_bits * max(1, 2 ** (mag_bits - 6))          # a 2(b-1)-bit address: one LUT6 per output bit
    sign_luts = 2 * bits + mag_bits + 1                         # |q|, |k| and the product's conditional negation
    adder_luts = (lanes - 1) * (mag_bits + 2) + 2 * width       # the tree, the accumulator and its first-beat mux
    ff = 2 * width + 2                                          # accumulator, output register, flags
    carry = ceil(adder_luts / 4) + 2 * lanes                   # the adders, then |q| and |k| per lane
    return FpgaResources(lut=lanes * (rom_luts + sign_luts) + adder_luts + 4, ff=ff, carry=carry)
