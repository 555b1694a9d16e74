"""The native harness against a hand-written C++ testbench, on one design and one vector file.

Used by ``rtl_speed.py`` and ``snn_rtl_speed.py``.  ``measure`` runs ``hwsim.rtlflow.native``
(hwsim's models write the vectors; the generated harness checks every beat and cycle count),
then builds ``native_baseline.cpp`` against the same Verilated design and runs it on the same
vector file with the same idle/back-pressure draws, so both simulate exactly the same cycles.
Loop times are the least CPU time (``std::clock``, inside C++, excluding process start and
file loading) of ``repeats`` runs of each executable: on a shared machine CPU time is the
steadier measure.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hwsim.rtlflow.generate import make_design
from hwsim.rtlflow.native import IDLE_PROB, STALL_PROB, run_native
from hwsim.rtlflow.native_build import ensure_native_built
from hwsim.rtlflow.runner import Simulator, TbResult, tool_env

BASELINE = Path(__file__).with_name("native_baseline.cpp")


@dataclass(frozen=True)
class NativeSpeed:
    """One design's native run and its hand-written yardstick.

    Attributes
    ----------
    run
        The native harness run.
    harness_loop_s, baseline_loop_s
        Least loop CPU seconds of the harness and of the hand-written testbench over the same cycles.
    """

    run: TbResult
    harness_loop_s: float
    baseline_loop_s: float

    @property
    def harness_rate(self) -> float:
        """Simulated cycles per second of the harness's loop."""
        return self.run.cycles_simulated / self.harness_loop_s

    @property
    def baseline_rate(self) -> float:
        return self.run.cycles_simulated / self.baseline_loop_s

    @property
    def end_to_end_rate(self) -> float:
        """Simulated cycles per CPU second of the whole run: hwsim's vectors, file, process, loop."""
        return self.run.cycles_simulated / self.run.run_cpu_s


def _harness_loop_s(exe: Path, run: TbResult, name: str) -> float:
    summary = run.run_dir / name
    if name != "summary.json":
        subprocess.run([str(exe), str(run.run_dir / "vectors.bin"), str(summary), str(run.seed), repr(IDLE_PROB),
                        repr(STALL_PROB)], check=True)
    return json.loads(summary.read_text())["sim_cpu_seconds"]


def _baseline_loop_s(exe: Path, run: TbResult) -> float:
    out = subprocess.run([str(exe), str(run.run_dir / "vectors.bin"), str(run.seed), repr(IDLE_PROB),
                          repr(STALL_PROB)], check=True, capture_output=True, text=True).stdout.split()
    cycles, seconds = int(out[0]), float(out[2])
    if cycles != run.cycles_simulated:
        raise AssertionError(f"the hand-written testbench simulated {cycles} cycles, the harness "
                             f"{run.cycles_simulated}: not the same work")
    return seconds


def measure(block: str, *, arch: str | None, params: dict[str, Any], seed: int, transactions: int,
            build_root: Path, repeats: int = 3) -> NativeSpeed:
    """Run ``block`` natively and with the hand-written testbench on the same vectors."""
    run = run_native(block, arch=arch, params=params, seed=seed, transactions=transactions, build_root=build_root,
                     run_tag="bench")
    if not run.passed:
        raise AssertionError(f"{block}: {run.first_mismatches}")
    harness = run.build_dir / "obj" / "hwsim_native"
    design = make_design(block, arch, params)
    baseline, _ = ensure_native_built(design, build_root, tool_env(Simulator.VERILATOR), main_source=BASELINE)
    harness_s = min(_harness_loop_s(harness, run, "summary.json" if i == 0 else "summary-repeat.json")
                    for i in range(repeats))
    baseline_s = min(_baseline_loop_s(baseline, run) for _ in range(repeats))
    return NativeSpeed(run, harness_s, baseline_s)


def print_long_runs(cases: list[tuple[str, str | None, dict[str, Any]]], transactions: int, build_root: Path) -> None:
    """Table of native-only long runs: harness and hand-written loops, and where the run's time goes."""
    print(f"\nNative harness alone, {transactions:,} transactions per block.\n")
    print("| block | cycles simulated | native harness loop cycles/s | hand-written C++ loop cycles/s "
          "| hand-written / native | hwsim vectors s (wall) | harness loop CPU s | whole run CPU s | whole run cycles/s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for block, arch, params in cases:
        nat = measure(block, arch=arch, params=params, seed=9, transactions=transactions, build_root=build_root)
        run = nat.run
        print(f"| {block} | {run.cycles_simulated:,} | {nat.harness_rate:,.0f} | {nat.baseline_rate:,.0f} | "
              f"{nat.baseline_rate / nat.harness_rate:.2f}x | {run.reference_s:.1f} | {nat.harness_loop_s:.2f} | "
              f"{run.run_cpu_s:.1f} | {nat.end_to_end_rate:,.0f} |")
