"""SCALE-Sim v3's double-buffered SRAM policy, cycle by cycle, for stall parity in USER mode.

The policy (as SCALE-Sim documents and behaves; hwsim re-models it, event by event):

* Read buffers (ifmap, filter).  The buffer of ``S`` words (1-byte words) keeps ``ceil(S/2)``
  words active and refills the other half from DRAM.  It knows the order in which the layer
  will fetch its words (:func:`demand.prefetch_order`) and holds them in sets of
  ``ceil(S / 100)`` consecutive fetches.  The active part is a circular window of
  ``ceil(active / set)`` sets; before the layer it is filled for free.  When the array asks
  for a word outside the window, the window advances by the prefetch part's sets and a
  prefetch of ``ceil(prefetch / bandwidth)`` DRAM lines costs that many cycles plus one, after
  the previous prefetch.  Each such prefetch moves the line's service time by the amount
  it ends after the request (``d``), twice when ``d > 0`` and once (earlier) when not — SCALE-
  Sim's accounting, kept so the stall counts agree.
* The ofmap buffer fills lines of ``bandwidth`` words; once fewer than half its words are free
  it drains ``floor(S/2)`` words at ``bandwidth`` words per cycle (its last line leaves in the
  drain's last cycle); an array write that finds it full while draining waits until then.
* Per cycle the array stalls by the largest delay of the three buffers.
* After the last line, what is left in the ofmap buffer drains line after line from that
  line's cycle on; the last DRAM write closes SCALE-Sim's "Total Cycles (incl. prefetch)".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from hwsim.jit import njit

from hwsim.sim.systolic.demand import IDLE
from hwsim.sim.systolic.scalesim_drain import ACTIVE_FRACTION, SETS_PER_BUFFER, BufferReplay


@dataclass(frozen=True)
class ReadBufferGeometry:
    """Sizes of one SCALE-Sim read buffer for one layer."""

    sets: int
    active_sets: int
    prefetch_sets: int
    prefetch_cycles: int

    @staticmethod
    def of(size_words: int, bandwidth_words: int, fetched_words: int) -> "ReadBufferGeometry":
        words_per_set = math.ceil(size_words / SETS_PER_BUFFER)
        active = math.ceil(size_words * ACTIVE_FRACTION)
        prefetch = size_words - active
        # The fetch order is cut into full sets plus one last (possibly empty) set.
        sets = fetched_words // words_per_set + 1
        active_sets = min(math.ceil(active / words_per_set), sets)
        prefetch_sets = min(math.ceil(prefetch / words_per_set), sets - active_sets)
        return ReadBufferGeometry(sets, active_sets, prefetch_sets, math.ceil(prefetch / bandwidth_words) + 1)


def set_index(order: np.ndarray, size_words: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR of the sets holding each address: ``ids[ptr[a]:ptr[a+1]]`` ascending."""
    words_per_set = math.ceil(size_words / SETS_PER_BUFFER)
    sets = np.arange(order.size, dtype=np.int64) // words_per_set
    by_address = np.argsort(order, kind="stable")  # stable: each address's sets stay ascending
    ptr = np.zeros(int(order.max(initial=0)) + 2, dtype=np.int64)
    ptr[1:] = np.cumsum(np.bincount(order, minlength=ptr.size - 1))
    return ptr, sets[by_address]


@njit(cache=True)
def _in_window(ids: np.ndarray, lo: int, hi: int, start: int, active: int, n_sets: int) -> bool:
    if active >= n_sets:
        return True
    # An address sits in a handful of sets (at most R * S for an ifmap word): scan them.
    for j in range(lo, hi):
        if (ids[j] - start) % n_sets < active:
            return True
    return False


@njit(cache=True)
def _read_delay(line: np.ndarray, cycle: int, state: np.ndarray, ptr: np.ndarray, ids: np.ndarray,
                n_sets: int, active: int, prefetch_sets: int, prefetch_cycles: int) -> int:
    """Delay of one line of reads; ``state`` = [window start, last prefetch end]."""
    offset = 1
    for addr in line:
        if addr == IDLE:
            continue
        lo, hi = ptr[addr], ptr[addr + 1]
        while not _in_window(ids, lo, hi, state[0], active, n_sets):
            state[0] = (state[0] + prefetch_sets) % n_sets
            state[1] += prefetch_cycles
            late = state[1] - (cycle + offset)
            offset += late
            if late > 0:
                offset += late
    return offset - 1


