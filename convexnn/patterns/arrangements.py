"""Hyperplane-arrangement patterns D = diag(1[X~ g >= 0]).

Mathematics: docs/arrangements.md and docs/sampling-and-geometric-algebra.md.

``X~`` is the data with a ones column appended when ``bias`` is true. The set of patterns
{1[X~ g >= 0] : g in R^d} is the vocabulary of the convex program: one pair of blocks per pattern.

Exact enumeration works for data of rank r <= 3 (2-D data with bias, 1-D data with bias, 2-D or
3-D data without bias). It is a sweep over great circles (docs/arrangements.md): for every distinct
hyperplane ("class" of parallel rows) the circle {g : n_c^T g = 0} is walked once; the other
hyperplanes cross it at vertices, and between two vertices lies an arc that is an edge of exactly
two cells (one on each side). A running Zobrist hash (XOR of 64-bit keys of the active points)
is updated at each vertex, so each pivot costs O(n log n) and the whole sweep O(n^2 log n).
Every cell has an edge, so every cell is found; the edge also gives the cell its facets, which
the fast solver uses to project onto the cone K_i = {u : (2 D_i - I) X~ u >= 0}.
Collinear triples, duplicate points and antipodal rows (no bias) are handled: collinear points
meet at one vertex, duplicates share a class, and patterns that only exist on a boundary (two
antipodal rows both active) are emitted with ``full_hrep`` set, since their cone is not
full-dimensional.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import comb, e

import numpy as np

from ..data.validate import MAX_ENTRIES, as_count, as_matrix
from .sweep import ARC_CELL as _ARC_CELL  # variants of an emitted pattern
from .sweep import ARC_ON as _ARC_ON
from .sweep import CELL_NEG as _CELL_NEG
from .sweep import CELL_POS as _CELL_POS
from .sweep import VERTEX_ON as _VERTEX_ON
from .sweep import SweepRecord, record_from_circles

_ANGLE_TOL = 1e-11
_PARALLEL_TOL = 1e-12
_RANK_TOL = 1e-10
MAX_EXACT_POINTS = 2500
MAX_COUNT_POINTS = 10_000
"""Most points :func:`count_patterns` counts for (O(n^2 log n): about 2 minutes at the limit)."""
MAX_SAMPLES = 1_000_000
"""Most sampled directions k of :func:`gaussian_patterns` and :func:`geometric_algebra_patterns`
(and n * k is at most ``validate.MAX_ENTRIES``)."""


def lift(X: np.ndarray, bias: bool = True) -> np.ndarray:
    """Return X~ = [X, 1] when ``bias`` is true, else X, as a float array (n, d~)."""
    X = as_matrix(X, "X")
    return np.hstack([X, np.ones((X.shape[0], 1))]) if bias else X


def reduce_rank(Xt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Write X~ = Z Q^T with Q (d~, r) orthonormal and r = rank(X~); Q = I when X~ has full rank.

    Patterns and cones depend only on Z, and optimal blocks lie in range(Q), so solvers work
    with w in R^r and map back u = Q w (the norms agree since Q has orthonormal columns).
    """
    d = Xt.shape[1]
    scale = np.abs(Xt).max()
    if scale == 0:
        return Xt[:, :0], np.zeros((d, 0))
    _, s, vt = np.linalg.svd(Xt / scale, full_matrices=False)
    r = int(np.sum(s > _RANK_TOL * s[0] * max(Xt.shape)))
    if r == d:
        return Xt, np.eye(d)
    Q = vt[:r].T
    return Xt @ Q, Q


