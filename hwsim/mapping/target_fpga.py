"""An FPGA Transformer accelerator (family ``attention``) as a loop-nest target.

The DSP pool is a ``rows x cols`` MAC array (``dsp * macs_per_dsp`` MACs, rows the largest
power of two not above its square root): the reduction (C) runs along the rows, output
features and tokens (K, P) along the columns.  Each MAC has a one-word operand register
(level 0) for the stationary operand (weights, or the keys/values of attention); block RAM
(level 1) holds tiles of every operand; DRAM (level 2) is the backing store at the spec's
bandwidth.  Energies are the spec's per-byte BRAM and DRAM prices times the word's bytes.
"""

from __future__ import annotations

import math

from hwsim.mapping.loopnest.target import MappingTarget, MemoryLevel
from hwsim.spec.attention import AttentionSpec
from hwsim.workload.layers import Layer

# A BRAM36 in true dual-port mode has two 72-bit ports: 64 data bits (8 bytes) each per cycle
# (Xilinx UG573, 7-series/UltraScale block RAM).
_BRAM36_PORT_BYTES = 8
_BRAM36_PORTS = 2


def word_bytes(bits: int) -> float:
    """Bytes of one word of ``bits`` bits (words are not padded to bytes)."""
    return bits / 8.0


def fpga_target(spec: AttentionSpec, layer: Layer) -> MappingTarget:
    """The loop-nest view of ``spec``'s DSP pool for ``layer``'s activation width."""
    macs = spec.dsp_pool.dsp * spec.dsp_pool.macs_per_dsp
    rows = 1 << int(math.floor(math.log2(math.isqrt(macs))))
    cols = macs // rows
    wb = word_bytes(layer.act_bits)
    bram_pj = spec.energy.bram_byte.pj * wb
    dram_pj = spec.energy.dram_byte.pj * wb
    bram_words = spec.fpga.bram36 * spec.memory.activation_bytes_per_bram36 / wb
    bram_bw = spec.fpga.bram36 * _BRAM36_PORTS * _BRAM36_PORT_BYTES / wb
    dram_bw = spec.memory.dram_bandwidth_gb_s * 1e3 / spec.clock_mhz / wb  # GB/s over MHz: bytes per cycle
    return MappingTarget(
        name=f"{spec.name}-dsp{rows}x{cols}", rows=rows, cols=cols, row_dims=("C",), col_dims=("K", "P"),
        levels=(
            MemoryLevel("dsp_reg", 1.0, 0.0, 0.0, 1e12, holds=(True, False, False)),
            MemoryLevel("bram", float(bram_words), bram_pj, bram_pj, float(bram_bw)),
            MemoryLevel("dram", 1e15, dram_pj, dram_pj, float(dram_bw)),
        ),
        mac_energy_pj=spec.energy.dsp_mac.pj,
    )
