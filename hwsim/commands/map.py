"""``hwsim map``: the mapper's best loop nest for every conv, linear and attention layer."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers) -> None:
    from hwsim.cli import _add_model_args

    p = subparsers.add_parser("map", help="search the best loop nest of every layer on an accelerator")
    _add_model_args(p)
    p.add_argument("--arch", required=True, help="preset name (hwsim list archs) or YAML path")
    p.add_argument("--objective", choices=["latency", "energy", "edp"], default="edp", help="what to minimise")
    p.add_argument("--budget", type=int, default=None,
                   help="mapping evaluations per distinct layer shape (default 200000); smaller spaces are "
                        "searched exhaustively")
    p.add_argument("--seed", type=int, default=0, help="seed of the random search (default 0)")
    p.add_argument("--workers", type=int, default=None,
                   help="processes searching distinct layer shapes at once (default: one per core, at most one "
                        "per shape); the mappings do not depend on it")
    p.add_argument("--out", type=Path, help="write the mapping file (hwsim.mapping/1 YAML) for hwsim simulate --mapping")
    p.add_argument("--json", type=Path, help="write the mappings and their costs as JSON")
    p.add_argument("--quiet", action="store_true", help="print no table and no progress")
    p.set_defaults(run=cmd_map)


def cmd_map(args: argparse.Namespace) -> int:
    from hwsim import api
    from hwsim.cli import split_overrides
    from hwsim.errors import MappingError

    from hwsim.mapping.loopnest.parallel import default_workers
    from hwsim.mapping.network import DEFAULT_BUDGET, distinct_shapes, map_network
    from hwsim.spec.enums import Objective

    if args.budget is not None and args.budget <= 0:
        raise MappingError(f"--budget = {args.budget}: must be a positive number of evaluations")
    if args.workers is not None and args.workers <= 0:
        raise MappingError(f"--workers = {args.workers}: must be a positive number of processes")
    arch_over, wl_over = split_overrides(args.overrides)
    arch = api.load_arch(args.arch, overrides=arch_over)
    workload = api.load_network(args.model, overrides=wl_over)
    progress = None if args.quiet else _progress
    workers = args.workers or default_workers(distinct_shapes(workload, arch))
    network = map_network(workload, arch, objective=Objective(args.objective), budget=args.budget or DEFAULT_BUDGET,
                          seed=args.seed, progress=progress, workers=workers)
    if not args.quiet:
        _print_table(network)
    if args.out:
        from hwsim.mapping.mapfile import write_mapping_file

        write_mapping_file(args.out, network)
        print(f"wrote {args.out}")
    if args.json:
        from hwsim.report.files import write_json

        write_json(args.json, mapping_json(network))
        print(f"wrote {args.json}")
    return 0


def _progress(done: int, total: int, name: str, seconds: float) -> None:
    end = "\n" if done == total or not sys.stderr.isatty() else "\r"
    print(f"hwsim map: [{done}/{total}] {name} searched in {seconds:.2f} s", end=end, file=sys.stderr, flush=True)


def mapping_json(network) -> dict[str, Any]:
    """The mappings, their residency and costs (schema ``hwsim.map-report/1``)."""
    from hwsim.mapping.annotate import describe_nest
    from hwsim.mapping.mapfile import mapping_to_dict
    from hwsim.mapping.network import residency

    payload = mapping_to_dict(network)
    payload["schema"] = "hwsim.map-report/1"
    for entry, m in zip(payload["layers"], network.layers):
        entry.update(
            target=m.target.name, nest=describe_nest(m),
            stays={op: {"level": level, "reuse": reuse} for op, (level, reuse) in residency(m).items()},
            edp=m.mapping.edp, evaluated=m.mapping.evaluated, valid=m.mapping.valid,
            exhaustive=m.mapping.exhaustive, search_s=m.mapping.seconds, model_s=m.mapping.model_seconds,
            searched=m.searched,
        )
    payload["total"] = {"latency_cycles": network.latency_cycles, "energy_pj": network.energy_pj}
    return payload


def _print_table(network) -> None:
    from rich.table import Table

    from hwsim.mapping.network import level_loops, residency, spatial_text
    from hwsim.report.tables import print_tables

    table = Table(title=f"{network.model} on {network.arch}: best loop nests for {network.objective.value} "
                        f"(budget {network.budget:,}, seed {network.seed})")
    for col in ("layer", "array", "loops per level, innermost first", "stays (level x reuse)", "cycles",
                "energy nJ", "evals"):
        table.add_column(col, justify="right" if col in ("cycles", "energy nJ", "evals") else "left")
    for m in network.layers:
        loops = "\n".join(f"{name}: {' '.join(f'{d}{f}' for d, f in lp) or '-'}" for name, lp in level_loops(m))
        stays = "\n".join(f"{op} {level} x{reuse:,}" for op, (level, reuse) in residency(m).items())
        evals = f"{m.mapping.evaluated:,}" + (" all" if m.mapping.exhaustive else "") if m.searched else "file"
        table.add_row(m.name, spatial_text(m).replace(" x cols", "\ncols"), loops, stays,
                      f"{m.mapping.latency_cycles:,.0f}", f"{m.mapping.energy_pj / 1e3:,.1f}", evals)
    table.add_section()
    table.add_row("total", "", "", "", f"{network.latency_cycles:,.0f}", f"{network.energy_pj / 1e3:,.1f}", "",
                  style="bold")
    print_tables(table)
