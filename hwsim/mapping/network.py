"""Map every conv, linear and attention layer of a workload onto an accelerator.

The workload is lowered to the layers the loop-nest mapper takes (conv and linear layers of
a network; the projections, score and value products of each Transformer block at the
longest sequence length), each layer gets its family's target, and layers of equal shape
are searched once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from hwsim.errors import MappingError
from hwsim.mapping.defaults import DEFAULT_BUDGET
from hwsim.mapping.loopnest.search import LoopNestMapping
from hwsim.mapping.loopnest.parallel import search_all
from hwsim.mapping.loopnest.target import DIMS, RELEVANCE, MappingTarget
from hwsim.mapping.targets import target_for
from hwsim.spec.enums import Objective
from hwsim.workload.layers import GEMM_KINDS, Layer

OPERANDS = ("W", "I", "O")

# progress(done, total, layer name, seconds of that search)
Progress = Callable[[int, int, str, float], None]


@dataclass(frozen=True)
class LayerMapping:
    """One layer, the target it runs on, its loop nest and that nest's modelled cost."""

    layer: Layer
    target: MappingTarget
    mapping: LoopNestMapping
    searched: bool  # False when the loop nest came from a mapping file

    @property
    def name(self) -> str:
        return self.layer.name


@dataclass(frozen=True)
class NetworkMapping:
    """The loop nests of every mappable layer of one workload on one arch."""

    model: str
    arch: str
    objective: Objective
    budget: int
    seed: int
    layers: tuple[LayerMapping, ...]

    def get(self, name: str) -> LayerMapping | None:
        return next((m for m in self.layers if m.name == name), None)

    @property
    def latency_cycles(self) -> float:
        return sum(m.mapping.latency_cycles for m in self.layers)

    @property
    def energy_pj(self) -> float:
        return sum(m.mapping.energy_pj for m in self.layers)


def mappable_layers(workload: Any, arch: Any) -> tuple[Layer, ...]:
    """The conv, linear, matmul and attention-product layers of ``workload`` the mapper maps."""
    if hasattr(workload, "gemm_layers") and hasattr(workload, "blocks"):
        length = int(np.max(workload.lengths))
        sparse = bool(getattr(arch, "sparse", False))
        return tuple(layer for block in workload.blocks for layer in workload.gemm_layers(block, length, sparse=sparse))
    layers = tuple(layer for layer in getattr(workload, "layers", ())
                   if isinstance(layer, Layer) and layer.kind in GEMM_KINDS)
    if not layers:
        raise MappingError(f"model '{getattr(workload, 'name', workload)}' has no conv, linear, matmul or attention "
                           "layer to map")
    return layers


def shape_key(layer: Layer) -> tuple[int, ...]:
    """Layers with equal keys have the same mapping space and cost.

    (N, K, C, P, Q, R, S, G, stride rows, stride cols, dilation rows, dilation cols, activation
    bits, weight bits; 0 weight bits for a product of two activations).
    """
    weight_bits = layer.weight_quant.bits if layer.weight_quant is not None else 0
    return (layer.N, layer.K, layer.C, layer.P, layer.Q, layer.R, layer.S, layer.G, *layer.stride, *layer.dilation,
            layer.act_bits, weight_bits)


def distinct_shapes(workload: Any, arch: Any) -> int:
    """How many searches ``map_network`` runs for ``workload``: its distinct mappable layer shapes."""
    return len({shape_key(layer) for layer in mappable_layers(workload, arch)})


