"""Supervised, quantization-aware training of Spiker's 784 -> 400 layer on its own LFSR spike trains.

Used by ``scripts/train_spiker_mnist.py supervised`` (the fallback when STDP does not learn a
layer that works on the accelerator's input).  The network is the accelerator's: 5-bit signed
weights and per-neuron thresholds in membrane LSB, a 16-bit membrane, ``v -= v >> 10``, hard
reset, lateral inhibition, the shared 16-bit LFSR compared with the 8-bit pixel, spike-count
readout over 40 neurons per class.

Only the steps with an input spike (``r_t < max pixel``, about 13 of 3500 on MNIST) can make a
neuron fire, so the forward pass runs the integer dynamics exactly at those steps and jumps over
the empty ones with the exact effect of their leaks (and of the inhibition in the step after a
firing step).  The backward pass is backpropagation through those steps with a fast-sigmoid
surrogate of the threshold, the reset detached, the inhibition and the leak treated as
constants and the weight rounding passed straight through.  Every training image sees a fresh
LFSR window: from seed 5 (the repository's reseeded flow) one time in four, otherwise at a random
state of the free-running register, so the layer is trained for both readings.
"""

from __future__ import annotations

import numpy as np

from hwsim.func.encoding import LFSR_PERIOD, lfsr_sequence

STEPS = 3500
V_MIN, V_MAX = -(1 << 15), (1 << 15) - 1
W_MAX = 15
LEAK_SHIFT = 10


