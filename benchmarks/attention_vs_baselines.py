"""The sparse-attention FPGA design against its baselines, next to the paper's ratios.

Peng et al. (DAC 2022) quote 80.2x speedup over a CPU, 2.6x over a GPU and 4x energy
efficiency over a GPU (CUBLAS GEMM); their board, clock, k, batch sizes and CPU/GPU
settings are not public.  This script runs BERT-base on 1,000 sequences of real sentence
lengths (models/bert-base.yaml) on sparse-attn-fpga, dense-attn-fpga and the roofline
baselines cpu-xeon-8180 and gpu-v100 under several stated baseline assumptions, and
prints every ratio computed by hwsim next to the paper's.  Nothing is fitted.

Usage: python benchmarks/attention_vs_baselines.py [--model bert-base] [--top-k 32] [--markdown]
"""

from __future__ import annotations

import argparse

from hwsim import api

PAPER = {"cpu_speedup": 80.2, "gpu_speedup": 2.6, "gpu_energy_efficiency": 4.0}

# One core of the 8180 at its full AVX-512 rate (the socket's peak / 28).
ONE_CORE = {"peak_macs_per_s.value": 1.79e12 / 28}

# Baseline assumptions: (label, CPU roofline overrides, GPU roofline overrides).
SCENARIOS = (
    ("batch 16, padded to batch max (presets)", {}, {}),
    ("batch 16, padded to 128", {"pad_to_length": 128}, {"pad_to_length": 128}),
    ("batch 1, no padding", {"batch_sequences": 1}, {"batch_sequences": 1}),
    ("batch 1, padded to 128", {"batch_sequences": 1, "pad_to_length": 128},
     {"batch_sequences": 1, "pad_to_length": 128}),
    ("batch 1, padded to 128, CPU on 1 core", {"batch_sequences": 1, "pad_to_length": 128, **ONE_CORE},
     {"batch_sequences": 1, "pad_to_length": 128}),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="bert-base")
    parser.add_argument("--top-k", type=int, default=32)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    workload = api.load_network(args.model, overrides={"top_k": args.top_k})
    ours = api.simulate(workload, api.load_arch("sparse-attn-fpga"))
    dense = api.simulate(workload, api.load_arch("dense-attn-fpga"))
    t = ours.total
    print(f"{workload.name}: {workload.batch} sequences, mean length {workload.lengths.mean():.1f}, "
          f"max {workload.lengths.max()}, top_k {workload.top_k}")
    print(f"sparse-attn-fpga: {t.latency_s * 1e3:.1f} ms, {t.energy_pj / 1e12:.2f} J, {t.power_w:.1f} W, "
          f"{t.extra['throughput_seq_per_s']:.0f} seq/s")
    cmp = api.compare(ours, dense)
    print(f"vs dense-attn-fpga (padded, dense attention, same FPGA): {cmp.speedup:.2f}x speedup, "
          f"{cmp.energy_efficiency:.2f}x energy efficiency\n")
    rows = []
    for label, cpu_overrides, gpu_overrides in SCENARIOS:
        cpu = api.simulate(workload, api.load_arch("cpu-xeon-8180", overrides=cpu_overrides))
        gpu = api.simulate(workload, api.load_arch("gpu-v100", overrides=gpu_overrides))
        vs_cpu, vs_gpu = api.compare(ours, cpu), api.compare(ours, gpu)
        rows.append((label, vs_cpu.speedup, vs_gpu.speedup, vs_gpu.energy_efficiency,
                     cpu.total.latency_s, gpu.total.latency_s))
    header = ("baseline assumption", "vs CPU speedup", "vs GPU speedup", "vs GPU energy eff.", "CPU s", "GPU s")
    paper = ("paper (Peng et al. 2022)", f"{PAPER['cpu_speedup']}x", f"{PAPER['gpu_speedup']}x",
             f"{PAPER['gpu_energy_efficiency']}x", "", "")
    lines = [(r[0], f"{r[1]:.1f}x", f"{r[2]:.2f}x", f"{r[3]:.1f}x", f"{r[4]:.2f}", f"{r[5]:.2f}") for r in rows]
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|---" * len(header) + "|")
        for line in (*lines, paper):
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(str(x[i])) for x in (header, paper, *lines)) for i in range(len(header))]
        for line in (header, *lines, paper):
            print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(line, widths))))
    implied(ours, api.simulate(workload, api.load_arch("cpu-xeon-8180")),
            api.simulate(workload, api.load_arch("gpu-v100")))
    print("\nassumptions: FPGA = hwsim/presets/sparse-attn-fpga.yaml (Alveo U200, 200 MHz, 4096 DSP x 2 int8 MAC);"
          "\nCPU = cpu-xeon-8180.yaml (fp32, 50 % of AVX-512 peak, 10 us/op, 205 W);"
          "\nGPU = gpu-v100.yaml (fp32 cuBLAS, 60 % of peak, 5 us/kernel, 250 W); energies as each file's sources say.")


def implied(ours, cpu, gpu) -> None:
    """What the paper's ratios would require of the preset baselines, given our FPGA result."""
    cpu_spec, gpu_spec = api.load_arch("cpu-xeon-8180"), api.load_arch("gpu-v100")
    cpu_time = ours.total.latency_s * PAPER["cpu_speedup"]
    gpu_time = ours.total.latency_s * PAPER["gpu_speedup"]
    cpu_rate = cpu.total.macs / cpu_time
    gpu_rate = gpu.total.macs / gpu_time
    gpu_power = PAPER["gpu_energy_efficiency"] * ours.total.energy_pj / 1e12 / gpu_time
    print("\nwhat the paper's ratios imply, given this FPGA result and the presets' padded batch-16 work:")
    print(f"  80.2x over the CPU: the CPU sustains {cpu_rate / 1e9:.1f} GMAC/s over the whole run, "
          f"{100 * cpu_rate / cpu_spec.peak_macs_per_s.value:.2f} % of the 8180's fp32 peak "
          f"(about {cpu_rate / (cpu_spec.peak_macs_per_s.value / 28):.2f} of its 28 cores at full AVX-512 rate)")
    print(f"  2.6x over the GPU: the GPU sustains {gpu_rate / 1e12:.2f} TMAC/s, "
          f"{100 * gpu_rate / gpu_spec.peak_macs_per_s.value:.1f} % of the V100's fp32 peak")
    print(f"  4x energy efficiency at 2.6x speed: the GPU draws {gpu_power:.0f} W on average "
          f"({gpu_power / ours.total.power_w:.2f}x this FPGA's {ours.total.power_w:.1f} W), "
          f"not its {gpu_spec.power_w.value:.0f} W board limit")


if __name__ == "__main__":
    main()
