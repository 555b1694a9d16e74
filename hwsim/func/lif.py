"""Bit-exact functional model of (multi-threshold) LIF layers and whole spiking networks.

One time step of one neuron ``j`` (all values integers in membrane LSB, see
:class:`hwsim.workload.snn.NeuronParams`), in this order:

1. **Refractory.** If ``r_j > 0``: ``r_j -= 1``, output 0, nothing else happens this step.
2. **Leak.** ``SHIFT``: ``v -= v >> k``; ``DECAY``: ``v = (v * m) >> f`` (arithmetic shifts).
3. **Integrate.** For each input ``i`` with ``x_i != 0`` in ascending index order (the order the
   hardware reads them, one per cycle): ``v = sat(v + w_ji * x_i)``, where ``sat`` clamps to the
   signed membrane width.  Saturating every addition keeps the membrane register the only
   accumulator, as in hardware; it makes the result order-dependent, hence the fixed order.
4. **Inhibit.** ``v = max(vmin, v - inhibition * (sum of the other neurons' outputs in the previous step))``.
5. **Fire.** ``o_j = #{k in 1..K : v >= k * theta_j}`` (0..K; ``K = 1`` is plain LIF); ``theta_j``
   is the layer's ``threshold_lsb`` or, when the model ships them, neuron ``j``'s own threshold.
6. **Reset** (if ``o_j > 0``): ``HARD``: ``v = 0``; ``SOFT``: ``v -= o_j * theta_j``; then
   ``r_j = refractory_steps``.

A layer that does not fire (the integrating readout of :attr:`Readout.MEMBRANE`) stops after 4.
Layers have no feedback between them; within a step layer ``l + 1`` sees the outputs ``o`` of
layer ``l`` of the same step.

Fast path.  A step in which a layer gets no input event, has no inhibition to apply, no
neuron refractory and every membrane below the threshold can only leak (a leak moves the
membrane towards 0, so nothing can fire).  :func:`run_network` postpones such steps and
applies their leaks in one loop when the layer next has work, which is exactly equal to
stepping and lets a 3500-step Spiker image run in about 2 ms.  It also records, per
sample, layer and step, the number of input events and of firing neurons: the activity the
accelerator model turns into cycles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hwsim.jit import njit

from hwsim.func.encoding import check_intensities, lfsr_thresholds, poisson_spikes
from hwsim.workload.snn import EncodingKind, LeakKind, NeuronParams, Readout, ResetKind, SnnLayer, SnnLayerKind, SnnNetwork

_LEAK_CODE = {LeakKind.NONE: 0, LeakKind.SHIFT: 1, LeakKind.DECAY: 2}
_ENC_LFSR, _ENC_DIRECT, _ENC_DENSE = 0, 1, 2
# Column order of the per-layer parameter rows passed to the kernels.
# (The thresholds travel as a per-neuron array of their own.)
_LEVELS, _VMIN, _VMAX, _LEAK, _SHIFT, _MULT, _SOFT, _REFR, _INH, _FIRES = range(10)


@njit(cache=True)
def _leak_times(v, refr, times, leak, shift, mult):
    """Apply ``times`` leaks to every non-refractory neuron, stopping at the leak's fixed point."""
    if leak == 0 or times == 0:
        return
    for j in range(v.shape[0]):
        if refr[j] > 0:
            continue
        x = v[j]
        for _ in range(times):
            y = x - (x >> shift) if leak == 1 else (x * mult) >> shift
            if y == x:
                break
            x = y
        v[j] = x


