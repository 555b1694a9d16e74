"""Read a SCALE-Sim topology CSV into a :class:`Network` of conv layers, strictly.

Two layouts, told apart by the header:

* conv: ``Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels,
  Num Filter, Strides,`` and an optional N:M sparsity column (only ``1:1``, i.e. dense).
  IFMAP sizes already include any padding; the output is ``ceil((H - R) / stride) + 1``
  rows, SCALE-Sim's rule (a last window that overhangs the ifmap reads nothing there).
  A name containing ``DP`` is depthwise: SCALE-Sim runs it as one single-channel layer per
  channel, named ``<name>Channel_<i>``, and so does this reader.
* gemm: ``Layer, M, N, K,`` and an optional N:M sparsity column, only ``1:1`` (SCALE-Sim
  ``-i gemm``, header spelled as in its ``topologies/GEMM_mnk`` files, any case and
  spacing): ``ofmap[M, N] = ifmap[M, K] @ filter[K, N]``.  SCALE-Sim turns each row into
  the conv layer ``IFMAP M x K, Filter 1 x K, Channels 1, Num Filter N, Strides 1``
  (``topology_utils.load_arrays_gemm``), whose output is ``M x 1`` pixels; so does this
  reader.

SCALE-Sim silently drops the first row of a file without a header; here a first row that
holds numbers is an error, as is any row with a missing, extra or non-integer field.
Blank lines, CRLF line ends and the trailing comma of SCALE-Sim's rows are fine.  SCALE-Sim
drops the last cell of every row whether or not it is empty; here only an empty one goes, so
a row without its trailing comma keeps its last value.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from hwsim.errors import WorkloadError
from hwsim.input_files import read_text
from hwsim.limits import MAX_DIM, MAX_LAYERS, MAX_OUTPUT_DIM, MAX_TEXT_BYTES, limit_text
from hwsim.workload.layers import Layer, LayerKind, Quant, QuantKind
from hwsim.workload.network import Network
from hwsim.workload.sizes import check_layer_count, check_layer_sizes

CONV_COLUMNS = ("IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width", "Channels", "Num Filter", "Strides")
GEMM_COLUMNS = ("M", "N", "K")
ACT_BITS = 8
WEIGHT_QUANT = Quant(QuantKind.INT, 8)


def _fields(line: str) -> list[str]:
    """Comma-separated cells without the trailing empty cell SCALE-Sim's files end with."""
    cells = [cell.strip() for cell in line.split(",")]
    if cells and cells[-1] == "":
        cells.pop()
    return cells


def _looks_numeric(cell: str) -> bool:
    return cell.lstrip("+-").isdigit()


def _ints(path: Path, row: int, name: str, cells: list[str], columns: tuple[str, ...]) -> list[int]:
    values = []
    for column, cell in zip(columns, cells):
        if not cell.isdigit() or int(cell) <= 0:
            raise WorkloadError(f"{path}: row {row} (layer '{name}'): {column} = {cell!r}: expected a positive integer")
        limit = MAX_OUTPUT_DIM if column == "M" else MAX_DIM  # a GEMM's M becomes the output dimension P
        if len(cell) > 12 or int(cell) > limit:
            raise WorkloadError(f"{path}: row {row} (layer '{name}'): {column} = {cell}: exceeds the limit of "
                                f"{limit_text(limit)}")
        values.append(int(cell))
    return values


def _check_dense(path: Path, row: int, name: str, cells: list[str], columns: int) -> None:
    """A row has ``columns`` fields and may add an N:M sparsity, which must be 1:1 (dense)."""
    if len(cells) == columns + 1 and cells[columns].replace(" ", "") != "1:1":
        raise WorkloadError(f"{path}: row {row} (layer '{name}'): sparsity {cells[columns]!r}: only dense (1:1) layers are modelled")


