"""Bit-exact reference of top-k sparse attention (Peng et al., DAC 2022), and dense attention.

The operator, for one head with queries Q (L x D), keys K (L_kv x D), values V (L_kv x D):

1. Quantize Q and K per tensor to ``bits``-bit signed integers:
   ``x' = rint(m / M * x)`` with ``m = 2**(bits-1) - 1`` (7 for 4 bits) and ``M = max|x|``
   over the whole tensor (all heads); ``rint`` rounds half to even.  An all-zero tensor
   quantizes to zeros.
2. Approximate scores: the integer dot products ``S'[i, j] = sum_d Q'[i, d] * K'[j, d]``
   (what the lookup-table multipliers and their adder tree compute; exact in int32).
3. Top-k per query on ``S'``: the k largest scores; among equal scores the key with the
   lower index is kept (it arrived earlier in the stream).  Kept indices are listed by
   descending score, ties by ascending index; this order is what ``topk_unit`` emits.
4. Exact attention on the kept keys only: ``softmax(Q K_kept^T / sqrt(D)) V_kept`` in float64.

Dense attention is the same step 4 over all keys.  Integers are int64 internally, so no
overflow whatever D is (the RTL bounds D by its accumulator width).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsim.errors import WorkloadError


@dataclass(frozen=True)
class QuantizedTensor:
    """Integers ``values`` with ``values ~= scale * x`` (``scale = m / max|x|``)."""

    values: np.ndarray
    scale: float
    bits: int


@dataclass(frozen=True)
class SparseAttentionResult:
    """Output (``[..., L, D]`` float64), kept key indices (``[..., L, k]``) and approximate scores."""

    output: np.ndarray
    kept: np.ndarray
    approx_scores: np.ndarray


def max_level(bits: int) -> int:
    """Largest magnitude of a ``bits``-bit symmetric signed integer (7 for 4 bits)."""
    if not 2 <= bits <= 16:
        raise WorkloadError(f"quantization bits = {bits}: expected an integer in [2, 16]")
    return (1 << (bits - 1)) - 1


def quantize_per_tensor(x: np.ndarray, bits: int = 4) -> QuantizedTensor:
    """``rint(m / max|x| * x)`` over the whole tensor, as int64."""
    level = max_level(bits)
    x = np.asarray(x, dtype=np.float64)
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if peak == 0.0:
        return QuantizedTensor(np.zeros(x.shape, dtype=np.int64), 0.0, bits)
    scale = level / peak
    values = np.clip(np.rint(x * scale), -level, level).astype(np.int64)
    return QuantizedTensor(values, scale, bits)


def lut_product_table(bits: int = 4) -> np.ndarray:
    """The multiplier's lookup table: ``table[a & mask, b & mask] = a * b`` for signed a, b.

    Indexed by the two's-complement codes of the operands (what the hardware address is), so
    ``table[(a % 2**bits), (b % 2**bits)]`` is the product of signed ``a`` and ``b``.
    """
    size = 1 << bits
    codes = np.arange(size)
    signed = np.where(codes >= size // 2, codes - size, codes)
    return np.outer(signed, signed).astype(np.int64)


def lut_magnitude_table(bits: int = 4) -> np.ndarray:
    """The hardware's smaller table: ``table[|a|, |b|] = |a| * |b|`` for ``|a|, |b| <= 2**(bits-1) - 1``.

    With 4-bit operands this is 8 x 8 entries of 6 bits, a 6-input function per output bit,
    i.e. one LUT6 each; the sign is ``sign(a) xor sign(b)``.  Equal to :func:`lut_product_table`
    on every symmetric operand pair (the quantizer never produces ``-2**(bits-1)``).
    """
    size = 1 << (bits - 1)
    return np.outer(np.arange(size), np.arange(size)).astype(np.int64)


def approximate_scores(q_int: np.ndarray, k_int: np.ndarray) -> np.ndarray:
    """Integer scores ``Q' K'^T`` over the last axis (``[..., L, D] x [..., L_kv, D]``)."""
    return np.matmul(np.asarray(q_int, dtype=np.int64), np.swapaxes(np.asarray(k_int, dtype=np.int64), -1, -2))


def topk_indices(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest entries along the last axis, by descending score.

    Ties go to the lower index (a stable sort of the negated scores).
    """
    scores = np.asarray(scores)
    keys = scores.shape[-1]
    check_top_k(k, keys)
    order = np.argsort(-scores.astype(np.float64), axis=-1, kind="stable")
    return order[..., :k]


