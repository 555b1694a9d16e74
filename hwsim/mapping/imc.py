"""Tile a layer onto IMC subarrays: which dot-product slice lives in which column and row.

A column holds one output pixel's activations for one chunk of the reduction (C*R*S), laid
out bit-serially (``act_bits`` rows per activation), plus accumulators.  All columns of a
subarray execute the same row operation, so they share one weight at a time: a subarray
works on one output channel k at a time for up to ``cols`` output pixels, and a zero weight
is skipped by the whole subarray at once.

A *work unit* is what one subarray does without help.  The data mapping fixes what a unit is:

- weight-stationary: (k, chunk); the unit streams every pixel tile through its weights.
- input-stationary: (pixel tile, chunk); every output channel visits the resident tile,
  one accumulator, read out after each channel.
- output-stationary: (pixel tile, k); the accumulator stays while every chunk is loaded.
- combined-stationary: (pixel tile, k-group, reduction part); for each chunk of its part
  the unit loads the activations once and updates the resident accumulators of every
  channel in its group.

The search (one for every design)
---------------------------------
:func:`map_candidates` ranks the data mappings and tilings by an estimate of the spec's
``mapping_objective`` (latency in cycles, energy in pJ, or their product), trying every data
mapping unless one is pinned (by the spec's ``data_mapping``, or per layer by the caller of
:func:`hwsim.sim.imc.network.simulate_network`), and for each:

- the chunk length L from a fixed ladder (1, 2, 4, then x1.5 and x2 of every power of two
  from 8, and the reduction split in 1..8), wherever it fits the rows with its
  accumulators: a mapping may use fewer rows than a subarray has;
- combined-stationary also the number of reduction parts and of channel groups (ladders
  1..8, then x1.5 and x2 per octave), each accumulator as wide as the sum of its part;
- pixel tiles: as few as the columns allow, the pixels spread evenly over them (a tile
  may use fewer columns than a subarray has);
- subarrays: :func:`deal_units` deals the counted work units longest first over every
  subarray there is work for.

The estimate counts, per candidate, the expected non-zero weights (``density``), the running
accumulator widths (:func:`hwsim.sim.blocks.ternary_adder.bit_step_table`), the scan time of
chunks with too few non-zeros, the rounds of units per subarray and the expected spread of
the busiest one, the partial-sum transfer and the in-memory reduction of parts, and prices
them with ``hwsim.cost``'s table.  Its error is a few per cent (up to 15 % on small layers),
so the engine counts every candidate within :data:`EXACT_BAND` of the best exactly from the
weight tensor (as many as take about as long as counting :data:`EXACT_WEIGHTS` weights; 3 to
16) and keeps the best by the same objective (:func:`best_counted`; it skips a candidate
whose exact floor already loses, which changes nothing).  Layers of equal shape and equal
density (to 0.01) share one search through ``memo``.

More hardware
-------------
The ladders do not depend on the spec, so offering more rows or columns only adds
candidates (equal estimates go to the fewest rows, so the choice moves only for a better
one); more subarrays, scan rate or bus width only lower each candidate's estimate and each
fixed tiling's count.  The estimated objective of the choice therefore never rises when a
resource grows; the counted result follows it up to the estimate's misranking of tilings it
does not count (under 1 % per layer in tests/test_imc_monotone.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping, MutableMapping, Sequence

import numpy as np

from hwsim.cost.imc import energy_table_pj
from hwsim.cost.pricing import price_counts
from hwsim.errors import MappingError
from hwsim.sim.blocks.ternary_adder import addition_cycles, bit_step_table, carry_init_cycles
from hwsim.spec.enums import MICRO_OP_ACTION, DataMapping, MicroOp
from hwsim.spec.imc import ImcSpec
from hwsim.workload.layers import Layer

PINNED = "pinned"
SEARCHED = "searched"
EXACT_BAND = 1.15
"""The engine counts exactly the tilings the estimate puts within this factor of the best
(its error is a few per cent on large layers, up to 15 % on small ones) ..."""
EXACT_WEIGHTS = 1 << 20
"""... as many as take about as long as counting this many weights once (3 to 16)."""
_ORDER = (DataMapping.WEIGHT_STATIONARY, DataMapping.INPUT_STATIONARY, DataMapping.OUTPUT_STATIONARY,
          DataMapping.COMBINED_STATIONARY)


def signed_bits(max_abs: int) -> int:
    """Bits of a two's-complement integer that holds every value in [-max_abs, max_abs]."""
    return int(max_abs).bit_length() + 1


