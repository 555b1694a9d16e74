"""hwsim's loop-nest mapper against ZigZag on the same ResNet-18 layers and the same accelerator.

The accelerator is a 32x32 weight-stationary array (C, R, S on rows, K on columns) with a
one-word weight register per PE, a 256 Ki-word SRAM shared by all operands (64 words/cycle)
and DRAM (8 words/cycle); each operand may have its own cut per level, as ZigZag allows.
hwsim's form is ``ws_target()``, ZigZag's is benchmarks/zigzag_inputs/ws32_accelerator.yaml
(same sizes, bandwidths and per-word energies).  For each layer and objective (latency,
energy) each tool searches its best mapping; then each tool's best mapping is also costed by
the other tool: hwsim evaluates ZigZag's loop nest with ZigZag's per-operand cuts; ZigZag
costs hwsim's spatial unrolling, loop order and per-operand cuts (``--fixed`` with
``levels``), and, for comparison, the same loop order with its own allocator choosing the
cuts.  ZigZag runs in its own venv (it pins other numpy/onnx versions); its results are
cached under build/zigzag/.

    python3 -m venv build/zigzag-venv && build/zigzag-venv/bin/pip install zigzag-dse==3.9.1 six
    .venv/bin/python benchmarks/mapper_vs_zigzag.py [--budget 100000] [--zigzag-python PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import yaml

from hwsim.mapping.loopnest.search import LoopNestMapping, evaluate, layer_bounds, search
from hwsim.mapping.loopnest.target import DIMS, NDIM, MappingTarget, MemoryLevel, Operand
from hwsim.mapping.tiles import operand_words, tile_words
from hwsim.spec.enums import Objective
from hwsim.workload.zoo import load_network

HERE = Path(__file__).resolve().parent
INPUTS = HERE / "zigzag_inputs"
ZZ_DIM = {"B": "N", "K": "K", "C": "C", "OY": "P", "OX": "Q", "FY": "R", "FX": "S"}
HW_DIM = {v: k for k, v in ZZ_DIM.items()}
OBJECTIVES = (Objective.LATENCY, Objective.ENERGY)
# ZigZag's latency = ideal compute cycles + stalls + on-loading before the first MAC + off-loading after the last
LATENCY_PARTS = ("ideal_temporal_cycle", "stall_slack_comb", "data_onloading_cycle", "data_offloading_cycle")


def ws_target() -> MappingTarget:
    """The accelerator of ws32_accelerator.yaml in hwsim's terms (same as benchmarks/mapper_speed.py)."""
    return MappingTarget("ws-32x32", 32, 32, ("C", "R", "S"), ("K",), (
        MemoryLevel("pe_reg", 1, 0.03, 0.03, 1e9, (True, False, False)),
        MemoryLevel("sram", 256 * 1024, 2.5, 2.5, 64),
        MemoryLevel("dram", 1e15, 160.0, 160.0, 8),
    ), mac_energy_pj=0.2, per_operand_cuts=True)


def run_zigzag(python: Path, layer: str, objective: Objective, fixed: dict | None = None, mix: bool = False) -> dict:
    """ZigZag's result for one layer, from the cache under build/zigzag/ when its inputs are unchanged.

    ``mix``: ZigZag may unroll several dimensions on one array axis, as hwsim's search may.
    """
    digest = hashlib.sha256()
    for name in ("ws32_accelerator.yaml", "ws32_mapping.yaml", "resnet18_layers.yaml", "run_zigzag.py"):
        digest.update((INPUTS / name).read_bytes())
    key = json.dumps([layer, objective.value, fixed] + (["mix"] if mix else []), sort_keys=True)
    digest.update(key.encode())
    cache = Path("build/zigzag") / f"{digest.hexdigest()[:16]}.json"
    if cache.exists():
        return json.loads(cache.read_text())
    cmd = [str(python), str(INPUTS / "run_zigzag.py"), "--workload", str(INPUTS / "resnet18_layers.yaml"),
           "--layer", layer, "--objective", "EDP" if objective is Objective.EDP else objective.value,
           "--dump", str(cache.with_suffix(""))]
    if fixed is not None:
        cmd += ["--fixed", json.dumps(fixed)]
    if mix:
        cmd.append("--mix")
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ZigZag failed on {layer} ({objective.value}): {done.stderr.strip()[-800:]}")
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(done.stdout)
    return json.loads(done.stdout)


