"""The ``hwsim`` command: parses arguments, calls ``hwsim.api``, writes files.

No modelling happens here.  Every ``HwsimError`` becomes one line on stderr and exit
status 2; argparse usage errors also exit with 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import warnings
from pathlib import Path
from typing import Any, Sequence

from hwsim import __version__
from hwsim.errors import HwsimError

log = logging.getLogger("hwsim")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hwsim", description="Co-design of neural-network accelerators.")
    parser.add_argument("--version", action="version", version=f"hwsim {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sim = sub.add_parser("simulate", help="simulate a model on an accelerator")
    _add_model_args(sim)
    sim.add_argument("--arch", required=True, help="preset name (hwsim list archs) or YAML path")
    sim.add_argument("--mapping", type=Path, help="loop nests from a hwsim.mapping/1 file (hwsim map --out)")
    _add_output_args(sim)

    cmp = sub.add_parser("compare", help="compare accelerators on one model (first --arch is 'ours')")
    _add_model_args(cmp)
    cmp.add_argument("--arch", action="append", required=True, help="give exactly two: ours, then the baseline")
    _add_output_args(cmp)

    lst = sub.add_parser("list", help="list built-in models or accelerators")
    lst.add_argument("what", choices=["models", "archs"])
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(sub)
    return parser


def _add_model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True,
                   help="zoo name (hwsim list models), a model YAML, an ONNX file (.onnx: float, QDQ or QONNX; "
                        "workload.quantize, input_shape, seq_len, top_k ...) or a SCALE-Sim topology CSV")
    p.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
        help="override a spec field (subarray.rows=512) or a workload option (workload.weight_sparsity=0.5, "
             "workload.quantize=ternary for a float ONNX model on an IMC arch)",
    )


def _add_output_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", type=Path, help="write the results as JSON")
    p.add_argument("--csv", type=Path, help="write one row per layer as CSV")
    p.add_argument("--plot", type=Path, help="write a PNG plot")
    p.add_argument("--quiet", action="store_true", help="print no tables")


def split_overrides(items: Sequence[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``--set`` values into (arch overrides, workload overrides)."""
    from hwsim.spec.loading import parse_override

    arch: dict[str, Any] = {}
    workload: dict[str, Any] = {}
    for item in items:
        key, value = parse_override(item)
        if key.startswith("workload."):
            workload[key[len("workload."):]] = value
        else:
            arch[key] = value
    return arch, workload


def cmd_simulate(args: argparse.Namespace) -> int:
    from hwsim import api
    from hwsim.report.notes import notes

    arch_over, wl_over = split_overrides(args.overrides)
    arch = api.load_arch(args.arch, overrides=arch_over)
    network = api.load_network(args.model, overrides=wl_over)
    log.info("simulating %s (%d layers) on %s", network.name, len(network.layers), arch.name)
    report = api.simulate(network, arch, mapping=args.mapping)
    if not args.quiet:
        from hwsim.report import tables

        tables.print_tables(tables.report_table(report), tables.totals_table(report))
    _print_notes(notes(report))
    _write_outputs(args, report.to_dict(), [report], plot=lambda path: _plot_report(report, path))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from hwsim import api
    from hwsim.report.notes import notes

    if len(args.arch) != 2:
        raise HwsimError(f"compare needs exactly two --arch options, got {len(args.arch)}")
    arch_over, wl_over = split_overrides(args.overrides)
    specs = [api.load_arch(name, overrides=arch_over) for name in args.arch]
    network = api.load_network(args.model, overrides=wl_over)
    cmp = api.compare_designs(network, specs[0], specs[1])
    ours, base = cmp.ours, cmp.baseline
    if not args.quiet:
        from hwsim.report import tables

        tables.print_tables(tables.comparison_table(cmp), tables.comparison_summary(cmp))
    _print_notes(list(dict.fromkeys(notes(ours) + notes(base))))
    _write_outputs(args, cmp.to_dict(), [ours, base], plot=lambda path: _plot_comparison(cmp, path))
    return 0


def _print_notes(lines: list[str]) -> None:
    for line in lines:
        print(f"note: {line}", file=sys.stderr)


def _plot_report(report, path: Path) -> None:
    from hwsim.report.plots import plot_report

    plot_report(report, path)


def _plot_comparison(cmp, path: Path) -> None:
    from hwsim.report.plots import plot_comparison

    plot_comparison(cmp, path)


def _write_outputs(args: argparse.Namespace, payload: dict, reports: list, plot) -> None:
    from hwsim.report import files

    if args.json:
        files.write_json(args.json, payload)
        print(f"wrote {args.json}")
    if args.csv:
        text = "".join(files.report_csv(r) if i == 0 else files.report_csv(r).split("\n", 1)[1]
                       for i, r in enumerate(reports))
        files.write_text_atomic(args.csv, text)
        print(f"wrote {args.csv}")
    if args.plot:
        plot(args.plot)
        print(f"wrote {args.plot}")


def cmd_list(args: argparse.Namespace) -> int:
    if args.what == "models":
        from hwsim.workload.zoo import model_names

        names = model_names()
    else:
        from hwsim.spec.arch import preset_names

        names = preset_names()
    print("\n".join(names))
    return 0


COMMANDS = {"simulate": cmd_simulate, "compare": cmd_compare, "list": cmd_list}

# Further commands, one module each: ``register(subparsers)`` adds a parser whose defaults
# carry ``run=function(args) -> int``.  Modules import their heavy dependencies lazily.
COMMAND_MODULES: tuple[str, ...] = ("hwsim.commands.rtl", "hwsim.commands.map", "hwsim.commands.dse")


def _warning_line(message, category, filename, lineno, file=None, line=None) -> None:
    """A warning on the console as one line, like the errors (no source file, no code line)."""
    print(f"hwsim: warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="hwsim: %(message)s")
    warnings.showwarning = _warning_line
    try:
        run = getattr(args, "run", None) or COMMANDS[args.command]
        return run(args)
    except HwsimError as exc:
        print(f"hwsim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hwsim: interrupted", file=sys.stderr)
        return 130
