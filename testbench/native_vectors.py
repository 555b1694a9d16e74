"""The cocotb testbenches' transactions as payload words, for the native Verilator harness.

For every block the stimulus, the expected outputs and the predicted cycles come from the
block's own testbench generator (``testbench/tb_<stem>.py``, or
:mod:`testbench.snn_stimulus` for the spiking blocks), seeded as the cocotb run seeds them:
``--sim verilator-native --seed 7`` checks the same transactions as ``--sim verilator --seed 7``
(only the idle and back-pressure pattern differs).  The expected outputs change form only: each
value the testbench's decoder would compare is encoded back into the ``o_stream`` payload the
block must emit, so the harness compares payload bits (every field of the payload; a ``last``
field ends a transaction, otherwise every beat does, as in the decoders).

A new block adds one function here and one entry in :data:`VECTOR_BUILDERS`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Callable

from hwsim.spec.arch import load_arch_spec
from hwsim.testbench.common import Context, field_offsets, lanes_word, pack


@dataclass(frozen=True)
class Vector:
    """One transaction for the vector file.

    Attributes
    ----------
    beats
        ``i_stream`` payloads, in order.
    outputs
        Expected ``o_stream`` payloads (unsigned, as the port carries them), in order.
    cycles
        hwsim's predicted cycles of the transaction.
    label
        What the transaction was (the cocotb testbench's label), for mismatch reports.
    """

    beats: list[int]
    outputs: list[int]
    cycles: int
    label: str


def _out_width(ctx: Context) -> int:
    return next(p["width"] for p in ctx.design["ports"] if p["name"] == "o_stream__payload")


def _one_word_vectors(ctx: Context, transactions: Callable[..., Any]) -> list[Vector]:
    """Blocks whose transaction ends in one output word (its low port-width bits)."""
    mask = (1 << _out_width(ctx)) - 1
    return [Vector(t.beats, [t.expected[0] & mask], t.predicted_cycles, t.label)
            for t in transactions(ctx, field_offsets(ctx.design, "i_stream__payload"))]


def adder_vectors(ctx: Context) -> list[Vector]:
    from hwsim.testbench.tb_ternary_adder import transactions

    return _one_word_vectors(ctx, transactions)


def skip_vectors(ctx: Context) -> list[Vector]:
    from hwsim.testbench.tb_sparse_skip import transactions

    out = field_offsets(ctx.design, "o_stream__payload")

    def encode(op) -> int:
        return pack(out, lane=op.lane, sub=int(op.sub), zero=int(op.zero), nop=int(op.nop), last=int(op.last),
                    skipped=op.skipped)
    return [Vector(t.beats, [encode(op) for op in t.expected], t.predicted_cycles, t.label) for t in transactions(ctx)]


def engine_vectors(ctx: Context) -> list[Vector]:
    from hwsim.testbench.tb_ternary_dot_engine import acc_width, transactions

    acc_bits = acc_width(ctx)
    return [Vector(t.beats, [lanes_word(list(t.expected[0]), acc_bits)], t.predicted_cycles, t.label)
            for t in transactions(ctx)]


def topk_vectors(ctx: Context) -> list[Vector]:
    from hwsim.testbench.tb_topk_unit import transactions

    out = field_offsets(ctx.design, "o_stream__payload")
    return [Vector(t.beats, [pack(out, index=i, score=s, last=int(j == len(t.expected) - 1))
                             for j, (i, s) in enumerate(t.expected)], t.predicted_cycles, t.label)
            for t in transactions(ctx, field_offsets(ctx.design, "i_stream__payload"))]


def score_vectors(ctx: Context) -> list[Vector]:
    from hwsim.testbench.tb_lut_score_unit import transactions

    return _one_word_vectors(ctx, transactions)


def _snn_steps(ctx: Context, block: str) -> list[dict[str, Any]]:
    """The reference steps, seeded as ``tb_snn_core``/``tb_lif_neuron`` seed their reference process."""
    from hwsim.testbench.snn_stimulus import BUILDERS

    seed = ctx.rng.getrandbits(32)
    fields = field_offsets(ctx.design, "i_stream__payload")
    return BUILDERS[block](dict(ctx.params), fields, random.Random(seed), ctx.transactions)


def neuron_vectors(ctx: Context) -> list[Vector]:
    out = field_offsets(ctx.design, "o_stream__payload")
    return [Vector(t["beats"], [pack(out, o=o, v=v) for o, v in t["expected"]], t["cycles"], t["label"])
            for t in _snn_steps(ctx, "lif_neuron")]


def core_vectors(ctx: Context) -> list[Vector]:
    out = field_offsets(ctx.design, "o_stream__payload")
    lanes = ctx.params["parallel_neurons"]
    # lane widths from the port, as the cocotb decoder (a trained layer brings its own neuron)
    out_bits, membrane_bits = out["spikes"][1] // lanes, out["membranes"][1] // lanes

    def encode(beats: list[list[Any]]) -> list[int]:
        return [pack(out, spikes=lanes_word(spikes, out_bits), membranes=lanes_word(membranes, membrane_bits), group=group,
                     last=int(g == len(beats) - 1)) for g, (spikes, membranes, group) in enumerate(beats)]
    return [Vector(t["beats"], encode(t["expected"]), t["cycles"], t["label"]) for t in _snn_steps(ctx, "snn_core")]


VECTOR_BUILDERS: dict[str, Callable[[Context], list[Vector]]] = {
    "ternary_adder": adder_vectors,
    "sparse_skip": skip_vectors,
    "ternary_dot_engine": engine_vectors,
    "topk_unit": topk_vectors,
    "lut_score_unit": score_vectors,
    "lif_neuron": neuron_vectors,
    "snn_core": core_vectors,
}
"""Block name -> its vector builder."""


def design_vectors(design: dict[str, Any], seed: int, transactions: int) -> list[Vector]:
    """``transactions`` vectors of the block ``design`` describes (``Design.describe()``), seeded by ``seed``.

    Raises
    ------
    KeyError
        When the block has no builder here.
    """
    build = VECTOR_BUILDERS[design["block"]]
    spec = None if design["arch"] is None else load_arch_spec(design["arch"], design["overrides"])
    ctx = Context(design, spec, dict(design["params"]), transactions, None, random.Random(seed))
    return build(ctx)
