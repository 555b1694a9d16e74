"""Run a Transformer workload on a roofline CPU/GPU baseline and price it into a report.

Sequences are batched in arrival order (``batch_sequences``) and padded to each batch's
longest; every block's stages run as their kernels (:mod:`.kernels`), one after another.
Report layers are ``<block>.<stage>``, named as the attention family names them, so
``hwsim compare`` lines them up with an FPGA run of the same model.
"""

from __future__ import annotations

import numpy as np

from hwsim import __version__
from hwsim.cost.pricing import counted_actions, price_counts
from hwsim.errors import SimulationError
from hwsim.report.model import LayerReport, Report, Totals, summed
from hwsim.sim.attention.stages import PASSES
from hwsim.sim.roofline.kernels import Kernel, layer_kernel, stage_kernels
from hwsim.spec.roofline import RooflineSpec
from hwsim.units import power_w
from hwsim.workload.network import Network
from hwsim.workload.transformer import Stage, TransformerWorkload
from hwsim.workload.views import transformer_of


def kernel_seconds(kernel: Kernel, spec: RooflineSpec) -> float:
    """Roofline time of one kernel plus its launch/dispatch overhead."""
    compute = kernel.macs / (spec.peak_macs_per_s.value * spec.compute_efficiency.value)
    memory = kernel.elements * spec.bytes_per_element / (
        spec.memory_bandwidth_gb_s.value * 1e9 * spec.memory_efficiency.value)
    return max(compute, memory) + spec.kernel_overhead_us.value * 1e-6


def simulate_network(model: TransformerWorkload | Network, arch: RooflineSpec) -> Report:
    """Time and energy of every block stage over all batches of ``model``.

    An imported network runs as its encoder stack, and its other layers (patch embeddings,
    heads, token embeddings) as one kernel each after it.
    """
    workload, outside = transformer_of(model, arch.name, "roofline")
    lengths = workload.lengths
    starts = np.arange(0, workload.batch, arch.batch_sequences)
    padded = np.maximum.reduceat(lengths, starts)
    if arch.pad_to_length is not None:
        if arch.pad_to_length < int(lengths.max()):
            raise SimulationError(
                f"arch '{arch.name}': pad_to_length = {arch.pad_to_length} is shorter than the longest sequence "
                f"({int(lengths.max())} tokens) of model '{workload.name}'"
            )
        padded = np.full_like(padded, arch.pad_to_length)
    sizes = np.diff(np.append(starts, workload.batch))
    # One block kind's stage costs the same in every block of that kind: compute it once.
    stage_seconds: dict[Stage, float] = {}
    stage_macs: dict[Stage, int] = {}
    for kind in {block.kind for block in workload.blocks}:
        for stage in (s for passes in PASSES[kind] for s in passes):
            seconds, macs = 0.0, 0
            for n, L in zip(sizes.tolist(), padded.tolist()):
                for kernel in stage_kernels(workload, stage, n, L):
                    seconds += kernel_seconds(kernel, arch)
                    macs += kernel.macs
            stage_seconds[stage], stage_macs[stage] = seconds, macs
    table = {"device.active_us": arch.power_w.value * 1e6}
    layers = []
    for block in workload.blocks:
        for stage in (s for passes in PASSES[block.kind] for s in passes):
            seconds = stage_seconds[stage]
            counts = {"device.active_us": seconds * 1e6}
            breakdown = price_counts(counts, table)
            cycles = int(round(seconds * arch.clock_mhz * 1e6))
            layers.append(LayerReport(
                name=f"{block.name}.{stage.value}", kind=stage.value, cycles=cycles, compute_cycles=cycles,
                stall_cycles=0, latency_s=seconds, energy_pj=float(sum(breakdown.values())),
                energy_breakdown_pj=breakdown, utilization=arch.compute_efficiency.value, macs=stage_macs[stage],
                nonzero_weight_fraction=None, mapping=f"{arch.device.value}, batch {arch.batch_sequences}",
                action_counts=counted_actions(counts),
            ))
    for layer in outside:
        kernel = layer_kernel(layer)
        seconds = kernel_seconds(kernel, arch)
        counts = {"device.active_us": seconds * 1e6}
        breakdown = price_counts(counts, table)
        cycles = int(round(seconds * arch.clock_mhz * 1e6))
        layers.append(LayerReport(
            name=layer.name, kind=layer.kind.value, cycles=cycles, compute_cycles=cycles, stall_cycles=0,
            latency_s=seconds, energy_pj=float(sum(breakdown.values())), energy_breakdown_pj=breakdown,
            utilization=arch.compute_efficiency.value, macs=kernel.macs, nonzero_weight_fraction=None,
            mapping=f"{arch.device.value}, one kernel outside the encoder stack",
            action_counts=counted_actions(counts),
        ))
    latency_s = sum(layer.latency_s for layer in layers)
    energy_pj = sum(layer.energy_pj for layer in layers)
    real, executed = int(lengths.sum()), int((padded * sizes).sum())
    extra = {
        "device": arch.device.value,
        "part": arch.part,
        "sequences": workload.batch,
        "throughput_seq_per_s": workload.batch / latency_s,
        "energy_per_sequence_uj": energy_pj / workload.batch / 1e6,
        "padded_token_fraction": 1.0 - real / executed,
    }
    totals = Totals(
        cycles=sum(layer.cycles for layer in layers), latency_s=latency_s, energy_pj=energy_pj,
        energy_breakdown_pj=summed(layers, "energy_breakdown_pj"), area_mm2=0.0, area_breakdown_mm2={},
        power_w=power_w(energy_pj, latency_s), macs=sum(layer.macs for layer in layers), extra=extra,
        action_counts=summed(layers, "action_counts"),
    )
    return Report(workload.name, arch.name, "roofline", arch.clock_mhz, totals, tuple(layers),
                  workload.describe(), __version__)