@njit(cache=True)
def _layer_step(v, refr, prev, idx, val, nact, wT, p, theta, out):
    """One step of one layer for one sample, in place on int64 ``v``/``refr``; writes ``out``.

    ``idx[:nact]`` are the input indices with a non-zero value (ascending), ``val[:nact]`` the
    values; ``prev`` the layer's outputs of the previous step; ``theta`` the neurons'
    thresholds.  Returns (fired neurons, sum of o).
    """
    n = v.shape[0]
    levels, vmin, vmax = p[_LEVELS], p[_VMIN], p[_VMAX]
    leak, shift, mult, soft, refr_steps, inh, fires = p[_LEAK], p[_SHIFT], p[_MULT], p[_SOFT], p[_REFR], p[_INH], p[_FIRES]
    total = 0
    for j in range(n):
        total += prev[j]
    _leak_times(v, refr, 1, leak, shift, mult)
    for e in range(nact):
        i = idx[e]
        xi = val[e]
        for j in range(n):
            if refr[j] > 0:
                continue
            t = v[j] + wT[i, j] * xi
            v[j] = vmin if t < vmin else (vmax if t > vmax else t)
    fired = 0
    osum = 0
    for j in range(n):
        out[j] = 0
        if refr[j] > 0:
            refr[j] -= 1
            continue
        if inh > 0 and total > 0:
            t = v[j] - inh * (total - prev[j])
            v[j] = vmin if t < vmin else t
        if fires == 0:
            continue
        o = 0
        for k in range(1, levels + 1):
            if v[j] >= k * theta[j]:
                o += 1
        if o > 0:
            v[j] = v[j] - o * theta[j] if soft == 1 else 0
            refr[j] = refr_steps
            fired += 1
            osum += o
        out[j] = o
    return fired, osum


@njit(cache=True)
def _quiet(v, refr, out, theta, fires):
    """True when an input-free step would change nothing but the leak (see the module docstring)."""
    for j in range(v.shape[0]):
        if refr[j] > 0 or out[j] != 0 or (fires == 1 and v[j] >= theta[j]):
            return False
    return True


@njit(cache=True)
def _run_net(x, enc, thr, dense, w_flat, w_off, n_in, n_out, params, thetas, steps, record):
    """Run every sample through every layer for ``steps`` steps (see :func:`run_network`)."""
    b_count = x.shape[0]
    layers = n_in.shape[0]
    n_last = n_out[layers - 1]
    s_off = np.zeros(layers + 1, np.int64)
    for l in range(layers):
        s_off[l + 1] = s_off[l] + n_out[l]
    max_width = x.shape[1]
    for l in range(layers):
        max_width = max(max_width, n_out[l])
    active0 = np.zeros((b_count, steps), np.int32)
    fired = np.zeros((b_count, layers, steps), np.int32)
    in_sum = np.zeros((b_count, layers), np.int64)
    extra = np.zeros((b_count, layers), np.int64)
    out_sum = np.zeros((b_count, layers), np.int64)
    counts = np.zeros((b_count, n_last), np.int64)
    v_last = np.zeros((b_count, n_last), np.int64)
    rec = np.zeros((b_count if record else 1, steps if record else 1, s_off[layers] if record else 1), np.int8)
    idx = np.zeros(max_width, np.int64)
    val = np.zeros(max_width, np.int64)
    for b in range(b_count):
        v = np.zeros(s_off[layers], np.int64)
        refr = np.zeros(s_off[layers], np.int64)
        prev = np.zeros(s_off[layers], np.int64)
        cur = np.zeros(s_off[layers], np.int64)
        pending = np.zeros(layers, np.int64)
        quiet = np.ones(layers, np.bool_)
        x_max = 0
        for i in range(x.shape[1]):
            x_max = max(x_max, x[b, i])
        for t in range(steps):
            nact = 0
            if enc == 0:
                r = thr[b, t]
                if x_max > r:
                    for i in range(x.shape[1]):
                        if x[b, i] > r:
                            idx[nact] = i
                            val[nact] = 1
                            nact += 1
            else:
                for i in range(x.shape[1]):
                    xi = x[b, i] if enc == 1 else np.int64(dense[b, t, i])
                    if xi != 0:
                        idx[nact] = i
                        val[nact] = xi
                        nact += 1
            active0[b, t] = nact
            for l in range(layers):
                lo, hi = s_off[l], s_off[l + 1]
                p = params[l]
                if nact == 0 and quiet[l]:
                    pending[l] += 1
                    continue
                _leak_times(v[lo:hi], refr[lo:hi], pending[l], p[_LEAK], p[_SHIFT], p[_MULT])
                pending[l] = 0
                wT = w_flat[w_off[l]:w_off[l + 1]].reshape(n_in[l], n_out[l])
                for e in range(nact):
                    in_sum[b, l] += val[e]
                    extra[b, l] += _popcount(val[e]) - 1
                nf, osum = _layer_step(v[lo:hi], refr[lo:hi], prev[lo:hi], idx, val, nact, wT, p, thetas[lo:hi], cur[lo:hi])
                fired[b, l, t] = nf
                out_sum[b, l] += osum
                quiet[l] = _quiet(v[lo:hi], refr[lo:hi], cur[lo:hi], thetas[lo:hi], p[_FIRES])
                nact = 0
                for j in range(n_out[l]):
                    o = cur[lo + j]
                    prev[lo + j] = o
                    if o != 0:
                        idx[nact] = j
                        val[nact] = o
                        nact += 1
                        if l == layers - 1:
                            counts[b, j] += o
                    if record:
                        rec[b, t, lo + j] = o
        for l in range(layers):
            lo, hi = s_off[l], s_off[l + 1]
            _leak_times(v[lo:hi], refr[lo:hi], pending[l], params[l, _LEAK], params[l, _SHIFT], params[l, _MULT])
        v_last[b] = v[s_off[layers - 1]:s_off[layers]]
    return active0, fired, in_sum, extra, out_sum, counts, v_last, rec