def check_top_k(k: int, keys: int) -> None:
    """Reject a ``k`` outside ``[1, keys]`` with one sentence."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= keys:
        raise WorkloadError(f"top_k = {k!r}: must be an integer in [1, {keys}] (the number of keys)")


def dense_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``softmax(Q K^T / sqrt(D)) V`` in float64 over ``[..., L, D]`` arrays."""
    q, k, v = _checked(q, k, v)
    return _softmax_weighted(np.matmul(q, np.swapaxes(k, -1, -2)) / np.sqrt(q.shape[-1]), v)


def sparse_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, top_k: int, bits: int = 4) -> SparseAttentionResult:
    """Top-k sparse attention: approximate 4-bit scores pick the keys, exact attention on them."""
    q, k, v = _checked(q, k, v)
    check_top_k(top_k, k.shape[-2])
    approx = approximate_scores(quantize_per_tensor(q, bits).values, quantize_per_tensor(k, bits).values)
    kept = topk_indices(approx, top_k)
    # Gather the kept keys and values per query: [..., L, k, D].
    k_kept = np.take_along_axis(k[..., None, :, :], kept[..., :, :, None], axis=-2)
    v_kept = np.take_along_axis(v[..., None, :, :], kept[..., :, :, None], axis=-2)
    exact = np.einsum("...ld,...lkd->...lk", q, k_kept) / np.sqrt(q.shape[-1])
    weights = _softmax(exact)
    output = np.einsum("...lk,...lkd->...ld", weights, v_kept)
    return SparseAttentionResult(output, kept, approx)


def topk_recall(kept: np.ndarray, q: np.ndarray, k: np.ndarray) -> float:
    """Mean fraction of each query's exact top-k keys (float scores) that ``kept`` contains."""
    exact = np.matmul(np.asarray(q, dtype=np.float64), np.swapaxes(np.asarray(k, dtype=np.float64), -1, -2))
    best = topk_indices(exact, kept.shape[-1])
    hits = (kept[..., :, :, None] == best[..., :, None, :]).any(axis=-1).sum(axis=-1)
    return float(np.mean(hits / kept.shape[-1]))


def relative_error(output: np.ndarray, reference: np.ndarray) -> float:
    """``||output - reference||_F / ||reference||_F`` (0 when both are zero)."""
    norm = float(np.linalg.norm(reference))
    diff = float(np.linalg.norm(np.asarray(output) - np.asarray(reference)))
    return diff / norm if norm else diff


def _checked(q, k, v):
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    if q.ndim < 2 or k.ndim != q.ndim or v.ndim != q.ndim:
        raise WorkloadError(f"attention inputs need [..., L, D] arrays of one rank, got {q.shape}, {k.shape}, {v.shape}")
    if q.shape[-1] != k.shape[-1]:
        raise WorkloadError(f"Q has D = {q.shape[-1]} but K has D = {k.shape[-1]}")
    if k.shape[-2] != v.shape[-2]:
        raise WorkloadError(f"K has {k.shape[-2]} keys but V has {v.shape[-2]}")
    if k.shape[-2] == 0 or q.shape[-2] == 0:
        raise WorkloadError(f"attention needs at least one query and one key, got L = {q.shape[-2]}, L_kv = {k.shape[-2]}")
    return q, k, v


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _softmax_weighted(scores: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.matmul(_softmax(scores), v)
