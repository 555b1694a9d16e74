"""Spiker reproduction: latency per image from the control flow on real spike trains, resources, speedup.

Inputs: scikit-learn's digits resized to 28x28 and scaled to 0..255 (MNIST cannot be
downloaded here), the 539-image test split, Spiker's free-running 16-bit LFSR (seed 5).
Paper values: Carpegna et al., ISVLSI 2022 (latency) and the placed design's report
(resources), see /work/shared/REFERENCES.md.

Usage: python benchmarks/snn_spiker_repro.py
"""

from __future__ import annotations

import time

from hwsim import api

PAPER_LATENCY_US = 215.0
PAPER_RESOURCES = {"lut": 29192, "ff": 26853, "bram36": 45}


def main() -> None:
    net = api.load_network("spiker-mnist")
    start = time.perf_counter()
    spiker = api.simulate(net, api.load_arch("spiker"))
    seconds = time.perf_counter() - start
    no_host = api.simulate(net, api.load_arch("spiker", overrides={"host.load_cycles_per_input": 0,
                                                                    "host.readout_cycles_per_neuron": 0}))
    event = api.simulate(net, api.load_arch("spiker-event"))
    event1 = api.simulate(net, api.load_arch("spiker-event", overrides={"core.empty_step_cycles": 1}))
    layer = spiker.layers[0].extra
    t = spiker.total
    print(f"spiker-mnist on spiker: {t.extra['samples']} images, accuracy {100 * t.extra['accuracy']:.1f} %, "
          f"simulated in {seconds:.2f} s")
    print(f"  per image: {layer['active_steps_per_inference']:.2f} of 3500 steps with an input spike, "
          f"{layer['input_events_per_inference']:.0f} input spikes, {layer['inhibition_steps_per_inference']:.2f} "
          f"inhibition scans, {layer['output_spikes_per_inference']:.1f} output spikes")
    print()
    print(f"{'quantity':<38} {'paper':>9} {'hwsim':>9} {'error':>8}")
    rows = [("latency per image, us (with host I/O)", PAPER_LATENCY_US, t.latency_s * 1e6),
            ("latency per image, us (core only)", PAPER_LATENCY_US, no_host.total.latency_s * 1e6)]
    res = t.extra["fpga_resources"]
    rows += [(f"{key.upper()}", float(PAPER_RESOURCES[key]), float(res[key])) for key in ("lut", "ff", "bram36")]
    for name, paper, ours in rows:
        print(f"{name:<38} {paper:>9.1f} {ours:>9.1f} {100 * (ours / paper - 1):>+7.1f}%")
    print()
    print(f"{'design (same spike trains)':<44} {'us/image':>9} {'p50 us':>8} {'max us':>8} {'uJ/image':>9} {'speedup':>8}")
    for name, report in (("spiker (clock-driven, skips empty steps)", spiker),
                         ("spiker-event (snn_core block timing)", event),
                         ("spiker-event, 1-cycle empty step", event1)):
        tt = report.total
        print(f"{name:<44} {tt.latency_s * 1e6:>9.1f} {tt.extra['latency_p50_s'] * 1e6:>8.1f} "
              f"{tt.extra['latency_max_s'] * 1e6:>8.1f} {tt.extra['energy_per_inference_uj']:>9.2f} "
              f"{t.latency_s / tt.latency_s:>7.2f}x")


if __name__ == "__main__":
    main()