def compulsory_floor(layer, target: MappingTarget) -> tuple[float, float]:
    """(cycles, pJ) no mapping goes below: every weight and input read from DRAM once, every
    output written once, at DRAM's bandwidth and per-word energies (the MACs' energy aside)."""
    bounds, window = layer_bounds(layer)
    words = [operand_words(x, bounds, window) for x in Operand]
    dram = target.levels[-1]
    (wr, _), (ir, _), (_, ow) = dram.energies()
    return sum(words) / dram.bandwidth_words_per_cycle, words[0] * wr + words[1] * ir + words[2] * ow


def zigzag_nest(result: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """ZigZag's best mapping as hwsim arrays (factors (3, 8), spatial (8,), orders (3, 8), cuts (3, 2)).

    ZigZag has one loop order and cuts it per operand ("uneven"); hwsim's form is the same
    order split at the innermost operand's cut per level, with each other operand's cut
    moved outward over the next level's loops (``cuts``, :mod:`hwsim.mapping.loopnest.cuts`).
    Level 0 (the weight register) takes the weights' register loops; the SRAM takes loops up
    to the innermost of the three operands' SRAM cuts; the rest goes to DRAM.  Two loops of
    one dimension in one level are merged at the position of the inner one (a cut between
    them is moved out past both).
    """
    spatial = np.ones(NDIM, dtype=np.int64)
    for loops in result["spatial"].values():
        for dim, f in loops.items():
            spatial[DIMS.index(ZZ_DIM[dim])] *= int(round(f))
    temporal = result["temporal"]
    sequence = [loop for level in temporal["W"] for loop in level]
    cut0 = len(temporal["W"][0])
    ends = {"W": cut0 + len(temporal["W"][1]), "I": len(temporal["I"][0]), "O": len(temporal["O"][0])}
    cut1 = max(cut0, min(ends.values()))
    factors = np.ones((3, NDIM), dtype=np.int64)
    orders = np.tile(np.arange(NDIM), (3, 1))
    for li, level in enumerate((sequence[:cut0], sequence[cut0:cut1], sequence[cut1:])):
        seen: list[int] = []
        for dim, f in level:
            d = DIMS.index(ZZ_DIM[dim])
            factors[li, d] *= int(round(f))
            if d not in seen:
                seen.append(d)
        orders[li] = seen + [d for d in range(NDIM) if d not in seen]
    cuts = np.zeros((3, 2), dtype=np.int64)
    for x, name in enumerate("WIO"):
        spanned = {DIMS.index(ZZ_DIM[dim]) for dim, _ in sequence[cut1:max(cut1, ends[name])]}
        cuts[x, 1] = max((list(orders[2]).index(d) + 1 for d in spanned), default=0)
    return factors, spatial, orders, cuts


def hwsim_fixed(m: LoopNestMapping, target: MappingTarget) -> dict:
    """hwsim's mapping as run_zigzag.py --fixed input: spatial per array axis, temporal loops innermost
    first, and how many of them each operand keeps at each of its levels (so that ZigZag costs
    hwsim's own cuts rather than allocating the loops again)."""
    spatial = {"D1": [[HW_DIM[d], f] for d, f in zip(DIMS, m.spatial) if f > 1 and d in "CRS"],
               "D2": [[HW_DIM[d], f] for d, f in zip(DIMS, m.spatial) if f > 1 and d == "K"]}
    loops = [[d for d in order if fac[DIMS.index(d)] > 1] for fac, order in zip(m.factors, m.orders)]
    temporal = [[HW_DIM[d], m.factors[level][DIMS.index(d)]] for level, names in enumerate(loops) for d in names]
    levels = {}
    for x, name in enumerate("WIO"):
        held = [li for li, level in enumerate(target.levels[:-1]) if level.holds[x]]
        # loops inside operand x's tile at level li: every loop below, plus the next level's it spans
        inside = [sum(len(names) for names in loops[: li + 1]) + len(m.spanned(x, li)) for li in held]
        levels[name] = [b - a for a, b in zip([0] + inside[:-1], inside)] + [len(temporal) - (inside or [0])[-1]]
    return {"spatial": spatial, "temporal": temporal, "levels": levels}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=100_000, help="hwsim evaluations per layer and objective")
    parser.add_argument("--zigzag-python", type=Path, default=Path("build/zigzag-venv/bin/python"))
    parser.add_argument("--json", type=Path, default=Path("results/mapper_vs_zigzag.json"))
    args = parser.parse_args(argv)
    if not args.zigzag_python.exists():
        print(f"ZigZag's venv is missing ({args.zigzag_python}); create it with:\n"
              "  python3 -m venv build/zigzag-venv && build/zigzag-venv/bin/pip install zigzag-dse==3.9.1 six",
              file=sys.stderr)
        return 2
    net = load_network("resnet18")
    target = ws_target()
    search(net.layer("conv1"), target, budget=1000)  # numba compile, cached on disk afterwards
    names = [entry["name"] for entry in yaml.safe_load((INPUTS / "resnet18_layers.yaml").read_text())]
    rows = []
    for name in names:
        layer = net.layer(name)
        for objective in OBJECTIVES:
            cpu = time.process_time()
            ours = search(layer, target, objective=objective, budget=args.budget, seed=0)
            cpu = time.process_time() - cpu
            # ZigZag's own search, by default and as free as hwsim's (several dims per array axis);
            # a result below the layer's compulsory DRAM traffic is a modelling error, not a mapping
            floor = compulsory_floor(layer, target)
            found = {"default": run_zigzag(args.zigzag_python, name, objective),
                     "mix": run_zigzag(args.zigzag_python, name, objective, mix=True)}
            sound = {k: r for k, r in found.items()
                     if r["latency_cycles"] >= floor[0] - 1e-6 and r["energy_pj"] >= floor[1] - 1e-6}
            metric = "latency_cycles" if objective is Objective.LATENCY else "energy_pj"
            setting = min(sound, key=lambda k: (sound[k][metric], k))
            zz = sound[setting]
            discarded = {k: {"latency_cycles": r["latency_cycles"], "energy_pj": r["energy_pj"]}
                         for k, r in found.items() if k not in sound}
            nest = zigzag_nest(zz)
            lat, energy, valid = evaluate(layer, target, *(a[None] for a in nest))
            fixed = hwsim_fixed(ours, target)
            zz_ours = run_zigzag(args.zigzag_python, name, objective, fixed=fixed)
            # the same loop order with ZigZag's own allocator choosing each operand's cuts
            zz_order = run_zigzag(args.zigzag_python, name, objective,
                                  fixed={k: v for k, v in fixed.items() if k != "levels"})
            sram_words = tile_words(*layer_bounds(layer), nest[0], nest[1], 1, target.levels[1].holds,
                                    orders=nest[2], cuts=nest[3])
            rows.append({
                "layer": name, "objective": objective.value,
                "hwsim": {"latency_cycles": ours.latency_cycles, "energy_pj": ours.energy_pj,
                          "search_s": ours.seconds, "cpu_s": cpu, "evaluated": ours.evaluated},
                "zigzag_mapping_by_hwsim": {"latency_cycles": float(lat[0]), "energy_pj": float(energy[0]),
                                            "valid": bool(valid[0]), "sram_words": sram_words},
                "zigzag": {k: zz[k] for k in ("latency_cycles", "energy_pj", "seconds", "cpu_seconds", "spatial",
                                              *LATENCY_PARTS)},
                "hwsim_mapping_by_zigzag": {k: zz_ours[k] for k in ("latency_cycles", "energy_pj", *LATENCY_PARTS)},
                "hwsim_order_allocated_by_zigzag": {k: zz_order[k] for k in ("latency_cycles", "energy_pj",
                                                                              *LATENCY_PARTS)},
                "hwsim_nest": fixed,
                "zigzag_setting": setting,
                "zigzag_below_floor": discarded,
                "compulsory_floor": {"latency_cycles": floor[0], "energy_pj": floor[1]},
            })
            print_row(rows[-1])
            explain(rows[-1], target)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "budget": args.budget, "rows": rows}, indent=1))
    print_summary(rows)
    return 0


