"""systolic_array RTL against the systolic engine: one real layer's simulation time, and the
cycles and stalls of the sized-down ResNet-18 layers with a narrow DRAM.

Usage: .venv/bin/python benchmarks/systolic_rtl.py [--sims icarus,verilator] [--sizes 8,16]
       [--model resnet18 --layer layer4.0.downsample] [--stalls]

Part 1 (default): the whole layer on an N x N WS array with the preset's SRAMs and stall-free
DRAM, on each simulator: cycles (every fold checked), the build and run seconds, and the
engine's seconds for the same layer (``simulate_layer``, best of 20).
Part 2 (``--stalls``): the 4x4 OS/WS/IS arrays of the cosimulation tests with a DRAM of
1/2/1 (ifmap/filter/ofmap) words per cycle: per layer the RTL's compute and stall cycles
(equal to ``hwsim.sim.blocks.systolic_array``, checked by the run) beside the engine's
stalls and prefetch cycles with ``buffer_model: fold`` (the RTL's buffers) and ``analytic``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from hwsim.func.systolic_array import load_layer_network
from hwsim.rtlflow.runner import run_testbench
from hwsim.sim.systolic.network import simulate_layer
from hwsim.spec.arch import load_arch_spec
from hwsim.testbench.systolic_stimulus import resnet18_layers, sized_down

SMALL = {"array.rows": 4, "array.cols": 4, "sram.ifmap_kb": 1, "sram.filter_kb": 1, "sram.ofmap_kb": 1}
NARROW_DRAM = {"dram.ifmap_words_per_cycle": 1, "dram.filter_words_per_cycle": 2, "dram.ofmap_words_per_cycle": 1}


def engine_seconds(layer, spec, repeats: int = 20) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        simulate_layer(layer, spec)
        best = min(best, time.perf_counter() - t0)
    return best


def whole_layer(sims: list[str], sizes: list[int], model: str, layer_name: str, build_root: Path) -> None:
    layer = load_layer_network(model).layer(layer_name)
    print(f"{model}:{layer_name} on N x N WS (systolic-32x32-ws SRAMs, stall-free DRAM)")
    print("| N | simulator | cycles | engine cycles | output / cycle mismatches | build s | run s | "
          "cycles/s | engine s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        overrides = {"array.rows": n, "array.cols": n}
        spec = load_arch_spec("systolic-32x32-ws", overrides)
        engine = simulate_layer(layer, spec).cycles
        eng_s = engine_seconds(layer, spec)
        for sim in sims:
            r = run_testbench("systolic_array", sim, arch="systolic-32x32-ws", overrides=overrides,
                              params={"model": model, "layer": layer_name}, build_root=build_root,
                              run_tag=f"bench-{n}")
            rtl = json.loads((r.run_dir / "summary.json").read_text())["layers"][0]
            cycles = rtl["compute_cycles"] + rtl["stall_cycles"]
            print(f"| {n} | {sim} | {cycles:,} | {engine:,} | {r.output_mismatches} / {r.cycle_mismatches} | "
                  f"{r.build_s:.1f} | {r.run_s:.1f} | {r.cycles_simulated / r.run_s:,.0f} | {eng_s:.5f} |", flush=True)


def stalls(build_root: Path) -> None:
    conv1, stage1 = resnet18_layers()
    layers = {"resnet18:conv1": sized_down(conv1, K=5, P=2, Q=2),
              "resnet18:layer1.0.conv1": sized_down(stage1, C=3, K=6, P=3, Q=3)}
    print("4x4 array, 1 KB SRAMs, DRAM 1/2/1 words per cycle")
    print("| dataflow | layer | RTL compute | RTL stalls | RTL before + after | engine `fold`: stalls | prefetch | "
          "engine `analytic`: stalls | prefetch |")
    print("|---|---|---|---|---|---|---|---|---|")
    for dataflow in ("ws", "os", "is"):
        overrides = {**SMALL, **NARROW_DRAM, "dataflow": dataflow}
        spec = load_arch_spec("systolic-32x32-ws", overrides)
        r = run_testbench("systolic_array", "icarus", arch="systolic-32x32-ws", overrides=overrides, seed=3,
                          build_root=build_root, run_tag="bench-stalls")
        assert r.passed, r.first_mismatches
        for rtl in json.loads((r.run_dir / "summary.json").read_text())["layers"]:
            key = next((k for k in layers if rtl["label"].startswith(k)), None)
            if key is None:
                continue
            fold = simulate_layer(layers[key], load_arch_spec("systolic-32x32-ws", {**overrides, "buffer_model": "fold"}))
            analytic = simulate_layer(layers[key], spec)
            print(f"| {dataflow} | {key} | {rtl['compute_cycles']} | {rtl['stall_cycles']} | "
                  f"{rtl['before_cycles']} + {rtl['after_cycles']} | {fold.other_cycles} | "
                  f"{fold.extra['prefetch_cycles']} | {analytic.other_cycles} | {analytic.extra['prefetch_cycles']} |",
                  flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", default="icarus")
    parser.add_argument("--sizes", default="8,16")
    parser.add_argument("--model", default="resnet18")
    parser.add_argument("--layer", default="layer4.0.downsample")
    parser.add_argument("--stalls", action="store_true")
    parser.add_argument("--build-root", type=Path, default=Path("build/bench-systolic"))
    args = parser.parse_args()
    build_root = args.build_root.resolve()
    if args.stalls:
        stalls(build_root)
    else:
        whole_layer(args.sims.split(","), [int(n) for n in args.sizes.split(",")], args.model, args.layer, build_root)


if __name__ == "__main__":
    main()