def _conv_layers(path: Path, row: int, cells: list[str], previous: str) -> list[Layer]:
    name = cells[0]
    if len(cells) not in (8, 9):
        raise WorkloadError(
            f"{path}: row {row} (layer '{name}'): expected 8 fields (name, {', '.join(CONV_COLUMNS)}) "
            f"and an optional N:M sparsity, got {len(cells)}"
        )
    _check_dense(path, row, name, cells, 8)
    h, w, r, s, c, k, stride = _ints(path, row, name, cells[1:8], CONV_COLUMNS)
    if r > h or s > w:
        raise WorkloadError(f"{path}: row {row} (layer '{name}'): filter {r}x{s} is larger than the ifmap {h}x{w}")
    p = math.ceil((h - r) / stride) + 1
    q = math.ceil((w - s) / stride) + 1
    if "DP" in name:
        if c > MAX_LAYERS:
            raise WorkloadError(f"{path}: row {row} (layer '{name}'): a depthwise layer of {c:,} channels is "
                                f"{c:,} layers, more than the limit of {limit_text(MAX_LAYERS)}")
        return [
            Layer(f"{name}Channel_{i}", LayerKind.CONV, 1, k, 1, p, q, r, s, stride, 0, (previous,), ACT_BITS,
                  WEIGHT_QUANT, (h, w))
            for i in range(c)
        ]
    return [Layer(name, LayerKind.CONV, 1, k, c, p, q, r, s, stride, 0, (previous,), ACT_BITS, WEIGHT_QUANT, (h, w))]


def _gemm_layers(path: Path, row: int, cells: list[str], previous: str) -> list[Layer]:
    name = cells[0]
    if len(cells) not in (4, 5):
        raise WorkloadError(f"{path}: row {row} (layer '{name}'): expected 4 fields (name, M, N, K) "
                            f"and an optional N:M sparsity, got {len(cells)}")
    _check_dense(path, row, name, cells, 4)
    m, n, k = _ints(path, row, name, cells[1:4], GEMM_COLUMNS)
    # SCALE-Sim's conv form of the row: an M x K ifmap, one channel, N filters of 1 x K, so
    # M output pixels in one column and ifmap[M, K] @ filter[K, N].
    return [Layer(name, LayerKind.CONV, 1, n, 1, m, 1, 1, k, 1, 0, (previous,), ACT_BITS, WEIGHT_QUANT, (m, k))]


def load_topology_csv(path: Path, overrides: dict[str, Any]) -> Network:
    """The layers of a SCALE-Sim topology file, batch 1, int8, without weight values, each with its ifmap size.

    Parameters
    ----------
    path
        The CSV file.
    overrides
        Workload options; a topology takes none, so any is an error.
    """
    path = Path(path)
    for key in overrides:
        raise WorkloadError(f"{path}: --set workload.{key} does not apply to a SCALE-Sim topology")
    lines = read_text(path, max_bytes=MAX_TEXT_BYTES, what="topology CSV", error=WorkloadError).splitlines()
    rows = [(number, _fields(line)) for number, line in enumerate(lines, start=1) if line.strip()]
    if not rows:
        raise WorkloadError(f"{path}: empty topology file")
    header_row, header = rows[0]
    if any(_looks_numeric(cell) for cell in header[1:]):
        raise WorkloadError(
            f"{path}: row {header_row}: missing header: '{header[0]}' holds numbers "
            f"(start the file with 'Layer name, {', '.join(CONV_COLUMNS)},')"
        )
    gemm = [cell.upper() for cell in header[1:4]] == list(GEMM_COLUMNS)
    if not gemm and len(header) < 8:
        raise WorkloadError(
            f"{path}: row {header_row}: header has {len(header)} columns, expected 'Layer name, {', '.join(CONV_COLUMNS)},'"
        )
    layers: list[Layer] = []
    seen: set[str] = set()
    previous = ""
    for number, cells in rows[1:]:
        if not cells[0]:
            raise WorkloadError(f"{path}: row {number}: empty layer name")
        parsed = (_gemm_layers if gemm else _conv_layers)(path, number, cells, previous)
        check_layer_count(len(layers) + len(parsed), str(path))
        for layer in parsed:
            if layer.name in seen:
                raise WorkloadError(f"{path}: row {number}: layer name '{layer.name}' is used twice")
            seen.add(layer.name)
            layers.append(layer)
        previous = layers[-1].name
    if not layers:
        raise WorkloadError(f"{path}: no layers after the header")
    check_layer_sizes(layers, str(path))
    return Network(name=path.stem, layers=tuple(layers), dataset="scalesim-topology")