@njit(cache=True)
def _popcount(x):
    """Set bits of ``|x|``: a multi-bit event ``w * x`` by shift/add costs ``popcount(x) - 1`` extra adds."""
    x = -x if x < 0 else x
    n = 0
    while x:
        n += x & 1
        x >>= 1
    return n


def neuron_row(neuron: NeuronParams, fires: bool = True) -> np.ndarray:
    """The kernels' int64 parameter row of one layer."""
    return np.array(
        [neuron.levels, neuron.v_min, neuron.v_max, _LEAK_CODE[neuron.leak],
         neuron.leak_shift, neuron.leak_multiplier, int(neuron.reset is ResetKind.SOFT),
         neuron.refractory_steps, neuron.inhibition_lsb, int(fires)],
        dtype=np.int64,
    )


@dataclass(frozen=True)
class NeuronState:
    """State of a layer's neurons between steps: membrane (int32, LSB), refractory counters, last outputs."""

    v: np.ndarray
    refractory: np.ndarray
    out: np.ndarray


def initial_state(neurons: int) -> NeuronState:
    """All membranes 0, no neuron refractory, no previous output."""
    return NeuronState(np.zeros(neurons, np.int32), np.zeros(neurons, np.int32), np.zeros(neurons, np.int8))


def neuron_thresholds(neuron: NeuronParams, neurons: int, thresholds: np.ndarray | None = None) -> np.ndarray:
    """(N,) int64 thresholds of a layer: its per-neuron ``thresholds`` if given, else ``threshold_lsb`` for all."""
    if thresholds is None:
        return np.full(neurons, neuron.threshold_lsb, np.int64)
    theta = np.asarray(thresholds, dtype=np.int64).reshape(-1)
    if theta.size != neurons:
        raise ValueError(f"{theta.size} per-neuron thresholds for a layer of {neurons} neurons")
    return np.ascontiguousarray(theta)


