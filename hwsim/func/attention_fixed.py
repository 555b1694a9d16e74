"""Fixed-point reference of step 4 of sparse attention (exact attention over the kept keys).

:mod:`hwsim.func.sparse_attention` does step 4 in float64, which integer RTL cannot match
bit for bit; this module is the integer version ``rtl/attention_engine.py`` computes, and
its outputs are what the RTL is checked against, bit for bit.  Steps 1-3 (4-bit scores,
top-k with lower-index tie-break) are unchanged and reused.

Per query ``i`` with kept keys ``j`` (Q, K, V quantized per tensor to 8-bit signed integers
``q8, k8, v8`` with scales ``sq, sk, sv``):

1. ``s_j = q8_i . k8_j`` exactly (``SCORE_BITS`` signed bits for D <= 16).
2. Softmax in base 2: the real exponent is ``(s_j - s_max) * c`` with
   ``c = log2(e) / (sq * sk * sqrt(D))``; ``c`` is given as the integer
   ``mult = rint(c * 2**(FRAC_BITS + MULT_FRAC_BITS))`` (``MULT_BITS`` unsigned bits), so
   ``x_j = ((s_max - s_j) * mult) >> MULT_FRAC_BITS`` is the distance from the largest score
   in units of ``2**-FRAC_BITS``.  ``e_j = EXP2_TABLE[x_j mod 2**FRAC_BITS] >> (x_j >> FRAC_BITS)``
   (0 once the shift exceeds ``EXP_BITS``), with ``EXP2_TABLE[f] = rint(2**EXP_BITS * 2**(-f / 2**FRAC_BITS))``:
   a 16-entry table for the fraction, a shift for the integer part; the largest score gets
   exactly ``2**EXP_BITS``.
3. ``total = sum_j e_j`` (at least ``2**EXP_BITS``), ``recip = 2**RECIP_BITS // total``
   (one integer division per query).
4. ``acc_d = sum_j e_j * v8_jd`` and ``out_d = (acc_d * recip + 2**(RECIP_BITS - OUT_FRAC_BITS - 1))
   >> (RECIP_BITS - OUT_FRAC_BITS)`` (arithmetic shift: rounds half up): the output in V's
   integer units with ``OUT_FRAC_BITS`` fraction bits, ``|out| <= 127 * 2**OUT_FRAC_BITS``.

``out / (2**OUT_FRAC_BITS * sv)`` approximates the float64 step 4; ``tests/test_attention_fixed.py``
bounds the difference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsim.errors import WorkloadError
from hwsim.func.sparse_attention import approximate_scores, check_top_k, quantize_per_tensor, topk_indices
from hwsim.sim.attention.topk_unit import score_bits_needed

VALUE_BITS = 8          # Q, K, V of the exact step
FRAC_BITS = 4           # fraction bits of the base-2 exponent (16-entry table)
EXP_BITS = 15           # e of the largest score is 2**15
MULT_FRAC_BITS = 16     # fraction bits of the score-to-exponent multiplier beyond FRAC_BITS
MULT_BITS = 24          # unsigned width of ``mult``
RECIP_BITS = 32         # recip = 2**32 // total
OUT_FRAC_BITS = 8       # fraction bits of an output element
OUT_BITS = VALUE_BITS + OUT_FRAC_BITS + 2   # signed; holds +-127 * 2**8 after rounding
MAX_HEAD_DIM = 16
MAX_TOP_K = 16

EXP2_TABLE: tuple[int, ...] = tuple(int(np.rint(2.0 ** EXP_BITS * 2.0 ** (-f / (1 << FRAC_BITS))))
                                    for f in range(1 << FRAC_BITS))


def score_bits(head_dim: int) -> int:
    """Signed width of an exact score of D 8-bit products."""
    return score_bits_needed(head_dim, VALUE_BITS)


@dataclass(frozen=True)
class FixedRequest:
    """One head's integer operands: 4-bit Q/K for selection, 8-bit Q/K/V and the multiplier."""

    q4: np.ndarray
    k4: np.ndarray
    q8: np.ndarray
    k8: np.ndarray
    v8: np.ndarray
    mult: int
    v_scale: float


