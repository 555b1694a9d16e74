"""The ``hwsim`` command: parses arguments, calls ``hwsim.api``, writes files.

No modelling happens here.  Every ``HwsimError`` becomes one line on stderr and exit
status 2, and so does a usage error (with a pointer to ``--help``).  Global options (``-v``)
are accepted before or after the command.  A result that cannot be printed (standard output
on a full disk) is an error too; a closed pipe (``hwsim list archs | head -1``) ends quietly.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
import warnings
from pathlib import Path
from typing import Any, Sequence

from hwsim import __version__
from hwsim.errors import HwsimError
from hwsim.report import placed_clock


class HwsimArgumentParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, and whose every (sub)command takes ``-v``.

    ``-v`` is added to each parser with a suppressed default, so it may stand before or after
    the command (``hwsim -v simulate ...`` or ``hwsim simulate ... -v``) and neither position
    overrides the other.  Subcommand parsers are made of this class too (argparse builds them
    from the parent's class).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                          help="log progress to stderr (before or after the command)")

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = HwsimArgumentParser(prog="hwsim", description="Co-design of neural-network accelerators.")
    parser.add_argument("--version", action="version", version=f"hwsim {__version__}")
    parser.set_defaults(verbose=False)
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
    from hwsim.progress import activity
    from hwsim.report.notes import notes

    check_output_paths(args.json, args.csv, args.plot)
    arch_over, wl_over = split_overrides(args.overrides)
    arch, assumed_mhz = _load_arch_clock(args.arch, arch_over)
    network = api.load_network(args.model, overrides=wl_over)
    _say(args, f"simulating {network.name} ({len(network.layers)} layers) on {arch.name}")
    with activity(f"simulating {network.name} on {arch.name}"):
        report = api.simulate(network, arch, mapping=args.mapping)
    if not args.quiet:
        from hwsim.report import tables

        tables.print_tables(tables.report_table(report), tables.totals_table(report))
    payload = report.to_dict()
    extra_notes = []
    if arch.family in placed_clock.FPGA_FAMILIES:
        check = placed_clock.placed_clock(arch.name, assumed_mhz)
        if check is not None:
            estimate = payload.get("total", {}).get("fpga_resources")
            if estimate:  # the report's own resource estimate against the placed numbers
                check["estimate_error"] = placed_clock.resource_error(estimate, check)
            payload["placed_clock"] = check
            extra_notes.append(placed_clock.note(check))
    _print_notes(notes(report) + extra_notes)
    _write_outputs(args, payload, [report], plot=lambda path, outputs: _plot_report(report, path, outputs))
    return 0


def _load_arch_clock(name: str, overrides: dict[str, Any]):
    """(arch spec, the clock it assumes); ``clock_mhz=achieved`` takes the recorded placed design's Fmax."""
    from hwsim import api

    if overrides.get("clock_mhz") != placed_clock.ACHIEVED:
        arch = api.load_arch(name, overrides=overrides)
        return arch, arch.clock_mhz
    rest = {k: v for k, v in overrides.items() if k != "clock_mhz"}
    assumed = api.load_arch(name, overrides=rest)
    arch = api.load_arch(name, overrides={**rest, "clock_mhz": placed_clock.achieved_mhz(assumed.name)})
    return arch, assumed.clock_mhz


def cmd_compare(args: argparse.Namespace) -> int:
    from hwsim import api
    from hwsim.progress import activity
    from hwsim.report.notes import notes

    if len(args.arch) != 2:
        raise HwsimError(f"compare needs exactly two --arch options, got {len(args.arch)}")
    check_output_paths(args.json, args.csv, args.plot)
    arch_over, wl_over = split_overrides(args.overrides)
    specs = [api.load_arch(name, overrides=arch_over) for name in args.arch]
    network = api.load_network(args.model, overrides=wl_over)
    with activity(f"simulating {network.name} on {specs[0].name} and {specs[1].name}"):
        cmp = api.compare_designs(network, specs[0], specs[1])
    ours, base = cmp.ours, cmp.baseline
    if not args.quiet:
        from hwsim.report import tables

        tables.print_tables(tables.comparison_table(cmp), tables.comparison_summary(cmp))
    _print_notes(list(dict.fromkeys(notes(ours) + notes(base))))
    _write_outputs(args, cmp.to_dict(), [ours, base], plot=lambda path, outputs: _plot_comparison(cmp, path, outputs))
    return 0


