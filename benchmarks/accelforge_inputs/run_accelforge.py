"""Run AccelForge on one conv layer on its bundled Eyeriss and print the result as JSON (in AccelForge's venv).

    build/accelforge-venv/bin/python benchmarks/accelforge_inputs/run_accelforge.py \
        --shape '{"P": 28, "Q": 28, "C": 64, "M": 128, "R": 3, "S": 3, "STRIDE": 2}' --search

``--search`` runs AccelForge's mapper (FFM, metric energy, one process); ``--evaluate FILE``
costs one LoopTree mapping (YAML, as written by benchmarks/mapper_vs_accelforge.py) with
AccelForge's model instead.  Either way the output holds the energy (J), the latency (s),
the energy per component and tensor, the action counts, the mapping (its LoopTree nodes,
outermost first) and the per-action energies AccelForge's component models gave each
component of the architecture.  Called by benchmarks/mapper_vs_accelforge.py, which caches it
and runs it in build/accelforge/: AccelForge's mapper writes mapping.svg into its working
directory (with graphviz's ``dot``) after every search.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _spec(shape: dict, mapping: str | None = None):
    import accelforge as af

    files = [af.examples.arches.eyeriss, os.path.join(HERE, "resnet18_layer.yaml")]
    if mapping is not None:
        files.append(mapping)
    return af.Spec.from_yaml(*files, jinja_parse_data=shape)


def _nodes(mapping) -> list[dict]:
    """The LoopTree's nodes, outermost first, as plain dicts."""
    out = []
    for node in mapping.nodes:
        kind = type(node).__name__
        entry = {"node": kind}
        if hasattr(node, "rank_variable"):
            entry.update(rank_variable=str(node.rank_variable), tile_shape=str(node.tile_shape),
                         text=str(node))
            if kind == "Spatial":
                entry.update(name=str(node.name), component=str(node.component))
        elif hasattr(node, "tensors"):
            entry.update(tensors=[str(t) for t in node.tensors], component=str(node.component))
        elif hasattr(node, "nodes"):
            entry.update(nodes=_nodes(node))
        else:
            entry.update(text=str(node))
        out.append(entry)
    return out


def _action_energies(shape: dict) -> dict:
    spec = _spec(shape).calculate_component_costs(einsum_name="O")
    table = {}
    for node in spec.arch.nodes:
        for action in getattr(node, "actions", None) or []:
            table[f"{node.name}.{action.name}"] = {
                "energy_j": float(action.energy), "bits_per_action": getattr(action, "bits_per_action", None),
                "throughput": float(action.throughput) if action.throughput is not None else None}
    return table


def _keyed(d: dict) -> dict:
    return {"/".join(str(p) for p in (k if isinstance(k, tuple) else (k,))): float(v) for k, v in d.items()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shape", required=True, help="JSON: P, Q, C, M, R, S, STRIDE")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--search", action="store_true")
    mode.add_argument("--evaluate", help="a LoopTree mapping YAML to cost")
    args = parser.parse_args()
    import accelforge as af

    af.set_n_parallel_jobs(1, print_message=False)
    shape = json.loads(args.shape)
    wall, cpu = time.perf_counter(), time.process_time()
    if args.search:
        spec = _spec(shape)
        spec.mapper.metrics = af.mapper.Metrics.ENERGY
        result = spec.map_workload_to_arch(print_progress=False)
    else:
        result = _spec(shape, args.evaluate).evaluate_mapping()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    out = {
        "shape": shape, "mode": "search" if args.search else "evaluate", "seconds": wall, "cpu_seconds": cpu,
        "accelforge": af.__version__ if hasattr(af, "__version__") else "1.0.467",
        "energy_j": float(result.energy()), "latency_s": float(result.latency()),
        "energy_by_component_tensor_action": _keyed(result.energy(per_component=True, per_tensor=True,
                                                                  per_action=True)),
        "actions_by_component_tensor": _keyed(result.actions(per_component=True, per_tensor=True)),
        "latency_by_component": _keyed(result.latency(per_component=True)),
        "mapping": _nodes(result.mapping()),
        "action_energies": _action_energies(shape),
    }
    json.dump(out, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
