"""``hwsim map``: every layer's mapping on an accelerator, with the numbers ``hwsim simulate`` gives for it.

What is searched depends on what the arch's engine takes (``hwsim.engines``):

- loop nests (systolic): the loop-nest mapper searches each distinct layer shape (``--objective``,
  ``--budget``, ``--seed``, ``--workers``); the table shows each nest and the engine's cycles and
  energy when it runs that nest, and ``--out`` writes the nests;
- tilings (IMC): the engine's own mapper searches data mappings and tilings for ``--objective``;
  ``--out`` writes the chosen tilings;
- neither (attention, roofline, SNN): the engine schedules the layers itself; the table shows
  its schedule and numbers, and there is no file to write.

Either way the cycles and energy are the engine's, equal to ``hwsim simulate`` on the same
mapping (``simulate --mapping FILE`` replays a written file exactly).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any


def register(subparsers) -> None:
    from hwsim.cli import _add_model_args

    p = subparsers.add_parser("map", help="search every layer's mapping on an accelerator and show its cost")
    _add_model_args(p)
    p.add_argument("--arch", required=True, help="preset name (hwsim list archs) or YAML path")
    p.add_argument("--objective", choices=["latency", "energy", "edp"], default="edp", help="what to minimise")
    p.add_argument("--budget", type=int, default=None,
                   help="loop nests evaluated per distinct layer shape (default 20000, as hwsim simulate's default "
                        "nests); smaller spaces are searched exhaustively")
    p.add_argument("--seed", type=int, default=0, help="seed of the random loop-nest search (default 0)")
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
    from hwsim.engines import ENGINE_BY_FAMILY, MappingKind
    from hwsim.errors import MappingError
    from hwsim.spec.enums import Family

    if args.budget is not None and args.budget <= 0:
        raise MappingError(f"--budget = {args.budget}: must be a positive number of evaluations")
    if args.workers is not None and args.workers <= 0:
        raise MappingError(f"--workers = {args.workers}: must be a positive number of processes")
    from hwsim.cli import check_output_paths

    check_output_paths(args.out, args.json)
    arch_over, wl_over = split_overrides(args.overrides)
    arch = api.load_arch(args.arch, overrides=arch_over)
    engine = ENGINE_BY_FAMILY.get(Family(arch.family))
    kind = engine.mapping if engine is not None else None
    scalesim = getattr(arch, "buffer_model", None) == "scalesim"
    if scalesim:  # SCALE-Sim's buffer replay follows its fold order: no loop nest to search
        kind = None
    if args.out:
        _check_mapping_out(args.out, kind, arch)
    if kind is MappingKind.TILING:  # the IMC mapper ranks tilings by the spec's objective: this one
        arch = api.load_arch(arch, overrides={"mapping_objective": args.objective})
    workload = api.load_network(args.model, overrides=wl_over)
    nests = None
    if kind is MappingKind.LOOP_NEST:
        nests = _search_nests(args, workload, arch)
    report = api.simulate(workload, arch, mapping=nests)
    from hwsim.report.atomic import OutputSet
    from hwsim.report.files import json_text

    outputs = OutputSet()  # the mapping file and the JSON: both or neither
    if args.out:
        outputs.add(args.out, _mapping_text(args.out, report, nests, kind, workload, arch))
    if args.json:
        outputs.add(args.json, json_text(mapping_json(report, nests)))
    if not args.quiet:
        _print_table(report, nests, kind, args)
    for path, _ in outputs.commit():
        print(f"wrote {path}")
    return 0


def _search_nests(args: argparse.Namespace, workload: Any, arch: Any):
    from hwsim.mapping.loopnest.parallel import default_workers
    from hwsim import api
    from hwsim.mapping.network import distinct_shapes

    progress = None if args.quiet else _Progress()
    workers = args.workers or default_workers(distinct_shapes(workload, arch))
    return api.map_network(workload, arch, objective=args.objective, budget=args.budget, seed=args.seed,
                           progress=progress, workers=workers)


def _check_mapping_out(path: Path, kind, arch) -> None:
    """Refuse ``--out`` (before any search) for an arch that has no mapping file to write."""
    from hwsim.engines import MappingKind
    from hwsim.errors import MappingError
    from hwsim.spec.enums import Family

    if kind in (MappingKind.LOOP_NEST, MappingKind.TILING):
        return
    if getattr(arch, "buffer_model", None) == "scalesim":
        raise MappingError(f"--out {path}: arch '{arch.name}' has buffer_model scalesim, which follows SCALE-Sim's "
                           "fold order: there is no mapping file to write (--set buffer_model=analytic searches nests)")
    raise MappingError(f"--out {path}: arch '{arch.name}' ({Family(arch.family).value}) schedules its layers itself: "
                       "there is no mapping file to write")


def _mapping_text(path: Path, report, nests, kind, workload, arch) -> str:
    """The text of the mapping file ``--out`` writes (loop nests or IMC tilings)."""
    from hwsim.engines import MappingKind

    _check_mapping_out(path, kind, arch)
    if kind is MappingKind.LOOP_NEST:
        from hwsim.mapping.mapfile import mapping_file_text

        return mapping_file_text(nests)
    from hwsim.mapping.tiling_file import tiling_file_text
    from hwsim.sim.imc.network import layer_tilings

    return tiling_file_text(layer_tilings(report, workload, arch), report)


class _Progress:
    """One line per searched layer with the time left at the rate so far (on a terminal: one line rewritten)."""

    def __init__(self) -> None:
        self.began: float | None = None

    def __call__(self, done: int, total: int, name: str, seconds: float) -> None:
        from hwsim.progress import steps_left_text

        if self.began is None:  # the searches began when the first one did (not when numba was loading)
            self.began = time.monotonic() - seconds
        end = "\n" if done == total or not sys.stderr.isatty() else "\r"
        left = steps_left_text(done, total, time.monotonic() - self.began)
        text = f"hwsim map: [{done}/{total}] {name} searched in {seconds:.2f} s{left}"
        print(text + ("\x1b[K" if end == "\r" else ""), end=end, file=sys.stderr, flush=True)  # K: clear a longer line


def mapping_json(report, nests) -> dict[str, Any]:
    """Every layer's mapping and the engine's cost of it (schema ``hwsim.map-report/1``).

    With loop nests, each mapped layer also carries its nest, residency and search statistics
    (``loopnest_latency_cycles``/``loopnest_energy_pj``: the nest's cost in the mapper's own model).
    """
    layers = []
    by_name = {m.name: m for m in nests.layers} if nests is not None else {}
    for row in report.layers:
        entry = {"name": row.name, "kind": row.kind, "mapping": row.mapping, "latency_cycles": row.cycles,
                 "energy_pj": row.energy_pj}
        m = by_name.get(row.name)
        if m is not None:
            entry.update(_nest_entry(m))
        layers.append(entry)
    payload = {"schema": "hwsim.map-report/1", "model": report.model, "arch": report.arch,
               "layers": layers, "total": {"latency_cycles": report.total.cycles, "energy_pj": report.total.energy_pj}}
    if nests is not None:
        payload.update(objective=nests.objective.value, budget=nests.budget, seed=nests.seed)
    return payload


def _nest_entry(m) -> dict[str, Any]:
    from hwsim.mapping.annotate import describe_nest
    from hwsim.mapping.network import residency

    return {
        "target": m.target.name, "nest": describe_nest(m),
        "stays": {op: {"level": level, "reuse": reuse} for op, (level, reuse) in residency(m).items()},
        "loopnest_latency_cycles": m.mapping.latency_cycles, "loopnest_energy_pj": m.mapping.energy_pj,
        "evaluated": m.mapping.evaluated, "valid": m.mapping.valid, "exhaustive": m.mapping.exhaustive,
        "search_s": m.mapping.seconds, "model_s": m.mapping.model_seconds, "searched": m.searched,
    }


def _print_table(report, nests, kind, args: argparse.Namespace) -> None:
    from hwsim.engines import MappingKind
    from hwsim.mapping.network import level_loops, residency, spatial_text
    from hwsim.report.si import energy
    from hwsim.report.text_table import RULE, Column, Justify, Row, RowStyle, Rule, Table, print_tables

    what = {MappingKind.LOOP_NEST: f"best loop nests for {args.objective} (budget {nests.budget:,}, seed {nests.seed})"
            if nests is not None else "",
            MappingKind.TILING: f"best tilings for {args.objective}"}.get(kind, "the engine's own schedule")
    by_name = {m.name: m for m in nests.layers} if nests is not None else {}
    if nests is not None:
        headers = ("layer", "array", "loops per level, innermost first", "stays (level x reuse)", "cycles",
                   "energy", "evals")
    else:
        headers = ("layer", "mapping", "cycles", "energy")
    columns = [Column(h, Justify.RIGHT if h in ("cycles", "energy", "evals") else Justify.LEFT) for h in headers]
    rows: list[Row | Rule] = []
    for row in report.layers:
        m = by_name.get(row.name)
        cost = (f"{row.cycles:,}", energy(row.energy_pj))
        if nests is None:
            rows.append(Row((row.name, row.mapping, *cost)))
        elif m is None:
            rows.append(Row((row.name, "", row.mapping, "", *cost, "")))
        else:
            loops = "\n".join(f"{name}: {' '.join(f'{d}{f}' for d, f in lp) or '-'}" for name, lp in level_loops(m))
            stays = "\n".join(f"{op} {level} x{reuse:,}" for op, (level, reuse) in residency(m).items())
            evals = f"{m.mapping.evaluated:,}" + (" all" if m.mapping.exhaustive else "") if m.searched else "file"
            rows.append(Row((row.name, spatial_text(m).replace(" x cols", "\ncols"), loops, stays, *cost, evals)))
    total = (f"{report.total.cycles:,}", energy(report.total.energy_pj))
    blanks = len(columns) - 4 if nests is not None else 1  # between the name and the cost columns
    rows += [RULE, Row(("total", *([""] * blanks), *total, *([""] if nests is not None else [])), RowStyle.BOLD)]
    print_tables(Table(f"{report.model} on {report.arch}: {what}; cycles and energy as hwsim simulate counts them",
                       columns, rows))
