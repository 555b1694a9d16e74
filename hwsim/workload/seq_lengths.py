"""Sequence lengths of a Transformer workload: a list, a CSV file, or a seeded distribution.

A batch of real lengths is what makes padding costly, so a workload carries one length per
sequence (``numpy`` int64, read-only).  Three ways to give them:

- a YAML list of integers: exactly those sequences;
- a CSV file (``#`` comment lines allowed) with a header row, either ``length`` alone (one sequence per row, used as is)
  or ``length,count`` (a histogram: ``num_sequences`` lengths drawn with weights ``count``);
- a parametric distribution (``normal``, ``lognormal``, ``uniform``) with its parameters,
  drawn with the workload's seed and rounded, then clipped to ``[min, max]``.

Every length must lie in ``[1, max_len]``; errors name the file, row or key and the value.
"""

from __future__ import annotations

import csv
import math
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np

from hwsim.errors import WorkloadError
from hwsim.input_files import read_text
from hwsim.limits import MAX_TEXT_BYTES


class LengthDistribution(str, Enum):
    """Parametric length distributions (drawn with ``numpy.random.default_rng(seed)``)."""

    NORMAL = "normal"        # mean, std
    LOGNORMAL = "lognormal"  # mean, std of the underlying normal (of log length)
    UNIFORM = "uniform"      # min, max inclusive


_PARAMS = {
    LengthDistribution.NORMAL: ("mean", "std"),
    LengthDistribution.LOGNORMAL: ("mean", "std"),
    LengthDistribution.UNIFORM: (),
}


def resolve_lengths(
    value: Any, *, num_sequences: int | None, seed: int, max_len: int, base_dir: Path, origin: str
) -> tuple[np.ndarray, str]:
    """The lengths described by ``value`` (YAML list, CSV path or distribution mapping).

    Parameters
    ----------
    value
        The ``workload.seq_lengths`` entry.
    num_sequences
        How many lengths to draw from a histogram or distribution (required for those); a
        list or a ``length`` file gives exactly its own sequences and ignores it.
    seed
        Seed of the draw.
    max_len
        The model's longest allowed sequence.
    base_dir
        Directory against which a relative CSV path is tried after the working directory.
    origin
        The model file, for messages.

    Returns
    -------
    (lengths, description)
        Read-only int64 array (one entry per sequence) and a short text of where it came from.
    """
    where = f"{origin}: workload.seq_lengths"
    if isinstance(value, bool) or value is None:
        raise WorkloadError(f"{where} = {value!r}: expected a list of lengths, a CSV file or a distribution")
    if isinstance(value, int):
        value = [value]
    if isinstance(value, list):
        lengths = _checked_list(value, where, max_len)
        return _finish(lengths, f"list of {len(lengths)}")
    if isinstance(value, str):
        path = _find_file(value, base_dir, where)
        lengths, weights = read_length_csv(path, max_len)
        if weights is None:
            return _finish(lengths, f"{path.name} ({len(lengths)} lengths)")
        count = _need_count(num_sequences, where)
        rng = np.random.default_rng(seed)
        drawn = rng.choice(lengths, size=count, p=weights / weights.sum())
        return _finish(drawn, f"histogram {path.name}, {count} drawn, seed {seed}")
    if isinstance(value, dict):
        return _parametric(value, num_sequences, seed, max_len, where)
    raise WorkloadError(f"{where} = {value!r}: expected a list of lengths, a CSV file or a distribution")


