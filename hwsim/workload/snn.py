"""Spiking networks: neuron parameters, spiking layers and networks as frozen, validated records.

All membrane quantities are integers in units of one membrane LSB, i.e. ``2**-frac_bits`` in
real units: a weight ``w`` adds ``w`` LSB to the membrane per unit of input, the threshold is
``threshold_lsb`` LSB.  The YAML format (``hwsim.snn-model/1``) lives in
:mod:`hwsim.workload.snn_file`; the bit-exact behaviour in :mod:`hwsim.func.lif`.

Every check raises a :class:`~hwsim.errors.WorkloadError` whose message starts with the
YAML key it concerns, so the loader only has to prefix the file and the layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Mapping

import numpy as np

from hwsim.errors import WorkloadError


class ResetKind(str, Enum):
    """What a neuron's membrane becomes after it fires.

    ``HARD`` sets it to 0; ``SOFT`` subtracts the crossed thresholds (``o * threshold``).
    """

    HARD = "hard"
    SOFT = "soft"


class LeakKind(str, Enum):
    """How the membrane decays once per time step (before the inputs are added).

    ``SHIFT``: ``v -= v >> k`` (an arithmetic shift, so negative values decay to 0 too);
    ``DECAY``: ``v = (v * m) >> f`` with ``0 < m < 2**f`` (a general factor ``m / 2**f``);
    ``NONE``: no leak (an integrate-and-fire neuron or an integrating readout).
    """

    NONE = "none"
    SHIFT = "shift"
    DECAY = "decay"


class EncodingKind(str, Enum):
    """How input intensities become per-step input values (see :mod:`hwsim.func.encoding`)."""

    LFSR_RATE = "lfsr_rate"   # one 16-bit LFSR number per step, shared by all pixels (Spiker)
    POISSON = "poisson"       # independent Bernoulli draws from a seeded numpy Generator
    DIRECT = "direct"         # the integer intensity itself, every step (multi-bit current)


class Readout(str, Enum):
    """How a network's class prediction is read from its last layer.

    ``SPIKE_COUNT``: argmax of the spikes (sum of outputs ``o``) per output neuron, or per class
    when neurons carry class labels; ``MEMBRANE``: the last layer only integrates (never fires)
    and the prediction is the argmax of its final membrane.  Ties go to the lowest index.
    """

    SPIKE_COUNT = "spike_count"
    MEMBRANE = "membrane"


class SnnLayerKind(str, Enum):
    FC = "fc"
    CONV = "conv"


def signed_range(bits: int) -> tuple[int, int]:
    """(min, max) of a two's-complement integer of ``bits`` bits."""
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


def _bad(key: str, value: object, reason: str) -> WorkloadError:
    return WorkloadError(f"key '{key}' = {value!r}: {reason}")


