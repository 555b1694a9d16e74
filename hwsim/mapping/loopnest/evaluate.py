"""Compiled cost model of loop-nest mappings, evaluated in batches.

A batch is ``n`` mappings of one layer onto one target:

- ``factors[i, l, d]``: temporal loop bound of dimension ``d`` at level ``l``;
- ``spatial[i, d]``: unrolling of ``d`` across the PE array;
- ``orders[i, l, j]``: the dimension of the ``j``-th loop of level ``l``, innermost first;
- ``cuts[i, x, l]``: how many of level ``l + 1``'s loops (innermost first, by ``orders``)
  operand ``x``'s tile at level ``l`` also spans.  0 everywhere is one cut per level; a
  positive value moves that operand's cut outward alone (an "uneven" mapping: the weights
  may leave the SRAM after one loop while the inputs and outputs stay for the whole layer).

Per operand, a tile held at level ``a`` is refetched from the next level up that holds the
operand once per iteration of the loops above its cut at ``a``, except the innermost run of
loops that do not touch it (the tile stays resident across them).  The PE array consumes,
each cycle, one word of every distinct operand element its spatial unrolling needs (inputs
and weights are multicast, partial sums reduced along the array).  Energy is accesses times
the per-access energies plus MACs times the MAC energy.

Latency is the longest of these paths.  They count whole tiles (a tile moves before the
loops that use it start, as ZigZag's on-loading does), so the head is not a lower bound on a
machine that streams a tile into its first use:

- the compute path: the first tile of every input operand comes down the hierarchy before the
  first MAC (the head), then every MAC (temporal iterations times the PE's cycles per MAC),
  then the last output tile goes up (the drain).  An operand with no room for a second copy of
  its tile at a level (not double-buffered, and the copy does not fit beside everything the
  level holds, or not in the operand's own part) cannot load its next tile there while the
  current one is used, so its refills add to this path too (each operand is judged alone: two
  operands that each fit a second copy are assumed to fit both);
- each shared level's traffic over its bandwidth, except that while the first tiles of the
  operands it holds come down to it, and the last output tile goes up from it, it runs at the
  pace of the slower levels above.

Invalid mappings (tiles over capacity, unrolling over the array, cuts out of range) get
``valid = False``.
"""

from __future__ import annotations

import numpy as np
from hwsim.jit import njit

W, I, O = 0, 1, 2


@njit(cache=True)
def operand_size(x, n, k, c, p, q, r, s, g, window):
    """Words of operand ``x`` for extents (N, K, C, P, Q, R, S, G); inputs include the halo.

    ``window`` is (stride rows, stride cols, dilation rows, dilation cols).
    """
    if x == W:
        return g * k * c * r * s
    if x == I:
        return g * n * c * _lines(p, r, window[0], window[2]) * _lines(q, s, window[1], window[3])
    return g * n * k * p * q


@njit(cache=True)
def _lines(outputs, taps, stride, dilation):
    """Input lines ``outputs`` windows of ``taps`` taps read: the span, or fewer when windows
    leave gaps (a 1x1 stride-2 convolution reads every other line)."""
    span = (outputs - 1) * stride + (taps - 1) * dilation + 1
    return min(span, outputs * taps)


@njit(cache=True)
def _tile(x, dims, window):
    return operand_size(x, dims[0], dims[1], dims[2], dims[3], dims[4], dims[5], dims[6], dims[7], window)


