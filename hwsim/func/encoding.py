"""Input encodings of a spiking network, bit-exact (what the input stage of the hardware emits).

The LFSR (Spiker's)
-------------------
A 16-bit Fibonacci LFSR that shifts right and feeds ``b0 ^ b1 ^ b3 ^ b12`` into bit 15
(polynomial ``x^16 + x^15 + x^13 + x^4 + 1``, maximal length, period 65535)::

    bit   = (s ^ (s >> 1) ^ (s >> 3) ^ (s >> 12)) & 1
    s_new = (s >> 1) | (bit << 15)

These are the taps of Spiker's ``lfsr.vhd`` (smilies-polito/Spiker, ``Vhdl/Flat/lfsr.vhd``)
and of its Python model (taps 15, 14, 12, 3 counted from the other end, seed 5).  It is
clocked once per time step and step ``t`` uses the state after ``t`` clocks.  One number is
shared by all pixels of a step: pixel ``i`` spikes in step ``t`` iff
``x_i > (s_t >> (16 - random_bits))``.  With ``random_bits = 16`` (Spiker: the 8-bit pixel is
zero-padded to 16 bits and compared with the whole register) a pixel spikes with probability
``x / 65536`` per step; with ``random_bits = input_bits`` with probability ``x / 2**input_bits``.

``Encoding.reseed_per_sample`` chooses whether the register restarts from the seed for every
sample (spike trains independent of the sample order) or is seeded once and keeps running
across samples: sample ``b`` then starts at state ``b * T`` of the sequence.  Spiker's register
can do either (it loads the seed only on the host's ``init_lfsr`` command, ``lfsr.vhd`` /
``complete_accelerator.vhd``), but the repository's own MNIST run starts a new simulation of
``spiker_tb.vhd`` per image, which loads seed 5 every time: that flow reseeds per image.
"""

from __future__ import annotations

import numpy as np

from hwsim.workload.snn import Encoding, EncodingKind

LFSR_BITS = 16
LFSR_PERIOD = (1 << LFSR_BITS) - 1


def lfsr_next(state: int) -> int:
    """One clock of the 16-bit LFSR (see the module docstring); ``state`` in 1..65535."""
    bit = (state ^ (state >> 1) ^ (state >> 3) ^ (state >> 12)) & 1
    return (state >> 1) | (bit << 15)


def lfsr_sequence(seed: int, steps: int) -> np.ndarray:
    """The LFSR states used in steps ``0..steps-1`` (int64; the first is ``seed``).

    Raises
    ------
    ValueError
        If ``seed`` is not in 1..65535 (the all-zero state never leaves zero).
    """
    if not 0 < seed <= LFSR_PERIOD:
        raise ValueError(f"LFSR seed {seed!r} must be in 1..65535")
    out = np.empty(steps, dtype=np.int64)
    state = seed
    for t in range(steps):
        out[t] = state
        state = lfsr_next(state)
    return out


def lfsr_thresholds(encoding: Encoding, samples: int, steps: int) -> np.ndarray:
    """(samples, T) int64 comparison values ``s_t >> (16 - random_bits)`` of every sample's steps.

    A pixel of sample ``b`` spikes in step ``t`` iff its intensity is greater than entry ``[b, t]``.
    """
    if encoding.reseed_per_sample or samples <= 1:
        one = lfsr_sequence(encoding.seed, steps) >> (LFSR_BITS - encoding.random_bits)
        return np.broadcast_to(one, (samples, steps)).copy()
    # One free-running register: sample b uses states b*T .. b*T+T-1 (mod the period).
    period = lfsr_sequence(encoding.seed, LFSR_PERIOD) >> (LFSR_BITS - encoding.random_bits)
    index = (np.arange(samples, dtype=np.int64)[:, None] * steps + np.arange(steps)[None, :]) % LFSR_PERIOD
    return period[index]


def rate_spikes(intensities: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Dense spikes (B, T, C) uint8 from intensities (B, C) and thresholds (B, T): ``x > thr``."""
    x = np.asarray(intensities, dtype=np.int64)
    return (x[:, None, :] > thresholds[:, :, None]).astype(np.uint8)


def poisson_spikes(intensities: np.ndarray, steps: int, input_bits: int, seed: int) -> np.ndarray:
    """Independent Bernoulli spikes, ``P(spike) = x / 2**input_bits``, from ``default_rng(seed)``.

    Returns (B, T, C) uint8.  The draws are one ``integers`` call of shape (B, T, C), so the
    same (intensities, steps, seed) always gives the same trains.
    """
    rng = np.random.default_rng(seed)
    x = np.asarray(intensities, dtype=np.int64)
    draws = rng.integers(0, 1 << input_bits, size=(x.shape[0], steps, x.shape[1]), dtype=np.int64)
    return (x[:, None, :] > draws).astype(np.uint8)


def check_intensities(intensities: np.ndarray, encoding: Encoding) -> np.ndarray:
    """``intensities`` as (B, C) int64, or ValueError if not 2-D or outside ``0..2**input_bits-1``."""
    x = np.asarray(intensities)
    if x.ndim != 2:
        raise ValueError(f"expected (samples, inputs) intensities, got shape {x.shape}")
    top = (1 << encoding.input_bits) - 1
    if x.size and (int(x.min()) < 0 or int(x.max()) > top):
        raise ValueError(f"intensities must lie in 0..{top} for {encoding.input_bits}-bit inputs")
    return x.astype(np.int64)


def encode(intensities: np.ndarray, encoding: Encoding, steps: int) -> np.ndarray:
    """Dense per-step input values (B, T, C) for a batch of flattened inputs (B, C).

    Rate encodings give 0/1 spikes (uint8); ``DIRECT`` repeats the intensity every step
    (int64), a multi-bit input current.  Meant for small runs and testbenches: the network
    kernel in :mod:`hwsim.func.lif` never materialises this array for LFSR or direct inputs.
    """
    x = check_intensities(intensities, encoding)
    if encoding.kind is EncodingKind.LFSR_RATE:
        return rate_spikes(x, lfsr_thresholds(encoding, x.shape[0], steps))
    if encoding.kind is EncodingKind.POISSON:
        return poisson_spikes(x, steps, encoding.input_bits, encoding.seed)
    return np.repeat(x[:, None, :], steps, axis=1)
