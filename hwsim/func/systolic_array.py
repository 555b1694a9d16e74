"""What ``systolic_array`` computes and what its DRAM streams carry, from a spec and a layer.

* :func:`array_config`: the hardware a spec (plus block parameters) asks for: array size,
  dataflow, bypass, operand and sum widths, buffers (their depth bounded by the SRAM sizes),
  words per beat of each DRAM stream.
* :func:`layer_command`: one layer (one group) as the array's command, from the engine's
  fold schedule (:func:`hwsim.sim.systolic.folds.schedule_folds`).
* :func:`dram_beats` / :func:`output_beats`: the read streams' beats (each fold's lines, in
  fold order) and the output stream's beats (each tile's lines, in drain order).
* :func:`layer_matrices`: a real layer's GEMM operands: im2col of an input tensor and the
  network's weights, in the engine's element order (``demand.operand_addresses``).

The operands are arranged by dataflow as three matrices: ``left[time, rows_dim]`` enters the
array's rows, ``top`` is the stationary tile source ``[rows_dim, cols_dim]`` (WS/IS) or the
columns' stream ``[time, cols_dim]`` (OS), and ``out`` is ``[time, cols_dim]`` (WS/IS) or
``[rows_dim, cols_dim]`` (OS).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from hwsim.sim.blocks.systolic_array import LayerCommand, folds, output_groups, side_of_operand
from hwsim.sim.systolic.dataflow import ASSIGNMENT_BY_DATAFLOW, GemmDim
from hwsim.sim.systolic.fold_buffers import words_per_beat
from hwsim.sim.systolic.folds import GemmShape, schedule_folds
from hwsim.spec.enums import Dataflow
from hwsim.spec.systolic import CALC, SystolicSpec
from hwsim.workload.layers import GEMM_KINDS, Layer, QuantKind
from hwsim.workload.precision import operand_bits

MAX_DIM = (1 << 24) - 1


@dataclass(frozen=True)
class ArrayConfig:
    """Everything the RTL is built from (see :func:`array_config`)."""

    rows: int
    cols: int
    dataflow: Dataflow
    bypass: bool
    halves: int
    weight_bits: int
    act_bits: int
    act_signed: bool
    acc_bits: int
    max_time: int
    bandwidth: Mapping[str, int]
    calc: Mapping[str, bool]

    @property
    def time_bits(self) -> int:
        return self.max_time.bit_length()

    @property
    def left_operand(self) -> str:
        return "ifmap" if side_of_operand(self.dataflow)["ifmap"] == "left" else "filter"


def _int_param(params: Mapping[str, Any], name: str, low: int, high: int) -> int:
    value = params[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer in [{low}, {high}], not {value!r}")
    return value


def buffer_capacity(spec: SystolicSpec) -> dict[str, int]:
    """Words each SRAM holds per fold buffer (half of it when double buffered)."""
    return {name: spec.sram_words(kb) // spec.sram.halves for name, kb in
            (("ifmap", spec.sram.ifmap_kb), ("filter", spec.sram.filter_kb), ("ofmap", spec.sram.ofmap_kb))}


def max_time_of(spec: SystolicSpec) -> int:
    """The longest ``time`` a fold's buffers can hold, from the SRAM sizes.

    The streamed operands need ``time`` lines of their lanes per fold buffer, the output tile
    ``time`` lines of ``cols`` sums (WS/IS); a stationary tile needs ``rows x cols`` words.
    """
    cap = buffer_capacity(spec)
    rows, cols = spec.array.rows, spec.array.cols
    sides = side_of_operand(spec.dataflow)
    lanes = {"left": rows, "top": cols}
    limits = []
    for name in ("ifmap", "filter"):
        side = sides[name]
        if side == "left" or spec.dataflow is Dataflow.OUTPUT_STATIONARY:
            limits.append(cap[name] // lanes[side])
        elif cap[name] < rows * cols:
            raise ValueError(f"sram.{name}_kb = {getattr(spec.sram, name + '_kb')} KB holds {cap[name]} words per "
                             f"fold buffer, less than the {rows}x{cols} stationary tile")
    if spec.dataflow is Dataflow.OUTPUT_STATIONARY:
        if cap["ofmap"] < rows * cols:
            raise ValueError(f"sram.ofmap_kb = {spec.sram.ofmap_kb} KB holds {cap['ofmap']} words per tile, "
                             f"less than the {rows}x{cols} output tile")
    else:
        limits.append(cap["ofmap"] // cols)
    return min(limits)


def param_layer(params: Mapping[str, Any]) -> Layer | None:
    """The layer ``params["layer"]`` of network ``params["model"]``, or None."""
    if params.get("model") is None and params.get("layer") is None:
        return None
    if params.get("model") is None or params.get("layer") is None:
        raise ValueError(f"--layer and --model go together (got model={params.get('model')!r}, "
                         f"layer={params.get('layer')!r})")
    network = load_layer_network(params["model"])
    try:
        layer = network.layer(params["layer"])
    except KeyError:
        raise ValueError(f"model '{params['model']}' has no layer '{params['layer']}'") from None
    if layer.kind not in GEMM_KINDS:
        raise ValueError(f"layer '{layer.name}' of '{params['model']}' is a {layer.kind.value} layer; "
                         "the array runs conv, linear and matmul layers")
    if layer.weight_quant is not None and layer.weight_quant.kind is QuantKind.FLOAT:
        raise ValueError(f"layer '{layer.name}' has float weights; the array multiplies integers "
                         "(quantize the model, e.g. --set workload.quantize=int8)")
    return layer


def load_layer_network(model: str):
    """The network ``model`` (zoo name or file), loaded once per process."""
    if model not in _NETWORKS:
        from hwsim.api import load_network

        _NETWORKS[model] = load_network(model)
    return _NETWORKS[model]


_NETWORKS: dict[str, Any] = {}


def array_config(spec: SystolicSpec, params: Mapping[str, Any]) -> ArrayConfig:
    """The array a spec and block parameters describe; ``ValueError`` names a bad value.

    Operand widths are the spec's word unless given, or, with ``model`` and ``layer``, that
    layer's (its weights' quantization and its activation width; activations unsigned, as
    after a ReLU).  Operands wider than the word would need several passes per MAC, which
    this array does not make.
    """
    word_bits = spec.word_bytes * 8
    layer = param_layer(params)
    weight, act = operand_bits(layer)[:2] if layer is not None else (word_bits, word_bits)
    widths = {"weight_bits": weight if params["weight_bits"] is None else params["weight_bits"],
              "act_bits": act if params["act_bits"] is None else params["act_bits"]}
    for name, value in widths.items():
        _int_param(widths, name, 1 if name == "act_bits" else 2, 32)
        if value > word_bits:
            raise ValueError(f"{name} = {value} is wider than the spec's {word_bits}-bit word: the engine prices "
                             f"such operands as several passes per MAC, which the array does not make")
    act_signed = params["act_signed"]
    if act_signed is None:
        act_signed = int(layer is None)
    if act_signed not in (0, 1):
        raise ValueError(f"act_signed must be 0 or 1, not {act_signed!r}")
    acc_bits = _int_param(params, "acc_bits", 4, 64)
    cap = max_time_of(spec)
    if cap < 1:
        raise ValueError(f"the SRAMs of arch '{spec.name}' hold no line of the {spec.array.rows}x{spec.array.cols} array")
    max_time = cap if params["max_time"] is None else _int_param(params, "max_time", 1, cap)
    bandwidth = words_per_beat(spec)
    return ArrayConfig(
        rows=spec.array.rows, cols=spec.array.cols, dataflow=spec.dataflow, bypass=spec.array.bypass_unused,
        halves=spec.sram.halves, weight_bits=widths["weight_bits"],
        act_bits=widths["act_bits"], act_signed=bool(act_signed), acc_bits=acc_bits, max_time=max_time,
        bandwidth=MappingProxyType(bandwidth), calc=MappingProxyType({k: v == CALC for k, v in spec.dram.by_stream().items()}))


def layer_command(config: ArrayConfig, spec: SystolicSpec, shape: GemmShape) -> LayerCommand:
    """One group of a layer as the array's command: the engine's folds and array part."""
    assignment = ASSIGNMENT_BY_DATAFLOW[config.dataflow]
    schedule = schedule_folds(shape, assignment, config.rows, config.cols, bypass_unused=config.bypass)
    cmd = LayerCommand.of(shape, assignment, schedule)
    if cmd.time > config.max_time:
        raise ValueError(f"the layer streams {cmd.time} {assignment.time.value} elements per fold, more than the "
                         f"{config.max_time} lines its fold buffers hold (max_time; bounded by the SRAM sizes)")
    if max(cmd.rows_dim, cmd.cols_dim) > MAX_DIM or schedule.folds > MAX_DIM:
        raise ValueError(f"the layer's {cmd.rows_dim} x {cmd.cols_dim} folds exceed the array's 24-bit counters")
    return cmd


def gemm_shape(rows: int, cols: int, time: int, dataflow: Dataflow) -> GemmShape:
    """The GEMM whose dims the dataflow puts on the array as (rows, cols, time)."""
    a = ASSIGNMENT_BY_DATAFLOW[dataflow]
    dims = {a.rows: rows, a.cols: cols, a.time: time}
    return GemmShape(M=dims[GemmDim.M], N=dims[GemmDim.N], K=dims[GemmDim.K])


def arranged(dataflow: Dataflow, ifmap: np.ndarray, filt: np.ndarray) -> dict[str, np.ndarray]:
    """``left``, ``top`` and ``out`` (the exact int64 product) of ``ifmap[M, K] @ filter[K, N]``."""
    ifmap, filt = np.asarray(ifmap, dtype=np.int64), np.asarray(filt, dtype=np.int64)
    ofmap = ifmap @ filt
    if dataflow is Dataflow.WEIGHT_STATIONARY:
        return {"left": ifmap, "top": filt, "out": ofmap}
    if dataflow is Dataflow.INPUT_STATIONARY:
        return {"left": filt.T, "top": ifmap.T, "out": ofmap.T}
    return {"left": ifmap.T, "top": filt, "out": ofmap}


def _line_beats(values: np.ndarray, bandwidth: int) -> list[list[int]]:
    """One buffer line as beats of ``bandwidth`` words, zero-padded."""
    n = -(-len(values) // bandwidth)
    padded = np.zeros(n * bandwidth, dtype=np.int64)
    padded[: len(values)] = values
    return padded.reshape(n, bandwidth).tolist()


def dram_beats(config: ArrayConfig, cmd: LayerCommand, ifmap: np.ndarray, filt: np.ndarray) -> dict[str, list[list[int]]]:
    """The beats each DRAM read stream delivers for one layer, fold by fold."""
    mats = arranged(config.dataflow, ifmap, filt)
    os_ = config.dataflow is Dataflow.OUTPUT_STATIONARY
    sides = side_of_operand(config.dataflow)
    beats: dict[str, list[list[int]]] = {"left": [], "top": []}
    bw = {sides["ifmap"]: config.bandwidth["ifmap"], sides["filter"]: config.bandwidth["filter"]}
    for fold in folds(cmd):
        r0, c0 = fold.row * cmd.ext_rows, fold.col * cmd.ext_cols
        for t in range(cmd.time):
            beats["left"] += _line_beats(mats["left"][t, r0:r0 + fold.used_rows], bw["left"])
        top_lines = (mats["top"][t, c0:c0 + fold.used_cols] for t in range(cmd.time)) if os_ else \
            (mats["top"][r0 + i, c0:c0 + fold.used_cols] for i in range(fold.used_rows))
        for line in top_lines:
            beats["top"] += _line_beats(line, bw["top"])
    return {"ifmap": beats[sides["ifmap"]], "filter": beats[sides["filter"]]}


def output_beats(config: ArrayConfig, cmd: LayerCommand, ifmap: np.ndarray, filt: np.ndarray) -> list[list[int]]:
    """The output stream's beats for one layer: each tile's lines in drain order."""
    out = arranged(config.dataflow, ifmap, filt)["out"]
    fl = folds(cmd)
    beats: list[list[int]] = []
    for last, lines, used_cols in output_groups(config.dataflow, cmd):
        fold = fl[last]
        c0 = fold.col * cmd.ext_cols
        if config.dataflow is Dataflow.OUTPUT_STATIONARY:
            r0 = fold.row * cmd.ext_rows
            rows = [out[r0 + i, c0:c0 + used_cols] for i in range(lines)]
        else:
            rows = [out[t, c0:c0 + used_cols] for t in range(lines)]
        for row in rows:
            beats += _line_beats(row, config.bandwidth["ofmap"])
    return beats


def layer_matrices(layer: Layer, weights: np.ndarray, rng: np.random.Generator, act_bits: int,
                   act_signed: bool, group: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``ifmap[M, K]`` (im2col of a random input, zero padding) and ``filter[K, N]`` of one group.

    Window element ``k`` is (kernel row, kernel col, channel), channel fastest, and output
    pixel ``m`` is (image, row, col): the engine's order (``demand.operand_addresses``).
    """
    lo, hi = (-(1 << (act_bits - 1)), (1 << (act_bits - 1)) - 1) if act_signed else (0, (1 << act_bits) - 1)
    height = (layer.P - 1) * layer.stride[0] + layer.window_rows
    width = (layer.Q - 1) * layer.stride[1] + layer.window_cols
    image = rng.integers(lo, hi + 1, size=(layer.N, height, width, layer.C), dtype=np.int64)
    top, left, bottom, right = layer.padding
    mask = np.zeros((height, width), dtype=bool)
    mask[top:height - bottom if bottom else height, left:width - right if right else width] = True
    image *= mask[None, :, :, None]                  # the padding border is zero
    n, p, q = np.meshgrid(np.arange(layer.N), np.arange(layer.P), np.arange(layer.Q), indexing="ij")
    r, s, c = np.meshgrid(np.arange(layer.R), np.arange(layer.S), np.arange(layer.C), indexing="ij")
    rows = p.reshape(-1, 1) * layer.stride[0] + r.reshape(1, -1) * layer.dilation[0]
    cols = q.reshape(-1, 1) * layer.stride[1] + s.reshape(1, -1) * layer.dilation[1]
    ifmap = image[n.reshape(-1, 1), rows, cols, c.reshape(1, -1)]
    w = np.asarray(weights, dtype=np.int64)[group * layer.K:(group + 1) * layer.K]   # (K, C, R, S)
    filt = w.transpose(2, 3, 1, 0).reshape(layer.R * layer.S * layer.C, layer.K)
    return ifmap, filt
