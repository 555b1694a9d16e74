"""The systolic engine's three buffer models on a whole network: stalls, DRAM words, energy.

Usage: .venv/bin/python benchmarks/systolic_buffer_models.py [--model resnet18]
       [--arch systolic-32x32-ws] [--bandwidths 4,16]

For each DRAM bandwidth (words per cycle, the same on all three streams) the network runs with
``buffer_model`` ``analytic`` (hwsim's closed form: a working set that fits its buffer is
fetched once), ``scalesim`` (SCALE-Sim's buffer policy replayed cycle by cycle) and ``fold``
(the buffers ``hwsim rtl generate systolic_array`` builds: every fold's operands reloaded from
DRAM, one fold ahead).  ``array.bypass_unused`` is off, as SCALE-Sim's replay needs.
"""

from __future__ import annotations

import argparse
import time

from hwsim.api import load_arch, load_network, simulate

MODELS = ("analytic", "scalesim", "fold")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="resnet18")
    parser.add_argument("--arch", default="systolic-32x32-ws")
    parser.add_argument("--bandwidths", default="4,16")
    args = parser.parse_args()
    network = load_network(args.model)
    print("| DRAM words/cycle | buffer model | cycles | stall cycles | DRAM words read + written | energy uJ | "
          "DRAM share of energy | simulate s |")
    print("|---|---|---|---|---|---|---|---|")
    for bw in (int(b) for b in args.bandwidths.split(",")):
        for model in MODELS:
            overrides = {"buffer_model": model, "array.bypass_unused": False,
                         **{f"dram.{s}_words_per_cycle": bw for s in ("ifmap", "filter", "ofmap")}}
            arch = load_arch(args.arch, overrides=overrides)
            t0 = time.perf_counter()
            report = simulate(network, arch)
            seconds = time.perf_counter() - t0
            stalls = sum(layer.stall_cycles for layer in report.layers)
            counts = report.total.action_counts
            dram = sum(v for k, v in counts.items() if k.startswith("dram."))
            energy = report.total.energy_pj
            dram_pj = sum(v for k, v in report.total.energy_breakdown_pj.items() if k.startswith("dram"))
            print(f"| {bw} | {model} | {report.total.cycles:,} | {stalls:,} | {dram:,.0f} | {energy / 1e6:,.1f} | "
                  f"{dram_pj / energy:.0%} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
