"""Layers, DRAM beats and checks for ``systolic_array``, independent of the simulator.

A *run* is a sequence of layers, each one command on ``i_cmd``.  :class:`ArrayBench` steps
the array once per clock cycle through plain port values (Verilog port names), so the same
bench drives Amaranth's simulator (tests) and cocotb on Icarus or Verilator
(``testbench/tb_systolic_array.py``).  Both DRAM read streams offer a beat in every cycle
once their layer's command is taken (a DRAM at the spec's words per cycle) and the write
stream is always ready: the conditions the block model's timing assumes.

Cycle 0 of a layer is the cycle its command is taken.  Per layer the bench checks:

* every output beat against numpy (``ifmap @ filter`` arranged as the dataflow drains it);
* the number of folds and every fold's length against the engine
  (:func:`hwsim.sim.systolic.folds.schedule_folds`: ``fold_cycles``);
* the layer's cycles (first to last fold line) against the engine's ``compute_cycles``
  plus the stall cycles, and those stalls, every fold's start and the last output beat
  against :func:`hwsim.sim.blocks.systolic_array.layer_timing`;
* with ``buffer_model: fold`` (the engine's model of these buffers), the layer's cycles
  against the engine's ``cycles`` (:func:`hwsim.sim.systolic.network.simulate_layer`, stalls
  included) and the cycles outside the fold lines against its ``prefetch_cycles``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from hwsim.func.systolic_array import ArrayConfig, dram_beats, gemm_shape, layer_command, layer_matrices, output_beats
from hwsim.sim.blocks.systolic_array import LayerCommand, LayerTiming, layer_timing
from hwsim.sim.systolic.dataflow import ASSIGNMENT_BY_DATAFLOW
from hwsim.sim.stats import LayerStats
from hwsim.sim.systolic.folds import FoldSchedule, GemmShape, schedule_folds
from hwsim.sim.systolic.network import simulate_layer
from hwsim.spec.systolic import BufferModel, SystolicSpec
from hwsim.workload.layers import Layer, LayerKind


@dataclass(frozen=True)
class LayerCase:
    """One layer as the array's GEMM: ``ifmap[M, K] @ filter[K, N]``, and the layer the engine
    simulates (a linear layer of M inputs for a plain GEMM)."""

    label: str
    ifmap: np.ndarray
    filt: np.ndarray
    layer: Layer

    @property
    def shape(self) -> GemmShape:
        return GemmShape(M=self.ifmap.shape[0], N=self.filt.shape[1], K=self.ifmap.shape[1])


@dataclass(frozen=True)
class LayerPlan:
    """What the bench sends and expects for one layer."""

    label: str
    cmd: LayerCommand
    beats: Mapping[str, list[int]]          # "ifmap", "filter": packed payloads in order
    expected: list[tuple[int, ...]]         # output beats' words
    timing: LayerTiming                     # the block model's events
    engine: FoldSchedule                    # the engine's folds
    engine_stats: LayerStats                # the engine's simulate_layer for the spec
    fold_buffers: bool                      # the spec's buffer_model is fold: engine cycles are the RTL's


def pack_words(words, bits: int) -> int:
    """Words (lane 0 first) as one payload integer of ``bits``-bit fields."""
    mask, out = (1 << bits) - 1, 0
    for lane, value in enumerate(words):
        out |= (int(value) & mask) << (lane * bits)
    return out


def unpack_words(value: int, bits: int, count: int) -> tuple[int, ...]:
    """Signed ``bits``-bit fields of ``value``, lane 0 first."""
    mask, half = (1 << bits) - 1, 1 << (bits - 1)
    return tuple(((value >> (i * bits)) & mask) - (((value >> (i * bits)) & half) << 1) for i in range(count))


def random_gemm(rng: np.random.Generator, config: ArrayConfig, shape: GemmShape, label: str) -> LayerCase:
    """A GEMM of ``shape`` with operands across their full ranges (extremes included)."""
    wlo, whi = -(1 << (config.weight_bits - 1)), (1 << (config.weight_bits - 1)) - 1
    alo, ahi = ((-(1 << (config.act_bits - 1)), (1 << (config.act_bits - 1)) - 1) if config.act_signed
                else (0, (1 << config.act_bits) - 1))
    ifmap = rng.integers(alo, ahi + 1, size=(shape.M, shape.K), dtype=np.int64)
    filt = rng.integers(wlo, whi + 1, size=(shape.K, shape.N), dtype=np.int64)
    ifmap.flat[0], filt.flat[0] = alo, wlo        # the largest product's corner
    layer = Layer(name="gemm", kind=LayerKind.LINEAR, N=shape.M, K=shape.N, C=shape.K, P=1, Q=1, R=1, S=1,
                  stride=1, padding=0, inputs=("",), act_bits=config.act_bits, weight_quant=None)
    return LayerCase(label, ifmap, filt, layer)


def sized_down(layer, **sizes):
    """``layer`` with fewer channels or pixels (its kernel, stride and padding kept)."""
    return dataclasses.replace(layer, **sizes)


def layer_case(rng: np.random.Generator, config: ArrayConfig, layer, label: str) -> LayerCase:
    """A conv layer on a random input with random weights in the array's operand ranges."""
    lo, hi = -(1 << (config.weight_bits - 1)), (1 << (config.weight_bits - 1)) - 1
    weights = rng.integers(lo, hi + 1, size=(layer.K, layer.C, layer.R, layer.S), dtype=np.int64)
    ifmap, filt = layer_matrices(layer, weights, rng, config.act_bits, config.act_signed)
    return LayerCase(label, ifmap, filt, layer)


