"""The pipelined attention engine's cycles per request, simulated, against the per-head model.

Usage: .venv/bin/python benchmarks/attention_engine_cycles.py [--sim icarus] [--transactions 30] [--seed 1]
       [--param head_dim=4 --param k=4 --param max_len=20]

Runs the block's cocotb testbench (requests of random lengths back to back; every token and
output row in the block model's cycle, every output bit equal to the fixed-point reference)
and prints, per request length L that was followed by another request: the measured cycles
between its start and the next request's (its first score into top-k), the block model's
(``schedule``), and the per-head model's ``engine_head_cycles(L, D, k)``.  Markdown rows.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict

from hwsim.rtlflow.runner import run_testbench
from hwsim.sim.blocks.attention_engine import engine_head_cycles, exact_tail_cycles, schedule


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sim", default="icarus")
    parser.add_argument("--transactions", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    params = {"head_dim": 4, "k": 4, "max_len": 20}
    params.update({key: int(value) for key, value in (p.split("=", 1) for p in args.param)})
    result = run_testbench("attention_engine", args.sim, params=params, seed=args.seed,
                           transactions=args.transactions, run_tag="bench-attention-cycles")
    summary = json.loads((result.run_dir / "summary.json").read_text())
    lengths, starts = summary["lengths"], summary["starts"]
    d, k = params["head_dim"], params["k"]
    model = schedule(lengths, k)
    measured, predicted = defaultdict(set), defaultdict(set)
    for r in range(len(lengths) - 1):
        measured[lengths[r]].add(starts[r + 1] - starts[r])
        predicted[lengths[r]].add(model[r + 1].start - model[r].start)
    print(f"{'PASS' if result.passed else 'FAIL'}: {result.transactions} requests on {args.sim}, "
          f"{result.cycles_checked} cycles checked, {result.output_mismatches} output and "
          f"{result.cycle_mismatches} cycle mismatches; D = {d}, k = {k}; fill {model[0].start} cycles "
          f"(first token to first score), drain {exact_tail_cycles(k)} (last kept key to last row)")
    print("| L | requests | RTL: start to next start | block model | per-head model L (L + k) |")
    print("|---|---|---|---|---|")
    for length in sorted(measured):
        show = lambda values: ", ".join(f"{v:,}" for v in sorted(values))  # noqa: E731
        print(f"| {length} | {lengths[:-1].count(length)} | {show(measured[length])} | {show(predicted[length])} | "
              f"{engine_head_cycles(length, d, k):,} |")


if __name__ == "__main__":
    main()
