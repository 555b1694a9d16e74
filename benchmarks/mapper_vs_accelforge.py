"""hwsim's loop-nest mapper against AccelForge's optimal mapping on AccelForge's bundled Eyeriss, one layer.

AccelForge 1.0.467 (its own venv; it needs Python >= 3.12) maps one ResNet-18 conv layer
(benchmarks/accelforge_inputs/resnet18_layer.yaml, the einsum form of AccelForge's own ResNet-18)
onto its bundled ``examples/arches/eyeriss.yaml`` with its mapper (FFM, metric energy, one
process).  ``eyeriss_target()`` is the same Eyeriss as an hwsim target: 14 x 12 PEs (rows
unroll N, P, Q and reuse weights; columns unroll C, R, S and reduce outputs; AccelForge's
``min_usage: 1`` asks for both axes full, which both found mappings meet), per PE three
scratchpads (24 input, 384 weight, 32 output values; one partitioned level 0), a 1 Mbit
global buffer (256 values per cycle: 32 actions of 64 bits at 200 MHz) and LPDDR4.  The
per-value energies are what AccelForge's component models gave (run_accelforge.py prints
them: CACTI at 65 nm for the SRAMs, 8 pJ/bit for LPDDR4, 1.28 pJ per 8-bit MAC); the script
checks them against that output.  hwsim searches for energy; then each tool's best mapping is
costed by the other tool (hwsim's as a LoopTree YAML evaluated by AccelForge's model).

Setup (once; build/ is ignored):

    /root/.pyenv/versions/3.12.1/bin/python -m venv build/accelforge-venv   # any Python >= 3.12
    build/accelforge-venv/bin/pip install accelforge==1.0.467
    apt-get install graphviz   # AccelForge's mapper renders its result with dot
    # the wheel's CACTI binary needs glibc 2.38; rebuild it from the sources it ships:
    cd build/accelforge-venv/lib/python3.12/site-packages/hwcomponents_cacti/cacti && \
        rm -rf obj_dbg obj_opt && make opt
    .venv/bin/python benchmarks/mapper_vs_accelforge.py [--layer layer2.0.conv1]

AccelForge's search takes minutes (cached under build/accelforge/ afterwards).
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

from hwsim.mapping.loopnest.search import LoopNestMapping, evaluate, layer_bounds, search
from hwsim.mapping.loopnest.target import DIMS, NDIM, RELEVANCE, MappingTarget, MemoryLevel
from hwsim.mapping.tiles import tile_words
from hwsim.spec.enums import Objective
from hwsim.workload.zoo import load_network

HERE = Path(__file__).resolve().parent
INPUTS = HERE / "accelforge_inputs"
RANK = {"N": "n", "K": "m", "C": "c", "P": "p", "Q": "q", "R": "r", "S": "s"}
DIM = {v: k for k, v in RANK.items()}
CLOCK_HZ = 200e6
BITS = 8  # every value (bits_per_value: All: 8)

# per-value energies (pJ) from AccelForge's component models for eyeriss.yaml (tech_node 65 nm),
# as run_accelforge.py reports them: (component.action, energy per action J, bits per action)
AF_ENERGY = {
    "MainMemory": (8e-12, 8e-12, 1),                                  # LPDDR4, per bit
    "GlobalBuffer": (9.056430298994264e-11, 9.122346940403464e-11, 64),  # SmartBufferSRAM 1 Mbit, per 64 bits
    "InputScratchpad": (2.2733893884485344e-14, 3.1554801000964905e-14, 1),
    "WeightScratchpad": (4.0152965248454046e-14, 6.235570339922515e-14, 1),
    "OutputScratchpad": (2.6247402328781873e-14, 3.728731056542402e-14, 1),
}
MAC_J = 1.2813796807700769e-12
DRAM_BITS_PER_S = 3355443200.0


def _per_value_pj(component: str) -> tuple[float, float]:
    read, write, bits = AF_ENERGY[component]
    return read / bits * BITS * 1e12, write / bits * BITS * 1e12


def eyeriss_target() -> MappingTarget:
    """AccelForge's bundled Eyeriss in hwsim's terms (one word = one 8-bit value)."""
    spads = MemoryLevel("pe_spads", 24 + 384 + 32, 0.0, 0.0, 1e12, partition_words=(384, 24, 32),
                        operand_energy_pj=(_per_value_pj("WeightScratchpad"), _per_value_pj("InputScratchpad"),
                                           _per_value_pj("OutputScratchpad")))
    glb_r, glb_w = _per_value_pj("GlobalBuffer")
    dram_r, dram_w = _per_value_pj("MainMemory")
    return MappingTarget("eyeriss-14x12", 14, 12, ("N", "P", "Q"), ("C", "R", "S"), (
        spads,
        MemoryLevel("global_buffer", 1024 * 1024 / BITS, glb_r, glb_w, 32 * 64 / BITS),
        MemoryLevel("main_memory", 1e15, dram_r, dram_w, DRAM_BITS_PER_S / CLOCK_HZ / BITS),
    ), mac_energy_pj=MAC_J * 1e12, share_halo=False)


def shape_of(layer) -> dict:
    return {"P": layer.P, "Q": layer.Q, "C": layer.C, "M": layer.K, "R": layer.R, "S": layer.S,
            "STRIDE": layer.stride[0]}


def run_accelforge(python: Path, shape: dict, mapping_yaml: str | None = None) -> dict:
    """AccelForge's search (or its cost of one mapping), cached under build/accelforge/."""
    digest = hashlib.sha256()
    for name in ("resnet18_layer.yaml", "run_accelforge.py"):
        digest.update((INPUTS / name).read_bytes())
    digest.update(json.dumps([shape, mapping_yaml], sort_keys=True).encode())
    cache = Path("build/accelforge") / f"{digest.hexdigest()[:16]}.json"
    if cache.exists():
        return json.loads(cache.read_text())
    cache.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(python.absolute()), str(INPUTS / "run_accelforge.py"), "--shape", json.dumps(shape)]
    if mapping_yaml is None:
        cmd.append("--search")
    else:
        path = cache.with_suffix(".yaml")
        path.write_text(mapping_yaml)
        cmd += ["--evaluate", str(path.resolve())]
    # AccelForge writes mapping.svg (with graphviz's dot) into its working directory
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=cache.parent)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"status {done.returncode}"}
    cache.write_text(done.stdout)
    return json.loads(done.stdout)


