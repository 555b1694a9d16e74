"""ResNet-18 on a 32x32 weight-stationary array: hwsim against SCALE-Sim v3, same input files.

Both tools read ``models/resnet18_scalesim.csv`` (ImageNet ResNet-18 with its padding, 1.81
GMAC) and ``hwsim/presets/scalesim-32x32-ws.cfg``.  Prints the per-layer cycles of both and
the wall-time ratio.  SCALE-Sim takes about 13 minutes and writes ~2 GB of traces: it runs in
a temporary directory that is deleted afterwards, and its reports and wall time are kept in
``results/scalesim_resnet18_<cfg>/`` so that ``--reuse`` can compare again without rerunning it.

    .venv/bin/python benchmarks/systolic_vs_scalesim.py            # runs SCALE-Sim too
    .venv/bin/python benchmarks/systolic_vs_scalesim.py --reuse    # uses the kept reports
    .venv/bin/python benchmarks/systolic_vs_scalesim.py --cfg my.cfg  # e.g. USER bandwidth (stalls)
    .venv/bin/python benchmarks/systolic_vs_scalesim.py --cfg hwsim/presets/scalesim-32x32-ws-user64k.cfg \
        --layers layer2.0.downsample,layer3.0.downsample,layer4.0.downsample,fc   # stalls, ~4 min
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hwsim import api
from hwsim.sim.systolic.scalesim_peer import run_scalesim

REPO = Path(__file__).resolve().parents[1]
TOPOLOGY = REPO / "models" / "resnet18_scalesim.csv"
CFG = REPO / "hwsim" / "presets" / "scalesim-32x32-ws.cfg"
SCALESIM_PYTHON = REPO / ".venv-scalesim" / "bin" / "python"
RESULTS = REPO / "results"


def kept_dir(cfg: Path, topology: Path) -> Path:
    return RESULTS / f"scalesim_{topology.stem}_{cfg.stem}"


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def scalesim_layers(reuse: bool, cfg: Path = CFG, topology: Path = TOPOLOGY):
    """SCALE-Sim's per-layer rows, wall and CPU seconds (run now, or the kept run)."""
    KEPT = kept_dir(cfg, topology)
    if not reuse:
        KEPT.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="scalesim-") as tmp:
            start, cpu_start = time.perf_counter(), children_cpu_s()
            layers = run_scalesim(SCALESIM_PYTHON, cfg, topology, Path(tmp))
            wall_s, cpu_s = time.perf_counter() - start, children_cpu_s() - cpu_start
            report_dir = next((Path(tmp) / "out").iterdir())
            for name in ("COMPUTE_REPORT.csv", "DETAILED_ACCESS_REPORT.csv"):
                shutil.copy(report_dir / name, KEPT / name)
        (KEPT / "wall_s.txt").write_text(f"{wall_s}\n")
        (KEPT / "cpu_s.txt").write_text(f"{cpu_s}\n")
        return layers, wall_s, cpu_s
    from hwsim.sim.systolic.scalesim_peer import PeerLayer, _rows

    rows = zip(_rows(KEPT / "COMPUTE_REPORT.csv"), _rows(KEPT / "DETAILED_ACCESS_REPORT.csv"))
    layers = [PeerLayer(int(float(c[1])), int(float(c[2])), int(float(c[3])), float(c[4]),
                        *(int(float(a[i])) for i in (3, 6, 9, 12, 15, 18))) for c, a in rows]
    return layers, float((KEPT / "wall_s.txt").read_text()), float((KEPT / "cpu_s.txt").read_text())


