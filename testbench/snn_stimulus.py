"""Stimulus and hwsim reference of the LIF testbenches, computed in a separate Python process.

The reference is :func:`hwsim.func.lif.lif_step` (numba).  Imported inside the simulator's
embedded Python, numba takes about 10 s to load (about 1 s in a plain process), so the
testbenches run this module as ``python -m testbench.snn_stimulus <block> <seed> <n> <out.json>``
and read the transactions it writes: packed input beats, expected outputs, predicted cycles.

One transaction is one time step.  For a core built from a trained layer (``model``/``layer``)
the steps are the shipped test samples' real inputs of that layer.  Otherwise an inference draws an input rate in [0, 1] (0 and 1 exactly
one time in ten each); within it one step in ten is empty and one in ten has every input
active; input values are biased to the largest level (the multi-threshold extreme).

For the core, a step's predicted cycles are the block model's ``step_cycles`` with the
core's timing (``rtl.snn_core.core_timing``: skipping empty steps, inhibition scan) and
``inhibits`` = the layer fired in the previous step of the reference, so that empty steps,
inhibition-only steps and input + inhibition steps are all checked; each step's label names
its kind.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

CHAINED_INPUTS_ENV = "HWSIM_SNN_CHAINED_INPUTS"
"""Names a JSON (S, T, C) file of a trained layer's inputs that replaces the functional model's."""

MAX_SYNAPSES = 10
"""Most synapses of the stand-alone neuron in one inference."""


def random_step(rng: random.Random, inputs: int, levels: int, rate: float) -> list[int]:
    kind = rng.random()
    if kind < 0.1:
        active = [False] * inputs
    elif kind < 0.2:
        active = [True] * inputs
    else:
        active = [rng.random() < rate for _ in range(inputs)]
    return [(levels if rng.random() < 0.5 else rng.randint(1, levels)) if a else 0 for a in active]


def random_inference(rng: random.Random, inputs: int, levels: int, steps: int) -> list[list[int]]:
    kind = rng.random()
    rate = 0.0 if kind < 0.1 else 1.0 if kind < 0.2 else rng.random()
    return [random_step(rng, inputs, levels, rate) for _ in range(steps)]


def pack(fields: dict[str, tuple[int, int]], **values: int) -> int:
    word = 0
    for name, value in values.items():
        offset, width = fields[name]
        word |= (value & ((1 << width) - 1)) << offset
    return word


def core_transactions(params: dict[str, Any], fields: dict[str, tuple[int, int]], rng: random.Random,
                      n: int) -> list[dict[str, Any]]:
    """Steps of random inferences for rtl/snn_core.py: beats, per-group (spikes, membranes, group), cycles."""
    from hwsim.func.lif import initial_state
    from hwsim.func.snn_core import core_step, group_lanes, model_layer, model_layer_inputs
    from hwsim.sim.blocks.snn_core import groups, inhibiting_steps, step_cycles
    from hwsim.rtl.snn_core import core_layer, core_timing

    layer = core_layer(params)
    neuron, weights, levels, fires, theta = layer.neuron, layer.weights, layer.input_levels, layer.fires, layer.thresholds
    neurons, inputs = weights.shape
    lanes = params["parallel_neurons"]
    event_driven = bool(params["event_driven"])
    timing = core_timing(params)
    n_groups = groups(neurons, lanes)
    trained = None
    if params["model"] is not None:  # the shipped test samples' real spike trains, n steps' worth
        net, index, *_ = model_layer(params["model"], params["layer"])
        chained = os.environ.get(CHAINED_INPUTS_ENV)
        if chained:  # (S, T, C) inputs another RTL run produced (testbench.tb_snn_network)
            trained = iter(json.loads(Path(chained).read_text()))
        else:
            trained = iter(model_layer_inputs(net, index, -(-n // net.time_steps)).tolist())
    out: list[dict[str, Any]] = []
    while len(out) < n:
        steps = next(trained) if trained is not None else random_inference(rng, inputs, levels, rng.randint(1, 40))
        states, state = [], initial_state(neurons)
        for x in steps:
            state = core_step(state, np.array(x), weights, neuron, fires, theta)
            states.append(state)
        active = np.count_nonzero(np.array(steps), axis=1)
        inhibits = inhibiting_steps(np.array([np.count_nonzero(st.out) for st in states]))
        cycles = step_cycles(active, inputs=inputs, neurons=neurons, timing=timing, inhibits=inhibits)
        for t, (x, state) in enumerate(zip(steps, states)):
            spikes, membranes = group_lanes(state.out, lanes), group_lanes(state.v, lanes)
            beats = [pack(fields, clear=1)] if t == 0 else []
            active_only = event_driven or (timing.skip_empty_steps and not active[t])
            events = [(i, v) for i, v in enumerate(x) if v or not active_only]
            if events:
                beats += [pack(fields, index=i, value=v, last=int(j == len(events) - 1)) for j, (i, v) in enumerate(events)]
            else:
                beats.append(pack(fields, value=0, last=1))
            kind = ("input" if active[t] else "empty") + (" + inhibition" if inhibits[t] else "")
            out.append({"beats": beats, "expected": [[spikes[g], membranes[g], g] for g in range(n_groups)],
                        "cycles": int(cycles[t]) + (timing.setup_cycles if t == 0 else 0),
                        "label": f"step {t} ({kind}) x={x}"})
    return out[:n]


def weight_row(rng: random.Random, synapses: int, w_max: int) -> list[int]:
    """All excitatory, all inhibitory, extremes only, or mixed (narrow membranes saturate both ways)."""
    kind = rng.random()
    if kind < 0.25:
        return [rng.randint(1, w_max) for _ in range(synapses)]
    if kind < 0.4:
        return [-rng.randint(1, w_max) for _ in range(synapses)]
    if kind < 0.6:
        return [rng.choice((-w_max, w_max)) for _ in range(synapses)]
    return [rng.randint(-w_max, w_max) for _ in range(synapses)]


def neuron_transactions(params: dict[str, Any], fields: dict[str, tuple[int, int]], rng: random.Random,
                        n: int) -> list[dict[str, Any]]:
    """Steps for rtl/lif_neuron.py; 7 in 10 inferences event-driven, the others scan every synapse."""
    from hwsim.func.lif import initial_state
    from hwsim.func.snn_core import neuron_from_params, neuron_step
    from hwsim.sim.blocks.lif_neuron import step_cycles
    from hwsim.sim.blocks.snn_core import SETUP_CYCLES

    neuron = neuron_from_params(params)
    out: list[dict[str, Any]] = []
    while len(out) < n:
        synapses = rng.randint(1, MAX_SYNAPSES)
        weights = weight_row(rng, synapses, neuron.w_max)
        event_driven = rng.random() < 0.7
        steps = random_inference(rng, synapses, params["input_levels"], rng.randint(1, 60))
        cycles = step_cycles(np.count_nonzero(np.array(steps), axis=1), inputs=synapses, event_driven=event_driven)
        state = initial_state(1)
        for t, x in enumerate(steps):
            fed = [(w, v) for w, v in zip(weights, x) if v or not event_driven]
            state = neuron_step(state, fed, neuron)
            beats = [pack(fields, clear=1)] if t == 0 else []
            if fed:
                beats += [pack(fields, weight=w, value=v, last=int(j == len(fed) - 1)) for j, (w, v) in enumerate(fed)]
            else:
                beats.append(pack(fields, value=0, last=1))
            out.append({"beats": beats, "expected": [[int(state.out[0]), int(state.v[0])]],
                        "cycles": int(cycles[t]) + (SETUP_CYCLES if t == 0 else 0),
                        "label": f"step {t} {'events' if event_driven else 'scan'} w={weights} x={x}"})
    return out[:n]


BUILDERS = {"snn_core": core_transactions, "lif_neuron": neuron_transactions}


def input_fields(design: dict[str, Any]) -> dict[str, tuple[int, int]]:
    entry = next(p for p in design["ports"] if p["name"] == "i_stream__payload")
    return {name: (f["offset"], f["width"]) for name, f in entry["fields"].items()}


def load_transactions(block: str, seed: int, n: int, work_dir: Path) -> list[dict[str, Any]]:
    """Run this module in a plain Python process (see the module docstring) and read its output."""
    out = work_dir / f"{block}-reference.json"
    proc = subprocess.run([sys.executable, "-m", "hwsim.testbench.snn_stimulus", block, str(seed), str(n), str(out)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"reference process failed: {proc.stderr.strip().splitlines()[-1:]}")
    return json.loads(out.read_text())


def main(argv: list[str]) -> None:
    block, seed, n, out = argv[0], int(argv[1]), int(argv[2]), Path(argv[3])
    design = json.loads(Path(os.environ["HWSIM_RTL_DESIGN"]).read_text())
    trs = BUILDERS[block](dict(design["params"]), input_fields(design), random.Random(seed), n)
    out.write_text(json.dumps(trs))


if __name__ == "__main__":
    main(sys.argv[1:])
