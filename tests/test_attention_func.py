"""The bit-exact sparse-attention reference: quantization, LUT products, top-k ties, accuracy."""

from __future__ import annotations

import numpy as np
import pytest

from hwsim.errors import WorkloadError
from hwsim.func.sparse_attention import (
    approximate_scores, dense_attention, lut_product_table, quantize_per_tensor, relative_error,
    sparse_attention, topk_indices, topk_recall,
)


def test_quantization_maps_the_peak_to_seven():
    q = quantize_per_tensor(np.array([[-2.0, 1.0, 0.25, 0.0]]), bits=4)
    assert q.scale == 3.5
    assert q.values.tolist() == [[-7, 4, 1, 0]]  # rint(3.5) = 4, rint(0.875) = 1
    assert quantize_per_tensor(np.zeros((2, 3))).values.tolist() == [[0] * 3] * 2


def test_lut_table_holds_signed_products():
    table = lut_product_table(4)
    for a in range(-8, 8):
        for b in range(-8, 8):
            assert table[a % 16, b % 16] == a * b


def test_scores_from_the_table_equal_integer_dot_products():
    rng = np.random.default_rng(1)
    q, k = rng.integers(-7, 8, size=(3, 10)), rng.integers(-7, 8, size=(5, 10))
    table = lut_product_table(4)
    by_table = table[q[:, None, :] % 16, k[None, :, :] % 16].sum(axis=-1)
    assert np.array_equal(by_table, approximate_scores(q, k))


def test_ties_keep_the_earlier_key_in_descending_order():
    scores = np.array([5, 7, 7, 3, 7, 5])
    assert topk_indices(scores, 2).tolist() == [1, 2]
    assert topk_indices(scores, 4).tolist() == [1, 2, 4, 0]
    assert topk_indices(np.zeros(4, dtype=int), 3).tolist() == [0, 1, 2]


@pytest.mark.parametrize("k", [0, 9, True])
def test_top_k_outside_the_keys_is_rejected(k):
    with pytest.raises(WorkloadError, match=rf"top_k = {k!r}: must be an integer in \[1, 8\]"):
        topk_indices(np.arange(8), k)


def test_keeping_every_key_is_dense_attention():
    rng = np.random.default_rng(2)
    q, k, v = (rng.normal(size=(2, 12, 8)) for _ in range(3))
    result = sparse_attention(q, k, v, top_k=12)
    assert relative_error(result.output, dense_attention(q, k, v)) < 1e-12


def test_peaked_attention_survives_small_k():
    """Each query has 3 planted matching keys: 4-bit scores find them and the output barely moves."""
    rng = np.random.default_rng(3)
    L, D = 64, 32
    k = rng.normal(size=(L, D))
    targets = rng.integers(0, L, size=(L, 3))
    q = 3.0 * k[targets].sum(axis=1) + rng.normal(size=(L, D))
    v = rng.normal(size=(L, D))
    recalls, errors = [], []
    for top_k in (2, 4, 8):
        result = sparse_attention(q, k, v, top_k)
        recalls.append(topk_recall(result.kept, q, k))
        errors.append(relative_error(result.output, dense_attention(q, k, v)))
    assert errors[2] < 0.05 and errors[0] > errors[2]
    assert recalls[0] > 0.9  # the two best of three planted keys (the 4th best is noise)


def test_mismatched_shapes_are_named():
    with pytest.raises(WorkloadError, match="Q has D = 4 but K has D = 5"):
        dense_attention(np.zeros((3, 4)), np.zeros((3, 5)), np.zeros((3, 5)))


def test_magnitude_table_and_sign_give_every_symmetric_product():
    from hwsim.func.sparse_attention import lut_magnitude_table

    mags, full = lut_magnitude_table(4), lut_product_table(4)
    assert mags.shape == (8, 8) and mags.max() == 49
    for a in range(-7, 8):
        for b in range(-7, 8):
            sign = -1 if (a < 0) != (b < 0) else 1
            assert sign * mags[abs(a), abs(b)] == full[a % 16, b % 16]
