"""hwsim's FPGA-resource estimate of the spiking RTL blocks against Yosys synthesis (xc7).

Usage: .venv/bin/python benchmarks/snn_rtl_area.py [--blocks lif_neuron,snn_core]

One row per (block, parameter set): Yosys LUT/FF/CARRY4/BRAM, hwsim's estimate
(``hwsim/cost/fpga_snn_blocks.py``) and its relative error; then the mean absolute error per block.
"""

from __future__ import annotations

import argparse
import time

from hwsim.rtlflow.area import synthesize
from hwsim.rtlflow.blocks import get_block
from hwsim.rtlflow.generate import make_design

NARROW = {"membrane_bits": 8, "threshold_lsb": 40, "levels": 3, "input_levels": 3, "reset": "soft",
          "refractory_steps": 2, "leak_shift": 2}
MULTI = {"levels": 3, "input_levels": 3, "reset": "soft", "refractory_steps": 2, "membrane_bits": 12,
         "threshold_lsb": 300}
CASES = [
    ("lif_neuron", {}),
    ("lif_neuron", NARROW),
    ("lif_neuron", {"membrane_bits": 24, "weight_bits": 8, "threshold_lsb": 1000, "leak_shift": 4}),
    ("lif_neuron", {"membrane_bits": 12, "levels": 2, "reset": "soft"}),
    ("snn_core", {"parallel_neurons": 1, "neurons": 1, "inputs": 16}),
    ("snn_core", {"parallel_neurons": 1, "neurons": 4, "inputs": 16}),
    ("snn_core", {"parallel_neurons": 1, "neurons": 8, "inputs": 16}),
    ("snn_core", {}),
    ("snn_core", {"parallel_neurons": 4, "neurons": 8, "inputs": 16, **MULTI}),
    ("snn_core", {"parallel_neurons": 8, "neurons": 8, "inputs": 64}),
    ("snn_core", {"parallel_neurons": 4, "neurons": 4, "inputs": 32, "event_driven": 0}),
    ("snn_core", {"parallel_neurons": 16, "neurons": 64, "inputs": 128}),
]


def _err(est: int, real: int) -> str:
    return f"{(est - real) / real:+.0%}" if real else ("0" if est == 0 else f"+{est}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", default="lif_neuron,snn_core")
    args = parser.parse_args()
    wanted = set(args.blocks.split(","))
    print("| block | parameters | Yosys LUT/FF/CARRY4/BRAM | hwsim LUT/FF/CARRY4/BRAM | LUT err | FF err | BRAM | synth s |")
    print("|---|---|---|---|---|---|---|---|")
    errors: dict[str, list[float]] = {}
    for name, params in CASES:
        if name not in wanted:
            continue
        t0 = time.perf_counter()
        design = make_design(name, params=params)
        synth, _ = synthesize(design, "xc7")
        est = get_block(name).estimate(None, design.params)
        errors.setdefault(name, []).extend([abs(est.lut - synth.lut) / synth.lut, abs(est.ff - synth.ff) / synth.ff])
        print(f"| {name} | {params or 'defaults'} | {synth.lut}/{synth.ff}/{synth.carry}/{synth.bram} | "
              f"{est.lut}/{est.ff}/{est.carry}/{est.bram} | {_err(est.lut, synth.lut)} | {_err(est.ff, synth.ff)} | "
              f"{'equal' if est.bram == synth.bram else 'differs'} | {time.perf_counter() - t0:.1f} |")
    print()
    for name, errs in errors.items():
        print(f"{name}: mean |error| over LUT and FF {sum(errs) / len(errs):.1%}, worst {max(errs):.1%}")


if __name__ == "__main__":
    main()