def plan(config: ArrayConfig, spec: SystolicSpec, case: LayerCase) -> LayerPlan:
    """Command, beats, expected outputs and predicted events of one layer."""
    shape = case.shape
    cmd = layer_command(config, spec, shape)
    raw = dram_beats(config, cmd, case.ifmap, case.filt)
    bits = {"ifmap": config.act_bits, "filter": config.weight_bits}
    beats = {name: [pack_words(b, bits[name]) for b in raw[name]] for name in ("ifmap", "filter")}
    expected = [tuple(int(v) for v in b) for b in output_beats(config, cmd, case.ifmap, case.filt)]
    sides = {"ifmap": "left", "filter": "top"} if config.left_operand == "ifmap" else {"ifmap": "top", "filter": "left"}
    bw = {sides[name]: config.bandwidth[name] for name in ("ifmap", "filter")}
    timing = layer_timing(config.dataflow, cmd, bandwidth_left=bw["left"], bandwidth_top=bw["top"],
                          bandwidth_out=config.bandwidth["ofmap"], halves=config.halves)
    engine = schedule_folds(shape, ASSIGNMENT_BY_DATAFLOW[config.dataflow], config.rows, config.cols,
                            bypass_unused=config.bypass)
    stats = simulate_layer(case.layer, spec)
    return LayerPlan(case.label, cmd, beats, expected, timing, engine, stats,
                     spec.buffer_model is BufferModel.FOLD)


def command_word(fields: Mapping[str, tuple[int, int]], cmd: LayerCommand) -> int:
    word = 0
    for name, (offset, width) in fields.items():
        word |= (getattr(cmd, name) & ((1 << width) - 1)) << offset
    return word


@dataclass
class LayerRecord:
    """What the bench saw of one layer (cycles counted from its command, cycle 0)."""

    accepted: int | None = None
    fold_starts: list[int] = field(default_factory=list)
    fold_lengths: list[int] = field(default_factory=list)
    outputs: list[tuple[int, ...]] = field(default_factory=list)
    last_output: int | None = None
    last_flag_at: int | None = None


