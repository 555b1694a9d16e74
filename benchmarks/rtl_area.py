"""hwsim's FPGA-resource estimate against Yosys synthesis (xc7), three or more parameter sets per block.

Usage: .venv/bin/python benchmarks/rtl_area.py [--blocks ternary_adder,sparse_skip,ternary_dot_engine,...]
(default: every block below; the spiking blocks: --blocks lif_neuron,snn_core)

Prints one row per (block, parameter set): Yosys LUT/FF/CARRY4/BRAM, hwsim's estimate, and the
relative error of the estimate; then the mean absolute error per block.
"""

from __future__ import annotations

import argparse
import time

from hwsim.rtlflow.area import synthesize
from hwsim.rtlflow.blocks import get_block
from hwsim.rtlflow.generate import load_block_arch, make_design

# spiking-block parameter sets: a narrow multi-threshold neuron, a multi-threshold core
NARROW = {"membrane_bits": 8, "threshold_lsb": 40, "levels": 3, "input_levels": 3, "reset": "soft",
          "refractory_steps": 2, "leak_shift": 2}
MULTI = {"levels": 3, "input_levels": 3, "reset": "soft", "refractory_steps": 2, "membrane_bits": 12,
         "threshold_lsb": 300}
# Spiker's control flow: clock-driven, empty steps skipped, lateral inhibition by a feedback scan
SPIKER_MODE = {"event_driven": 0, "skip_empty_steps": 1, "inhibition_scan": 1, "inhibition_lsb": 30}
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
    ("lif_neuron", None, {}, {}),
    ("lif_neuron", None, NARROW, {}),
    ("lif_neuron", None, {"membrane_bits": 24, "weight_bits": 8, "threshold_lsb": 1000, "leak_shift": 4}, {}),
    ("lif_neuron", None, {"membrane_bits": 12, "levels": 2, "reset": "soft"}, {}),
    ("snn_core", None, {"parallel_neurons": 1, "neurons": 1, "inputs": 16}, {}),
    ("snn_core", None, {"parallel_neurons": 1, "neurons": 4, "inputs": 16}, {}),
    ("snn_core", None, {"parallel_neurons": 1, "neurons": 8, "inputs": 16}, {}),
    ("snn_core", None, {}, {}),
    ("snn_core", None, {"parallel_neurons": 4, "neurons": 8, "inputs": 16, **MULTI}, {}),
    ("snn_core", None, {"parallel_neurons": 8, "neurons": 8, "inputs": 64}, {}),
    ("snn_core", None, {"parallel_neurons": 4, "neurons": 4, "inputs": 32, "event_driven": 0}, {}),
    ("snn_core", None, {"parallel_neurons": 16, "neurons": 64, "inputs": 128}, {}),
    ("snn_core", None, {"parallel_neurons": 4, "neurons": 4, "inputs": 32, **SPIKER_MODE}, {}),
    ("snn_core", None, {"parallel_neurons": 8, "neurons": 8, "inputs": 64, **SPIKER_MODE}, {}),
    ("snn_core", None, {"parallel_neurons": 4, "neurons": 8, "inputs": 16, **SPIKER_MODE}, {}),
    ("snn_core", None, {"parallel_neurons": 16, "neurons": 32, "inputs": 64, **SPIKER_MODE}, {}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", default=",".join(dict.fromkeys(case[0] for case in CASES)))
    args = parser.parse_args()
    wanted = set(args.blocks.split(","))
    print("| block | arch | parameters | Yosys LUT/FF/CARRY4/BRAM | hwsim LUT/FF/CARRY4/BRAM | LUT err | FF err | synth s |")
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
        print(f"| {block_name} | {arch or '-'} | {shown or 'defaults'} | {synth.lut}/{synth.ff}/{synth.carry}/{synth.bram} | "
              f"{est.lut}/{est.ff}/{est.carry}/{est.bram} | {lut_err:+.1%} | {ff_err:+.1%} | {time.perf_counter() - t0:.1f} |")
    print()
    for name, errs in errors.items():
        print(f"{name}: mean |error| over LUT and FF {sum(errs) / len(errs):.1%}, worst {max(errs):.1%}")


if __name__ == "__main__":
    main()
