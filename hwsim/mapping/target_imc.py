"""An IMC accelerator as a loop-nest target: subarray columns as PEs.

The spatial array is ``subarrays x columns``: different subarrays work on different output
channels or reduction parts (K, C, R, S along the array's rows), the lockstep columns of a
subarray on different output pixels (N, P, Q along its columns).  Each column is a PE whose
storage (level 0) holds its bit-serial activations and accumulators; the weight buffer
(level 1) holds only weights and broadcasts them to the subarrays; the bank interconnect
(level 2) is the backing store activations and sums travel over.

Words are the layer's activation width.  One MAC is one in-memory addition of the
reduction's full sum width, taking one micro-op sequence per bit (``mac_cycles``), dense:
zero weights are not skipped here (the IMC engine skips the real zeros).
"""

from __future__ import annotations

from hwsim.mapping.imc import signed_bits
from hwsim.mapping.loopnest.target import MappingTarget, MemoryLevel
from hwsim.spec.imc import ImcSpec
from hwsim.workload.layers import Layer

_UNBOUNDED_WORDS = 1e15  # the backing store and the weight buffer are not the limiting capacity


def imc_target(spec: ImcSpec, layer: Layer) -> MappingTarget:
    """The loop-nest view of ``spec`` for ``layer``'s word width and sum width."""
    act_bits = layer.act_bits
    sum_bits = signed_bits(layer.reduction * ((1 << act_bits) - 1))
    per_bit_pj = sum(m.energy_pj for m in spec.sense_amp.micro_ops)
    cell = spec.subarray.cell
    link_pj_per_bit = spec.interconnect.energy_pj_per_bit
    column_words = (spec.subarray.rows - spec.sense_amp.carry_rows) // act_bits
    weight_bits = 2  # ternary weights, as the skip unit reads them
    column = MemoryLevel(
        "column", float(column_words),
        read_energy_pj=act_bits * cell.read_energy_pj,  # a sum read out of the column
        write_energy_pj=act_bits * cell.write_energy_pj,  # an activation written into the column
        bandwidth_words_per_cycle=1e12, holds=(False, True, True),
    )
    weights = MemoryLevel(
        "weight_buffer", _UNBOUNDED_WORDS,
        read_energy_pj=weight_bits * spec.weight_buffer.read_energy_pj_per_bit,
        write_energy_pj=weight_bits * spec.weight_buffer.read_energy_pj_per_bit,
        bandwidth_words_per_cycle=float(spec.skip_unit.weights_per_cycle * spec.subarrays),
        holds=(True, False, False),
    )
    bank = MemoryLevel(
        "interconnect", _UNBOUNDED_WORDS,
        read_energy_pj=act_bits * link_pj_per_bit, write_energy_pj=act_bits * link_pj_per_bit,
        bandwidth_words_per_cycle=spec.interconnect.width_bits * spec.banks / act_bits,
    )
    return MappingTarget(
        name=f"{spec.name}-columns", rows=spec.subarrays, cols=spec.subarray.cols,
        row_dims=("K", "C", "R", "S", "G"), col_dims=("N", "P", "Q"), levels=(column, weights, bank),
        mac_energy_pj=sum_bits * per_bit_pj, mac_cycles=float(sum_bits * spec.bit_step_cycles),
    )
