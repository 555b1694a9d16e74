"""Time of hwsim on the IMC path: whole processes, in-process runs, and their floors.

The machine is shared and noisy, so times are CPU seconds (user + system; other jobs on the
machine stretch wall time but hardly CPU time), each the median of ``--repeat`` runs taken
in the same session as its references: a bare ``python -c "import numpy"`` for processes, one
numpy pass over ResNet-18's 11.7 M int8 weights for in-process simulation, and, with
``--against DIR``, the same measurement of another hwsim tree (say the main branch) taken
alternately with this one, so ratios compare like with like.

    python benchmarks/sim_speed.py [--repeat 7] [--rounds 3] [--against /path/to/other/checkout]

Rows: ``hwsim simulate --quiet`` as a process on ResNet-18 (FAT, ParaPIM) and VGG-16 (CIFAR-10),
and on ResNet-18 and FAT with its tables printed;
in process: generating ResNet-18's weights, ``api.simulate`` on FAT (each call searches the
mappings afresh) and on ParaPIM, and the two floors (``np.count_nonzero`` over every weight,
``(w != 0).sum()``); VGG-16 at 224x224 (138 M weights): generating its weights (time and
peak memory of the process) and simulating it on FAT, per GMAC against ResNet-18's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[1]


def _vgg16_224(directory: Path) -> Path:
    """The zoo's VGG-16 at ImageNet size with its 4096-4096-1000 classifier."""
    text = (REPO / "models" / "vgg16.yaml").read_text()
    for old, new in (("name: vgg16", "name: vgg16-224"), ("dataset: cifar10", "dataset: imagenet"),
                     ("height: 32, width: 32", "height: 224, width: 224"),
                     ("fc1, type: linear, out: 512", "fc1, type: linear, out: 4096"),
                     ("fc2, type: linear, out: 512", "fc2, type: linear, out: 4096"),
                     ("fc3, type: linear, out: 10}", "fc3, type: linear, out: 1000}")):
        text = text.replace(old, new)
    path = directory / "vgg16_224.yaml"
    path.write_text(text)
    return path


