"""Run a spiking network on an FPGA SNN accelerator and price it into a report.

The functional model (:func:`hwsim.func.lif.run_network`) runs every sample of the model's
data (its labelled test split, or the samples given) on the real encoded spike trains; its
per-step activity (input events, firing neurons) becomes cycles through
:mod:`hwsim.sim.snn.cycles` (the core block's model plus the controller's phases) and action
counts priced by :mod:`hwsim.cost.snn`.  The accelerator computes exactly what the
functional model computes (same integer arithmetic, same event order), so its predictions
are the functional model's: the report's ``accuracy`` is the accelerator's.

Every number of the report is per inference, the mean over the samples (``cycles`` rounded;
``cycles_per_inference`` exact); ``batch_cycles`` and ``batch_energy_pj`` are the whole run's,
``latency_p50_s`` / ``latency_max_s`` describe the spread.  Layers run one after another inside each step, so an inference costs the sum of
its layers' core cycles plus the host's transfers.
"""

from __future__ import annotations

import numpy as np

from hwsim import __version__
from hwsim.cost.fpga_snn import estimate_resources
from hwsim.cost.pricing import counted_actions, price_counts
from hwsim.cost.snn import energy_table_pj
from hwsim.errors import MappingError, SimulationError
from hwsim.func.lif import RunResult, run_network
from hwsim.report.model import LayerReport, OtherPart, Report, Totals, summed
from hwsim.sim.blocks.snn_core import groups
from hwsim.sim.snn.cycles import host_cycles, network_layer_cycles
from hwsim.spec.snn import SnnSpec
from hwsim.units import cycles_to_seconds, power_w
from hwsim.workload.snn import EncodingKind, SnnNetwork


def simulate_network(workload: SnnNetwork, arch: SnnSpec) -> Report:
    """Simulate every shipped sample of ``workload`` on ``arch`` and price it."""
    if not isinstance(workload, SnnNetwork):
        raise SimulationError(
            f"model '{getattr(workload, 'name', workload)}' is not a spiking network; arch '{arch.name}' (snn) "
            "runs hwsim.snn-model/1 models"
        )
    check_fits(workload, arch)
    if len(workload.test_inputs) == 0:
        raise SimulationError(f"model '{workload.name}' ships no input samples to simulate (give it a dataset)")
    run = run_network(workload, workload.test_inputs)
    return report_from_run(workload, arch, run)


def check_fits(net: SnnNetwork, arch: SnnSpec) -> None:
    """Every layer's neuron must fit the datapath the accelerator was built for."""
    d = arch.datapath
    for layer in net.layers:
        if layer.name in net.thresholds and not d.per_neuron_threshold:
            raise MappingError(
                f"model '{net.name}': layer '{layer.name}' has per-neuron thresholds, but arch '{arch.name}' has one "
                "shared threshold (datapath.per_neuron_threshold = false)"
            )
        n = layer.neuron
        for key, need, have in (
            ("membrane_bits", n.membrane_bits, d.membrane_bits),
            ("weight_bits", n.weight_bits, d.weight_bits),
            ("levels", n.levels, d.max_levels),
        ):
            if need > have:
                raise MappingError(
                    f"model '{net.name}': layer '{layer.name}': neuron.{key} = {need} exceeds datapath.{key if key != 'levels' else 'max_levels'} "
                    f"= {have} of arch '{arch.name}'"
                )


