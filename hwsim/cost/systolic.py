"""Prices for systolic-array action counts and the area of the array and its SRAMs."""

from __future__ import annotations

from hwsim.cost.vector import vector_energy_table_pj
from hwsim.spec.systolic import SystolicSpec

BITS_PER_BYTE = 8


def energy_table_pj(spec: SystolicSpec) -> dict[str, float]:
    """pJ per counted action: one MAC, one word read from or written to an SRAM or DRAM, one vector lane op."""
    e = spec.energy
    return {
        "pe.mac": e.mac.pj,
        "ifmap_sram.read": e.ifmap_sram_read.pj,
        "filter_sram.read": e.filter_sram_read.pj,
        "ofmap_sram.write": e.ofmap_sram_write.pj,
        "ofmap_sram.read": e.ofmap_sram_read.pj,
        "dram.ifmap_read": e.dram_read.pj,
        "dram.filter_read": e.dram_read.pj,
        "dram.ofmap_write": e.dram_write.pj,
        "dram.ofmap_read": e.dram_read.pj,  # partial sums read back (loop nests that spill them)
        **vector_energy_table_pj(spec.vector_unit),
    }


def area_breakdown_um2(spec: SystolicSpec) -> dict[str, float]:
    """Area by component: the PE grid and each SRAM (all of its bits, both halves)."""
    per_bit = spec.area.sram_per_bit.value_um2
    bits = {
        "ifmap_sram": spec.sram.ifmap_kb,
        "filter_sram": spec.sram.filter_kb,
        "ofmap_sram": spec.sram.ofmap_kb,
    }
    area = {"pe_array": spec.pes * spec.area.pe.value_um2}
    area.update({name: kb * 1024 * BITS_PER_BYTE * per_bit for name, kb in bits.items()})
    return area