@dataclass(frozen=True)
class NeuronParams:
    """One layer's (multi-threshold) LIF neuron, all values integers in membrane LSB.

    Attributes
    ----------
    membrane_bits, frac_bits
        Signed membrane width and how many of its bits are fractional (the real value of the
        membrane is ``v * 2**-frac_bits``).  Every addition saturates to this width.
    weight_bits
        Signed weight width; weights lie in ``[-(2**(b-1)) + 1, 2**(b-1) - 1]``.
    threshold_lsb
        Firing threshold ``theta`` (> 0).  Level ``k`` (1..levels) is crossed when ``v >= k*theta``.
    reset, leak, leak_shift, leak_multiplier
        See :class:`ResetKind` and :class:`LeakKind`; ``leak_multiplier`` is 0 unless ``DECAY``.
    refractory_steps
        Time steps a neuron ignores its inputs (and does not leak) after it fired.
    inhibition_lsb
        Lateral inhibition: each output unit emitted by *another* neuron of the layer in the
        previous step subtracts this much from the membrane (0: none).
    levels
        ``K``, the number of thresholds: the output is ``o in 0..K`` (1: plain LIF).
    """

    membrane_bits: int = 16
    frac_bits: int = 3
    weight_bits: int = 5
    threshold_lsb: int = 64
    reset: ResetKind = ResetKind.HARD
    leak: LeakKind = LeakKind.SHIFT
    leak_shift: int = 10
    leak_multiplier: int = 0
    refractory_steps: int = 0
    inhibition_lsb: int = 0
    levels: int = 1

    def __post_init__(self) -> None:
        if not 2 <= self.membrane_bits <= 32:
            raise _bad("membrane_bits", self.membrane_bits, "expected 2..32 bits")
        if not 0 <= self.frac_bits < self.membrane_bits:
            raise _bad("frac_bits", self.frac_bits, f"expected 0..{self.membrane_bits - 1} for a {self.membrane_bits}-bit membrane")
        if not 2 <= self.weight_bits <= min(16, self.membrane_bits):
            raise _bad("weight_bits", self.weight_bits, f"expected 2..{min(16, self.membrane_bits)} (at most the membrane width)")
        if self.levels < 1:
            raise _bad("levels", self.levels, "a neuron needs at least one threshold (K >= 1)")
        if self.threshold_lsb < 1:
            raise _bad("threshold_lsb", self.threshold_lsb, "the threshold must be at least 1 LSB")
        top = self.levels * self.threshold_lsb
        if top > self.v_max:
            raise _bad(
                "threshold_lsb", self.threshold_lsb,
                f"the highest threshold {self.levels} x {self.threshold_lsb} = {top} LSB does not fit a "
                f"{self.membrane_bits}-bit signed membrane (max {self.v_max} LSB)",
            )
        if self.leak is LeakKind.SHIFT and not 1 <= self.leak_shift < self.membrane_bits:
            raise _bad("leak.shift", self.leak_shift, f"expected 1..{self.membrane_bits - 1} for a {self.membrane_bits}-bit membrane")
        if self.leak is LeakKind.DECAY:
            if not 1 <= self.leak_shift <= 16:
                raise _bad("leak.shift", self.leak_shift, "expected 1..16")
            if not 0 < self.leak_multiplier < (1 << self.leak_shift):
                raise _bad("leak.multiplier", self.leak_multiplier, f"expected 1..{(1 << self.leak_shift) - 1} (a factor below 1)")
        if self.refractory_steps < 0:
            raise _bad("refractory_steps", self.refractory_steps, "expected >= 0")
        if not 0 <= self.inhibition_lsb <= self.v_max:
            raise _bad("inhibition_lsb", self.inhibition_lsb, f"expected 0..{self.v_max} (within the membrane range)")

    @property
    def v_min(self) -> int:
        return signed_range(self.membrane_bits)[0]

    @property
    def v_max(self) -> int:
        return signed_range(self.membrane_bits)[1]

    @property
    def w_max(self) -> int:
        """Largest weight magnitude (weights are symmetric: ``-w_max..w_max``)."""
        return (1 << (self.weight_bits - 1)) - 1


@dataclass(frozen=True)
class SnnLayer:
    """A spiking layer: ``C x H x W`` inputs -> ``K x P x Q`` neurons.

    A fully connected layer has ``P = Q = R = S = 1`` and treats its input as ``C*H*W``
    features (``C`` is then that product and ``H = W = 1``).  Weights are (K, C, R, S).
    """

    name: str
    kind: SnnLayerKind
    K: int
    C: int
    H: int
    W: int
    R: int
    S: int
    stride: int
    padding: int
    neuron: NeuronParams

    @property
    def P(self) -> int:
        return (self.H + 2 * self.padding - self.R) // self.stride + 1

    @property
    def Q(self) -> int:
        return (self.W + 2 * self.padding - self.S) // self.stride + 1

    @property
    def inputs(self) -> int:
        return self.C * self.H * self.W

    @property
    def neurons(self) -> int:
        return self.K * self.P * self.Q

    @property
    def weight_shape(self) -> tuple[int, int, int, int]:
        return (self.K, self.C, self.R, self.S)

    @property
    def synapses(self) -> int:
        """Weights touched by one input event per output position, times positions: K*C*R*S*P*Q."""
        return self.K * self.C * self.R * self.S * self.P * self.Q


@dataclass(frozen=True)
class Encoding:
    """Input encoding (see :mod:`hwsim.func.encoding`).

    Attributes
    ----------
    kind
        LFSR rate code, Poisson rate code or direct (multi-bit) input.
    seed
        LFSR seed (1..65535) or the numpy seed of the Poisson draws.
    input_bits
        Width of the intensities (8: 0..255).
    random_bits
        LFSR rate code only: how many top bits of the 16-bit register the zero-padded
        intensity is compared with (16: Spiker, spike probability ``x / 65536`` per step).
    reseed_per_sample
        LFSR only: restart the register from the seed for every sample (True) or seed it once
        and let it run on across samples (False, Spiker's host interface).
    """

    kind: EncodingKind
    seed: int = 5
    input_bits: int = 8
    random_bits: int = 16
    reseed_per_sample: bool = True

    def __post_init__(self) -> None:
        if self.kind is EncodingKind.LFSR_RATE and not 0 < self.seed < (1 << 16):
            raise _bad("encoding.seed", self.seed, "a 16-bit LFSR seed must be in 1..65535 (0 locks the LFSR)")
        if not 1 <= self.input_bits <= 16:
            raise _bad("input.bits", self.input_bits, "expected 1..16")
        if not self.input_bits <= self.random_bits <= 16:
            raise _bad("encoding.random_bits", self.random_bits, f"expected {self.input_bits}..16 (at least the input width)")


