"""Long RTL regressions on Verilator without cocotb: vectors from hwsim, checks in C++.

``run_native`` generates the design, builds its native harness once
(:mod:`hwsim.rtlflow.native_build`), has the block's testbench generator produce the
transactions with hwsim's functional and cycle models (:mod:`testbench.native_vectors`),
writes them to a vector file (:mod:`hwsim.rtlflow.vectors`) and runs the harness, which drives
the design with random idle input cycles and output back-pressure and checks every output beat
and every transaction's cycle count; it reads back the harness's JSON summary.  No Python runs
per simulated cycle.  The cocotb testbenches stay the protocol tests; this is the long run.

Run directories: ``<build dir>/<run tag>/`` holds ``design.json``, ``vectors.bin`` and
``summary.json``.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, Mapping

from hwsim.rtlflow import RtlError
from hwsim.rtlflow.blocks import get_block
from hwsim.rtlflow.generate import Design, default_build_root, make_design
from hwsim.rtlflow.native_build import ensure_native_built
from hwsim.rtlflow.runner import Simulator, TbResult, check_simulator, cpu_seconds, tool_env
from hwsim.rtlflow.vectors import write_vectors

VECTORS_MODULE = "hwsim.testbench.native_vectors"
IDLE_PROB = 0.3
STALL_PROB = 0.3
"""Idle input cycles and output back-pressure, as in the cocotb testbenches."""


def native_blocks() -> list[str]:
    """Blocks the native harness has vector builders for."""
    return sorted(importlib.import_module(VECTORS_MODULE).VECTOR_BUILDERS)


def _vectors(design: Design, seed: int, transactions: int) -> list[Any]:
    return importlib.import_module(VECTORS_MODULE).design_vectors(design.describe(), seed, transactions)


def _fields(port: dict[str, Any], word: int) -> dict[str, int]:
    fields = port.get("fields") or {"payload": {"offset": 0, "width": port["width"]}}
    return {name: (word >> f["offset"]) & ((1 << f["width"]) - 1) for name, f in fields.items()}


def _show(value: int, width: int) -> str:
    return str(value) if width <= 32 else hex(value)


def describe_mismatch(entry: dict[str, Any], label: str, o_port: dict[str, Any]) -> str:
    """One line for a harness mismatch entry, in the words of the cocotb checker."""
    head = f"transaction {entry['transaction']} {label}"
    if entry["kind"] == "cycles":
        return f"{head}: {entry['got']} cycles != predicted {entry['expected']}"
    if entry["kind"] == "beats":
        return f"{head}: {entry['got']} output beats != expected {entry['expected']}"
    got, want = _fields(o_port, int(entry["got"], 16)), _fields(o_port, int(entry["expected"], 16))
    widths = {n: f["width"] for n, f in (o_port.get("fields") or {"payload": {"width": o_port["width"]}}).items()}
    diff = ", ".join(f"{n} {_show(got[n], widths[n])} != expected {_show(want[n], widths[n])}"
                     for n in got if got[n] != want[n])
    return f"{head}: output beat {entry['beat']}: {diff}"


def run_native(block: str, *, arch: str | None = None, params: Mapping[str, Any] | None = None,
               overrides: Mapping[str, Any] | None = None, seed: int = 1, transactions: int = 100_000,
               build_root: Path | None = None, run_tag: str | None = None, idle_prob: float = IDLE_PROB,
               stall_prob: float = STALL_PROB) -> TbResult:
    """Check ``transactions`` random transactions of ``block`` on the native Verilator harness.

    Parameters
    ----------
    seed
        Seeds the stimulus as the cocotb testbench does (the same transactions as a cocotb run
        with this seed) and the harness's idle/back-pressure draws.
    idle_prob, stall_prob
        Probability of an idle input cycle before each beat and of output back-pressure per cycle.

    Returns
    -------
    TbResult
        ``run_s`` is the wall time of the whole run: ``reference_s`` (hwsim's models computing
        the vectors, and writing them) plus the harness process, whose simulation loop took
        ``sim_s``.
    """
    if transactions < 1:
        raise RtlError(f"--transactions must be at least 1, got {transactions}")
    if not (0.0 <= idle_prob < 1.0 and 0.0 <= stall_prob < 1.0):
        raise RtlError(f"idle and stall probabilities must be in [0, 1), got {idle_prob} and {stall_prob}")
    sim = Simulator.VERILATOR_NATIVE
    build_root = (default_build_root() if build_root is None else build_root).resolve()
    env = tool_env(Simulator.VERILATOR)
    check_simulator(Simulator.VERILATOR, env["PATH"])
    get_block(block)  # an unknown block is named as such before anything else
    if block not in native_blocks():
        raise RtlError(f"RTL block '{block}' has no native vectors (run it with --sim icarus or --sim verilator); "
                       f"blocks with them: {', '.join(native_blocks())}")
    design = make_design(block, arch, params, overrides)
    exe, build_s = ensure_native_built(design, build_root, env)
    run_dir = exe.parent.parent / (run_tag or f"run-{os.getpid()}-{seed}-{transactions}")
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    (run_dir / "design.json").write_text(json.dumps(design.describe(), indent=2) + "\n")

    t0, cpu0 = time.perf_counter(), cpu_seconds()
    vectors = _vectors(design, seed, transactions)
    i_port, o_port = design.port("i_stream__payload"), design.port("o_stream__payload")
    write_vectors(run_dir / "vectors.bin", vectors, i_port["width"], o_port["width"])
    reference_s = time.perf_counter() - t0
    summary = run_dir / "summary.json"
    proc = subprocess.run([str(exe), str(run_dir / "vectors.bin"), str(summary), str(seed), repr(idle_prob),
                           repr(stall_prob)], capture_output=True, text=True)
    run_s, run_cpu_s = time.perf_counter() - t0, cpu_seconds() - cpu0
    if proc.returncode != 0 or not summary.exists():
        last = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        raise RtlError(f"the native harness of {block} failed: {last} (run directory {run_dir})")
    data = json.loads(summary.read_text())
    first = [f"harness stopped: {data['error']}"] if data["error"] else []
    first += [describe_mismatch(e, vectors[e["transaction"]].label, o_port) for e in data["first_mismatches"]]
    passed = not data["error"] and not data["output_mismatches"] and not data["cycle_mismatches"]
    return TbResult(block, sim, seed, passed, data["transactions"], data["cycles_checked"], data["cycles_simulated"],
                    data["output_mismatches"], data["cycle_mismatches"], tuple(first), exe.parent.parent, run_dir,
                    build_s, run_s, reference_s=reference_s, sim_s=data["sim_seconds"], run_cpu_s=run_cpu_s)