def _signed_bits(max_abs: np.ndarray) -> np.ndarray:
    """:func:`signed_bits` of each (integer-valued, >= 1) element."""
    return np.frexp(np.asarray(max_abs, dtype=np.float64))[1].astype(np.int64) + 1


@dataclass(frozen=True)
class ImcMapping:
    """How one weighted layer (one group of it) is tiled onto the subarrays.

    Attributes
    ----------
    data_mapping, source
        What a work unit is; ``"pinned"`` (by the spec or the caller) or ``"searched"``.
    chunk_len
        Activations per column per chunk; the last chunk may be shorter.
    n_chunks
        Chunks the reduction C*R*S is split into.
    pixel_tiles, tile_cols
        Groups of output pixels and the columns each uses (the last group may use fewer).
    k_groups, k_per_group
        Output-channel groups (combined-stationary; else 1 and K).
    parts, chunks_per_part
        Reduction parts computed in different subarrays and summed afterwards.
    add_bits
        Width of the in-memory accumulation, set by the longest sum a unit accumulates.
    out_bits
        Width of the final sum of the whole reduction.
    rows_used
        Rows of a subarray the mapping occupies (activations, accumulators, carry row).
    estimated_cycles, estimated_energy_pj
        What the search expected of the layer with this tiling (the engine counts it exactly).
    """

    data_mapping: DataMapping
    source: str
    chunk_len: int
    n_chunks: int
    pixel_tiles: int
    tile_cols: int
    k_groups: int
    k_per_group: int
    parts: int
    chunks_per_part: int
    add_bits: int
    out_bits: int
    rows_used: int
    estimated_cycles: float = 0.0
    estimated_energy_pj: float = 0.0

    def describe(self) -> str:
        text = (f"{self.data_mapping.value} ({self.source}): {self.pixel_tiles} px-tiles of {self.tile_cols} cols x "
                f"{self.n_chunks} chunks of {self.chunk_len}")
        if self.data_mapping is DataMapping.COMBINED_STATIONARY:
            text += f", {self.k_groups} k-groups of {self.k_per_group}, {self.parts} parts"
        return text + f", {self.add_bits}-b adds, {self.rows_used} rows"


@dataclass(frozen=True)
class NetworkTilings:
    """The tiling of every weighted layer of one network on one IMC arch (a mapping file's)."""

    model: str
    arch: str
    tilings: Mapping[str, ImcMapping]


def map_candidates(
    layer: Layer,
    spec: ImcSpec,
    density: float = 1.0,
    *,
    data_mapping: DataMapping | None = None,
    memo: MutableMapping[tuple, tuple[ImcMapping, ...]] | None = None,
) -> tuple[ImcMapping, ...]:
    """The best tilings of ``layer`` on ``spec`` by the estimate, best first (at most
    :data:`EXACT_BAND`, :data:`EXACT_WEIGHTS`); the engine counts each exactly and keeps the best
    (:func:`best_counted`).

    Parameters
    ----------
    density
        Measured fraction of non-zero weights; with zero skipping the estimate expects
        that many additions.  Rounded to 0.01.
    data_mapping
        Pins the data mapping (the tiling is still searched); else the spec's pin, if any.
    memo
        Results of earlier searches on the same ``spec``; layers of equal shape and density
        reuse them.

    Raises
    ------
    MappingError
        No tiling fits one activation and its accumulator into ``subarray.rows``.
    """
    pinned = data_mapping or spec.data_mapping
    mappings = (pinned,) if pinned is not None else _ORDER
    density = round(float(density), 2) if spec.skip_unit.zero_skip else 1.0
    key = (layer.output_pixels, layer.K, layer.reduction, layer.G, layer.act_bits, density, mappings)
    if memo is not None and key in memo:
        return memo[key]
    found = _search(layer, spec, density, mappings, PINNED if pinned is not None else SEARCHED)
    if memo is not None:
        memo[key] = found
    return found


