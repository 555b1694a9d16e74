"""Spiker's own training: unsupervised STDP with adaptive thresholds and lateral inhibition, in
floating point on Poisson spike trains (used by ``scripts/train_spiker_mnist.py stdp``).

Facts and numbers from smilies-polito/Spiker v1.0.0, ``Python/Models/Custom/FullPrecision``
(``parameters.py``, ``runParameters.py``, ``layers.py``, ``synapses.py``, ``network.py``,
``poisson.py``, ``common.py``); the code is our own.  See ``scripts/train_spiker_mnist.py``.
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit

STEPS = 3500
DT_S = 1e-4
LEAK = 2.0 ** -10
THRESHOLD_MV = 13.0
THETA_PLUS_MV = 0.05
THETA_DECAY = np.exp(-STEPS * 0.1 / 1e7)        # per image: tau 1e7 ms
INHIBITION_MV = 15.0
TRACE_DECAY = np.exp(-0.1 / 20.0)               # per step: tau 20 ms
ETA_PRE, ETA_POST = 1e-4, 1e-3
WEIGHT_SUM_MV = 100.0
INTENSITY = 2
MIN_SPIKES = 3
LSB_PER_MV = 8                                  # 3 fraction bits
NEURONS, INPUTS = 400, 784


@njit(cache=True)
def _present(w, theta, x, intensity, learn, seed):
    """Show one image (Poisson trains) for STEPS steps; returns the spike count of every neuron.

    Updates ``w`` (N, C) and ``theta`` (N,) in place when ``learn``.  Order per step, as in
    hwsim's functional model: leak, integrate the input spikes (LTD at each), inhibit with the
    previous step's spikes, fire (``v >= threshold``), reset to 0, adaptive threshold, LTP.
    """
    np.random.seed(seed)
    n, c = w.shape
    v = np.zeros(n)
    pre = np.zeros(c)
    pre_t = np.zeros(c, np.int64)                # step of the last pre spike (lazy trace decay)
    post = np.zeros(n)
    post_t = np.zeros(n, np.int64)
    counts = np.zeros(n, np.int64)
    prev = np.zeros(n, np.bool_)
    prev_total = 0
    p = x * intensity / 8.0 * DT_S
    active = np.flatnonzero(p > 0)
    for t in range(STEPS):
        for j in range(n):
            v[j] -= v[j] * LEAK
        for i in active:
            if np.random.random() < p[i]:
                for j in range(n):
                    v[j] += w[j, i]
                if learn:
                    for j in range(n):
                        decayed = post[j] * TRACE_DECAY ** (t - post_t[j])
                        w[j, i] = max(0.0, w[j, i] - ETA_PRE * decayed)
                    pre[i] = 1.0
                    pre_t[i] = t
        total = 0
        for j in range(n):
            if prev_total > 0:
                v[j] -= INHIBITION_MV * (prev_total - (1 if prev[j] else 0))
            fire = v[j] >= THRESHOLD_MV + theta[j]
            prev[j] = fire
            if fire:
                total += 1
                counts[j] += 1
                v[j] = 0.0
                if learn:
                    theta[j] += THETA_PLUS_MV
                    for i in range(c):
                        if pre[i] > 0:
                            w[j, i] += ETA_POST * pre[i] * TRACE_DECAY ** (t - pre_t[i])
                    post[j] = 1.0
                    post_t[j] = t
        prev_total = total
    return counts


def normalize(w: np.ndarray) -> None:
    """Scale every neuron's weights to sum to WEIGHT_SUM_MV (in place)."""
    sums = w.sum(axis=1, keepdims=True)
    w *= WEIGHT_SUM_MV / np.where(sums > 0, sums, 1.0)


def train(x: np.ndarray, epochs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """STDP over ``epochs`` passes of ``x`` (B, 784); returns (weights (N, C) mV, theta (N,) mV)."""
    rng = np.random.default_rng(seed)
    w = (rng.uniform(size=(NEURONS, INPUTS)) + 0.01) * 0.5
    theta = np.zeros(NEURONS)
    shown = 0
    for epoch in range(epochs):
        start = time.perf_counter()
        for b in rng.permutation(len(x)):
            intensity = INTENSITY
            while True:
                shown += 1
                counts = _present(w, theta, x[b].astype(np.float64), intensity, True, seed * 1_000_003 + shown)
                normalize(w)
                theta *= THETA_DECAY
                if counts.sum() >= MIN_SPIKES or intensity >= 32:
                    break
                intensity += 1
        print(f"epoch {epoch + 1}/{epochs}: {time.perf_counter() - start:.0f} s, {shown} presentations, "
              f"theta {theta.min():.2f}..{theta.max():.2f} mV", flush=True)
    return w, theta


def responses(w: np.ndarray, theta: np.ndarray, x: np.ndarray, seed: int) -> np.ndarray:
    """(B, N) spike counts of every image with learning off (Poisson trains at the base intensity)."""
    return np.stack([_present(w, theta, img.astype(np.float64), INTENSITY, False, seed + b) for b, img in enumerate(x)])


def assign(counts: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each neuron's class: the one for which it fired most (summed over the images)."""
    per_class = np.stack([counts[labels == c].sum(axis=0) for c in range(10)])
    return per_class.argmax(axis=0).astype(np.int8)


def predict(counts: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """The class with the most spikes (ties to the lower class), as hwsim's spike-count readout."""
    return np.stack([counts[:, classes == c].sum(axis=1) for c in range(10)], axis=1).argmax(axis=1)


