"""Run a Transformer workload on an FPGA attention accelerator and price it into a report.

Sequences arrive in order and are grouped into batches of ``scheduling.batch_sequences``;
within a batch every block (layer) is run for all its sequences before the next block, so a
block's weights are read from DRAM once per batch.  Jobs (sequence, block pass) flow through
the five machines of the coarse pipeline (:mod:`.pipeline`); ``padded`` scheduling costs each
sequence at its padded length, ``length_aware`` at its own.  Report layers are
``<block>.<stage>`` with the stage's busy cycles summed over all sequences; the totals'
cycles are the pipeline's makespan, and static power is charged over it.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from hwsim import __version__
from hwsim.cost.pricing import counted_actions, price_counts
from hwsim.errors import SimulationError
from hwsim.limits import MAX_PIPELINE_JOBS, limit_text
from hwsim.report.model import LayerReport, OtherPart, Report, Totals, not_priced_row, summed
from hwsim.sim.attention.balance import allocate_dsp
from hwsim.sim.attention.pipeline import flow_shop_finish
from hwsim.sim.attention.resources import check_resources
from hwsim.sim.attention.stages import MACHINE_OF_STAGE, PASSES, Machine, StageCost, stage_cost
from hwsim.spec.attention import AttentionSpec, PadTo, Scheduling
from hwsim.units import cycles_to_seconds, power_w
from hwsim.workload.network import Network
from hwsim.workload.transformer import Stage, TransformerWorkload
from hwsim.workload.views import transformer_of


def simulate_network(model: TransformerWorkload | Network, arch: AttentionSpec) -> Report:
    """Simulate every sequence of ``model`` through ``arch``'s pipeline and price it.

    An imported network runs as its encoder stack; its other layers are listed, not priced.
    """
    workload, outside = transformer_of(model, arch.name, "attention")
    check_pipeline_size(workload)
    check_top_k(workload, arch)
    resources = check_resources(workload, arch)
    lengths = effective_lengths(workload, arch)
    batch_index = np.arange(workload.batch) // arch.scheduling.batch_sequences
    batch_size = np.bincount(batch_index)[batch_index]
    kinds = Counter(block.kind for block in workload.blocks)

    def machine_time(machine: int, dsp: int) -> float:
        total = 0.0
        for kind, count in kinds.items():
            for passes in PASSES[kind]:
                for stage in passes:
                    if MACHINE_OF_STAGE[stage] == machine:
                        total += count * float(stage_cost(stage, workload, arch, lengths, dsp, batch_size).cycles.sum())
        return total

    dsp = allocate_dsp(arch, len(Machine), machine_time)
    costs = {stage: stage_cost(stage, workload, arch, lengths, dsp[MACHINE_OF_STAGE[stage]], batch_size)
             for kind in kinds for passes in PASSES[kind] for stage in passes}
    finish, first_job, last_job, times = _run_pipeline(workload, costs, batch_index)
    makespan = int(finish[:, -1].max())
    start = finish[first_job, 0] - times[first_job, 0]
    seq_latency_s = cycles_to_seconds(finish[last_job, -1] - start, arch.clock_mhz)

    table = energy_table_pj(arch)
    layers = [_layer_report(block.name, stage, costs[stage], dsp[MACHINE_OF_STAGE[stage]], arch, table)
              for block in workload.blocks for passes in PASSES[block.kind] for stage in passes]
    static_counts = {"fpga.static_cycle": makespan}
    static_pj = price_counts(static_counts, table)
    latency_s = cycles_to_seconds(makespan, arch.clock_mhz)
    energy_pj = sum(layer.energy_pj for layer in layers) + sum(static_pj.values())
    real_tokens = int(workload.lengths.sum())
    extra = {
        "attention": "top-k" if arch.sparse else ("dense (top_k ignored)" if workload.top_k else "dense"),
        "scheduling": arch.scheduling.mode.value,
        "sequences": workload.batch,
        "throughput_seq_per_s": workload.batch / latency_s,
        "energy_per_sequence_uj": energy_pj / workload.batch / 1e6,
        "seq_latency_mean_s": float(seq_latency_s.mean()),
        "seq_latency_p50_s": float(np.percentile(seq_latency_s, 50)),
        "seq_latency_p99_s": float(np.percentile(seq_latency_s, 99)),
        "padded_token_fraction": 1.0 - real_tokens / float(lengths.sum()),
        "dsp_per_stage": {m.name.lower(): d for m, d in zip(Machine, dsp)},
        **resources,
    }
    if outside:
        reason = "outside the encoder stack this accelerator runs"
        layers += [not_priced_row(layer.name, layer.kind.value, reason, macs=layer.macs) for layer in outside]
        extra["not_priced_layers"] = {reason: len(outside)}
    other = OtherPart(
        reason="static power over the whole run; the stages overlap in a pipeline (cycles: the makespan "
               "minus the sum of the stages)",
        cycles=makespan - sum(layer.cycles for layer in layers),
        latency_s=latency_s - sum(layer.latency_s for layer in layers),
        energy_pj=float(sum(static_pj.values())), energy_breakdown_pj=static_pj,
        action_counts=counted_actions(static_counts))
    totals = Totals(
        cycles=makespan, latency_s=latency_s, energy_pj=energy_pj,
        energy_breakdown_pj=summed([*layers, other], "energy_breakdown_pj"), area_mm2=0.0, area_breakdown_mm2={},
        power_w=power_w(energy_pj, latency_s), macs=sum(layer.macs for layer in layers), extra=extra,
        action_counts=summed([*layers, other], "action_counts"), other=other,
    )
    return Report(workload.name, arch.name, "attention", arch.clock_mhz, totals, tuple(layers),
                  workload.describe(), __version__)


def check_pipeline_size(workload: TransformerWorkload) -> None:
    """Refuse more pipeline jobs (sequences x block passes) than ``MAX_PIPELINE_JOBS`` before any is allocated."""
    passes = sum(len(PASSES[block.kind]) for block in workload.blocks)
    jobs = workload.batch * passes
    if jobs > MAX_PIPELINE_JOBS:
        raise SimulationError(
            f"model '{workload.name}': {workload.batch:,} sequences x {passes} block passes = {jobs:,} pipeline jobs, "
            f"more than the limit of {limit_text(MAX_PIPELINE_JOBS)}; simulate fewer sequences (workload.num_sequences)")


def check_top_k(workload: TransformerWorkload, arch: AttentionSpec) -> None:
    """A top-k design needs a ``top_k`` its units can hold."""
    if not arch.sparse:
        return
    if workload.top_k is None:
        raise SimulationError(f"arch '{arch.name}' keeps the top-k keys: set workload.top_k (model '{workload.name}')")
    if workload.top_k > arch.topk_unit.k_max:
        raise SimulationError(
            f"workload.top_k = {workload.top_k} exceeds topk_unit.k_max = {arch.topk_unit.k_max} of arch '{arch.name}'"
        )


def effective_lengths(workload: TransformerWorkload, arch: AttentionSpec) -> np.ndarray:
    """Each sequence's cost length: its own, its batch's longest, or the model's max_len."""
    sched = arch.scheduling
    if sched.mode is Scheduling.LENGTH_AWARE:
        return workload.lengths
    if sched.pad_to is PadTo.MODEL_MAX:
        return np.full_like(workload.lengths, workload.max_len)
    batch_index = np.arange(workload.batch) // sched.batch_sequences
    return np.maximum.reduceat(workload.lengths, np.unique(batch_index, return_index=True)[1])[batch_index]


