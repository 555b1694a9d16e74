"""The word streams a systolic array asks of its SRAMs, cycle by cycle, for one layer.

Used by the SCALE-Sim buffer model (:mod:`.scalesim_buffers`), which needs to know which
word each buffer must hold at which cycle.  One layout for all dataflows, driven by
:class:`AxisAssignment`:

* A *streaming* input (indexed by the time dimension) enters one axis of the array skewed
  by one cycle per lane: in a fold, lane ``c`` reads element ``t`` at line
  ``preload + t + c``.
* A *stationary* input (indexed by both spatial dimensions: the filter under WS, the ifmap
  under IS) is shifted in during the fold's first ``rows`` lines, last array row first.
* The ofmap streams out skewed after ``2 * rows - 1`` lines when it is not stationary, and
  drains row by row, skewed, after the ``time - 1`` accumulation lines when it is (OS).

Folds run column fold outer, row fold inner.  Addresses: filter word ``(k, n)`` is
``n * K + k``; ifmap word of output pixel ``m`` and window element ``k`` is its (row, col,
channel) position in a dense ifmap of ``(P - 1) * stride + (R - 1) * dilation + 1`` rows (a
bijection, which is all a buffer model needs).  One group of a grouped layer: the caller
runs the groups one after another.  ``-1`` marks an idle lane.
"""

from __future__ import annotations

import numpy as np

from hwsim.sim.systolic.dataflow import OPERAND_DIMS, AxisAssignment, GemmDim, Operand
from hwsim.sim.systolic.folds import FoldSchedule, GemmShape
from hwsim.workload.layers import Layer

IDLE = -1


def operand_addresses(layer: Layer, shape: GemmShape, operand: Operand,
                      ifmap_hw: tuple[int, int] | None = None) -> tuple[np.ndarray, tuple[GemmDim, GemmDim]]:
    """Addresses of an input operand as a 2D array and the dimensions of its two axes.

    ``ifmap_hw`` is the ifmap's (height, width) when a window may overhang it (SCALE-Sim
    topologies); words past its edge are idle, never fetched.
    """
    if operand is Operand.FILTER:
        k = np.arange(shape.K, dtype=np.int64)[:, None]
        n = np.arange(shape.N, dtype=np.int64)[None, :]
        return n * shape.K + k, (GemmDim.K, GemmDim.N)
    (stride_rows, stride_cols), (dilation_rows, dilation_cols) = layer.stride, layer.dilation
    width = (layer.Q - 1) * stride_cols + layer.window_cols
    m = np.arange(shape.M, dtype=np.int64)[:, None]
    k = np.arange(shape.K, dtype=np.int64)[None, :]
    image, pixel = np.divmod(m, layer.P * layer.Q)
    out_row, out_col = np.divmod(pixel, layer.Q)
    k_row, rest = np.divmod(k, layer.S * layer.C)
    k_col, channel = np.divmod(rest, layer.C)
    height = (layer.P - 1) * stride_rows + layer.window_rows
    row = out_row * stride_rows + k_row * dilation_rows
    col = out_col * stride_cols + k_col * dilation_cols
    addresses = ((image * height + row) * width + col) * layer.C + channel
    if ifmap_hw is not None:
        addresses = np.where((row < ifmap_hw[0]) & (col < ifmap_hw[1]), addresses, IDLE)
    return addresses, (GemmDim.M, GemmDim.K)


def oriented(matrix: np.ndarray, dims: tuple[GemmDim, GemmDim], first: GemmDim) -> np.ndarray:
    """``matrix`` with ``first`` as its leading axis."""
    return matrix if dims[0] is first else matrix.T


def _fold_ranges(size: int, width: int) -> list[tuple[int, int]]:
    return [(start, min(start + width, size)) for start in range(0, size, width)]


def input_demand(layer: Layer, shape: GemmShape, assignment: AxisAssignment, folds: FoldSchedule,
                 operand: Operand, rows: int, cols: int, ifmap_hw: tuple[int, int] | None = None) -> np.ndarray:
    """Lines x lanes of addresses an input buffer serves (one line per cycle)."""
    matrix, dims = operand_addresses(layer, shape, operand, ifmap_hw)
    lanes_dim = {assignment.rows: rows, assignment.cols: cols}
    row_ranges = _fold_ranges(shape.size(assignment.rows), rows)
    col_ranges = _fold_ranges(shape.size(assignment.cols), cols)
    if assignment.time in OPERAND_DIMS[operand]:
        (spatial,) = OPERAND_DIMS[operand] - {assignment.time}
        lanes = lanes_dim[spatial]
        stream = oriented(matrix, dims, assignment.time)
        preload = rows if assignment.preload else 0
        out = np.full((folds.folds, folds.fold_cycles, lanes), IDLE, dtype=np.int64)
        t = np.arange(stream.shape[0])[:, None]
        fold = 0
        for col_range in col_ranges:
            for row_range in row_ranges:
                start, stop = row_range if spatial is assignment.rows else col_range
                lane = np.arange(stop - start)[None, :]
                out[fold, preload + t + lane, lane] = stream[:, start:stop]
                fold += 1
    else:
        block = oriented(matrix, dims, assignment.rows)
        out = np.full((folds.folds, folds.fold_cycles, cols), IDLE, dtype=np.int64)
        fold = 0
        for c0, c1 in col_ranges:
            for r0, r1 in row_ranges:
                used = r1 - r0
                # Line j shifts in array row rows-1-j; rows past the layer's edge stay idle.
                lines = np.arange(rows - used, rows)
                out[fold, lines, : c1 - c0] = block[r0:r1, c0:c1][::-1]
                fold += 1
    return out.reshape(folds.folds * folds.fold_cycles, -1)


