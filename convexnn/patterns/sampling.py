"""Sampling arrangement patterns, measured against exact enumeration.

Mathematics: docs/arrangements.md and docs/sampling-and-geometric-algebra.md.

How many of the patterns D = 1[X~ g >= 0] does a sampler find with k directions g? This module
answers it for Gaussian directions and for randomized geometric-algebra (GA) directions, and
gives what is needed to *see* the answer on the sphere of directions:

- :func:`coverage`: distinct patterns found vs the number of samples k, for several seeds, from
  one run per seed (the count after the first k samples is read off the order in which new
  patterns appear), with the exact count as the ceiling and the run time of each method.
- :func:`cell_points` and :func:`cell_areas`: for data of rank 3 (2-D data with a bias column),
  one interior direction per cell of the arrangement on the sphere S^2 and the area of each cell.
  The area of a cell over 4 pi is the probability that one Gaussian direction lands in it, which is
  why Gaussian sampling misses small cells: a cell of area a is missed by k samples with
  probability (1 - a / 4 pi)^k.
- :func:`gate` and :func:`sweep_gates`: gate vectors of a line given by an angle and an offset,
  for the interactive sweep; :func:`slider_position` and :func:`slider_position_in_cell` go back
  from a gate (or a cell) to the sweep's slider position.

Everything here is vectorized; the all-zeros pattern is left out of the sampled counts (it
contributes nothing to the convex program, and the samplers of :mod:`convexnn.patterns.arrangements`
drop it too), so the ceiling is the number of nonzero exact patterns.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .arrangements import (
    Arrangement,
    arrangement,
    gaussian_directions,
    gaussian_patterns,
    geometric_algebra_patterns,
    lift,
    match_patterns,
    pattern_keys,
    reduce_rank,
)
from .geometric_algebra import ga_directions

METHODS = ("gaussian", "geometric")
METHOD_LABELS = {"gaussian": "Gaussian", "geometric": "geometric algebra", "exact": "exact"}


# --------------------------------------------------------------------------------------------
# Directions
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Coverage: distinct patterns found vs number of samples
# --------------------------------------------------------------------------------------------


def _first_seen(Xt: np.ndarray, G: np.ndarray, mirror: bool) -> tuple[np.ndarray, np.ndarray]:
    """(first sample index of each distinct nonzero pattern, those patterns (m, n))."""
    blocks = [G, -G] if mirror else [G]
    k = G.shape[1]
    # sample j contributes the patterns of its directions at positions j * len(blocks) + b
    pats = np.stack([(Xt @ B >= 0).T for B in blocks], axis=1).reshape(k * len(blocks), -1)
    keys = pattern_keys(pats)
    _, first = np.unique(keys, return_index=True)
    nonzero = pats[first].any(axis=1)
    first = first[nonzero]
    return first // len(blocks), pats[first]


@dataclass
class Coverage:
    """Result of :func:`coverage`.

    Attributes:
        ks: the sample counts k (ascending).
        seeds: the seeds.
        found: {method: (len(seeds), len(ks)) int} distinct nonzero patterns among the first k
            directions of each seed.
        exact: the number of nonzero patterns (the ceiling), or None when it is not known
            (rank > 3).
        found_mask: {method: (P,) bool} which exact patterns (rows of ``arrangement.patterns``)
            the first seed found with all ``ks[-1]`` samples.
        times: seconds for one run of each method with ``timing_k`` samples, measured on the
            package functions (``gaussian_patterns``, ``geometric_algebra_patterns`` and
            ``arrangement`` for "exact").
        outside: patterns a sampler returned that exact enumeration does not have (always 0).
    """

    ks: np.ndarray
    seeds: tuple[int, ...]
    found: dict[str, np.ndarray]
    exact: int | None
    found_mask: dict[str, np.ndarray]
    times: dict[str, float]
    timing_k: int
    mirror: bool = False
    sketch_dim: int | None = None
    outside: dict[str, int] = field(default_factory=dict)
    nonzero: np.ndarray | None = None

    def median(self, method: str) -> np.ndarray:
        return np.median(self.found[method], axis=0)

    def band(self, method: str) -> tuple[np.ndarray, np.ndarray]:
        return self.found[method].min(axis=0), self.found[method].max(axis=0)

    def missed(self, method: str) -> int:
        """Exact patterns (nonzero) the first seed did not find with all samples."""
        if self.nonzero is None:
            return -1
        return int(np.sum(self.nonzero & ~self.found_mask[method]))


def default_ks(k_max: int, points: int = 25) -> np.ndarray:
    """Log-spaced sample counts from 1 to ``k_max``."""
    return np.unique(np.geomspace(1, max(int(k_max), 1), points).round().astype(int))


def coverage(X: np.ndarray, ks=None, seeds=(0, 1, 2, 3, 4), bias: bool = True,
             sketch_dim: int | None = None, mirror: bool = False, methods=METHODS,
             arr: Arrangement | None = None, timing_k: int = 1000) -> Coverage:
    """Distinct patterns found by each sampling method vs the number of samples k.

    For each seed one run of ``max(ks)`` directions gives the whole curve. ``mirror`` also uses
    -g for every geometric-algebra direction (the reference's ``aug_sym``); ``sketch_dim`` is the
    GA sketch dimension. With data of rank <= 3 the exact patterns are enumerated (or taken from
    ``arr``) and each sampled pattern is checked against them.
    """
    Xt = lift(X, bias)
    n = Xt.shape[0]
    ks = default_ks(10_000) if ks is None else np.unique(np.asarray(ks, dtype=int))
    if ks.size == 0 or ks[0] < 1:
        raise ValueError("the sample counts k must be positive")
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("give at least one seed")
    for m in methods:
        if m not in METHODS:
            raise ValueError(f"unknown sampling method {m!r}; choose from {METHODS}")
    k_max = int(ks[-1])
    times: dict[str, float] = {}
    exact_count = None
    if arr is None and reduce_rank(Xt)[0].shape[1] <= 3:
        t0 = time.perf_counter()
        arr = arrangement(X, bias)
        times["exact"] = time.perf_counter() - t0
    if arr is not None:
        exact_count = int(arr.patterns.any(axis=1).sum())
    found, masks, outside = {}, {}, {}
    Xraw = np.asarray(X, dtype=float).reshape(n, -1)
    for m in methods:
        curves = np.zeros((len(seeds), ks.size), dtype=int)
        for s_i, seed in enumerate(seeds):
            if m == "gaussian":
                G = gaussian_directions(Xt.shape[1], k_max, seed)
                first, pats = _first_seen(Xt, G, False)
            else:
                G = ga_directions(Xraw, k_max, seed, sketch_dim, bias)
                first, pats = _first_seen(Xt, G, mirror)
            first.sort()
            curves[s_i] = np.searchsorted(first, ks, side="left")
            if s_i == 0 and arr is not None:
                idx = match_patterns(arr.patterns, pats)
                outside[m] = int(np.sum(idx < 0))
                mask = np.zeros(arr.count, bool)
                mask[idx[idx >= 0]] = True
                masks[m] = mask
        found[m] = curves
    tk = int(min(timing_k, k_max))
    if "gaussian" in methods:
        t0 = time.perf_counter()
        gaussian_patterns(X, tk, seeds[0], bias)
        times["gaussian"] = time.perf_counter() - t0
    if "geometric" in methods:
        t0 = time.perf_counter()
        geometric_algebra_patterns(X, tk, seeds[0], sketch_dim, bias, mirror)
        times["geometric"] = time.perf_counter() - t0
    nonzero = arr.patterns.any(axis=1) if arr is not None else None
    return Coverage(ks, seeds, found, exact_count, masks, times, tk, mirror, sketch_dim, outside,
                    nonzero)


# --------------------------------------------------------------------------------------------
# Cells on the sphere (rank 3)
# --------------------------------------------------------------------------------------------


def _unit(A: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(A, axis=-1, keepdims=True)
    return A / np.where(norms > 0, norms, 1.0)


def sphere_coordinates(X: np.ndarray, bias: bool = True) -> np.ndarray:
    """The rows of X~ in reduced coordinates Z = X~ Q (Q orthonormal, r = rank), as in
    :class:`~convexnn.patterns.arrangements.Arrangement`. For 2-D data with bias Z = X~."""
    Z, _ = reduce_rank(lift(X, bias))
    return Z


def _vertex_probes(Z: np.ndarray, eps: float = 1e-6):
    """Points next to every vertex of the arrangement of the great circles {g : z_i^T g = 0}.

    For each pair of non-parallel rows, the vertex v = z_i x z_j (both signs) and the four points
    v + eps * b, b the bisectors of the two circles' tangents at v (one point in each of the four
    cells around v). Returns (points (m, 3) unit, vertex of each point (m, 3) unit).
    """
    U = _unit(Z)
    n = U.shape[0]
    i, j = np.triu_indices(n, 1)
    V = np.cross(U[i], U[j])
    ok = np.linalg.norm(V, axis=1) > 1e-9
    i, j, V = i[ok], j[ok], _unit(V[ok])
    V = np.concatenate([V, -V])
    i, j = np.concatenate([i, i]), np.concatenate([j, j])
    Ti = _unit(np.cross(V, U[i]))  # tangent of circle i at v
    Tj = _unit(np.cross(V, U[j]))
    B = np.concatenate([_unit(Ti + Tj), _unit(Ti - Tj), -_unit(Ti + Tj), -_unit(Ti - Tj)])
    Vrep = np.concatenate([V, V, V, V])
    return _unit(Vrep + eps * B), Vrep


def cell_points(X: np.ndarray, arr: Arrangement, bias: bool = True) -> np.ndarray:
    """One unit direction inside each cell of a rank-3 arrangement, in reduced coordinates (P, 3).

    The mean of the points next to a cell's vertices (see :func:`_vertex_probes`): a cell is a
    convex cone, so the mean of points in it lies in it. Patterns that are not full cells
    (boundary-only patterns) and cells without a probe get NaN.
    """
    Z = sphere_coordinates(X, bias)
    if Z.shape[1] != 3:
        raise ValueError("cells on the sphere need data of rank 3 (2-D data with a bias column)")
    pts, _ = _vertex_probes(Z)
    idx = match_patterns(arr.patterns, (pts @ Z.T >= 0))
    keep = idx >= 0
    total = np.zeros((arr.count, 3))
    np.add.at(total, idx[keep], pts[keep])
    out = _unit(total)
    hit = np.linalg.norm(total, axis=1) > 0
    out[~hit] = np.nan
    if arr.patterns.shape[0] and np.sum(~hit & ~arr.full_hrep):
        # a cell no probe reached (degenerate vertices): its Chebyshev direction
        from .cones import interior_directions

        miss = np.flatnonzero(~hit & ~arr.full_hrep)
        out[miss] = _unit(interior_directions(arr, Z, miss))
    return out


def arc_points(X: np.ndarray, arr: Arrangement, bias: bool = True) -> np.ndarray:
    """One unit direction inside each arc of a rank-2 arrangement, reduced coordinates (P, 2).

    The circle of directions is cut at the directions orthogonal to the rows; the midpoint of
    each arc between consecutive cuts is an interior direction of that arc's pattern. Patterns
    not met (those only on a cut, e.g. a boundary-only pattern) get NaN.
    """
    Z = sphere_coordinates(X, bias)
    if Z.shape[1] != 2:
        raise ValueError("arcs need data of rank 2 (2-D data without bias, or 1-D data with bias)")
    keep = np.linalg.norm(Z, axis=1) > 1e-12
    cuts = np.arctan2(Z[keep, 0], -Z[keep, 1])  # direction (-z2, z1) is orthogonal to z
    cuts = np.sort(np.concatenate([cuts, cuts + np.pi]) % (2 * np.pi))
    if cuts.size:
        cuts = cuts[np.concatenate([[True], np.diff(cuts) > 1e-12])]  # parallel rows cut once
    if cuts.size == 0:
        mids = np.array([0.0])
    else:
        nxt = np.concatenate([cuts[1:], [cuts[0] + 2 * np.pi]])
        mids = (cuts + nxt) / 2
    D = np.column_stack([np.cos(mids), np.sin(mids)])
    idx = match_patterns(arr.patterns, D @ Z.T >= 0)
    out = np.full((arr.count, 2), np.nan)
    ok = idx >= 0
    out[idx[ok]] = D[ok]
    return out


def cell_triangles(X: np.ndarray, arr: Arrangement, bias: bool = True):
    """The cells of a rank-3 arrangement as spherical triangles: each convex cell is fanned from
    its centre over its corners (vertices of the arrangement, ordered by angle).

    Returns (cell index (m,), centre (m, 3), corner (m, 3), next corner (m, 3), corners per
    cell (P,)), unit vectors in reduced coordinates. Cells with fewer than three corners (lunes)
    have no triangles.
    """
    Z = sphere_coordinates(X, bias)
    if Z.shape[1] != 3:
        raise ValueError("cells on the sphere need data of rank 3 (2-D data with a bias column)")
    pts, verts = _vertex_probes(Z)
    idx = match_patterns(arr.patterns, (pts @ Z.T >= 0))
    keep = idx >= 0
    idx, verts = idx[keep], verts[keep]
    # distinct (cell, vertex) pairs
    key = np.column_stack([idx, np.round(verts, 9)])
    _, first = np.unique(key, axis=0, return_index=True)
    idx, verts = idx[first], verts[first]
    P = arr.count
    centre = np.zeros((P, 3))
    np.add.at(centre, idx, verts)
    centre = _unit(centre)
    # angle of each corner about the centre, in the tangent plane of the centre
    c = centre[idx]
    a = _unit(np.cross(c, np.where(np.abs(c[:, :1]) < 0.9, [[1.0, 0, 0]], [[0, 1.0, 0]])))
    b = np.cross(c, a)
    ang = np.arctan2(np.einsum("mk,mk->m", verts, b), np.einsum("mk,mk->m", verts, a))
    order = np.lexsort((ang, idx))
    idx, verts, c = idx[order], verts[order], c[order]
    counts = np.bincount(idx, minlength=P)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pos = np.arange(idx.size) - start[idx]
    nxt = np.where(pos + 1 < counts[idx], np.arange(idx.size) + 1, start[idx])
    fan = counts[idx] >= 3
    return idx[fan], c[fan], verts[fan], verts[nxt][fan], counts


def cell_areas(X: np.ndarray, arr: Arrangement, bias: bool = True) -> np.ndarray:
    """The area of each cell on the unit sphere (P,), for data of rank 3; the areas sum to 4 pi.

    Each cell is a convex spherical polygon whose corners are vertices of the arrangement; it is
    split into triangles from its centre (:func:`cell_triangles`), each measured with the Van
    Oosterom-Strackee formula. Boundary-only patterns get 0; cells with fewer than three corners
    (lunes) get NaN.
    """
    idx, c, v1, v2, counts = cell_triangles(X, arr, bias)
    num = np.abs(np.einsum("mk,mk->m", c, np.cross(v1, v2)))
    den = 1.0 + np.einsum("mk,mk->m", c, v1) + np.einsum("mk,mk->m", v1, v2) + np.einsum("mk,mk->m", v2, c)
    area = np.zeros(arr.count)
    np.add.at(area, idx, 2.0 * np.arctan2(num, den))
    area[counts < 3] = np.nan
    area[arr.full_hrep] = 0.0
    return area


def sphere_patterns(Z: np.ndarray, G: np.ndarray) -> np.ndarray:
    """Patterns 1[Z g >= 0] of many directions (rows of G), shape (m, n)."""
    return np.asarray(G, dtype=float) @ np.asarray(Z, dtype=float).T >= 0


# --------------------------------------------------------------------------------------------
# The sweep: a line given by an angle and an offset
# --------------------------------------------------------------------------------------------


def gate(theta_deg: float, offset: float, dim: int, bias: bool = True) -> np.ndarray:
    """The gate g of the hyperplane {x : w^T x + b = 0} with w = (cos t, sin t) (2-D) or
    w = sign(cos t) (1-D) and b = ``offset``; lifted coordinates (d~,)."""
    t = np.deg2rad(float(theta_deg))
    if dim == 1:
        w = np.array([1.0 if np.cos(t) >= 0 else -1.0])
    elif dim == 2:
        w = np.array([np.cos(t), np.sin(t)])
    else:
        raise ValueError("the sweep shows 1-D or 2-D data")
    return np.concatenate([w, [float(offset)]]) if bias else w


def sweep_gates(thetas, offsets, dim: int, bias: bool = True) -> np.ndarray:
    """Gates (F, d~) of a sweep: pairs (thetas[f], offsets[f]), broadcast against each other."""
    th, off = np.broadcast_arrays(np.asarray(thetas, dtype=float), np.asarray(offsets, dtype=float))
    return np.array([gate(t, o, dim, bias) for t, o in zip(th.ravel(), off.ravel(), strict=True)])


def offset_range(X: np.ndarray) -> float:
    """Offsets in [-R, R] reach every pattern of unit-normal lines: R = 1.1 max ||x_i||."""
    X = np.asarray(X, dtype=float).reshape(len(X), -1)
    return float(1.1 * max(np.linalg.norm(X, axis=1).max(), 1e-9))


def angle_offset(g: np.ndarray, dim: int) -> tuple[float, float]:
    """(theta in degrees [0, 360), offset) of a gate g = (w, b), scaled so that ||w|| = 1.

    Inverse of :func:`gate` on directions with w != 0 (2-D with bias)."""
    g = np.asarray(g, dtype=float)
    w, b = g[:dim], g[dim] if g.size > dim else 0.0
    norm = float(np.linalg.norm(w))
    if norm < 1e-12:
        return 0.0, float(np.sign(b)) * 1e9
    theta = float(np.rad2deg(np.arctan2(w[1], w[0])) % 360.0) if dim == 2 else (0.0 if w[0] > 0 else 180.0)
    return theta, float(b / norm)


def slider_position(g: np.ndarray, dim: int, bias: bool, offset_range: float) -> tuple[float, float]:
    """(theta in degrees, offset fraction in [-1, 1]) of a lifted gate g = (w, b) on the sweep's
    sliders: the inverse of :func:`gate` up to a positive scale, before rounding to slider steps.

    2-D: theta = atan2(w_2, w_1) mod 360 and the offset b / ||w|| (0 without a bias);
    1-D: theta = 0 if w >= 0 else 180 and the offset b / |w| (+-10 R when w = 0). The fraction
    is offset / R clipped to [-1, 1], R = ``offset_range``.
    """
    g = np.asarray(g, dtype=float)
    R = float(offset_range)
    if dim == 2:
        if bias:
            t, o = angle_offset(g, 2)
            return t, float(np.clip(o / R, -1, 1))
        return float(np.rad2deg(np.arctan2(g[1], g[0])) % 360), 0.0
    t = 0.0 if g[0] >= 0 else 180.0
    if not bias:
        return t, 0.0
    o = g[1] / abs(g[0]) if abs(g[0]) > 1e-12 else np.sign(g[1]) * 10 * R
    return t, float(np.clip(o / R, -1, 1))


def slider_position_in_cell(X: np.ndarray, arr: Arrangement, k: int, direction: np.ndarray, bias: bool,
                            offset_range: float, reach: int = 8) -> tuple[float, float, bool]:
    """The slider position (1 degree, 0.01 offset steps) nearest to a lifted direction g0 inside
    the cell of pattern k that still shows pattern k: (theta, offset fraction, found).

    Searches the grid of +-``reach`` steps around the rounded position (t0, f0) of g0 (theta only
    in 2-D, the offset only with a bias) for gates g with 1[X~ g >= 0] = D_k, and returns the one
    minimizing |angle difference| / 180 + |f - f0|. When none shows D_k (a small cell), returns
    the rounded position of g0 with found = False.
    """
    X = np.asarray(X, dtype=float).reshape(len(X), -1)
    dim = X.shape[1]
    R = float(offset_range)
    t0, f0 = slider_position(direction, dim, bias, R)
    ts = np.round(t0) + np.arange(-reach, reach + 1) if dim == 2 else np.array([t0])
    fs = (np.round(f0, 2) + 0.01 * np.arange(-reach, reach + 1)) if bias else np.array([0.0])
    T, F = np.meshgrid(ts, np.clip(fs, -1, 1))
    T, F = T.ravel() % 360, F.ravel()
    G = sweep_gates(T, F * R if bias else 0.0 * F, dim, bias)
    hit = arr.index_of(G @ lift(X, bias).T >= 0) == k
    if not hit.any():
        return float(np.round(t0) % 360), float(np.round(f0, 2)), False
    dist = np.abs(((T - t0 + 180) % 360) - 180) / 180 + np.abs(F - f0)
    best = int(np.argmin(np.where(hit, dist, np.inf)))
    return float(T[best]), float(F[best]), True
