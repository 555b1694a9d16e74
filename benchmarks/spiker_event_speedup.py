"""spiker-event against spiker, image by image: the event-driven core is never slower.

Both accelerators run the same spike trains (one functional run per LFSR reading); each
image's cycles (host transfers included) come from the engine's cycle model
(:func:`hwsim.sim.snn.cycles.sample_cycles`).  Printed per reading: the speedup distribution
over the test split, and the two extreme inputs, an all-quiet image (no input spike ever: every
step empty) and an all-bright one (every pixel 255: every input spikes in every active step).

Usage: python benchmarks/spiker_event_speedup.py [--model spiker-mnist] [--samples N] [--markdown]
"""

from __future__ import annotations

import argparse

import numpy as np

from hwsim import api
from hwsim.func.lif import run_network
from hwsim.sim.snn.cycles import sample_cycles


def speedups(net, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(spiker cycles, spiker-event cycles, speedup) per image of ``inputs`` on the same spike trains."""
    run = run_network(net, inputs)
    base = sample_cycles(net, api.load_arch("spiker"), run)
    event = sample_cycles(net, api.load_arch("spiker-event"), run)
    return base, event, base / event


def extremes(net) -> dict[str, np.ndarray]:
    """The all-quiet and the all-bright image, shaped like the model's inputs."""
    shape = (1, *net.test_inputs.shape[1:])
    return {"all-quiet (0)": np.zeros(shape, net.test_inputs.dtype),
            "all-bright (255)": np.full(shape, 255, net.test_inputs.dtype)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="spiker-mnist")
    parser.add_argument("--samples", type=int, default=None, help="first N test images (default: the whole split)")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    sep = " | " if args.markdown else "  "
    header = ("LFSR", "inputs", "images", "min", "p5", "median", "mean", "max", "slower")
    print(("| " if args.markdown else "") + sep.join(header) + (" |" if args.markdown else ""))
    if args.markdown:
        print("|" + "---|" * len(header))
    for reseed in (False, True):
        overrides = {"encoding.reseed_per_sample": reseed, **({} if args.samples is None else {"samples": args.samples})}
        net = api.load_network(args.model, overrides=overrides)
        rows = {"test split": net.test_inputs, **extremes(net)}
        for label, inputs in rows.items():
            base, event, ratio = speedups(net, inputs)
            cells = ("reseeded" if reseed else "free-running", label, str(len(ratio)),
                     *(f"{v:.3f}x" for v in (ratio.min(), np.percentile(ratio, 5), np.median(ratio), ratio.mean(), ratio.max())),
                     str(int((event > base).sum())))
            print(("| " if args.markdown else "") + sep.join(cells) + (" |" if args.markdown else ""))


if __name__ == "__main__":
    main()
