"""The cones K_i = {u : (2 D_i - I) X~ u >= 0} and projections onto them.

Mathematics: docs/convex-program.md and docs/optima-and-stationary-points.md.

The exact program's dual constraint for pattern i is ||Pi_{K_i}(+-X~^T D_i lam)|| <= beta, and
||Pi_K(v)|| = max{v^T u : u in K, ||u|| <= 1} (Moreau). In reduced coordinates of rank r <= 3 a
cone is given by a short list of facet normals a (a^T w >= 0). The projection of v lies in the
relative interior of exactly one face, so it is the largest feasible candidate among
v itself, its projections onto each facet plane, the rays where two facet planes meet
(r = 3), and 0: for a subspace projection w, ||v - w||^2 = ||v||^2 - ||w||^2, so the nearest
feasible candidate is the one of largest norm. Patterns without a facet list use all n rows and a
small non-negative least-squares problem on the polar cone, Pi_K(v) = v + A^T mu.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import nnls
from scipy.spatial import ConvexHull, QhullError

from .arrangements import Arrangement, lift, ragged_rows, reduce_rank
from .sweep import all_pattern_vectors

_FEAS_TOL = 1e-10
_CHUNK = 8192


def _unit_rows(A: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(A, axis=-1, keepdims=True)
    return A / np.where(norms > 0, norms, 1.0)


def _dots(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """(..., a, r) x (..., b, r) -> (..., a, b) inner products, unrolled over the small r."""
    out = A[..., :, None, 0] * B[..., None, :, 0]
    for k in range(1, A.shape[-1]):
        out += A[..., :, None, k] * B[..., None, :, k]
    return out


def _feasible(F: np.ndarray, W: np.ndarray) -> np.ndarray:
    """F (B, f, r) unit normals, W (B, c, r) candidates -> (B, c) True where F w >= -tol ||w||."""
    s = _dots(W, F)
    return np.all(s >= -_FEAS_TOL * np.linalg.norm(W, axis=-1, keepdims=True), axis=-1)


def cell_rays(cones: Arrangement) -> tuple[np.ndarray, np.ndarray]:
    """The extreme rays of every cone with a facet list, (ptr (P+1,), rays (R, r)), memoized.

    Rank 3: intersections of two facet planes that satisfy every facet; rank 2: directions in a
    facet line that satisfy every facet; rank 1 and cones without facets: none.
    """
    cached = getattr(cones, "_cell_rays", None)
    if cached is not None:
        return cached
    P = cones.count
    r = cones.facet_normals.shape[1] if cones.facet_normals.ndim == 2 else 0
    counts = np.diff(cones.facet_ptr)
    owners, found = [np.zeros(0, int)], [np.zeros((0, max(r, 1)))]
    for f in np.unique(counts[~cones.full_hrep]):
        sel = np.flatnonzero((counts == f) & ~cones.full_hrep)
        if f == 0 or sel.size == 0 or r not in (2, 3) or (r == 3 and f < 2):
            continue
        F = _unit_rows(cones.facet_normals[cones.facet_ptr[sel][:, None] + np.arange(f)[None, :]])
        if r == 3:
            pairs = np.array(list(itertools.combinations(range(f), 2)))
            H = np.cross(F[:, pairs[:, 0]], F[:, pairs[:, 1]])
        else:
            H = np.stack([-F[..., 1], F[..., 0]], axis=-1)
        H = np.concatenate([H, -H], axis=1)
        norms = np.linalg.norm(H, axis=-1)
        H = H / np.where(norms > 1e-12, norms, 1.0)[..., None]
        b, c = np.nonzero((norms > 1e-12) & _feasible(F, H))  # repeated rays (>2 facets) are harmless
        owners.append(sel[b])
        found.append(H[b, c])
    owner = np.concatenate(owners)
    order = np.argsort(owner, kind="stable")
    ptr = np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=P))])
    rays = np.vstack(found)[order]
    cones._cell_rays = (ptr, rays)
    return cones._cell_rays


def _facet_group_projections(F: np.ndarray, V: np.ndarray, R: np.ndarray | None = None) -> np.ndarray:
    """Pi_K(v_b) for cones with exactly f facets each: F (B, f, r) unit normals, V (B, r).

    ``R`` (B, q, r) are the cones' extreme rays (zero rows pad); without them (rank 3) the rays
    are formed from the facet pairs here.
    """
    B, f, r = F.shape
    cands = [V[:, None, :]]
    # projections onto the facet planes a^perp
    cands.append(V[:, None, :] - _dots(F, V[:, None, :]) * F)
    C = np.concatenate(cands, axis=1)
    score = np.where(_feasible(F, C), np.linalg.norm(C, axis=-1), -1.0)
    if R is None and r == 3 and f >= 2:
        pairs = np.array(list(itertools.combinations(range(f), 2)))
        H = np.cross(F[:, pairs[:, 0]], F[:, pairs[:, 1]])
        H = np.concatenate([H, -H], axis=1)
        norms = np.linalg.norm(H, axis=-1, keepdims=True)
        R = np.where(norms > 1e-12, H / np.where(norms > 0, norms, 1.0), 0.0)
        R = np.where(_feasible(F, R)[..., None], R, 0.0)
    if R is not None and R.shape[1]:
        # each extreme ray h is feasible; its candidate is (v^T h)_+ h, of norm (v^T h)_+
        rs = np.maximum(_dots(R, V[:, None, :])[..., 0], 0.0)
        C = np.concatenate([C, rs[..., None] * R], axis=1)
        score = np.concatenate([score, rs], axis=1)
    best = np.argmax(score, axis=1)
    out = C[np.arange(B), best]
    return np.where((score[np.arange(B), best] > 0)[:, None], out, 0.0)


def _hrep_projection(A: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Pi_K(v) for K = {w : A w >= 0} with all rows, via NNLS on the polar cone."""
    if A.shape[0] == 0:
        return v.copy()
    mu, _ = nnls(A.T, -v, maxiter=50 * A.shape[0])
    return v + A.T @ mu


