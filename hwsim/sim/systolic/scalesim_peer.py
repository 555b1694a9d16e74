"""Run SCALE-Sim v3 itself on a topology and a .cfg, for parity tests and benchmarks.

SCALE-Sim lives in its own interpreter (it crashes under the numpy hwsim pins), so it runs
as a subprocess: ``python -m scalesim.scale -c CFG -t TOPOLOGY -l LAYOUT -p OUTDIR`` (and
``-i gemm`` for an M, N, K topology) in a directory the caller owns.  It always writes
traces there (its ``-s`` flag is ignored); callers delete the directory.  Its per-layer
cycles are read from ``COMPUTE_REPORT.csv``, whose columns are ``LayerID, Total Cycles
(incl. prefetch), Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute
Util %``.
"""

from __future__ import annotations

import configparser
import subprocess
from dataclasses import dataclass
from pathlib import Path

from hwsim.errors import SimulationError

# SCALE-Sim requires a layout file even with custom layouts off; a header alone is enough.
LAYOUT_HEADER = "Layer name, IFMAP Height Intraline Factor,\n"


@dataclass(frozen=True)
class PeerLayer:
    """One row of SCALE-Sim's COMPUTE_REPORT.csv and DETAILED_ACCESS_REPORT.csv."""

    total_cycles_incl_prefetch: int
    cycles: int
    stall_cycles: int
    overall_util_percent: float
    ifmap_sram_reads: int
    filter_sram_reads: int
    ofmap_sram_writes: int
    ifmap_dram_reads: int
    filter_dram_reads: int
    ofmap_dram_writes: int

    @property
    def compute_cycles(self) -> int:
        return self.cycles - self.stall_cycles

    @property
    def prefetch_cycles(self) -> int:
        """"Total Cycles (incl. prefetch)" minus "Total Cycles": first fill and last drain."""
        return self.total_cycles_incl_prefetch - self.cycles


def run_scalesim(python: Path, cfg: Path, topology: Path, workdir: Path, timeout_s: float = 3600.0,
                 *, gemm: bool = False) -> list[PeerLayer]:
    """Run SCALE-Sim with interpreter ``python`` and return its per-layer report rows.

    ``gemm``: the topology is a ``Layer, M, N, K`` file (SCALE-Sim's ``-i gemm``).

    Raises
    ------
    SimulationError
        SCALE-Sim is missing, fails, or writes no report (it exits 0 on a missing config).
    """
    if not Path(python).exists():
        raise SimulationError(f"{python}: no SCALE-Sim interpreter (run scripts/install.sh)")
    cfg, topology, workdir = Path(cfg).resolve(), Path(topology).resolve(), Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    layout = workdir / "layout.csv"
    layout.write_text(LAYOUT_HEADER)
    out = workdir / "out"
    cmd = [str(python), "-m", "scalesim.scale", "-c", str(cfg), "-t", str(topology), "-l", str(layout), "-p", str(out)]
    if gemm:
        cmd += ["-i", "gemm"]
    done = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=timeout_s)
    parser = configparser.ConfigParser()
    parser.read(cfg)
    report_dir = out / parser.get("general", "run_name")
    compute = report_dir / "COMPUTE_REPORT.csv"
    if done.returncode != 0 or not compute.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise SimulationError(f"SCALE-Sim failed on {topology} with {cfg} (exit {done.returncode}): {tail[0]}")
    detail = _rows(report_dir / "DETAILED_ACCESS_REPORT.csv")
    layers = []
    for row, access in zip(_rows(compute), detail):
        layers.append(PeerLayer(
            total_cycles_incl_prefetch=int(float(row[1])), cycles=int(float(row[2])), stall_cycles=int(float(row[3])),
            overall_util_percent=float(row[4]),
            ifmap_sram_reads=int(float(access[3])), filter_sram_reads=int(float(access[6])),
            ofmap_sram_writes=int(float(access[9])), ifmap_dram_reads=int(float(access[12])),
            filter_dram_reads=int(float(access[15])), ofmap_dram_writes=int(float(access[18])),
        ))
    return layers


def _rows(path: Path) -> list[list[str]]:
    lines = path.read_text().splitlines()[1:]
    return [[cell.strip() for cell in line.split(",")] for line in lines if line.strip()]
