"""Pricing every pattern at a dual point: the working-set solver's and the certificate's pass.

The exact program's dual constraint for pattern i and sign s is ||Pi_{K_i}(s v_i)|| <= beta with
v_i = X~^T D_i lam (reduced coordinates: Z^T D_i lam). Projections are the expensive part
(:func:`convexnn.patterns.cones.cone_values`), so every pattern is first screened by a bound that
costs one dot product: a pointed cone K lies in the circular cone (cap) of axis c and
half-angle theta spanned by its extreme rays (c the normalised sum of the rays, theta the largest
angle between c and a ray; theta < 90 degrees), so for a unit u in K and alpha the angle between
v and c,

    ||Pi_K(v)|| = max_{u in K, ||u|| = 1} v^T u <= ||v|| cos(max(alpha - theta, 0))

(0 when alpha - theta exceeds 90 degrees).

Cells of an arrangement are small (a median theta of 0.03 rad at 100 points), so the bound
leaves a few hundred to a few thousand of the P patterns to project: a third of the time of the
facet screen of :func:`convexnn.patterns.cones.dual_values`, which the other cones (gated
program, cones without facet lists or not pointed) still use.
"""

from __future__ import annotations

import numpy as np

from ..patterns.arrangements import Arrangement
from ..patterns.cones import cell_rays, cone_values, dual_values
from ..patterns.sweep import all_pattern_vectors

_CAP_SLACK = 1e-9  # relative inflation of the cap bound against rounding