@dataclass
class Arrangement:
    """All patterns of the data, with the facets of each pattern's cone.

    Attributes:
        patterns: (P, n) bool, distinct, in descending lexicographic order (point 0 is the most
            significant bit), so the all-ones pattern comes first and the all-zeros one last.
        basis: Q (d~, r); the reduced data are Z = X~ Q.
        facet_ptr, facet_normals: the cone of pattern i is {w in R^r : a^T w >= 0} for the rows a
            of ``facet_normals[facet_ptr[i]:facet_ptr[i+1]]`` (irredundant, up to duplicates).
        full_hrep: (P,) bool; True where no facet list is known (boundary-only patterns, rank 1),
            so the cone must be taken with all n rows of (2 D_i - I) Z.
        complete: True when ``patterns`` are all the patterns of the data (exact enumeration).
        sweep: where the enumeration found each pattern (:mod:`convexnn.patterns.sweep`), for
            incremental pattern vectors; None for other pattern sets and subsets.
    """

    patterns: np.ndarray
    basis: np.ndarray
    facet_ptr: np.ndarray
    facet_normals: np.ndarray
    full_hrep: np.ndarray
    complete: bool = False
    sweep: SweepRecord | None = None

    @property
    def count(self) -> int:
        return int(self.patterns.shape[0])

    def facets(self, i: int) -> np.ndarray:
        return self.facet_normals[self.facet_ptr[i] : self.facet_ptr[i + 1]]

    def index_of(self, patterns: np.ndarray) -> np.ndarray:
        """Index of each given pattern in ``self.patterns`` (-1 where it is not a pattern).

        By hashing: the Zobrist hash h(q) = XOR of the keys of q's active points
        (:func:`pattern_hashes`) is looked up among the patterns' sorted hashes (memoized), and
        a hit is confirmed by comparing the rows, so the answer is exact (a pattern whose hash
        another pattern shares, about P^2 / 2^65 of them, would be reported -1).
        """
        query = np.atleast_2d(np.asarray(patterns, dtype=bool))
        if query.shape[1] != self.patterns.shape[1]:
            raise ValueError("patterns must have one entry per data point")
        out = np.full(query.shape[0], -1)
        if self.count == 0 or query.shape[0] == 0:
            return out
        sorted_h, order = self._hash_index()
        h = pattern_hashes(query)
        pos = np.searchsorted(sorted_h, h).clip(0, order.size - 1)
        hit = np.flatnonzero(sorted_h[pos] == h)
        for lo in range(0, hit.size, _MATCH_CHUNK):
            part = hit[lo : lo + _MATCH_CHUNK]
            cand = order[pos[part]]
            same = np.all(self.patterns[cand] == query[part], axis=1)
            out[part[same]] = cand[same]
        return out

    def _hash_index(self) -> tuple[np.ndarray, np.ndarray]:
        """(sorted hashes, order) of the patterns, memoized (the enumeration presets it)."""
        cached = getattr(self, "_hashes", None)
        if cached is None or cached[1].size != self.count:
            h = pattern_hashes(self.patterns)
            order = np.argsort(h, kind="stable")
            cached = self._hashes = (h[order], order)
        return cached

    def subset(self, idx: np.ndarray) -> Arrangement:
        """The arrangement restricted to the patterns ``idx`` (in that order)."""
        idx = np.asarray(idx, dtype=int)
        counts = np.diff(self.facet_ptr)[idx]
        ptr = np.concatenate([[0], np.cumsum(counts)])
        rows = ragged_rows(self.facet_ptr, idx)
        return Arrangement(
            self.patterns[idx], self.basis, ptr, self.facet_normals[rows], self.full_hrep[idx]
        )


