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

    @property
    def folds(self) -> int:
        return self.row_folds * self.col_folds


def schedule_folds(shape: GemmShape, assignment: AxisAssignment, rows: int, cols: int) -> FoldSchedule:
    """Fold ``shape`` onto a ``rows x cols`` array under ``assignment``.

    Parameters
    ----------
    shape
        The layer as a GEMM.
    assignment
        Which dimension the rows, columns and time carry (:data:`ASSIGNMENT_BY_DATAFLOW`).
    rows, cols
        Array size in PEs.
    """
    rows_dim, cols_dim, time_dim = (shape.size(d) for d in (assignment.rows, assignment.cols, assignment.time))
    folds_by_dim = {
        assignment.rows: math.ceil(rows_dim / rows),
        assignment.cols: math.ceil(cols_dim / cols),
        assignment.time: 1,
    }
    row_folds, col_folds = folds_by_dim[assignment.rows], folds_by_dim[assignment.cols]
    preload_cycles = rows if assignment.preload else 0
    fold_cycles = preload_cycles + time_dim + rows + cols - 2
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
    )