def _print_notes(lines: list[str]) -> None:
    for line in lines:
        print(f"note: {line}", file=sys.stderr)


def _plot_report(report, path: Path, outputs) -> None:
    from hwsim.report.plots import plot_report

    plot_report(report, path, outputs)


def _plot_comparison(cmp, path: Path, outputs) -> None:
    from hwsim.report.plots import plot_comparison

    plot_comparison(cmp, path, outputs)


def check_output_paths(*paths: Path | None) -> None:
    """Refuse unwritable output targets (a device, a directory, a dangling symlink, one path twice)
    before a command computes anything; :class:`~hwsim.report.atomic.OutputSet` checks them again."""
    from hwsim.report.atomic import OutputSet

    probe = OutputSet()
    for path in paths:
        if path is not None:
            probe.add(path, b"")


def _write_outputs(args: argparse.Namespace, payload: dict, reports: list, plot) -> None:
    """The JSON, CSV and plot of a run, written all or none."""
    from hwsim.report import files
    from hwsim.report.atomic import OutputSet

    outputs = OutputSet()
    if args.json:
        outputs.add(args.json, files.json_text(payload))
    if args.csv:
        outputs.add(args.csv, files.reports_csv(reports))
    if args.plot:
        plot(args.plot, outputs)
    for path, _ in outputs.commit():
        print(f"wrote {path}")


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


def _say(args: argparse.Namespace, message: str) -> None:
    """A progress line on stderr under ``-v``."""
    if args.verbose:
        print(f"hwsim: {message}", file=sys.stderr)


# hwsim's models never call BLAS, and OpenBLAS starts a spinning thread per core when numpy is
# imported, which doubles the CPU time of numpy's import (0.18 s against 0.08 s on a 2-core VM)
# and, in a process pool, oversubscribes the cores.  A user's own setting is kept.
_ONE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1"}


def main(argv: Sequence[str] | None = None) -> int:
    for key, value in _ONE_BLAS_THREAD.items():  # before any command imports numpy (its workers inherit it)
        os.environ.setdefault(key, value)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verbose:  # a short run does not import logging; the libraries' warnings print as they are
        import logging

        logging.basicConfig(level=logging.INFO, format="hwsim: %(message)s")
    warnings.showwarning = _warning_line
    try:
        run = getattr(args, "run", None) or COMMANDS[args.command]
        status = run(args)
        sys.stdout.flush()  # a full disk behind stdout must fail here, not silently at exit
        return status
    except HwsimError as exc:
        print(f"hwsim: error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        _quiet_stdout()
        return 141  # 128 + SIGPIPE, as a shell reports a writer whose reader went away
    except OSError as exc:
        if _is_stdout_failure(exc):
            _quiet_stdout()
            print(f"hwsim: error: cannot write to standard output ({exc.strerror or exc})", file=sys.stderr)
            return 2
        raise
    except KeyboardInterrupt:
        print("hwsim: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: one line, the traceback with -v
        if args.verbose:
            raise
        text = _one_line(str(exc))[:200]
        print(f"hwsim: internal error: {type(exc).__name__}{': ' + text if text else ''} (a bug in hwsim; "
              "rerun with -v for the traceback and please report it)", file=sys.stderr)
        return INTERNAL_ERROR


INTERNAL_ERROR = 70  # EX_SOFTWARE: hwsim itself failed; bad input exits with 2


def _one_line(text: str) -> str:
    """``text`` on one line: line breaks and other control characters (from file names) escaped."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def _is_stdout_failure(exc: OSError) -> bool:
    """True when ``exc`` came from writing standard output (not from a file a command wrote)."""
    try:
        sys.stdout.flush()
    except OSError:
        return True
    return exc.filename is None and exc.errno in (errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's own flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