def hwsim_seconds(repeats: int, cfg: Path = CFG, topology: Path = TOPOLOGY) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of a whole ``hwsim simulate`` process, of one in-process
    simulation, and of a bare ``python -c 'import numpy'`` (the machine's noise reference,
    measured alongside)."""
    cli = [sys.executable, "-m", "hwsim", "simulate", "--model", str(topology), "--arch", str(cfg), "--quiet"]
    runs: dict[str, list[tuple[float, float]]] = {"process": [], "inprocess": [], "reference": []}
    api.simulate(api.load_network(str(topology)), api.load_arch(str(cfg)))  # warm-up (numba compile)
    for _ in range(repeats):
        start, cpu = time.perf_counter(), children_cpu_s()
        subprocess.run(cli, check=True, capture_output=True)
        runs["process"].append((time.perf_counter() - start, children_cpu_s() - cpu))
        start, cpu = time.perf_counter(), time.process_time()
        api.simulate(api.load_network(str(topology)), api.load_arch(str(cfg)))
        runs["inprocess"].append((time.perf_counter() - start, time.process_time() - cpu))
        start, cpu = time.perf_counter(), children_cpu_s()
        subprocess.run([sys.executable, "-c", "import numpy"], check=True)
        runs["reference"].append((time.perf_counter() - start, children_cpu_s() - cpu))
    return {key: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for key, v in runs.items()}


def subset_topology(topology: Path, names: list[str]) -> Path:
    """A copy of ``topology`` with only the rows of ``names``, in results/ (named by the subset)."""
    lines = topology.read_text().splitlines(keepends=True)
    rows = [line for line in lines[1:] if line.split(",")[0].strip() in names]
    missing = set(names) - {line.split(",")[0].strip() for line in rows}
    if missing:
        raise SystemExit(f"{topology}: no layer named {sorted(missing)[0]!r}")
    RESULTS.mkdir(exist_ok=True)
    subset = RESULTS / f"{topology.stem}_{len(rows)}layers.csv"
    subset.write_text(lines[0] + "".join(rows))
    return subset


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="compare with the kept SCALE-Sim run instead of running it")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--cfg", type=Path, default=CFG, help="SCALE-Sim .cfg both tools read (default: %(default)s)")
    parser.add_argument("--topology", type=Path, default=TOPOLOGY, help="SCALE-Sim topology (default: %(default)s)")
    parser.add_argument("--layers", help="comma-separated layer names: run only these rows of the topology")
    args = parser.parse_args()
    if args.layers:
        args.topology = subset_topology(args.topology, args.layers.split(","))
    theirs, scalesim_s, scalesim_cpu_s = scalesim_layers(args.reuse, args.cfg, args.topology)
    ours = api.simulate(api.load_network(str(args.topology)), api.load_arch(str(args.cfg))).layers
    print("| layer | hwsim compute | SCALE-Sim compute | hwsim stall | SCALE-Sim stall | hwsim total | SCALE-Sim total | equal |")
    print("|---|---|---|---|---|---|---|---|")
    equal = 0
    for mine, peer in zip(ours, theirs):
        same = (mine.compute_cycles, mine.stall_cycles, mine.cycles) == (peer.compute_cycles, peer.stall_cycles, peer.cycles)
        equal += same
        print(f"| {mine.name} | {mine.compute_cycles:,} | {peer.compute_cycles:,} | {mine.stall_cycles:,} | "
              f"{peer.stall_cycles:,} | {mine.cycles:,} | {peer.cycles:,} | {'yes' if same else 'NO'} |")
    total_ours, total_theirs = sum(m.cycles for m in ours), sum(p.cycles for p in theirs)
    print(f"| total | | | | | {total_ours:,} | {total_theirs:,} | {equal}/{len(theirs)} layers |")
    t = hwsim_seconds(args.repeats, args.cfg, args.topology)
    print()
    print("| what | wall s | CPU s | SCALE-Sim / this, wall | SCALE-Sim / this, CPU |")
    print("|---|---|---|---|---|")
    print(f"| SCALE-Sim v3 `python -m scalesim.scale` (whole run) | {scalesim_s:.1f} | {scalesim_cpu_s:.1f} | 1x | 1x |")
    for key, what in (("process", f"`hwsim simulate --quiet` (whole process, median of {args.repeats})"),
                      ("inprocess", f"in process: load both files + `api.simulate` (median of {args.repeats})")):
        wall, cpu = t[key]
        print(f"| {what} | {wall:.4f} | {cpu:.4f} | {scalesim_s / wall:,.0f}x | {scalesim_cpu_s / max(cpu, 1e-6):,.0f}x |")
    wall, cpu = t["reference"]
    print(f"| reference: `python -c 'import numpy'` (median of {args.repeats}) | {wall:.3f} | {cpu:.3f} | | |")
    return 0 if equal == len(theirs) and len(ours) == len(theirs) else 1


if __name__ == "__main__":
    sys.exit(main())
