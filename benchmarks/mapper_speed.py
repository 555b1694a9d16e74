"""Mapping evaluations per second on ResNet-18 layers (target: >= 1,000,000 per core), and hwsim map's overhead.

Two figures per layer: the compiled cost model alone on a pre-generated batch, and the whole
random search (sampling + evaluation + arg-min).  numba runs single-threaded, so both are
per core; rates are over the process's CPU time, so other work on a shared machine does not
lower them.  The target is a 32x32 weight-stationary array (C, R, S on rows, K on columns)
with a 1-word weight register per PE, a 256 KiB-word SRAM and DRAM.

``--overhead`` measures what ``hwsim map --model resnet18 --arch systolic-32x32-ws`` (12
distinct shapes, 200,000 evaluations each) spends outside the cost model: CPU seconds inside
``evaluate_batch`` (timed by a wrapper around it) against the rest of ``map_network``, once the
compiled kernels are loaded; then the whole command's CPU and wall time with 1 and 2 workers.

    python benchmarks/mapper_speed.py [--budget 1000000] [--overhead]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
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
    parser.add_argument("--overhead", action="store_true", help="only measure hwsim map's time outside the model")
    args = parser.parse_args(argv)
    if args.overhead:
        return overhead()
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


def overhead() -> int:
    """Print hwsim map's CPU time inside and outside the cost model, and the command's times."""
    from hwsim import api
    from hwsim.mapping.loopnest import search as search_module
    from hwsim.mapping.network import map_network
    from hwsim.mapping.targets import target_for

    arch, net = api.load_arch("systolic-32x32-ws"), api.load_network("resnet18")
    search(net.layer("conv1"), target_for(arch, net.layer("conv1")), budget=5000)  # load the kernels
    inner = search_module.evaluate_batch
    spent = [0.0]

    def timed(*a, **k):
        t = time.process_time()
        try:
            return inner(*a, **k)
        finally:
            spent[0] += time.process_time() - t

    search_module.evaluate_batch = timed
    try:
        t = time.process_time()
        map_network(net, arch, objective=Objective.EDP, budget=200_000)
        total = time.process_time() - t
    finally:
        search_module.evaluate_batch = inner
    print(f"map_network, ResNet-18 on systolic-32x32-ws, EDP, 200,000 per shape, serial: {total:.2f} s CPU, "
          f"cost model {spent[0]:.2f} s, outside it {total - spent[0]:.2f} s = {(total - spent[0]) / spent[0]:.2f}x")
    for workers in ("1", "2"):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import sys; from hwsim.cli import main; sys.exit(main())", "map",
                        "--model", "resnet18", "--arch", "systolic-32x32-ws", "--quiet", "--workers", workers],
                       check=True, env=os.environ)
        wall = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print(f"hwsim map --workers {workers}: {wall:.2f} s wall, {cpu:.2f} s CPU (all processes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
