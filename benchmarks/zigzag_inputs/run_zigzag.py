"""Run ZigZag on single layers and print its best mappings as JSON (runs in ZigZag's own venv).

    /work/zigzag-venv/bin/python benchmarks/zigzag_inputs/run_zigzag.py \
        --workload benchmarks/zigzag_inputs/resnet18_layers.yaml --layer conv1 --objective latency \
        --dump build/zigzag/out

Called by benchmarks/mapper_vs_zigzag.py, which caches the JSON under build/.  Uses only ZigZag's
public entry point ``zigzag.api.get_hardware_performance_zigzag`` with its default search settings
(LOMA, uneven temporal mappings, lpf_limit 6, 3 spatial mappings generated); the wall and CPU
times cover that call only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import time

import yaml


def _loops(level) -> list[list]:
    return [[str(dim), float(size)] for dim, size in level]


def describe(cme) -> dict:
    tm = cme.temporal_mapping
    sm = cme.layer.spatial_mapping
    spatial = {str(oa): {str(d): float(f) for d, f in single.items()} for oa, single in sm.items()}
    temporal = {str(op): [_loops(level) for level in levels] for op, levels in tm.mapping_dic_origin.items()}
    breakdown = {str(op): [float(e) for e in lv] for op, lv in cme.mem_energy_breakdown.items()}
    accesses = {}
    for op, levels in cme.memory_word_access.items():
        accesses[str(op)] = [{str(k): float(v) for k, v in acc.data.items()} if hasattr(acc, "data") else str(acc)
                             for acc in levels]
    return {
        "latency_cycles": float(cme.latency_total2),
        "latency_total0": float(cme.latency_total0),
        "ideal_temporal_cycle": float(cme.ideal_temporal_cycle),
        "stall_slack_comb": float(cme.stall_slack_comb),
        "data_onloading_cycle": float(cme.data_onloading_cycle),
        "data_offloading_cycle": float(cme.data_offloading_cycle),
        "energy_pj": float(cme.energy_total),
        "mac_energy_pj": float(cme.mac_energy),
        "mem_energy_pj": float(cme.mem_energy),
        "mem_energy_breakdown": breakdown,
        "memory_word_access": accesses,
        "spatial": spatial,
        "temporal": temporal,
    }


def pin_allocation(levels: dict[str, list[int]]) -> None:
    """Make ZigZag's memory allocator keep the given loops per operand and level instead of choosing.

    ZigZag's allocator walks the memory levels bottom-up and, at each, asks
    ``find_best_loop_combination`` how many of each operand's remaining loops to keep there;
    answering with the given counts costs exactly the mapping the other tool chose.
    """
    from zigzag.opt.loma.memory_allocator import MemoryAllocator

    def pinned(self, mem_ops, all_sizes, node, top_levels):
        counts = []
        for mem_op in mem_ops:
            layer_op = self.mem_to_layer_op[mem_op]
            remaining = len(self.unallocated[mem_op])
            if node == top_levels[mem_op]:
                counts.append(remaining)
            else:
                counts.append(min(remaining, levels[str(layer_op)][self.mem_level[layer_op] - 1]))
        return counts

    MemoryAllocator.find_best_loop_combination = pinned


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workload", required=True)
    parser.add_argument("--accelerator", default=os.path.join(os.path.dirname(__file__), "ws32_accelerator.yaml"))
    parser.add_argument("--mapping", default=os.path.join(os.path.dirname(__file__), "ws32_mapping.yaml"))
    parser.add_argument("--layer", required=True)
    parser.add_argument("--objective", choices=("latency", "energy", "EDP"), required=True)
    parser.add_argument("--dump", required=True)
    parser.add_argument("--fixed", help="JSON {spatial: {D1: [[dim, f], ...], D2: [...]}, temporal: [[dim, f], ...] "
                        "innermost first[, levels: {W: [n, ...], I: [...], O: [...]}]}: cost this one mapping "
                        "instead of searching; with levels, each operand keeps that many of the temporal loops at "
                        "each of its memory levels (innermost first), else ZigZag allocates them")
    parser.add_argument("--mix", action="store_true", help="let ZigZag unroll several dims on one array axis")
    args = parser.parse_args()
    from zigzag.api import get_hardware_performance_zigzag

    with open(args.workload) as f:
        layers = yaml.safe_load(f)
    chosen = [dict(layer, id=0, operand_source={"I": 0}) for layer in layers if layer["name"] == args.layer]
    if not chosen:
        print(f"layer '{args.layer}' not in {args.workload}", file=sys.stderr)
        return 2
    mapping_path = args.mapping
    if args.fixed:
        fixed = json.loads(args.fixed)
        with open(args.mapping) as f:
            entries = yaml.safe_load(f)
        entry = {
            "name": args.layer,
            "spatial_mapping": {oa: [f"{d}, {int(v)}" for d, v in loops] for oa, loops in fixed["spatial"].items()},
            "temporal_ordering": [[d, int(v)] for d, v in fixed["temporal"]],
            "memory_operand_links": entries[0]["memory_operand_links"],
        }
        os.makedirs(args.dump, exist_ok=True)
        mapping_path = os.path.join(args.dump, "fixed_mapping.yaml")
        with open(mapping_path, "w") as f:
            yaml.safe_dump(entries + [entry], f)
        chosen[0]["name"] = args.layer
        if fixed.get("levels"):
            pin_allocation(fixed["levels"])
    logging.disable(logging.WARNING)
    wall, cpu = time.perf_counter(), time.process_time()
    energy, latency, cmes = get_hardware_performance_zigzag(
        chosen, args.accelerator, mapping_path, opt=args.objective, dump_folder=args.dump,
        loma_show_progress_bar=False, enable_mix_spatial_mapping=args.mix,
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    per_layer = cmes[0][1]
    cme = per_layer[0][0]
    out = describe(cme)
    digest = hashlib.sha256()
    for path in (args.accelerator, args.mapping):
        with open(path, "rb") as f:
            digest.update(f.read())
    digest.update(json.dumps(chosen, sort_keys=True).encode())
    if args.fixed:
        digest.update(args.fixed.encode())
    if args.mix:
        digest.update(b"mix")
    out.update(inputs_sha256=digest.hexdigest(), layer=args.layer, objective=args.objective, seconds=wall, cpu_seconds=cpu,
               api_energy_pj=float(energy), api_latency_cycles=float(latency))
    json.dump(out, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