@dataclass(frozen=True)
class FixedAttentionResult:
    """Integer outputs ``[L, D]`` (``OUT_FRAC_BITS`` fraction bits), kept keys ``[L, k]``, float output."""

    out: np.ndarray
    kept: np.ndarray
    output: np.ndarray


def score_multiplier(q_scale: float, k_scale: float, head_dim: int) -> int:
    """``mult`` of step 2 for the tensors' 8-bit scales; refused when it does not fit ``MULT_BITS``."""
    if q_scale == 0.0 or k_scale == 0.0:
        return 0  # an all-zero Q or K: every score is 0, the softmax is uniform whatever mult is
    mult = int(np.rint(np.log2(np.e) / (q_scale * k_scale * np.sqrt(head_dim)) * 2.0 ** (FRAC_BITS + MULT_FRAC_BITS)))
    if mult >= 1 << MULT_BITS:
        raise WorkloadError(f"score multiplier {mult} does not fit {MULT_BITS} bits: Q and K are too large "
                            f"(scales {q_scale:.3g}, {k_scale:.3g})")
    return mult


def fixed_request(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> FixedRequest:
    """Quantize one head's float ``[L, D]`` Q, K, V into the integer request the RTL loads."""
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    if q.ndim != 2 or q.shape != k.shape or k.shape != v.shape:
        raise WorkloadError(f"fixed-point attention needs Q, K, V of one [L, D] shape, got {q.shape}, {k.shape}, {v.shape}")
    if not 1 <= q.shape[1] <= MAX_HEAD_DIM:
        raise WorkloadError(f"head dim D = {q.shape[1]}: the fixed-point datapath takes 1..{MAX_HEAD_DIM}")
    q8, k8, v8 = (quantize_per_tensor(a, VALUE_BITS) for a in (q, k, v))
    return FixedRequest(quantize_per_tensor(q, 4).values, quantize_per_tensor(k, 4).values, q8.values, k8.values,
                        v8.values, score_multiplier(q8.scale, k8.scale, q.shape[1]), v8.scale)


def exp2_weight(distance: int) -> int:
    """``e`` of step 2 for a non-negative distance in units of ``2**-FRAC_BITS``."""
    shift = distance >> FRAC_BITS
    return 0 if shift > EXP_BITS else EXP2_TABLE[distance & ((1 << FRAC_BITS) - 1)] >> shift


def attend_fixed(q8_row: np.ndarray, k8_kept: np.ndarray, v8_kept: np.ndarray, mult: int) -> list[int]:
    """Steps 1-4 for one query over its kept keys (rows of ``k8_kept``/``v8_kept``), in Python ints."""
    scores = [int(np.dot(q8_row.astype(np.int64), row.astype(np.int64))) for row in k8_kept]
    top = max(scores)
    weights = [exp2_weight(((top - s) * mult) >> MULT_FRAC_BITS) for s in scores]
    recip = (1 << RECIP_BITS) // sum(weights)
    shift = RECIP_BITS - OUT_FRAC_BITS
    out = []
    for d in range(v8_kept.shape[1]):
        acc = sum(w * int(row[d]) for w, row in zip(weights, v8_kept))
        out.append((acc * recip + (1 << (shift - 1))) >> shift)
    return out


def fixed_attention(request: FixedRequest, top_k: int) -> FixedAttentionResult:
    """Top-k selection on the 4-bit scores, then the fixed-point step 4 for every query."""
    check_top_k(top_k, request.k4.shape[0])
    kept = topk_indices(approximate_scores(request.q4, request.k4), top_k)
    out = np.array([attend_fixed(request.q8[i], request.k8[idx], request.v8[idx], request.mult)
                    for i, idx in enumerate(kept)], dtype=np.int64)
    scale = (1 << OUT_FRAC_BITS) * request.v_scale
    output = out / scale if scale else np.zeros(out.shape)
    return FixedAttentionResult(out, kept, output)
