"""FPGA parts ``hwsim rtl pnr`` places and routes for: family, nextpnr options, capacity.

Capacities are what nextpnr 0.11 reports as available for the part (its ``--report``
utilization), so a design is refused before placement with the numbers nextpnr would use.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from hwsim.rtlflow import RtlError


class PnrFamily(str, enum.Enum):
    ECP5 = "ecp5"
    ICE40 = "ice40"


class Resource(str, enum.Enum):
    """What a placed design is counted in (LUT: 4-input LUTs and carry halves; BRAM: the family's block RAM)."""

    LUT = "lut"
    FF = "ff"
    BRAM = "bram"
    DSP = "dsp"
    IO = "io"


# nextpnr's cell type for each resource, per family
BEL_TYPES: dict[PnrFamily, dict[Resource, str]] = {
    PnrFamily.ECP5: {Resource.LUT: "TRELLIS_COMB", Resource.FF: "TRELLIS_FF", Resource.BRAM: "DP16KD",
                     Resource.DSP: "MULT18X18D", Resource.IO: "TRELLIS_IO"},
    PnrFamily.ICE40: {Resource.LUT: "ICESTORM_LC", Resource.FF: "ICESTORM_LC", Resource.BRAM: "ICESTORM_RAM",
                      Resource.DSP: "ICESTORM_DSP", Resource.IO: "SB_IO"},
}

SYNTH = {
    PnrFamily.ECP5: "synth_ecp5 -top {top} -json {json}",
    PnrFamily.ICE40: "synth_ice40 -dsp -top {top} -json {json}",
}


@dataclass(frozen=True)
class FpgaPart:
    """One part: its name as the user types it, nextpnr's device flag and package, and capacity.

    ``out_of_context``: the block is placed without I/O buffers or global clock routing
    (nextpnr-ecp5 ``--out-of-context``), so its Fmax is register to register inside the
    block and its port count is not limited by the package.  iCE40 has no such mode: its
    ports take real pins.
    """

    name: str
    family: PnrFamily
    device_flag: str
    package: str
    capacity: dict[Resource, int]
    out_of_context: bool

    @property
    def bram_kbit(self) -> int:
        return 18 if self.family is PnrFamily.ECP5 else 4


def _ecp5(name: str, flag: str, lut: int, bram: int, dsp: int) -> FpgaPart:
    return FpgaPart(name, PnrFamily.ECP5, flag, "CABGA381",
                    {Resource.LUT: lut, Resource.FF: lut, Resource.BRAM: bram, Resource.DSP: dsp}, True)


def _ice40(name: str, flag: str, package: str, lc: int, bram: int, dsp: int, io: int) -> FpgaPart:
    return FpgaPart(name, PnrFamily.ICE40, flag, package,
                    {Resource.LUT: lc, Resource.FF: lc, Resource.BRAM: bram, Resource.DSP: dsp, Resource.IO: io},
                    False)


PARTS: dict[str, FpgaPart] = {p.name: p for p in (
    _ecp5("LFE5U-25F", "--25k", 24288, 56, 28),
    _ecp5("LFE5U-45F", "--45k", 43848, 108, 72),
    _ecp5("LFE5U-85F", "--85k", 83640, 208, 156),
    _ice40("iCE40UP5K", "--up5k", "sg48", 5280, 30, 8, 39),
    _ice40("iCE40HX8K", "--hx8k", "ct256", 7680, 32, 0, 206),
)}


def get_part(name: str) -> FpgaPart:
    """The part ``name`` (case-insensitive); an unknown one is a one-line :class:`RtlError`."""
    for part in PARTS.values():
        if part.name.lower() == name.strip().lower():
            return part
    raise RtlError(f"unknown FPGA part '{name}' for --device; known: {', '.join(PARTS)}")
