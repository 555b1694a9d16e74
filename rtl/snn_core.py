"""An SNN core: ``P`` LIF neuron units time-multiplexed over a layer of ``N`` neurons.

A time step runs over ``G = ceil(N / P)`` groups of ``P`` neurons.  Group 0 takes the step's
input beats from ``i_stream``, one per cycle; each beat reads one weight-memory row (the ``P``
weights of that input for the current group; the memory is a synchronous-read block RAM,
initialised from the layer's weights) and, one cycle later, updates all ``P`` lanes with
``sat(v + w*x)`` (:class:`rtl.lif_neuron.NeuronLogic`).  Groups ``1..G-1`` replay the beats
group 0 stored in an event buffer.  After a group's last beat, one cycle drains the read
pipeline and one fires: every lane fires, resets and leaks for the next step, and the group's
outputs and membranes leave on ``o_stream`` as one beat.

Event-driven, the beats are the active inputs only (``index, value``; ``last`` on the final
one) and a step without any is one marker beat ``value = 0, last = 1``; clock-driven, every
input is one beat in index order (the core counts the index itself, the step ends after
``inputs`` beats).  An empty step's marker fires group 0 in its own cycle (no weight to read,
nothing to drain: ``o_stream`` is offered with the marker, which is taken when the output is),
and every later group fires in one cycle without a replay: one cycle per group, as Spiker's
``sample_spikes`` state.  An integrating layer (``fires = False``: the membrane readout of
:attr:`hwsim.workload.snn.Readout.MEMBRANE`) spends the same fire cycle but only leaks: its
spikes are 0 and its membranes, unreset, leave on ``o_stream`` as every step.  A ``clear`` beat resets every membrane and refractory counter in its one
cycle (all state is in registers).

Spiker's mode.  ``skip_empty_steps`` (clock-driven only): a step without any active input is
one marker beat ``value = 0, last = 1``, as event-driven, instead of ``inputs`` beats; its
groups still fire (leak, refractory count).  ``inhibition_scan``: the core keeps the layer's
outputs of the previous step in a ring of ``N`` feedback registers; in a step after one in
which any neuron fired, every group, after its drain cycle, rotates the ring once around, one
line per cycle, and each line ``j`` subtracts ``inhibition_lsb * o_j`` from every lane of the
group except neuron ``j`` itself (saturating at ``v_min``; refractory lanes keep ``v``).  That
is ``hwsim.func.lif.lif_step``'s one saturating subtract of ``inhibition * (total - own)``,
applied after integration and before firing, in ``N`` cycles per group.  In an empty step the
marker's cycle scans line 0, so such a step costs ``1 + N`` cycles per group.

Per-neuron thresholds (Spiker's threshold registers): with ``thresholds`` given, lane ``p`` of
group ``g`` compares with neuron ``g*P + p``'s own threshold, a constant selected by the group.

The cycle counts are ``hwsim.sim.blocks.snn_core.step_cycles``/``inference_cycles`` (with
``inhibits`` from ``inhibiting_steps``); the outputs ``hwsim.func.lif.lif_step`` of the whole layer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

from amaranth import Cat, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

import numpy as np

from hwsim.errors import WorkloadError
from hwsim.func.snn_core import core_thresholds, core_weights, default_neuron_params
from hwsim.rtlflow.blocks import RtlBlock
from hwsim.sim.blocks.snn_core import SnnCoreTiming, groups
from hwsim.workload.snn import NeuronParams
from hwsim.rtl.lif_neuron import NeuronLogic, check_rtl_neuron, rtl_neuron

FAULTS = ("leak_off_by_one", "wrap_around", "extra_cycle", "scan_extra_cycle", "inhibit_self", "slow_empty_step")
"""Deliberate bugs: leak by ``v >> (k+1)``; integrate without saturation; one idle cycle before firing;
one idle cycle after an inhibition scan; a neuron's own feedback line inhibits it too; an empty step's
marker does not fire in its own cycle (the old marker + drain + fire, 3 cycles)."""

SCAN_FAULTS = ("scan_extra_cycle", "inhibit_self")
"""The faults that live in the inhibition scan (so need ``inhibition_scan``)."""


def event_layout(inputs: int, value_bits: int) -> data.StructLayout:
    return data.StructLayout({"index": unsigned(max(1, (inputs - 1).bit_length())), "value": unsigned(value_bits),
                              "last": unsigned(1), "clear": unsigned(1)})


def spikes_layout(parallel_neurons: int, out_bits: int, membrane_bits: int, n_groups: int) -> data.StructLayout:
    return data.StructLayout({
        "spikes": data.ArrayLayout(unsigned(out_bits), parallel_neurons),
        "membranes": data.ArrayLayout(signed(membrane_bits), parallel_neurons),
        "group": unsigned(max(1, (n_groups - 1).bit_length())),
        "last": unsigned(1),
    })


def weight_rows(weights: np.ndarray, parallel_neurons: int, weight_bits: int) -> list[int]:
    """Weight-memory words: row ``g * inputs + i`` packs the weights of input ``i`` to neurons
    ``g*P .. g*P + P - 1`` (lane 0 in the low bits; lanes past the layer's end are 0)."""
    neurons, inputs = weights.shape
    n_groups = groups(neurons, parallel_neurons)
    padded = np.zeros((n_groups * parallel_neurons, inputs), np.int64)
    padded[:neurons] = weights
    mask = (1 << weight_bits) - 1
    rows = []
    for g in range(n_groups):
        for i in range(inputs):
            lanes = padded[g * parallel_neurons:(g + 1) * parallel_neurons, i]
            rows.append(sum((int(w) & mask) << (p * weight_bits) for p, w in enumerate(lanes)))
    return rows


_INPUT, _REPLAY, _DRAIN, _WAIT, _FIRE, _SCAN = range(6)
"""Phases of a group: take beats from the stream (group 0) or the event buffer, drain, (inhibition
scan), (fault: wait), fire."""


def _select(index: Signal, values: list) -> Any:
    """``values[index]`` as a chain of 2:1 muxes (the first value when ``index`` is out of range)."""
    result = values[0]
    for g, value in enumerate(values[1:], start=1):
        result = Mux(index == g, value, result)
    return result


def _check_int(name: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer in [{low}, {high}], not {value!r}")


class SnnCore(wiring.Component):
    """``P`` neuron units over a layer of ``N`` neurons with ``inputs`` synapses each.

    Parameters
    ----------
    neuron
        The layer's neuron parameters.
    weights
        (N, inputs) integer weights (each fits ``neuron.weight_bits`` signed bits).
    parallel_neurons
        ``P``, the physical neuron units.
    event_driven
        True: beats are active inputs; False: every input index is one beat.
    input_levels
        Largest input value (1: binary spikes).
    fault
        ``None`` or one of :data:`FAULTS`.
    fires
        False: an integrating (never firing) readout layer, ``lif_step(..., fires=False)``.
    skip_empty_steps
        Clock-driven only: a step without active inputs is one marker beat (Spiker's mode).
    inhibition_scan
        Build the lateral-inhibition scan (needed for ``neuron.inhibition_lsb > 0``).
    thresholds
        (N,) per-neuron thresholds in LSB, or None: every neuron uses ``neuron.threshold_lsb``.

    Members
    -------
    i_stream : In(stream.Signature(event_layout(inputs, value_bits)))
        Input beats of each step (see the module docstring), and ``clear`` beats.
    o_stream : Out(stream.Signature(spikes_layout(P, out_bits, membrane_bits, G)))
        One beat per group and step: ``spikes[p]`` (``o`` of neuron ``group*P + p``), its
        membrane after reset, the group, and ``last`` on the step's final group.
    """

    def __init__(self, neuron: NeuronParams, weights: np.ndarray, parallel_neurons: int, *, event_driven: bool = True,
                 input_levels: int = 1, fault: str | None = None, fires: bool = True, skip_empty_steps: bool = False,
                 inhibition_scan: bool = False, thresholds: np.ndarray | None = None) -> None:
        check_rtl_neuron(neuron, input_levels, fault, FAULTS, inhibition=inhibition_scan)
        check_core_mode(event_driven, skip_empty_steps, inhibition_scan, fault)
        self._fires = bool(fires)
        weights = np.asarray(weights, dtype=np.int64)
        if weights.ndim != 2:
            raise ValueError(f"weights must be a (neurons, inputs) matrix, not of shape {weights.shape}")
        neurons, inputs = weights.shape
        _check_int("parallel_neurons", parallel_neurons, 1, 1024)
        _check_int("inputs", inputs, 2, 1 << 16)
        _check_int("neurons", neurons, 1, 1 << 16)
        if weights.size and int(np.abs(weights).max()) > neuron.w_max:
            raise ValueError(f"weight {int(np.abs(weights).max())} does not fit {neuron.weight_bits} signed bits")
        self._logic = NeuronLogic(neuron, input_levels, fault)
        self._P, self._C, self._N = parallel_neurons, inputs, neurons
        self._G = groups(neurons, parallel_neurons)
        self._event_driven = bool(event_driven)
        self._skip_empty_steps = bool(skip_empty_steps)
        self._inhibition_scan = bool(inhibition_scan)
        self._rows = weight_rows(weights, parallel_neurons, neuron.weight_bits)
        self._thresholds = check_thresholds(neuron, thresholds, neurons)
        super().__init__({
            "i_stream": In(stream.Signature(event_layout(inputs, self._logic.value_bits))),
            "o_stream": Out(stream.Signature(spikes_layout(parallel_neurons, self._logic.out_bits,
                                                           neuron.membrane_bits, self._G))),
        })

    @property
    def groups(self) -> int:
        return self._G

    def elaborate(self, platform) -> Module:
        m = Module()
        logic, n = self._logic, self._logic.neuron
        P, C, G, wb = self._P, self._C, self._G, n.weight_bits
        beat, out = self.i_stream.payload, self.o_stream.payload

        v = [[Signal(signed(n.membrane_bits), name=f"v_g{g}_p{p}") for p in range(P)] for g in range(G)]
        r = [[Signal(logic.refractory_bits, name=f"refr_g{g}_p{p}") for p in range(P)] for g in range(G)]
        group = Signal(range(max(G, 2)))
        # The current group's state through mux chains, not Array: Amaranth writes an Array lookup
        # as an ``always @*`` block, which Icarus never evaluates while its inputs keep their
        # initial values (docs/rtl.md, Limits).  Named signals, so that each lane's logic is
        # built once and shared by its G rows (unnamed, Yosys got one copy per row: 2x the LUTs).
        cur_v = [Signal(signed(n.membrane_bits), name=f"v_p{p}") for p in range(P)]
        cur_r = [Signal(logic.refractory_bits, name=f"refr_p{p}") for p in range(P)]
        for p in range(P):
            m.d.comb += [cur_v[p].eq(_select(group, [v[g][p] for g in range(G)])),
                         cur_r[p].eq(_select(group, [r[g][p] for g in range(G)]))]

        m.submodules.weights = wmem = Memory(shape=unsigned(P * wb), depth=G * C, init=self._rows)
        w_rd = wmem.read_port()                     # synchronous: the row arrives the next cycle
        base = Signal(range(G * C))                 # first row of the current group
        valid_d = Signal()                          # a beat's row is on w_rd.data this cycle
        x_d = Signal(logic.value_bits)
        count = Signal(range(C + 1))                # beats taken (group 0) / replayed (others)
        n_beats = Signal(range(C + 1))
        scan = self._inhibition_scan
        phase = Signal(range((_SCAN if scan else _FIRE) + 1))  # every comb output is a plain function of it
        in_input, in_replay, in_fire = phase == _INPUT, phase == _REPLAY, phase == _FIRE

        # stage 2: the previous cycle's beat updates every lane of the group
        m.d.sync += valid_d.eq(0)
        integrated = [Signal(signed(n.membrane_bits), name=f"integrated_p{p}") for p in range(P)]
        for p in range(P):
            w = w_rd.data[p * wb:(p + 1) * wb].as_signed()
            m.d.comb += integrated[p].eq(logic.integrate(cur_v[p], logic.weighted(w, x_d), cur_r[p]))
        with m.If(valid_d):
            for p in range(P):
                for g in range(G):
                    with m.If(group == g):
                        m.d.sync += v[g][p].eq(integrated[p])

        # An empty step's marker: group 0 fires in the marker's cycle (or, inhibiting, scans line 0)
        marker, empty, inhibiting, fire_now = Signal(), Signal(), Signal(), Signal()
        if self._event_driven or self._skip_empty_steps:
            m.d.comb += marker.eq(beat.last & (count == 0) & (beat.value == 0))
        quick = logic.fault not in ("extra_cycle", "slow_empty_step")
        if quick:
            m.d.comb += fire_now.eq(in_input & self.i_stream.valid & ~beat.clear & marker & ~inhibiting)
        firing = Signal()
        m.d.comb += firing.eq(in_fire | fire_now)
        fire_go = firing & self.o_stream.ready
        take = self.i_stream.valid & self.i_stream.ready & ~beat.clear
        stream_index = beat.index if self._event_driven else count
        if self._event_driven:
            ends = beat.last
        elif self._skip_empty_steps:            # a full scan, or the empty step's one marker beat
            ends = (count == C - 1) | beat.last
        else:
            ends = count == C - 1
        m.d.comb += self.i_stream.ready.eq(in_input & ~(fire_now & ~self.o_stream.ready))
        if G > 1:
            # the buffer keeps what a replay reads: the value, and the index when events are sparse
            kept = {"value": unsigned(logic.value_bits)}
            if self._event_driven:
                kept["index"] = event_layout(C, logic.value_bits)["index"].shape
            m.submodules.events = emem = Memory(shape=data.StructLayout(kept), depth=C, init=[])
            e_wr, replay = emem.write_port(), emem.read_port(domain="comb")
            entry = replay.data
            replay_index = entry.index if self._event_driven else count
            m.d.comb += [*(getattr(e_wr.data, k).eq(getattr(beat, k)) for k in kept), e_wr.en.eq(take),
                         e_wr.addr.eq(count), replay.addr.eq(count),
                         w_rd.addr.eq(Mux(in_replay, base + replay_index, stream_index))]
        else:
            m.d.comb += w_rd.addr.eq(stream_index)

        fired = []
        for p in range(P):
            names = ("o", "v_fired", "v_next", "refr_next")
            shapes = (logic.out_bits, signed(n.membrane_bits), signed(n.membrane_bits), logic.refractory_bits)
            sigs = tuple(Signal(shape, name=f"{name}_p{p}") for name, shape in zip(names, shapes))
            theta = self._lane_threshold(m, p, group)
            # an integrating layer never sets a refractory count, so it leaks every step
            values = logic.fire(cur_v[p], cur_r[p], theta) if self._fires else (0, cur_v[p], logic.leak(cur_v[p]), 0)
            m.d.comb += [sig.eq(value) for sig, value in zip(sigs, values)]
            fired.append(sigs)
        m.d.comb += [out.spikes[p].eq(fired[p][0]) for p in range(P)]
        m.d.comb += [out.membranes[p].eq(fired[p][1]) for p in range(P)]
        m.d.comb += [out.group.eq(group), out.last.eq(group == G - 1), self.o_stream.valid.eq(firing)]

        with m.If(in_input & self.i_stream.valid & beat.clear):
            m.d.sync += [s.eq(0) for row in v + r for s in row]
        to_fire = _WAIT if logic.fault == "extra_cycle" else _FIRE
        with m.If(take):
            m.d.sync += [valid_d.eq(beat.value != 0), x_d.eq(beat.value), count.eq(count + 1)]
            with m.If(marker):
                m.d.sync += [count.eq(0), empty.eq(1)]
                if scan:
                    with m.If(inhibiting):
                        m.d.sync += phase.eq(_SCAN)   # the scan below leaves it for N == 1
                if not quick:
                    with m.If(~inhibiting):
                        m.d.sync += phase.eq(_DRAIN if logic.fault == "slow_empty_step" else to_fire)
            with m.Elif(ends):
                m.d.sync += [n_beats.eq(count + 1), count.eq(0), phase.eq(_DRAIN)]
        if G > 1:
            with m.If(in_replay):
                m.d.sync += [valid_d.eq(entry.value != 0), x_d.eq(entry.value), count.eq(count + 1)]
                with m.If(count == n_beats - 1):
                    m.d.sync += [count.eq(0), phase.eq(_DRAIN)]
        if scan:
            self._inhibition(m, v, cur_v, cur_r, fired, group, phase, inhibiting, take & marker & inhibiting, fire_go)
            with m.If(phase == _DRAIN):
                m.d.sync += phase.eq(Mux(inhibiting, _SCAN, to_fire))
        else:
            with m.If(phase == _DRAIN):
                m.d.sync += phase.eq(to_fire)
        with m.If(phase == _WAIT):
            m.d.sync += phase.eq(_FIRE)
        with m.If(fire_go):
            for p in range(P):
                for g in range(G):
                    with m.If(group == g):
                        m.d.sync += [v[g][p].eq(fired[p][2]), r[g][p].eq(fired[p][3])]
            with m.If(group == G - 1):
                m.d.sync += [group.eq(0), base.eq(0), phase.eq(_INPUT), empty.eq(0)]
            with m.Else():
                # the next group of an empty step fires (or scans) at once: there is nothing to replay
                no_input = empty | fire_now
                after_empty = Mux(inhibiting, _SCAN, _FIRE) if scan else _FIRE
                m.d.sync += [group.eq(group + 1), base.eq(base + C), empty.eq(no_input),
                             phase.eq(Mux(no_input, after_empty, _REPLAY))]
        return m

    def _lane_threshold(self, m: Module, p: int, group: Signal) -> Any:
        """Lane ``p``'s threshold: None (the neuron's), or neuron ``group*P + p``'s own constant."""
        if self._thresholds is None:
            return None
        P, G = self._P, self._G
        values = [int(self._thresholds[g * P + p]) if g * P + p < self._N else 1 for g in range(G)]
        if G == 1:
            return values[0]
        theta = Signal(range(max(values) + 1), name=f"theta_p{p}")
        m.d.comb += theta.eq(_select(group, values))
        return theta

    def _inhibition(self, m: Module, v: list, cur_v: list, cur_r: list, fired: list, group: Signal,
                    phase: Signal, inhibiting: Signal, scan_marker: Any, fire_go: Any) -> None:
        """The feedback ring and the scan phase; drives ``inhibiting`` ("the layer fired in the previous step").

        ``scan_marker``: an empty inhibiting step's marker is taken, and its cycle scans line 0;
        ``fire_go``: the current group fires (its outputs are taken) in this cycle.

        ``feedback[j]`` holds neuron ``j``'s output of the previous step; during a scan the ring
        shifts by one each cycle, so line ``j`` is at its head in scan cycle ``j`` and after the
        ``N`` cycles the ring is back in order for the next group.  The outputs of groups
        ``0..G-2`` wait in ``step_o`` until the last group fires, then all enter the ring at once.
        """
        logic, n = self._logic, self._logic.neuron
        P, G, N = self._P, self._G, self._N
        beat = self.i_stream.payload
        feedback = [Signal(logic.out_bits, name=f"feedback_{j}") for j in range(N)]
        step_o = [[Signal(logic.out_bits, name=f"o_g{g}_p{p}") for p in range(P)] for g in range(G - 1)]
        scan_count = Signal(range(max(N, 2)))
        first = Signal(range(max(2, G * P)))    # the current group's first neuron
        m.d.comb += inhibiting.eq(Cat(*feedback).any())

        amount = Signal(range(max(2, n.levels * n.inhibition_lsb + 1)))  # never 0 bits wide (Verilator)
        m.d.comb += amount.eq(feedback[0] * n.inhibition_lsb)
        in_scan = (phase == _SCAN) | scan_marker
        with m.If(in_scan):
            for p in range(P):
                spared = Signal(name=f"spared_p{p}")
                own = (scan_count == first + p) if logic.fault != "inhibit_self" else 0
                pads = (G - 1) * P + p >= N     # lane p of the last group is past the layer
                m.d.comb += spared.eq(own | (group == G - 1) if pads else own)
                inhibited = Mux(spared, cur_v[p], logic.inhibit(cur_v[p], amount, cur_r[p]))
                for g in range(G):
                    with m.If(group == g):
                        m.d.sync += v[g][p].eq(inhibited)
            m.d.sync += [feedback[j].eq(feedback[(j + 1) % N]) for j in range(N)]
            m.d.sync += scan_count.eq(scan_count + 1)
            with m.If(scan_count == N - 1):
                after = _WAIT if logic.fault in ("extra_cycle", "scan_extra_cycle") else _FIRE
                m.d.sync += [scan_count.eq(0), phase.eq(after)]

        with m.If(fire_go):
            for g in range(G - 1):
                with m.If(group == g):
                    m.d.sync += [step_o[g][p].eq(fired[p][0]) for p in range(P)]
            with m.If(group == G - 1):
                line = [step_o[j // P][j % P] if j // P < G - 1 else fired[j % P][0] for j in range(N)]
                m.d.sync += [feedback[j].eq(line[j]) for j in range(N)]
                m.d.sync += first.eq(0)
            with m.Else():
                m.d.sync += first.eq(first + P)
        with m.If((phase == _INPUT) & self.i_stream.valid & beat.clear):
            m.d.sync += [s.eq(0) for s in feedback + [o for row in step_o for o in row]]


def default_params(spec: Any) -> dict[str, Any]:
    """Spiker's neuron on a test-sized layer: 16 inputs, 12 neurons on 4 units (3 groups), event-driven.

    With ``model`` and ``layer`` set (a shipped network, e.g. ``snn-digits`` / ``fc1``, or its integrating
    readout ``out``), the
    neuron, sizes, input levels, weights and per-neuron thresholds (if the layer has them) are that
    trained layer's and the flat neuron parameters, ``inputs``, ``neurons``, ``input_levels``,
    ``weight_seed`` and ``per_neuron_thresholds`` are not used.  ``per_neuron_thresholds=1`` gives a
    test layer seeded per-neuron thresholds around ``threshold_lsb``.
    """
    return {**default_neuron_params(), "input_levels": 1, "inputs": 16, "neurons": 12, "parallel_neurons": 4,
            "event_driven": 1, "skip_empty_steps": 0, "inhibition_scan": 0, "inhibition_lsb": 0,
            "per_neuron_thresholds": 0, "weight_seed": 1, "model": None, "layer": None, "fault": None}


@dataclass(frozen=True)
class CoreLayer:
    """The layer a core is built with.

    Attributes
    ----------
    neuron
        Its neuron parameters.
    weights
        (N, C) int64 weights.
    input_levels
        Largest input value (1: binary spikes).
    fires
        False only for a trained network's integrating readout layer.
    thresholds
        (N,) int64 per-neuron thresholds, or None (every neuron uses ``neuron.threshold_lsb``).
    """

    neuron: NeuronParams
    weights: np.ndarray
    input_levels: int
    fires: bool
    thresholds: np.ndarray | None


def core_layer(params: Mapping[str, Any]) -> CoreLayer:
    """The layer the core is built with: a trained layer (``model``/``layer``) or a seeded test layer."""
    if params["model"] is not None or params["layer"] is not None:
        if params["model"] is None or params["layer"] is None:
            raise ValueError("model and layer go together (e.g. model=snn-digits layer=fc1)")
        from hwsim.func.snn_core import model_layer

        net, index, neuron, weights, levels = model_layer(params["model"], params["layer"])
        theta = net.thresholds.get(net.layers[index].name)
        return CoreLayer(neuron, weights, levels, net.layer_fires(index),
                         None if theta is None else np.asarray(theta, np.int64))
    _check_int("inhibition_lsb", params["inhibition_lsb"], 0, 1 << 31)
    if params["per_neuron_thresholds"] not in (0, 1):
        raise ValueError(f"per_neuron_thresholds must be 0 or 1, not {params['per_neuron_thresholds']!r}")
    try:
        neuron = replace(rtl_neuron(params), inhibition_lsb=params["inhibition_lsb"])
    except WorkloadError as exc:
        raise ValueError(str(exc)) from None
    weights = layer_weights(params)
    theta = core_thresholds(neuron, len(weights), params["weight_seed"]) if params["per_neuron_thresholds"] else None
    return CoreLayer(neuron, weights, params["input_levels"], True, theta)


def check_thresholds(neuron: NeuronParams, thresholds: np.ndarray | None, neurons: int) -> np.ndarray | None:
    """``thresholds`` as (N,) int64 after checking them, or None; ValueError naming the bad neuron."""
    if thresholds is None:
        return None
    theta = np.asarray(thresholds, dtype=np.int64).reshape(-1)
    if theta.size != neurons:
        raise ValueError(f"{theta.size} per-neuron thresholds for a layer of {neurons} neurons")
    bad = np.flatnonzero((theta < 1) | (neuron.levels * theta > neuron.v_max))
    if bad.size:
        raise ValueError(f"neuron {int(bad[0])} has threshold {int(theta[bad[0]])}; expected 1..{neuron.v_max // neuron.levels} "
                         f"for {neuron.levels} level(s) on a {neuron.membrane_bits}-bit membrane")
    return theta


def check_core_mode(event_driven: bool, skip_empty_steps: bool, inhibition_scan: bool, fault: str | None) -> None:
    """Raise ValueError for a skip flag on an event-driven core (it always skips) or a scan fault without a scan."""
    if skip_empty_steps and event_driven:
        raise ValueError("skip_empty_steps=1 is for a clock-driven core (event_driven=0); an event-driven one always skips")
    if fault in SCAN_FAULTS and not inhibition_scan:
        raise ValueError(f"fault {fault!r} is in the inhibition scan; build it with inhibition_scan=1")


def layer_weights(params: Mapping[str, Any]) -> np.ndarray:
    """The (neurons, inputs) weights the core is built with (``hwsim.func.snn_core.core_weights``)."""
    _check_int("inputs", params["inputs"], 2, 1 << 16)
    _check_int("neurons", params["neurons"], 1, 1 << 16)
    _check_int("weight_seed", params["weight_seed"], 0, (1 << 63) - 1)
    return core_weights(params["neurons"], params["inputs"], params["weight_bits"], params["weight_seed"])


def build(spec: Any, params: Mapping[str, Any]) -> SnnCore:
    for flag in ("event_driven", "skip_empty_steps", "inhibition_scan"):
        if params[flag] not in (0, 1):
            raise ValueError(f"{flag} must be 0 or 1, not {params[flag]!r}")
    _check_int("parallel_neurons", params["parallel_neurons"], 1, 1024)  # before the component exists
    check_core_mode(bool(params["event_driven"]), bool(params["skip_empty_steps"]), bool(params["inhibition_scan"]),
                    params["fault"])
    layer = core_layer(params)
    check_rtl_neuron(layer.neuron, layer.input_levels, params["fault"], FAULTS, inhibition=bool(params["inhibition_scan"]))
    return SnnCore(layer.neuron, layer.weights, params["parallel_neurons"], event_driven=bool(params["event_driven"]),
                   input_levels=layer.input_levels, fault=params["fault"], fires=layer.fires,
                   skip_empty_steps=bool(params["skip_empty_steps"]), inhibition_scan=bool(params["inhibition_scan"]),
                   thresholds=layer.thresholds)


def core_timing(params: Mapping[str, Any]) -> SnnCoreTiming:
    """The block model's timing of the core ``params`` build (:mod:`hwsim.sim.blocks.snn_core`).

    The RTL's scan costs exactly ``N`` cycles per group (``inhibition_extra_cycles = 0``) and its
    empty step one cycle per group (``EMPTY_STEP_CYCLES``: the marker fires), skipping or event-driven.
    """
    return SnnCoreTiming(params["parallel_neurons"], bool(params["event_driven"]),
                         skip_empty_steps=bool(params["skip_empty_steps"]),
                         inhibition_scan=bool(params["inhibition_scan"]))


def _estimate(spec: Any, params: Mapping[str, Any]):
    from hwsim.cost.fpga_snn_blocks import core_block_resources

    return core_block_resources(params)


BLOCK = RtlBlock(
    name="snn_core",
    build=build,
    default_params=default_params,
    testbench="tb_snn_core",
    estimate=_estimate,
    family=None,
    default_arch=None,
    faults=FAULTS,
)
