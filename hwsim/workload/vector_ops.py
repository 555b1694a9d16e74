"""Vector operations: what a layer that is not a product does to each element it touches.

A vector layer processes ``elements`` values (the larger of what it reads and what it
writes).  An engine with a vector unit spends ``ops_per_element`` lane operations on each:
one lane operation is one add, multiply, compare, select or lookup-table evaluation, the
unit of a SIMD lane (an exponential, reciprocal, square root or erf is one lookup-table
evaluation).  Layout operations (concatenation, slicing, transposition, gathering) do no
arithmetic: 0 operations, their cost is the data movement an engine may price separately.
This is the one table of these counts; the ONNX importer names the op, engines price it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class VectorOp(str, Enum):
    RELU = "relu"
    CLIP = "clip"
    LEAKY_RELU = "leaky_relu"
    ADD = "add"
    SUB = "sub"
    MUL = "mul"
    DIV = "div"
    NEG = "neg"
    ABS = "abs"
    EXP = "exp"
    SQRT = "sqrt"
    POW = "pow"
    RECIPROCAL = "reciprocal"
    ERF = "erf"
    TANH = "tanh"
    SIGMOID = "sigmoid"
    HARD_SIGMOID = "hard_sigmoid"
    HARD_SWISH = "hard_swish"
    SILU = "silu"
    GELU = "gelu"
    SOFTMAX = "softmax"
    LAYER_NORM = "layer_norm"
    BATCH_NORM = "batch_norm"
    REDUCE_MEAN = "reduce_mean"
    REDUCE_SUM = "reduce_sum"
    REDUCE_MAX = "reduce_max"
    COMPARE = "compare"
    ROUND = "round"
    SELECT = "select"
    CONCAT = "concat"
    SPLIT = "split"
    SLICE = "slice"
    TRANSPOSE = "transpose"
    GATHER = "gather"
    PAD = "pad"
    RESIZE = "resize"


@dataclass(frozen=True)
class VectorOpCost:
    """Lane operations per element and how they are counted."""

    ops_per_element: int
    counted_as: str


VECTOR_OP_COST: dict[VectorOp, VectorOpCost] = {
    VectorOp.RELU: VectorOpCost(1, "max(x, 0)"),
    VectorOp.CLIP: VectorOpCost(2, "min and max"),
    VectorOp.LEAKY_RELU: VectorOpCost(2, "multiply, select"),
    VectorOp.ADD: VectorOpCost(1, "add"),
    VectorOp.SUB: VectorOpCost(1, "subtract"),
    VectorOp.MUL: VectorOpCost(1, "multiply"),
    VectorOp.DIV: VectorOpCost(1, "divide (reciprocal table and multiply counted as one)"),
    VectorOp.NEG: VectorOpCost(1, "negate"),
    VectorOp.ABS: VectorOpCost(1, "absolute value"),
    VectorOp.EXP: VectorOpCost(1, "lookup table"),
    VectorOp.SQRT: VectorOpCost(1, "lookup table"),
    VectorOp.POW: VectorOpCost(1, "multiply (integer exponent) or lookup"),
    VectorOp.RECIPROCAL: VectorOpCost(1, "lookup table"),
    VectorOp.ERF: VectorOpCost(1, "lookup table"),
    VectorOp.TANH: VectorOpCost(1, "lookup table"),
    VectorOp.SIGMOID: VectorOpCost(1, "lookup table"),
    VectorOp.HARD_SIGMOID: VectorOpCost(4, "multiply, add, min, max"),
    VectorOp.HARD_SWISH: VectorOpCost(5, "hard sigmoid (4) and a multiply"),
    VectorOp.SILU: VectorOpCost(2, "sigmoid lookup and a multiply"),
    VectorOp.GELU: VectorOpCost(2, "lookup table and a multiply"),
    VectorOp.SOFTMAX: VectorOpCost(5, "running max, subtract, exp lookup, sum, divide"),
    VectorOp.LAYER_NORM: VectorOpCost(7, "mean add, subtract, square, variance add, normalize, scale, shift"),
    VectorOp.BATCH_NORM: VectorOpCost(2, "scale and shift"),
    VectorOp.REDUCE_MEAN: VectorOpCost(1, "add (one divide per output is not counted)"),
    VectorOp.REDUCE_SUM: VectorOpCost(1, "add"),
    VectorOp.REDUCE_MAX: VectorOpCost(1, "compare"),
    VectorOp.COMPARE: VectorOpCost(1, "compare"),
    VectorOp.ROUND: VectorOpCost(1, "round, floor or ceil"),
    VectorOp.SELECT: VectorOpCost(1, "select"),
    VectorOp.CONCAT: VectorOpCost(0, "layout only"),
    VectorOp.SPLIT: VectorOpCost(0, "layout only"),
    VectorOp.SLICE: VectorOpCost(0, "layout only"),
    VectorOp.TRANSPOSE: VectorOpCost(0, "layout only"),
    VectorOp.GATHER: VectorOpCost(0, "layout only (a table lookup)"),
    VectorOp.PAD: VectorOpCost(0, "layout only"),
    VectorOp.RESIZE: VectorOpCost(0, "layout only (nearest neighbour)"),
}


def vector_ops(op: VectorOp, elements: int) -> int:
    """Lane operations of ``op`` over ``elements`` values."""
    return VECTOR_OP_COST[op].ops_per_element * elements
