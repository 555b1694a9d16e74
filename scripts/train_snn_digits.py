"""Train the shipped spiking networks (numpy only, seeded, no downloads) and write models/*.npz.

Two kinds of network:

* ``snn-digits`` / ``snn-digits-mt``: 64 inputs (scikit-learn's 8x8 digits, intensities 0..16 fed
  as a direct input current every step) -> 128 LIF neurons -> 10 integrating readout neurons
  (prediction: the largest final membrane).  Trained with backpropagation through time and a
  fast-sigmoid surrogate gradient of the (multi-)threshold step, soft reset detached, then with
  fake-quantized weights (straight-through) so that the integer network is the one trained.
  ``-mt`` uses multi-threshold neurons (K levels, output 0..K) at T = 2.
* ``spiker-digits``: Spiker's 784 -> 400 layer on the digits resized to 28x28 (0..255), the MNIST
  stand-in (``spiker-mnist``, on real MNIST, is trained by ``scripts/train_spiker_mnist.py``): each class
  gets 40 neurons whose weights are k-means prototypes of that class's training images, shifted
  by ``beta`` and quantized to 5 bits; threshold and inhibition are picked by training-split
  accuracy of the bit-exact functional model (never by latency).

Usage::

    python scripts/train_snn_digits.py digits --steps 16 --levels 1 --out models/snn-digits.npz
    python scripts/train_snn_digits.py digits --steps 2 --levels 3 --out models/snn-digits-mt.npz
    python scripts/train_snn_digits.py spiker --out models/spiker-digits.npz

Each run prints the float accuracy, the integer (functional-model) accuracy and the chosen
integer parameters to copy into the model YAML.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hwsim.func.lif import run_network
from hwsim.workload.snn import (
    Encoding, EncodingKind, LeakKind, NeuronParams, Readout, ResetKind, SnnLayer, SnnLayerKind, SnnNetwork,
)
from hwsim.workload.snn_file import DatasetName, Split, dataset_arrays

HIDDEN = 128
LEAK_SHIFT = 3          # beta = 1 - 2**-3 = 0.875
WEIGHT_BITS = 6
MEMBRANE_BITS = 16


@dataclass(frozen=True)
class FloatSnn:
    w1: np.ndarray   # (H, 64)
    w2: np.ndarray   # (10, H)
    steps: int
    levels: int


def _fire(u: np.ndarray, levels: int) -> np.ndarray:
    return sum((u >= k).astype(np.float64) for k in range(1, levels + 1))


def _surrogate(u: np.ndarray, levels: int, slope: float = 4.0) -> np.ndarray:
    return sum(1.0 / (1.0 + slope * np.abs(u - k)) ** 2 for k in range(1, levels + 1))


def forward(w1, w2, x, steps, levels, beta):
    """Float network, threshold 1: returns logits and the per-step (u, o) for backprop."""
    cur = x @ w1.T
    v = np.zeros_like(cur)
    us, os = [], []
    logits = np.zeros((x.shape[0], w2.shape[0]))
    for _ in range(steps):
        u = beta * v + cur
        o = _fire(u, levels)
        v = u - o
        logits += o @ w2.T
        us.append(u)
        os.append(o)
    return logits, us, os


def train_float(x, y, steps, levels, seed, epochs=150, lr=3e-3, quant_from=100):
    rng = np.random.default_rng(seed)
    beta = 1.0 - 2.0 ** -LEAK_SHIFT
    w1 = rng.normal(0, 1.0 / np.sqrt(64 * 16), (HIDDEN, 64))
    w2 = rng.normal(0, 1.0 / np.sqrt(HIDDEN), (10, HIDDEN))
    params = [w1, w2]
    m = [np.zeros_like(p) for p in params]
    s = [np.zeros_like(p) for p in params]
    t_adam = 0
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), 64):
            batch = order[start:start + 64]
            xb, yb = x[batch], y[batch]
            quant = epoch >= quant_from
            fw1, fw2 = (fake_quant(w1), fake_quant(w2)) if quant else (w1, w2)
            logits, us, os = forward(fw1, fw2, xb, steps, levels, beta)
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            g = p
            g[np.arange(len(yb)), yb] -= 1.0
            g /= len(yb)
            gw2 = sum(g.T @ o for o in os)
            do = g @ fw2
            gw1 = np.zeros_like(w1)
            du_next = np.zeros_like(us[0])
            for t in reversed(range(steps)):
                du = do * _surrogate(us[t], levels) + beta * du_next
                gw1 += du.T @ xb
                du_next = du
            t_adam += 1
            for i, grad in enumerate((gw1, gw2)):
                m[i] = 0.9 * m[i] + 0.1 * grad
                s[i] = 0.999 * s[i] + 0.001 * grad ** 2
                params[i] -= lr * (m[i] / (1 - 0.9 ** t_adam)) / (np.sqrt(s[i] / (1 - 0.999 ** t_adam)) + 1e-8)
    return FloatSnn(w1, w2, steps, levels)


def _scale(w):
    return np.abs(w).max() / ((1 << (WEIGHT_BITS - 1)) - 1)


def fake_quant(w):
    return np.rint(w / _scale(w)) * _scale(w)


def float_accuracy(net: FloatSnn, x, y) -> float:
    logits, _, _ = forward(net.w1, net.w2, x, net.steps, net.levels, 1.0 - 2.0 ** -LEAK_SHIFT)
    return float(np.mean(np.argmax(logits, axis=1) == y))


def quantize(net: FloatSnn) -> tuple[dict[str, np.ndarray], int]:
    """Integer weights (membrane LSB = one step of W1) and the hidden threshold in LSB."""
    s1 = _scale(net.w1)
    w1 = np.rint(net.w1 / s1).astype(np.int8)
    w2 = np.rint(net.w2 / _scale(net.w2)).astype(np.int8)
    return {"fc1": w1, "out": w2}, int(round(1.0 / s1))


def integer_network(weights, threshold_lsb, steps, levels, x, y) -> SnnNetwork:
    hidden = NeuronParams(MEMBRANE_BITS, 0, WEIGHT_BITS, threshold_lsb, ResetKind.SOFT, LeakKind.SHIFT, LEAK_SHIFT, 0, 0, 0, levels)
    readout = NeuronParams(MEMBRANE_BITS, 0, WEIGHT_BITS, 1, ResetKind.SOFT, LeakKind.NONE, 10, 0, 0, 0, 1)
    layers = (SnnLayer("fc1", SnnLayerKind.FC, HIDDEN, 64, 1, 1, 1, 1, 1, 0, hidden),
              SnnLayer("out", SnnLayerKind.FC, 10, HIDDEN, 1, 1, 1, 1, 1, 0, readout))
    w = {"fc1": weights["fc1"].reshape(HIDDEN, 64, 1, 1), "out": weights["out"].reshape(10, HIDDEN, 1, 1)}
    return SnnNetwork("snn-digits", layers, steps, Encoding(EncodingKind.DIRECT, input_bits=5), Readout.MEMBRANE, w,
                      test_inputs=x, test_labels=y)


def train_digits(steps: int, levels: int, seed: int, out: Path | None, epochs: int = 150) -> tuple[dict, SnnNetwork]:
    """Train, quantize, check the integer network; returns the accuracies and the test-split network."""
    xtr, ytr = dataset_arrays(DatasetName.SKLEARN_DIGITS, Split.TRAIN)
    xte, yte = dataset_arrays(DatasetName.SKLEARN_DIGITS, Split.TEST)
    net = train_float(xtr.astype(np.float64), ytr, steps, levels, seed, epochs=epochs, quant_from=epochs * 2 // 3)
    weights, theta = quantize(net)
    result = {"float_test": float_accuracy(net, xte.astype(np.float64), yte), "threshold_lsb": theta}
    for split, (x, y) in (("int_train", (xtr, ytr)), ("int_test", (xte, yte))):
        result[split] = float(np.mean(run_network(integer_network(weights, theta, steps, levels, x, y), x).predictions == y))
    if out is not None:
        np.savez_compressed(out, **weights)
    return result, integer_network(weights, theta, steps, levels, xte, yte)


def kmeans(x: np.ndarray, k: int, rng: np.random.Generator, iterations: int = 20) -> np.ndarray:
    centres = x[rng.choice(len(x), k, replace=False)].astype(np.float64)
    for _ in range(iterations):
        d = (x ** 2).sum(1)[:, None] - 2 * x @ centres.T + (centres ** 2).sum(1)[None, :]
        nearest = d.argmin(axis=1)
        for j in range(k):
            if (nearest == j).any():
                centres[j] = x[nearest == j].mean(axis=0)
    return centres


def spiker_network(weights, class_of_neuron, threshold_lsb, inhibition_lsb, x, y, *, name: str = "spiker-digits",
                   reseed: bool = False, thresholds: np.ndarray | None = None) -> SnnNetwork:
    """Spiker's layer (400 LIF neurons on 784 inputs, its formats) over ``weights``; per-neuron
    ``thresholds`` when given (their maximum is the layer's threshold)."""
    if thresholds is not None:
        threshold_lsb = int(thresholds.max())
    neuron = NeuronParams(16, 3, 5, threshold_lsb, ResetKind.HARD, LeakKind.SHIFT, 10, 0, 0, inhibition_lsb, 1)
    layer = SnnLayer("exc", SnnLayerKind.FC, 400, 784, 1, 1, 1, 1, 1, 0, neuron)
    enc = Encoding(EncodingKind.LFSR_RATE, seed=5, input_bits=8, random_bits=16, reseed_per_sample=reseed)
    extra = {} if thresholds is None else {"thresholds": {"exc": thresholds.astype(np.int64)}}
    return SnnNetwork(name, (layer,), 3500, enc, Readout.SPIKE_COUNT, {"exc": weights.reshape(400, 784, 1, 1)},
                      test_inputs=x, test_labels=y, class_of_neuron=np.asarray(class_of_neuron).astype(np.int64),
                      **extra)


def train_spiker(seed: int, out: Path | None) -> dict[str, float]:
    xtr, ytr = dataset_arrays(DatasetName.SKLEARN_DIGITS_28X28, Split.TRAIN)
    xte, yte = dataset_arrays(DatasetName.SKLEARN_DIGITS_28X28, Split.TEST)
    rng = np.random.default_rng(seed)
    centres = np.concatenate([kmeans(xtr[ytr == c].astype(np.float64), 40, rng) for c in range(10)]) / 255.0
    classes = np.repeat(np.arange(10), 40)
    best = None
    for beta in (0.35, 0.45, 0.55):
        w = np.clip(np.rint(15 * (centres - beta) / (1 - beta)), -15, 15).astype(np.int8)
        for theta in (500, 1000, 2000):
            for inh in (0, 20):
                acc = float(np.mean(run_network(spiker_network(w, classes, theta, inh, xtr, ytr), xtr).predictions == ytr))
                if best is None or acc > best[0]:
                    best = (acc, beta, theta, inh, w)
    acc, beta, theta, inh, w = best
    test = float(np.mean(run_network(spiker_network(w, classes, theta, inh, xte, yte), xte).predictions == yte))
    if out is not None:
        np.savez_compressed(out, exc=w, class_of_neuron=classes.astype(np.int8))
    return {"int_train": acc, "int_test": test, "beta": beta, "threshold_lsb": theta, "inhibition_lsb": inh}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    d = sub.add_parser("digits")
    d.add_argument("--steps", type=int, required=True)
    d.add_argument("--levels", type=int, default=1)
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--out", type=Path)
    s = sub.add_parser("spiker")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.what == "digits":
        print(train_digits(args.steps, args.levels, args.seed, args.out)[0])
    else:
        print(train_spiker(args.seed, args.out))


if __name__ == "__main__":
    main()