@dataclass(frozen=True, eq=False)
class SnnNetwork:
    """A quantized spiking network with its integer weights and, if shipped, labelled test data.

    ``weights[name]`` is an int8/int16 array of shape ``layer.weight_shape``.  ``test_inputs``
    (samples x C*H*W, integers in ``0..2**input_bits - 1``) and ``test_labels`` are empty
    arrays when the model ships no data.  ``class_of_neuron`` maps each output neuron to a
    class for spike-count readout of layers wider than the class count (empty: neuron = class).
    ``thresholds[name]``, where given, holds the layer's per-neuron thresholds in LSB (N,)
    (Spiker's threshold registers, e.g. from adaptive-threshold training); otherwise every
    neuron uses the layer's ``threshold_lsb``.
    """

    name: str
    layers: tuple[SnnLayer, ...]
    time_steps: int
    encoding: Encoding
    readout: Readout
    weights: Mapping[str, np.ndarray] = field(default_factory=lambda: MappingProxyType({}))
    input_shape: tuple[int, int, int] = (1, 1, 1)
    dataset: str = ""
    test_inputs: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int32))
    test_labels: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    class_of_neuron: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    thresholds: Mapping[str, np.ndarray] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.time_steps < 1:
            raise _bad("time_steps", self.time_steps, "expected >= 1")
        for layer in self.layers:
            w = self.weights.get(layer.name)
            if w is None:
                raise WorkloadError(f"layer '{layer.name}': no weights")
            if tuple(w.shape) != layer.weight_shape:
                raise WorkloadError(f"layer '{layer.name}': weights have shape {tuple(w.shape)}, the layer needs {layer.weight_shape}")
            top = layer.neuron.w_max
            if w.size and int(np.abs(w.astype(np.int64)).max()) > top:
                raise WorkloadError(
                    f"layer '{layer.name}': weight {int(np.abs(w.astype(np.int64)).max())} does not fit "
                    f"{layer.neuron.weight_bits} signed bits (|w| <= {top})"
                )
            if layer.name in self.thresholds:
                _check_thresholds(layer, self.thresholds[layer.name])
        unknown = sorted(set(self.thresholds) - {layer.name for layer in self.layers})
        if unknown:
            raise WorkloadError(f"per-neuron thresholds for '{unknown[0]}', which is not a layer")

    def layer_fires(self, index: int) -> bool:
        """False for the integrating readout (the last layer under :attr:`Readout.MEMBRANE`), which never fires."""
        return not (index == len(self.layers) - 1 and self.readout is Readout.MEMBRANE)

    def layer(self, name: str) -> SnnLayer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)

    @property
    def classes(self) -> int:
        if self.class_of_neuron.size:
            return int(self.class_of_neuron.max()) + 1
        return self.layers[-1].neurons


def _check_thresholds(layer: SnnLayer, theta: np.ndarray) -> None:
    """Per-neuron thresholds: one positive integer per neuron whose highest level fits the membrane."""
    where = f"layer '{layer.name}': per-neuron thresholds"
    if not np.issubdtype(theta.dtype, np.integer):
        raise WorkloadError(f"{where} must be integers, got {theta.dtype}")
    if theta.shape != (layer.neurons,):
        raise WorkloadError(f"{where} have shape {theta.shape}, the layer needs ({layer.neurons},)")
    n = layer.neuron
    low, high = int(theta.min()), int(theta.max())
    if low < 1:
        raise WorkloadError(f"{where}: neuron {int(theta.argmin())} has threshold {low}; a threshold must be at least 1 LSB")
    if n.levels * high > n.v_max:
        raise WorkloadError(
            f"{where}: neuron {int(theta.argmax())} has threshold {high}, and {n.levels} x {high} = {n.levels * high} LSB "
            f"does not fit a {n.membrane_bits}-bit signed membrane (max {n.v_max} LSB)"
        )