def leak(v: np.ndarray, n: np.ndarray) -> np.ndarray:
    """``v`` after ``n`` (broadcast) steps of ``v -= v >> 10`` on integers, in closed form per regime."""
    v = v.astype(np.int64).copy()
    n = np.broadcast_to(np.asarray(n, np.int64), v.shape).copy()
    while True:
        k = -(v >> LEAK_SHIFT)                      # per-step change: +k (v < 0) or -(v >> 10) (v >= 1024)
        live = (n > 0) & (k != 0)
        if not live.any():
            return v
        neg = v < 0
        step = k                                    # v += step each step while in this regime
        bound = np.where(neg, -((k - 1) << LEAK_SHIFT), (-k) << LEAK_SHIFT)   # neg: leave at >= bound; pos: below bound
        to_leave = np.where(neg, -(-(bound - v) // np.maximum(k, 1)), (v - bound) // np.maximum(-k, 1) + 1)
        m = np.where(live, np.minimum(to_leave, n), 0)
        v += m * step
        n -= m


def lfsr_windows(offsets: np.ndarray) -> np.ndarray:
    """(B, 3500) comparison values of the LFSR windows starting at ``offsets`` (0: seed 5)."""
    period = lfsr_sequence(5, LFSR_PERIOD)
    return period[(offsets[:, None] + np.arange(STEPS)[None, :]) % LFSR_PERIOD]


def active_steps(x: np.ndarray, windows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per sample the steps with an input spike: (spikes (B, K, C) float, gaps (B, K) int, mask (B, K) bool).

    ``gaps[b, k]`` are the empty steps before active step ``k`` (after step ``k - 1``).
    """
    act = windows < x.max(axis=1, keepdims=True)
    k_max = max(1, int(act.sum(axis=1).max()))
    spikes = np.zeros((len(x), k_max, x.shape[1]), np.float32)
    gaps = np.zeros((len(x), k_max), np.int64)
    mask = np.zeros((len(x), k_max), bool)
    for b in range(len(x)):
        steps = np.flatnonzero(act[b])
        spikes[b, : len(steps)] = x[b][None, :] > windows[b, steps][:, None]
        gaps[b, : len(steps)] = np.diff(np.concatenate([[-1], steps])) - 1
        mask[b, : len(steps)] = True
    return spikes, gaps, mask


def float_leak(v: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The real-valued leak of the float model: ``v * (1 - 2**-10)**n``."""
    return v * (1.0 - 2.0 ** -LEAK_SHIFT) ** np.asarray(n, np.float64)


def forward(w: np.ndarray, theta: np.ndarray, inhibition: int, spikes, gaps, mask, exact: bool = True):
    """Forward pass at the active steps; returns (counts (B, N), cache for :func:`backward`).

    ``exact``: the accelerator's integers (rounded weights and thresholds, integer membrane and
    leak); False: the float model (real weights, thresholds, membrane and leak).
    """
    wq = np.clip(np.rint(w), -W_MAX, W_MAX) if exact else w
    tq = np.rint(theta) if exact else theta
    leak_fn = leak if exact else float_leak
    b_count, k_max = mask.shape
    v = np.zeros((b_count, len(theta)), np.int64 if exact else np.float64)
    fired_prev = np.zeros_like(v, dtype=bool)
    counts = np.zeros(v.shape)
    cache = []
    for k in range(k_max):
        m, g = mask[:, k], gaps[:, k]
        total = fired_prev.sum(axis=1, keepdims=True)
        inh = inhibition * (total - fired_prev)
        late = (g >= 1)[:, None]                   # the inhibition lands in an empty step
        v = np.where(late, np.maximum(V_MIN, leak_fn(v, 1) - inh), v)
        v = leak_fn(v, np.where(late[:, 0], g, 1)[:, None])   # the empty steps left, then this step's leak
        u = np.clip(v + (spikes[:, k] @ wq.T).astype(v.dtype), V_MIN, V_MAX)
        u = np.where(late, u, np.maximum(V_MIN, u - inh))
        o = (u >= tq[None, :]) & m[:, None]
        cache.append((u, o, m))
        counts += o
        v = np.where(o, 0, np.where(m[:, None], u, v))
        fired_prev = np.where(m[:, None], o, fired_prev)
    return counts, cache


def backward(w, theta, spikes, cache, dcounts, width: float = 0.3):
    """Gradients (dW, dtheta) of a loss whose gradient w.r.t. the counts is ``dcounts`` (B, N)."""
    dw = np.zeros_like(w)
    dtheta = np.zeros_like(theta)
    dv = np.zeros(dcounts.shape)
    scale = width * np.maximum(theta, 1.0)
    for k in reversed(range(len(cache))):
        u, o, m = cache[k]
        x = (u - theta[None, :]) / scale[None, :]
        sg = 1.0 / (scale[None, :] * (1.0 + np.abs(x)) ** 2) * m[:, None]
        do = dcounts * sg
        du = dv * (1 - o) * m[:, None] + do
        dw += du.T @ spikes[:, k]
        dtheta -= do.sum(axis=0)
        dv = np.where(m[:, None], du, dv)
    return dw, dtheta


def class_scores(counts: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """(B, 10) mean spike count per neuron of each class."""
    onehot = (classes[:, None] == np.arange(10)[None, :]).astype(np.float64)
    return counts @ onehot / onehot.sum(axis=0)


def train(x, y, w0, theta0, classes, *, inhibition: int, epochs: int, seed: int, batch: int = 100,
          lr: float = 0.3, theta_lr: float = 20.0, reseed_fraction: float = 0.25, log=print):
    """Adam on (W, theta) with the spike-count cross-entropy; returns the float (W, theta)."""
    rng = np.random.default_rng(seed)
    w, theta = w0.astype(np.float64).copy(), theta0.astype(np.float64).copy()
    onehot = (classes[:, None] == np.arange(10)[None, :]).astype(np.float64)
    per_class = onehot.sum(axis=0)
    state = [np.zeros_like(w), np.zeros_like(w), np.zeros_like(theta), np.zeros_like(theta)]
    t = 0
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        correct = 0
        for start in range(0, len(x), batch):
            idx = order[start:start + batch]
            offsets = np.where(rng.random(len(idx)) < reseed_fraction, 0, rng.integers(0, LFSR_PERIOD, len(idx)))
            spikes, gaps, mask = active_steps(x[idx], lfsr_windows(offsets))
            counts, cache = forward(w, theta, inhibition, spikes, gaps, mask)
            logits = counts @ onehot / per_class
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            correct += int((logits.argmax(axis=1) == y[idx]).sum())
            p[np.arange(len(idx)), y[idx]] -= 1.0
            dcounts = (p / len(idx)) @ (onehot / per_class).T
            dw, dtheta = backward(w, theta, spikes, cache, dcounts)
            t += 1
            for i, (param, grad, rate) in enumerate(((w, dw, lr), (theta, dtheta, lr * theta_lr))):
                state[2 * i] = 0.9 * state[2 * i] + 0.1 * grad
                state[2 * i + 1] = 0.999 * state[2 * i + 1] + 0.001 * grad ** 2
                step = rate * (state[2 * i] / (1 - 0.9 ** t)) / (np.sqrt(state[2 * i + 1] / (1 - 0.999 ** t)) + 1e-12)
                param -= step
            np.clip(w, -W_MAX - 0.49, W_MAX + 0.49, out=w)
            np.clip(theta, 8, 16000, out=theta)
        log(f"epoch {epoch + 1}/{epochs}: training accuracy (integer forward) {correct / len(x):.3f}")
    return w, theta
