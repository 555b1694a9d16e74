"""SRAM and DRAM words of one layer as its loop nest moves them (the mapper's own cost model).

The counts are the mapper's: :func:`hwsim.mapping.loopnest.search.evaluate` prices every
level's reads and writes linearly (energy = sum of accesses x per-word price + MACs x MAC
price), so evaluating the nest once per level and direction with that one price set to
1 pJ and every other price to 0 returns exactly the accesses the mapper counted.  No second
copy of the loop-nest model exists.

On the systolic target (:mod:`hwsim.mapping.target_systolic`) each SRAM holds one operand and
DRAM holds all three, so the level counts separate by buffer:

* filter/ifmap SRAM: reads feed the array (or the PE registers), writes are fills from DRAM;
* DRAM: writes are ofmap words drained from the ofmap SRAM; reads are the filter and ifmap
  fills plus the partial sums read back into the ofmap SRAM;
* ofmap SRAM: its writes and reads less those DRAM transfers are the array's partial-sum
  writes and read-backs.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

import numpy as np

from hwsim.mapping.loopnest.target import DIMS

if TYPE_CHECKING:  # the mapper pulls in numba (0.3 s at start-up), which SCALE-Sim .cfg runs never need
    from hwsim.mapping.network import LayerMapping


@dataclass(frozen=True)
class NestTraffic:
    """Words one layer's loop nest moves, by buffer and direction."""

    ifmap_sram_reads: int
    filter_sram_reads: int
    ofmap_sram_writes: int  # by the array: partial sums and final outputs
    ofmap_sram_reads: int  # by the array: partial sums read back to accumulate
    ifmap_dram_reads: int
    filter_dram_reads: int
    ofmap_dram_writes: int  # drained ofmap tiles, partial sums included
    ofmap_dram_reads: int  # partial sums read back from DRAM

    def scaled(self, times: int) -> "NestTraffic":
        """The words of ``times`` runs one after another (the groups of a grouped layer)."""
        return NestTraffic(*(times * getattr(self, f.name) for f in fields(self)))


def level_accesses(m: LayerMapping) -> tuple[np.ndarray, np.ndarray]:
    """Reads and writes (words) of every level of ``m``'s target, as the mapper counts them."""
    from hwsim.mapping.loopnest.search import evaluate

    target, nest = m.target, m.mapping
    factors = np.array([nest.factors], dtype=np.int64)
    spatial = np.array([nest.spatial], dtype=np.int64)
    orders = np.array([[[DIMS.index(d) for d in order] for order in nest.orders]], dtype=np.int64)
    levels = len(target.levels)
    counts = np.zeros((2, levels))
    for direction in range(2):
        for index in range(levels):
            priced = tuple(
                replace(level, read_energy_pj=float(direction == 0 and i == index),
                        write_energy_pj=float(direction == 1 and i == index))
                for i, level in enumerate(target.levels)
            )
            _, energy, _ = evaluate(m.layer, replace(target, levels=priced, mac_energy_pj=0.0), factors, spatial, orders)
            counts[direction, index] = energy[0]
    return counts[0], counts[1]


def nest_traffic(m: LayerMapping) -> NestTraffic:
    """The buffer traffic of ``m`` on a systolic target (levels named as ``target_systolic`` names them)."""
    reads, writes = level_accesses(m)
    at = {level.name: i for i, level in enumerate(m.target.levels)}
    filter_fill, ifmap_fill = writes[at["filter_sram"]], writes[at["ifmap_sram"]]
    drained, dram_reads = writes[at["dram"]], reads[at["dram"]]
    refilled = dram_reads - filter_fill - ifmap_fill
    words = (
        reads[at["ifmap_sram"]], reads[at["filter_sram"]],
        writes[at["ofmap_sram"]] - refilled, reads[at["ofmap_sram"]] - drained,
        ifmap_fill, filter_fill, drained, refilled,
    )
    return NestTraffic(*(int(round(w)) for w in words))