def _metric(row: dict) -> str:
    return "latency_cycles" if row["objective"] == "latency" else "energy_pj"


def print_row(r: dict) -> None:
    k = _metric(r)
    scale, unit = (1.0, "cycles") if k == "latency_cycles" else (1e-6, "uJ")
    h, zh, z, hz = (r["hwsim"][k], r["zigzag_mapping_by_hwsim"][k], r["zigzag"][k], r["hwsim_mapping_by_zigzag"][k])
    theirs = (f"{zh * scale:,.4g} | {zh / h:.3f}x" if r["zigzag_mapping_by_hwsim"]["valid"]
              else "over SRAM capacity | -")
    print(f"| {r['layer']} | {r['objective']} ({unit}) | {h * scale:,.4g} | {theirs} | "
          f"{z * scale:,.4g} | {hz * scale:,.4g} | {z / hz:.3f}x | "
          f"{z / r['hwsim_order_allocated_by_zigzag'][k]:.3f}x | "
          f"{r['hwsim']['search_s']:.3f} | {r['zigzag']['seconds']:.1f} | "
          f"{r['zigzag']['cpu_seconds'] / r['hwsim']['cpu_s']:,.0f}x |", flush=True)


def explain(r: dict, target: MappingTarget) -> None:
    """Where the two models disagree, for a row where ZigZag rates its own mapping better than hwsim's."""
    k = _metric(r)
    if r["zigzag"][k] >= r["hwsim_mapping_by_zigzag"][k]:
        return
    parts = lambda d: " + ".join(f"{d[p]:,.0f}" for p in LATENCY_PARTS)  # noqa: E731
    print(f"  {r['layer']} {r['objective']}: ZigZag's latency (ideal + stall + on-load + off-load): its best "
          f"{parts(r['zigzag'])}, hwsim's {parts(r['hwsim_mapping_by_zigzag'])}")
    theirs = r["zigzag_mapping_by_hwsim"]
    if theirs["valid"]:
        print(f"  by hwsim's model ZigZag's best is {theirs[k] / r['hwsim'][k]:.3f}x hwsim's {k}")
    else:
        print(f"  by hwsim's model ZigZag's best holds {theirs['sram_words']:,.0f} words in the "
              f"{target.levels[1].capacity_words:,.0f}-word SRAM (inputs counted with the halo (P-1)*stride+R)")


