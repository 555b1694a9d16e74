"""Compiled cost model of loop-nest mappings, evaluated in batches.

A batch is ``n`` mappings of one layer onto one target:

- ``factors[i, l, d]``: temporal loop bound of dimension ``d`` at level ``l``;
- ``spatial[i, d]``: unrolling of ``d`` across the PE array;
- ``orders[i, l, j]``: the dimension of the ``j``-th loop of level ``l``, innermost first.

Per operand, a tile held at level ``a`` is refetched from the next level up that holds the
operand once per iteration of the loops above ``a``, except the innermost run of loops that
do not touch it (the tile stays resident across them).  The PE array consumes, each cycle,
one word of every distinct operand element its spatial unrolling needs (inputs and weights
are multicast, partial sums reduced along the array).  Latency is the larger of the compute
cycles (temporal iterations times the PE's cycles per MAC) and each shared level's traffic over its bandwidth; energy is accesses times the
per-access energies plus MACs times the MAC energy.  Invalid mappings (tiles over capacity,
unrolling over the array) get ``valid = False``.
"""

from __future__ import annotations

import numpy as np
from hwsim.jit import njit

W, I, O = 0, 1, 2


@njit(cache=True)
def _operand_size(x, n, k, c, p, q, r, s, g, window):
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
    return _operand_size(x, dims[0], dims[1], dims[2], dims[3], dims[4], dims[5], dims[6], dims[7], window)


@njit(cache=True)
def evaluate_batch(bounds, window, scale, factors, spatial, orders, relevance, holds, capacity, partition, double,
                   e_read, e_write, bandwidth, mac_energy_pj, rows, cols, row_mask, col_mask, mac_cycles=1.0,
                   share_halo=True):
    """Latency (cycles), energy (pJ) and validity of every mapping in the batch.

    ``scale[x]`` is how many of the target's words one element of operand ``x`` fills (its
    width over the word's): capacities, traffic and access energies are in words.
    ``partition[l, x]`` is the words of level ``l`` only operand ``x`` may use (inf where
    the level is one shared buffer); ``e_read[l, x]``/``e_write[l, x]`` are the energies
    of one word of operand ``x`` at level ``l``.  ``share_halo``: PEs whose input windows
    overlap get the shared inputs in one multicast word; when False every PE gets its own
    copy (the array's inputs are its unrolled dimensions' product).
    """
    n, levels, ndim = factors.shape
    latency = np.empty(n, dtype=np.float64)
    energy = np.empty(n, dtype=np.float64)
    valid = np.ones(n, dtype=np.bool_)
    cum = np.empty((levels, ndim), dtype=np.float64)
    reads = np.empty((levels, 3), dtype=np.float64)  # per level and operand
    writes = np.empty((levels, 3), dtype=np.float64)
    sp = np.empty(ndim, dtype=np.float64)
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
        for l in range(levels - 1):
            used = 0.0
            copies = 2.0 if double[l] else 1.0
            for x in range(3):
                if holds[l, x]:
                    words = _tile(x, cum[l], window) * scale[x] * copies
                    used += words
                    if words > partition[l, x]:
                        ok = False
            if used > capacity[l]:
                ok = False
        compute = 1.0
        for l in range(levels):
            for d in range(ndim):
                compute *= factors[i, l, d]
        reads[:] = 0.0
        writes[:] = 0.0
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
                for m in range(a + 1, levels):
                    for j in range(ndim):
                        d = orders[i, m, j]
                        f = factors[i, m, d]
                        if f == 1:
                            continue
                        if relevance[x, d]:
                            seen = True
                        if seen:
                            fills *= f
                tile = _tile(x, cum[a], window)
                words = fills * tile * (per_cycle if a == 0 else 1.0)
                if x == O:
                    first = (out_total if words > out_total else words) * s
                    words *= s
                    writes[b, x] += words
                    reads[b, x] += words - first
                    reads[a, x] += words
                    writes[a, x] += words - first
                else:
                    reads[b, x] += words * s
                    writes[a, x] += words * s
                a = b
        e = macs * mac_energy_pj
        lat = compute * mac_cycles
        for l in range(levels):
            words = 0.0
            for x in range(3):
                e += reads[l, x] * e_read[l, x] + writes[l, x] * e_write[l, x]
                words += reads[l, x] + writes[l, x]
            if l >= 1:
                t = words / bandwidth[l]
                if t > lat:
                    lat = t
        latency[i] = lat
        energy[i] = e
        valid[i] = ok
    return latency, energy, valid
