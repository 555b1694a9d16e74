"""What the loop-nest mapper maps onto: a memory hierarchy above a spatial PE array.

Level 0 is the storage inside each PE (one instance per PE); the spatial array sits between
level 0 and level 1; the last level is the backing store (DRAM) and holds everything.
Families build a ``MappingTarget`` from their own spec; the mapper knows nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

# G (groups, or batch x heads of a matrix product) is last so that mapping files written
# before it existed keep their meaning; it indexes every operand.
DIMS = ("N", "K", "C", "P", "Q", "R", "S", "G")
NDIM = len(DIMS)


class Operand(IntEnum):
    W = 0  # weights: G, K, C, R, S
    I = 1  # inputs: N, G, C, and the P/Q windows widened by R/S
    O = 2  # outputs (partial sums): N, G, K, P, Q


# relevance[operand, dim]: does iterating ``dim`` change the operand's data?
RELEVANCE = np.array(
    [
        [0, 1, 1, 0, 0, 1, 1, 1],
        [1, 0, 1, 1, 1, 1, 1, 1],
        [1, 1, 0, 1, 1, 0, 0, 1],
    ],
    dtype=np.bool_,
)


@dataclass(frozen=True)
class MemoryLevel:
    """One storage level.

    ``capacity_words`` is per instance (per PE at level 0); ``bandwidth_words_per_cycle``
    is the level's total; ``holds`` says which operands it stores (an operand it does not
    hold passes through to the next level that does).  ``partition_words`` (W, I, O), when
    given, makes the level one buffer per operand (Eyeriss's three scratchpads in a PE):
    each operand's tile must then also fit its own part.  ``operand_energy_pj`` (W, I, O),
    when given, is each operand's (read, write) energy per word there instead of the
    level's own (its parts are different memories).
    """

    name: str
    capacity_words: float
    read_energy_pj: float
    write_energy_pj: float
    bandwidth_words_per_cycle: float
    holds: tuple[bool, bool, bool] = (True, True, True)
    double_buffered: bool = False
    partition_words: tuple[float, float, float] | None = None
    operand_energy_pj: tuple[tuple[float, float], tuple[float, float], tuple[float, float]] | None = None

    def energies(self) -> tuple[tuple[float, float], ...]:
        """(read, write) pJ per word of W, I and O."""
        return self.operand_energy_pj or ((self.read_energy_pj, self.write_energy_pj),) * 3


@dataclass(frozen=True)
class MappingTarget:
    """A spatial array of ``rows x cols`` PEs under ``levels`` (innermost first).

    ``row_dims``/``col_dims`` name the loop dimensions that may be unrolled along each
    array axis (several may share an axis; their product must fit).  ``mac_cycles`` is how
    many cycles one PE takes per MAC (1 for a pipelined multiplier; a bit-serial in-memory
    adder takes one step per bit).  ``operand_scale`` (W, I, O) is how many of the levels'
    words one element of each operand fills: its width over the word's, so that capacities,
    traffic and energies of operands narrower or wider than a word are counted in bits.
    ``share_halo``: PEs whose input windows overlap (P and R unrolled together) share the
    overlapping inputs through one multicast read; False for arrays that send every PE its
    own inputs (AccelForge's Eyeriss, where only weights and outputs are reused spatially).
    ``per_operand_cuts``: the controller moves each operand's tiles on its own schedule, so
    an operand may keep its tile at a level across more loops than the others (weights
    streamed through the SRAM while inputs and outputs stay; :mod:`.cuts`).  False for
    engines that replay one cut per level (the systolic fold model).
    """

    name: str
    rows: int
    cols: int
    row_dims: tuple[str, ...]
    col_dims: tuple[str, ...]
    levels: tuple[MemoryLevel, ...]
    mac_energy_pj: float
    mac_cycles: float = 1.0
    operand_scale: tuple[float, float, float] = (1.0, 1.0, 1.0)
    share_halo: bool = True
    per_operand_cuts: bool = False

    def __post_init__(self) -> None:
        if len(self.levels) < 2:
            raise ValueError("a mapping target needs at least a PE level and a backing level")
        for d in self.row_dims + self.col_dims:
            if d not in DIMS:
                raise ValueError(f"unknown loop dimension '{d}' (expected one of {', '.join(DIMS)})")
        if set(self.row_dims) & set(self.col_dims):
            raise ValueError("a dimension cannot be unrolled along both array axes")
        if self.rows < 1 or self.cols < 1 or self.mac_cycles <= 0:
            raise ValueError(f"target '{self.name}': rows, cols and mac_cycles must be positive")
        if not all(self.levels[-1].holds):
            raise ValueError(f"the last level '{self.levels[-1].name}' must hold every operand")

    def arrays(self) -> dict[str, np.ndarray]:
        """The numeric view the compiled evaluator takes."""
        lv = self.levels
        return {
            "holds": np.array([level.holds for level in lv], dtype=np.bool_),
            "capacity": np.array([level.capacity_words for level in lv], dtype=np.float64),
            "partition": np.array([level.partition_words or (np.inf,) * 3 for level in lv], dtype=np.float64),
            "double": np.array([level.double_buffered for level in lv], dtype=np.bool_),
            "e_read": np.array([[r for r, _ in level.energies()] for level in lv], dtype=np.float64),
            "e_write": np.array([[w for _, w in level.energies()] for level in lv], dtype=np.float64),
            "bandwidth": np.array([level.bandwidth_words_per_cycle for level in lv], dtype=np.float64),
        }