def map_network(workload: Any, arch: Any, *, objective: Objective = Objective.EDP, budget: int = DEFAULT_BUDGET,
                seed: int = 0, fixed: dict[str, LayerMapping] | None = None,
                progress: Progress | None = None, workers: int = 1) -> NetworkMapping:
    """Search the best loop nest of every mappable layer for ``objective``.

    Parameters
    ----------
    budget
        Mapping evaluations per distinct layer shape; spaces up to this size are searched
        exhaustively, larger ones sampled at random.
    seed
        Seed of the random search: the same seed gives the same mappings.
    fixed
        Loop nests given by the user (a mapping file), by layer name; not searched.
    progress
        Called after each search, in the order of the layers (also with several workers).
    workers
        Processes searching distinct shapes at once (:func:`search_all`); the mappings do not
        depend on it.
    """
    layers = mappable_layers(workload, arch)
    fixed = fixed or {}
    todo = {shape_key(layer): layer for layer in layers if layer.name not in fixed}
    jobs = [(layer, target_for(arch, layer)) for layer in todo.values()]
    results = search_all(jobs, objective=objective, budget=budget, seed=seed, workers=workers, progress=progress)
    found = {key: (target, result) for key, (_, target), result in zip(todo, jobs, results)}
    out = []
    for layer in layers:
        if layer.name in fixed:
            out.append(fixed[layer.name])
        else:
            target, result = found[shape_key(layer)]
            out.append(LayerMapping(layer, target, result, searched=True))
    return NetworkMapping(model=getattr(workload, "name", ""), arch=arch.name, objective=objective, budget=budget,
                          seed=seed, layers=tuple(out))


def spatial_text(m: LayerMapping) -> str:
    """``rows C16 R3 x cols K32``: the unrolling on each array axis."""
    t, sp = m.target, m.mapping.spatial
    rows = " ".join(f"{d}{sp[DIMS.index(d)]}" for d in t.row_dims if sp[DIMS.index(d)] > 1) or "-"
    cols = " ".join(f"{d}{sp[DIMS.index(d)]}" for d in t.col_dims if sp[DIMS.index(d)] > 1) or "-"
    return f"rows {rows} x cols {cols}"


def level_loops(m: LayerMapping) -> list[tuple[str, list[tuple[str, int]]]]:
    """Per level (innermost first), its loops with bound > 1, innermost first."""
    out = []
    for level, factors, order in zip(m.target.levels, m.mapping.factors, m.mapping.orders):
        out.append((level.name, [(d, factors[DIMS.index(d)]) for d in order if factors[DIMS.index(d)] > 1]))
    return out


def residency(m: LayerMapping) -> dict[str, tuple[str, int]]:
    """Per operand, the innermost level that holds it and how often each word there is used per fill.

    Within a tile held at level ``a``, each word serves the loops at levels up to ``a`` that
    do not index the operand, and those of the next level its cut spans (:mod:`.loopnest.cuts`);
    the tile then stays while the loops above it that do not index it run (innermost first,
    up to the first loop that does).  The reuse is their product.
    """
    out = {}
    levels = m.target.levels
    cuts = m.mapping.cut_array()
    for x, op in enumerate(OPERANDS):
        a = next(i for i, level in enumerate(levels) if level.holds[x])
        reuse = 1
        for factors in m.mapping.factors[: a + 1]:
            reuse *= int(np.prod([f for d, f in zip(DIMS, factors) if not RELEVANCE[x, DIMS.index(d)]]))
        spanned = int(cuts[x, a]) if a < len(levels) - 1 else 0
        for level, (factors, order) in list(enumerate(zip(m.mapping.factors, m.mapping.orders)))[a + 1:]:
            inside = order[:spanned] if level == a + 1 else ()
            reuse *= int(np.prod([factors[DIMS.index(d)] for d in inside if not RELEVANCE[x, DIMS.index(d)]]))
            above = order[len(inside):]
            relevant = [d for d in above if factors[DIMS.index(d)] > 1 and RELEVANCE[x, DIMS.index(d)]]
            inner = []
            for d in above:
                f = factors[DIMS.index(d)]
                if f == 1:
                    continue
                if RELEVANCE[x, DIMS.index(d)]:
                    break
                inner.append(f)
            reuse *= int(np.prod(inner)) if inner else 1
            if relevant:
                break
        out[op] = (levels[a].name, reuse)
    return out
