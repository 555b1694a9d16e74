"""Length-aware scheduling and top-k attention on the FPGA model: three tables.

1. Speedup of the length-aware pipeline over padded scheduling (same design, top-k on)
   against the spread of sequence lengths: BERT-base, 512 sequences with lengths drawn
   from normal(64, std) clipped to [4, 128], batches of 16.
2. Latency and energy per sequence against L, dense (dense-attn-fpga with no padding) and
   top-k (sparse-attn-fpga, k = 32), BERT-base, 32 sequences all of length L.
3. Simulation time of BERT-base with 1,000 sequences of mixed real lengths (warm, best of 5).

Usage: python benchmarks/attention_scaling.py
"""

from __future__ import annotations

import time

from hwsim import api


def spread_table() -> None:
    print("1. length-aware vs padded (sparse-attn-fpga, BERT-base, 512 sequences, normal(64, std) in [4, 128])")
    print(f"{'std':>5} {'padded tokens':>14} {'padded ms':>10} {'aware ms':>9} {'speedup':>8} {'energy eff.':>12}")
    arch = api.load_arch("sparse-attn-fpga")
    padded_arch = api.load_arch("sparse-attn-fpga", overrides={"scheduling.mode": "padded"})
    for std in (0, 8, 16, 32, 48):
        lengths = {"distribution": "normal", "mean": 64, "std": std, "min": 4, "max": 128}
        workload = api.load_network("bert-base", overrides={"seq_lengths": lengths, "num_sequences": 512})
        aware, padded = api.simulate(workload, arch), api.simulate(workload, padded_arch)
        cmp = api.compare(aware, padded)
        print(f"{std:>5} {100 * padded.total.extra['padded_token_fraction']:>13.1f}% "
              f"{padded.total.latency_s * 1e3:>10.1f} {aware.total.latency_s * 1e3:>9.1f} "
              f"{cmp.speedup:>7.2f}x {cmp.energy_efficiency:>11.2f}x")


def length_table() -> None:
    print("\n2. per sequence vs L (BERT-base, 32 sequences of length L; dense = dense-attn-fpga unpadded)")
    print(f"{'L':>5} {'dense us/seq':>13} {'top-k us/seq':>13} {'speedup':>8} {'dense uJ/seq':>13} "
          f"{'top-k uJ/seq':>13} {'attn DSP dense':>15} {'attn DSP top-k':>15}")
    dense_arch = api.load_arch("dense-attn-fpga", overrides={"scheduling.mode": "length_aware"})
    sparse_arch = api.load_arch("sparse-attn-fpga")
    for L in (64, 128, 256, 512):
        workload = api.load_network("bert-base", overrides={"seq_lengths": [L] * 32, "top_k": 32})
        dense, sparse = api.simulate(workload, dense_arch), api.simulate(workload, sparse_arch)

        def attn_dsp(report) -> int:  # DSPs the critical-path balancer gives the attention stage
            return report.total.extra["dsp_per_stage"]["attention"]

        per = [r.total.latency_s / 32 * 1e6 for r in (dense, sparse)]
        energy = [r.total.extra["energy_per_sequence_uj"] for r in (dense, sparse)]
        print(f"{L:>5} {per[0]:>13.1f} {per[1]:>13.1f} {per[0] / per[1]:>7.2f}x {energy[0]:>13.0f} {energy[1]:>13.0f} "
              f"{attn_dsp(dense):>15} {attn_dsp(sparse):>15}")


def timing_table() -> None:
    print("\n3. simulation time, BERT-base, 1,000 sequences of mixed lengths (warm, best of 5)")
    workload = api.load_network("bert-base")
    for name in ("sparse-attn-fpga", "dense-attn-fpga", "gpu-v100", "cpu-xeon-8180"):
        arch = api.load_arch(name)
        api.simulate(workload, arch)
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            api.simulate(workload, arch)
            best = min(best, time.perf_counter() - start)
        print(f"  {name:<18} {best * 1e3:8.1f} ms")


if __name__ == "__main__":
    spread_table()
    length_table()
    timing_table()