def lif_step(state: NeuronState, x: np.ndarray, weights: np.ndarray, neuron: NeuronParams, fires: bool = True,
             thresholds: np.ndarray | None = None) -> NeuronState:
    """One time step of one layer for one sample (pure: the inputs are not modified).

    Parameters
    ----------
    state
        The layer's state after the previous step (:func:`initial_state` before step 0).
    x
        (C,) integer inputs of this step: spikes 0/1, multi-threshold outputs 0..K or direct values.
    weights
        (N, C) integer weights in membrane LSB (:func:`dense_weights` for a conv layer).
    neuron
        The layer's neuron parameters.
    fires
        False for an integrating readout layer (steps 1-4 only).
    thresholds
        (N,) per-neuron thresholds in LSB (Spiker's threshold registers); None: ``neuron.threshold_lsb``.

    Returns
    -------
    NeuronState
        Membranes, refractory counters and outputs ``o`` (0..K) after this step.
    """
    v = state.v.astype(np.int64)
    refr = state.refractory.astype(np.int64)
    out = np.zeros(v.shape[0], np.int64)
    xs = np.asarray(x).astype(np.int64)
    idx = np.flatnonzero(xs).astype(np.int64)
    wT = np.ascontiguousarray(np.asarray(weights).T.astype(np.int64))
    theta = neuron_thresholds(neuron, v.shape[0], thresholds)
    _layer_step(v, refr, state.out.astype(np.int64), idx, xs[idx], idx.size, wT, neuron_row(neuron, fires), theta, out)
    return NeuronState(v.astype(np.int32), refr.astype(np.int32), out.astype(np.int8))


def dense_weights(layer: SnnLayer, weights: np.ndarray) -> np.ndarray:
    """The layer's weights as an (N, C*H*W) int64 matrix; neurons and inputs flattened row-major.

    A conv layer becomes its (sparse) Toeplitz matrix, so one input event adds one column, as
    the event-driven hardware does.
    """
    w = np.asarray(weights).astype(np.int64)
    if layer.kind is SnnLayerKind.FC:
        return w.reshape(layer.K, layer.inputs)
    dense = np.zeros((layer.K, layer.P, layer.Q, layer.C, layer.H, layer.W), np.int64)
    for p in range(layer.P):
        for q in range(layer.Q):
            for r in range(layer.R):
                h = p * layer.stride - layer.padding + r
                if not 0 <= h < layer.H:
                    continue
                for s in range(layer.S):
                    col = q * layer.stride - layer.padding + s
                    if 0 <= col < layer.W:
                        dense[:, p, q, :, h, col] = w[:, :, r, s]
    return dense.reshape(layer.neurons, layer.inputs)


