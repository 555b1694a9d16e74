"""FPGA-resource estimates (xc7: LUT6, FF, CARRY4) of the ternary datapath's RTL blocks.

Counted from the structure each block builds, not fitted to one synthesis run: registers
are the state the RTL keeps; LUTs are the muxes and gates around them, one LUT6 per output
bit of a mux of up to 4 data inputs (2 select lines) plus the control decode.  Checked against
Yosys (``hwsim rtl area``) in tests/test_rtl_area.py and BENCHMARKS.md.
"""

from __future__ import annotations

from math import ceil, log2
from typing import Any, Mapping

from hwsim.cost.fpga_resources import FpgaResources
from hwsim.sim.blocks.ternary_adder import bit_step_cycles, carry_init_cycles, running_width_bits
from hwsim.sim.blocks.ternary_dot_engine import acc_width_bits
from hwsim.spec.imc import ImcSpec


def _bits_for(n: int) -> int:
    """Register bits of a counter over ``range(n)``."""
    return max(1, ceil(log2(max(n, 2))))


def _mux_luts(inputs: int) -> int:
    """LUT6s for one output bit of an ``inputs``-way mux (4:1 per LUT6, 8:1 per two + F7)."""
    return max(1, ceil((inputs - 1) / 3))


def _core_counter_bits(arch: ImcSpec, width_bits: int) -> int:
    steps = bit_step_cycles(arch.sense_amp)
    n_init = carry_init_cycles(arch.sense_amp)
    w = width_bits
    return _bits_for(steps) + _bits_for(w) + _bits_for(w + 1) + (_bits_for(n_init + 1) if n_init else 0)


def core_resources(arch: ImcSpec, width_bits: int, *, variable_width: bool = False) -> FpgaResources:
    """One :class:`rtl.ternary_adder.AdderCore`.

    With a fixed bit count (the stand-alone adder) each accumulator bit costs about three
    LUTs: keep / write the sum bit, and the operand load or shift.  When the bit count varies
    per addition (the dot engine's running width) each bit also needs its own write decode,
    its sign-extension compare and the clear: about eight LUTs; a scheme without a carry
    preset cycle starts on the accepting cycle, which adds the first-cycle input muxes.
    """
    w = width_bits
    counters = _core_counter_bits(arch, w)
    ff = 2 * w + counters + 5  # acc, operand, carry/sa_sum/sa_cout/sub/run, counters
    if variable_width:
        cut_through = carry_init_cycles(arch.sense_amp) == 0
        return FpgaResources(lut=8 * w + (16 if cut_through else 0), ff=ff, carry=max(1, w // 16))
    lut = 3 * w + _mux_luts(w) + 2 * counters + 6
    return FpgaResources(lut=lut, ff=ff, carry=max(1, w // 16))


def adder_resources(arch: ImcSpec, params: Mapping[str, Any]) -> FpgaResources:
    """:class:`rtl.ternary_adder.TernaryAdder`: one core plus the output hold flag.

    Its core always processes all ``width_bits`` bits, so synthesis removes the register
    that holds a variable bit count.
    """
    w = params["width_bits"]
    core = core_resources(arch, w)
    return FpgaResources(lut=core.lut + 2, ff=core.ff + 1 - _bits_for(w + 1), carry=core.carry)


def skip_resources(arch: ImcSpec, params: Mapping[str, Any], tag_bits: int = 0) -> FpgaResources:
    """:class:`rtl.sparse_skip.SparseSkip` with ``lanes = skip_unit.weights_per_cycle``."""
    n = arch.skip_unit.weights_per_cycle
    skipping = arch.skip_unit.zero_skip
    count_bits = n.bit_length() if skipping else 0  # no zero is ever skipped: the count is constant
    ff = 1 + 3 * n + count_bits + tag_bits  # busy; held signs, non-zeros, pending lanes; skipped; tag
    # per lane: non-zero decode, held/incoming muxes, pending update and a priority-encoder
    # slice (about 5 LUTs); skipping adds the incoming-mask and zero-count logic (about 4 more);
    # the sub/zero lane selects; one mux LUT per tag bit
    lut = (9 if skipping else 5) * n + 2 * _mux_luts(n) + 2 + tag_bits
    return FpgaResources(lut=lut, ff=ff, carry=max(1, n // 8) if skipping else 0)


def engine_resources(arch: ImcSpec, params: Mapping[str, Any]) -> FpgaResources:
    """:class:`rtl.ternary_dot_engine.TernaryDotEngine`: skip unit, one core per column, control."""
    cols, act_bits = params["columns"], params["act_bits"]
    lanes = arch.skip_unit.weights_per_cycle
    w = acc_width_bits(params["max_reduction"], act_bits)
    tag_bits = cols * lanes * act_bits + 1
    skip = skip_resources(arch, params, tag_bits=tag_bits)
    core = core_resources(arch, w, variable_width=True)
    # the columns run in lockstep: synthesis merges their identical step/bit counters and
    # decode, so only the first column pays for them
    shared = 2 * _core_counter_bits(arch, w) + 6
    count = _bits_for(params["max_reduction"] + 1)
    act_max = (1 << act_bits) - 1
    widths = [int(running_width_bits(n, act_max)) for n in range(1, params["max_reduction"] + 1)]
    width_steps = len(set(widths)) - 1  # one comparator of the operand count per step
    # per column: its core and the lane mux of its activation (act_bits x lanes:1)
    lut = (skip.lut + core.lut + (cols - 1) * (core.lut - shared) + cols * act_bits * _mux_luts(lanes)
           + 2 * count + width_steps * count + 6)
    ff = skip.ff + cols * core.ff + count + 2
    carry = skip.carry + cols * core.carry + width_steps * ceil(count / 4)
    return FpgaResources(lut=lut, ff=ff, carry=carry)
