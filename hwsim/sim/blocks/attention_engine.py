"""Cycle model of ``rtl/attention_engine.py`` (one head, one request of L tokens), and its
FPGA-resource estimate.

A request loads its L tokens (one per cycle), then handles its queries one after another.
One query: the first key's read, the score unit streaming the L keys into top-k
(``topk_query_cycles(L, k)`` cycles from the first score to the last kept key, plus the
score unit's ``LATENCY_CYCLES``), the last kept key's read, ``k`` cycles of base-2 weights,
one division, ``k`` cycles of weighted sums, one output cycle.  Nothing overlaps, so

    request_cycles(L, k) = L + L * (L + 3k + 5)      (lanes = D: one beat per key)

:func:`engine_head_cycles` is what the attention engine's per-head model
(``hwsim.sim.attention.stages``) charges the score and top-k units for the same head with
one unit of each: ``L * max(score_cycles, topk_query_cycles)`` = ``L * (L + k)``.  It
overlaps the exact attention of a query with the selection of the next (on the DSP array
and vector unit, charged separately) and loads Q/K/V in the QKV stage, so the RTL's
sequential engine takes ``L + L * (2k + 5)`` more cycles than that figure.
"""

from __future__ import annotations

from math import ceil
from typing import Any, Mapping

from hwsim.cost.fpga_resources import FpgaResources
from hwsim.sim.attention.fpga_estimate import lut_score_resources, topk_resources
from hwsim.sim.attention.lut_score_unit import LATENCY_CYCLES, accumulator_bits, score_cycles
from hwsim.sim.attention.topk_unit import topk_query_cycles

READ_CYCLES = 2      # the memories' synchronous reads: first key to the score unit, last kept key's row
DIVIDE_CYCLES = 1
OUTPUT_CYCLES = 1


def query_cycles(length: int, k: int) -> int:
    """One query, from its first key sent to the score unit to its output row."""
    return READ_CYCLES + LATENCY_CYCLES + int(topk_query_cycles(length, k)) + k + DIVIDE_CYCLES + k + OUTPUT_CYCLES


def request_cycles(length: int, k: int) -> int:
    """One request of ``length`` tokens, first token accepted to last output row taken, no stalls."""
    if not 1 <= k <= length:
        raise ValueError(f"a request of L = {length} tokens cannot keep k = {k} keys (needs 1 <= k <= L)")
    return length + length * query_cycles(length, k)


def engine_head_cycles(length: int, head_dim: int, k: int) -> int:
    """The per-head model's score/top-k cycles for one head with one score unit (``lanes = D``) and one top-k unit."""
    return length * max(int(score_cycles(length, head_dim, head_dim)) - LATENCY_CYCLES,
                        int(topk_query_cycles(length, k)))


def engine_resources(spec: Any, params: Mapping[str, Any]) -> FpgaResources:
    """Score unit and top-k (their own estimates) plus the exact datapath, counted from its structure.

    The exact datapath: D 8x8 products for the exact score and D 16x8 for the weighted sums
    (Yosys maps wide ones to DSP48E1s, narrow ones to LUTs; counted here as DSPs), the
    k-entry rotating registers, D accumulators, and a 33/18-bit combinational divider
    (about 33 x 18 LUTs on carry chains).  The memories are LUT RAM (asynchronous reads).
    """
    d, k, max_len = params["head_dim"], params["k"], params["max_len"]
    approx = accumulator_bits(d, 4)
    score = lut_score_resources(spec, {"lanes": d, "qk_bits": 4, "head_dim": d, "score_bits": None})
    index_bits = max(1, (max_len - 1).bit_length())
    topk = topk_resources(spec, {"k": k, "score_bits": approx, "index_bits": index_bits})
    exact_bits = 2 * 7 + d.bit_length() + 2
    acc_bits = 16 + 8 + k.bit_length() + 1
    ff = k * (exact_bits + index_bits + 16) + d * acc_bits + 32 + 24 + 5 * 9
    divider = 33 * 18
    row_bits = d * (4 + 4 + 8 + 8 + 8)
    ram_luts = ceil(max_len / 64) * row_bits * 2     # two read ports of K, one each of Q and V
    lut = divider + ram_luts + d * acc_bits + k * 16 + 200
    return FpgaResources(lut=score.lut + topk.lut + lut, ff=score.ff + topk.ff + ff,
                         carry=score.carry + topk.carry + ceil(divider / 4) + ceil(d * acc_bits / 4), dsp=2 * d)
