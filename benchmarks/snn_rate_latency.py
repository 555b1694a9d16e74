"""Latency per inference against the input spike rate: clock-driven vs event-driven cores.

The Spiker layer (784 -> 400, its weights and neurons) on 20 test images for T = 350 steps;
the spike rate is set by how many LFSR bits the 8-bit intensity is compared with
(``encoding.random_bits`` = 16 gives P = x / 65536 per step, 8 gives x / 256).  Every design
sees the same spike trains.  Cores: clock-driven scanning every input every step, clock-driven
skipping empty steps (Spiker), event-driven with the snn_core block's timing (spiker-event).

Usage: python benchmarks/snn_rate_latency.py
"""

from __future__ import annotations

from hwsim import api

ARCHS = (
    ("clock", "spiker", {"core.skip_empty_steps": False}),
    ("clock+skip", "spiker", {}),
    ("event", "spiker-event", {}),
)


def main() -> None:
    print(f"{'random bits':>11} {'spike rate':>11} {'active steps':>13} "
          + " ".join(f"{name + ' us':>14}" for name, _, _ in ARCHS) + f" {'event vs clock':>15} {'event vs skip':>14}")
    for bits in (16, 14, 12, 10, 9, 8):
        net = api.load_network("spiker-mnist", samples=20, time_steps=350,
                               encoding={"kind": "lfsr_rate", "seed": 5, "random_bits": bits, "reseed_per_sample": False})
        reports = [api.simulate(net, api.load_arch(arch, overrides=over)) for _, arch, over in ARCHS]
        lat = [r.total.latency_s * 1e6 for r in reports]
        layer = reports[0].layers[0].extra
        print(f"{bits:>11} {layer['input_spike_rate']:>11.5f} {layer['active_steps_per_inference']:>13.1f} "
              + " ".join(f"{v:>14.1f}" for v in lat) + f" {lat[0] / lat[2]:>14.2f}x {lat[1] / lat[2]:>13.2f}x")


if __name__ == "__main__":
    main()
