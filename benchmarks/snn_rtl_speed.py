"""Spiking RTL simulation speed: cocotb on Icarus and Verilator, the native harness, and hwsim on the same steps.

Usage: .venv/bin/python benchmarks/snn_rtl_speed.py [--transactions 1000] [--long 100000]

For lif_neuron and snn_core the same seeded time steps run through the cocotb testbench on both
simulators (cycles simulated per CPU second of the test, build excluded; the machine is
shared) and through the native Verilator harness (``--sim verilator-native``; rate of its C++
loop's CPU time, and of the whole run's), with ``benchmarks/native_baseline.cpp`` (a hand-written
Verilator testbench that checks nothing) on the same vectors as the yardstick.  hwsim does the
same work twice: step by step through ``hwsim.func.lif.lif_step`` plus ``hwsim.sim.blocks``
cycle predictions (what the testbench's reference computes), and, for the core, the whole
spike train at once through ``hwsim.func.lif.run_layer`` (the engine's batched path) plus
``step_cycles``.  ``--long`` runs the native harness alone on that many steps (0 skips it).
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np

from hwsim.func.lif import run_layer
from hwsim.func.snn_core import core_weights, neuron_from_params
from hwsim.rtlflow.generate import default_build_root
from hwsim.rtlflow.runner import run_testbench
from hwsim.sim.blocks.snn_core import SnnCoreTiming, step_cycles
from hwsim.workload.snn import SnnLayer, SnnLayerKind
from hwsim.rtl import lif_neuron, snn_core
from hwsim.testbench.snn_stimulus import core_transactions, neuron_transactions, random_inference

from native_speed import measure, print_long_runs  # benchmarks/native_speed.py

CORE = {"inputs": 8, "neurons": 8, "parallel_neurons": 4, "membrane_bits": 8, "threshold_lsb": 40, "levels": 2,
        "input_levels": 2, "leak_shift": 3}
CASES = [("lif_neuron", {}), ("snn_core", CORE)]
FIELDS_DUMMY = {"index": (0, 8), "value": (8, 8), "last": (16, 1), "clear": (17, 1), "weight": (18, 16)}


def stepwise_model_seconds(block: str, params: dict, n: int) -> float:
    """Seconds the testbench's reference (lif_step per step + cycle model) takes for ``n`` steps."""
    full = {**(snn_core if block == "snn_core" else lif_neuron).default_params(None), **params}
    build = core_transactions if block == "snn_core" else neuron_transactions
    build(full, FIELDS_DUMMY, random.Random(1), 10)  # numba load / compile outside the timing
    t0 = time.perf_counter()
    build(full, FIELDS_DUMMY, random.Random(0), n)
    return time.perf_counter() - t0


def batched_core_seconds(params: dict, n: int) -> float:
    """Seconds for the same number of steps of the core's layer through run_layer + step_cycles."""
    full = {**snn_core.default_params(None), **params}
    neuron = neuron_from_params(full)
    layer = SnnLayer("core", SnnLayerKind.FC, full["neurons"], full["inputs"], 1, 1, 1, 1, 1, 0, neuron)
    weights = core_weights(full["neurons"], full["inputs"], full["weight_bits"], full["weight_seed"]).reshape(
        full["neurons"], full["inputs"], 1, 1)
    x = np.array(random_inference(random.Random(0), full["inputs"], full["input_levels"], n))[np.newaxis]
    timing = SnnCoreTiming(full["parallel_neurons"], bool(full["event_driven"]))
    run_layer(layer, weights, x[:, :10])
    t0 = time.perf_counter()
    run_layer(layer, weights, x)
    step_cycles(np.count_nonzero(x[0], axis=1), inputs=full["inputs"], neurons=full["neurons"], timing=timing)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=1000)
    parser.add_argument("--long", type=int, default=100_000, help="native-only run length (0: skip)")
    args = parser.parse_args()
    root = default_build_root() / "bench"
    print("| block | steps | cycles | Icarus cycles/s | Verilator cycles/s | Verilator / Icarus | Verilator build s "
          "| native loop cycles/s | native run cycles/s | hand-written C++ cycles/s | native loop / cocotb Verilator "
          "| hand-written / native loop | hwsim step-by-step s | hwsim batched s | hwsim step-by-step / Verilator speed |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for block, params in CASES:
        runs = {sim: run_testbench(block, sim, params=params, seed=9, transactions=args.transactions, build_root=root,
                                   run_tag="bench") for sim in ("icarus", "verilator")}
        for run in runs.values():
            assert run.passed, run.first_mismatches
        ic, ve = runs["icarus"], runs["verilator"]
        nat = measure(block, arch=None, params=params, seed=9, transactions=args.transactions, build_root=root)
        assert nat.run.cycles_checked == ve.cycles_checked  # the same steps
        stepwise = stepwise_model_seconds(block, params, args.transactions)
        batched = f"{batched_core_seconds(params, args.transactions):.4f}" if block == "snn_core" else "-"
        ic_rate, ve_rate = ic.cycles_simulated / ic.run_cpu_s, ve.cycles_simulated / ve.run_cpu_s
        print(f"| {block} | {ic.transactions} | {ic.cycles_simulated} | {ic_rate:,.0f} | {ve_rate:,.0f} | "
              f"{ve_rate / ic_rate:.2f}x | {ve.build_s:.1f} | {nat.harness_rate:,.0f} | {nat.end_to_end_rate:,.0f} | "
              f"{nat.baseline_rate:,.0f} | {nat.harness_rate / ve_rate:,.0f}x | {nat.baseline_rate / nat.harness_rate:.2f}x | "
              f"{stepwise:.3f} | {batched} | {ve.run_s / stepwise:,.0f}x |")
    if args.long:
        print_long_runs([(block, None, params) for block, params in CASES], args.long, root)


if __name__ == "__main__":
    main()