def looptree(m: LoopNestMapping, bounds: np.ndarray) -> str:
    """hwsim's mapping as an AccelForge LoopTree (YAML), outermost first.

    hwsim keeps a tile resident across the innermost loops above its level that do not
    index the operand; in a LoopTree a tensor is refetched on every iteration of a loop
    above its storage node, so each tensor's storage node is placed above that run of
    loops (it holds the same tile there).  The spatial loops come right after the global
    buffer's level, above the loops of level 1.
    """
    extent = {d: int(b) for d, b in zip(DIMS, bounds)}
    lines = ["mapping:", "  nodes:", "  - !Storage {tensors: [I, W, O], component: MainMemory}"]

    def loop(kind: str, d: str, f: int, extra: str = "") -> None:
        extent[d] //= f
        lines.append(f"  - !{kind} {{rank_variable: {RANK[d]}, tile_shape: {extent[d]}{extra}}}")

    def level(index: int, storages: dict[str, str]) -> None:
        """Level ``index``'s loops, outermost first, with the storage nodes of the level below."""
        factors, order = m.factors[index], m.orders[index]
        loops = [d for d in order if factors[DIMS.index(d)] > 1]  # innermost first
        place = {}
        for tensor in storages:
            x = "WIO".index(tensor)
            run = 0
            while run < len(loops) and not RELEVANCE[x, DIMS.index(loops[run])]:
                run += 1
            place[tensor] = run  # the storage node goes above the innermost ``run`` loops
        for position in range(len(loops), -1, -1):
            for tensor, component in storages.items():
                if place[tensor] == position:
                    lines.append(f"  - !Storage {{tensors: [{tensor}], component: {component}}}")
            if position > 0:
                d = loops[position - 1]
                loop("Temporal", d, factors[DIMS.index(d)])

    level(2, {t: "GlobalBuffer" for t in "IWO"})
    for d, f in zip(DIMS, m.spatial):
        if f > 1:
            loop("Spatial", d, f, f", name: {'reuse_weight' if d in 'NPQ' else 'reuse_output'}, "
                                  "component: ProcessingElement")
    level(1, {"I": "InputScratchpad", "W": "WeightScratchpad", "O": "OutputScratchpad"})
    for d in reversed(m.orders[0]):
        f = m.factors[0][DIMS.index(d)]
        if f > 1:
            loop("Temporal", d, f)
    lines.append("  - !Compute {einsum: O, component: MAC}")
    return "\n".join(lines) + "\n"


