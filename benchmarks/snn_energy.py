"""Energy per inference of the shipped SNN models on their accelerators, with its breakdown.

Usage: python benchmarks/snn_energy.py
"""

from __future__ import annotations

from hwsim import api

RUNS = (("spiker-mnist", "spiker"), ("spiker-mnist", "spiker-event"),
        ("snn-digits", "snn-fpga"), ("snn-digits-mt", "snn-fpga"))


def main() -> None:
    print(f"{'model':<15} {'arch':<13} {'acc':>6} {'us/inf':>8} {'uJ/inf':>8} {'static':>7} {'top dynamic actions (share of total)'}")
    for model, arch in RUNS:
        report = api.simulate(api.load_network(model), api.load_arch(arch))
        t = report.total
        share = {k: v / t.energy_pj for k, v in t.energy_breakdown_pj.items()}
        top = sorted(((v, k) for k, v in share.items() if k != "fpga.static_cycle"), reverse=True)[:3]
        print(f"{model:<15} {arch:<13} {100 * t.extra['accuracy']:>5.1f}% {t.latency_s * 1e6:>8.2f} "
              f"{t.extra['energy_per_inference_uj']:>8.3f} {100 * share['fpga.static_cycle']:>6.1f}% "
              + ", ".join(f"{k} {100 * v:.1f}%" for v, k in top))


if __name__ == "__main__":
    main()
