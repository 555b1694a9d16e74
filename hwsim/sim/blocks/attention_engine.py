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
from hwsim.func import attention_fixed as fx
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

    DSP48E1: per lane the exact score's 8x8 product, the weighted sum's 16x8 product (its
    accumulator folds into the DSP's P register) and the 28x19-bit output product (four
    slices), plus the score-to-exponent product (two slices once its operand passes 18 bits).
    The divider (``2**32 // total``, combinational) is 33 subtract-and-select rows (Yosys
    builds them at the numerator's plus the divisor's width, hence its many carry cells).
    Memories: Q, V and K (K with two read ports, so two copies in block RAM) are block RAM
    (512 x 72 per RAMB36) above 64 words and RAM32M (32 words x 6 bits, 4 LUTs) otherwise
    (Yosys maps 16 words to LUT RAM and 256 to block RAM; the threshold between is assumed).
    """
    d, k, max_len = params["head_dim"], params["k"], params["max_len"]
    approx = accumulator_bits(d, 4)
    score = lut_score_resources(spec, {"lanes": d, "qk_bits": 4, "head_dim": d, "score_bits": None})
    index_bits = max(1, (max_len - 1).bit_length())
    topk = topk_resources(spec, {"k": k, "score_bits": approx, "index_bits": index_bits})
    exact_bits = fx.score_bits(d)
    counter_bits = 5 * max_len.bit_length()
    ff = k * (exact_bits + index_bits + fx.EXP_BITS + 1) + exact_bits + 2 * (fx.EXP_BITS + 3) + counter_bits + 10
    rows = (12 * d, 12 * d, 8 * d)          # Q (4 + 8 bits), K (4 + 8 bits), V (8 bits) per element
    if max_len > 64:
        bram = sum(copies * ceil(bits / 72) * ceil(max_len / 512) for bits, copies in zip(rows, (1, 2, 1)))
        ram_luts = 0
    else:
        bram = 0
        ram_luts = 4 * sum(ceil(bits / 6) for bits in rows) * ceil(max_len / 32)
        ff += sum(rows) + rows[1]          # read registers outside the LUT RAM
    divider_rows = fx.RECIP_BITS + 1
    divider = divider_rows * (fx.EXP_BITS + 4)
    dsp = 6 * d + (1 if exact_bits + 1 <= 18 else 2)
    lut = divider + ram_luts + k * (exact_bits + fx.EXP_BITS + index_bits) + d * fx.OUT_BITS + 100
    # Yosys's division array subtracts at the full numerator + divisor width in every row
    total_bits = (k << fx.EXP_BITS).bit_length()
    carry = divider_rows * ceil((divider_rows + total_bits) / 4) + ceil(exact_bits * d / 4)
    return FpgaResources(lut=score.lut + topk.lut + lut, ff=score.ff + topk.ff + ff,
                         carry=score.carry + topk.carry + carry, bram=bram, dsp=dsp)