def hwsim_nest(nodes: list[dict], bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """AccelForge's LoopTree as hwsim arrays (factors (3, NDIM), spatial (NDIM,), orders (3, NDIM)).

    A loop above the lowest global-buffer storage node goes to main memory's level, one
    above the lowest scratchpad storage node to the global buffer's, the rest to level 0
    (the inverse of :func:`looptree`: a tensor stored above some loops is, in hwsim's count,
    resident across them when they are the innermost of their level and do not index it;
    otherwise hwsim refetches it more often than AccelForge).  A loop's factor is the
    extent it splits over its tile.
    """
    extent = {d: int(b) for d, b in zip(DIMS, bounds)}
    factors = np.ones((3, NDIM), dtype=np.int64)
    spatial = np.ones(NDIM, dtype=np.int64)
    seen: list[list[int]] = [[], [], []]
    last = {c: max((i for i, n in enumerate(nodes) if n["node"] == "Storage" and c in n["component"]), default=-1)
            for c in ("GlobalBuffer", "Scratchpad")}
    for i, node in enumerate(nodes):
        if node["node"] not in ("Temporal", "Spatial"):
            continue
        level = 2 if i < last["GlobalBuffer"] else 1 if i < last["Scratchpad"] else 0
        d = DIM[node["rank_variable"]]
        f = extent[d] // int(node["tile_shape"])
        extent[d] = int(node["tile_shape"])
        if node["node"] == "Spatial":
            spatial[DIMS.index(d)] *= f
        else:
            factors[level, DIMS.index(d)] *= f
            seen[level].insert(0, DIMS.index(d))  # innermost first
    orders = np.array([list(dict.fromkeys(s)) + [d for d in range(NDIM) if d not in s] for s in seen])
    return factors, spatial, orders


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layer", default="layer2.0.conv1", help="a ResNet-18 conv layer (hwsim's zoo name)")
    parser.add_argument("--budget", type=int, default=200_000, help="hwsim evaluations")
    parser.add_argument("--accelforge-python", type=Path, default=Path("build/accelforge-venv/bin/python"))
    parser.add_argument("--json", type=Path, default=Path("results/mapper_vs_accelforge.json"))
    args = parser.parse_args(argv)
    if not args.accelforge_python.exists():
        print(f"AccelForge's venv is missing ({args.accelforge_python}); see this script's docstring", file=sys.stderr)
        return 2
    layer = load_network("resnet18").layer(args.layer)
    target = eyeriss_target()
    bounds = np.array([layer.N, layer.K, layer.C, layer.P, layer.Q, layer.R, layer.S, layer.G])
    search(layer, target, budget=1000)  # numba: load the compiled kernels
    cpu = time.process_time()
    ours = search(layer, target, objective=Objective.ENERGY, budget=args.budget, seed=0)
    cpu = time.process_time() - cpu
    af = run_accelforge(args.accelforge_python, shape_of(layer))
    if "error" in af:
        print(f"AccelForge's search failed: {af['error']}", file=sys.stderr)
        return 1
    _check_energies(af["action_energies"])
    theirs_nest = hwsim_nest(af["mapping"], bounds)
    theirs_in_hwsim = evaluate(layer, target, *(a[None] for a in theirs_nest))
    ours_yaml = looptree(ours, bounds)
    ours_in_af = run_accelforge(args.accelforge_python, shape_of(layer), ours_yaml)
    rows = _table(af, ours, cpu, theirs_in_hwsim, ours_in_af)
    print(f"{args.layer} on AccelForge's Eyeriss, objective energy (AccelForge {af.get('accelforge')}, FFM)")
    print("| mapping | by AccelForge's model, uJ | by hwsim's model, uJ | search s (CPU) |")
    print("|---|---|---|---|")
    for row in rows:
        print(row)
    print(f"hwsim's mapping: {ours.describe(target)}")
    if not theirs_in_hwsim[2][0]:
        print(f"AccelForge's mapping in hwsim's count: {overflow(layer, target, theirs_nest)}")
    print("where the two mappings differ by AccelForge's model (uJ, AccelForge's / hwsim's): " + ", ".join(
        f"{k} {v * 1e6:.2f} / {ours_in_af['energy_by_component_tensor_action'].get(k, 0.0) * 1e6:.2f}"
        for k, v in af["energy_by_component_tensor_action"].items()
        if abs(v - ours_in_af.get("energy_by_component_tensor_action", {}).get(k, 0.0)) > 1e-8))
    print("AccelForge's mapping: " + " | ".join(n.get("text", n["node"]) if n["node"] != "Storage"
                                               else f"[{','.join(n['tensors'])} in {n['component']}]"
                                               for n in af["mapping"] if n["node"] != "Reservation"))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "layer": args.layer, "budget": args.budget,
                                     "hwsim": {"energy_pj": ours.energy_pj, "latency_cycles": ours.latency_cycles,
                                               "seconds": ours.seconds, "cpu_s": cpu, "nest": ours_yaml},
                                     "accelforge": af, "hwsim_in_accelforge": ours_in_af,
                                     "accelforge_in_hwsim": [float(v[0]) for v in theirs_in_hwsim]}, indent=1))
    return 0