def run_layer(layer: SnnLayer, weights: np.ndarray, x: np.ndarray, fires: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Run one layer over all steps: x (B, T, C) -> (outputs (B, T, N) int8, final membranes (B, N) int32)."""
    x = np.ascontiguousarray(x, dtype=np.int64)
    wT = np.ascontiguousarray(dense_weights(layer, weights).T)
    result = _run_net(
        np.zeros((x.shape[0], x.shape[2]), np.int64), _ENC_DENSE, np.zeros((1, 1), np.int64), x,
        wT.ravel(), np.array([0, wT.size], np.int64), np.array([wT.shape[0]], np.int64),
        np.array([wT.shape[1]], np.int64), neuron_row(layer.neuron, fires)[None, :],
        neuron_thresholds(layer.neuron, layer.neurons), x.shape[1], True,
    )
    return result[7], result[6].astype(np.int32)


@dataclass(frozen=True)
class RunResult:
    """A network run on a batch of B samples over T steps with L layers.

    Attributes
    ----------
    active_inputs
        (B, L, T) int32: input events (inputs with ``x != 0``) each layer received in each step.
    fired
        (B, L, T) int32: neurons of each layer with ``o > 0`` in each step.
    input_sum, output_sum
        (B, L) int64: sum of the input values ``x`` (a multi-threshold event of value ``o``
        counts ``o``) and of the outputs ``o`` of each layer.
    shift_adds
        (B, L) int64: extra shift/adds of multi-bit events, ``sum(popcount(x) - 1)`` (0 for spikes).
    counts
        (B, N) int64 sum of the last layer's outputs over the steps.
    final_membrane
        (B, N) int32 membranes of the last layer after the last step.
    predictions
        (B,) predicted class per sample.
    outputs
        Only with ``record=True``: per layer, (B, T, N) int8 outputs of every step; else ().
    """

    active_inputs: np.ndarray
    fired: np.ndarray
    input_sum: np.ndarray
    shift_adds: np.ndarray
    output_sum: np.ndarray
    counts: np.ndarray
    final_membrane: np.ndarray
    predictions: np.ndarray
    outputs: tuple[np.ndarray, ...] = ()


def run_network(net: SnnNetwork, intensities: np.ndarray, *, record: bool = False) -> RunResult:
    """Encode ``intensities`` (B, C*H*W integers) and run every layer for ``net.time_steps`` steps.

    For an LFSR encoding with ``reseed_per_sample`` false, sample ``b`` of the batch is the
    ``b``-th image the accelerator sees since it was seeded.
    """
    x = check_intensities(np.asarray(intensities).reshape(len(intensities), -1), net.encoding)
    steps = net.time_steps
    thr = np.zeros((1, 1), np.int64)
    dense = np.zeros((1, 1, 1), np.int64)
    kind = net.encoding.kind
    if kind is EncodingKind.LFSR_RATE:
        enc, thr = _ENC_LFSR, lfsr_thresholds(net.encoding, x.shape[0], steps)
    elif kind is EncodingKind.DIRECT:
        enc = _ENC_DIRECT
    else:
        enc = _ENC_DENSE
        dense = poisson_spikes(x, steps, net.encoding.input_bits, net.encoding.seed).astype(np.int64)
    mats = [np.ascontiguousarray(dense_weights(layer, net.weights[layer.name]).T) for layer in net.layers]
    w_off = np.cumsum([0] + [m.size for m in mats]).astype(np.int64)
    rows = np.stack([
        neuron_row(layer.neuron, net.layer_fires(i)) for i, layer in enumerate(net.layers)
    ])
    thetas = np.concatenate([neuron_thresholds(layer.neuron, layer.neurons, net.thresholds.get(layer.name))
                             for layer in net.layers])
    active0, fired, in_sum, extra, out_sum, counts, v_last, rec = _run_net(
        x, enc, thr, dense, np.concatenate([m.ravel() for m in mats]), w_off,
        np.array([m.shape[0] for m in mats], np.int64), np.array([m.shape[1] for m in mats], np.int64),
        rows, thetas, steps, record,
    )
    active = np.concatenate([active0[:, None, :], fired[:, :-1, :]], axis=1)
    outputs: tuple[np.ndarray, ...] = ()
    if record:
        edges = np.cumsum([0] + [m.shape[1] for m in mats])
        outputs = tuple(rec[:, :, edges[i]:edges[i + 1]] for i in range(len(mats)))
    return RunResult(active, fired, in_sum, extra, out_sum, counts, v_last.astype(np.int32), _predict(net, v_last, counts), outputs)


def _predict(net: SnnNetwork, v: np.ndarray, counts: np.ndarray) -> np.ndarray:
    if net.readout is Readout.MEMBRANE:
        return np.argmax(v, axis=1)
    if net.class_of_neuron.size:
        per_class = np.zeros((counts.shape[0], net.classes), np.int64)
        for c in range(net.classes):
            per_class[:, c] = counts[:, net.class_of_neuron == c].sum(axis=1)
        return np.argmax(per_class, axis=1)
    return np.argmax(counts, axis=1)


def accuracy(net: SnnNetwork, limit: int | None = None) -> tuple[float, int]:
    """(fraction correct, samples) of the functional model on the network's shipped test data."""
    x, y = net.test_inputs[:limit], net.test_labels[:limit]
    if len(y) == 0:
        raise ValueError(f"model '{net.name}' ships no labelled test data")
    predictions = run_network(net, x).predictions
    return float(np.mean(predictions == y)), int(len(y))
