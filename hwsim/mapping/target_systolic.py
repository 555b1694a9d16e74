"""A systolic array (family ``systolic``, SCALE-Sim's machine) as a loop-nest target.

The spec's dataflow fixes what the array axes carry (rows x cols): weight-stationary
C*R*S x K, output-stationary N*P*Q x K, input-stationary C*R*S x N*P*Q, and which operand
each PE keeps in its one-word register (level 0).  The three SRAMs each hold one operand;
the loop-nest model stacks them as levels, the stationary operand's buffer innermost, so
every tile nests in the one above it, a restriction of the search (each SRAM is still sized
and priced on its own).  DRAM is the backing store; its bandwidth is the sum of the three
buffers' interfaces (or unbounded for ``calc``).  Each SRAM moves one word per cycle per PE
on the array edge it feeds, so loading a stationary operand takes time.  Energies are the spec's per-word prices
(an element of another width costs its share of a word, a MAC the product of its widths);
an ifmap or filter SRAM fill from DRAM is priced as one read of that SRAM (the spec has no
write price for them); the ofmap SRAM has both.
"""

from __future__ import annotations

from hwsim.mapping.loopnest.target import MappingTarget, MemoryLevel
from hwsim.spec.enums import Dataflow
from hwsim.spec.systolic import CALC, SystolicSpec
from hwsim.workload.layers import Layer
from hwsim.workload.precision import mac_energy_scale, mac_passes, word_scale

_AXES = {
    Dataflow.WEIGHT_STATIONARY: (("C", "R", "S"), ("K",)),
    Dataflow.OUTPUT_STATIONARY: (("N", "P", "Q"), ("K",)),
    Dataflow.INPUT_STATIONARY: (("C", "R", "S"), ("N", "P", "Q")),
}
# Which array edge each SRAM feeds (words per cycle = that edge's PEs), after SCALE-Sim's
# dataflows: WS preloads filters from the top and streams ifmaps from the left; OS streams
# ifmaps from the left and filters from the top; IS preloads ifmaps from the top and streams
# filters from the left; outputs leave at the bottom (columns) in every dataflow.
_EDGE = {  # (filter, ifmap, ofmap): "rows" or "cols"
    Dataflow.WEIGHT_STATIONARY: ("cols", "rows", "cols"),
    Dataflow.OUTPUT_STATIONARY: ("cols", "rows", "cols"),
    Dataflow.INPUT_STATIONARY: ("rows", "cols", "cols"),
}
_STATIONARY = {Dataflow.WEIGHT_STATIONARY: 0, Dataflow.INPUT_STATIONARY: 1, Dataflow.OUTPUT_STATIONARY: 2}
_UNBOUNDED = 1e15


def systolic_target(spec: SystolicSpec, layer: Layer) -> MappingTarget:
    """The loop-nest view of ``spec`` (its dataflow, SRAM sizes and energies) for ``layer``'s operand widths.

    Levels count words of ``word_bytes``; each operand's elements fill words by their width
    (:mod:`hwsim.workload.precision`), MACs cost by the product of the widths.
    """
    word_bits = spec.word_bytes * 8
    scale = word_scale(layer, word_bits)
    e = spec.energy
    only = lambda x: tuple(i == x for i in range(3))  # noqa: E731 - holds-mask of one operand
    dram = spec.dram
    rates = (dram.filter_words_per_cycle, dram.ifmap_words_per_cycle, dram.ofmap_words_per_cycle)
    bandwidth = _UNBOUNDED if CALC in rates else float(sum(rates))
    edge = {"rows": float(spec.array.rows), "cols": float(spec.array.cols)}
    bw = [edge[side] for side in _EDGE[spec.dataflow]]
    srams = {
        0: MemoryLevel("filter_sram", float(spec.sram_words(spec.sram.filter_kb)), e.filter_sram_read.pj,
                       e.filter_sram_read.pj, bw[0], only(0), spec.sram.double_buffered),
        1: MemoryLevel("ifmap_sram", float(spec.sram_words(spec.sram.ifmap_kb)), e.ifmap_sram_read.pj,
                       e.ifmap_sram_read.pj, bw[1], only(1), spec.sram.double_buffered),
        2: MemoryLevel("ofmap_sram", float(spec.sram_words(spec.sram.ofmap_kb)), e.ofmap_sram_read.pj,
                       e.ofmap_sram_write.pj, bw[2], only(2), spec.sram.double_buffered),
    }
    first = _STATIONARY[spec.dataflow]
    order = [first] + [x for x in range(3) if x != first]
    rows, cols = _AXES[spec.dataflow]
    return MappingTarget(
        name=f"{spec.name}-{spec.dataflow.value}", rows=spec.array.rows, cols=spec.array.cols,
        row_dims=rows, col_dims=cols,
        # the register holds one element of the stationary operand, however many words wide
        levels=(MemoryLevel("pe_reg", max(1.0, scale[first]), 0.0, 0.0, _UNBOUNDED, only(first)),
                *(srams[x] for x in order),
                MemoryLevel("dram", _UNBOUNDED, e.dram_read.pj, e.dram_write.pj, bandwidth)),
        mac_energy_pj=e.mac.pj * mac_energy_scale(layer, word_bits),
        mac_cycles=float(mac_passes(layer, word_bits)),
        operand_scale=scale,
    )