def report_from_run(net: SnnNetwork, arch: SnnSpec, run: RunResult) -> Report:
    """Cycles, counts, energy and resources of a finished functional run."""
    samples = run.counts.shape[0]
    steps = net.time_steps
    table = energy_table_pj(arch)
    host = host_cycles(arch, net.layers[0].inputs, net.layers[-1].neurons)
    per_sample = np.full(samples, host, dtype=np.int64)
    layers: list[LayerReport] = []
    for index, (layer, lc) in enumerate(zip(net.layers, network_layer_cycles(net, arch, run))):
        per_sample += lc.cycles
        p = arch.parallel_neurons(layer.neurons)
        g = groups(layer.neurons, p)
        words_per_row = -(-p // arch.weights_per_word(layer.neuron.weight_bits))
        events = int(run.active_inputs[:, index, :].sum())
        counts = {
            "synapse.read": int(lc.scanned_rows.sum()) * words_per_row,
            "synapse.add": events * layer.neurons,
            "synapse.shift_add": int(run.shift_adds[:, index].sum()) * layer.neurons,
            "neuron.update": samples * steps * layer.neurons,
            "neuron.inhibit": int(lc.inhibition_rows.sum()) * p if layer.neuron.inhibition_lsb else 0,
            "spike.emit": int(run.output_sum[:, index].sum()),
            "input.encode": samples * steps * layer.inputs if index == 0 and net.encoding.kind is not EncodingKind.DIRECT else 0,
            "step.skip": int(lc.skipped_steps.sum()),
        }
        per_inference = {k: v / samples for k, v in counted_actions(counts).items()}
        breakdown = price_counts(per_inference, table)
        cycles = int(round(float(lc.cycles.mean())))
        layers.append(LayerReport(
            name=layer.name, kind=f"snn_{layer.kind.value}", cycles=cycles, compute_cycles=cycles, stall_cycles=0,
            latency_s=cycles_to_seconds(float(lc.cycles.mean()), arch.clock_mhz),
            energy_pj=float(sum(breakdown.values())), energy_breakdown_pj=breakdown,
            utilization=events * layer.neurons / max(1, int(lc.cycles.sum()) * p),
            macs=int(round(events * layer.neurons / samples)), nonzero_weight_fraction=float(np.count_nonzero(net.weights[layer.name]) / net.weights[layer.name].size),
            mapping=f"{p} neuron units x {g} group(s), {arch.core.processing.value}",
            extra={
                "input_events_per_inference": events / samples,
                "active_steps_per_inference": float((run.active_inputs[:, index, :] > 0).sum() / samples),
                "firing_steps_per_inference": float((run.fired[:, index, :] > 0).sum() / samples),
                "output_spikes_per_inference": float(run.output_sum[:, index].sum() / samples),
                "inhibition_steps_per_inference": float(lc.inhibition_steps.sum() / samples),
                "input_spike_rate": events / (samples * steps * layer.inputs),
            },
            action_counts=per_inference,
        ))
    batch_cycles = int(per_sample.sum())
    latency = cycles_to_seconds(per_sample.astype(np.float64), arch.clock_mhz)
    static_counts = {"fpga.static_cycle": batch_cycles / samples}
    static_pj = price_counts(static_counts, table)
    # Every number is per inference; what no layer owns is listed, so the rows add up to the totals.
    other = OtherPart(
        reason="host I/O (loading the input, reading the result) and static power over the whole inference; "
               f"cycles: the host's {host} less the rounding of the layers' mean cycles",
        cycles=int(round(float(per_sample.mean()))) - sum(layer.cycles for layer in layers), latency_s=float(latency.mean()) - sum(layer.latency_s for layer in layers),
        energy_pj=float(sum(static_pj.values())), energy_breakdown_pj=static_pj,
        action_counts=counted_actions(static_counts))
    energy_pj = sum(layer.energy_pj for layer in layers) + other.energy_pj
    resources = estimate_resources(net, arch)
    extra: dict[str, object] = {
        "samples": samples,
        "batch_cycles": batch_cycles,
        "batch_energy_pj": energy_pj * samples,
        "cycles_per_inference": float(per_sample.mean()),
        "latency_p50_s": float(np.percentile(latency, 50)),
        "latency_max_s": float(latency.max()),
        "energy_per_inference_uj": energy_pj / 1e6,
        "time_steps": steps,
        "fpga_resources": resources.to_dict(),
        "fpga_utilization": {
            "lut": resources.lut / arch.fpga.lut, "ff": resources.ff / arch.fpga.ff,
            "bram36": resources.bram36 / arch.fpga.bram36,
        },
    }
    if len(net.test_labels) == samples:
        extra["accuracy"] = float(np.mean(run.predictions == net.test_labels))
    totals = Totals(
        cycles=sum(layer.cycles for layer in layers) + other.cycles, latency_s=float(latency.mean()), energy_pj=energy_pj,
        energy_breakdown_pj=summed([*layers, other], "energy_breakdown_pj"), area_mm2=0.0, area_breakdown_mm2={},
        power_w=power_w(energy_pj, float(latency.mean())), macs=sum(layer.macs for layer in layers), extra=extra,
        action_counts=summed([*layers, other], "action_counts"), other=other,
    )
    workload = {
        "dataset": net.dataset, "samples": samples, "time_steps": steps, "encoding": net.encoding.kind.value,
        "readout": net.readout.value,
    }
    return Report(net.name, arch.name, "snn", arch.clock_mhz, totals, tuple(layers), workload, __version__)