def cone_projections(cones: Arrangement, Z: np.ndarray, idx: np.ndarray, V: np.ndarray) -> np.ndarray:
    """Pi_{K_i}(v) for each pair (pattern idx[b], vector V[b]) in reduced coordinates, (B, r)."""
    idx = np.asarray(idx, dtype=int)
    V = np.atleast_2d(np.asarray(V, dtype=float))
    out = np.zeros_like(V)
    counts = np.diff(cones.facet_ptr)[idx]
    full = cones.full_hrep[idx]
    for f in np.unique(counts[~full]):
        sel = np.flatnonzero((counts == f) & ~full)
        if f == 0:
            out[sel] = V[sel]
            continue
        ray_ptr, rays = cell_rays(cones) if Z.shape[1] in (2, 3) else (None, None)
        for lo in range(0, sel.size, _CHUNK):
            part = sel[lo : lo + _CHUNK]
            starts = cones.facet_ptr[idx[part]]
            F = cones.facet_normals[starts[:, None] + np.arange(f)[None, :]]
            R = None
            if ray_ptr is not None:
                q = ray_ptr[idx[part] + 1] - ray_ptr[idx[part]]
                R = np.zeros((part.size, int(q.max(initial=0)), Z.shape[1]))
                slot = np.arange(q.sum()) - np.repeat(np.cumsum(q) - q, q)
                R[np.repeat(np.arange(part.size), q), slot] = rays[ragged_rows(ray_ptr, idx[part])]
            out[part] = _facet_group_projections(_unit_rows(F), V[part], R)
    for b in np.flatnonzero(full):
        A = np.where(cones.patterns[idx[b]], 1.0, -1.0)[:, None] * Z
        out[b] = _hrep_projection(A, V[b])
    return out


def cone_values(cones: Arrangement, Z: np.ndarray, idx: np.ndarray, V: np.ndarray) -> np.ndarray:
    """||Pi_{K_i}(v)|| for each pair (pattern idx[b], vector V[b]) in reduced coordinates."""
    return np.linalg.norm(cone_projections(cones, Z, idx, V), axis=1)


