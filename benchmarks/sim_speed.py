"""Wall time of `hwsim simulate --model resnet18 --arch fat` (target: under 1 s here).

The machine is shared and noisy, so the same run also times a bare `python -c "import numpy"`
as a reference and reports the ratio, and the in-process simulate() time on its own.

    python benchmarks/sim_speed.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

VENV_BIN = Path(sys.executable).parent


def wall(cmd: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return times


def in_process(model: str, arch: str, repeat: int) -> tuple[float, float]:
    from hwsim import api

    spec = api.load_arch(arch)
    t = time.perf_counter()
    net = api.load_network(model)
    load_s = time.perf_counter() - t
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        api.simulate(net, spec)
        runs.append(time.perf_counter() - t)
    return load_s, statistics.median(runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    hwsim = str(VENV_BIN / "hwsim")
    table = Table(title=f"hwsim speed, median of {args.repeat} runs after one warm-up")
    for col in ("what", "median s", "min s", "vs python+numpy start"):
        table.add_column(col, justify="left" if col == "what" else "right")
    ref = wall([sys.executable, "-c", "import numpy"], args.repeat)
    ref_med = statistics.median(ref)
    table.add_row("python -c 'import numpy' (reference)", f"{ref_med:.3f}", f"{min(ref):.3f}", "1.00x")
    for model, arch in (("resnet18", "fat"), ("resnet18", "parapim"), ("vgg16", "fat")):
        cmd = [hwsim, "simulate", "--model", model, "--arch", arch, "--quiet"]
        wall(cmd, 1)
        t = wall(cmd, args.repeat)
        med = statistics.median(t)
        table.add_row(f"hwsim simulate --model {model} --arch {arch}", f"{med:.3f}", f"{min(t):.3f}",
                      f"{med / ref_med:.2f}x")
    for model, arch in (("resnet18", "fat"), ("resnet18", "parapim")):
        load_s, sim_s = in_process(model, arch, args.repeat)
        table.add_row(f"  in process: load {model} (weights generated)", f"{load_s:.3f}", "", "")
        table.add_row(f"  in process: api.simulate {model} on {arch}", f"{sim_s:.3f}", "", "")
    Console(width=120).print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
