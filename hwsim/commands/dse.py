"""``hwsim sweep | export | pareto | report``: design-space sweeps, their store, fronts and run reports."""

from __future__ import annotations
from hwsim.extras import require

import argparse
import sys
from pathlib import Path


def register(subparsers) -> None:
    sweep = subparsers.add_parser("sweep", help="evaluate every design point of a sweep file into a results store")
    sweep.add_argument("sweep_file", type=Path, help="a hwsim.sweep/1 YAML file")
    sweep.add_argument("--out", type=Path, default=None, help="results store (SQLite), e.g. results.db")
    sweep.add_argument("--resume", action="store_true", help="continue a store: skip the points it holds")
    sweep.add_argument("--retry-errors", action="store_true", help="with --resume: run failed points again")
    sweep.add_argument("--workers", type=int, default=None, help="worker processes (default: every core)")
    sweep.add_argument("--executor", choices=["local", "dask"], default="local",
                       help="local process pool (default) or a Dask distributed cluster")
    sweep.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                       help="Dask scheduler address (default with dask: a LocalCluster on loopback)")
    sweep.add_argument("--chunk", type=int, default=None, metavar="N",
                       help="points per task (default: automatic, at most 16)")
    sweep.add_argument("--no-progress", action="store_true", help="print no progress lines on stderr")
    sweep.add_argument("--dry-run", action="store_true", help="check the file and count the points; simulate nothing")
    sweep.set_defaults(run=cmd_sweep)

    export = subparsers.add_parser("export", help="write a results store as CSV or Parquet")
    export.add_argument("store", type=Path, help="results store written by hwsim sweep")
    export.add_argument("--csv", type=Path, help="one row per design point")
    export.add_argument("--parquet", type=Path, help="the same table as Parquet")
    export.set_defaults(run=cmd_export)

    pareto = subparsers.add_parser("pareto", help="print and plot the non-dominated design points")
    pareto.add_argument("store", type=Path, help="results store written by hwsim sweep")
    pareto.add_argument("--x", default=None, help="metric (latency, energy, area, power, edp, ...)")
    pareto.add_argument("--y", default=None, help="metric; --x/--y default to the sweep's objectives")
    pareto.add_argument("--z", default=None, help="optional third metric")
    pareto.add_argument("--maximize", action="append", default=[], metavar="METRIC",
                        help="treat METRIC as higher-is-better (default: its natural direction)")
    pareto.add_argument("--model", default=None, help="the model to use when the store holds several")
    pareto.add_argument("--all", dest="include_infeasible", action="store_true",
                        help="include points that break the sweep's constraints")
    pareto.add_argument("--png", type=Path, default=None, help="PNG path (default: <store>-pareto.png)")
    pareto.add_argument("--html", type=Path, default=None, help="HTML path (default: <store>-pareto.html)")
    pareto.set_defaults(run=cmd_pareto)

    report = subparsers.add_parser("report", help="render one run (report JSON, or a point of a store) as HTML/PNG")
    report.add_argument("source", type=Path, help="a hwsim.report/1 JSON file, or a results store with --point")
    report.add_argument("--point", default=None, metavar="KEY", help="key (or unique prefix) of a stored point")
    report.add_argument("--html", type=Path, default=None, help="write an interactive HTML page")
    report.add_argument("--png", type=Path, default=None, help="write a PNG")
    report.set_defaults(run=cmd_report)


def cmd_sweep(args: argparse.Namespace) -> int:
    from hwsim.dse.executors import ExecutorKind
    from hwsim.dse.progress import format_duration
    from hwsim.dse.runner import SweepOptions, run_sweep
    from hwsim.errors import HwsimError

    if args.dry_run:
        return _dry_run(args.sweep_file)
    if args.out is None:
        raise HwsimError("sweep needs --out PATH (the results store), or --dry-run")
    if args.retry_errors and not args.resume:
        raise HwsimError("--retry-errors needs --resume")
    if args.chunk is not None and args.chunk < 1:
        raise HwsimError(f"--chunk must be at least 1, got {args.chunk}")
    if args.executor == "dask" and not args.verbose:
        require("dask", "the Dask executor")
        import dask

        # distributed logs every worker start, stop and cancelled task; keep stderr for the
        # progress.  Its logging is set up from this key when it is first imported.
        dask.config.set({"logging.distributed": "error"})
    options = SweepOptions(resume=args.resume, executor=ExecutorKind(args.executor), workers=args.workers,
                           scheduler=args.scheduler, chunk_size=args.chunk, retry_errors=args.retry_errors)
    summary = run_sweep(args.sweep_file, args.out, options, None if args.no_progress else sys.stderr)
    rate = summary.ran / summary.elapsed_s if summary.elapsed_s > 0 else 0.0
    print(f"sweep '{summary.name}': {summary.points} points, {summary.skipped} already in {args.out}, "
          f"{summary.ran} run ({summary.failed} failed) in {format_duration(summary.elapsed_s)} "
          f"({rate:.2f} points/s{f' on {summary.workers} workers' if summary.workers else ''})")
    print(f"{args.out}: {summary.stored} points stored, {summary.feasible} feasible")
    if summary.stale:
        print(f"hwsim: warning: {summary.stale} stored points were computed from arch or model files that have "
              f"changed since; they were kept", file=sys.stderr)
    if summary.first_error:
        print(f"first failure: {summary.first_error}")
    if summary.interrupted:
        print(f"hwsim: interrupted; {args.out} is consistent, continue with --resume", file=sys.stderr)
        return 130
    return 0


