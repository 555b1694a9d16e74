"""SCALE-Sim v3's ofmap buffer when nothing else stalls (CALC mode), drain by drain, in numpy.

:mod:`.scalesim_buffers` replays SCALE-Sim's buffers word by word in numba; in CALC mode the
read buffers never stall, and the ofmap buffer (draining at the array's width) only needs to
be followed from one drain to the next, which this module does without numba (a ``.cfg`` run
in CALC mode then never loads it).  The policy is the one :mod:`.scalesim_buffers` states:

* written words fill lines of ``bandwidth`` words; once more than the drain half of the
  buffer is occupied, and no drain is running, every written word becomes drainable (the
  line being filled is cut there) and the oldest ``ceil(drain half / bandwidth)`` lines
  leave, one per cycle, from the current cycle on.  They free their lanes at once, all of
  them except the idle lanes of the last line (SCALE-Sim's count);
* after the last line, what is left drains line after line from that line's cycle on.

If the buffer would fill up while a drain runs (the array would stall), this returns None
and the caller replays word by word.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

ACTIVE_FRACTION = 0.5   # SCALE-Sim keeps half of each buffer active, the other half fills or drains
SETS_PER_BUFFER = 100   # its read buffers hold their words in 1/100 of the buffer per set


@dataclass(frozen=True)
class BufferReplay:
    """What SCALE-Sim's buffers make of one layer, in its cycle numbering (line 0 = cycle 0).

    ``total_cycles`` is the cycle of the last ofmap line the array writes (its "Total
    Cycles"), ``stall_cycles`` the cycles the array waited, ``ofmap_last_write_cycle`` the
    cycle of the last ofmap DRAM write (the drains after the last line included).
    """

    total_cycles: int
    stall_cycles: int
    ofmap_last_write_cycle: int


def drain_without_stalls(words_per_line: np.ndarray, size_words: int, bandwidth_words: int) -> BufferReplay | None:
    """The ofmap buffer of ``size_words`` draining at ``bandwidth_words`` under an array that writes
    ``words_per_line[i]`` words at cycle ``i``; None if the array would have to wait for it.
    """
    drain_words = size_words - math.ceil(size_words * ACTIVE_FRACTION)
    drain_lines = -(-drain_words // bandwidth_words)
    written = np.cumsum(words_per_line)           # words written up to and including each line
    total = int(written[-1]) if written.size else 0
    pending: deque[list[int]] = deque()            # [full lines, words of the cut line] per cut
    pending_lines = 0
    occupied = 0      # words written minus words freed (SCALE-Sim may free more than was written)
    last_word = 0     # words written at the last drain
    drain_end = 0
    drained_once = False
    while True:
        # Words written while the last drain runs (cycles before drain_end); words count from 1.
        during_drain = int(written[min(drain_end, written.size) - 1]) if drain_end > 0 else 0
        if drained_once and occupied + during_drain - last_word >= size_words:
            return None  # full while draining: the array stalls, which only the full replay follows
        # The next drain starts at the first word that overfills the drain half once no drain runs.
        word = max(last_word + 1, last_word + drain_words + 1 - occupied, during_drain + 1)
        if word > total:
            break
        line = int(np.searchsorted(written, word))
        occupied += word - last_word
        cut = word - last_word
        pending.append([cut // bandwidth_words, cut % bandwidth_words])
        pending_lines += cut // bandwidth_words + (1 if cut % bandwidth_words else 0)
        count = min(drain_lines, pending_lines)
        occupied -= (count - 1) * bandwidth_words + _pop_lines(pending, count, bandwidth_words)
        pending_lines -= count
        drain_end = line + count - 1
        drained_once = True
        last_word = word
    cut = total - last_word
    left = pending_lines + cut // bandwidth_words + (1 if cut % bandwidth_words else 0)
    last_line = words_per_line.size - 1
    last_write = drain_end if drained_once else -1
    if left > 0:
        last_write = max(last_write, last_line + left - 1)
    return BufferReplay(total_cycles=last_line, stall_cycles=0, ofmap_last_write_cycle=last_write)


def _pop_lines(pending: deque[list[int]], count: int, bandwidth_words: int) -> int:
    """Remove the oldest ``count`` lines; the words of the last one removed."""
    last = 0
    while count > 0:
        segment = pending[0]
        if segment[0] > 0:
            taken = min(count, segment[0])
            segment[0] -= taken
            count -= taken
            last = bandwidth_words
        elif segment[1] > 0:
            last = segment[1]
            segment[1] = 0
            count -= 1
        if segment[0] == 0 and segment[1] == 0:
            pending.popleft()
    return last