def energy_table_pj(arch: AttentionSpec) -> dict[str, float]:
    """pJ per counted action; static power becomes pJ per clock cycle."""
    e = arch.energy
    return {
        "dsp.mac": e.dsp_mac.pj, "score.lut_mac": e.lut_mac.pj, "topk.compare": e.topk_compare.pj,
        "vector.op": e.vector_op.pj, "bram.byte": e.bram_byte.pj, "dram.byte": e.dram_byte.pj,
        "fpga.static_cycle": arch.fpga.static_power_w / (arch.clock_mhz * 1e6) * 1e12,
    }


def _run_pipeline(workload: TransformerWorkload, costs: dict[Stage, StageCost], batch_index: np.ndarray):
    """Build the job table (batch, block pass, sequence) and run the flow shop."""
    passes = [stages for block in workload.blocks for stages in PASSES[block.kind]]
    machines = len(Machine)
    pass_times = []
    for stages in passes:
        t = np.zeros((workload.batch, machines), dtype=np.int64)
        for stage in stages:
            t[:, MACHINE_OF_STAGE[stage]] = costs[stage].cycles
        pass_times.append(t)
    rows, previous, first_job, last_job = [], [], np.zeros(workload.batch, np.int64), np.zeros(workload.batch, np.int64)
    base = 0
    for batch in range(int(batch_index[-1]) + 1):
        seqs = np.flatnonzero(batch_index == batch)
        n = seqs.size
        for p, t in enumerate(pass_times):
            rows.append(t[seqs])
            ids = base + p * n + np.arange(n)
            previous.append(ids - n if p else np.full(n, -1, dtype=np.int64))
        first_job[seqs] = base + np.arange(n)
        last_job[seqs] = base + (len(pass_times) - 1) * n + np.arange(n)
        base += len(pass_times) * n
    times = np.concatenate(rows)
    finish = flow_shop_finish(times, np.concatenate(previous).astype(np.int64))
    return finish, first_job, last_job, times


def _layer_report(block: str, stage: Stage, cost: StageCost, dsp: int, arch: AttentionSpec, table) -> LayerReport:
    counts = {key: float(value.sum()) for key, value in cost.counts.items()}
    breakdown = price_counts(counts, table)
    cycles = int(cost.cycles.sum())
    compute = int(np.minimum(cost.dsp_cycles, cost.cycles).sum())
    macs = int(cost.dsp_macs.sum())
    capacity = cycles * dsp * arch.dsp_pool.macs_per_dsp
    extra = {"dsp": dsp}
    if "score.lut_mac" in counts:
        extra["lut_macs"] = int(counts["score.lut_mac"])
    return LayerReport(
        name=f"{block}.{stage.value}", kind=stage.value, cycles=cycles, compute_cycles=compute,
        stall_cycles=cycles - compute, latency_s=cycles_to_seconds(cycles, arch.clock_mhz),
        energy_pj=float(sum(breakdown.values())), energy_breakdown_pj=breakdown,
        utilization=macs / capacity if capacity else 0.0, macs=macs, nonzero_weight_fraction=None,
        mapping=f"{dsp} DSP x {arch.dsp_pool.macs_per_dsp} MAC", extra=extra, action_counts=counted_actions(counts),
    )

