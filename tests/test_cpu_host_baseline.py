"""The measured CPU baseline: the cpu-host roofline preset and the script that runs BERT-base for real."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from hwsim import api

ROOT = Path(__file__).resolve().parents[1]


def test_cpu_host_rates_are_measured_not_assumed():
    arch = api.load_arch("cpu-host")
    for rate in (arch.peak_macs_per_s, arch.memory_bandwidth_gb_s, arch.kernel_overhead_us):
        assert "benchmarks/host_probe.py" in rate.source
    # the probe measures sustained rates, so nothing scales them down again
    assert arch.compute_efficiency.value == arch.memory_efficiency.value == 1.0
    report = api.simulate(api.load_network("tiny-encoder"), arch)
    assert report.total.latency_s > 0 and report.total.extra["part"].startswith("AMD EPYC")


def test_host_run_times_the_workload_and_compares_the_roofline():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "attention_host_baseline.py"), "--sequences", "3",
                           "--batch", "2"], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    # the batches of the table's workload: 3 sequences in batches of 2, each padded to its longest
    lengths = api.load_network("bert-base").lengths[:3]
    executed = 2 * int(lengths[:2].max()) + int(lengths[2])
    assert f"3 sequences ({int(lengths.sum())} tokens, {executed} executed), batch 2, padded to batch max" in out
    measured = float(re.search(r"measured: ([0-9.]+) s \(CPU time of the one thread", out).group(1))
    roofline, error = re.search(r"cpu-host roofline: ([0-9.]+) s \(([-+0-9.]+) % vs measured\)", out).groups()
    assert measured > 0 and abs(100 * (float(roofline) / measured - 1) - float(error)) < 1.0
    assert re.search(r"sparse-attn-fpga: .* -> [0-9.]+x speedup, [0-9.]+x energy efficiency vs this CPU", out)