def pattern_vectors(patterns: np.ndarray, Z: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """v_i = Z^T D_i lam for every pattern, shape (P, r), computed in chunks."""
    G = Z * lam[:, None]
    out = np.empty((patterns.shape[0], Z.shape[1]))
    for lo in range(0, patterns.shape[0], _CHUNK):
        out[lo : lo + _CHUNK] = patterns[lo : lo + _CHUNK].astype(float) @ G
    return out


def _facet_bounds(cones: Arrangement, idx: np.ndarray, V: np.ndarray):
    """For +v and -v: the largest facet violation max_a (-+a^T v)_+ of each cone (B, 2).

    With m the largest violation, v lies in K iff m <= 0, and ||Pi_K(v)||^2 <= ||v||^2 - m^2
    (K lies in the half-space of that facet). Patterns without facets get +inf.
    """
    counts = np.diff(cones.facet_ptr)[idx]
    rows = ragged_rows(cones.facet_ptr, idx)
    owner = np.repeat(np.arange(idx.size), counts)
    dots = np.einsum("kr,kr->k", cones.facet_normals[rows], V[owner])
    out = np.full((idx.size, 2), np.inf)
    has = (counts > 0) & ~cones.full_hrep[idx]
    if rows.size:
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        nz = np.flatnonzero(counts > 0)
        out[nz, 0] = np.maximum.reduceat(np.maximum(-dots, 0.0), starts[nz])
        out[nz, 1] = np.maximum.reduceat(np.maximum(dots, 0.0), starts[nz])
    out[~has] = np.inf
    return out


def dual_values(cones: Arrangement, Z: np.ndarray, lam: np.ndarray, gated: bool,
                threshold: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Dual constraint values for every pattern and sign, shape (P, 2) (columns +v and -v).

    Gated: ||v_i|| for both signs. Exact: ||Pi_{K_i}(+-v_i)||. Values above ``threshold`` are
    exact; below it a value may be an upper bound (||v_i||, or the bound of one facet), which is
    all a certificate or a violation test needs. Returns (values, v). The vectors v come from
    the enumeration's sweep when the cones carry it (:func:`convexnn.patterns.sweep.all_pattern_vectors`);
    its rounding bound widens the screen, so no value above ``threshold`` is missed.
    """
    v, err = all_pattern_vectors(cones, Z, lam)
    norms = np.linalg.norm(v, axis=1)
    values = np.column_stack([norms, norms])
    if gated:
        return values, v
    check = np.flatnonzero(norms + err > threshold)
    if check.size == 0:
        return values, v
    viol = _facet_bounds(cones, check, v[check])
    nv = norms[check, None]
    inside = viol <= _FEAS_TOL * nv
    upper = np.sqrt(np.maximum(nv**2 - np.where(np.isinf(viol), 0.0, viol) ** 2, 0.0))
    values[check] = np.where(inside, nv, upper)
    exact = ~inside & (upper > threshold)
    pos, neg = check[exact[:, 0]], check[exact[:, 1]]
    if pos.size + neg.size:
        both = cone_values(cones, Z, np.concatenate([pos, neg]), np.vstack([v[pos], -v[neg]]))
        values[pos, 0], values[neg, 1] = both[: pos.size], both[pos.size :]
    return values, v


def max_dual_value(cones: Arrangement, Z: np.ndarray, lam: np.ndarray, gated: bool,
                   stop_above: float = np.inf) -> float:
    """max_i max_+- ||Pi_{K_i}(+-v_i)|| (exact), screening with the bound ||v_i||.

    Patterns are visited in decreasing order of the bound; with ``stop_above`` the search ends as
    soon as a value above it is found (enough to know that the zero network is not optimal).
    """
    v, err = all_pattern_vectors(cones, Z, lam)
    norms = np.linalg.norm(v, axis=1)
    if gated or norms.size == 0:
        return float(norms.max(initial=0.0))
    order = np.argsort(-norms)
    best, lo = 0.0, 0
    batch = 256
    while lo < order.size and norms[order[lo]] + err > best:
        part = order[lo : lo + batch]
        vals = np.maximum(cone_values(cones, Z, part, v[part]), cone_values(cones, Z, part, -v[part]))
        best = max(best, float(vals.max()))
        if best > stop_above:
            break
        lo += batch
        batch *= 2
    return best


# --------------------------------------------------------------------------------------------
# Cones of given (sampled or user) patterns
# --------------------------------------------------------------------------------------------


def _hull_rows(points: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Rows whose points are vertices of the convex hull of ``points[rows]`` (all if degenerate)."""
    if rows.size <= points.shape[1] + 1:
        return rows
    P = points[rows]
    if points.shape[1] == 1:
        return rows[[int(np.argmin(P[:, 0])), int(np.argmax(P[:, 0]))]]
    try:
        return rows[ConvexHull(P).vertices]
    except (QhullError, ValueError):
        return rows


def pattern_cones(X: np.ndarray, patterns: np.ndarray, bias: bool = True, facets: bool = True) -> Arrangement:
    """The cones of arbitrary patterns, with facet lists where they can be found cheaply.

    For data with bias (affine rank d+1 <= 3) a constraint of an active point lying inside the
    convex hull of the other active points is implied by them (and likewise for inactive
    points), so the rows of hull vertices of both groups are a superset of the facets. That
    superset is enough for :func:`cone_values` and keeps the restricted programs small.
    Elsewhere, and when ``facets`` is False (the gated program needs no cones), the cones keep
    all n rows (``full_hrep``): a valid, redundant description.
    """
    patterns = np.atleast_2d(np.asarray(patterns, dtype=bool))
    Xt = lift(X, bias)
    if patterns.shape[1] != Xt.shape[0]:
        raise ValueError(f"patterns have {patterns.shape[1]} columns for {Xt.shape[0]} points")
    Z, Q = reduce_rank(Xt)
    P, n = patterns.shape
    affine = facets and bias and Z.shape[1] == Xt.shape[1] and Z.shape[1] <= 3
    if not affine:
        return Arrangement(patterns, Q, np.zeros(P + 1, int), np.zeros((0, Z.shape[1])),
                           np.ones(P, bool))
    pts = np.asarray(X, dtype=float).reshape(n, -1)
    ptr, normals = [0], []
    for p in patterns:
        act, ina = np.flatnonzero(p), np.flatnonzero(~p)
        rows = np.concatenate([_hull_rows(pts, act), _hull_rows(pts, ina)])
        sign = np.where(p[rows], 1.0, -1.0)
        normals.append(_unit_rows(sign[:, None] * Z[rows]))
        ptr.append(ptr[-1] + rows.size)
    superset = Arrangement(patterns, Q, np.array(ptr), np.vstack(normals), np.zeros(P, bool))
    return _irredundant(superset)


def _irredundant(cones: Arrangement) -> Arrangement:
    """Keep only the facets that carry r - 1 extreme rays (the true facets of a full cone).

    The hull superset can hold dozens of rows per cone; redundant ones make the restricted
    programs larger and worse conditioned. Cones with fewer than r rays (not full-dimensional)
    keep their superset, which is exact for them too.
    """
    r = cones.facet_normals.shape[1]
    if r not in (2, 3):
        return cones
    ray_ptr, rays = cell_rays(cones)
    counts = np.diff(cones.facet_ptr)
    keep = np.ones(cones.facet_normals.shape[0], dtype=bool)
    for i in range(cones.count):
        lo, hi = cones.facet_ptr[i], cones.facet_ptr[i + 1]
        R = rays[ray_ptr[i] : ray_ptr[i + 1]]
        if cones.full_hrep[i] or counts[i] == 0 or len(R) < r:
            continue
        incident = np.abs(cones.facet_normals[lo:hi] @ R.T) <= 1e-9
        on = incident.sum(axis=1) >= r - 1
        if on.any():
            keep[lo:hi] = on
    new_counts = np.add.reduceat(keep, cones.facet_ptr[:-1]) * (counts > 0) if keep.size else counts
    pruned = Arrangement(cones.patterns, cones.basis,
                         np.concatenate([[0], np.cumsum(new_counts)]),
                         cones.facet_normals[keep], cones.full_hrep, cones.complete)
    pruned._cell_rays = (ray_ptr, rays)  # the rays are those of the same cones
    return pruned


def interior_directions(cones: Arrangement, Z: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """A direction g (reduced coordinates) with 1[Z g >= 0] equal to each pattern idx[b], (B, r).

    A pattern's gate: evaluating 1[x~^T g >= 0] on new points extends the pattern beyond the
    training data (the gated model needs it). The direction is the Chebyshev centre of the cone's
    cross-section, max t s.t. a^T g >= t ||a|| for the facets a (all rows when none are listed),
    |g|_inf <= 1, found by a small linear program; for a lower-dimensional cone the relative
    interior is taken by keeping the rows that must hold with equality as equalities.
    """
    from scipy.optimize import linprog

    idx = np.asarray(idx, dtype=int)
    r = Z.shape[1]
    out = np.zeros((idx.size, r))
    for b, i in enumerate(idx):
        if cones.full_hrep[i]:
            A = np.where(cones.patterns[i], 1.0, -1.0)[:, None] * Z
        else:
            A = cones.facets(i)
        A = _unit_rows(A)
        # variables (g, t): maximise t subject to A g >= t, -1 <= g <= 1, t <= 1
        res = linprog(
            np.r_[np.zeros(r), -1.0], A_ub=np.c_[-A, np.ones(len(A))], b_ub=np.zeros(len(A)),
            bounds=[(-1, 1)] * r + [(None, 1)], method="highs",
        )
        g = res.x[:r] if res.status == 0 else np.zeros(r)
        if res.status == 0 and res.x[r] <= 1e-12:
            # no interior: keep the tight rows as equalities and centre within the rest
            tight = A @ g <= 1e-9
            loose = ~tight
            eq = A[tight]
            res2 = linprog(
                np.r_[np.zeros(r), -1.0], A_ub=np.c_[-A[loose], np.ones(loose.sum())],
                b_ub=np.zeros(loose.sum()), A_eq=np.c_[eq, np.zeros(len(eq))] if len(eq) else None,
                b_eq=np.zeros(len(eq)) if len(eq) else None,
                bounds=[(-1, 1)] * r + [(None, 1)], method="highs",
            )
            if res2.status == 0:
                g = res2.x[:r]
        out[b] = g
    return out
