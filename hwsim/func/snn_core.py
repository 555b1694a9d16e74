"""Functional reference of the LIF RTL blocks: a thin layer over :mod:`hwsim.func.lif`.

The blocks compute exactly :func:`hwsim.func.lif.lif_step`; this module only

- builds the :class:`~hwsim.workload.snn.NeuronParams` a block is parametrized by from its flat
  RTL parameters (``--param membrane_bits=16 ...``), so model and hardware share one record;
- makes the weights a core's memory is initialised with (seeded, so the testbench regenerates
  them from the same parameters);
- cuts a layer's state into the core's groups of ``P`` lanes, the way the RTL emits it.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from hwsim.func.lif import NeuronState, lif_step
from hwsim.workload.snn import LeakKind, NeuronParams, ResetKind

NEURON_PARAM_KEYS = ("membrane_bits", "frac_bits", "weight_bits", "threshold_lsb", "leak", "leak_shift", "reset",
                     "refractory_steps", "levels")
"""Flat RTL parameters that make up the blocks' :class:`NeuronParams` (the rest are sizes)."""


def default_neuron_params() -> dict[str, Any]:
    """Flat defaults: Spiker's neuron (16-bit membrane, 3 fraction bits, 5-bit weights, ``v -= v >> 10``)."""
    n = NeuronParams()
    return {"membrane_bits": n.membrane_bits, "frac_bits": n.frac_bits, "weight_bits": n.weight_bits,
            "threshold_lsb": n.threshold_lsb, "leak": n.leak.value, "leak_shift": n.leak_shift,
            "reset": n.reset.value, "refractory_steps": n.refractory_steps, "levels": n.levels}


def neuron_from_params(params: Mapping[str, Any]) -> NeuronParams:
    """The :class:`NeuronParams` of flat RTL ``params`` (raises the workload's errors on bad values).

    Raises
    ------
    ValueError
        When ``leak`` or ``reset`` names no known kind.
    hwsim.errors.WorkloadError
        When the values do not make a valid neuron (e.g. a threshold the membrane cannot hold).
    """
    try:
        leak = LeakKind(params["leak"])
    except ValueError:
        raise ValueError(f"leak must be one of {[k.value for k in LeakKind]}, not {params['leak']!r}") from None
    try:
        reset = ResetKind(params["reset"])
    except ValueError:
        raise ValueError(f"reset must be one of {[k.value for k in ResetKind]}, not {params['reset']!r}") from None
    return NeuronParams(
        membrane_bits=params["membrane_bits"], frac_bits=params["frac_bits"], weight_bits=params["weight_bits"],
        threshold_lsb=params["threshold_lsb"], reset=reset, leak=leak, leak_shift=params["leak_shift"],
        refractory_steps=params["refractory_steps"], levels=params["levels"],
    )


def core_weights(neurons: int, inputs: int, weight_bits: int, seed: int) -> np.ndarray:
    """(neurons, inputs) int64 weights a test core is initialised with, from ``seed``.

    Half the synapses are small (|w| <= 3), a quarter are at the signed extremes and a quarter
    uniform, and one in eight neurons is all-excitatory, so that some fire often, some
    saturate and some never fire.
    """
    rng = np.random.default_rng(seed)
    w_max = (1 << (weight_bits - 1)) - 1
    kind = rng.random((neurons, inputs))
    small = rng.integers(-min(3, w_max), min(3, w_max) + 1, (neurons, inputs))
    extreme = rng.choice(np.array([-w_max, w_max]), (neurons, inputs))
    uniform = rng.integers(-w_max, w_max + 1, (neurons, inputs))
    w = np.where(kind < 0.5, small, np.where(kind < 0.75, extreme, uniform))
    excitatory = rng.random(neurons) < 0.125
    w[excitatory] = np.abs(w[excitatory])
    return w.astype(np.int64)


def core_thresholds(neuron: NeuronParams, neurons: int, seed: int) -> np.ndarray:
    """(neurons,) int64 per-neuron thresholds of a test core, from ``seed``: ``threshold_lsb`` times
    0.5..1.5, each at least 1 and with its highest level inside the membrane."""
    rng = np.random.default_rng([seed, 1])
    theta = np.rint(neuron.threshold_lsb * rng.uniform(0.5, 1.5, neurons)).astype(np.int64)
    return np.clip(theta, 1, neuron.v_max // neuron.levels)


def core_step(state: NeuronState, x: np.ndarray, weights: np.ndarray, neuron: NeuronParams,
              fires: bool = True, thresholds: np.ndarray | None = None) -> NeuronState:
    """One time step of a core's whole layer: :func:`hwsim.func.lif.lif_step`, nothing added."""
    return lif_step(state, x, weights, neuron, fires, thresholds)


def neuron_step(state: NeuronState, beats: list[tuple[int, int]], neuron: NeuronParams) -> NeuronState:
    """One step of the stand-alone neuron fed ``(weight, x)`` beats in order.

    The beats are the neuron's synapses in arrival order, so this is ``lif_step`` of a
    one-neuron layer whose input vector is the beats' ``x`` and whose weight row their ``w``.
    """
    w = np.array([[b[0] for b in beats]], dtype=np.int64).reshape(1, len(beats))
    x = np.array([b[1] for b in beats], dtype=np.int64)
    return lif_step(state, x, w, neuron)


def group_lanes(values: np.ndarray, parallel_neurons: int) -> list[list[int]]:
    """Per group, the ``P`` lane values of a layer vector as the core emits them (padding lanes 0)."""
    values = np.asarray(values, dtype=np.int64)
    groups = -(-len(values) // parallel_neurons)
    padded = np.zeros(groups * parallel_neurons, np.int64)
    padded[: len(values)] = values
    return padded.reshape(groups, parallel_neurons).tolist()


def model_layer(model: str, layer_name: str) -> tuple[Any, int, NeuronParams, np.ndarray, int]:
    """A shipped network's layer as a core: (network, layer index, neuron, (N, C) weights, input_levels).

    ``input_levels`` is the largest input value the layer sees: ``2**input_bits - 1`` for a
    direct-current first layer, 1 for rate-coded spikes, ``K`` of the layer before otherwise.

    The layer's per-neuron thresholds, if it has them, are ``net.thresholds[layer_name]``.

    Raises
    ------
    ValueError
        When the model has no such layer (an integrating readout is a layer: see :meth:`hwsim.workload.snn.SnnNetwork.layer_fires`).
    """
    from hwsim.func.lif import dense_weights
    from hwsim.workload.snn import EncodingKind
    from hwsim.workload.zoo import load_network

    net = load_network(model)
    names = [layer.name for layer in net.layers]
    if layer_name not in names:
        raise ValueError(f"model '{model}' has no layer '{layer_name}'; its layers: {', '.join(names)}")
    index = names.index(layer_name)
    layer = net.layers[index]
    if index > 0:
        levels = net.layers[index - 1].neuron.levels
    elif net.encoding.kind is EncodingKind.DIRECT:
        levels = (1 << net.encoding.input_bits) - 1
    else:
        levels = 1
    return net, index, layer.neuron, dense_weights(layer, net.weights[layer.name]), levels


def model_layer_inputs(net: Any, index: int, samples: int) -> np.ndarray:
    """(S, T, C) per-step inputs of layer ``index`` for the first ``samples`` shipped test samples."""
    from hwsim.func.encoding import encode
    from hwsim.func.lif import run_network

    x = net.test_inputs[:samples]
    if index == 0:
        return encode(np.asarray(x).reshape(len(x), -1), net.encoding, net.time_steps)
    return run_network(net, x, record=True).outputs[index - 1].astype(np.int64)