@njit(cache=True)
def evaluate_batch(bounds, window, scale, factors, spatial, orders, cuts, relevance, holds, capacity, partition,
                   double, e_read, e_write, bandwidth, mac_energy_pj, rows, cols, row_mask, col_mask, mac_cycles=1.0,
                   share_halo=True):
    """Latency (cycles), energy (pJ), validity and compute path (cycles) of every mapping in the batch.

    ``scale[x]`` is how many of the target's words one element of operand ``x`` fills (its
    width over the word's): capacities, traffic and access energies are in words.
    ``partition[l, x]`` is the words of level ``l`` only operand ``x`` may use (inf where
    the level is one shared buffer); ``e_read[l, x]``/``e_write[l, x]`` are the energies
    of one word of operand ``x`` at level ``l``.  ``share_halo``: PEs whose input windows
    overlap get the shared inputs in one multicast word; when False every PE gets its own
    copy (the array's inputs are its unrolled dimensions' product).  ``cuts`` (n, 3,
    levels - 1): see the module's docstring; a cut of an operand at a level that does not
    hold it must be 0.  The compute path (head, MACs, exposed refills, drain) is the
    latency where no level's bandwidth binds; the search breaks ties on it.
    """
    n, levels, ndim = factors.shape
    latency = np.empty(n, dtype=np.float64)
    path = np.empty(n, dtype=np.float64)
    energy = np.empty(n, dtype=np.float64)
    valid = np.ones(n, dtype=np.bool_)
    cum = np.empty((levels, ndim), dtype=np.float64)
    span = np.empty(ndim, dtype=np.float64)
    tiles = np.empty((3, levels), dtype=np.float64)  # elements of each operand's tile at each level
    reads = np.empty((levels, 3), dtype=np.float64)  # per level and operand
    writes = np.empty((levels, 3), dtype=np.float64)
    head_from = np.empty((3, levels), dtype=np.float64)  # cycles of each operand's first tile out of each level
    head_into = np.empty(levels, dtype=np.float64)  # words of first tiles written into each level
    drain_from = np.empty(levels, dtype=np.float64)  # cycles of the last output tile out of each level
    drain_out = np.empty(levels, dtype=np.float64)  # words of last output tiles read out of each level
    sp = np.empty(ndim, dtype=np.float64)
    room = np.ones((3, levels), dtype=np.bool_)
    macs = 1.0
    for d in range(ndim):
        macs *= bounds[d]
    out_total = _tile(O, bounds.astype(np.float64), window)
    for i in range(n):
        ok = True
        rp = 1.0
        cp = 1.0
        for d in range(ndim):
            sp[d] = spatial[i, d]
            if row_mask[d]:
                rp *= sp[d]
            elif col_mask[d]:
                cp *= sp[d]
            elif sp[d] != 1:
                ok = False
            prod = sp[d]
            for l in range(levels):
                prod *= factors[i, l, d]
            if prod != bounds[d]:
                ok = False
        if rp > rows or cp > cols:
            ok = False
        for d in range(ndim):
            acc = 1.0
            for l in range(levels):
                acc *= factors[i, l, d]
                cum[l, d] = acc * (sp[d] if l >= 1 else 1.0)
        for x in range(3):
            for l in range(levels - 1):  # the top level's tiles are never asked for
                extra = cuts[i, x, l]
                if not holds[l, x]:
                    if extra != 0:
                        ok = False
                    continue
                if extra == 0:
                    tiles[x, l] = _tile(x, cum[l], window)
                    continue
                if extra < 0 or extra > ndim:
                    ok = False
                    extra = 0
                for d in range(ndim):
                    span[d] = cum[l, d]
                for j in range(extra):
                    d = orders[i, l + 1, j]
                    span[d] *= factors[i, l + 1, d]
                tiles[x, l] = _tile(x, span, window)
        for l in range(levels - 1):
            used = 0.0
            copies = 2.0 if double[l] else 1.0
            for x in range(3):
                if holds[l, x]:
                    words = tiles[x, l] * scale[x] * copies
                    used += words
                    if words > partition[l, x]:
                        ok = False
            if used > capacity[l]:
                ok = False
            # an operand's next tile can come in while its current one is used only where a
            # second copy of it fits beside everything the level holds (and in its own part)
            for x in range(3):
                words = tiles[x, l] * scale[x]
                room[x, l] = double[l] or not holds[l, x] or (
                    2.0 * words <= partition[l, x] and used + words <= capacity[l])
        compute = 1.0
        for l in range(levels):
            for d in range(ndim):
                compute *= factors[i, l, d]
        reads[:] = 0.0
        writes[:] = 0.0
        head_from[:] = 0.0
        head_into[:] = 0.0
        drain_from[:] = 0.0
        drain_out[:] = 0.0
        head = 0.0
        drain = 0.0
        exposed = 0.0
        for x in range(3):
            lowest = -1
            for l in range(levels):
                if holds[l, x]:
                    lowest = l
                    break
            per_cycle = _tile(x, sp, window)
            if x == I and not share_halo:
                per_cycle = sp[0] * sp[2] * sp[3] * sp[4] * sp[5] * sp[6] * sp[7]
            s = scale[x]
            if lowest == 0:
                touches = macs * s
            else:
                touches = compute * per_cycle * s
            reads[lowest, x] += touches
            if x == O:
                writes[lowest, x] += touches
            a = lowest
            while a < levels - 1:
                b = a + 1
                while not holds[b, x]:
                    b += 1
                fills = 1.0
                seen = False
                first = cuts[i, x, a]  # the loops of level a + 1 that x's cut at a spans are inside its tile
                if first < 0:
                    first = 0
                for m in range(a + 1, levels):
                    for j in range(first, ndim):
                        d = orders[i, m, j]
                        f = factors[i, m, d]
                        if f == 1:
                            continue
                        if relevance[x, d]:
                            seen = True
                        if seen:
                            fills *= f
                    first = 0
                tile = tiles[x, a] * (per_cycle if a == 0 else 1.0)
                words = fills * tile
                moved = tile * s  # one tile, in words
                # one tile crosses from b to a at the rate of the slower of the two (level 0's is the PE's own)
                per_word = 1.0 / (bandwidth[b] if a == 0 or bandwidth[a] > bandwidth[b] else bandwidth[a])
                step = moved * per_word
                if x == O:
                    first_words = (out_total if words > out_total else words) * s
                    words *= s
                    writes[b, x] += words
                    reads[b, x] += words - first_words
                    reads[a, x] += words
                    writes[a, x] += words - first_words
                    drain += step
                    drain_from[a] += step
                    drain_out[a] += moved
                    if not room[x, a]:  # every write-back but the last, and every read-back
                        exposed += (2.0 * words - first_words - moved) * per_word
                else:
                    words *= s
                    reads[b, x] += words
                    writes[a, x] += words
                    head += step
                    head_from[x, b] += step
                    head_into[a] += moved
                    if not room[x, a]:  # every fill but the first
                        exposed += (words - moved) * per_word
                a = b
        e = macs * mac_energy_pj
        # the compute path: first tiles in, every MAC and every refill the level cannot hide, last tile out
        lat = head + compute * mac_cycles + exposed + drain
        path[i] = lat
        for l in range(levels):
            words = 0.0
            for x in range(3):
                e += reads[l, x] * e_read[l, x] + writes[l, x] * e_write[l, x]
                words += reads[l, x] + writes[l, x]
            if l >= 1:
                # the level's own traffic, except while first tiles come down to it and last ones go up
                # from it at a slower level's pace (the words it moves then are in those transfers' time)
                t = (words - head_into[l] - drain_out[l]) / bandwidth[l]
                # only the operands the level holds: another operand's first tile moving between
                # other levels leaves this one free
                for x in range(3):
                    if holds[l, x]:
                        for b in range(l + 1, levels):
                            t += head_from[x, b]
                if holds[l, O]:
                    for b in range(l, levels):
                        t += drain_from[b]
                if t > lat:
                    lat = t
        latency[i] = lat
        energy[i] = e
        valid[i] = ok
    return latency, energy, valid, path
