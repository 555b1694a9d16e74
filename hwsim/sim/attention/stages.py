"""Cycles and action counts of one pipeline stage for many sequences at once.

The accelerator has one engine per *machine* (a coarse pipeline slot) that every block
reuses; a block's stage runs on the machine of the same role.  A stage's cycles are the
largest of what its engines need, since they stream into each other: the DSP array, the LUT
score units and top-k units (attention, top-k designs), the vector unit, and DRAM for the
stage's weights (read once per batch, so each sequence carries ``1/batch`` of them).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

from hwsim.sim.attention.lut_score_unit import score_cycles
from hwsim.sim.attention.topk_unit import topk_query_cycles
from hwsim.spec.attention import AttentionSpec
from hwsim.workload.transformer import ATTENTION_STAGES, BlockKind, Stage, TransformerWorkload


class Machine(int, Enum):
    """Pipeline slots in order; each has its share of the DSP pool."""

    QKV = 0
    ATTENTION = 1
    OUTPUT = 2
    FFN_UP = 3
    FFN_DOWN = 4


MACHINE_OF_STAGE: dict[Stage, Machine] = {
    Stage.QKV: Machine.QKV, Stage.CROSS_QKV: Machine.QKV,
    Stage.ATTENTION: Machine.ATTENTION, Stage.CROSS_ATTENTION: Machine.ATTENTION,
    Stage.OUTPUT: Machine.OUTPUT, Stage.CROSS_OUTPUT: Machine.OUTPUT,
    Stage.FFN_UP: Machine.FFN_UP, Stage.FFN_DOWN: Machine.FFN_DOWN,
}

# A block goes through the pipeline as one pass (encoder) or two (decoder: self-attention,
# then cross-attention and FFN); a pass has at most one stage per machine, in machine order.
PASSES: dict[BlockKind, tuple[tuple[Stage, ...], ...]] = {
    BlockKind.ENCODER: ((Stage.QKV, Stage.ATTENTION, Stage.OUTPUT, Stage.FFN_UP, Stage.FFN_DOWN),),
    BlockKind.DECODER: ((Stage.QKV, Stage.ATTENTION, Stage.OUTPUT),
                        (Stage.CROSS_QKV, Stage.CROSS_ATTENTION, Stage.CROSS_OUTPUT, Stage.FFN_UP, Stage.FFN_DOWN)),
}


@dataclass(frozen=True)
class StageCost:
    """Per-sequence cycles of a stage, the DSP-bound part of them, and action counts (arrays)."""

    cycles: np.ndarray
    dsp_cycles: np.ndarray
    dsp_macs: np.ndarray
    counts: dict[str, np.ndarray]


def stage_cost(
    stage: Stage, workload: TransformerWorkload, spec: AttentionSpec, lengths: np.ndarray,
    dsp: int, batch_of_sequence: np.ndarray,
) -> StageCost:
    """Cost of ``stage`` for sequences of (effective) ``lengths`` with ``dsp`` DSPs on its machine.

    ``batch_of_sequence`` is the size of each sequence's batch (weights are shared by it).
    """
    work = workload.stage_work(stage, lengths, sparse=spec.sparse)
    pool = spec.dsp_pool
    sparse_attention = spec.sparse and stage in ATTENTION_STAGES
    score_macs = work.exact_score_macs if sparse_attention else work.score_macs
    dsp_macs = work.proj_macs + score_macs + work.value_macs
    dsp_cycles = -(-dsp_macs // (dsp * pool.macs_per_dsp)) + pool.pipeline_latency_cycles
    vector_ops = work.softmax_elems + work.norm_elems + work.activation_elems
    vector_cycles = -(-vector_ops // spec.vector_unit.lanes)
    bytes_per_cycle = spec.memory.dram_bandwidth_gb_s * 1e9 / (spec.clock_mhz * 1e6)
    dram_bytes = work.weight_bytes / batch_of_sequence
    memory_cycles = np.ceil(dram_bytes / bytes_per_cycle).astype(np.int64)
    cycles = np.maximum.reduce([dsp_cycles, vector_cycles, memory_cycles])
    counts = {
        "dsp.mac": dsp_macs,
        "vector.op": vector_ops,
        "bram.byte": work.act_bytes + work.weight_bytes,  # activations in/out, weights fed to the array
        "dram.byte": dram_bytes,
    }
    if sparse_attention:
        score, topk = spec.score_engine, spec.topk_unit
        L = np.asarray(lengths, dtype=np.int64)
        queries = workload.heads * L
        # Each query's L keys are spread over the score units; the top-k units take one query each.
        score_cyc = np.ceil(queries * score_cycles(L, workload.head_dim, score.lanes) / score.units).astype(np.int64)
        topk_cyc = -(-queries // topk.units) * topk_query_cycles(L, workload.top_k)
        cycles = np.maximum.reduce([cycles, score_cyc, topk_cyc])
        counts["score.lut_mac"] = work.score_macs
        counts["topk.compare"] = work.score_count
    return StageCost(cycles.astype(np.int64), dsp_cycles.astype(np.int64), dsp_macs, counts)
