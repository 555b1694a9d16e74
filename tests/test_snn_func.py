"""Bit-exact LIF / multi-threshold functional model and input encodings, against hand counts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from hwsim.func.encoding import LFSR_PERIOD, encode, lfsr_next, lfsr_sequence, lfsr_thresholds
from hwsim.func.lif import initial_state, lif_step, run_layer, run_network
from hwsim.workload.snn import (
    Encoding, EncodingKind, LeakKind, NeuronParams, Readout, ResetKind, SnnLayer, SnnLayerKind, SnnNetwork,
)


def fc(name, k, c, neuron):
    return SnnLayer(name, SnnLayerKind.FC, k, c, 1, 1, 1, 1, 1, 0, neuron)


def test_leak_shift_then_integrate_then_fire_hard_reset():
    n = NeuronParams(membrane_bits=8, frac_bits=0, weight_bits=5, threshold_lsb=20, leak=LeakKind.SHIFT, leak_shift=2)
    w = np.array([[10, 5]])
    s = initial_state(1)
    s = lif_step(s, np.array([1, 0]), w, n)            # 0 - 0 + 10 = 10
    assert (s.v[0], s.out[0]) == (10, 0)
    s = lif_step(s, np.array([1, 1]), w, n)            # 10 - 2 + 15 = 23 >= 20: fire, hard reset
    assert (s.v[0], s.out[0]) == (0, 1)
    s = lif_step(s, np.array([0, 0]), w, n)
    assert (s.v[0], s.out[0]) == (0, 0)


def test_negative_membrane_leaks_towards_zero_with_arithmetic_shift():
    n = NeuronParams(membrane_bits=8, frac_bits=0, weight_bits=5, threshold_lsb=20, leak_shift=2)
    s = lif_step(initial_state(1), np.array([1]), np.array([[-9]]), n)
    s = lif_step(s, np.array([0]), np.array([[-9]]), n)  # -9 - (-9 >> 2 = -3) = -6
    assert s.v[0] == -6


def test_every_addition_saturates_to_the_membrane_width():
    n = NeuronParams(membrane_bits=6, frac_bits=0, weight_bits=5, threshold_lsb=31, leak=LeakKind.NONE)
    # 15 + 15 + 15 saturates at 31 after the third add, then -15 gives 16 (not 30).
    s = lif_step(initial_state(1), np.array([1, 1, 1, 1]), np.array([[15, 15, 15, -15]]), n)
    assert s.v[0] == 16 and s.out[0] == 0


def test_multi_threshold_counts_crossed_levels_and_soft_reset_subtracts_them():
    n = NeuronParams(membrane_bits=12, frac_bits=0, weight_bits=8, threshold_lsb=10, reset=ResetKind.SOFT,
                     leak=LeakKind.NONE, levels=3)
    w = np.array([[27]])
    s = lif_step(initial_state(1), np.array([1]), w, n)   # 27 -> o = 2, v = 7
    assert (s.out[0], s.v[0]) == (2, 7)
    s = lif_step(s, np.array([2]), w, n)                  # 7 + 54 = 61 -> o = 3 (capped at K), v = 31
    assert (s.out[0], s.v[0]) == (3, 31)


def test_refractory_neuron_ignores_inputs_and_does_not_leak():
    n = NeuronParams(membrane_bits=8, frac_bits=0, weight_bits=5, threshold_lsb=5, reset=ResetKind.SOFT,
                     leak_shift=1, refractory_steps=2)
    w = np.array([[12]])
    s = lif_step(initial_state(1), np.array([1]), w, n)   # 12 -> fire, v = 7, refractory 2
    assert (s.out[0], s.v[0], s.refractory[0]) == (1, 7, 2)
    for left in (1, 0):
        s = lif_step(s, np.array([1]), w, n)
        assert (s.out[0], s.v[0], s.refractory[0]) == (0, 7, left)
    s = lif_step(s, np.array([0]), w, n)                  # leaks again: 7 - 3 = 4
    assert s.v[0] == 4


def test_lateral_inhibition_uses_the_other_neurons_previous_outputs():
    n = NeuronParams(membrane_bits=8, frac_bits=0, weight_bits=5, threshold_lsb=10, leak=LeakKind.NONE, inhibition_lsb=3)
    w = np.array([[12], [4], [4]])
    s = lif_step(initial_state(3), np.array([1]), w, n)   # neuron 0 fires
    assert list(s.out) == [1, 0, 0]
    s = lif_step(s, np.array([0]), w, n)                  # neurons 1, 2: 4 - 3 = 1; neuron 0 not inhibited by itself
    assert list(s.v) == [0, 1, 1]


def test_lfsr_is_spikers_maximal_length_register():
    states = lfsr_sequence(5, 4)
    assert list(states) == [5, 0x8002, 0xC001, 0xE000]   # feedback b0^b1^b3^b12 into b15
    s, n = 5, 0
    while True:
        s, n = lfsr_next(s), n + 1
        if s == 5:
            break
    assert n == LFSR_PERIOD


def test_free_running_lfsr_continues_across_samples():
    free = Encoding(EncodingKind.LFSR_RATE, seed=5, input_bits=8, random_bits=16, reseed_per_sample=False)
    thr = lfsr_thresholds(free, 3, 10)
    assert np.array_equal(thr.ravel(), lfsr_sequence(5, 30))
    reseeded = lfsr_thresholds(Encoding(EncodingKind.LFSR_RATE, seed=5, input_bits=8), 3, 10)
    assert all(np.array_equal(row, lfsr_sequence(5, 10)) for row in reseeded)


def test_rate_code_compares_padded_intensity_with_the_shared_random_number():
    enc = Encoding(EncodingKind.LFSR_RATE, seed=5, input_bits=8, random_bits=16)
    spikes = encode(np.array([[0, 5, 6, 255]]), enc, 2)   # step 0 compares with 5, step 1 with 0x8002
    assert spikes[0].tolist() == [[0, 0, 1, 1], [0, 0, 0, 0]]


def _random_net(rng, encoding, steps):
    n1 = NeuronParams(12, 2, 5, 40, ResetKind.SOFT, LeakKind.SHIFT, 3, 0, 1, 3, 2)
    n2 = NeuronParams(10, 0, 4, 30, ResetKind.HARD, LeakKind.DECAY, 4, 13, 0, 0, 3)
    layers = (fc("a", 20, 30, n1), fc("b", 7, 20, n2))
    w = {"a": rng.integers(-15, 16, (20, 30, 1, 1)), "b": rng.integers(-7, 8, (7, 20, 1, 1))}
    return SnnNetwork("t", layers, steps, encoding, Readout.SPIKE_COUNT, w)


@pytest.mark.parametrize("encoding", [
    Encoding(EncodingKind.LFSR_RATE, seed=77, input_bits=8, random_bits=8, reseed_per_sample=False),
    Encoding(EncodingKind.LFSR_RATE, seed=5, input_bits=8, random_bits=16),   # mostly idle steps (fast path)
    Encoding(EncodingKind.DIRECT, input_bits=3),
    Encoding(EncodingKind.POISSON, seed=3, input_bits=8),
], ids=["lfsr8", "lfsr16-idle", "direct", "poisson"])
def test_network_kernel_equals_stepping_lif_step(encoding):
    rng = np.random.default_rng(1)
    steps = 300 if encoding.random_bits == 16 and encoding.kind is EncodingKind.LFSR_RATE else 25
    net = _random_net(rng, encoding, steps)
    x = rng.integers(0, 1 << encoding.input_bits, (4, 30))
    result = run_network(net, x, record=True)
    dense = encode(x, encoding, steps)
    for b in range(4):
        s1, s2 = initial_state(20), initial_state(7)
        for t in range(steps):
            s1 = lif_step(s1, dense[b, t], net.weights["a"].reshape(20, 30), net.layers[0].neuron)
            s2 = lif_step(s2, s1.out, net.weights["b"].reshape(7, 20), net.layers[1].neuron)
            assert np.array_equal(s1.out, result.outputs[0][b, t]) and np.array_equal(s2.out, result.outputs[1][b, t])
            assert result.active_inputs[b, 0, t] == np.count_nonzero(dense[b, t])
            assert result.active_inputs[b, 1, t] == np.count_nonzero(s1.out)
        assert np.array_equal(s2.v, result.final_membrane[b])
    assert np.array_equal(result.counts, result.outputs[1].sum(axis=1))
    outputs, _ = run_layer(net.layers[0], net.weights["a"], dense)
    assert np.array_equal(outputs, result.outputs[0])


def test_shift_adds_count_the_extra_bits_of_multi_bit_events():
    n = NeuronParams(16, 0, 5, 1000, leak=LeakKind.NONE)
    net = SnnNetwork("d", (fc("a", 2, 3, n),), 2, Encoding(EncodingKind.DIRECT, input_bits=3), Readout.SPIKE_COUNT,
                     {"a": np.ones((2, 3, 1, 1), np.int8)})
    result = run_network(net, np.array([[1, 3, 7]]))      # popcounts 1, 2, 3 -> 0 + 1 + 2 extra per step
    assert result.shift_adds[0, 0] == 2 * 3 and result.input_sum[0, 0] == 2 * 11


def test_conv_layer_runs_as_its_toeplitz_matrix():
    n = NeuronParams(16, 0, 5, 3, leak=LeakKind.NONE)
    layer = SnnLayer("c", SnnLayerKind.CONV, 1, 1, 3, 3, 2, 2, 1, 0, n)
    w = np.ones((1, 1, 2, 2), np.int8)
    x = np.zeros((1, 1, 9), np.int64)
    x[0, 0, [0, 1, 3]] = 1                                   # top-left 2x2 window has 3 spikes
    out, v = run_layer(layer, w, x)
    assert out[0, 0].tolist() == [1, 0, 0, 0] and v[0].tolist() == [0, 1, 1, 0]


@settings(max_examples=25, deadline=None)
@given(
    membrane_bits=st.integers(6, 16), threshold=st.integers(1, 30), levels=st.integers(1, 3),
    soft=st.booleans(), leak=st.sampled_from(list(LeakKind)), shift=st.integers(1, 5),
    refractory=st.integers(0, 2), inhibition=st.integers(0, 4), seed=st.integers(0, 2**16),
)
def test_fast_path_equals_stepping_for_any_neuron(membrane_bits, threshold, levels, soft, leak, shift, refractory,
                                                  inhibition, seed):
    top = (1 << (membrane_bits - 1)) - 1
    neuron = NeuronParams(membrane_bits, 0, min(5, membrane_bits), min(threshold, top // levels),
                          ResetKind.SOFT if soft else ResetKind.HARD, leak, shift,
                          (1 << shift) - 1 if leak is LeakKind.DECAY else 0, refractory, inhibition, levels)
    rng = np.random.default_rng(seed)
    w = rng.integers(-neuron.w_max, neuron.w_max + 1, (5, 6, 1, 1))
    encoding = Encoding(EncodingKind.LFSR_RATE, seed=1 + seed % 65535, input_bits=8, random_bits=12)
    net = SnnNetwork("p", (fc("a", 5, 6, neuron),), 120, encoding, Readout.SPIKE_COUNT, {"a": w})
    x = rng.integers(0, 256, (2, 6))
    result = run_network(net, x, record=True)
    dense = encode(x, encoding, 120)
    for b in range(2):
        s = initial_state(5)
        for t in range(120):
            s = lif_step(s, dense[b, t], w.reshape(5, 6), neuron)
            assert np.array_equal(s.out, result.outputs[0][b, t])
        assert np.array_equal(s.v, result.final_membrane[b])
