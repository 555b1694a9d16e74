"""FPGA resources of a block: hwsim's estimate and Yosys's count share this one record."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class FpgaResources:
    """Cells of a synthesized block (counts, not percentages).

    ``carry`` counts carry-chain cells (xc7 CARRY4, ice40 SB_CARRY); ``bram`` block RAMs
    (RAMB18/36 or SB_RAM40_4K); ``dsp`` DSP slices (DSP48E1 or SB_MAC16).
    """

    lut: int
    ff: int
    carry: int = 0
    bram: int = 0
    dsp: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)
