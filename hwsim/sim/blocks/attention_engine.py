"""Cycle model of ``rtl/attention_engine.py`` (one head; requests of L tokens back to back), and
its FPGA-resource estimate.

The RTL is a pipeline of four stages with two banks of Q/K/V memories between load and the rest:

* **load**: a request's L tokens, one per cycle, into the free bank;
* **selection**: per query, the score unit streams the L keys into top-k, which then emits
  the k kept keys (``topk_query_cycles(L, k) = L + k`` cycles at top-k's input); each kept
  key's exact 8-bit score is computed as it comes out;
* **weighing** (k + 1 cycles): ``e_j``, then ``sum_j e_j v8_j`` and ``sum_j e_j`` over the kept
  keys at once, one entry a cycle, the accumulation a cycle behind the weight;
* **normalising**: a sequential division (``divide_cycles(k)``), the output row.

Weighing and normalising of query i run under the selection of query i+1, and the next
request loads into the other bank meanwhile, so selection is the only stage a request waits
for: request r starts (its first score enters top-k) when request r-1's selection is done,
``L (L + k)`` cycles = :func:`engine_head_cycles` after r-1 started, unless its own load is
not finished by then.  Fill and drain are separate latencies: ``FEED_CYCLES`` from a request's
last token to its first score when the pipeline is empty, ``exact_tail_cycles(k)`` from a
query's last kept key to its output row.  A bank is free for the next load ``k +
BANK_FREE_CYCLES`` cycles after its request's selection ends (its last query's V rows read).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any, Mapping, Sequence

from hwsim.cost.fpga_resources import FpgaResources
from hwsim.func import attention_fixed as fx
from hwsim.sim.attention.fpga_estimate import lut_score_resources, topk_resources
from hwsim.sim.attention.lut_score_unit import LATENCY_CYCLES, accumulator_bits, score_cycles
from hwsim.sim.attention.topk_unit import topk_query_cycles

FEED_CYCLES = 4
"""Last token accepted -> first score into top-k: the bank's flag, the feed starting, the key
read, the score unit's register."""
QUOTIENT_BITS = fx.RECIP_BITS - fx.EXP_BITS + 1
"""``recip = 2**32 // total`` <= 2**17: the top score's weight alone makes ``total >= 2**15``."""


def row_bits(max_len: int) -> int:
    """Bits of a row (token) address for sequences of up to ``max_len`` tokens."""
    return max(1, (max_len - 1).bit_length())


def weighted_sum_bits(k: int) -> int:
    """Signed bits of a lane's weighted sum over ``k`` kept keys (weight x value, plus sign)."""
    return fx.EXP_BITS + 1 + fx.VALUE_BITS + k.bit_length() + 1


# Fitted to Yosys with the coefficients below (engine_resources): the LUTs and carry cells of the
# controller, its counters and address multiplexers, which are not counted bit by bit.
CONTROL_LUTS = 200
CONTROL_CARRIES = 40


def divide_cycles(k: int) -> int:
    """Cycles of the sequential division: the most (fewest quotient bits per cycle, each cycle
    a whole number of them) that keep divide + output within ``2k`` cycles, the shortest
    selection of a query (L = k)."""
    return max(c for c in range(1, QUOTIENT_BITS + 1) if QUOTIENT_BITS % c == 0 and c <= 2 * k - 1)


def exact_tail_cycles(k: int) -> int:
    """A query's last kept key -> its output row: the kept key's row read (exact score), the copy
    into the weighing registers, k weights, the last accumulation, the division, the output."""
    return 2 + k + 1 + divide_cycles(k) + 1


BANK_FREE_CYCLES = 3
"""Beyond k, a request's last kept key -> the first token the freed bank can take: exact score,
copy, and the cycle after the last V row is read."""


@dataclass(frozen=True)
class RequestTiming:
    """Cycles of one request, counted from the first request's first token (cycle 0).

    ``load_start``/``load_end``: its first and last token accepted; ``start``: its first score
    into top-k; ``rows``: the cycle each output row is taken.
    """

    length: int
    load_start: int
    load_end: int
    start: int
    select_end: int
    rows: tuple[int, ...]

    @property
    def end(self) -> int:
        return self.rows[-1]


def selection_cycles(length: int, k: int) -> int:
    """Cycles a request of ``length`` tokens holds the selection stage: ``L (L + k)``."""
    if not 1 <= k <= length:
        raise ValueError(f"a request of L = {length} tokens cannot keep k = {k} keys (needs 1 <= k <= L)")
    return length * int(topk_query_cycles(length, k))


