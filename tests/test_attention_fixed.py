"""The fixed-point step 4 of sparse attention (hwsim.func.attention_fixed): hand-counted
numbers, the same kept keys as the float reference, and its error against float64 bounded."""

from __future__ import annotations

import numpy as np
import pytest

from hwsim.errors import WorkloadError
from hwsim.func import attention_fixed as fx
from hwsim.func.sparse_attention import relative_error, sparse_attention


def test_exp2_table_and_weights_hand_counted():
    assert fx.EXP2_TABLE[0] == 32768 and fx.EXP2_TABLE[8] == 23170 and len(fx.EXP2_TABLE) == 16
    assert fx.exp2_weight(0) == 32768                 # the largest score
    assert fx.exp2_weight(16) == 16384                # one whole unit: half
    assert fx.exp2_weight(16 * 3 + 8) == 23170 >> 3   # 2**-3.5
    assert fx.exp2_weight(16 * 15) == 1 and fx.exp2_weight(16 * 16) == 0


def test_one_query_hand_counted():
    # scores 10 and 6 with mult = 2**16 * 4 (distance (10 - 6) * 4 = 16: one halving):
    # weights 32768 and 16384, total 49152, recip = 2**32 // 49152 = 87381;
    # out = (32768 * 3 + 16384 * -6) * 87381 rounded at 2**24 -> 0, and 32768 * 9 * 87381 / 2**24 -> 1536
    q = np.array([1, 2])
    k = np.array([[2, 4], [0, 3]])
    v = np.array([[3, 9], [-6, 0]])
    assert fx.attend_fixed(q, k, v, mult=4 << fx.MULT_FRAC_BITS) == [0, 1536]


@pytest.mark.parametrize(("length", "head_dim", "top_k"), [(8, 4, 3), (16, 8, 4), (32, 16, 8)])
def test_error_against_float_reference_is_bounded(length, head_dim, top_k):
    rng = np.random.default_rng(length)
    errors = []
    for _ in range(10):
        q, k, v = (rng.normal(size=(length, head_dim)) for _ in range(3))
        fixed = fx.fixed_attention(fx.fixed_request(q, k, v), top_k)
        ref = sparse_attention(q, k, v, top_k)
        np.testing.assert_array_equal(fixed.kept, ref.kept)   # selection is steps 1-3, unchanged
        errors.append(relative_error(fixed.output, ref.output))
    # measured: at most 2.2 % (8-bit Q/K/V dominate; the 16-entry table adds < 0.3 %)
    assert max(errors) < 0.03
    assert min(errors) > 0  # the integer datapath really is approximate


def test_bad_inputs_are_one_sentence():
    with pytest.raises(WorkloadError, match=r"^head dim D = 17: the fixed-point datapath takes 1..16$"):
        fx.fixed_request(np.ones((4, 17)), np.ones((4, 17)), np.ones((4, 17)))
    with pytest.raises(WorkloadError, match=r"one \[L, D\] shape"):
        fx.fixed_request(np.ones((4, 2)), np.ones((3, 2)), np.ones((4, 2)))
    with pytest.raises(WorkloadError, match=r"score multiplier \d+ does not fit 24 bits"):
        fx.score_multiplier(1e-3, 1e-3, 4)
    assert fx.score_multiplier(0.0, 5.0, 4) == 0
