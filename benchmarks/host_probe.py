"""Measure this machine's sustained fp32 GEMM rate, copy bandwidth and per-call overhead.

The numbers of the ``cpu-host`` roofline preset (hwsim/presets/cpu-host.yaml) come from this
script, run with the same BLAS and thread count as benchmarks/attention_host_baseline.py (one
thread: times are the process's CPU time, which on a VM shared with other jobs is the time the
core actually worked; with more threads it is their sum, so use one):

* GEMM: the best of several 1024 x 768 x 3072 fp32 products (a BERT-base FFN GEMM of 1,024
  tokens) through numpy's BLAS, in MAC/s;
* bandwidth: the best of several copies of a 256 MiB fp32 array (bytes read + written per
  second; far larger than the last-level cache);
* overhead: the mean CPU time of a numpy call on a 16-element array (what a kernel costs
  beyond its work in an eager numpy program).

Usage: python benchmarks/host_probe.py [--threads N]
"""

from __future__ import annotations

import argparse
import os
import time


def best_seconds(fn, repeats: int) -> float:
    """The shortest of ``repeats`` calls in the process's CPU time (on a shared machine the wall
    clock also counts the time other jobs held the core)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def probe(np) -> dict[str, float]:
    """(macs_per_s, bandwidth_gb_s, overhead_us) measured with the numpy module given."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((1024, 768), dtype=np.float32)
    b = rng.standard_normal((768, 3072), dtype=np.float32)
    out = np.empty((1024, 3072), np.float32)
    gemm_s = best_seconds(lambda: np.matmul(a, b, out=out), 10)
    src = np.ones(64 << 20, np.float32)
    dst = np.empty_like(src)
    copy_s = best_seconds(lambda: np.copyto(dst, src), 5)
    small = np.ones(16, np.float32)
    small_out = np.empty_like(small)
    start = time.process_time()
    for _ in range(20000):
        np.multiply(small, small, out=small_out)
    call_s = (time.process_time() - start) / 20000
    return {"macs_per_s": a.shape[0] * a.shape[1] * b.shape[1] / gemm_s,
            "bandwidth_gb_s": 2 * src.nbytes / copy_s / 1e9,
            "overhead_us": call_s * 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import numpy as np   # after the thread count is set: BLAS reads it when it loads

    found = probe(np)
    print(f"{args.threads} thread(s), numpy {np.__version__}: fp32 GEMM {found['macs_per_s'] / 1e9:.1f} G MAC/s, "
          f"copy {found['bandwidth_gb_s']:.1f} GB/s, numpy call {found['overhead_us']:.2f} us")


if __name__ == "__main__":
    main()
