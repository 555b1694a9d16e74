"""Spiker's trained layer on the RTL core for a few real MNIST test images, against hwsim.

The core is built from models/spiker-mnist.yaml's layer in Spiker's mode (clock-driven, all
400 neurons in parallel, one-cycle empty steps, the inhibition scan, per-neuron thresholds) and
fed the first ``--images`` test images' LFSR spike trains (free-running reading); every spike,
membrane and step cycle count is checked against hwsim by the testbench.  The RTL's prediction
is the class with the most emitted spikes (the model's spike-count readout over its neurons'
classes), compared with the functional model's and with the label.

Usage: python benchmarks/spiker_rtl_sample.py [--images 1] [--sim verilator]
"""

from __future__ import annotations

import argparse

import numpy as np

from hwsim.api import load_network
from hwsim.func.lif import run_network
from hwsim.rtlflow.generate import default_build_root
from hwsim.rtlflow.runner import run_testbench
from hwsim.testbench.tb_snn_network import emitted

PARAMS = {"model": "spiker-mnist", "layer": "exc", "parallel_neurons": 400, "event_driven": 0,
          "skip_empty_steps": 1, "inhibition_scan": 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1)
    parser.add_argument("--sim", default="verilator", choices=("icarus", "verilator"))
    args = parser.parse_args()
    net = load_network("spiker-mnist", samples=args.images)
    functional = run_network(net, net.test_inputs).predictions
    result = run_testbench("snn_core", args.sim, params=PARAMS, seed=1, transactions=args.images * net.time_steps,
                           build_root=default_build_root() / "bench", run_tag="spiker-mnist-sample")
    print(f"{'PASS' if result.passed else 'FAIL'} snn_core on {args.sim}: {result.transactions} steps, "
          f"{result.cycles_checked} cycles checked, {result.output_mismatches} output and {result.cycle_mismatches} "
          f"cycle-count mismatches (build {result.build_s:.0f} s, run {result.run_s:.0f} s)")
    spikes, _ = emitted(result.run_dir, net.layers[0].neurons, args.images, net.time_steps)
    counts = spikes.sum(axis=1)
    per_class = np.stack([counts[:, net.class_of_neuron == c].sum(axis=1) for c in range(net.classes)], axis=1)
    rtl = per_class.argmax(axis=1)
    print(f"{args.images} image(s): labels {net.test_labels.tolist()}, functional {functional.tolist()}, "
          f"RTL {rtl.tolist()}; spikes per image {counts.sum(axis=1).tolist()}; "
          f"{int((rtl != functional).sum())} predictions differ")


if __name__ == "__main__":
    main()
