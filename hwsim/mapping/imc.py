"""Tile a layer onto IMC subarrays: which dot-product slice lives in which column and row.

A column holds one output pixel's activations for one chunk of the reduction (C*R*S), laid
out bit-serially (``act_bits`` rows per activation), plus accumulators.  All columns of a
subarray execute the same row operation, so they share one weight at a time: a subarray
works on one output channel k at a time for up to ``cols`` output pixels, and a zero weight
is skipped by the whole subarray at once.

A *work unit* is what one subarray does without help; units are dealt round-robin to the
subarrays.  The data mapping fixes what a unit is:

- weight-stationary: (k, chunk); the unit streams every pixel tile through its weights.
- input-stationary: (pixel tile, chunk); every output channel visits the resident tile,
  one accumulator, read out after each channel.
- output-stationary: (pixel tile, k); the accumulator stays while every chunk is loaded.
- combined-stationary: (pixel tile, k-group, reduction part); for each chunk of its part
  the unit loads the activations once and updates the resident accumulators of every
  channel in its group.  The mapper picks the group count and the number of parts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsim.errors import MappingError
from hwsim.spec.enums import DataMapping, Objective
from hwsim.spec.imc import ImcSpec
from hwsim.workload.layers import Layer


def signed_bits(max_abs: int) -> int:
    """Bits of a two's-complement integer that holds every value in [-max_abs, max_abs]."""
    return int(max_abs).bit_length() + 1


@dataclass(frozen=True)
class ImcMapping:
    """How one weighted layer is tiled onto the subarrays.

    Attributes
    ----------
    chunk_len
        Activations per column per chunk; the last chunk may be shorter.
    n_chunks
        Chunks the reduction C*R*S is split into.
    pixel_tiles, last_tile_cols
        Groups of ``cols`` output pixels; active columns of the last group.
    k_groups, k_per_group
        Output-channel groups (combined-stationary; else 1 and K).
    parts, chunks_per_part
        Reduction parts computed in different subarrays and summed afterwards.
    add_bits
        Width of the in-memory accumulation, set by the longest sum a unit accumulates.
    out_bits
        Width of the final sum of the whole reduction.
    """

    data_mapping: DataMapping
    chunk_len: int
    n_chunks: int
    pixel_tiles: int
    last_tile_cols: int
    k_groups: int
    k_per_group: int
    parts: int
    chunks_per_part: int
    add_bits: int
    out_bits: int
    rows_used: int

    def describe(self) -> str:
        text = f"{self.data_mapping.value}: {self.pixel_tiles} px-tiles x {self.n_chunks} chunks of {self.chunk_len}"
        if self.data_mapping is DataMapping.COMBINED_STATIONARY:
            text += f", {self.k_groups} k-groups of {self.k_per_group}, {self.parts} parts"
        return text + f", {self.add_bits}-b adds"


