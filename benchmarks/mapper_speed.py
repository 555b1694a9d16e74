"""Mapping evaluations per second on ResNet-18 layers (target: >= 1,000,000 per core).

Two figures per layer: the compiled cost model alone on a pre-generated batch, and the whole
random search (sampling + evaluation + arg-min).  numba runs single-threaded, so both are
per core; rates are over the process's CPU time, so other work on a shared machine does not
lower them.  The target is a 32x32 weight-stationary array (C, R, S on rows, K on columns)
with a 1-word weight register per PE, a 256 KiB-word SRAM and DRAM.

    python benchmarks/mapper_speed.py [--budget 1000000]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from rich.console import Console
from rich.table import Table

from hwsim.mapping.loopnest import space
from hwsim.mapping.loopnest.search import evaluate, layer_bounds, search
from hwsim.mapping.loopnest.target import MappingTarget, MemoryLevel
from hwsim.spec.enums import Objective
from hwsim.workload.zoo import load_network

LAYERS = ("conv1", "layer1.0.conv1", "layer2.0.conv2", "layer3.0.downsample", "layer4.1.conv2", "fc")


def ws_array_32() -> MappingTarget:
    return MappingTarget("ws-32x32", 32, 32, ("C", "R", "S"), ("K",), (
        MemoryLevel("pe_reg", 1, 0.03, 0.03, 1e9, (True, False, False)),
        MemoryLevel("sram", 256 * 1024, 2.5, 2.5, 64),
        MemoryLevel("dram", 1e15, 160.0, 160.0, 8),
    ), mac_energy_pj=0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    net = load_network("resnet18")
    target = ws_array_32()
    rng = np.random.default_rng(0)
    search(net.layer("conv1"), target, budget=1000)  # compile (cached on disk afterwards)
    table = Table(title=f"loop-nest mapper on {target.name}, one core")
    for col in ("layer", "space", "model evals/s", "search evals/s", "valid %", "best EDP cycles", "best EDP uJ"):
        table.add_column(col, justify="left" if col == "layer" else "right")
    rates = []
    for name in LAYERS:
        layer = net.layer(name)
        bounds, _ = layer_bounds(layer)
        tables = space.factor_tables(bounds, target)
        batch = space.sample(tables, len(target.levels), args.budget, rng)
        t = time.process_time()
        evaluate(layer, target, *batch)
        model_rate = args.budget / (time.process_time() - t)
        t = time.process_time()
        result = search(layer, target, objective=Objective.EDP, budget=args.budget, seed=0)
        search_rate = result.evaluated / (time.process_time() - t)
        rates.append(model_rate)
        table.add_row(name, f"{space.space_size(tables, len(target.levels)):.2e}", f"{model_rate:,.0f}",
                      f"{search_rate:,.0f}", f"{100 * result.valid / result.evaluated:.1f}",
                      f"{result.latency_cycles:,.0f}", f"{result.energy_pj / 1e6:.2f}")
    Console(width=130).print(table)
    print(f"cost model: min {min(rates):,.0f} evaluations/s per core (target 1,000,000)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