def schedule(lengths: Sequence[int], k: int) -> tuple[RequestTiming, ...]:
    """Every request's cycles when tokens are always offered and output rows always taken."""
    out: list[RequestTiming] = []
    for r, length in enumerate(lengths):
        select = selection_cycles(length, k)
        load_start = out[-1].load_end + 1 if out else 0
        if r >= 2:  # its bank held request r-2 until that one's last V rows were read
            load_start = max(load_start, out[r - 2].select_end + k + BANK_FREE_CYCLES)
        load_end = load_start + length - 1
        start = load_end + FEED_CYCLES
        if out:
            start = max(start, out[-1].select_end + 1)
        per_query = int(topk_query_cycles(length, k))
        rows = tuple(start + (q + 1) * per_query - 1 + exact_tail_cycles(k) for q in range(length))
        out.append(RequestTiming(length, load_start, load_end, start, start + select - 1, rows))
    return tuple(out)


def engine_head_cycles(length: int, head_dim: int, k: int) -> int:
    """The per-head model's score/top-k cycles for one head with one score unit (``lanes = D``) and one top-k unit."""
    return length * max(int(score_cycles(length, head_dim, head_dim)) - LATENCY_CYCLES,
                        int(topk_query_cycles(length, k)))


def engine_resources(spec: Any, params: Mapping[str, Any]) -> FpgaResources:
    """Score unit and top-k (their own estimates) plus the exact datapath, memories and control.

    Counted as Yosys's xc7 statistics count them (``hwsim rtl area``): one per LUT, RAM32M/RAM64M,
    block RAM (RAMB18 or RAMB36) and DSP48E1 cell.  DSP48E1: per lane the exact score's 8x8
    product, the weighted sum's 16x8 product (its accumulator folds into the DSP's P register)
    and the wide output product (four slices), plus the score-to-exponent product (two slices
    once its operand passes 18 bits).  Memories: five (4-bit Q and K, 8-bit Q, K and V), two
    banks of ``2 << row_bits`` words: RAM32M (6 bits of 32 words) up to 32 words, RAM64M (3
    bits of 64) at 64, block RAM (72 bits of 512 words, narrower ones in a RAMB18) from 128, as
    Yosys maps them.  Flip-flops: the registers, counted (both copies of the accumulators live in
    DSP registers; a LUT RAM's read register is flip-flops, a block RAM's is inside it).  LUTs
    beyond the divider's rows (a subtracter and a select per remainder bit) and carries are
    not counted bit by bit: their coefficients (2.5 LUTs per accumulator bit of a lane, for the
    output product's adders and rounding; one per rotating weighing-register bit; 12 per address
    bit; a third of a CARRY4 per accumulator bit) are fitted to Yosys on five designs, D = 4-16,
    k = 4-16, ``max_len`` 16-256 (BENCHMARKS.md): LUTs and flip-flops within 3 %.
    """
    d, k, max_len = params["head_dim"], params["k"], params["max_len"]
    score = lut_score_resources(spec, {"lanes": d, "qk_bits": 4, "head_dim": d, "score_bits": None})
    rows = row_bits(max_len)
    topk = topk_resources(spec, {"k": k, "score_bits": accumulator_bits(d, 4), "index_bits": rows})
    exact_bits = fx.score_bits(d)
    total_bits = (k << fx.EXP_BITS).bit_length()
    acc_bits = weighted_sum_bits(k)
    cycles = divide_cycles(k)
    entries = k * (exact_bits + rows) + exact_bits          # kept keys, exact scores, maximum
    ff = (1 + rows + 4 + 2 * (rows + 1 + fx.MULT_BITS)  # load: bank, row, flags, lengths, multipliers
          + 3 + 2 * rows + 3 + 3 * rows                 # key feed, top-k's request and query
          + entries + 6 + entries + 3 + k.bit_length() + fx.EXP_BITS + 1 + total_bits  # selection, weighing
          + 3 + 2 * total_bits + (cycles - 1).bit_length() + QUOTIENT_BITS)  # normalising
    depth = 2 << rows
    widths = (4 * d, 4 * d, 8 * d, 8 * d, 8 * d)
    if depth >= 128:
        bram, ram_cells = sum(ceil(w / 72) * ceil(depth / 512) for w in widths), 0
    else:
        bram, ram_cells = 0, sum(ceil(w / (6 if depth <= 32 else 3)) for w in widths)
        ff += sum(widths)  # a LUT RAM's synchronous read port is a register beside it
    divider_rows = QUOTIENT_BITS // cycles
    lut = (divider_rows * 2 * (total_bits + 1) + CONTROL_LUTS + 5 * d * acc_bits // 2 + k * (exact_bits + rows)
           + 12 * rows + ram_cells)
    carry = CONTROL_CARRIES + d * acc_bits // 3 + 2 * rows
    dsp = 6 * d + (1 if exact_bits + 1 <= 18 else 2)
    return FpgaResources(lut=score.lut + topk.lut + lut, ff=score.ff + topk.ff + ff,
                         carry=score.carry + topk.carry + carry, bram=bram, dsp=dsp)
