"""BERT-base on this machine's CPU, measured: the attention table's workload run for real.

The same 1,000 sequences of real sentence lengths as benchmarks/attention_vs_baselines.py
(models/bert-base.yaml), batched in arrival order and zero-padded to each batch's longest (16
per batch, as the cpu-xeon-8180 preset) or to a fixed length, run through BERT-base's 12
encoder layers in fp32 with numpy and the BLAS its wheel ships (OpenBLAS); the thread count is
set before numpy loads.  Each layer runs the kernels the roofline counts: the QKV GEMM, masked
scores, softmax, scores x V, the output GEMM, add + layer norm, the two FFN GEMMs with GELU,
add + layer norm.  Weights are random (the time does not depend on their values).

Printed: the measured time, the ``cpu-host`` roofline
(hwsim/presets/cpu-host.yaml, whose rates benchmarks/host_probe.py measured here) on the same
batches and its error against the measured time, and the sparse-attention FPGA's speedup and
energy efficiency against the measured CPU beside the paper's 80.2x.  Nothing is fitted.

The measured time is the process's CPU time with one thread (the default): this VM's two
vCPUs are shared with other jobs, so the wall clock also counts the time others held the core,
while one thread's CPU time is the time the core worked on this run.  With more threads the
wall time is used (printed with the CPU time, so the contention shows).

Usage: python benchmarks/attention_host_baseline.py [--threads 1] [--batch 16] [--pad-to N] [--sequences N]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

PAPER_CPU_SPEEDUP = 80.2


def weights(np, d: int, ff: int, layers: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)

    def mat(rows: int, cols: int):
        return (rng.standard_normal((rows, cols), dtype=np.float32) * np.float32(0.02))

    return [{"qkv": mat(d, 3 * d), "b_qkv": np.zeros(3 * d, np.float32), "proj": mat(d, d),
             "b_proj": np.zeros(d, np.float32), "ffn1": mat(d, ff), "b_ffn1": np.zeros(ff, np.float32),
             "ffn2": mat(ff, d), "b_ffn2": np.zeros(d, np.float32)} for _ in range(layers)]


def layer_norm(np, x):
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    return centred / np.sqrt((centred * centred).mean(axis=-1, keepdims=True) + np.float32(1e-12))


def gelu(np, x):
    """BERT's tanh GELU, in place on ``x`` (x * x * x: numpy's float32 ``x ** 3`` is a slow pow)."""
    u = x * x
    u *= np.float32(0.044715)
    u += np.float32(1.0)
    u *= x
    u *= np.float32(0.7978845608)
    np.tanh(u, out=u)
    u += np.float32(1.0)
    u *= np.float32(0.5)
    x *= u
    return x


def encoder_layer(np, x, key_mask, w: dict, heads: int):
    """One BERT encoder layer on ``x`` (n, L, d) with additive ``key_mask`` (n, 1, 1, L)."""
    n, length, d = x.shape
    head_dim = d // heads
    flat = x.reshape(n * length, d)
    qkv = (flat @ w["qkv"] + w["b_qkv"]).reshape(n, length, 3, heads, head_dim).transpose(2, 0, 3, 1, 4)
    q, k, v = qkv[0], qkv[1], qkv[2]
    scores = q @ k.transpose(0, 1, 3, 2) * np.float32(head_dim ** -0.5) + key_mask
    scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
    scores /= scores.sum(axis=-1, keepdims=True)
    attended = (scores @ v).transpose(0, 2, 1, 3).reshape(n * length, d)
    flat = layer_norm(np, flat + attended @ w["proj"] + w["b_proj"])
    hidden = gelu(np, flat @ w["ffn1"] + w["b_ffn1"])
    flat = layer_norm(np, flat + hidden @ w["ffn2"] + w["b_ffn2"])
    return flat.reshape(n, length, d)


def batches(lengths, batch: int, pad_to: int | None) -> list[tuple[int, int, object]]:
    """(sequences, padded length, lengths) of every batch, in arrival order."""
    out = []
    for start in range(0, len(lengths), batch):
        part = lengths[start:start + batch]
        out.append((len(part), int(part.max()) if pad_to is None else pad_to, part))
    return out


def run(np, workload, batch: int, pad_to: int | None, seed: int = 0) -> tuple[float, float, int]:
    """(wall s, process CPU s, executed tokens) of the whole workload, weights built beforehand."""
    layers = weights(np, workload.d_model, workload.d_ff, workload.encoder_layers, seed)
    rng = np.random.default_rng(seed + 1)
    plan = batches(workload.lengths, batch, pad_to)
    inputs = []
    for n, length, part in plan:
        x = rng.standard_normal((n, length, workload.d_model), dtype=np.float32)
        mask = np.where(np.arange(length)[None, :] < part[:, None], 0.0, -1e9).astype(np.float32)
        inputs.append((x, mask.reshape(n, 1, 1, length)))
    encoder_layer(np, inputs[0][0][:1, :8], inputs[0][1][:1, :, :, :8], layers[0], workload.heads)   # warm-up
    wall, cpu = time.perf_counter(), time.process_time()
    for x, mask in inputs:
        for w in layers:
            x = encoder_layer(np, x, mask, w, workload.heads)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, sum(n * length for n, length, _ in plan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=16, help="sequences per batch (the cpu-xeon-8180 preset: 16)")
    parser.add_argument("--pad-to", type=int, default=None, help="pad every sequence to this length (default: batch max)")
    parser.add_argument("--sequences", type=int, default=None, help="first N sequences only (default: all 1,000)")
    args = parser.parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import numpy as np   # after the thread count: OpenBLAS reads it when it loads

    from hwsim import api

    workload = api.load_network("bert-base")
    if args.sequences is not None:
        workload = dataclasses.replace(workload, lengths=workload.lengths[:args.sequences])
    wall, cpu, tokens = run(np, workload, args.batch, args.pad_to)
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    padding = "batch max" if args.pad_to is None else str(args.pad_to)
    print(f"{workload.name}: {workload.batch} sequences ({int(workload.lengths.sum())} tokens, {tokens} executed), "
          f"batch {args.batch}, padded to {padding}, fp32, numpy {np.__version__} + {blas['name']} {blas['version']}, "
          f"{args.threads} thread(s)")
    measured = cpu if args.threads == 1 else wall
    print(f"measured: {measured:.3f} s ({'CPU time of the one thread' if args.threads == 1 else 'wall'}; "
          f"{wall:.2f} s wall, {cpu:.2f} s CPU), {workload.batch / measured:.2f} seq/s")
    overrides = {"batch_sequences": args.batch, **({} if args.pad_to is None else {"pad_to_length": args.pad_to})}
    host = api.load_arch("cpu-host", overrides=overrides)
    roof = api.simulate(workload, host).total
    print(f"cpu-host roofline: {roof.latency_s:.3f} s ({100 * (roof.latency_s / measured - 1):+.1f} % vs measured)")
    fpga = api.simulate(workload, api.load_arch("sparse-attn-fpga")).total
    cpu_j = host.power_w.value * measured
    print(f"sparse-attn-fpga: {fpga.latency_s:.3f} s, {fpga.energy_pj / 1e12:.2f} J -> {measured / fpga.latency_s:.2f}x speedup, "
          f"{cpu_j / (fpga.energy_pj / 1e12):.2f}x energy efficiency vs this CPU at {host.power_w.value:g} W "
          f"(paper: {PAPER_CPU_SPEEDUP}x speedup over its CPU)")


if __name__ == "__main__":
    main()