@njit(cache=True)
def _service(ifmap: np.ndarray, filt: np.ndarray, ofmap_words: np.ndarray,
             if_ptr, if_ids, if_geom, f_ptr, f_ids, f_geom, of_size: int, of_bw: int):
    """(last ofmap service cycle, stall cycles, last ofmap DRAM write cycle) of a layer."""
    if_state = np.array([0, -1], dtype=np.int64)
    f_state = np.array([0, -1], dtype=np.int64)
    drain_size = of_size - int(math.ceil(of_size * 0.5))
    drain_lines = -(-drain_size // of_bw)
    free = of_size
    drain_end = 0
    drained_once = False
    lines_full = 0       # finished lines of of_bw words waiting in the buffer (not yet drainable)
    line_fill = 0        # words in the line being filled
    trace = np.zeros(ofmap_words.sum() + 1, dtype=np.int64)   # words in each drainable line
    n_trace = 0
    drained = 0
    stalls = 0
    last_out = 0
    for i in range(ifmap.shape[0]):
        cycle = i + stalls
        d_if = _read_delay(ifmap[i], cycle, if_state, if_ptr, if_ids, if_geom[0], if_geom[1], if_geom[2], if_geom[3])
        d_f = _read_delay(filt[i], cycle, f_state, f_ptr, f_ids, f_geom[0], f_geom[1], f_geom[2], f_geom[3])
        current = cycle
        for _ in range(ofmap_words[i]):
            line_fill += 1
            free -= 1
            if line_fill == of_bw:
                lines_full += 1
                line_fill = 0
            if current < drain_end:
                if free <= 0:
                    current = drain_end
            elif free < of_size - drain_size:
                # Everything written so far becomes drainable, the partial line as one line.
                for _k in range(lines_full):
                    trace[n_trace] = of_bw
                    n_trace += 1
                lines_full = 0
                if line_fill:
                    trace[n_trace] = line_fill
                    n_trace += 1
                    line_fill = 0
                stop = min(drained + drain_lines, n_trace)
                count = stop - drained
                if count == 0:
                    continue
                # SCALE-Sim counts every lane of the drained lines but the last line's idle ones.
                free += (count - 1) * of_bw + trace[stop - 1]
                drained = stop
                # Lines leave one per cycle; the write port adds no latency (reads add one).
                drain_end = current + count - 1
                drained_once = True
        d_of = current - cycle
        last_out = current
        stalls += max(d_if, d_f, d_of)
    # The lines still in the buffer (the partial one too) drain one per cycle from the last
    # line's cycle on, in drains that follow each other without a gap.
    left = n_trace + lines_full + (1 if line_fill else 0) - drained
    last_write = drain_end if drained_once else -1
    if left > 0:
        last_write = max(last_write, last_out + left - 1)
    return last_out, stalls, last_write


def service_layer(ifmap: np.ndarray, filt: np.ndarray, ofmap_words: np.ndarray,
                  ifmap_order: np.ndarray, filter_order: np.ndarray,
                  sizes_words: tuple[int, int, int], bandwidths: tuple[int, int, int]) -> BufferReplay:
    """SCALE-Sim's buffers serving one layer's demand streams (USER bandwidth mode).

    ``sizes_words`` and ``bandwidths`` are (ifmap, filter, ofmap) buffer sizes in words and
    DRAM bandwidths in words per cycle.
    """
    geoms, csrs = [], []
    for order, size, bw in ((ifmap_order, sizes_words[0], bandwidths[0]), (filter_order, sizes_words[1], bandwidths[1])):
        g = ReadBufferGeometry.of(size, bw, order.size)
        geoms.append(np.array([g.sets, g.active_sets, g.prefetch_sets, g.prefetch_cycles], dtype=np.int64))
        csrs.append(set_index(order, size))
    total, stalls, last_write = _service(ifmap, filt, ofmap_words, csrs[0][0], csrs[0][1], geoms[0],
                                         csrs[1][0], csrs[1][1], geoms[1], sizes_words[2], bandwidths[2])
    return BufferReplay(int(total), int(stalls), int(last_write))


def drain_ofmap(ofmap_words: np.ndarray, size_words: int, bandwidth_words: int) -> BufferReplay:
    """SCALE-Sim's ofmap buffer alone, word by word, its read buffers never stalling (CALC mode).

    :func:`.scalesim_drain.drain_without_stalls` gives the same faster where the ofmap buffer
    does not stall the array either.
    """
    lines = ofmap_words.size
    no_reads = np.empty((lines, 0), dtype=np.int64)
    dummy_index = np.zeros(1, dtype=np.int64)
    always_hit = np.array([1, 1, 0, 0], dtype=np.int64)  # one set, all of it active
    total, stalls, last_write = _service(no_reads, no_reads, ofmap_words, dummy_index, dummy_index, always_hit,
                                         dummy_index, dummy_index, always_hit, size_words, bandwidth_words)
    return BufferReplay(int(total), int(stalls), int(last_write))
