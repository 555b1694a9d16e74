"""A whole trained spiking network on the RTL: one rtl/snn_core.py run per layer, chained.

For a shipped network (``snn-digits-mt``, ``snn-digits``) and a range of its test samples:

1. the first layer's core (built from the trained ``fc1``) runs every sample's encoded input
   over all ``T`` steps (one cocotb run of :mod:`testbench.tb_snn_core`, each sample an
   inference starting with the ``clear`` beat);
2. the spikes that core *emitted* (read back from the run directory, not recomputed) become
   the next core's input events, step by step; the last core is the integrating readout
   (``fires = False``), so its output beats carry the membranes;
3. the prediction is the argmax of the readout's membranes after the last step, ties to the
   lowest index (:class:`hwsim.workload.snn.Readout`).

Every run checks every spike, membrane and step cycle count against hwsim (``lif_step`` and
``hwsim.sim.blocks.snn_core.step_cycles``), as every core run does; a run with any mismatch
stops the chain.  The layer inputs go to the reference process through
:data:`testbench.snn_stimulus.CHAINED_INPUTS_ENV`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hwsim.rtlflow.runner import TbResult, default_build_root, run_testbench
from hwsim.testbench.snn_stimulus import CHAINED_INPUTS_ENV
from hwsim.testbench.tb_snn_core import OBSERVED_FILE

LANES_PER_LAYER = 32
"""Neuron units of each core (a layer of N <= 32 neurons runs in one group)."""


@dataclass(frozen=True)
class NetworkRtlRun:
    """What the chained RTL run produced and checked.

    Attributes
    ----------
    predictions
        (S,) class of each sample: argmax of the readout core's final membranes.
    final_membranes
        (S, classes) the readout core's membranes after the last step, as it emitted them.
    layers
        Per layer, the core run's result (transactions, cycles, mismatches, wall time).
    """

    predictions: np.ndarray
    final_membranes: np.ndarray
    layers: tuple[TbResult, ...]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.layers)

    @property
    def mismatches(self) -> int:
        """Output plus cycle mismatches over every layer's steps."""
        return sum(r.output_mismatches + r.cycle_mismatches for r in self.layers)


def emitted(run_dir: Path, neurons: int, samples: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """(S, T, N) spikes and membranes a core run emitted (group beats concatenated, padding lanes cut)."""
    beats = json.loads((run_dir / OBSERVED_FILE).read_text())
    spikes = np.array([[s for group in step for s in group[0]][:neurons] for step in beats], np.int64)
    membranes = np.array([[v for group in step for v in group[1]][:neurons] for step in beats], np.int64)
    return spikes.reshape(samples, steps, neurons), membranes.reshape(samples, steps, neurons)


def run_network_rtl(model: str, sim: str, *, samples: int | None = None, lanes: int = LANES_PER_LAYER,
                    seed: int = 1, build_root: Path | None = None) -> NetworkRtlRun:
    """Run the first ``samples`` test samples (all when None) of ``model`` through its layers' cores.

    Raises
    ------
    AssertionError
        When a layer's run does not match hwsim (its first mismatches in the message).
    """
    from hwsim.func.snn_core import model_layer_inputs
    from hwsim.workload.zoo import load_network

    net = load_network(model)
    count = len(net.test_labels) if samples is None else samples
    steps = net.time_steps
    root = (default_build_root() if build_root is None else build_root).resolve()
    work = root / f"snn-network-{model}"
    work.mkdir(parents=True, exist_ok=True)
    x = model_layer_inputs(net, 0, count)  # the encoded input currents: not computed by a layer
    results: list[TbResult] = []
    membranes = np.zeros((count, steps, 1), np.int64)
    saved = os.environ.get(CHAINED_INPUTS_ENV)
    try:
        for layer in net.layers:
            inputs = work / f"{layer.name}-inputs.json"
            inputs.write_text(json.dumps(x.tolist()))
            os.environ[CHAINED_INPUTS_ENV] = str(inputs)
            params = {"model": model, "layer": layer.name, "parallel_neurons": min(lanes, layer.neurons)}
            result = run_testbench("snn_core", sim, params=params, seed=seed, transactions=count * steps,
                                   build_root=root, run_tag=f"network-{model}-{layer.name}")
            results.append(result)
            assert result.passed, f"layer {layer.name}: {result.first_mismatches}"
            x, membranes = emitted(result.run_dir, layer.neurons, count, steps)
    finally:
        if saved is None:
            os.environ.pop(CHAINED_INPUTS_ENV, None)
        else:
            os.environ[CHAINED_INPUTS_ENV] = saved
    final = membranes[:, -1, :]
    return NetworkRtlRun(np.argmax(final, axis=1), final, tuple(results))
