"""RTL simulation speed: cocotb on Icarus and Verilator, the native harness, a hand-written C++ testbench.

Usage: .venv/bin/python benchmarks/rtl_speed.py [--transactions 1000] [--long 100000]

For each block the same seeded transactions run through the cocotb testbench on Icarus and on
Verilator and through the native Verilator harness (``hwsim rtl test --sim verilator-native``:
hwsim's models write a vector file, a generated C++ harness checks every output and cycle
count); then ``benchmarks/native_baseline.cpp``, a minimal hand-written Verilator testbench
that checks nothing, drives the same design with the same vectors and the same idle/stall
draws.  Rates are simulated cycles per CPU second (the machine is shared; on an idle one CPU
and wall time agree): for cocotb, of the test run (build excluded; the simulator process,
cocotb start-up and the reference included); for the C++ loops, of the loop alone
(``native_speed.py``); "native run" is the whole native run (vectors from hwsim's models, file,
process, loop).  "hwsim model" is the time hwsim's references take to produce the same
outputs and per-transaction cycle counts.  ``--long`` runs the native
harness and the hand-written testbench alone on that many transactions (0 skips it).
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np

from hwsim.func.sparse_skip import issue
from hwsim.func.ternary_adder import add_step
from hwsim.func.ternary_dot_engine import dot_tile
from hwsim.rtlflow.generate import default_build_root
from hwsim.rtlflow.runner import run_testbench
from hwsim.sim.blocks.sparse_skip import unit_chunk_cycles
from hwsim.sim.blocks.ternary_adder import addition_cycles
from hwsim.sim.blocks.ternary_dot_engine import tile_cycles
from hwsim.spec.arch import load_arch_spec
from hwsim.testbench.tb_sparse_skip import random_chunk
from hwsim.testbench.tb_ternary_adder import random_op
from hwsim.testbench.tb_ternary_dot_engine import random_tile

from native_speed import measure, print_long_runs  # benchmarks/native_speed.py

ENGINE = {"columns": 4, "act_bits": 3, "max_reduction": 16}
CASES = [("ternary_adder", {"width_bits": 16}), ("sparse_skip", {}), ("ternary_dot_engine", ENGINE)]


def model_seconds(block: str, params: dict, n: int) -> tuple[float, int]:
    """Seconds hwsim's reference needs for ``n`` random transactions, and their predicted cycles."""
    spec = load_arch_spec("fat")
    rng = random.Random(0)
    t0 = time.perf_counter()
    if block == "ternary_adder":
        w, acc = params["width_bits"], 0
        cycles = 0
        for i in range(n):
            acc = add_step(acc, random_op(rng, w, i == 0), w)
            cycles += addition_cycles(spec.sense_amp, w)
    elif block == "sparse_skip":
        lanes = spec.skip_unit.weights_per_cycle
        chunks = [random_chunk(rng, lanes) for _ in range(n)]
        for c in chunks:
            issue(c, spec.skip_unit.zero_skip)
        cycles = int(unit_chunk_cycles(np.array(chunks), True, lanes).sum())
    else:
        lanes = spec.skip_unit.weights_per_cycle
        cycles = 0
        for _ in range(n):
            weights, acts = random_tile(rng, lanes, params["max_reduction"] // lanes, params["columns"],
                                        params["act_bits"])
            dot_tile(acts, weights, params["act_bits"], lanes, True, 16)
            cycles += tile_cycles(spec.sense_amp, spec.skip_unit, np.array(weights), params["act_bits"])
    return time.perf_counter() - t0, cycles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=1000)
    parser.add_argument("--long", type=int, default=100_000, help="native-only run length (0: skip)")
    args = parser.parse_args()
    root = default_build_root() / "bench"
    print(f"Same {args.transactions:,} transactions per block; simulated cycles per second.\n")
    print("| block | cycles checked | Icarus (cocotb) | Verilator (cocotb) | native harness loop | hand-written C++ loop "
          "| native run | hand-written / cocotb Verilator | native loop / cocotb Verilator | native loop / Icarus "
          "| native run / cocotb Verilator | hand-written / native loop | hwsim model s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for block, params in CASES:
        runs = {}
        for sim in ("icarus", "verilator"):
            runs[sim] = run_testbench(block, sim, arch="fat", params=params, seed=9, transactions=args.transactions,
                                      build_root=root, run_tag="bench")
            assert runs[sim].passed, runs[sim].first_mismatches
        ic, ve = runs["icarus"], runs["verilator"]
        nat = measure(block, arch="fat", params=params, seed=9, transactions=args.transactions, build_root=root)
        assert nat.run.cycles_checked == ve.cycles_checked  # the same transactions
        model_s, _ = model_seconds(block, params, args.transactions)
        ic_rate, ve_rate = ic.cycles_simulated / ic.run_cpu_s, ve.cycles_simulated / ve.run_cpu_s
        print(f"| {block} | {ve.cycles_checked:,} | {ic_rate:,.0f} | {ve_rate:,.0f} | {nat.harness_rate:,.0f} | "
              f"{nat.baseline_rate:,.0f} | {nat.end_to_end_rate:,.0f} | {nat.baseline_rate / ve_rate:,.0f}x | "
              f"{nat.harness_rate / ve_rate:,.0f}x | {nat.harness_rate / ic_rate:,.0f}x | "
              f"{nat.end_to_end_rate / ve_rate:,.1f}x | {nat.baseline_rate / nat.harness_rate:.2f}x | {model_s:.3f} |")
    if args.long:
        print_long_runs([(block, "fat", params) for block, params in CASES], args.long, root)


if __name__ == "__main__":
    main()