def cone_caps(cones: Arrangement) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(c (P, r), cos theta (P,), sin theta (P,)) of every cone's cap, memoized on the cones;
    cones without a valid cap (no facet list, not pointed, or wider than a hemisphere) get
    cos theta = -1 (the bound ||v||). None when no cone has one."""
    cached = getattr(cones, "_caps", False)
    if cached is not False:
        return cached
    caps = None
    r = cones.facet_normals.shape[1] if cones.facet_normals.ndim == 2 else 0
    if r in (2, 3) and not cones.full_hrep.all():
        ptr, rays = cell_rays(cones)
        P = cones.count
        owner = np.repeat(np.arange(P), np.diff(ptr))
        c = np.zeros((P, r))
        np.add.at(c, owner, rays)
        norms = np.linalg.norm(c, axis=1)
        c /= np.where(norms > 0, norms, 1.0)[:, None]
        cos_t = np.full(P, np.inf)
        np.minimum.at(cos_t, owner, np.einsum("kr,kr->k", rays, c[owner]))
        valid = _pointed(cones, r) & (norms > 1e-9) & (np.diff(ptr) >= r) & (cos_t > 1e-6) & ~cones.full_hrep
        cos_t = np.where(valid, np.minimum(cos_t, 1.0), -1.0)
        if valid.any():
            caps = (c, cos_t, np.sqrt(np.maximum(1.0 - cos_t**2, 0.0)))
    cones._caps = caps
    return caps


def _pointed(cones: Arrangement, r: int) -> np.ndarray:
    """(P,) True where the facet normals span R^r (the cone holds no line, so it is the conic
    hull of its extreme rays). For a complete arrangement the cone of a cell is
    {w : s_k z_k^T w >= 0 for all k}, whose lineality space null(Z) is {0} (Z has full column rank
    r after the rank reduction), so every cell with its (irredundant, hence complete) facet list
    of at least r facets is pointed: no rank computation is needed."""
    counts = np.diff(cones.facet_ptr)
    if cones.complete:
        return ~cones.full_hrep & (counts >= r)
    out = np.zeros(cones.count, dtype=bool)
    for f in np.unique(counts):
        if f < r:
            continue
        sel = np.flatnonzero(counts == f)
        F = cones.facet_normals[cones.facet_ptr[sel][:, None] + np.arange(f)[None, :]]
        out[sel] = np.linalg.matrix_rank(F) == r
    return out


def cap_bounds(caps, v: np.ndarray) -> np.ndarray:
    """(P, 2) upper bounds of ||Pi_{K_i}(+v_i)|| and ||Pi_{K_i}(-v_i)|| from the caps."""
    c, cos_t, sin_t = caps
    nv = np.linalg.norm(v, axis=1)
    cos_a = np.einsum("kr,kr->k", v, c) / np.maximum(nv, 1e-300)
    out = np.empty((v.shape[0], 2))
    for col, ca in enumerate((cos_a, -cos_a)):
        sa = np.sqrt(np.maximum(1.0 - ca * ca, 0.0))
        out[:, col] = np.where(ca >= cos_t, nv, nv * np.maximum(ca * cos_t + sa * sin_t, 0.0))
    return out * (1 + _CAP_SLACK)


def price(cones: Arrangement, Z: np.ndarray, lam: np.ndarray, gated: bool,
          threshold: float = 0.0, prior: tuple[np.ndarray, np.ndarray] | None = None,
          ) -> tuple[np.ndarray, np.ndarray]:
    """Dual constraint values (P, 2) of every pattern and sign at ``lam``, and v (P, r).

    As :func:`convexnn.patterns.cones.dual_values`: values above ``threshold`` are exact, those
    below may be upper bounds (all a violation test or a certificate needs). ``prior`` = (v', values')
    of an earlier pass (same cones and Z) tightens the screen: a projection is 1-Lipschitz, so
    ||Pi_K(+-v)|| <= values' + ||v - v'|| (the working set's rounds move lam little).
    The vectors v come from the enumeration's sweep when the cones carry it
    (:func:`convexnn.patterns.sweep.all_pattern_vectors`, 0.1-0.2 s for 10^6 patterns instead of
    about 2 s); the cap bounds are widened by its rounding bound err (projections are
    1-Lipschitz), so a screened-out value is still at most ``threshold``.
    """
    caps = None if gated else cone_caps(cones)
    if caps is None:
        return dual_values(cones, Z, lam, gated, threshold=threshold)
    v, err = all_pattern_vectors(cones, Z, lam)
    values = cap_bounds(caps, v) + err
    if prior is not None:
        moved = np.linalg.norm(v - prior[0], axis=1) * (1 + _CAP_SLACK)
        values = np.minimum(values, prior[1] * (1 + _CAP_SLACK) + moved[:, None])
    cand = np.argwhere(values > threshold)
    if cand.size:
        sign = np.where(cand[:, 1] == 0, 1.0, -1.0)[:, None]
        values[cand[:, 0], cand[:, 1]] = cone_values(cones, Z, cand[:, 0], sign * v[cand[:, 0]])
    return values, v


_ON_RAY = 1e-10  # a point is on the hyperplane of a ray h when |z_k^T h| <= 1e-10 ||z_k||
_RAY_CHUNK = 8192


def ray_cells(cones: Arrangement, H: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """For each ray h (rows of H, unit), the index of the pattern 1[z_k^T h >= -1e-10 ||z_k||]
    (the cell next to h where the points on h are active), -1 where that is not a pattern."""
    tol = _ON_RAY * np.linalg.norm(Z, axis=1)
    out = np.empty(H.shape[0], dtype=np.int64)
    for lo in range(0, H.shape[0], _RAY_CHUNK):
        out[lo : lo + _RAY_CHUNK] = cones.index_of(H[lo : lo + _RAY_CHUNK] @ Z.T >= -tol)
    return out


class CellRayPricing:
    """lam^T (Z h)_+ for every ray h of a complete arrangement, from the sweep's pattern vectors.

    A ray h (a vertex of the arrangement, ||h|| = 1) has the cell D(h) = 1[z_k^T h >= -t ||z_k||]
    (t = 1e-10: the points on h active), and points of D(h) with z_k^T h <= 0 are those on h, so

        lam^T (Z h)_+ = h^T (Z^T D(h) lam) + e,  |e| <= t sum_k |lam_k| ||z_k||:

    one pass of :func:`convexnn.patterns.sweep.all_pattern_vectors` (O(P r)) prices all R rays
    instead of a dense (R, n) product per pass (2 s at n = 1000). With the sweep's rounding bound
    err, every |g| within err + |e| + 8 eps ||v|| of the threshold is recomputed from its column
    (as are rays whose D(h) is not a pattern), so every violation decision is exact.
    Same interface as ``fast._RayPricing`` (H, Z, threshold, correlations, columns).
    """

    def __init__(self, cones: Arrangement, H: np.ndarray, Z: np.ndarray, threshold: float = 0.0):
        self.cones, self.H, self.Z, self.threshold = cones, H, Z, threshold
        self.cell = ray_cells(cones, H, Z)
        self.missing = np.flatnonzero(self.cell < 0)
        self.z_norms = np.linalg.norm(Z, axis=1)

    def exact_columns(self, idx: np.ndarray) -> np.ndarray:
        """The atoms (Z h)_+ of the rays ``idx`` as rows, (len(idx), n)."""
        return np.maximum(self.H[idx] @ self.Z.T, 0.0)

    def columns(self, idx: np.ndarray) -> np.ndarray:
        return self.exact_columns(idx)

    def correlations(self, lam: np.ndarray) -> np.ndarray:
        """g_h = lam^T (Z h)_+ for every ray, (R,), exact near the threshold."""
        v, err = all_pattern_vectors(self.cones, self.Z, lam)
        vh = v[np.maximum(self.cell, 0)]
        g = np.einsum("kr,kr->k", self.H, vh)
        band = (err + _ON_RAY * float(np.abs(lam) @ self.z_norms)
                + 8 * np.finfo(float).eps * np.linalg.norm(vh, axis=1))
        redo = np.union1d(self.missing, np.flatnonzero(np.abs(np.abs(g) - self.threshold) <= band))
        for lo in range(0, redo.size, _RAY_CHUNK):
            part = redo[lo : lo + _RAY_CHUNK]
            g[part] = self.exact_columns(part) @ lam
        return g


def cell_ray_pricing(cones: Arrangement | None, H: np.ndarray, Z: np.ndarray) -> CellRayPricing | None:
    """The :class:`CellRayPricing` of the rays H (memoized on the cones for this H and Z), or
    None when the cones are not a complete arrangement with its sweep record."""
    if cones is None or not cones.complete or getattr(cones, "sweep", None) is None:
        return None
    cached = getattr(cones, "_cell_ray_pricing", None)
    if cached is not None and cached.H is H and np.array_equal(cached.Z, Z):
        return cached
    cones._cell_ray_pricing = CellRayPricing(cones, H, Z.copy())
    return cones._cell_ray_pricing


__all__ = ["CellRayPricing", "cap_bounds", "cell_ray_pricing", "cone_caps", "price", "ray_cells"]
