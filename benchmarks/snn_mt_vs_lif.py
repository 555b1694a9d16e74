"""Multi-threshold LIF at T = 2 against plain LIF at T = 8..32 on the digits, same training recipe.

Each network (64 -> 128 -> 10, direct input, 6-bit weights) is trained by
scripts/train_snn_digits.py's recipe with seed 0 (100 epochs here), quantized, and run on the
snn-fpga preset: test accuracy of the integer network (= the accelerator's), cycles and
energy per inference.

Usage: python benchmarks/snn_mt_vs_lif.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from hwsim import api

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from train_snn_digits import train_digits  # noqa: E402

CONFIGS = ((2, 3), (2, 2), (2, 1), (8, 1), (16, 1), (32, 1))


def main() -> None:
    arch = api.load_arch("snn-fpga")
    print(f"{'T':>3} {'K':>2} {'float acc':>10} {'int acc':>8} {'cycles/inf':>11} {'us/inf':>7} {'nJ/inf':>8} "
          f"{'dyn nJ/inf':>11} {'hidden events/inf':>18}")
    for steps, levels in CONFIGS:
        result, net = train_digits(steps, levels, seed=0, out=None, epochs=100)
        report = api.simulate(net, arch)
        t = report.total
        dynamic = (t.energy_pj - t.energy_breakdown_pj["fpga.static_cycle"]) / 1e3
        print(f"{steps:>3} {levels:>2} {100 * result['float_test']:>9.1f}% {100 * t.extra['accuracy']:>7.1f}% "
              f"{t.extra['cycles_per_inference']:>11.1f} {t.latency_s * 1e6:>7.2f} "
              f"{t.extra['energy_per_inference_uj'] * 1e3:>8.1f} {dynamic:>11.1f} "
              f"{report.layers[1].extra['input_events_per_inference']:>18.1f}", flush=True)


if __name__ == "__main__":
    main()