class ArrayBench:
    """Drives one run of layers through the array's ports, one call pair per cycle.

    ``drive(cycle)`` returns the input port values for the cycle; ``sample(cycle, ports)``
    records the cycle's handshakes from the settled port values.
    """

    def __init__(self, config: ArrayConfig, plans: list[LayerPlan], cmd_fields: Mapping[str, tuple[int, int]]):
        self.config, self.plans = config, plans
        self.cmd_words = [command_word(cmd_fields, p.cmd) for p in plans]
        self.records = [LayerRecord() for _ in plans]
        self.cmd_next = 0                      # the next command to offer
        self.beat_next = {"ifmap": 0, "filter": 0}
        self.out_layer = 0
        self.in_fold_layer = 0                  # the layer whose folds run
        self.cycles = 0

    @property
    def done(self) -> bool:
        return self.out_layer >= len(self.plans)

    def _feeding(self) -> int | None:
        """The layer whose DRAM beats are offered: the newest accepted one (its command taken)."""
        layer = self.cmd_next - 1
        return layer if layer >= 0 else None

    def drive(self) -> dict[str, int]:
        ports = {"o_ofmap__ready": 1, "i_cmd__valid": int(self.cmd_next < len(self.plans)),
                 "i_cmd__payload": self.cmd_words[self.cmd_next] if self.cmd_next < len(self.plans) else 0}
        layer = self._feeding()
        for name in ("ifmap", "filter"):
            beats = self.plans[layer].beats[name] if layer is not None else []
            have = self.beat_next[name] < len(beats)
            ports[f"i_{name}__valid"] = int(have)
            ports[f"i_{name}__payload"] = beats[self.beat_next[name]] if have else 0
        return ports

    def sample(self, cycle: int, ports: Mapping[str, int]) -> None:
        c = self.config
        if ports["i_cmd__valid"] and ports["i_cmd__ready"]:
            self.records[self.cmd_next].accepted = cycle
            self.cmd_next += 1
            self.beat_next = {"ifmap": 0, "filter": 0}
        else:
            for name in ("ifmap", "filter"):
                if ports[f"i_{name}__valid"] and ports[f"i_{name}__ready"]:
                    self.beat_next[name] += 1
        status = ports["o_status"]
        in_fold, first = bool(status & 2), bool(status & 4)
        if in_fold:
            rec = self.records[self.in_fold_layer]
            if first:
                if rec.fold_starts and len(rec.fold_starts) == len(self.plans[self.in_fold_layer].timing.starts):
                    self.in_fold_layer += 1
                    rec = self.records[self.in_fold_layer]
                rec.fold_starts.append(cycle - rec.accepted)
                rec.fold_lengths.append(0)
            if rec.fold_lengths:
                rec.fold_lengths[-1] += 1
        if ports["o_ofmap__valid"] and ports["o_ofmap__ready"]:
            payload = ports["o_ofmap__payload"]
            words = c.bandwidth["ofmap"]
            rec = self.records[self.out_layer]
            rec.outputs.append(unpack_words(payload, c.acc_bits, words))
            if payload >> (words * c.acc_bits) & 1:
                rec.last_flag_at = len(rec.outputs)
            if len(rec.outputs) == len(self.plans[self.out_layer].expected):
                rec.last_output = cycle - rec.accepted
                self.out_layer += 1
        self.cycles = cycle + 1

    def max_cycles(self) -> int:
        return sum(p.timing.drain_last + 50 for p in self.plans) * 4 + 1000


def mismatches(plans: list[LayerPlan], records: list[LayerRecord]) -> tuple[int, int, list[str]]:
    """(layers with wrong outputs, layers with wrong cycles, the first few differences)."""
    out_bad, cyc_bad, first = 0, 0, []

    def note(text: str) -> None:
        if len(first) < 8:
            first.append(text)

    for p, r in zip(plans, records):
        if r.outputs != p.expected or r.last_flag_at != len(p.expected):
            out_bad += 1
            wrong = next((i for i, (a, b) in enumerate(zip(r.outputs, p.expected)) if a != b), None)
            note(f"{p.label}: {len(r.outputs)} output beats (last flag at {r.last_flag_at}), expected "
                 f"{len(p.expected)}" + ("" if wrong is None else
                                         f"; beat {wrong} is {r.outputs[wrong]}, expected {p.expected[wrong]}"))
        fc = p.engine.fold_cycles
        problems = []
        if len(r.fold_starts) != p.engine.folds:
            problems.append(f"{len(r.fold_starts)} folds, engine {p.engine.folds}")
        if any(n != fc for n in r.fold_lengths):
            problems.append(f"fold lengths {sorted(set(r.fold_lengths))}, engine {fc}")
        if tuple(r.fold_starts) != p.timing.starts:
            problems.append(f"fold starts {r.fold_starts[:6]}..., model {list(p.timing.starts[:6])}...")
        if r.fold_starts and r.fold_lengths:
            measured = r.fold_starts[-1] + r.fold_lengths[-1] - 1 - r.fold_starts[0]
            if measured != p.engine.compute_cycles + p.timing.stall_cycles:
                problems.append(f"{measured} cycles, engine compute {p.engine.compute_cycles} + "
                                f"{p.timing.stall_cycles} stalls")
        if r.last_output != p.timing.drain_last:
            problems.append(f"last output in cycle {r.last_output}, model {p.timing.drain_last}")
        if p.fold_buffers and r.fold_starts and r.fold_lengths:
            stats = p.engine_stats
            # the cycles outside the fold lines (first fills, last drain) are the engine's prefetch
            if (measured, r.last_output - measured) != (stats.cycles, stats.extra["prefetch_cycles"]):
                problems.append(f"{measured} cycles, first fold at {r.fold_starts[0]}, last output "
                                f"{r.last_output}; engine (buffer_model fold) {stats.cycles} cycles, "
                                f"{stats.extra['prefetch_cycles']} prefetch")
        if problems:
            cyc_bad += 1
            note(f"{p.label}: " + "; ".join(problems))
    return out_bad, cyc_bad, first