def map_layer(layer: Layer, spec: ImcSpec, density: float = 1.0, *,
              data_mapping: DataMapping | None = None) -> ImcMapping:
    """The tiling of ``layer`` on ``spec`` the estimate ranks first (see :func:`map_candidates`)."""
    return map_candidates(layer, spec, density, data_mapping=data_mapping)[0]


def tiling_of(layer: Layer, spec: ImcSpec, data_mapping: DataMapping, chunk_len: int, chunks_per_part: int,
              k_per_group: int, *, source: str = PINNED, estimated_cycles: float = 0.0,
              estimated_energy_pj: float = 0.0) -> ImcMapping:
    """The tiling of ``layer`` (one group) that these free choices make, every other field derived
    as the search derives it; checked against the layer and ``spec`` (:func:`check_tiling`).

    Weight- and input-stationary units take one chunk (``chunks_per_part`` 1) for every output
    channel (``k_per_group`` K); output-stationary ones all chunks in one part.
    """
    pixels, k, red, act_bits = layer.output_pixels, layer.K, layer.reduction, layer.act_bits
    act_max = (1 << act_bits) - 1
    for what, value, low, high in (("chunk_len", chunk_len, 1, red), ("chunks_per_part", chunks_per_part, 1, red),
                                   ("k_per_group", k_per_group, 1, k)):
        if not isinstance(value, int) or not low <= value <= high:
            raise MappingError(f"layer '{layer.name}': {what} = {value!r} must be an integer in [{low}, {high}]")
    n_chunks = -(-red // chunk_len)
    out_bits = signed_bits(red * act_max)
    if data_mapping in (DataMapping.WEIGHT_STATIONARY, DataMapping.INPUT_STATIONARY):
        chunks_per_part, k_per_group = 1, k
    elif data_mapping is DataMapping.OUTPUT_STATIONARY:
        chunks_per_part, k_per_group = n_chunks, k
    chunks_per_part = min(chunks_per_part, n_chunks)
    parts = -(-n_chunks // chunks_per_part)
    if data_mapping is DataMapping.OUTPUT_STATIONARY:
        add_bits, accumulators = out_bits, 1
    else:
        add_bits = signed_bits(min(red, chunks_per_part * chunk_len) * act_max)
        accumulators = k_per_group if data_mapping is DataMapping.COMBINED_STATIONARY else 1
    tiles = -(-pixels // spec.subarray.cols)
    tile_cols = -(-pixels // tiles)
    tiling = ImcMapping(
        data_mapping=data_mapping, source=source, chunk_len=chunk_len, n_chunks=n_chunks, pixel_tiles=tiles,
        tile_cols=tile_cols, k_groups=-(-k // k_per_group),
        k_per_group=k_per_group, parts=parts, chunks_per_part=chunks_per_part, add_bits=add_bits, out_bits=out_bits,
        rows_used=chunk_len * act_bits + accumulators * add_bits + spec.sense_amp.carry_rows,
        estimated_cycles=estimated_cycles, estimated_energy_pj=estimated_energy_pj,
    )
    return check_tiling(layer, spec, tiling)


def check_tiling(layer: Layer, spec: ImcSpec, tiling: ImcMapping) -> ImcMapping:
    """``tiling`` if it tiles ``layer`` (one group) and fits ``spec``, else a MappingError naming the misfit."""
    act_max = (1 << layer.act_bits) - 1
    expected = {
        "chunks": (tiling.n_chunks, -(-layer.reduction // tiling.chunk_len)),
        "pixel tiles": (tiling.pixel_tiles, -(-layer.output_pixels // tiling.tile_cols)),
        "k-groups": (tiling.k_groups, -(-layer.K // tiling.k_per_group)),
        "out_bits": (tiling.out_bits, signed_bits(layer.reduction * act_max)),
    }
    for what, (given, needed) in expected.items():
        if given != needed:
            raise MappingError(f"layer '{layer.name}': the tiling gives {given} {what}, the layer needs {needed}")
    for what, used, offered in (("subarray.rows", tiling.rows_used, spec.subarray.rows),
                                ("subarray.cols", tiling.tile_cols, spec.subarray.cols)):
        if used > offered:
            raise MappingError(f"layer '{layer.name}': the tiling uses {used} of {what} = {offered}")
    return tiling


def deal_units(unit_cycles: np.ndarray, subarrays: int, copies: int = 1) -> tuple[int, np.ndarray]:
    """Assign work units to subarrays so that the busiest finishes early; the weights are
    known when the layer is compiled, so the schedule can weigh every unit's exact cycles.

    Units are sorted longest first and dealt in rounds over every subarray there is work for,
    every other round in reverse order (a long unit shares its subarray with short ones).
    More subarrays never make the busiest one busier: with s + 1 of them, subarray j < s
    receives in every round a unit at a later place in the sorted order than with s (so no
    longer), and subarray s no longer a unit than subarray s - 1 did with s.

    ``copies``: every unit is dealt that many times (one per pixel tile); sorting the units once
    and repeating each in place gives the order of sorting all copies.

    Returns
    -------
    (subarrays used, busy cycles of each of them)
    """
    units = np.sort(np.asarray(unit_cycles, dtype=np.int64).ravel())[::-1]
    if copies > 1:
        units = np.repeat(units, copies)
    n = units.size
    if n == 0:
        return 1, np.zeros(1, dtype=np.int64)
    used = min(n, subarrays)
    rounds = -(-n // used)
    table = np.zeros((rounds, used), dtype=np.int64)
    table.ravel()[:n] = units
    table[1::2] = table[1::2, ::-1]
    return used, table.sum(axis=0)


def deal_busiest(unit_cycles: np.ndarray, subarrays: int, copies: int = 1) -> tuple[int, int, int]:
    """What :func:`deal_units` leaves: (subarrays used, the busiest one's cycles, all their cycles).

    When every copy of every unit gets a subarray of its own, the busiest runs the longest unit
    and no order needs sorting.
    """
    units = np.asarray(unit_cycles, dtype=np.int64).ravel()
    if 0 < units.size * copies <= subarrays:
        return units.size * copies, int(units.max()), int(units.sum()) * copies
    used, busy = deal_units(units, subarrays, copies)
    return used, int(busy.max()), int(busy.sum())


@lru_cache(maxsize=256)
def _ladder(top: int) -> np.ndarray:
    """1..8, then x1.5 and x2 of every power of two from 8, up to ``top``; and ``top`` (read-only)."""
    values = set(range(1, min(8, top) + 1))
    step = 8
    while step < top:
        values.update((step * 3 // 2, step * 2))
        step *= 2
    values = {v for v in values if v <= top}
    values.add(top)
    return _read_only(np.array(sorted(values), dtype=np.int64))


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@lru_cache(maxsize=256)
def _chunk_lengths(reduction: int) -> np.ndarray:
    """1, 2, 4, then x1.5 and x2 of every power of two from 8; and the reduction in 1..8 chunks
    (read-only).

    (Lengths of 1, 2, 4 and 8 weights are counted a byte of flags at a time.)
    """
    values = {1, 2, 4}
    step = 8
    while step < reduction:
        values.update((step, step * 3 // 2))
        step *= 2
    values.update(-(-reduction // parts) for parts in range(1, 9))
    return _read_only(np.array(sorted(v for v in values if v <= reduction), dtype=np.int64))


@lru_cache(maxsize=256)
def _fitting_lengths(red: int, act_bits: int, carry_rows: int, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The chunk lengths (:func:`_chunk_lengths`) whose chunk fits ``rows`` with one accumulator
    (else the shortest), their chunk counts and last chunks' lengths (read-only)."""
    length = _chunk_lengths(red)
    smallest = length * act_bits + _signed_bits(length * ((1 << act_bits) - 1)) + carry_rows
    length = length[smallest <= rows] if (smallest <= rows).any() else length[:1]
    n_chunks = -(-red // length)
    return _read_only(length), _read_only(n_chunks), _read_only(red - (n_chunks - 1) * length)


@lru_cache(maxsize=256)
def _combined_parts(red: int, act_bits: int, carry_rows: int, rows: int) -> tuple[np.ndarray, ...]:
    """Combined-stationary (chunk length, chunks per part) pairs: the parts ladder per fitting
    chunk length, without repeats; as columns: the length's index, chunks per part, length,
    parts, part length, last part's length, accumulator bits (read-only)."""
    length, n_chunks, _ = _fitting_lengths(red, act_bits, carry_rows, rows)
    # per chunk length, the distinct chunks per part ceil(n / parts) in increasing order: with
    # the parts ladder reversed they do not decrease, so repeats are neighbours
    ladder = _ladder(int(n_chunks.max()))[::-1]
    fits = ladder[None, :] <= n_chunks[:, None]
    index, cpp = np.nonzero(fits)
    cpp = -(-n_chunks[index] // ladder[cpp])
    new = np.ones(cpp.size, dtype=bool)
    new[1:] = (cpp[1:] != cpp[:-1]) | (index[1:] != index[:-1])
    index, cpp = index[new][:, None], cpp[new][:, None]
    cl, nc = length[index], n_chunks[index]
    parts = -(-nc // cpp)
    part_len = np.minimum(red, cpp * cl)
    last_part = red - (parts - 1) * part_len
    acc = _signed_bits(part_len * ((1 << act_bits) - 1))
    return tuple(_read_only(a) for a in (index, cpp, cl, parts, part_len, last_part, acc))


@dataclass(frozen=True, eq=False)  # one object per size (cached): hashed by identity
class _CombinedFit:
    """The combined-stationary (pair, channel group) candidates that fit the rows, row-major
    over (:func:`_combined_parts` pairs x :func:`_channel_groups` groups), flat (read-only)."""

    count: int
    fewest_rows: int
    pair: np.ndarray
    cand_len: np.ndarray
    cpp: np.ndarray
    group: np.ndarray
    sqrt_group: np.ndarray
    k_groups: np.ndarray
    parts: np.ndarray
    acc: np.ndarray
    rows_used: np.ndarray


@lru_cache(maxsize=256)
def _combined_fit(red: int, act_bits: int, carry_rows: int, rows: int, k: int) -> _CombinedFit:
    _, cpp, cl, parts, _, _, acc = _combined_parts(red, act_bits, carry_rows, rows)
    group, k_groups = _channel_groups(k)
    rows_used = cl * act_bits + group * acc + carry_rows
    pair, column = np.nonzero(rows_used <= rows)
    sqrt_group = np.sqrt(group)
    flat = (pair, cl[pair, 0], cpp[pair, 0], group[0, column], sqrt_group[0, column], k_groups[0, column],
            parts[pair, 0], acc[pair, 0], rows_used[pair, column])
    return _CombinedFit(int(pair.size), int(rows_used.min()), *(_read_only(x) for x in flat))


@lru_cache(maxsize=256)
def _combined_units(fit: _CombinedFit, units_per_group: int, subarrays: int) -> tuple[np.ndarray, ...]:
    """The fitting candidates' work units (``units_per_group`` per channel group and part), their
    rounds over ``subarrays`` and the expected largest deviation among them (read-only)."""
    n_units = units_per_group * fit.k_groups * fit.parts
    return tuple(_read_only(x) for x in (n_units, -(-n_units // subarrays), _expected_max_normal(n_units)))


@lru_cache(maxsize=256)
def _channel_groups(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Channels per group (the ladder's group counts) and the group counts they make, as a row (read-only)."""
    group = -(-k // _ladder(k))[None, :]
    return _read_only(group), _read_only(-(-k // group))


@lru_cache(maxsize=64)
def _float_steps(reduction: int, act_max: int) -> tuple[np.ndarray, np.ndarray]:
    """Operand counts 0 .. ``reduction`` and their bit steps (:func:`bit_step_table`), as floats
    for interpolation (read-only)."""
    return (_read_only(np.arange(reduction + 1, dtype=np.float64)),
            _read_only(bit_step_table(reduction, act_max).astype(np.float64)))


@lru_cache(maxsize=64)  # a frozen spec hashes by value: a network's searches share one table
def _prices_pj(spec: ImcSpec) -> dict[str, float]:
    """Energies of the actions the estimate weighs, from ``hwsim.cost``'s table for ``spec``
    (shared: do not modify)."""
    table = energy_table_pj(spec)
    link = table["interconnect.transfer"]
    return {
        "load": table["subarray.row_write"] + link,
        "unload": table["subarray.row_read"] + link,
        "bit": sum(table[MICRO_OP_ACTION[m.op]] for m in spec.sense_amp.micro_ops),
        "carry_init": table[MICRO_OP_ACTION[MicroOp.WRITE_CARRY]] if spec.sense_amp.carry_rows else 0.0,
        "weight": 2 * table["weight_buffer.read"],
        "scan": table["skip_unit.scan"],
    }


def _scan_excess(lens: np.ndarray, scan: np.ndarray, density: float, first_op_cycles: int) -> np.ndarray:
    """Expected cycles a chunk waits for the scanner beyond its additions.

    A chunk of ``len`` weights with o ~ Binomial(len, density) non-zeros takes
    max(adder, scan); the adder needs at least o * ``first_op_cycles``.
    """
    lens = lens.astype(np.float64)
    scan = scan.astype(np.float64)
    if density >= 1.0:
        return np.maximum(0.0, scan - lens * first_op_cycles)
    if density <= 0.0:
        return scan
    top = min(int((scan.max() - 1) // first_op_cycles), 64)
    p = (1.0 - density) ** lens
    out = p * scan
    odds = density / (1.0 - density)
    for o in range(1, top + 1):
        p = p * np.maximum(lens - o + 1, 0) / o * odds
        out += p * np.maximum(0.0, scan - o * first_op_cycles)
    return out


def _expected_max_normal(count: np.ndarray) -> np.ndarray:
    """Expected largest of ``count`` independent standard normal draws (0 for one draw).

    The extreme-value approximation sqrt(2 ln n) - (ln ln n + ln 4 pi) / (2 sqrt(2 ln n)),
    clipped at 0.
    """
    n = np.maximum(np.asarray(count, dtype=np.float64), 2.0)
    a = np.sqrt(2.0 * np.log(n))
    return np.where(np.asarray(count) > 1, np.maximum(0.0, a - (np.log(np.log(n)) + np.log(4 * np.pi)) / (2 * a)), 0.0)


def _search(layer: Layer, spec: ImcSpec, density: float, mappings: Iterable[DataMapping],
            source: str, limit: int | None = None) -> tuple[ImcMapping, ...]:
    """Estimate every candidate tiling of the allowed data mappings; return the best few."""
    pixels, k, red, groups, act_bits = layer.output_pixels, layer.K, layer.reduction, layer.G, layer.act_bits
    act_max = (1 << act_bits) - 1
    out_bits = signed_bits(red * act_max)
    sub, sa = spec.subarray, spec.sense_amp
    n_sub, cols, rows, carry_rows = spec.subarrays, sub.cols, sub.rows, sa.carry_rows
    step, init = spec.bit_step_cycles, carry_init_cycles(sa)
    tiles = -(-pixels // cols)
    positions, table = _float_steps(red, act_max)

    def steps(operands: np.ndarray) -> np.ndarray:  # bit positions of a sum of that many operands
        return np.interp(operands, positions, table)

    def adder(operands: np.ndarray) -> np.ndarray:
        return step * steps(operands) + init * operands

    def spread(weights_in: np.ndarray) -> np.ndarray:  # std of the adder cycles over that many weights
        mean = density * weights_in
        per_op = step * np.where(mean > 0, steps(mean) / np.maximum(mean, 1e-9), act_bits + 1) + init
        return per_op * np.sqrt(weights_in * density * (1.0 - density))

    prices = _prices_pj(spec)
    first_op = addition_cycles(sa, act_bits + 1)
    wpc = spec.skip_unit.weights_per_cycle
    length, n_chunks, last = _fitting_lengths(red, act_bits, carry_rows, rows)
    load = length * act_bits * sub.row_write_cycles
    excess = _scan_excess(length, -(-length // wpc), density, first_op)
    excess_last = _scan_excess(last, -(-last // wpc), density, first_op)
    chunk_acc = _signed_bits(length * act_max)
    chunk_item = adder(density * length) + excess
    chunk_steps = (n_chunks - 1) * steps(density * length) + steps(density * last)
    outputs = groups * pixels * k
    weights = groups * k * red
    per_weight = weights * tiles * prices["scan"] + outputs * density * red * prices["carry_init"]

    rows_cands: list[np.ndarray] = []
    columns: dict[str, list[np.ndarray]] = {name: [] for name in ("map", "L", "cpp", "g", "lat", "energy", "rows")}

    def estimate(mapping: DataMapping, count: int, cand_len, cpp, group, unit, unit_std, n_units, parts, acc, loads,
                 weight_reads, row_steps, rows_used, rounds, max_deviation, keep: np.ndarray | None = None) -> None:
        """Estimate the candidates (arrays that broadcast, or numbers shared by all) and keep the
        ``count`` fitting ones: where ``keep`` is set, else all (then flat already)."""
        # the busiest subarray: its rounds of units and about one unit's spread (long units meet
        # short ones), at least the longest unit (the largest deviation of all the units)
        compute = np.maximum(rounds * unit + np.where(rounds > 1, unit_std, 0.0), unit + max_deviation * unit_std)
        bus = np.ceil(outputs * parts * acc / (spec.interconnect.width_bits * spec.banks))
        reduce = np.where(parts > 1, np.ceil(outputs * (parts - 1) / (n_sub * cols)) * addition_cycles(sa, out_bits), 0)
        latency = np.maximum(compute, bus) + reduce
        energy = (groups * pixels * red * act_bits * loads * prices["load"]
                  + outputs * parts * acc * prices["unload"]
                  + outputs * (row_steps * prices["bit"] + (parts - 1) * (out_bits * prices["bit"] + prices["carry_init"]))
                  + weights * weight_reads * prices["weight"] + per_weight)
        for name, value in (("map", _ORDER.index(mapping)), ("L", cand_len), ("cpp", cpp),
                            ("g", group), ("lat", latency), ("energy", energy), ("rows", rows_used)):
            if np.ndim(value) == 0:
                value = np.full(count, value)
            elif keep is not None:
                value = (value if np.shape(value) == keep.shape else np.broadcast_to(value, keep.shape))[keep]
            columns[name].append(value)

    def add(mapping: DataMapping, cand_len, cpp, group, unit, unit_std, n_units, parts, acc, loads, weight_reads,
            row_steps, rows_used) -> None:
        shape = np.broadcast_shapes(*(np.shape(x) for x in (cand_len, cpp, group, unit, n_units, parts, acc)))
        ok = np.broadcast_to(rows_used, shape) <= rows
        if not ok.any():
            rows_cands.append(np.min(rows_used))
            return
        # every candidate is estimated (element by element, as the fitting ones alone would be)
        # and the fitting ones kept
        estimate(mapping, int(np.count_nonzero(ok)), cand_len, cpp, group, unit, unit_std, n_units, parts, acc, loads,
                 weight_reads, row_steps, rows_used, -(-n_units // n_sub), _expected_max_normal(n_units), keep=ok)

    for mapping in mappings:
        if mapping is DataMapping.WEIGHT_STATIONARY:
            add(mapping, length, 1, k, tiles * (load + chunk_item + chunk_acc * sub.row_read_cycles),
                tiles * spread(length), groups * k * n_chunks, n_chunks, chunk_acc, k, 1, chunk_steps,
                length * act_bits + chunk_acc + carry_rows)
        elif mapping is DataMapping.INPUT_STATIONARY:
            add(mapping, length, 1, k, load + k * (chunk_item + chunk_acc * sub.row_read_cycles),
                np.sqrt(k) * spread(length), groups * tiles * n_chunks, n_chunks, chunk_acc, 1, tiles, chunk_steps,
                length * act_bits + chunk_acc + carry_rows)
        elif mapping is DataMapping.OUTPUT_STATIONARY:
            unit = (red * act_bits * sub.row_write_cycles + adder(np.float64(density * red))
                    + (n_chunks - 1) * excess + excess_last + out_bits * sub.row_read_cycles)
            add(mapping, length, n_chunks, k, unit, spread(np.float64(red)), groups * tiles * k, 1, out_bits, k, tiles,
                steps(np.float64(density * red)), length * act_bits + out_bits + carry_rows)
        else:
            index, cpp, cl, parts, part_len, last_part, acc = _combined_parts(red, act_bits, carry_rows, rows)
            fit = _combined_fit(red, act_bits, carry_rows, rows, k)
            if fit.count == 0:
                rows_cands.append(fit.fewest_rows)
                continue
            pair = fit.pair
            by_pair = (cpp * load[index], adder(density * part_len) + cpp * excess[index], spread(part_len),
                       (parts - 1) * steps(density * part_len) + steps(density * last_part))
            per_part, item, part_spread, row_steps = (np.ravel(x)[pair] for x in by_pair)
            n_units, rounds, max_deviation = _combined_units(fit, groups * tiles, n_sub)
            # each candidate's unit, as (pairs x groups) grids would give it element by element
            estimate(mapping, fit.count, fit.cand_len, fit.cpp, fit.group,
                     per_part + fit.group * (item + fit.acc * sub.row_read_cycles), fit.sqrt_group * part_spread,
                     n_units, fit.parts, fit.acc, fit.k_groups, tiles, row_steps, fit.rows_used, rounds, max_deviation)

    if not columns["lat"]:
        accumulator = int(min(rows_cands)) - act_bits - carry_rows
        raise MappingError(
            f"layer '{layer.name}': subarray.rows = {rows} leaves no room for one {act_bits}-bit activation "
            f"next to a {accumulator}-bit accumulator"
        )
    flat = {name: np.concatenate([np.ravel(v) for v in values]) for name, values in columns.items()}
    cost = spec.mapping_objective.cost(flat["lat"], flat["energy"])
    # equal estimates (to 9 digits): the fewest rows, then the fewest chunks, then the mapping
    # order; so offering more rows changes the choice only for a better estimate
    cost = np.round(cost / max(float(cost.min()), 1e-300), 9)
    # only candidates within the band are taken (the best always is): sort those alone
    near = np.flatnonzero(cost <= EXACT_BAND) if np.isfinite(cost).all() else np.arange(cost.size)
    order = near[np.lexsort((flat["map"][near], -(flat["L"][near]), flat["rows"][near], cost[near]))]
    if limit is None:
        limit = min(max(EXACT_WEIGHTS // max(1, groups * k * red), 3), 16)
    found: dict[tuple[int, int, int], ImcMapping] = {}
    # the candidates in order as Python numbers (the same values, read one at a time)
    ranked = zip(*(flat[name][order].tolist() for name in ("map", "L", "cpp", "g", "lat", "energy")),
                 cost[order].tolist())
    for map_index, cand_len, cpp, group, latency, energy, relative in ranked:
        if relative > EXACT_BAND and found:  # costs are relative to the best
            break
        # the best chunk length of each (data mapping, parts, channels per group): the others
        # behave alike, and the engine's exact count should choose between different tilings
        n = -(-red // cand_len)
        parts = -(-n // cpp)
        key = (map_index, parts, group)
        if key in found:
            continue
        found[key] = tiling_of(layer, spec, _ORDER[map_index], cand_len, cpp, group, source=source,
                               estimated_cycles=latency, estimated_energy_pj=energy)
        if len(found) == limit:
            break
    return tuple(found.values())


def best_counted(cycles: Sequence[int], counts: Sequence[Mapping[str, float]], spec: ImcSpec) -> int:
    """Which of the counted candidates is best for the spec's objective (the first of equals).

    ``cycles`` and ``counts`` are the engine's exact numbers for the candidates of
    :func:`map_candidates`, in their order; energy is priced with ``hwsim.cost``'s table.
    """
    table = energy_table_pj(spec)
    cost = [tiling_cost(cyc, c, spec, table) for cyc, c in zip(cycles, counts)]
    return min(range(len(cost)), key=lambda i: (cost[i], i))


def tiling_cost(cycles: int, counts: Mapping[str, float], spec: ImcSpec,
                table_pj: Mapping[str, float] | None = None) -> float:
    """The spec's objective of one counted tiling, its energy priced with ``hwsim.cost``'s table."""
    table = energy_table_pj(spec) if table_pj is None else table_pj
    if not table.keys() >= counts.keys():
        price_counts(counts, table)  # names the unpriced action
    # price_counts' sum, in its order (by action name, zero counts left out), without its dict
    energy = sum(float(n) * table[key] for key, n in sorted(counts.items()) if n)
    return float(spec.mapping_objective.cost(cycles, energy))