def ragged_rows(ptr: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """The concatenated row indices ptr[i]:ptr[i+1] of every i in ``idx`` (a ragged array's rows)."""
    starts, counts = ptr[idx], ptr[idx + 1] - ptr[idx]
    if counts.sum() == 0:
        return np.zeros(0, dtype=int)
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    return np.arange(counts.sum()) + offsets


_MATCH_CHUNK = 16384


@lru_cache(maxsize=8)
def _byte_table(n: int) -> np.ndarray:
    """(ceil(n/8), 256) uint64: entry [b, v] is the XOR of the keys of the points 8b..8b+7 whose
    bits are set in the byte v (np.packbits order: the first point is the high bit)."""
    nb = -(-n // 8)
    keys = np.zeros(nb * 8, dtype=np.uint64)
    keys[:n] = _point_keys(n)
    K = keys.reshape(nb, 8)
    v = np.arange(256)
    table = np.zeros((nb, 256), dtype=np.uint64)
    for t in range(8):
        table ^= np.where(((v >> (7 - t)) & 1)[None, :] == 1, K[:, t : t + 1], np.uint64(0))
    return table


def pattern_hashes(patterns: np.ndarray) -> np.ndarray:
    """The Zobrist hash h(q) = XOR_{k : q_k = 1} key_k of each row q, (P,) uint64: the running
    hash of the enumeration's sweep. Rows are packed to bytes and hashed by one 256-entry table
    per byte (n/8 lookups per row), in chunks."""
    patterns = np.atleast_2d(np.asarray(patterns, dtype=bool))
    table = _byte_table(patterns.shape[1])
    cols = np.arange(table.shape[0])
    out = np.empty(patterns.shape[0], dtype=np.uint64)
    for lo in range(0, patterns.shape[0], _MATCH_CHUNK):
        packed = np.packbits(patterns[lo : lo + _MATCH_CHUNK], axis=1)
        out[lo : lo + _MATCH_CHUNK] = np.bitwise_xor.reduce(table[cols, packed], axis=1)
    return out


def pattern_keys(patterns: np.ndarray) -> np.ndarray:
    """One hashable byte string per row (packed bits), as a 1-D void array."""
    packed = np.packbits(np.ascontiguousarray(patterns, dtype=bool), axis=1)
    return packed.view(np.dtype((np.void, packed.shape[1]))).ravel()


def match_patterns(reference: np.ndarray, query: np.ndarray) -> np.ndarray:
    """For each row of ``query`` its row index in ``reference`` or -1 (both (., n) bool)."""
    query = np.atleast_2d(np.asarray(query, dtype=bool))
    if query.shape[1] != reference.shape[1]:
        raise ValueError("patterns must have one entry per data point")
    ref_keys, q_keys = pattern_keys(reference), pattern_keys(query)
    order = np.argsort(ref_keys)
    pos = np.searchsorted(ref_keys[order], q_keys).clip(0, len(order) - 1)
    found = ref_keys[order][pos] == q_keys
    return np.where(found, order[pos], -1)


def sort_patterns(patterns: np.ndarray) -> np.ndarray:
    """Distinct rows in descending lexicographic order (row order of :func:`exact_patterns`)."""
    patterns = np.asarray(patterns, dtype=bool)
    if patterns.shape[0] == 0:
        return patterns
    keys = pattern_keys(patterns)
    _, first = np.unique(keys, return_index=True)
    return patterns[first[::-1]]


# --------------------------------------------------------------------------------------------
# Classes of parallel rows
# --------------------------------------------------------------------------------------------


def _classes(Z: np.ndarray, affine: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group the nonzero rows of Z into classes of parallel rows (up to sign).

    Returns (cls, sigma, normals): the class of each row (-1 for zero rows), the sign of each row
    relative to its class normal, and the unit normals (N, r). With ``affine`` (a bias column of
    ones), rows are parallel only when equal, which is decided exactly.
    """
    n, r = Z.shape
    norms = np.linalg.norm(Z, axis=1)
    nonzero = norms > _PARALLEL_TOL * max(norms.max(), 1e-300)
    cls = np.full(n, -1)
    sigma = np.ones(n)
    idx = np.flatnonzero(nonzero)
    if idx.size == 0:
        return cls, sigma, np.zeros((0, r))
    if affine:
        _, first, inv = np.unique(Z[idx], axis=0, return_index=True, return_inverse=True)
        order = np.argsort(first)  # classes numbered by first appearance
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        cls[idx] = rank[inv.ravel()]
        reps = idx[first[order]]
        return cls, sigma, Z[reps] / norms[reps, None]
    dirs = Z[idx] / norms[idx, None]
    assigned = np.full(idx.size, -1)
    normals = []
    for k in range(idx.size):
        if assigned[k] >= 0:
            continue
        dots = dirs[k:] @ dirs[k]
        resid = np.linalg.norm(dirs[k:] - np.outer(np.sign(dots), dirs[k]), axis=1)
        members = np.flatnonzero((resid <= 1e-9) & (assigned[k:] < 0)) + k
        assigned[members] = len(normals)
        sigma[idx[members]] = np.sign(dots[members - k])
        normals.append(dirs[k])
    cls[idx] = assigned
    return cls, sigma, np.array(normals)


def _class_keys(cls, sigma, n_classes, point_keys):
    kp = np.zeros(n_classes, dtype=np.uint64)
    km = np.zeros(n_classes, dtype=np.uint64)
    pos = (cls >= 0) & (sigma > 0)
    neg = (cls >= 0) & (sigma < 0)
    np.bitwise_xor.at(kp, cls[pos], point_keys[pos])
    np.bitwise_xor.at(km, cls[neg], point_keys[neg])
    zero_key = np.bitwise_xor.reduce(point_keys[cls < 0]) if np.any(cls < 0) else np.uint64(0)
    return kp, km, np.uint64(zero_key)


# --------------------------------------------------------------------------------------------
# The circle sweep
# --------------------------------------------------------------------------------------------


@dataclass
class _Circle:
    """Events of the classes ``others`` on one great circle, grouped into m vertices."""

    others: np.ndarray  # class ids crossing the circle
    entry: np.ndarray  # vertex id where each class becomes positive
    exit: np.ndarray  # vertex id where each class becomes negative
    m: int  # number of vertices
    ev_vertex: np.ndarray  # vertex id of each sorted event
    ev_class: np.ndarray  # class id of each sorted event
    ev_entry: np.ndarray  # True for entry events
    starts: np.ndarray  # first event index of each vertex


def _sweep_circle(alpha: np.ndarray, beta: np.ndarray, others: np.ndarray) -> _Circle:
    """Sort the sign changes of alpha cos t + beta sin t (one per class, two per turn)."""
    phi = np.arctan2(beta, alpha)
    ang = np.concatenate([phi - np.pi / 2, phi + np.pi / 2]) % (2 * np.pi)
    s = np.sort(ang)
    gaps = np.diff(np.concatenate([s, [s[0] + 2 * np.pi]]))
    g = int(np.argmax(gaps))
    start = s[g] + gaps[g] / 2  # the largest gap holds no vertex; begin there
    ang = (ang - start) % (2 * np.pi)
    k = others.size
    cls_ev = np.concatenate([others, others])
    is_entry = np.concatenate([np.ones(k, bool), np.zeros(k, bool)])
    order = np.argsort(ang, kind="stable")
    a = ang[order]
    new = np.concatenate([[True], np.diff(a) > _ANGLE_TOL])
    ev_vertex = np.cumsum(new) - 1
    vid = np.empty(2 * k, dtype=int)
    vid[order] = ev_vertex
    return _Circle(
        others=others,
        entry=vid[:k],
        exit=vid[k:],
        m=int(ev_vertex[-1]) + 1,
        ev_vertex=ev_vertex,
        ev_class=cls_ev[order],
        ev_entry=is_entry[order],
        starts=np.flatnonzero(new),
    )


def _positive_on_arcs(circle: _Circle, arcs: np.ndarray) -> np.ndarray:
    """(len(arcs), len(others)) bool: class positive on arc j (between vertices j and j+1)."""
    j = arcs[:, None]
    e, x = circle.entry[None, :], circle.exit[None, :]
    # e < x: e <= j < x, i.e. (j >= e) xor (j >= x); e > x (wraps): the complement of x <= j < e
    return (j >= e) ^ (j >= x) ^ (e > x)


def _circle_hashes(circle: _Circle, kp, km, base_key):
    """Hashes of the others' active points on every arc and at every vertex."""
    init_pos = circle.exit < circle.entry  # positive on the wrap arc m-1
    h0 = base_key ^ np.bitwise_xor.reduce(np.where(init_pos, kp[circle.others], km[circle.others]))
    flip = np.bitwise_xor.reduceat(kp[circle.ev_class] ^ km[circle.ev_class], circle.starts)
    arc = h0 ^ np.bitwise_xor.accumulate(flip)
    gain = np.where(circle.ev_entry, kp[circle.ev_class], km[circle.ev_class])
    vertex = np.roll(arc, 1) ^ np.bitwise_xor.reduceat(gain, circle.starts)
    return arc, vertex


def _orthonormal_complement(n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors a, b with a, b, n orthonormal and a x b = n (n a unit vector in R^3)."""
    helper = np.eye(3)[np.argmin(np.abs(n))]
    a = np.cross(n, helper)
    a /= np.linalg.norm(a)
    return a, np.cross(n, a)


# --------------------------------------------------------------------------------------------
# Enumeration
# --------------------------------------------------------------------------------------------


def _point_keys(n: int) -> np.ndarray:
    return np.random.default_rng(20250214).integers(1, 2**63, size=n, dtype=np.uint64) * np.uint64(
        2
    ) + np.uint64(1)


class _Emitted:
    """Collects emitted pattern hashes with what is needed to rebuild them."""

    def __init__(self) -> None:
        self.hashes, self.pivot, self.index, self.variant = [], [], [], []
        self.facet_hash, self.facet_normal = [], []

    def add(self, hashes, pivot, index, variant) -> None:
        hashes = np.asarray(hashes, dtype=np.uint64)
        self.hashes.append(hashes)
        self.pivot.append(np.full(hashes.size, pivot))
        self.index.append(np.broadcast_to(np.asarray(index), hashes.shape).astype(int))
        self.variant.append(np.full(hashes.size, variant))

    def add_facets(self, hashes, normals) -> None:
        self.facet_hash.append(np.asarray(hashes, dtype=np.uint64))
        self.facet_normal.append(np.asarray(normals))

    def unique(self):
        h = np.concatenate(self.hashes)
        variant = np.concatenate(self.variant)
        order = np.lexsort((variant, h))  # for a repeated hash keep a cell variant
        h_sorted = h[order]
        first = order[np.concatenate([[True], h_sorted[1:] != h_sorted[:-1]])]
        return (
            h[first],
            np.concatenate(self.pivot)[first],
            np.concatenate(self.index)[first],
            variant[first],
        )


def _bits_from_states(states: np.ndarray, cls: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Point bits from class states (+1 positive side, -1 negative side, 0 on the hyperplane)."""
    s = np.where(cls >= 0, states[:, np.maximum(cls, 0)], 0)
    return (s * sigma > 0) | (s == 0)


def _rank3(Z, cls, sigma, normals, kp, km, zero_key, affine, emitted, keep_circles):
    N = normals.shape[0]
    circles = []
    both = (kp != 0) & (km != 0)
    for c in range(N):
        a, b = _orthonormal_complement(normals[c])
        others = np.delete(np.arange(N), c)
        circle = _sweep_circle(normals[others] @ a, normals[others] @ b, others)
        arc, vertex = _circle_hashes(circle, kp, km, zero_key)
        j = np.arange(circle.m)
        emitted.add(arc ^ kp[c], c, j, _CELL_POS)
        emitted.add(arc ^ km[c], c, j, _CELL_NEG)
        emitted.add_facets(arc ^ kp[c], np.repeat(normals[c][None], circle.m, 0))
        emitted.add_facets(arc ^ km[c], np.repeat(-normals[c][None], circle.m, 0))
        if both[c]:
            emitted.add(arc ^ kp[c] ^ km[c], c, j, _ARC_ON)
        if not affine:
            emitted.add(vertex ^ kp[c] ^ km[c], c, j, _VERTEX_ON)
        circles.append(circle if keep_circles else None)
    return circles


def _side_columns(cls: np.ndarray, sigma: np.ndarray, N: int) -> np.ndarray:
    """For each row, its column in a class-side table (rows x (2N + 1), bool): column c holds
    "class c's positive side is active", N + c its negative side, 2N is always True (zero rows)."""
    return np.where(cls < 0, 2 * N, np.where(sigma > 0, cls, N + cls))


def _rank3_bits(circles, pivots, index, variant, cls, sigma, N) -> np.ndarray:
    """Packed point bits (np.packbits of each row, (P, ceil(n/8)) uint8) of the emitted patterns.

    Per pivot circle, a boolean class-side table: an other class on its positive side (state +1)
    activates its positive rows, on its negative side its negative rows, on the hyperplane (at a
    vertex, or the pivot of an on-arc pattern) both; one gather maps sides to points. When every
    row is its own class on its positive side (distinct points with bias) the table's first half
    is already the bits."""
    n = cls.size
    col = _side_columns(cls, sigma, N)
    identity = N == n and np.array_equal(col, np.arange(n))
    out = np.empty((pivots.size, -(-n // 8)), dtype=np.uint8)
    order = np.argsort(pivots, kind="stable")
    bounds = np.searchsorted(pivots[order], np.arange(N + 1))
    for c in range(N):
        rows = order[bounds[c] : bounds[c + 1]]
        if rows.size == 0:
            continue
        circle = circles[c]
        v = variant[rows]
        arcs = np.where(v == _VERTEX_ON, (index[rows] - 1) % circle.m, index[rows])
        side = np.zeros((rows.size, N if identity else 2 * N + 1), dtype=bool)
        pos = _positive_on_arcs(circle, arcs)
        side[:, circle.others] = pos
        side[:, c] = v != _CELL_NEG
        if not identity:
            side[:, N + circle.others] = ~pos
            side[:, N + c] = v != _CELL_POS
            side[:, 2 * N] = True
        for r in np.flatnonzero(v == _VERTEX_ON):
            j = index[rows[r]]
            lo = circle.starts[j]
            hi = circle.starts[j + 1] if j + 1 < circle.m else circle.ev_class.size
            side[r, circle.ev_class[lo:hi]] = True
            if not identity:
                side[r, N + circle.ev_class[lo:hi]] = True
        out[rows] = np.packbits(side if identity else side[:, col], axis=1)
    return out


def _rank2(cls, sigma, normals, kp, km, zero_key, emitted):
    N = normals.shape[0]
    others = np.arange(N)
    circle = _sweep_circle(normals[:, 0], normals[:, 1], others)
    arc, vertex = _circle_hashes(circle, kp, km, zero_key)
    j = np.arange(circle.m)
    emitted.add(arc, 0, j, _ARC_CELL)
    emitted.add(vertex, 0, j, _VERTEX_ON)
    # facets of arc j: the classes at its two end vertices (j and j+1), oriented by their
    # state on arc j; an event at vertex v bounds arcs v and v - 1
    ev_arcs = np.concatenate([circle.ev_vertex, (circle.ev_vertex - 1) % circle.m])
    ev_cls = np.concatenate([circle.ev_class, circle.ev_class])
    col = np.searchsorted(others, ev_cls)
    sign = np.where(_positive_on_arcs(circle, j)[ev_arcs, col], 1.0, -1.0)
    emitted.add_facets(arc[ev_arcs], sign[:, None] * normals[ev_cls])
    return [circle]


def _rank2_bits(circle, index, variant, cls, sigma, N):
    v = variant
    arcs = np.where(v == _VERTEX_ON, (index - 1) % circle.m, index)
    states = np.where(_positive_on_arcs(circle, arcs), 1.0, -1.0)
    for r in np.flatnonzero(v == _VERTEX_ON):
        j = index[r]
        lo = circle.starts[j]
        hi = circle.starts[j + 1] if j + 1 < circle.m else circle.ev_class.size
        states[r, circle.ev_class[lo:hi]] = 0.0
    return _bits_from_states(states, cls, sigma)


def arrangement(X: np.ndarray, bias: bool = True) -> Arrangement:
    """Enumerate every pattern of X~ (rank <= 3) with the facets of its cone.

    Cost O(n^2 log n) time and O(P n) memory for the P patterns; n = 400 points with bias give
    about 160,000 patterns. Raises ``ValueError`` for rank > 3 (use sampling there).
    """
    Xt = lift(X, bias)
    n = Xt.shape[0]
    if n > MAX_EXACT_POINTS:
        raise ValueError(
            f"exact enumeration is limited to {MAX_EXACT_POINTS} points (got {n}); "
            "use count_patterns or sampled patterns"
        )
    Z, Q = reduce_rank(Xt)
    r = Z.shape[1]
    if r > 3:
        raise ValueError(
            f"exact enumeration needs data of rank <= 3 after the bias column (rank is {r}); "
            "use gaussian_patterns or geometric_algebra_patterns"
        )
    affine = bias and r == Xt.shape[1]
    cls, sigma, normals = _classes(Z, affine)
    N = normals.shape[0]
    if r <= 1 or N <= 1:
        return _low_rank_arrangement(Z, Q)
    kp, km, zero_key = _class_keys(cls, sigma, N, _point_keys(n))
    emitted = _Emitted()
    if r == 2:
        circles = _rank2(cls, sigma, normals, kp, km, zero_key, emitted)
    else:
        circles = _rank3(Z, cls, sigma, normals, kp, km, zero_key, affine, emitted, True)
    hashes, pivot, index, variant = emitted.unique()
    if r == 2:
        bits = np.packbits(_rank2_bits(circles[0], index, variant, cls, sigma, N), axis=1)
    else:
        bits = _rank3_bits(circles, pivot, index, variant, cls, sigma, N)
    is_cell = np.isin(variant, (_CELL_POS, _CELL_NEG, _ARC_CELL))
    record = record_from_circles(circles, pivot, index, variant, cls, sigma, N, pivoted=r == 3)
    return _assemble(bits, n, hashes, is_cell, emitted, Q, record)


def _unpack_rows(packed: np.ndarray, order: np.ndarray, n: int) -> np.ndarray:
    """The (len(order), n) bool rows packed[order], unpacked in chunks (no second full copy)."""
    bits = np.empty((order.size, n), dtype=bool)
    for lo in range(0, order.size, _MATCH_CHUNK):
        bits[lo : lo + _MATCH_CHUNK] = np.unpackbits(packed[order[lo : lo + _MATCH_CHUNK]], axis=1,
                                                     count=n).view(bool)
    return bits


def _assemble(packed, n, hashes, is_cell, emitted, Q, record: SweepRecord | None = None) -> Arrangement:
    """The arrangement from the packed rows of the distinct emitted patterns: sorted in
    descending lexicographic order (of the packed bytes, the same order), unpacked once."""
    ones = np.packbits(np.ones((1, n), bool), axis=1)
    extra = not np.all(packed == ones, axis=1).any()
    if extra:
        # g = 0 realizes the all-ones pattern even when no cell or face does (no bias, data in
        # no closed half-space); its cone {u : X~ u >= 0} is then a subspace or {0}
        packed = np.vstack([packed, ones])
        hashes = np.concatenate([hashes, [np.bitwise_xor.reduce(_point_keys(n))]])
        is_cell = np.concatenate([is_cell, [False]])
    packed = np.ascontiguousarray(packed)
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    order = np.argsort(keys)[::-1]  # descending lexicographic
    bits = _unpack_rows(packed, order, n)
    del packed, keys
    hashes, is_cell = hashes[order], is_cell[order]
    fh = np.concatenate(emitted.facet_hash)
    fn = np.concatenate(emitted.facet_normal)
    h_order = np.argsort(hashes)
    owner = h_order[np.searchsorted(hashes[h_order], fh)]
    f_order = np.argsort(owner, kind="stable")
    counts = np.bincount(owner, minlength=bits.shape[0])
    counts[~is_cell] = 0
    keep = is_cell[owner[f_order]]
    ptr = np.concatenate([[0], np.cumsum(counts)])
    sweep = None if record is None else record.reorder(order, extra)
    out = Arrangement(bits, Q, ptr, fn[f_order][keep], ~is_cell, complete=True, sweep=sweep)
    h_sorted = hashes[h_order]
    if h_sorted.size < 2 or np.all(h_sorted[1:] != h_sorted[:-1]):
        out._hashes = (h_sorted, h_order)  # the sweep's hashes are pattern_hashes of the rows
    return out


def _low_rank_arrangement(Z: np.ndarray, Q: np.ndarray) -> Arrangement:
    """Rank 0 or 1: at most the patterns of g > 0, g < 0 and g = 0 on the line."""
    n, r = Z.shape
    if r == 0:
        cand = [np.ones(n, bool)]
    else:
        z = Z[:, 0]
        cand = [z >= 0, z <= 0, np.ones(n, bool)]
    bits = sort_patterns(np.array(cand))
    P = bits.shape[0]
    return Arrangement(bits, Q, np.zeros(P + 1, int), np.zeros((0, r)), np.ones(P, bool), complete=True)


def exact_patterns(X: np.ndarray, bias: bool = True) -> np.ndarray:
    """Every distinct pattern 1[X~ g >= 0], g in R^d~, as a (p, n) bool array.

    Rows are distinct and in descending lexicographic order (all-ones first, all-zeros last).
    For 2-D data in general position with bias there are n^2 - n + 2 patterns; for the talk's
    X = [[3,3],[2,2],[1,0]] without bias they are 111, 110, 001, 000 (D1..D4).
    """
    return arrangement(X, bias).patterns


def count_patterns(X: np.ndarray, bias: bool = True) -> int:
    """The number of distinct patterns, without materialising them (rank <= 3).

    For data with bias (affine rank 3) it uses Euler's formula on the sphere,
    p = 2 + sum over vertices v of (m_v - 1), m_v the number of hyperplanes through v,
    computed with the same circle sweep in O(n^2 log n) and O(n) memory.
    """
    Xt = lift(X, bias)
    if Xt.shape[0] > MAX_COUNT_POINTS:
        raise ValueError(f"counting is limited to {MAX_COUNT_POINTS:,} points (got {Xt.shape[0]:,}); "
                         "cover_bound gives an upper bound")
    Z, _ = reduce_rank(Xt)
    r = Z.shape[1]
    if r > 3:
        raise ValueError(f"counting needs data of rank <= 3 after the bias column (rank is {r})")
    affine = bias and r == Xt.shape[1]
    if not (affine and r == 3):
        if Xt.shape[0] > MAX_EXACT_POINTS:
            raise ValueError(f"counting without bias is limited to {MAX_EXACT_POINTS} points")
        return arrangement(X, bias).count
    cls, _, normals = _classes(Z, affine)
    N = normals.shape[0]
    if N <= 1:
        return 2
    total = 2.0
    for c in range(N):
        a, b = _orthonormal_complement(normals[c])
        others = np.delete(np.arange(N), c)
        circle = _sweep_circle(normals[others] @ a, normals[others] @ b, others)
        g = np.diff(np.concatenate([circle.starts, [circle.ev_class.size]]))
        total += float(np.sum(g / (g + 1.0)))
    return int(round(total))


# --------------------------------------------------------------------------------------------
# Sampling and bounds
# --------------------------------------------------------------------------------------------


def gaussian_directions(d: int, k: int, seed: int | np.random.Generator = 0) -> np.ndarray:
    """k Gaussian gate vectors g ~ N(0, I) as columns (d, k): the one Gaussian gate sampler.

    ``seed`` is a seed or a generator (which then advances: a caller can draw more after it).
    """
    if int(k) < 1:
        raise ValueError("the number of samples k must be at least 1")
    return np.random.default_rng(seed).standard_normal((d, int(k)))


def gaussian_patterns(X: np.ndarray, k: int, seed: int = 0, bias: bool = True) -> np.ndarray:
    """Distinct nonzero patterns 1[X~ g >= 0] of ``k`` Gaussian directions g ~ N(0, I).

    Same row order as :func:`exact_patterns`. Small cells are hit rarely, so sampling misses
    patterns (docs/arrangements.md: 371 of 382 at n = 20 with 4e5 samples).
    """
    Xt = lift(X, bias)
    k = _check_samples(k, Xt.shape[0])
    return _distinct_nonzero((Xt @ gaussian_directions(Xt.shape[1], k, seed) >= 0).T)


def geometric_algebra_patterns(X: np.ndarray, k: int, seed: int = 0, sketch_dim: int | None = None,
                               bias: bool = True, mirror: bool = False) -> np.ndarray:
    """Distinct nonzero patterns of ``k`` geometric-algebra directions
    (docs/sampling-and-geometric-algebra.md).

    Each direction is the hyperplane through randomly chosen data points (generalized cross
    product, optionally after a sketch of dimension ``sketch_dim``), nudged so that those points
    are active; see :func:`convexnn.patterns.geometric_algebra.ga_directions`. Unlike Gaussian samples,
    these land next to vertices of the arrangement, so small cells are found as easily as big ones;
    but each draw only yields the cell where its points are active, so without ``mirror`` (also
    use -g, the reference's ``aug_sym``) at most one of the cells around each vertex is found.
    """
    from .geometric_algebra import ga_directions

    Xt = lift(X, bias)
    k = _check_samples(k, Xt.shape[0])
    G = ga_directions(np.asarray(X, dtype=float).reshape(Xt.shape[0], -1), k, seed, sketch_dim, bias)
    if mirror:
        G = np.hstack([G, -G])
    return _distinct_nonzero((Xt @ G >= 0).T)


def _check_samples(k, n: int) -> int:
    """The number of sampled directions as an int, within :data:`MAX_SAMPLES` and memory."""
    k = as_count(k, "the number of samples k", 1, MAX_SAMPLES)
    if k * n > MAX_ENTRIES:
        raise ValueError(f"{k:,} samples on {n:,} points make {k * n:,} pattern entries; the limit "
                         f"is {MAX_ENTRIES:,}: use fewer samples or points")
    return k


def _distinct_nonzero(patterns: np.ndarray) -> np.ndarray:
    patterns = sort_patterns(patterns)
    return patterns[patterns.any(axis=1)]


def cover_bound(n: int, r: int) -> float:
    """Cover's bound 2 r (e (n - 1) / r)^r on the number of patterns of n points of rank r."""
    if r <= 0 or n <= 0:
        raise ValueError("n and r must be positive")
    return float(2 * r * (e * (n - 1) / r) ** r) if n > 1 else 1.0


def general_position_count(n: int, r: int) -> int:
    """The exact count 2 * sum_{k<r} C(n-1, k) for n points of rank r in general position."""
    return 2 * sum(comb(n - 1, k) for k in range(r))