def _dry_run(sweep_file: Path) -> int:
    from collections import Counter

    from hwsim.dse.evaluate import validate_points
    from hwsim.dse.points import expand_sweep
    from hwsim.dse.sweep_spec import load_sweep

    sweep = load_sweep(sweep_file)
    points = expand_sweep(sweep, sweep_file.parent)
    validate_points(points)
    counts = Counter((p.model, p.design) for p in points)
    for (model, design), count in counts.items():
        print(f"{model} on {design}: {count} points")
    print(f"sweep '{sweep.name}': {len(points)} points; the first point of each design loads")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from hwsim.cli import check_output_paths
    from hwsim.dse.export import csv_text, parquet_bytes, table_rows
    from hwsim.dse.store import open_existing
    from hwsim.errors import HwsimError
    from hwsim.report.atomic import OutputSet

    if not args.csv and not args.parquet:
        raise HwsimError("export needs --csv PATH and/or --parquet PATH")
    check_output_paths(args.csv, args.parquet)
    with open_existing(args.store) as store:
        columns, rows = table_rows(store)
    if not rows:
        raise HwsimError(f"{args.store}: the results store holds no design points; nothing to export")
    outputs = OutputSet()  # both files or neither
    if args.csv:
        outputs.add(args.csv, csv_text(columns, rows))
    if args.parquet:
        outputs.add(args.parquet, parquet_bytes(columns, rows))
    for path, _ in outputs.commit():
        print(f"wrote {path} ({len(rows)} rows)")
    return 0


def cmd_pareto(args: argparse.Namespace) -> int:
    from hwsim.dse.front import compute_front, format_parameters
    from hwsim.dse.store import open_existing
    from hwsim.report.pareto_plot import write_pareto_html, write_pareto_png

    from hwsim.cli import check_output_paths
    from hwsim.report.atomic import OutputSet

    stem = args.store.with_suffix("")
    png = args.png or stem.with_name(f"{stem.name}-pareto.png")
    page = args.html or stem.with_name(f"{stem.name}-pareto.html")
    check_output_paths(png, page)
    with open_existing(args.store) as store:
        metrics, goals = _axes(args, store.meta())
        front = compute_front(store, metrics, goals, model=args.model, include_infeasible=args.include_infeasible)
    data = front.plot_data("")
    outputs = OutputSet()  # the PNG and the page: both or neither
    write_pareto_png(data, png, outputs)
    write_pareto_html(data, page, outputs)
    _print_front(front, format_parameters)
    for path, _ in outputs.commit():
        print(f"wrote {path}")
    return 0


def _axes(args: argparse.Namespace, meta: dict[str, str]):
    """The metrics and directions: from --x/--y/--z, else from the sweep's objectives."""
    import json

    from hwsim.dse.metrics import Goal, parse_metric
    from hwsim.errors import HwsimError

    objectives: dict = {}
    if "sweep_json" in meta:
        objectives = {parse_metric(k): Goal(v) for k, v in json.loads(meta["sweep_json"]).get("objectives", {}).items()}
    names = [n for n in (args.x, args.y, args.z) if n is not None]
    try:
        if names:
            if args.x is None or args.y is None:
                raise HwsimError("pareto needs both --x and --y (or neither, to use the sweep's objectives)")
            metrics = [parse_metric(n) for n in names]
        elif objectives:
            metrics = list(objectives)
        else:
            raise HwsimError(f"{args.store}: the sweep has no objectives; give --x and --y")
        maximize = {parse_metric(n) for n in args.maximize}
    except ValueError as exc:
        raise HwsimError(f"pareto: {exc}") from None
    goals = [Goal.MAXIMIZE if m in maximize else objectives.get(m, m.better) for m in metrics]
    return metrics, goals


def _print_front(front, format_parameters) -> None:
    from hwsim.report.text_table import Column, Justify, Row, Table, print_tables

    points = front.front_points()
    arrows = {"minimize": "↓", "maximize": "↑"}
    columns = [Column("design"), Column("parameters"),
               *(Column(f"{metric.label} {arrows[goal.value]}", Justify.RIGHT)
                 for metric, goal in zip(front.metrics, front.goals)),
               Column("key")]
    rows = [Row((p.design, format_parameters(p.parameters), *(f"{p.metrics[m]:.4g}" for m in front.metrics),
                 p.key[:12])) for p in points]
    print_tables(Table(f"{front.model}: {len(points)} non-dominated of {len(front.candidates)} points", columns, rows))


def cmd_report(args: argparse.Namespace) -> int:
    import json

    from hwsim.errors import HwsimError
    from hwsim.report.html import check_report, load_report_json, write_report_html
    from hwsim.report.run_plot import write_run_png

    if not args.html and not args.png:
        raise HwsimError("report needs --html PATH and/or --png PATH")
    from hwsim.cli import check_output_paths
    from hwsim.report.atomic import OutputSet

    check_output_paths(args.html, args.png)
    context: dict[str, str] = {}
    if args.point is not None:
        from hwsim.dse.front import format_parameters
        from hwsim.dse.store import open_existing

        with open_existing(args.source) as store:
            found = store.find(args.point)
        if found is None or found[1] is None:
            raise HwsimError(f"{args.source}: no successful point with a unique key starting '{args.point}'")
        point, text = found
        report = json.loads(text)
        check_report(report, f"{args.source} point {args.point}")
        context = {"point": point.key, "design": point.design, "parameters": format_parameters(point.parameters)}
    else:
        report = load_report_json(args.source)
    outputs = OutputSet()  # the page and the PNG: both or neither
    if args.html:
        write_report_html(report, args.html, context, outputs)
    if args.png:
        write_run_png(report, args.png, outputs)
    for path, _ in outputs.commit():
        print(f"wrote {path}")
    return 0
