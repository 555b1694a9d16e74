"""Accuracy of the trained digits networks on the RTL, against the functional model and the simulated accelerator.

Usage: .venv/bin/python benchmarks/snn_rtl_accuracy.py [--model snn-digits-mt ...] [--sim verilator]
                                                       [--samples N]

For each model, the whole labelled test split (or its first ``N`` samples) runs through
:func:`testbench.tb_snn_network.run_network_rtl`: the hidden layer's core, then the integrating
readout's core fed the spikes the first one emitted, every spike, membrane and step cycle count
checked against hwsim.  The table gives the accuracy of

- float: the float network's test accuracy at the end of training (``scripts/train_snn_digits.py``,
  quoted from docs/snn.md; the integer models are what ships);
- the functional model: ``hwsim.func.lif.run_network``;
- the simulated accelerator: ``hwsim.api.simulate`` on ``snn-fpga`` (the report's accuracy);
- the RTL: argmax of the readout core's final membranes (ties to the lowest index);

and how many samples the RTL predicts differently from the functional model (must be 0).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from hwsim.api import load_arch, load_network, simulate
from hwsim.func.lif import run_network
from hwsim.rtlflow.generate import default_build_root
from hwsim.testbench.tb_snn_network import run_network_rtl

FLOAT_ACCURACY = {"snn-digits": 0.959, "snn-digits-mt": 0.987}
"""Float test accuracy after training (docs/snn.md, "Accuracy and simulation time" in BENCHMARKS.md)."""


def measure(model: str, sim: str, samples: int | None) -> dict[str, object]:
    net = load_network(model)
    count = len(net.test_labels) if samples is None else samples
    labels = net.test_labels[:count]
    functional = run_network(net, net.test_inputs[:count]).predictions
    report = simulate(load_network(model, samples=count), load_arch("snn-fpga"))
    t0 = time.perf_counter()
    rtl = run_network_rtl(model, sim, samples=count, build_root=default_build_root() / "bench")
    wall_s = time.perf_counter() - t0
    return {
        "model": model, "samples": count, "steps": net.time_steps,
        "float": FLOAT_ACCURACY.get(model) if samples is None else None,
        "functional": float(np.mean(functional == labels)),
        "accelerator": report.total.extra.get("accuracy"),
        "rtl": float(np.mean(rtl.predictions == labels)),
        "differ": int(np.count_nonzero(rtl.predictions != functional)),
        "mismatches": rtl.mismatches,
        "cycles": sum(r.cycles_checked for r in rtl.layers),
        "simulated": sum(r.cycles_simulated for r in rtl.layers),
        "wall_s": wall_s,
    }


def percent(value: object) -> str:
    return "-" if value is None else f"{100 * float(value):.1f} %"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", choices=sorted(FLOAT_ACCURACY))
    parser.add_argument("--sim", default="verilator", choices=("icarus", "verilator"))
    parser.add_argument("--samples", type=int, default=None, help="first N test samples (default: all)")
    args = parser.parse_args()
    print("| model | samples x steps | float | functional model | simulated accelerator | RTL | predictions "
          "differing | RTL output/cycle mismatches | RTL cycles checked / simulated | wall s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for model in args.model or ["snn-digits-mt"]:
        r = measure(model, args.sim, args.samples)
        print(f"| {r['model']} | {r['samples']} x {r['steps']} | {percent(r['float'])} | {percent(r['functional'])} | "
              f"{percent(r['accelerator'])} | {percent(r['rtl'])} | {r['differ']} | {r['mismatches']} | "
              f"{r['cycles']:,} / {r['simulated']:,} | {r['wall_s']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