def map_layer(layer: Layer, spec: ImcSpec, weight_density: float = 1.0) -> ImcMapping:
    """Choose the tiling of ``layer`` on ``spec`` for the spec's data mapping.

    Parameters
    ----------
    weight_density
        Measured fraction of non-zero weights; the combined-stationary search uses it to
        estimate the work per output channel when zeros are skipped.
    """
    act_max = (1 << layer.act_bits) - 1
    out_bits = signed_bits(layer.reduction * act_max)
    cols = spec.subarray.cols
    pixels = layer.output_pixels
    tiles = -(-pixels // cols)
    last = pixels - (tiles - 1) * cols
    if spec.data_mapping is DataMapping.COMBINED_STATIONARY:
        return _combined(layer, spec, weight_density, tiles, last, out_bits)
    # one accumulator per column, wide enough for the whole reduction
    free = spec.subarray.rows - out_bits - spec.sense_amp.carry_rows
    chunk_len = _chunk_len(layer, spec, free, out_bits)
    n_chunks = -(-layer.reduction // chunk_len)
    if spec.data_mapping is DataMapping.OUTPUT_STATIONARY:
        add_bits, parts = out_bits, 1
    else:
        add_bits, parts = signed_bits(chunk_len * act_max), n_chunks
    # parts * chunks_per_part must cover n_chunks; output-stationary has one part of all chunks
    return ImcMapping(
        data_mapping=spec.data_mapping, chunk_len=chunk_len, n_chunks=n_chunks, pixel_tiles=tiles,
        last_tile_cols=last, k_groups=1, k_per_group=layer.K, parts=parts,
        chunks_per_part=-(-n_chunks // parts), add_bits=add_bits, out_bits=out_bits,
        rows_used=chunk_len * layer.act_bits + out_bits + spec.sense_amp.carry_rows,
    )


def _chunk_len(layer: Layer, spec: ImcSpec, free_rows: int, acc_bits: int) -> int:
    chunk_len = min(layer.reduction, free_rows // layer.act_bits) if free_rows > 0 else 0
    if chunk_len < 1:
        raise MappingError(
            f"layer '{layer.name}': subarray.rows = {spec.subarray.rows} leaves no room for one "
            f"{layer.act_bits}-bit activation next to a {acc_bits}-bit accumulator"
        )
    return chunk_len


def _combined(layer: Layer, spec: ImcSpec, density: float, tiles: int, last: int, out_bits: int) -> ImcMapping:
    """Search (k-groups, parts) for the lowest estimated busiest-subarray time."""
    act_bits, rows, k = layer.act_bits, spec.subarray.rows, layer.K
    act_max = (1 << act_bits) - 1
    step = spec.bit_step_cycles
    prices = _estimate_prices_pj(spec)
    best: tuple[float, ImcMapping] | None = None
    for k_per_group in _candidate_group_sizes(k):
        groups = -(-k // k_per_group)
        acc_rows = k_per_group * out_bits + spec.sense_amp.carry_rows
        free = rows - acc_rows
        if free < act_bits:
            continue
        chunk_len = min(layer.reduction, free // act_bits)
        n_chunks = -(-layer.reduction // chunk_len)
        chunks_per_part = np.unique(-(-n_chunks // np.arange(1, n_chunks + 1)))
        parts = -(-n_chunks // chunks_per_part)
        add_bits = np.array([signed_bits(min(layer.reduction, c * chunk_len) * act_max) for c in chunks_per_part])
        units = tiles * groups * parts
        rounds = -(-units // spec.subarrays)
        add_cycles = add_bits * step
        per_chunk = chunk_len * act_bits * spec.subarray.row_write_cycles + k_per_group * np.maximum(
            density * chunk_len * add_cycles, chunk_len / spec.skip_unit.weights_per_cycle
        )
        readout = k_per_group * add_bits * spec.subarray.row_read_cycles
        compute = rounds * (chunks_per_part * per_chunk + readout)
        outputs = layer.output_pixels * k
        bus = outputs * parts * add_bits / (spec.interconnect.width_bits * spec.banks)
        reduce_rounds = np.ceil(outputs * (parts - 1) / (spec.subarrays * spec.subarray.cols))
        latency = np.maximum(compute, bus) + reduce_rounds * out_bits * step
        pixels = layer.output_pixels
        energy = (
            pixels * layer.reduction * act_bits * groups * prices["load"]
            + outputs * parts * add_bits * prices["unload"]
            + outputs * (parts - 1) * out_bits * prices["bit_step"]
            + outputs * density * layer.reduction * add_bits * prices["bit_step"]
        )
        cost = {Objective.LATENCY: latency, Objective.ENERGY: energy, Objective.EDP: latency * energy}[
            spec.mapping_objective
        ]
        i = int(np.argmin(cost))
        if best is None or cost[i] < best[0]:
            mapping = ImcMapping(
                data_mapping=DataMapping.COMBINED_STATIONARY, chunk_len=chunk_len, n_chunks=n_chunks,
                pixel_tiles=tiles, last_tile_cols=last, k_groups=groups, k_per_group=k_per_group,
                parts=int(parts[i]), chunks_per_part=int(chunks_per_part[i]), add_bits=int(add_bits[i]),
                out_bits=out_bits, rows_used=chunk_len * act_bits + acc_rows,
            )
            best = (float(cost[i]), mapping)
    if best is None:
        _chunk_len(layer, spec, rows - out_bits - spec.sense_amp.carry_rows, out_bits)
        raise AssertionError("unreachable: a single accumulator always leaves room")
    return best[1]


def _estimate_prices_pj(spec: ImcSpec) -> dict[str, float]:
    """Per-cell prices the search weighs tilings with (the same numbers cost/ uses)."""
    per_bit = sum(m.energy_pj for m in spec.sense_amp.micro_ops)
    return {
        "load": spec.subarray.cell.write_energy_pj + spec.interconnect.energy_pj_per_bit,
        "unload": spec.subarray.cell.read_energy_pj + spec.interconnect.energy_pj_per_bit,
        "bit_step": per_bit,
    }


def _candidate_group_sizes(k: int) -> list[int]:
    """Channels per group worth trying: every size that gives a distinct group count."""
    sizes = {-(-k // g) for g in range(1, k + 1)}
    return sorted(sizes)
