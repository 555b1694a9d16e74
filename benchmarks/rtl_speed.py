"""RTL simulation speed: Icarus vs Verilator on the same cocotb testbench, and hwsim's model on the same work.

Usage: .venv/bin/python benchmarks/rtl_speed.py [--transactions 1000]

For each block the same seeded transactions run on both simulators (cycles simulated per
wall-clock second of the test, build excluded).  "hwsim" is the time hwsim's reference takes
to produce the same outputs and cycle predictions in plain Python/NumPy (what the testbench's
reference model computes), so the last column says how much faster the model is than RTL
simulation for the same answer.
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
from testbench.tb_sparse_skip import random_chunk
from testbench.tb_ternary_adder import random_op
from testbench.tb_ternary_dot_engine import random_tile

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
    args = parser.parse_args()
    root = default_build_root() / "bench"
    print("| block | transactions | cycles | Icarus cycles/s | Verilator cycles/s | Verilator / Icarus "
          "| Verilator build s | hwsim model s | hwsim / Verilator speed |")
    print("|---|---|---|---|---|---|---|---|---|")
    for block, params in CASES:
        runs = {}
        for sim in ("icarus", "verilator"):
            runs[sim] = run_testbench(block, sim, arch="fat", params=params, seed=9, transactions=args.transactions,
                                      build_root=root, run_tag="bench")
            assert runs[sim].passed, runs[sim].first_mismatches
        ic, ve = runs["icarus"], runs["verilator"]
        model_s, _ = model_seconds(block, params, args.transactions)
        ic_rate, ve_rate = ic.cycles_simulated / ic.run_s, ve.cycles_simulated / ve.run_s
        print(f"| {block} | {ic.transactions} | {ic.cycles_simulated} | {ic_rate:,.0f} | {ve_rate:,.0f} | "
              f"{ve_rate / ic_rate:.2f}x | {ve.build_s:.1f} | {model_s:.3f} | {ve.run_s / model_s:,.0f}x |")


if __name__ == "__main__":
    main()