def overflow(layer, target: MappingTarget, nest: tuple[np.ndarray, np.ndarray, np.ndarray]) -> str:
    """Which of ``target``'s buffers the mapping ``nest`` overflows, in hwsim's words."""
    bounds, window = layer_bounds(layer)
    factors, spatial, _ = nest
    out = []
    for index, level in enumerate(target.levels[:-1]):
        words = tile_words(bounds, window, factors, spatial, index, level.holds, target.operand_scale)
        if words > level.capacity_words:
            out.append(f"{level.name} {words:,.0f} of {level.capacity_words:,.0f} words")
        for x, part in enumerate(level.partition_words or ()):
            one = tuple(i == x for i in range(3))
            words = tile_words(bounds, window, factors, spatial, index, one, target.operand_scale)
            if words > part:
                out.append(f"{level.name} {'WIO'[x]} {words:,.0f} of {part:,.0f} words")
    return "; ".join(out) or "fits"


def _check_energies(reported: dict) -> None:
    for component, (read, write, _) in AF_ENERGY.items():
        got = reported.get(f"{component}.read", {}).get("energy_j")
        if got is None or abs(got - read) > 1e-6 * read:
            print(f"note: AccelForge now prices {component}.read at {got} J, this script at {read} J", file=sys.stderr)


def _table(af: dict, ours: LoopNestMapping, cpu: float, theirs_in_hwsim, ours_in_af) -> list[str]:
    af_uj = af["energy_j"] * 1e6
    lat, energy, valid = (float(v[0]) for v in theirs_in_hwsim)
    theirs_hw = f"{energy / 1e6:,.2f}" if valid else "over a buffer's capacity in hwsim's count"
    ours_af = f"{ours_in_af['energy_j'] * 1e6:,.2f} ({af_uj / (ours_in_af['energy_j'] * 1e6):.3f}x)" \
        if "energy_j" in ours_in_af else f"rejected: {ours_in_af['error']}"
    ratio = f" ({energy / ours.energy_pj:.3f}x)" if valid else ""
    return [f"| AccelForge's best | {af_uj:,.2f} | {theirs_hw}{ratio} | {af['cpu_seconds']:,.0f} |",
            f"| hwsim's best | {ours_af} | {ours.energy_pj / 1e6:,.2f} | {cpu:.2f} |"]


if __name__ == "__main__":
    sys.exit(main())
