"""Accuracy of top-k sparse attention (4-bit approximate scores) against dense attention.

For several sequence lengths L and kept keys k, on three kinds of inputs (D = 64, 4 heads,
seeded), prints the relative Frobenius error of the attention output and the top-k recall
(the fraction of each query's exact top-k keys that the 4-bit scores kept):

- random:  Q, K, V i.i.d. N(0, 1), so attention is nearly flat (the worst case for top-k);
- peaked:  each query is the sum of 4 random keys (scaled) plus noise, so a few keys dominate;
- local:   keys drift slowly along the sequence and each query resembles keys near its
           position (banded attention, as in language).

Usage: python benchmarks/sparse_attention_accuracy.py [--seed 0] [--markdown]
"""

from __future__ import annotations

import argparse

import numpy as np

from hwsim.func.sparse_attention import dense_attention, relative_error, sparse_attention, topk_recall

HEADS, D = 4, 64


def make_inputs(kind: str, L: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    v = rng.normal(size=(HEADS, L, D))
    if kind == "random":
        return rng.normal(size=(HEADS, L, D)), rng.normal(size=(HEADS, L, D)), v
    if kind == "peaked":
        k = rng.normal(size=(HEADS, L, D))
        picks = rng.integers(0, L, size=(HEADS, L, 4))
        q = 0.75 * np.take_along_axis(k[:, None, :, :], picks[..., None], axis=2).sum(axis=2)
        return q + rng.normal(size=(HEADS, L, D)), k, v
    # local: a random walk over positions; queries look like their neighbourhood
    steps = rng.normal(scale=0.35, size=(HEADS, L, D))
    k = np.cumsum(steps, axis=1) + rng.normal(size=(HEADS, 1, D))
    q = 1.5 * k + rng.normal(scale=0.5, size=(HEADS, L, D))
    return q, k, v


def measure(kind: str, L: int, k: int, seed: int) -> tuple[float, float]:
    rng = np.random.default_rng([seed, L, k, ["random", "peaked", "local"].index(kind)])
    q, key, v = make_inputs(kind, L, rng)
    result = sparse_attention(q, key, v, top_k=k, bits=4)
    return relative_error(result.output, dense_attention(q, key, v)), topk_recall(result.kept, q, key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    lengths, ks = (64, 128, 256), (8, 16, 32, 64)
    if args.markdown:
        print("| inputs | L | " + " | ".join(f"k={k} error / recall" for k in ks) + " |")
        print("|---|---|" + "---|" * len(ks))
    else:
        print(f"{'inputs':<8}{'L':>5}  " + "".join(f"{'k=' + str(k) + ' err/recall':>22}" for k in ks))
    for kind in ("random", "peaked", "local"):
        for L in lengths:
            cells = []
            for k in ks:
                if k > L:
                    cells.append("-")
                    continue
                err, recall = measure(kind, L, k, args.seed)
                cells.append(f"{err:.3f} / {recall:.2f}")
            if args.markdown:
                print(f"| {kind} | {L} | " + " | ".join(cells) + " |")
            else:
                print(f"{kind:<8}{L:>5}  " + "".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    main()