def _median(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.process_time()
        f()
        times.append(time.process_time() - t)
    return statistics.median(times)


def child(repeat: int, vgg: str) -> dict[str, float]:
    """In-process timings of the hwsim found on sys.path (run in a fresh interpreter)."""
    import resource

    import numpy as np

    from hwsim import api

    out: dict[str, float] = {}
    fat, parapim = api.load_arch("fat"), api.load_arch("parapim")
    out["load resnet18 (weights generated)"] = _median(lambda: api.load_network("resnet18"), repeat)
    net = api.load_network("resnet18")
    weights = list(net.weights.values())
    out["floor: np.count_nonzero over its weights"] = _median(lambda: [np.count_nonzero(w) for w in weights], repeat)
    out["floor: (w != 0).sum() over its weights"] = _median(lambda: [(w != 0).sum() for w in weights], repeat)
    out["api.simulate resnet18 on fat"] = _median(lambda: api.simulate(net, fat), repeat)
    out["api.simulate resnet18 on parapim"] = _median(lambda: api.simulate(net, parapim), repeat)
    macs = sum(layer.macs for layer in net.layers)
    out["api.simulate resnet18 on fat, per GMAC"] = out["api.simulate resnet18 on fat"] / (macs / 1e9)
    start = time.process_time()
    big = api.load_network(vgg)
    out["load vgg16-224 (138 M weights generated)"] = time.process_time() - start
    out["peak memory after loading vgg16-224, MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.process_time()
    api.simulate(big, fat)
    big_macs = sum(layer.macs for layer in big.layers)
    out["api.simulate vgg16-224 on fat, per GMAC"] = (time.process_time() - start) / (big_macs / 1e9)
    return out


def _env(tree: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: modules compiled once, not at every start
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    return env


def _process(cmd: list[str], tree: Path | None, cwd: Path) -> float:
    """CPU seconds (user + system) of one run of ``cmd`` in ``cwd``.

    ``cwd`` is an empty folder: ``python -m hwsim`` puts the working directory first on
    ``sys.path``, so run from a checkout it would import that checkout's hwsim for every tree.
    """
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, env=_env(tree), cwd=cwd)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, cmd)
    return usage.ru_utime + usage.ru_stime


def _in_process(tree: Path | None, repeat: int, vgg: Path) -> dict[str, float]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--repeat", str(repeat), "--vgg", str(vgg)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=_env(tree))
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--against", type=Path, help="another hwsim checkout to measure alternately")
    parser.add_argument("--rounds", type=int, default=3,
                        help="in-process runs per tree, alternating (each row: the median of their medians)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--vgg", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.repeat, args.vgg)))
        return 0
    from rich.console import Console
    from rich.table import Table

    load_before = os.getloadavg()
    trees: dict[str, Path | None] = {"this": REPO}
    if args.against:
        trees = {"against": args.against.resolve(), "this": REPO}
    hwsim = [sys.executable, "-m", "hwsim", "simulate", "--quiet"]
    processes = {
        "python -c 'import numpy' (reference)": [sys.executable, "-c", "import numpy"],
        "  the same with one OpenBLAS thread (as the hwsim command sets)":
            ["env", "OPENBLAS_NUM_THREADS=1", sys.executable, "-c", "import numpy"],
        "hwsim simulate --model resnet18 --arch fat": hwsim + ["--model", "resnet18", "--arch", "fat"],
        "  the same, tables printed (no --quiet)": hwsim[:-1] + ["--model", "resnet18", "--arch", "fat"],
        "hwsim simulate --model resnet18 --arch parapim": hwsim + ["--model", "resnet18", "--arch", "parapim"],
        "hwsim simulate --model vgg16 --arch fat": hwsim + ["--model", "vgg16", "--arch", "fat"],
    }
    rows: dict[str, dict[str, float]] = {name: {} for name in processes}
    with tempfile.TemporaryDirectory() as empty:
        for name, cmd in processes.items():
            for tree in trees.values():
                _process(cmd, tree, Path(empty))  # warm-up
            samples: dict[str, list[float]] = {label: [] for label in trees}
            for _ in range(args.repeat):
                for label, tree in trees.items():
                    samples[label].append(_process(cmd, tree, Path(empty)))
            for label in trees:
                rows[name][label] = statistics.median(samples[label])
    with tempfile.TemporaryDirectory() as tmp:
        vgg = _vgg16_224(Path(tmp))
        rounds: dict[str, list[dict[str, float]]] = {label: [] for label in trees}
        for _ in range(args.rounds):  # the trees' children alternate, so a change of load hits both
            for label, tree in trees.items():
                rounds[label].append(_in_process(tree, args.repeat, vgg))
        for label, results in rounds.items():
            for name in results[0]:
                rows.setdefault(f"  in process: {name}", {})[label] = statistics.median(r[name] for r in results)
    table = Table(title=f"hwsim speed, median of {args.repeat} runs (in process: of {args.rounds} such medians; "
                        "CPU seconds unless stated)")
    table.add_column("what")
    for label in trees:
        table.add_column(label, justify="right")
    if args.against:
        table.add_column("this / against", justify="right")
    for name, values in rows.items():
        cells = [f"{values[label]:.4f}" if label in values else "" for label in trees]
        if args.against and "this" in values and "against" in values:
            cells.append(f"{values['this'] / values['against']:.2f}x")
        table.add_row(name, *cells)
    this = {name: values["this"] for name, values in rows.items() if "this" in values}
    floor = this["  in process: floor: np.count_nonzero over its weights"]
    floor_ne = this["  in process: floor: (w != 0).sum() over its weights"]
    fat = this["  in process: api.simulate resnet18 on fat"]
    per_gmac = this["  in process: api.simulate resnet18 on fat, per GMAC"]
    big = this["  in process: api.simulate vgg16-224 on fat, per GMAC"]
    console = Console(width=140)
    console.print(table)
    console.print(f"this tree: ResNet-18 on FAT in process = {fat / floor:.0f}x the count_nonzero floor, "
                  f"{fat / floor_ne:.1f}x the (w != 0).sum() floor; VGG-16-224 per GMAC = {big / per_gmac:.2f}x "
                  f"ResNet-18's; whole process = "
                  f"{this['hwsim simulate --model resnet18 --arch fat'] / this[next(iter(processes))]:.2f}x "
                  f"python + numpy start")
    console.print("load average (1, 5, 15 min) before: " + ", ".join(f"{x:.2f}" for x in load_before)
                  + "; after: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
