"""Streaming top-k over the scores of one query.

Scores arrive one per beat on ``i_stream`` (the key index is the beat's position, from 0);
``last`` marks the query's final score.  A sorted register file of ``k`` slots inserts each
score in the same cycle: every slot compares the new score with its own, and a slot whose
entry is beaten takes either the new entry or its upper neighbour's (a systolic insertion).
A score is inserted only when it is *strictly* greater than a kept one, so among equal
scores the earlier key stays ahead and the later one drops off the end: the tie rule of
:func:`hwsim.func.sparse_attention.topk_indices`.

After ``last`` the unit stops taking input and emits its ``min(k, L)`` entries on
``o_stream`` by descending score (ties: lower index first), one per beat, shifting the slots
up; ``last`` marks the final one.  Without stalls one query takes
``hwsim.sim.attention.topk_unit.topk_query_cycles(L, k)`` cycles from its first score to its
last output.
"""

from __future__ import annotations

from typing import Any, Mapping

from amaranth import Module, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from hwsim.rtlflow.blocks import RtlBlock
from hwsim.sim.attention.fpga_estimate import topk_resources
from hwsim.spec.enums import Family

FAULTS = ("ties_to_later", "extra_cycle")
"""Deliberate bugs for proving the testbench: a tie evicts the earlier key; one idle cycle before the outputs."""


def topk_input_layout(score_bits: int) -> data.StructLayout:
    return data.StructLayout({"score": signed(score_bits), "last": unsigned(1)})


def topk_output_layout(score_bits: int, index_bits: int) -> data.StructLayout:
    return data.StructLayout({"index": unsigned(index_bits), "score": signed(score_bits), "last": unsigned(1)})


class TopkUnit(wiring.Component):
    """Streaming top-k of one query's scores.

    Parameters
    ----------
    k
        Entries kept (1..4096).
    score_bits
        Signed score width (2..64).
    index_bits
        Key index width; a query has at most ``2**index_bits`` scores (the caller's contract).
    fault
        ``None`` or one of :data:`FAULTS`.

    Members
    -------
    i_stream : In(stream.Signature(topk_input_layout(score_bits)))
        One score per beat; ``last`` on the query's final score.
    o_stream : Out(stream.Signature(topk_output_layout(score_bits, index_bits)))
        The kept (index, score) pairs by descending score, ``last`` on the final one.
    """

    def __init__(self, k: int, score_bits: int, index_bits: int, *, fault: str | None = None) -> None:
        for name, value, low, high in (("k", k, 1, 4096), ("score_bits", score_bits, 2, 64),
                                       ("index_bits", index_bits, 1, 32)):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be an integer in [{low}, {high}], not {value!r}")
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"fault must be None or one of {FAULTS}, not {fault!r}")
        self._k, self._score_bits, self._index_bits, self._fault = k, score_bits, index_bits, fault
        super().__init__({
            "i_stream": In(stream.Signature(topk_input_layout(score_bits))),
            "o_stream": Out(stream.Signature(topk_output_layout(score_bits, index_bits))),
        })

    @property
    def k(self) -> int:
        return self._k

    @property
    def score_bits(self) -> int:
        return self._score_bits

    @property
    def index_bits(self) -> int:
        return self._index_bits

    def elaborate(self, platform) -> Module:
        m = Module()
        k = self._k
        valid = [Signal(name=f"valid{j}") for j in range(k)]
        score = [Signal(signed(self._score_bits), name=f"score{j}") for j in range(k)]
        index = [Signal(self._index_bits, name=f"index{j}") for j in range(k)]
        count = Signal(self._index_bits)   # index of the next score
        draining = Signal()                # emitting the kept entries

        inp, out = self.i_stream, self.o_stream
        new = inp.payload.score
        take = inp.valid & inp.ready
        m.d.comb += inp.ready.eq(~draining)
        beats = [~valid[j] | ((new >= score[j]) if self._fault == "ties_to_later" else (new > score[j]))
                 for j in range(k)]
        with m.If(take):
            for j in range(k):
                with m.If(beats[j]):
                    # beats[] is monotone over the sorted slots: the first beaten slot takes the
                    # new entry, every later one its upper neighbour's (the old entries shift down)
                    if j == 0:
                        m.d.sync += [valid[0].eq(1), score[0].eq(new), index[0].eq(count)]
                    else:
                        with m.If(beats[j - 1]):
                            m.d.sync += [valid[j].eq(valid[j - 1]), score[j].eq(score[j - 1]),
                                         index[j].eq(index[j - 1])]
                        with m.Else():
                            m.d.sync += [valid[j].eq(1), score[j].eq(new), index[j].eq(count)]
            m.d.sync += count.eq(count + 1)
            with m.If(inp.payload.last):
                m.d.sync += draining.eq(1)

        final = ~valid[1] if k > 1 else 1
        armed = Signal()                   # the broken variant idles one cycle before its outputs
        if self._fault == "extra_cycle":
            with m.If(draining):
                m.d.sync += armed.eq(1)
        else:
            m.d.comb += armed.eq(1)
        m.d.comb += [
            out.valid.eq(draining & valid[0] & armed),
            out.payload.score.eq(score[0]),
            out.payload.index.eq(index[0]),
            out.payload.last.eq(final),
        ]
        with m.If(out.valid & out.ready):
            for j in range(k - 1):
                m.d.sync += [valid[j].eq(valid[j + 1]), score[j].eq(score[j + 1]), index[j].eq(index[j + 1])]
            m.d.sync += valid[k - 1].eq(0)
            with m.If(final):
                m.d.sync += [draining.eq(0), count.eq(0)] + [v.eq(0) for v in valid]
                if self._fault == "extra_cycle":
                    m.d.sync += armed.eq(0)
        return m


def default_params(spec: Any) -> dict[str, Any]:
    """k = 8 of at most 256 keys; the score width of the arch's top-k unit."""
    return {"k": min(8, spec.topk_unit.k_max), "score_bits": spec.topk_unit.score_bits, "index_bits": 8,
            "fault": None}


def check_k(spec: Any, k: int) -> None:
    """Refuse a ``k`` above the arch's top-k unit (its ``topk_unit.k_max``)."""
    if k > spec.topk_unit.k_max:
        raise ValueError(f"k = {k} exceeds topk_unit.k_max = {spec.topk_unit.k_max} of arch '{spec.name}'")


def build(spec: Any, params: Mapping[str, Any]) -> TopkUnit:
    check_k(spec, params["k"])
    return TopkUnit(params["k"], params["score_bits"], params["index_bits"], fault=params["fault"])


BLOCK = RtlBlock(
    name="topk_unit",
    build=build,
    default_params=default_params,
    testbench="tb_topk_unit",
    estimate=topk_resources,
    family=Family.ATTENTION,
    default_arch="sparse-attn-fpga",
    faults=FAULTS,
)
