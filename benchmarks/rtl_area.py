"""hwsim's FPGA-resource estimate against Yosys synthesis (xc7), three or more parameter sets per block.

Usage: .venv/bin/python benchmarks/rtl_area.py [--blocks ternary_adder,sparse_skip,ternary_dot_engine]

Prints one row per (block, parameter set): Yosys LUT/FF/CARRY4, hwsim's estimate, and the
relative error of the estimate; then the mean absolute error per block.
"""

from __future__ import annotations

import argparse
import time

from hwsim.rtlflow.area import synthesize
from hwsim.rtlflow.blocks import get_block
from hwsim.rtlflow.generate import load_block_arch, make_design

CASES = [
    ("ternary_adder", "fat", {"width_bits": 8}, {}),
    ("ternary_adder", "fat", {"width_bits": 16}, {}),
    ("ternary_adder", "fat", {"width_bits": 32}, {}),
    ("ternary_adder", "parapim", {"width_bits": 16}, {}),
    ("sparse_skip", "fat", {}, {"skip_unit.weights_per_cycle": 4}),
    ("sparse_skip", "fat", {}, {}),
    ("sparse_skip", "fat", {}, {"skip_unit.weights_per_cycle": 16}),
    ("ternary_dot_engine", "fat", {"columns": 4, "act_bits": 3, "max_reduction": 16}, {}),
    ("ternary_dot_engine", "fat", {}, {}),
    ("ternary_dot_engine", "parapim", {"columns": 8, "act_bits": 4, "max_reduction": 64}, {}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", default="ternary_adder,sparse_skip,ternary_dot_engine")
    args = parser.parse_args()
    wanted = set(args.blocks.split(","))
    print("| block | arch | parameters | Yosys LUT/FF/CARRY4 | hwsim LUT/FF/CARRY4 | LUT err | FF err | synth s |")
    print("|---|---|---|---|---|---|---|---|")
    errors: dict[str, list[float]] = {}
    for block_name, arch, params, overrides in CASES:
        if block_name not in wanted:
            continue
        t0 = time.perf_counter()
        design = make_design(block_name, arch, params, overrides)
        synth, _ = synthesize(design, "xc7")
        block = get_block(block_name)
        est = block.estimate(load_block_arch(block, arch, overrides), design.params)
        lut_err = (est.lut - synth.lut) / synth.lut
        ff_err = (est.ff - synth.ff) / synth.ff
        errors.setdefault(block_name, []).extend([abs(lut_err), abs(ff_err)])
        shown = {**params, **overrides}
        print(f"| {block_name} | {arch} | {shown or 'defaults'} | {synth.lut}/{synth.ff}/{synth.carry} | "
              f"{est.lut}/{est.ff}/{est.carry} | {lut_err:+.1%} | {ff_err:+.1%} | {time.perf_counter() - t0:.1f} |")
    print()
    for name, errs in errors.items():
        print(f"{name}: mean |error| over LUT and FF {sum(errs) / len(errs):.1%}, worst {max(errs):.1%}")


if __name__ == "__main__":
    main()