def read_length_csv(path: Path, max_len: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Read a ``length`` or ``length,count`` CSV; counts are None for a plain length list."""
    text = read_text(path, max_bytes=MAX_TEXT_BYTES, what="length CSV", error=WorkloadError)
    # Lines starting with '#' say where the lengths come from; blank lines are ignored.
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    rows = [row for row in csv.reader(lines) if row and any(cell.strip() for cell in row)]
    if not rows:
        raise WorkloadError(f"{path}: empty length file (expected a header 'length' or 'length,count')")
    header = [cell.strip().lower() for cell in rows[0]]
    if header not in (["length"], ["length", "count"]):
        raise WorkloadError(f"{path}: header {','.join(rows[0])!r}: expected 'length' or 'length,count'")
    if len(rows) == 1:
        raise WorkloadError(f"{path}: no lengths after the header")
    lengths: list[int] = []
    counts: list[float] = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise WorkloadError(f"{path}: row {number} has {len(row)} fields, the header has {len(header)}")
        lengths.append(_parse_length(row[0], f"{path}: row {number}", max_len))
        if len(header) == 2:
            try:
                count = float(row[1])
            except ValueError:
                raise WorkloadError(f"{path}: row {number}: count {row[1].strip()!r} is not a number") from None
            if not np.isfinite(count) or count < 0:
                raise WorkloadError(f"{path}: row {number}: count {row[1].strip()!r} must be >= 0")
            counts.append(count)
    if len(header) == 1:
        return np.asarray(lengths, dtype=np.int64), None
    weights = np.asarray(counts, dtype=np.float64)
    if weights.sum() <= 0:
        raise WorkloadError(f"{path}: all counts are zero")
    return np.asarray(lengths, dtype=np.int64), weights


def _parse_length(text: str, where: str, max_len: int) -> int:
    try:
        length = int(text.strip())
    except ValueError:
        raise WorkloadError(f"{where}: length {text.strip()!r} is not an integer") from None
    if not 1 <= length <= max_len:
        raise WorkloadError(f"{where}: length {length} must be in [1, {max_len}] (the model's max_len)")
    return length


def _checked_list(values: list, where: str, max_len: int) -> np.ndarray:
    if not values:
        raise WorkloadError(f"{where}: the list of lengths is empty")
    out = []
    for index, item in enumerate(values):
        if isinstance(item, bool) or not isinstance(item, int):
            raise WorkloadError(f"{where}[{index}] = {item!r}: expected an integer length")
        if not 1 <= item <= max_len:
            raise WorkloadError(f"{where}[{index}] = {item}: a length must be in [1, {max_len}] (the model's max_len)")
        out.append(item)
    return np.asarray(out, dtype=np.int64)


def _parametric(value: dict, num_sequences: int | None, seed: int, max_len: int, where: str):
    raw = value.get("distribution")
    try:
        kind = LengthDistribution(raw)
    except ValueError:
        choices = ", ".join(d.value for d in LengthDistribution)
        raise WorkloadError(f"{where}.distribution = {raw!r}: expected one of {choices}") from None
    allowed = {"distribution", "min", "max", *_PARAMS[kind]}
    for key in value:
        if key not in allowed:
            raise WorkloadError(f"{where}: unknown key '{key}' for a {kind.value} distribution")
    numbers = {}
    for key in allowed - {"distribution"}:
        item = value.get(key, {"min": 1, "max": max_len}.get(key))
        if item is None:
            raise WorkloadError(f"{where}: a {kind.value} distribution needs '{key}'")
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            raise WorkloadError(f"{where}.{key} = {item!r}: expected a number")
        if not math.isfinite(item) or abs(item) > 1e12:
            raise WorkloadError(f"{where}.{key} = {item!r}: expected a finite number of at most 1e12")
        numbers[key] = float(item)
    low, high = int(numbers["min"]), int(numbers["max"])
    if not 1 <= low <= high <= max_len:
        raise WorkloadError(f"{where}: min = {low}, max = {high} must satisfy 1 <= min <= max <= {max_len}")
    if numbers.get("std", 0.0) < 0:
        raise WorkloadError(f"{where}.std = {numbers['std']}: must be >= 0")
    count = _need_count(num_sequences, where)
    rng = np.random.default_rng(seed)
    if kind is LengthDistribution.UNIFORM:
        drawn = rng.integers(low, high + 1, size=count)
    elif kind is LengthDistribution.NORMAL:
        drawn = np.rint(rng.normal(numbers["mean"], numbers["std"], size=count))
    else:
        drawn = np.rint(rng.lognormal(numbers["mean"], numbers["std"], size=count))
    lengths = np.clip(drawn, low, high).astype(np.int64)
    return _finish(lengths, f"{kind.value} {dict(sorted(numbers.items()))}, {count} drawn, seed {seed}")


def _find_file(text: str, base_dir: Path, where: str) -> Path:
    path = Path(text)
    for candidate in (path, base_dir / path):
        if candidate.is_file():
            return candidate
    raise WorkloadError(f"{where} = {text!r}: file not found (tried the working directory and {base_dir})")


def _need_count(num_sequences: int | None, where: str) -> int:
    if num_sequences is None:
        raise WorkloadError(f"{where}: drawing lengths needs workload.num_sequences")
    return num_sequences


def _finish(lengths: np.ndarray, description: str) -> tuple[np.ndarray, str]:
    out = np.ascontiguousarray(lengths, dtype=np.int64)
    out.flags.writeable = False
    return out, description