def print_summary(rows: list[dict]) -> None:
    k = [_metric(r) for r in rows]
    own = [r["zigzag_mapping_by_hwsim"][m] / r["hwsim"][m] for r, m in zip(rows, k) if r["zigzag_mapping_by_hwsim"]["valid"]]
    theirs = [r["zigzag"][m] / r["hwsim_mapping_by_zigzag"][m] for r, m in zip(rows, k)]
    allocated = [r["zigzag"][m] / r["hwsim_order_allocated_by_zigzag"][m] for r, m in zip(rows, k)]
    speed = sum(r["zigzag"]["seconds"] for r in rows) / sum(r["hwsim"]["search_s"] for r in rows)
    cpu = sum(r["zigzag"]["cpu_seconds"] for r in rows) / sum(r["hwsim"]["cpu_s"] for r in rows)
    print(f"by hwsim's model, ZigZag's best / hwsim's best: geomean {np.exp(np.mean(np.log(own))):.3f}x, "
          f"min {min(own):.3f}x ({sum(o >= 1 - 1e-9 for o in own)}/{len(own)} at least as good; "
          f"{len(rows) - len(own)} of ZigZag's mappings overflow the SRAM in hwsim's model)")
    print(f"by ZigZag's model, ZigZag's best / hwsim's best: geomean {np.exp(np.mean(np.log(theirs))):.3f}x, "
          f"min {min(theirs):.3f}x ({sum(t >= 1 for t in theirs)}/{len(theirs)} at least as good); with ZigZag "
          f"allocating hwsim's loop order itself: geomean {np.exp(np.mean(np.log(allocated))):.3f}x, "
          f"min {min(allocated):.3f}x")
    for r in rows:
        for setting, cost in r["zigzag_below_floor"].items():
            print(f"{r['layer']} ({r['objective']}): ZigZag's {setting} search claims {cost['latency_cycles']:,.0f} "
                  f"cycles and {cost['energy_pj'] / 1e6:,.2f} uJ, below the compulsory DRAM traffic's "
                  f"{r['compulsory_floor']['latency_cycles']:,.0f} cycles and "
                  f"{r['compulsory_floor']['energy_pj'] / 1e6:,.2f} uJ: left out")
    settings = [r["zigzag_setting"] for r in rows]
    print(f"ZigZag's best came from its default search in {settings.count('default')} rows and with mixed "
          f"unrolling in {settings.count('mix')}")
    print(f"search CPU time, ZigZag / hwsim (sum over all searches): {cpu:,.0f}x; wall time {speed:,.0f}x "
          f"(hwsim {sum(r['hwsim']['search_s'] for r in rows):.2f} s, ZigZag {sum(r['zigzag']['seconds'] for r in rows):.0f} s)")


if __name__ == "__main__":
    sys.exit(main())
