"""Structural FPGA resource estimate (LUT, FF, BRAM36, DSP) of a spiking accelerator on a Xilinx 7-series.

Counted per physical neuron unit of width ``M`` (membrane bits) with ``Cb``-bit output counter:

* FF: membrane ``M``; threshold register ``M`` if thresholds are per neuron; output counter
  ``Cb``; controller state ``ceil(log2(states))`` (binary encoding); spike output 1.
* LUT: adder/subtractor ``M`` (one LUT per bit on the carry chain); operand select (weight,
  leak term, inhibition) as a 4:1 mux, one LUT6 per bit; reset select (2:1, two bits per
  dual-output LUT6) ``M/2``; threshold comparator ``M/2`` (two bits per LUT on the carry
  chain); counter ``Cb``; controller ``fsm_luts_per_unit``; a multi-threshold unit (K > 1)
  adds a shifter and ``K - 1`` more comparators (``M + (K-1) M/2``).

Shared per core: the input buffer (``C x input_bits`` FF when the design keeps the image in
registers), one comparator per input against the random number (``ceil(input_bits/2) + 1``
LUT: the low bits on the carry chain plus the zero test of the padded high bits, which is
shared), the input-select mux (a ``C:1`` tree of 4:1 LUT6 muxes), the readout mux of the
counters (``Cb`` trees of ``N:1``), the LFSR (16 FF), and the controller (``control_*``).
BRAM36: ``ceil(P / weights_per_word)`` words per row side by side, ``ceil(C * G / depth)``
deep.  DSP: 0 (weights are added, multi-bit events shifted and added).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil, log2

from hwsim.spec.snn import SnnSpec
from hwsim.workload.snn import EncodingKind, SnnNetwork

LFSR_FFS = 16
LFSR_LUTS = 2


@dataclass(frozen=True)
class FpgaResources:
    lut: int
    ff: int
    bram36: int
    dsp: int

    def to_dict(self) -> dict[str, int]:
        return {"lut": self.lut, "ff": self.ff, "bram36": self.bram36, "dsp": self.dsp}


def mux_luts(ways: int) -> int:
    """LUT6 of a ``ways:1`` one-bit mux built as a tree of 4:1 muxes."""
    total, level = 0, ways
    while level > 1:
        level = ceil(level / 4)
        total += level
    return total


def unit_resources(arch: SnnSpec, levels: int) -> tuple[int, int]:
    """(LUT, FF) of one neuron unit built for ``levels`` thresholds."""
    d = arch.datapath
    m, cb = d.membrane_bits, d.counter_bits
    fsm_ff = max(1, ceil(log2(arch.logic.fsm_states_per_unit))) if arch.logic.fsm_states_per_unit > 1 else 0
    ff = m + (m if d.per_neuron_threshold else 0) + cb + fsm_ff + 1
    lut = m + m + ceil(m / 2) + ceil(m / 2) + cb + arch.logic.fsm_luts_per_unit
    if levels > 1:
        lut += m + (levels - 1) * ceil(m / 2)
    return lut, ff


def estimate_resources(net: SnnNetwork, arch: SnnSpec) -> FpgaResources:
    """Resources of one core per layer, sized for ``net`` on ``arch``."""
    d = arch.datapath
    lut = ff = bram = 0
    for index, layer in enumerate(net.layers):
        p = arch.parallel_neurons(layer.neurons)
        groups = ceil(layer.neurons / p)
        u_lut, u_ff = unit_resources(arch, max(layer.neuron.levels, 1))
        lut += p * u_lut + mux_luts(layer.inputs) + d.counter_bits * mux_luts(layer.neurons) + arch.logic.control_luts
        ff += p * u_ff + arch.logic.control_ffs
        if groups > 1:
            # Membranes, thresholds and counters of the other groups wait in distributed RAM (64 b per LUT).
            lut += ceil((groups - 1) * p * (2 * d.membrane_bits + d.counter_bits) / 64)
        if index == 0:
            bits = net.encoding.input_bits
            if d.input_buffer:
                ff += layer.inputs * bits
            if net.encoding.kind is not EncodingKind.DIRECT:
                lut += layer.inputs * (ceil(bits / 2) + 1) + LFSR_LUTS
                ff += LFSR_FFS
        words_per_row = ceil(p / arch.weights_per_word(d.weight_bits))
        bram += words_per_row * ceil(layer.inputs * groups / arch.synapse_memory.depth_words)
    return FpgaResources(lut=int(lut), ff=int(ff), bram36=int(bram), dsp=0)
