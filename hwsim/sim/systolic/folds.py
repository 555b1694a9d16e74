"""Compute cycles of one layer on a systolic array: folds, their cycles, SRAM accesses.

One fold is one ``rows x cols`` tile of the two spatial GEMM dimensions.  It streams the
``time`` dimension through the array, skewed by one cycle per row and per column, so a fold
takes ``time + rows + cols - 2`` cycles, plus ``rows`` cycles first when the stationary
operand must be shifted in (weight- and input-stationary).  Folds run back to back.
These are SCALE-Sim v3's demand-matrix lengths; its reported cycle count is the index of
the cycle that writes the last ofmap word, counted from 0: ``folds * fold_cycles - 1``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np

from hwsim.sim.systolic.dataflow import OPERAND_DIMS, AxisAssignment, GemmDim, Operand
from hwsim.workload.layers import Layer


@dataclass(frozen=True)
class GemmShape:
    """``ofmap[M, N] = ifmap[M, K] @ filter[K, N]`` of a conv or linear layer."""

    M: int
    N: int
    K: int

    @staticmethod
    def of_layer(layer: Layer) -> "GemmShape":
        return GemmShape(M=layer.N * layer.P * layer.Q, N=layer.K, K=layer.C * layer.R * layer.S)

    def size(self, dim: GemmDim) -> int:
        return {GemmDim.M: self.M, GemmDim.N: self.N, GemmDim.K: self.K}[dim]

    def operand_words(self, operand: Operand) -> int:
        """Elements of one operand matrix (im2col form for the ifmap)."""
        return math.prod(self.size(d) for d in OPERAND_DIMS[operand])


@dataclass(frozen=True)
class FoldSchedule:
    """The folds of one layer and what the array reads and writes in its SRAMs.

    ``sram_accesses`` counts words: ifmap and filter reads, ofmap writes.  An operand is read
    once per fold of the spatial dimension that does not index it (an ifmap tile is re-read
    for every column fold of filters under WS); an operand indexed by both spatial
    dimensions is touched once.
    """

    row_folds: int
    col_folds: int
    fold_cycles: int
    compute_cycles: int
    mapping_efficiency: float
    sram_accesses: Mapping[Operand, int]
    used_rows: int = 0  # the part of the array each fold uses (all of it without bypass)
    used_cols: int = 0

    @property
    def folds(self) -> int:
        return self.row_folds * self.col_folds


def schedule_folds(shape: GemmShape, assignment: AxisAssignment, rows: int, cols: int, *,
                   bypass_unused: bool = False) -> FoldSchedule:
    """Fold ``shape`` onto a ``rows x cols`` array under ``assignment``.

    Parameters
    ----------
    shape
        The layer as a GEMM.
    assignment
        Which dimension the rows, columns and time carry (:data:`ASSIGNMENT_BY_DATAFLOW`).
    rows, cols
        Array size in PEs.
    bypass_unused
        Folds may use only part of the array, rows and columns beyond it bypassed, so that the
        skew and the preload cover only the part used (:func:`used_array`); without bypass every
        fold crosses the whole array, as in SCALE-Sim.
    """
    rows_dim, cols_dim, time_dim = (shape.size(d) for d in (assignment.rows, assignment.cols, assignment.time))
    used_rows, used_cols = (used_array(rows_dim, cols_dim, time_dim, rows, cols, assignment.preload)
                            if bypass_unused else (rows, cols))
    folds_by_dim = {
        assignment.rows: math.ceil(rows_dim / used_rows),
        assignment.cols: math.ceil(cols_dim / used_cols),
        assignment.time: 1,
    }
    row_folds, col_folds = folds_by_dim[assignment.rows], folds_by_dim[assignment.cols]
    preload_cycles = used_rows if assignment.preload else 0
    fold_cycles = preload_cycles + time_dim + used_rows + used_cols - 2
    compute_cycles = row_folds * col_folds * fold_cycles - 1
    mapping_efficiency = rows_dim * cols_dim / (row_folds * col_folds * rows * cols)
    accesses = {}
    for operand, dims in OPERAND_DIMS.items():
        (other,) = set(GemmDim) - dims
        accesses[operand] = shape.operand_words(operand) * folds_by_dim[other]
    return FoldSchedule(
        row_folds=row_folds,
        col_folds=col_folds,
        fold_cycles=fold_cycles,
        compute_cycles=compute_cycles,
        mapping_efficiency=mapping_efficiency,
        sram_accesses=MappingProxyType(accesses),
        used_rows=used_rows,
        used_cols=used_cols,
    )


def _tight_sizes(size: int, limit: int) -> np.ndarray:
    """Array extents worth using for a dimension of ``size``: each the smallest for its fold count.

    ``ceil(size / f)`` for every fold count ``f`` the array allows; a larger array only adds
    candidates, so the best of them never gets worse with more hardware.
    """
    folds = np.arange(math.ceil(size / limit), size + 1, dtype=np.int64)
    return np.unique(-(-size // folds))


def used_array(rows_dim: int, cols_dim: int, time_dim: int, rows: int, cols: int, preload: bool) -> tuple[int, int]:
    """The part of the array (used rows, used cols) whose folds finish the layer soonest.

    A fold of ``r x c`` PEs takes ``time + r + c - 2`` cycles (plus ``r`` to preload), so on a
    short time dimension a smaller part with a few more folds can beat the whole array.  Ties
    go to fewer folds (less SRAM traffic), then to the larger part.
    """
    r = _tight_sizes(rows_dim, rows)[:, None]
    c = _tight_sizes(cols_dim, cols)[None, :]
    folds = (-(-rows_dim // r)) * (-(-cols_dim // c))
    cycles = folds * ((r if preload else 0) + time_dim + r + c - 2)
    order = np.lexsort(((-r * c).ravel(), np.broadcast_to(folds, cycles.shape).ravel(), cycles.ravel()))
    best = int(order[0])
    return int(np.broadcast_to(r, cycles.shape).ravel()[best]), int(np.broadcast_to(c, cycles.shape).ravel()[best])