def summary(plans: list[LayerPlan], records: list[LayerRecord], cycles_simulated: int) -> dict[str, Any]:
    out_bad, cyc_bad, first = mismatches(plans, records)
    return {
        "transactions": len(plans), "cycles_simulated": cycles_simulated,
        "cycles_checked": sum(p.timing.drain_last for p in plans),
        "output_mismatches": out_bad, "cycle_mismatches": cyc_bad, "first_mismatches": first,
        "layers": [{"label": p.label, "folds": p.engine.folds, "fold_cycles": p.engine.fold_cycles,
                    "compute_cycles": p.engine.compute_cycles, "stall_cycles": p.timing.stall_cycles,
                    "before_cycles": p.timing.before_cycles, "after_cycles": p.timing.after_cycles,
                    "engine_cycles": p.engine_stats.cycles, "engine_stall_cycles": p.engine_stats.other_cycles,
                    "engine_prefetch_cycles": p.engine_stats.extra["prefetch_cycles"],
                    "engine_buffer_model": "fold" if p.fold_buffers else "other"}
                   for p in plans],
    }


def resnet18_layers():
    """ResNet-18's first conv (7x7, stride 2, pad 3) and a 3x3 conv of its first stage."""
    from hwsim.func.systolic_array import load_layer_network

    network = load_layer_network("resnet18")
    return network.layer("conv1"), network.layer("layer1.0.conv1")


def standard_cases(config: ArrayConfig, spec: SystolicSpec, params: Mapping[str, Any],
                   rng: np.random.Generator) -> list[LayerCase]:
    """The layers one run sends: ``params``' layer of ``model`` when given, else a GEMM the array
    does not divide and two ResNet-18 layers sized down (fewer channels and pixels) so that a
    small array runs them in a few thousand cycles.  Each dimension on the array's rows and
    columns leaves a partial last fold."""
    if params.get("model") is not None:
        from hwsim.func.systolic_array import load_layer_network

        layer = load_layer_network(params["model"]).layer(params["layer"])
        return [layer_case(rng, config, layer, f"{params['model']}:{layer.name}")]
    r, c = config.rows, config.cols
    time = min(config.max_time, 2 * max(r, c) + 3)
    gemm = random_gemm(rng, config, gemm_shape(r + r // 2 + 1, c + 1, time, config.dataflow),
                       f"gemm {r + r // 2 + 1}x{c + 1}x{time} (rows x cols x time)")
    conv1, stage1 = resnet18_layers()
    small1 = sized_down(conv1, K=c + 1, P=2, Q=2)           # reduction 3 x 7 x 7 = 147
    small2 = sized_down(stage1, C=3, K=c + 2, P=3, Q=3)      # reduction 3 x 3 x 3 = 27
    cases = [gemm]
    for layer, text in ((small1, "resnet18:conv1"), (small2, "resnet18:layer1.0.conv1")):
        shape = GemmShape.of_layer(layer)
        a = ASSIGNMENT_BY_DATAFLOW[config.dataflow]
        if shape.size(a.time) <= config.max_time:
            cases.append(layer_case(rng, config, layer, f"{text} sized down to C={layer.C} K={layer.K} "
                                                        f"P={layer.P} Q={layer.Q}"))
    return cases
