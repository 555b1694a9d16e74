"""The 1,000-point kill -9 / resume demonstration.

1. a clean run of examples/sweep-mlp-1000.yaml into one store;
2. the same sweep in a subprocess, killed with SIGKILL once ``--kill-at`` points are stored;
3. ``--resume`` of the killed store;
then it checks that the resumed store holds exactly the clean run's points, each with the same
report JSON, and prints the numbers.

    .venv/bin/python benchmarks/sweep_resume.py [--kill-at 400]
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "results" / "bench-resume"
SWEEP = ROOT / "examples" / "sweep-mlp-1000.yaml"


def _hwsim(*args: str) -> list[str]:
    return [sys.executable, "-m", "hwsim", "sweep", str(SWEEP), *args, "--no-progress"]


def _rows(db: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return {k: (p, r) for k, p, r in conn.execute("SELECT key, parameters_json, report_json FROM points")}


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT COUNT(*) FROM points").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _alive_in_group(pgid: int) -> list[str]:
    """Processes of the killed run's group still running (zombies awaiting reaping excluded)."""
    table = subprocess.run(["ps", "-eo", "pid=,pgid=,stat="], capture_output=True, text=True).stdout
    return [pid for pid, group, stat in (line.split() for line in table.splitlines())
            if int(group) == pgid and not stat.startswith("Z")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kill-at", type=int, default=400, help="stored points at which to kill -9")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in OUT.glob("*.db*"):
        stale.unlink()
    clean, killed = OUT / "clean.db", OUT / "killed.db"

    start = time.perf_counter()
    subprocess.run(_hwsim("--out", str(clean)), check=True, stdout=subprocess.DEVNULL)
    clean_s = time.perf_counter() - start

    start = time.perf_counter()
    proc = subprocess.Popen(_hwsim("--out", str(killed)), stdout=subprocess.DEVNULL, start_new_session=True)
    while _count(killed) < args.kill_at:
        if proc.poll() is not None:
            raise SystemExit("the sweep finished before it could be killed; lower --kill-at")
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_s = time.perf_counter() - start
    time.sleep(1.0)
    leftover = _alive_in_group(proc.pid)
    at_kill = _count(killed)

    start = time.perf_counter()
    resumed = subprocess.run(_hwsim("--out", str(killed), "--resume"), check=True, capture_output=True, text=True)
    resume_s = time.perf_counter() - start

    a, b = _rows(clean), _rows(killed)
    with sqlite3.connect(killed) as conn:
        total, distinct = conn.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM points").fetchone()
    print("| step | points stored | wall s |")
    print("|---|---:|---:|")
    print(f"| clean run | {len(a)} | {clean_s:.1f} |")
    print(f"| run killed with SIGKILL | {at_kill} | {killed_s:.1f} |")
    print(f"| --resume | {len(b)} (ran {len(b) - at_kill}) | {resume_s:.1f} |")
    print(f"\nrows {total}, distinct keys {distinct}, same keys as the clean run: {set(a) == set(b)}, "
          f"identical parameters and report JSON for every key: {a == b}; "
          f"worker processes still running 1 s after the kill: {len(leftover)}")
    print(f"resume said: {resumed.stdout.strip().splitlines()[0]}")
    return 0 if (total == distinct == len(a) and a == b) else 1


if __name__ == "__main__":
    raise SystemExit(main())
