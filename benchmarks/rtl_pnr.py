"""Every registered RTL block placed and routed: part, placed LUT/FF/BRAM/DSP, Fmax, assumed clock, ratio.

Usage: .venv/bin/python benchmarks/rtl_pnr.py [--parts LFE5U-25F,iCE40HX8K] [--blocks a,b] [--seed 1]

Each row is one `hwsim rtl pnr BLOCK --device PART --seed N` with the block's default parameters
(its default arch); the target clock is the clock the design is assumed to run at: the arch spec's
`clock_mhz` for an FPGA family, the `spiker` preset's for the spiking blocks (they take no arch),
and for a block of an ASIC family (imc) its spec's clock, marked "(ASIC)".  Prints Markdown rows.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from hwsim.cli import main
from hwsim.rtlflow.blocks import block_names, get_block
from hwsim.report.placed_clock import FPGA_FAMILIES
from hwsim.spec.arch import load_arch_spec

SPIKING_CLOCK_ARCH = "spiker"  # the spiking blocks implement this preset's core


def assumed_clock(block_name: str) -> tuple[float, str]:
    """(MHz, where it comes from) of the clock a block's design is assumed to run at."""
    block = get_block(block_name)
    if block.default_arch is None:
        return float(load_arch_spec(SPIKING_CLOCK_ARCH, {}).clock_mhz), SPIKING_CLOCK_ARCH
    spec = load_arch_spec(block.default_arch, {})
    mark = "" if spec.family in FPGA_FAMILIES else " (ASIC)"
    return float(spec.clock_mhz), f"{block.default_arch}{mark}"


def run(block: str, part: str, seed: int) -> str:
    mhz, source = assumed_clock(block)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "pnr.json"
        code = main(["rtl", "pnr", block, "--device", part, "--seed", str(seed), "--clock-mhz", f"{mhz:g}",
                     "--json", str(out)])
        if code != 0:
            return f"| {block} | {part} | does not fit (see the error above) | | | | | {mhz:g} ({source}) | |"
        r = json.loads(out.read_text())
    p, path = r["placed"], (r["critical_paths"] or [{}])[0]
    fmax = r["fmax_mhz"]
    levels = path.get("logic_levels", "-")
    return (f"| {block} | {part} | {p['lut']:,} | {p['ff']:,} | {p['bram']} | {p['dsp']} | "
            f"{fmax:.1f} ({levels} levels) | {mhz:g} ({source}) | {fmax / mhz:.2f}x |")


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="LFE5U-25F")
    parser.add_argument("--blocks", default=",".join(block_names()))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows = ["| block | part | LUT | FF | BRAM | DSP | Fmax MHz (critical path) | assumed MHz | Fmax / assumed |",
            "|---|---|---|---|---|---|---|---|---|"]
    for part in args.parts.split(","):
        for block in args.blocks.split(","):
            rows.append(run(block, part, args.seed))
    print("\n".join(rows))


if __name__ == "__main__":
    cli()