def ofmap_words_per_line(shape: GemmShape, assignment: AxisAssignment, folds: FoldSchedule,
                         rows: int, cols: int) -> np.ndarray:
    """Ofmap words written in each line of the layer."""
    row_ranges = _fold_ranges(shape.size(assignment.rows), rows)
    col_ranges = _fold_ranges(shape.size(assignment.cols), cols)
    counts = np.zeros((len(col_ranges), len(row_ranges), folds.fold_cycles), dtype=np.int64)
    time = shape.size(assignment.time)
    # A fold's writes depend only on the rows and columns it uses: at most four patterns,
    # each filled into every fold that has it (column fold outer).
    for used_cols, col_folds in _fold_groups(col_ranges):
        for used_rows, row_folds in _fold_groups(row_ranges):
            lane = np.arange(used_cols)
            if assignment.stationary is Operand.OFMAP:
                # Drained last array row first; idle rows (past the layer) drain first.
                drained = np.arange(rows - used_rows, rows)
                lines = (time - 1 + drained[:, None] + lane[None, :]).ravel()
            else:
                t = np.arange(time)[:, None]
                lines = (2 * rows - 1 + t + lane[None, :]).ravel()
            counts[col_folds, row_folds] = np.bincount(lines, minlength=folds.fold_cycles)
    return counts.reshape(-1)


def _fold_groups(ranges: list[tuple[int, int]]) -> list[tuple[int, slice]]:
    """(width, folds) of the full folds and of a narrower last fold."""
    full = ranges[0][1] - ranges[0][0]
    last = ranges[-1][1] - ranges[-1][0]
    if last == full:
        return [(full, slice(None))]
    return [(full, slice(0, len(ranges) - 1)), (last, slice(len(ranges) - 1, len(ranges)))]


def _prefetch_layout(assignment: AxisAssignment, operand: Operand, rows: int, cols: int) -> tuple[GemmDim, int, bool]:
    """(leading dimension, lanes, read by anti-diagonals) of an operand's prefetch matrix."""
    if assignment.time in OPERAND_DIMS[operand]:
        (spatial,) = OPERAND_DIMS[operand] - {assignment.time}
        return assignment.time, rows if spatial is assignment.rows else cols, True
    return assignment.rows, cols, False


def prefetch_matrix_words(shape: GemmShape, assignment: AxisAssignment, operand: Operand, rows: int, cols: int) -> int:
    """Entries of SCALE-Sim's prefetch matrix of an input operand, idle padding included.

    The operand folded onto its array axis, each fold padded to the full axis: what SCALE-Sim
    cuts into DRAM lines (its size bounds the read buffer's first fill).
    """
    leading, lanes, _ = _prefetch_layout(assignment, operand, rows, cols)
    (other,) = OPERAND_DIMS[operand] - {leading}
    return shape.size(leading) * -(-shape.size(other) // lanes) * lanes


def first_request_line(shape: GemmShape, assignment: AxisAssignment, operand: Operand, rows: int) -> int:
    """The first line at which the array reads an input operand (see :func:`input_demand`).

    A streaming operand starts after the preload; a stationary one is shifted in last array
    row first, so a first row fold narrower than the array starts with idle lines.
    """
    if assignment.time in OPERAND_DIMS[operand]:
        return rows if assignment.preload else 0
    return rows - min(rows, shape.size(assignment.rows))


def prefetch_order(layer: Layer, shape: GemmShape, assignment: AxisAssignment, operand: Operand,
                   rows: int, cols: int, ifmap_hw: tuple[int, int] | None = None) -> np.ndarray:
    """The order in which a SCALE-Sim read buffer fetches an operand's words from DRAM.

    The operand, folded along its array axis and padded to full folds, is stacked fold under
    fold; a streaming operand is then read by anti-diagonals (the skew of the array), a
    stationary one row by row.  Idle entries are dropped.
    """
    matrix, dims = operand_addresses(layer, shape, operand, ifmap_hw)
    leading, lanes, diagonal = _prefetch_layout(assignment, operand, rows, cols)
    stream = oriented(matrix, dims, leading)
    height, size = stream.shape
    n_folds = -(-size // lanes)
    padded = np.full((height, n_folds * lanes), IDLE, dtype=np.int64)
    padded[:, :size] = stream
    stacked = padded.reshape(height, n_folds, lanes).transpose(1, 0, 2).reshape(n_folds * height, lanes)
    if diagonal:
        # Anti-diagonal d holds (d - c, c) for lanes c in ascending order (rows descending).
        d = np.arange(stacked.shape[0] + lanes - 1)[:, None]
        c = np.arange(lanes)[None, :]
        r = d - c
        valid = (r >= 0) & (r < stacked.shape[0])
        flat = stacked[r[valid], np.broadcast_to(c, r.shape)[valid]]
    else:
        flat = stacked.ravel()
    return flat[flat != IDLE]
