"""Spiker's latency per image for ANY trained weights: the band the control flow allows.

Spiker's controller (hwsim/presets/spiker.yaml) spends 1 cycle on a step without input spikes,
786 on a step with any, and 401 more on a step that follows a step in which the layer fired.
Which steps carry an input spike depends only on the LFSR and on each image's brightest
pixel, never on the weights; a neuron can only fire in a step with input (without input its
membrane only leaks).  So on the real spike trains the weights can only move the latency
between two bounds, both computed here by the engine itself from the functional run:

* lower: the layer never fires (no inhibition scan);
* upper: the layer fires in every step that has an input spike.

The shipped network's own latency lies between them; its spread over the images (min, median,
max per image) is printed beside its mean.  Printed for the two LFSR readings
(free-running across images / reseeded with 5 per image as the repository's MNIST flow does)
and with / without the host's transfers, against the paper's 215 us and its +-5 % window.

Usage: python benchmarks/spiker_latency_band.py [--model spiker-mnist] [--samples N]
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np

from hwsim import api
from hwsim.func.lif import run_network
from hwsim.sim.snn.cycles import sample_cycles
from hwsim.sim.snn.network import report_from_run

PAPER_LATENCY_US = 215.0
WINDOW = 0.05
NO_HOST = {"host.load_cycles_per_input": 0, "host.readout_cycles_per_neuron": 0}


def latency_us(net, arch, run) -> float:
    return report_from_run(net, arch, run).total.latency_s * 1e6


def per_image_us(net, arch, run) -> np.ndarray:
    """(B,) latency of every image in us (host transfers as the arch says)."""
    return sample_cycles(net, arch, run) / arch.clock_mhz


def band(net, arch, run) -> tuple[float, float, float, np.ndarray, float]:
    """(active steps, firing fraction of active steps, lower us, trained us per image, upper us) of one run."""
    active = run.active_inputs[:, :1, :] > 0
    never = dataclasses.replace(run, fired=np.zeros_like(run.fired))
    always = dataclasses.replace(run, fired=active.astype(run.fired.dtype) * net.layers[0].neurons)
    firing = float((run.fired[:, 0, :] > 0).sum() / max(1, active.sum()))
    return (float(active.sum() / len(net.test_inputs)), firing,
            latency_us(net, arch, never), per_image_us(net, arch, run), latency_us(net, arch, always))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="spiker-mnist")
    parser.add_argument("--samples", type=int, default=None, help="first N test images (default: the whole split)")
    args = parser.parse_args()
    workload = {} if args.samples is None else {"samples": args.samples}
    lo_ok, hi_ok = PAPER_LATENCY_US * (1 - WINDOW), PAPER_LATENCY_US * (1 + WINDOW)
    print(f"Spiker, 215 us +-5 % = {lo_ok:.1f}..{hi_ok:.1f} us; bounds over all possible weights "
          "(lower: layer never fires, upper: fires in every step with an input spike)")
    print(f"{'LFSR':<14} {'host I/O':<9} {'active steps':>12} {'fires in':>9} {'lower us':>9} "
          f"{'trained us':>11} {'per image min/median/max':>25} {'vs 215 us':>9} {'upper us':>9} {'window reachable':>17}")
    for reseed in (False, True):
        net = api.load_network(args.model, overrides={"encoding.reseed_per_sample": reseed, **workload})
        run = run_network(net, net.test_inputs)   # the spike trains do not depend on the host's transfers
        for host in (True, False):
            arch = api.load_arch("spiker", overrides={} if host else NO_HOST)
            steps, firing, lower, images, upper = band(net, arch, run)
            reach = "yes" if upper >= lo_ok and lower <= hi_ok else "no"
            spread = f"{images.min():.1f} / {np.median(images):.1f} / {images.max():.1f}"
            error = 100 * (images.mean() / PAPER_LATENCY_US - 1)
            print(f"{'reseeded' if reseed else 'free-running':<14} {'yes' if host else 'no':<9} {steps:>12.2f} "
                  f"{100 * firing:>8.1f}% {lower:>9.1f} {images.mean():>11.1f} {spread:>25} {error:>+8.1f}% "
                  f"{upper:>9.1f} {reach:>17}")


if __name__ == "__main__":
    main()
