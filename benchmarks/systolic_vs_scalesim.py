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
    .venv/bin/python benchmarks/systolic_vs_scalesim.py --cfg tests/data/scalesim/configs/scale.cfg \
        --topology tests/data/scalesim/topologies/GEMM_mnk/vit_s.csv   # SCALE-Sim's own files; -i gemm
    .venv/bin/python benchmarks/systolic_vs_scalesim.py --cfg tests/data/scalesim/configs/scale.cfg \
        --mobilenet-depthwise   # MobileNet-v1's 13 depthwise layers as DP rows (4,960 channel layers)

Per layer both totals are compared: "Total Cycles" and "Total Cycles (incl. prefetch)"
(hwsim's ``cycles + prefetch_cycles``).  A ``Layer, M, N, K`` topology runs SCALE-Sim with
``-i gemm``.
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


# MobileNet-v1 (224 x 224) depthwise 3x3 layers as SCALE-Sim DP rows: (name, padded ifmap
# side, channels, stride); stride 2 pads one row and column (TensorFlow's "same").
MOBILENET_V1_DEPTHWISE = (
    ("dw1", 114, 32, 1), ("dw2", 113, 64, 2), ("dw3", 58, 128, 1), ("dw4", 57, 128, 2), ("dw5", 30, 256, 1),
    ("dw6", 29, 256, 2), *((f"dw{i}", 16, 512, 1) for i in range(7, 12)), ("dw12", 15, 512, 2), ("dw13", 9, 1024, 1),
)


def mobilenet_depthwise_topology() -> Path:
    """MOBILENET_V1_DEPTHWISE written as a SCALE-Sim topology in results/."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "mobilenet_v1_depthwise.csv"
    rows = "".join(f"DP_{name}, {side}, {side}, 3, 3, {channels}, 1, {stride},\n"
                   for name, side, channels, stride in MOBILENET_V1_DEPTHWISE)
    path.write_text("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
                    + rows)
    return path


def is_gemm(topology: Path) -> bool:
    """A ``Layer, M, N, K`` header (SCALE-Sim's -i gemm files)."""
    header = [cell.strip().upper() for cell in topology.read_text().splitlines()[0].split(",")]
    return header[1:4] == ["M", "N", "K"]


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
            layers = run_scalesim(SCALESIM_PYTHON, cfg, topology, Path(tmp), gemm=is_gemm(topology))
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
    parser.add_argument("--mobilenet-depthwise", action="store_true",
                        help="use MobileNet-v1's depthwise layers (DP rows, written to results/) as the topology")
    args = parser.parse_args()
    if args.mobilenet_depthwise:
        args.topology = mobilenet_depthwise_topology()
    if args.layers:
        args.topology = subset_topology(args.topology, args.layers.split(","))
    theirs, scalesim_s, scalesim_cpu_s = scalesim_layers(args.reuse, args.cfg, args.topology)
    ours = api.simulate(api.load_network(str(args.topology)), api.load_arch(str(args.cfg))).layers
    print("| layer | hwsim compute | SCALE-Sim compute | hwsim stall | SCALE-Sim stall | hwsim total | SCALE-Sim total "
          "| hwsim incl. prefetch | SCALE-Sim incl. prefetch | equal |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    equal = 0
    rows: dict[str, list] = {}  # a depthwise row's channels (SCALE-Sim's "<name>Channel_<i>") share one line
    for mine, peer in zip(ours, theirs):
        incl = mine.cycles + mine.extra["prefetch_cycles"]
        ours_row = (mine.compute_cycles, mine.stall_cycles, mine.cycles, incl)
        theirs_row = (peer.compute_cycles, peer.stall_cycles, peer.cycles, peer.total_cycles_incl_prefetch)
        equal += ours_row == theirs_row
        name, _, channel = mine.name.partition("Channel_")
        row = rows.setdefault(name if channel.isdigit() else mine.name, [0, [0] * 4, [0] * 4, 0])
        row[0] += 1
        row[1] = [a + b for a, b in zip(row[1], ours_row)]
        row[2] = [a + b for a, b in zip(row[2], theirs_row)]
        row[3] += ours_row == theirs_row
    for name, (count, o, t, same) in rows.items():
        label = name if count == 1 else f"{name} ({count} channels, summed)"
        print(f"| {label} | {o[0]:,} | {t[0]:,} | {o[1]:,} | {t[1]:,} | {o[2]:,} | {t[2]:,} | {o[3]:,} | {t[3]:,} "
              f"| {'yes' if same == count else f'NO ({count - same} of {count})'} |")
    total_ours, total_theirs = sum(m.cycles for m in ours), sum(p.cycles for p in theirs)
    incl_ours = sum(m.cycles + m.extra["prefetch_cycles"] for m in ours)
    incl_theirs = sum(p.total_cycles_incl_prefetch for p in theirs)
    print(f"| total | | | | | {total_ours:,} | {total_theirs:,} | {incl_ours:,} | {incl_theirs:,} "
          f"| {equal}/{len(theirs)} layers |")
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
