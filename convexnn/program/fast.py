"""The fast, certified solver for the convex program: a working set of patterns grown by the dual.

The program (docs/convex-program.md) has a block pair (u_i, u'_i) for each of P patterns, but an
optimum uses at most n + 1 blocks. The solver keeps a small working set W of blocks (pattern,
sign), solves the program restricted to W exactly (an SOCP of a few hundred variables, handed to
Clarabel's interior-point method in its native form), and prices every pattern with the dual
variable lam = -grad l(f): block (i, s) can lower the objective iff
||Pi_{K_i}(s X~^T D_i lam)|| > beta (exact program) or ||X~^T D_i lam|| > beta (gated program).
Pricing screens all patterns with the cheap gated bound and projects only the survivors onto
their cones (:mod:`convexnn.patterns.cones`). Violating blocks join W; when none is left the restricted
optimum is optimal for the full program, and the duality gap (primal value minus the dual value
of lam scaled to dual feasibility) certifies it.

Restricted programs use the facets of each cone, so a block costs a handful of rows instead of n.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import clarabel
import numpy as np
import scipy.linalg
import scipy.linalg.lapack
import scipy.sparse as sp
from threadpoolctl import ThreadpoolController

from ..patterns.arrangements import Arrangement
from ..patterns.cones import cone_projections, dual_values, max_dual_value
from . import losses
from .pricing import cell_ray_pricing, price

MAX_ADD_FACTOR = 1.0  # blocks added per round, per data point
RAY_ADD_FACTOR = 2.0  # rays added per ray Lasso round, per data point (after the diversity filter)
RAY_CACHE_ENTRIES = 64_000_000  # float32 ray features kept for pricing (256 MB at the limit, n = 400)
FINAL_ACCURACY = 1e-12  # Clarabel tolerances of the accurate restricted solves
INNER_LINEAR_SOLVER = "qdldl"  # Clarabel's KKT solver: 2x faster than faer on these dense-ish KKTs
INNER_WALL_FACTOR = 10.0  # Clarabel's time limit (wall clock) per CPU second left in the budget
PRUNE = True
WARM_RAY_ACCURACY = 1e-10  # a warm-started ray Lasso solves accurately at once (one solve less a round)
VIOLATION_MARGIN = 0.1  # blocks above beta (1 + 0.1 tol) violate ...
GAP_MARGIN = 0.8  # ... until an accurate round's gap is below 0.8 tol: the certificate keeps a margin
TRACE = False
_STATUS_OK = {"Solved", "AlmostSolved"}
WOODBURY_FACTOR = 8  # nonneg_lasso works in the n-dimensional space beyond k = 8 n atoms
_RETRY = {"InsufficientProgress", "NumericalError", "MaxIterations"}
# Clarabel settings tried in turn when the final restricted solve is not accurate enough to be
# certified (tiny beta amplifies its KKT residuals by 1/beta): defaults, no equilibration,
# smaller static regularisation.
_FINAL_VARIANTS = ({}, {"equilibrate_enable": False}, {"static_regularization_constant": 1e-12})


@dataclass
class Restricted:
    """Solution of the program restricted to the blocks of a working set."""

    w: np.ndarray  # (B, r) block vectors in reduced coordinates
    pred: np.ndarray  # (n,) the fit sum_b s_b D_b Z w_b
    lam: np.ndarray  # (n,) dual variable -grad l(pred)
    status: str
    iterations: int
    c: np.ndarray | None = None  # (k,) atom weights


def block_rows(cones: Arrangement, Z: np.ndarray, pattern: int) -> np.ndarray:
    """Rows a of the cone of ``pattern`` (a^T w >= 0): its facets, or all n rows."""
    if cones.full_hrep[pattern]:
        return np.where(cones.patterns[pattern], 1.0, -1.0)[:, None] * Z
    return cones.facets(pattern)


def solve_restricted(
    Z: np.ndarray,
    y: np.ndarray,
    masks: np.ndarray,
    signs: np.ndarray,
    rows: list[np.ndarray] | None,
    beta: float,
    loss: str,
    time_limit: float = 60.0,
    accuracy: float = 1e-10,
    atoms: np.ndarray | None = None,
    variant: int = 0,
) -> Restricted:
    """Solve min l(sum_b s_b D_b Z w_b + Phi c) + beta (sum_b ||w_b|| + sum c) with Clarabel,
    s.t. R_b w_b >= 0 and c >= 0. ``loss="interpolation"`` is the min-norm interpolation program
    instead (no loss, pred = y as constraints; :mod:`convexnn.theory.recovery`).

    ``masks`` (B, n) are the diagonals of D_b, ``signs`` the s_b, ``rows`` the constraint rows
    R_b of each block (None: gated program, no constraints). ``atoms`` (n, k) are fixed neuron
    features phi = s (Z h)_+ of unit directions h (rays), weighted by c >= 0 at cost beta c.
    ``variant`` picks Clarabel settings from ``_FINAL_VARIANTS``.
    """
    n, r = Z.shape
    B = masks.shape[0]
    model = _restricted_model(Z, y, masks, signs, rows, beta, loss, atoms)
    settings = _clarabel_settings(time_limit, accuracy, variant)
    sol = clarabel.DefaultSolver(model.P, model.q, model.A, model.b, model.cones, settings).solve()
    while str(sol.status) in _RETRY and settings.tol_gap_rel < 1e-8:
        # very tight tolerances are sometimes out of reach: retry looser, let the certificate judge
        settings.tol_gap_abs = settings.tol_gap_rel = settings.tol_gap_rel * 100
        settings.tol_feas = settings.tol_ktratio = settings.tol_gap_rel
        sol = clarabel.DefaultSolver(model.P, model.q, model.A, model.b, model.cones, settings).solve()
    x = np.asarray(sol.x)
    w = x[model.i_w : model.i_t].reshape(B, r)
    c = np.maximum(x[model.i_c : model.i_aux], 0.0)
    pred = np.einsum("bk,bk->k", masks * signs[:, None], (w @ Z.T)) if B else np.zeros(n)
    if atoms is not None and atoms.shape[1]:
        pred = pred + atoms @ c
    if loss in ("hinge", "interpolation"):  # no gradient (kinks, or no loss): the solver's dual
        lam = np.asarray(sol.z)[:n]
    else:
        lam = -losses.gradient(loss, pred, y)
    return Restricted(w, pred, lam, str(sol.status), int(sol.iterations), c)


def _clarabel_settings(time_limit: float, accuracy: float, variant: int):
    """Clarabel's settings of a restricted solve: tolerances ``accuracy``, one thread, the chosen
    linear solver, then the overrides of ``_FINAL_VARIANTS[variant]``."""
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.time_limit = max(float(time_limit), 0.1)
    settings.tol_gap_abs = settings.tol_gap_rel = accuracy
    settings.tol_feas = settings.tol_ktratio = accuracy
    settings.max_iter = 300
    settings.max_threads = 1  # as the app's BLAS; threads only contend on a shared machine
    settings.direct_solve_method = INNER_LINEAR_SOLVER
    for name, value in _FINAL_VARIANTS[variant].items():
        setattr(settings, name, value)
    return settings


class _ConeModel:
    """Clarabel's standard form min 1/2 x^T P x + q^T x s.t. A x + s = b, s in the cones, built
    row block by row block. Variables: [pred (n), w (B r), t (B), c (k atoms), aux (loss)]."""

    def __init__(self, n: int, r: int, B: int, k_atoms: int, n_aux: int):
        self.i_pred, self.i_w, self.i_t = 0, n, n + B * r
        self.i_c = self.i_t + B
        self.i_aux = self.i_c + k_atoms
        self.n_var = self.i_aux + n_aux
        self.Ai, self.Aj, self.Av, self.b_rows, self.cones = [], [], [], [], []
        self.row = 0

    def add(self, ri, cj, v) -> None:
        self.Ai.append(np.asarray(ri).ravel())
        self.Aj.append(np.asarray(cj).ravel())
        self.Av.append(np.broadcast_to(np.asarray(v, dtype=float), np.shape(ri)).ravel())

    def rows_done(self, b: np.ndarray) -> None:
        """The rows added since the last call end here, with right-hand side ``b``."""
        self.b_rows.append(np.asarray(b, dtype=float))
        self.row += len(b)

    def finish(self, P, q) -> _ConeModel:
        self.A = sp.csc_matrix(
            (np.concatenate(self.Av), (np.concatenate(self.Ai), np.concatenate(self.Aj))),
            shape=(self.row, self.n_var),
        )
        self.b = np.concatenate(self.b_rows)
        self.P, self.q = P, q
        return self


def _restricted_model(Z, y, masks, signs, rows, beta, loss, atoms) -> _ConeModel:
    """The cone model of :func:`solve_restricted` (the package's one Clarabel model of the program:
    the working-set solver's restricted programs and recovery's min-norm interpolation)."""
    n, r = Z.shape
    B = masks.shape[0]
    k_atoms = 0 if atoms is None else atoms.shape[1]
    m = _ConeModel(n, r, B, k_atoms, {"squared": 0, "logistic": 3 * n, "hinge": n, "interpolation": 0}[loss])
    # coupling rows: pred_k - sum_b s_b m_bk Z_k w_b = 0
    m.add(np.arange(n), m.i_pred + np.arange(n), 1.0)
    bb, kk = np.nonzero(masks)
    m.add(np.repeat(kk, r), m.i_w + (bb[:, None] * r + np.arange(r)).ravel(),
          (-signs[bb, None] * Z[kk]).ravel())
    if k_atoms:
        ka, kc = np.nonzero(atoms)
        m.add(ka, m.i_c + kc, -atoms[ka, kc])
    m.rows_done(np.zeros(n))
    m.cones.append(clarabel.ZeroConeT(n))
    if loss == "interpolation":  # pred = y
        m.add(m.row + np.arange(n), m.i_pred + np.arange(n), 1.0)
        m.rows_done(y)
        m.cones.append(clarabel.ZeroConeT(n))
    start = m.row
    if k_atoms:  # c >= 0
        m.add(m.row + np.arange(k_atoms), m.i_c + np.arange(k_atoms), -1.0)
        m.rows_done(np.zeros(k_atoms))
    if rows is not None:  # R_b w_b >= 0
        counts = np.array([R.shape[0] for R in rows])
        if counts.sum():
            R = np.vstack(rows)
            owner = np.repeat(np.arange(B), counts)
            rr = m.row + np.arange(R.shape[0])
            m.add(np.repeat(rr, r), m.i_w + (owner[:, None] * r + np.arange(r)).ravel(), -R.ravel())
            m.rows_done(np.zeros(R.shape[0]))
    _loss_rows(m, loss, y, n, start)
    # second-order cones (t_b, w_b)
    soc = m.row + (np.arange(B) * (r + 1))[:, None] + np.arange(r + 1)
    m.add(soc[:, 0], m.i_t + np.arange(B), -1.0)
    m.add(soc[:, 1:], m.i_w + (np.arange(B)[:, None] * r + np.arange(r)), -1.0)
    m.rows_done(np.zeros(B * (r + 1)))
    m.cones.extend([clarabel.SecondOrderConeT(r + 1)] * B)
    q = np.zeros(m.n_var)
    q[m.i_t : m.i_aux] = beta
    if loss == "squared":
        P = sp.csc_matrix((np.ones(n), (np.arange(n), np.arange(n))), shape=(m.n_var, m.n_var))
        q[:n] = -y
    else:
        P = sp.csc_matrix((m.n_var, m.n_var))
        if loss != "interpolation":
            q[m.i_aux : m.i_aux + n] = 1.0
    return m.finish(P, q)


def _loss_rows(m: _ConeModel, loss: str, y: np.ndarray, n: int, start: int) -> None:
    """The loss's epigraph rows (logistic: exponential cones, hinge: two nonnegative rows per
    point), closing the nonnegative cone of every row since ``start``."""
    k = np.arange(n)
    if loss == "logistic":
        z, v1, v2 = m.i_aux + k, m.i_aux + n + k, m.i_aux + 2 * n + k
        m.add(m.row + k, v1, 1.0)
        m.add(m.row + k, v2, 1.0)
        m.rows_done(np.ones(n))
    elif loss == "hinge":
        z = m.i_aux + k
        m.add(m.row + k, z, -1.0)
        m.add(m.row + n + k, z, -1.0)
        m.add(m.row + n + k, m.i_pred + k, -y)
        m.rows_done(np.concatenate([np.zeros(n), -np.ones(n)]))
    if m.row > start:
        m.cones.append(clarabel.NonnegativeConeT(m.row - start))
    if loss == "logistic":
        base = m.row + 6 * k
        m.add(base, z, 1.0)  # (-z, 1, v1) in K_exp
        m.add(base + 2, v1, -1.0)
        m.add(base + 3, z, 1.0)  # (-y pred - z, 1, v2) in K_exp
        m.add(base + 3, m.i_pred + k, y)
        m.add(base + 5, v2, -1.0)
        e = np.zeros(6 * n)
        e[1::3] = 1.0
        m.rows_done(e)
        m.cones.extend([clarabel.ExponentialConeT()] * (2 * n))


# --------------------------------------------------------------------------------------------
# Rays and the ray Lasso (phase 1)
# --------------------------------------------------------------------------------------------


def ray_directions(Z: np.ndarray) -> np.ndarray:
    """Unit directions of the rays (vertices) of the arrangement, both orientations, (R, r).

    Rank 3: h = z_a x z_b for every pair of non-parallel rows (the normal of the line through
    two data points). Rank 2: the two directions orthogonal to each row. Every extreme ray of
    every cone K_i is among them, and at an optimum most neurons sit on one (a kink through two
    data points), so the Lasso over these atoms is an excellent first approximation.
    """
    n, r = Z.shape
    norms = np.linalg.norm(Z, axis=1)
    keep = norms > 1e-12 * max(norms.max(), 1e-300)
    U = np.unique(Z[keep] / norms[keep, None], axis=0)
    if r == 2:
        H = np.column_stack([-U[:, 1], U[:, 0]])
    elif r == 3:
        a, b = np.triu_indices(U.shape[0], 1)
        H = np.cross(U[a], U[b])
    else:
        raise ValueError("rays are only enumerated for rank 2 or 3")
    hn = np.linalg.norm(H, axis=1)
    H = H[hn > 1e-12] / hn[hn > 1e-12, None]
    H = np.vstack([H, -H])
    _, first = np.unique(np.round(H, 10), axis=0, return_index=True)
    return H[np.sort(first)]


def cone_rays(cones: Arrangement, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The extreme rays of the given cones (from their facet lists), deduplicated.

    Returns (H, ptr, cells): ray j lies in the cones ``cells[ptr[j]:ptr[j+1]]``. Rank 3: the
    intersections of two facet planes that satisfy every facet; rank 2: the directions in a
    facet line that satisfy every facet. Cones without a facet list contribute no rays.
    """
    r = Z.shape[1]
    counts = np.diff(cones.facet_ptr)
    rays, owners = [], []
    for f in np.unique(counts[~cones.full_hrep]):
        sel = np.flatnonzero((counts == f) & ~cones.full_hrep)
        if f == 0 or sel.size == 0:
            continue
        F = cones.facet_normals[cones.facet_ptr[sel][:, None] + np.arange(f)[None, :]]
        F = F / np.linalg.norm(F, axis=-1, keepdims=True)
        if r == 3:
            if f < 2:
                continue
            pairs = np.array(list(itertools.combinations(range(f), 2)))
            Hc = np.cross(F[:, pairs[:, 0]], F[:, pairs[:, 1]])
        elif r == 2:
            Hc = np.stack([-F[..., 1], F[..., 0]], axis=-1)
        else:
            continue
        Hc = np.concatenate([Hc, -Hc], axis=1)
        norms = np.linalg.norm(Hc, axis=-1)
        Hc = Hc / np.where(norms > 1e-12, norms, 1.0)[..., None]
        ok = (norms > 1e-12) & np.all(np.matmul(Hc, F.transpose(0, 2, 1)) >= -1e-10, axis=-1)
        b, c = np.nonzero(ok)
        rays.append(Hc[b, c])
        owners.append(sel[b])
    if not rays:
        return np.zeros((0, r)), np.zeros(1, int), np.zeros(0, int)
    H, owner = np.vstack(rays), np.concatenate(owners)
    _, first, inv = np.unique(np.round(H, 10), axis=0, return_index=True, return_inverse=True)
    inv = inv.ravel()
    order = np.argsort(inv, kind="stable")
    ptr = np.concatenate([[0], np.cumsum(np.bincount(inv, minlength=first.size))])
    return H[first], ptr, owner[order]


def ray_correlations(H: np.ndarray, Z: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """lam^T (Z h)_+ for every ray h, computed in chunks."""
    out = np.empty(H.shape[0])
    step = max(1, 2**22 // max(Z.shape[0], 1))
    for lo in range(0, H.shape[0], step):
        out[lo : lo + step] = np.maximum(H[lo : lo + step] @ Z.T, 0.0) @ lam
    return out


def nonneg_lasso(Phi: np.ndarray, y: np.ndarray, beta: float, tol: float = 1e-10,
                 max_iter: int = 60) -> np.ndarray:
    """min_c 1/2 ||Phi c - y||^2 + beta 1^T c  s.t. c >= 0, by a primal-dual interior-point
    method (Mehrotra predictor-corrector) on the k x k system (Phi^T Phi + diag(mu/c)) dc = r.

    With many more atoms k than points n (k > WOODBURY_FACTOR n) the system is solved in the
    n-dimensional space by the Woodbury identity,
    (Phi^T Phi + D)^{-1} = D^{-1} - D^{-1} Phi^T (I + Phi D^{-1} Phi^T)^{-1} Phi D^{-1},
    so a round costs O(n^2 k) instead of O(k^3).
    """
    n, k = Phi.shape
    if k == 0:
        return np.zeros(0)
    wide = k > WOODBURY_FACTOR * n
    G = None if wide else Phi.T @ Phi
    b = Phi.T @ y
    c = np.full(k, 0.1)
    mu = np.full(k, max(beta, 1e-3))
    scale = max(float(np.linalg.norm(b, np.inf)), beta, 1e-12)
    for _ in range(max_iter):
        Gc = Phi.T @ (Phi @ c) if wide else G @ c
        rd = Gc - b + beta - mu
        tau = c @ mu / k
        primal = 0.5 * c @ Gc - b @ c + 0.5 * y @ y + beta * c.sum()
        if np.linalg.norm(rd, np.inf) <= tol * scale and tau * k <= tol * max(primal, 1e-12):
            break
        solve = _woodbury_solver(Phi, mu / c) if wide else _diagonal_shift_solver(G, mu / c)
        dc = solve(-rd - mu)
        dmu = -mu - mu * dc / c
        a_p, a_d = _max_step(c, dc), _max_step(mu, dmu)
        sigma = ((c + a_p * dc) @ (mu + a_d * dmu) / k / tau) ** 3
        rc = sigma * tau - c * mu - dc * dmu
        dc = solve(-rd + rc / c)
        dmu = (rc - mu * dc) / c
        a = 0.99 * min(_max_step(c, dc), _max_step(mu, dmu))
        c = c + a * dc
        mu = mu + a * dmu
    return c


def _diagonal_shift_solver(G: np.ndarray, d: np.ndarray):
    """Solve with G + diag(d)."""
    M = G.copy()
    M[np.diag_indices(len(d))] += d
    return _spd_solver(M)


def _woodbury_solver(Phi: np.ndarray, d: np.ndarray):
    """Solve with Phi^T Phi + diag(d) through the n x n matrix I + Phi diag(1/d) Phi^T."""
    d_inv = 1.0 / d
    S = np.eye(Phi.shape[0]) + (Phi * d_inv) @ Phi.T
    inner = _cholesky_solver(S)
    if inner is None:  # rounding: S = I + PSD has eigenvalues >= 1
        w, V = np.linalg.eigh(S)
        w = np.maximum(w, 1.0)
        inner = lambda v: V @ ((V.T @ v) / w)  # noqa: E731

    def solve(r):
        u = d_inv * r
        return u - d_inv * (Phi.T @ inner(Phi @ u))

    return solve


def _cholesky_solver(M: np.ndarray):
    """Solve with M = U^T U by LAPACK potrf/potrs called directly (the scipy.linalg wrappers cost
    more than the factorisation at these sizes); None when M is not numerically positive definite."""
    U, info = scipy.linalg.lapack.dpotrf(M, lower=False, clean=False)
    if info != 0:
        return None

    def solve(r):
        x, _ = scipy.linalg.lapack.dpotrs(U, r, lower=False)
        return x

    return solve


def _spd_solver(M: np.ndarray):
    """Solve with a symmetric positive definite M (Cholesky; LU if rounding breaks it)."""
    solve = _cholesky_solver(M)
    if solve is not None:
        return solve
    lu = scipy.linalg.lu_factor(M, check_finite=False)
    return lambda r: scipy.linalg.lu_solve(lu, r, check_finite=False)


def _max_step(x: np.ndarray, dx: np.ndarray) -> float:
    neg = dx < 0
    return min(1.0, float(np.min(-x[neg] / dx[neg]))) if neg.any() else 1.0


class _RayPricing:
    """lam^T (Z h)_+ for every ray h. Rays come in pairs h, -h, and
    lam^T (-Z h)_+ = lam^T (Z h)_+ - h^T (Z^T lam), so features are kept for one ray of each pair
    only (canonical: h^T w >= 0 for a fixed generic w) and the other costs an r-dimensional dot
    product. The features (Z h)_+ are kept in float32 when they fit in RAY_CACHE_ENTRIES (half
    the memory and bandwidth of float64); a float32 value is exact to
    (n + 2) eps_32 ||(Z h)_+||_1 ||lam||_inf for the canonical h, an error the partner's value
    shares, and rows within that distance of the threshold |g| = beta (1 + tol) are recomputed
    in float64, so every violation decision is exact."""

    _GENERIC = np.array([1.0, 0.5773502691896258, 0.3183098861837907])  # 1, 1/sqrt(3), 1/pi

    def __init__(self, H: np.ndarray, Z: np.ndarray, threshold: float):
        self.H, self.Z, self.threshold = H, Z, threshold
        self.features = None
        R, n = H.shape[0], Z.shape[0]
        flip = (H @ self._generic(H.shape[1])) < 0 if R else np.zeros(0, dtype=bool)
        canonical = np.where(flip[:, None], -H, H)
        _, first, inverse = np.unique(np.round(canonical, 10), axis=0, return_index=True, return_inverse=True)
        self.U, self.of_ray, self.flip = canonical[first], inverse.ravel(), flip
        if self.U.shape[0] * n <= RAY_CACHE_ENTRIES and R:
            self.features = np.empty((self.U.shape[0], n), dtype=np.float32)
            step = max(1, 2**22 // max(n, 1))
            for lo in range(0, self.U.shape[0], step):
                self.features[lo : lo + step] = np.maximum(self.U[lo : lo + step] @ Z.T, 0.0)
            self.row_l1 = self.features.sum(axis=1, dtype=np.float64)[self.of_ray]
            self.unit = (n + 2) * float(np.finfo(np.float32).eps)

    @classmethod
    def _generic(cls, r: int) -> np.ndarray:
        """A fixed direction w of length r that decides which ray of each pair h, -h is kept
        (h^T w >= 0); any w is correct, a generic one keeps one ray of nearly every pair."""
        extra = np.random.default_rng(0).standard_normal(max(0, r - cls._GENERIC.size))
        return np.concatenate([cls._GENERIC, extra])[:r]

    def exact_columns(self, idx: np.ndarray) -> np.ndarray:
        return np.maximum(self.H[idx] @ self.Z.T, 0.0)

    def columns(self, idx: np.ndarray) -> np.ndarray:
        return self.exact_columns(idx)

    def correlations(self, lam: np.ndarray) -> np.ndarray:
        if self.features is None:
            return ray_correlations(self.H, self.Z, lam)
        g = (self.features @ lam.astype(np.float32)).astype(np.float64)[self.of_ray]
        g[self.flip] += self.H[self.flip] @ (self.Z.T @ lam)  # lam^T(-Zu)_+ = lam^T(Zu)_+ + (-u)^T Z^T lam
        err = self.unit * self.row_l1 * float(np.abs(lam).max(initial=0.0))
        near = np.flatnonzero(np.abs(np.abs(g) - self.threshold) <= err)
        if near.size:
            g[near] = self.exact_columns(near) @ lam
        return g


@dataclass
class RayLasso:
    rays: np.ndarray  # (k, r) unit directions of the atoms
    signs: np.ndarray  # (k,) output signs
    c: np.ndarray  # (k,) weights
    lam: np.ndarray
    rounds: int
    index: np.ndarray  # (k,) positions of the atoms in the ray dictionary
    working_set: np.ndarray  # (k, 2) the atoms of positive weight (ray index, sign), for warm starts
    converged: bool = False  # ended with no violating ray after an accurate solve


def solve_ray_lasso(Z, y, beta, H, tol=1e-6, max_rounds=80, time_limit=60.0,
                    init: np.ndarray | None = None, loss: str = "squared",
                    pricing: _RayPricing | None = None) -> RayLasso:
    """The Lasso over the ray atoms s (Z h)_+, by working-set column generation.

    Each round solves the Lasso over the working set (squared loss: :func:`nonneg_lasso`; other
    losses: :func:`solve_restricted` with atoms only), prices every ray
    (|lam^T (Z h)_+| > beta means the atom can lower the objective), adds the worst violators
    and drops idle atoms. The working set is a boolean table (ray, sign column 0 for +, 1 for -).
    ``time_limit`` is in CPU seconds. ``pricing`` (features of the same H and Z, e.g. kept along a
    Lasso path) saves building the float32 features again.
    """
    t0 = time.process_time()  # CPU time, as the budget of :func:`solve`
    n = Z.shape[0]
    R = H.shape[0]
    if pricing is None:
        pricing = _RayPricing(H, Z, beta * (1 + tol))
    pricing.threshold = beta * (1 + tol)
    correlations, columns = pricing.correlations, pricing.columns

    work = np.zeros((R, 2), dtype=bool)
    if init is not None and len(init):
        # warm start (along a Lasso path): the previous working set, stored as (ray, sign)
        init = np.asarray(init, dtype=int)
        init = init[(init[:, 0] >= 0) & (init[:, 0] < R)]
        work[init[:, 0], (init[:, 1] < 0).astype(int)] = True
    else:
        g = correlations(y)
        k0 = min(2 * n + 10, R)
        idx = np.argpartition(-np.abs(g), k0 - 1)[:k0]
        work[idx, (g[idx] < 0).astype(int)] = True
    max_new = max(20, int(RAY_ADD_FACTOR * n))
    rounds = 0
    accuracy = WARM_RAY_ACCURACY if init is not None and len(init) else 1e-6
    converged = False
    while True:
        rounds += 1
        ws = np.argwhere(work)
        sign = np.where(ws[:, 1] == 0, 1.0, -1.0)
        Phi = columns(ws[:, 0]).T * sign
        if loss == "squared":
            c = nonneg_lasso(Phi, y, beta, tol=accuracy)
            lam = y - Phi @ c
        else:
            res = solve_restricted(Z, y, np.zeros((0, n)), np.zeros(0), None, beta, loss,
                                   time_limit=max(time_limit, 1.0) * INNER_WALL_FACTOR,
                                   accuracy=max(accuracy, FINAL_ACCURACY), atoms=Phi)
            c, lam = res.c, res.lam
        g = correlations(lam)
        solved_accurately = accuracy <= 1e-10
        accuracy = float(np.clip(1e-3 * (np.abs(g).max() / beta - 1), 1e-10, 1e-6))
        col = (g < 0).astype(int)
        new = np.flatnonzero((np.abs(g) > beta * (1 + tol)) & ~work[np.arange(R), col])
        if not new.size and not solved_accurately:
            accuracy = 1e-10  # confirm with an accurate solve of the same working set
            continue
        converged = not new.size
        if converged or rounds >= max_rounds or time.process_time() - t0 > time_limit:
            break
        new = _diverse(new, g, columns, max_new)
        idle = (c <= 1e-6 * max(c.max(initial=0.0), 1e-300)) & (sign * g[ws[:, 0]] < beta * (1 - 1e-3))
        work[ws[idle, 0], ws[idle, 1]] = False
        work[new, col[new]] = True
    keep = c > 1e-9 * max(c.max(initial=0.0), 1e-300)
    stored = np.column_stack([ws[keep, 0], np.where(ws[keep, 1] == 0, 1, -1)])
    return RayLasso(H[ws[keep, 0]], sign[keep], c[keep], lam, rounds, ws[keep, 0], stored, converged)


DIVERSE_COS = 0.98
DIVERSE_POOL = 8  # candidates scanned per ray added


def _diverse(new: np.ndarray, g: np.ndarray, columns, k: int) -> np.ndarray:
    """Up to k of the violating rays ``new``, in decreasing order of |g|, skipping any whose feature
    (Z h)_+ has cosine above DIVERSE_COS with one already taken (neighbouring rays are
    near-copies of one feature: adding them all costs a round each for a few useful atoms).
    Cosines in float32 (half the memory traffic; the threshold is a heuristic, not a decision
    the certificate depends on)."""
    a = np.abs(g[new])
    m = min(DIVERSE_POOL * k, new.size)
    top = np.argpartition(-a, m - 1)[:m] if m < new.size else np.arange(new.size)
    pool = new[top[np.lexsort((top, -a[top]))]]
    F = columns(pool).astype(np.float32)
    F *= (1.0 / np.maximum(np.sqrt(np.einsum("ij,ij->i", F, F)), 1e-30))[:, None]
    blocked = np.zeros(pool.size, dtype=bool)
    taken = []
    for j in range(pool.size):
        if blocked[j]:
            continue
        taken.append(j)
        if len(taken) == k:
            break
        blocked |= F @ F[j] > DIVERSE_COS
    return pool[taken]


def atom_cells(cones: Arrangement, Z: np.ndarray, rays: np.ndarray, signs: np.ndarray,
               taken: set | None = None, tries: int = 8, owners: list | None = None) -> np.ndarray:
    """A pattern containing each ray, if possible such that no (pattern, sign) is used twice.

    The first choice is 1[Z h >= 0] (the cell where the points on the ray's hyperplane are
    active); alternatives are the cells next to h, found by small perturbations of h. Give
    the rays in decreasing order of weight. When every cell of a ray is taken the first choice
    is returned: adding two vectors of one cone keeps the fit and can only lower the penalty.
    """
    taken = set() if taken is None else set(taken)
    k = len(rays)
    if k == 0:
        return np.zeros(0, dtype=int)
    if owners is None:
        rng = np.random.default_rng(0)
        scale = np.linalg.norm(Z, axis=1)
        cands = [rays @ Z.T >= -1e-10 * scale]
        for _ in range(tries):
            cands.append((rays + 1e-7 * rng.standard_normal(rays.shape)) @ Z.T >= 0)
        owners = list(cones.index_of(np.concatenate(cands)).reshape(tries + 1, k).T)
    out = np.array([o[0] for o in owners])
    for j in range(k):
        col = 0 if signs[j] > 0 else 1
        for i in owners[j]:
            if i >= 0 and (int(i), col) not in taken:
                out[j] = i
                taken.add((int(i), col))
                break
    return out


# --------------------------------------------------------------------------------------------
# Working-set driver
# --------------------------------------------------------------------------------------------


@dataclass
class FastResult:
    """Blocks of the solution and its certificate."""

    u: np.ndarray  # (P, r) u_i, reduced coordinates
    u_neg: np.ndarray  # (P, r) u'_i (zeros for the gated program)
    pred: np.ndarray
    lam: np.ndarray
    primal: float
    dual: float
    max_dual_value: float
    status: str
    outer_iterations: int
    working_set: np.ndarray  # (B, 2) rows (pattern, sign)
    message: str
    ray_working_set: np.ndarray | None = None  # phase 1's atoms (ray, sign), to warm-start a path
    active_set: np.ndarray | None = None  # (k, 2) the blocks of the working set that carry weight


def solve(
    cones: Arrangement,
    Z: np.ndarray,
    y: np.ndarray,
    beta: float,
    loss: str = "squared",
    gated: bool = False,
    tol: float = 1e-6,
    max_outer: int = 60,
    time_limit: float = 120.0,
    init_blocks: np.ndarray | None = None,
    max_add: int | None = None,
    init_rays: np.ndarray | None = None,
    shared: dict | None = None,
) -> FastResult:
    """Solve the program over all patterns of ``cones`` by working-set column generation.

    For the exact program with the squared loss on data of rank 2 or 3 with all patterns, a
    first phase solves the Lasso over the ray atoms (:func:`solve_ray_lasso`); its atoms stay in
    the restricted programs of the second phase, which adds cone blocks for the few neurons
    that leave the rays. Stops when no block violates its dual constraint by more than ``tol``
    (relative) and the relative duality gap is below ``tol`` (status "optimal").

    Honest stops: ``time_limit`` counts CPU seconds of this process (``time.process_time``), so
    a busy machine does not turn a solve that would succeed into a failure. At ``max_outer``
    rounds ("iteration_limit"), the time limit ("time_limit") or a failed inner solve
    ("solver_error") the result is the feasible point of lowest objective seen so far (a
    restricted optimum, the ray Lasso's point or the zero network; never an interrupted inner
    iterate), and ``lam`` is the dual point of highest dual value over all rounds, so that
    dual value <= optimum <= ``primal``.

    ``shared`` is a dict the solves of one Lasso path share (same cones, Z and y; the caller
    empties it at the end): it keeps the float32 ray features between the solves.
    """
    with _blas_controller().limit(limits=1, user_api="blas"):  # small factorisations: threads contend
        return _solve(cones, Z, y, beta, loss, gated, tol, max_outer, time_limit, init_blocks,
                      max_add, init_rays, shared)


_BLAS = []


def _blas_controller() -> ThreadpoolController:
    """One threadpoolctl controller for the process (finding the BLAS libraries costs ~1 ms)."""
    if not _BLAS:
        _BLAS.append(ThreadpoolController())
    return _BLAS[0]


def _solve(cones, Z, y, beta, loss, gated, tol, max_outer, time_limit, init_blocks, max_add,
           init_rays, shared) -> FastResult:
    """The body of :func:`solve`."""
    clock = _Clock(time_limit)
    n, r = Z.shape
    usable = cones.patterns.any(axis=1)
    max_add = max_add or max(20, int(MAX_ADD_FACTOR * n))
    warm = any(x is not None and len(x) for x in (init_rays, init_blocks))
    zero = None if warm else _zero_solution(cones, Z, y, beta, loss, gated)
    if zero is not None:
        return zero
    best = _Incumbent(loss, y, beta, n, r)
    start = _first_phase(cones, Z, y, beta, loss, gated, tol, usable, clock, init_rays, best, shared)
    in_set = start.in_set
    pending = None  # warm-start blocks held back while the ray Lasso's optimum is priced
    if init_blocks is not None and len(init_blocks):
        pending = np.asarray(init_blocks, dtype=int)
    # the ray Lasso's optimum is the restricted optimum of the atoms alone: priced as it is (no
    # re-solve); a warm start's blocks join the violators only if that point is not optimal
    given = start.ray_point if not in_set.any() else None
    if pending is not None and given is None:
        in_set[pending[:, 0], pending[:, 1]] = True
        pending = None
    atoms = start.atoms

    status, message, outer = "iteration_limit", "", 0
    accuracy = FINAL_ACCURACY if start.use_rays or start.small else 1e-6  # loose while far off
    final = None  # the accurate solves of the last working set (one per Clarabel variant)
    variant = 0
    prior = None  # the last round's (v, values): the next pricing's screen
    while True:
        outer += 1
        ws = np.argwhere(in_set)
        res, primal, values, v = _restricted_round(cones, Z, y, beta, loss, gated, ws, atoms,
                                                   accuracy, variant, clock, usable, given, prior)
        given, prior = None, (v, values)
        vmax = float(values.max(initial=0.0))
        round_dual = best.offer_dual(res.lam, vmax)
        solved = res.status in _STATUS_OK and np.isfinite(primal)
        if solved:
            best.offer_point(primal, res, ws)
        rel_gap = (primal - round_dual) / max(abs(primal), 1e-12)
        violating = (values > beta * (1 + VIOLATION_MARGIN * tol)) & ~in_set
        if TRACE:
            print(f"round {outer}: |W|={len(ws)} atoms={0 if atoms is None else atoms.shape[1]} "
                  f"violators={violating.sum()} vmax/beta-1={vmax / beta - 1:.2e} gap={rel_gap:.2e}")
        if not solved:
            status = "time_limit" if res.status == "MaxTime" else "solver_error"
            message = f"inner solver stopped with status {res.status}"
            break
        if not violating.any() and accuracy > FINAL_ACCURACY:
            accuracy = FINAL_ACCURACY  # confirm with an accurate solve of the same working set
            continue
        if not violating.any() or (accuracy <= FINAL_ACCURACY and rel_gap <= GAP_MARGIN * tol):
            if final is None or rel_gap < final[4]:
                final = (res, ws, primal, round_dual, rel_gap, res.lam, vmax)
            if final[4] > tol and variant + 1 < len(_FINAL_VARIANTS):
                variant += 1  # the same working set, solved again with other settings
                continue
            status = "optimal" if final[4] <= tol else "inaccurate"
            message = f"relative duality gap {final[4]:.1e}"
            break
        if outer >= max_outer:
            status = "iteration_limit"
            break
        if clock.expired():
            status = "time_limit"
            break
        if not start.use_rays:
            accuracy = float(np.clip(1e-3 * (vmax / beta - 1), FINAL_ACCURACY, 1e-6))
        add = _distinct_violators(cones, Z, values, violating, v, gated, max_add)
        if PRUNE:
            drop = _idle_blocks(cones, Z, res, ws, v, beta, gated)
            in_set[drop[:, 0], drop[:, 1]] = False
        in_set[add[:, 0], add[:, 1]] = True
        if pending is not None:
            in_set[pending[:, 0], pending[:, 1]] = True
            pending = None

    if status in ("optimal", "inaccurate"):
        res, ws, primal, dual, _, lam, vmax = final
    else:
        res, ws, primal = best.point
        lam, vmax, dual = best.lam, best.vmax, best.dual
        gap = (primal - dual) / max(abs(primal), 1e-12)
        stop = {"iteration_limit": f"after {outer} rounds",
                "time_limit": f"after {clock.used():.1f} s of CPU time"}.get(status, message)
        message = f"stopped {stop}: best point at relative gap {gap:.1e}"
    u, u_neg = _blocks(cones, Z, res, ws, start)
    norms = np.linalg.norm(res.w, axis=1)
    active = ws[norms > 1e-6 * max(norms.max(initial=0.0), 1e-300)] if len(ws) else ws
    return FastResult(u, u_neg, res.pred, lam, primal, dual, vmax, status,
                      outer + start.rounds, ws, message, start.ray_working_set, active)


def _restricted_round(cones, Z, y, beta, loss, gated, ws, atoms, accuracy, variant, clock, usable,
                      given: Restricted | None = None, prior: tuple | None = None):
    """Solve the program restricted to the blocks ``ws`` (and the atoms) and price every
    pattern at its dual point. Returns (restricted solution, its objective, dual values (P, 2),
    the pattern vectors v_i = Z^T D_i lam). ``given``: the restricted optimum, already known;
    ``prior``: (v, values) of the previous round, for the pricing screen."""
    if given is not None:
        res = given
    else:
        masks = cones.patterns[ws[:, 0]]
        signs = np.where(ws[:, 1] == 0, 1.0, -1.0)
        rows = None if gated else [block_rows(cones, Z, i) for i in ws[:, 0]]
        res = solve_restricted(Z, y, masks, signs, rows, beta, loss, time_limit=clock.inner_limit(),
                               accuracy=accuracy, atoms=atoms, variant=variant)
    values, v = price(cones, Z, res.lam, gated, threshold=beta, prior=prior)
    values[~usable] = 0.0
    if gated:
        values[:, 1] = 0.0
    penalty = float(np.linalg.norm(res.w, axis=1).sum()) + (0.0 if atoms is None else float(res.c.sum()))
    return res, losses.value(loss, res.pred, y) + beta * penalty, values, v


def _idle_blocks(cones, Z, res: Restricted, ws: np.ndarray, v: np.ndarray, beta: float,
                 gated: bool) -> np.ndarray:
    """Blocks of the working set that carry no weight and whose dual constraint is slack."""
    norms = np.linalg.norm(res.w, axis=1)
    idle = norms <= 1e-6 * max(norms.max(initial=0.0), 1e-300)
    slack = _block_values(cones, Z, v, ws, gated) < beta * (1 - 1e-3)
    return ws[idle & slack]


class _Clock:
    """The CPU-time budget of one solve (time.process_time: a busy machine does not eat it)."""

    def __init__(self, limit: float):
        self.limit = float(limit)
        self.start = time.process_time()

    def used(self) -> float:
        return time.process_time() - self.start

    def expired(self) -> bool:
        return self.used() > self.limit

    def inner_limit(self) -> float:
        """Clarabel's own limit counts wall time: give it room for a machine ~10x overloaded."""
        return max(self.limit - self.used(), 1.0) * INNER_WALL_FACTOR


class _Incumbent:
    """The feasible point of lowest objective and the dual point of highest value seen so far.

    Starts from the zero network (always feasible) and lam = 0 (always dual feasible).
    """

    def __init__(self, loss: str, y: np.ndarray, beta: float, n: int, r: int):
        self.loss, self.y, self.beta = loss, y, beta
        zero = Restricted(np.zeros((0, r)), np.zeros(n), np.zeros(n), "Solved", 0, None)
        self.point = (zero, np.zeros((0, 2), dtype=int), losses.value(loss, np.zeros(n), y))
        self.lam, self.vmax = np.zeros(n), 0.0
        self.dual = losses.dual_value(loss, self.lam, y)

    def offer_point(self, primal: float, res: Restricted, ws: np.ndarray) -> None:
        if primal < self.point[2]:
            self.point = (res, ws, primal)

    def offer_dual(self, lam: np.ndarray, vmax: float) -> float:
        """The dual value of lam scaled to feasibility by min(1, beta / vmax); kept if best."""
        if not (np.all(np.isfinite(lam)) and np.isfinite(vmax)):
            return -np.inf
        scale = min(1.0, self.beta / vmax) if vmax > 0 else 1.0
        value = losses.dual_value(self.loss, scale * losses.project_dual(self.loss, lam, self.y), self.y)
        if value > self.dual:
            self.lam, self.vmax, self.dual = lam, vmax, value
        return value


@dataclass
class _Start:
    """What the first phase hands to the working-set loop."""

    in_set: np.ndarray  # (P, 2) initial working set
    use_rays: bool = False
    small: bool = False  # the whole program fits in one restricted solve
    atoms: np.ndarray | None = None  # (n, k) ray atoms s (Z h)_+
    atom_dirs: np.ndarray | None = None
    atom_signs: np.ndarray | None = None
    owners: list | None = None  # candidate cells of each atom (sampled cones)
    rounds: int = 0
    ray_working_set: np.ndarray | None = None
    ray_point: Restricted | None = None  # the ray Lasso's optimum, when it converged accurately


def _rays_of(cones: Arrangement, Z: np.ndarray):
    """The ray dictionary (H, ptr, cells) of the cones (cells only for sampled cones), memoized
    on the cones for the same Z (a Lasso path solves many times on one arrangement)."""
    cached = getattr(cones, "_ray_dictionary", None)
    if cached is not None and cached[0].shape == Z.shape and np.array_equal(cached[0], Z):
        return cached[1]
    rays = (ray_directions(Z), None, None) if cones.complete else cone_rays(cones, Z)
    cones._ray_dictionary = (Z.copy(), rays)
    return rays


def _first_phase(cones, Z, y, beta, loss, gated, tol, usable, clock, init_rays, best, shared) -> _Start:
    """The ray Lasso (exact program, squared loss, rank 2-3) or the initial working set of blocks."""
    n, r = Z.shape
    start = _Start(np.zeros((cones.count, 2), dtype=bool))
    use_rays = not gated and r in (2, 3) and not cones.full_hrep.all()
    if use_rays:
        H, ray_ptr, ray_cells = _rays_of(cones, Z)
        use_rays = H.shape[0] > 0
    if use_rays:
        ray = solve_ray_lasso(Z, y, beta, H, tol=tol, time_limit=clock.limit - clock.used(),
                              init=init_rays, loss=loss,
                              pricing=cell_ray_pricing(cones, H, Z) or _shared_ray_pricing(shared, H, Z))
        start.use_rays, start.rounds, start.ray_working_set = True, ray.rounds, ray.working_set
        start.atom_dirs, start.atom_signs = ray.rays, ray.signs
        start.atoms = np.maximum(ray.rays @ Z.T, 0.0).T * ray.signs
        if not cones.complete:
            start.owners = [ray_cells[ray_ptr[j] : ray_ptr[j + 1]] for j in ray.index]
        pred = start.atoms @ ray.c
        point = Restricted(np.zeros((0, r)), pred, ray.lam, "Solved", 0, ray.c)
        best.offer_point(losses.value(loss, pred, y) + beta * float(ray.c.sum()), point,
                         np.zeros((0, 2), dtype=int))
        if ray.converged and loss in ("squared", "logistic"):
            start.ray_point = point  # its lam = -grad l at all atoms (the dropped ones weigh < 1e-9)
        return start
    lam = losses.gradient_at_zero(loss, y)
    values, _ = dual_values(cones, Z, lam, gated=True)
    values[~usable] = 0.0
    if gated:
        values[:, 1] = 0.0
    n_blocks = int(usable.sum()) * (1 if gated else 2)
    start.small = n_blocks <= 2 * n + 10  # small programs are solved whole, in one accurate round
    first = _top_blocks(values, n_blocks if start.small else 2 * n + 10)
    start.in_set[first[:, 0], first[:, 1]] = True
    return start


def _shared_ray_pricing(shared: dict | None, H: np.ndarray, Z: np.ndarray) -> _RayPricing | None:
    """The ray features kept in ``shared`` for this H (memoized on the cones, so the same array
    along a path), built there on first use; None without ``shared``."""
    if shared is None:
        return None
    pricing = shared.get("ray_pricing")
    if pricing is None or pricing.H is not H:
        pricing = shared["ray_pricing"] = _RayPricing(H, Z, 0.0)
    return pricing


def _blocks(cones, Z, res: Restricted, ws: np.ndarray, start: _Start) -> tuple[np.ndarray, np.ndarray]:
    """(u, u_neg), (P, r) each: the working-set blocks, plus each ray atom placed in a cell."""
    P, r = cones.count, Z.shape[1]
    u, u_neg = np.zeros((P, r)), np.zeros((P, r))
    pos = ws[:, 1] == 0
    u[ws[pos, 0]] = res.w[pos]
    u_neg[ws[~pos, 0]] = res.w[~pos]
    if start.atoms is not None and res.c is not None and res.c.size:
        order = np.argsort(-res.c)
        order = order[res.c[order] > 0]
        used = {(int(i), int(s)) for (i, s), w in zip(ws, res.w, strict=True) if np.any(w != 0)}
        cells = atom_cells(cones, Z, start.atom_dirs[order], start.atom_signs[order], used,
                           owners=None if start.owners is None else [start.owners[j] for j in order])
        for cell, j in zip(cells, order, strict=True):
            (u if start.atom_signs[j] > 0 else u_neg)[cell] += res.c[j] * start.atom_dirs[j]
    return u, u_neg


def _zero_solution(cones, Z, y, beta, loss, gated) -> FastResult | None:
    """The zero network when beta >= beta_max (lam0 = -grad l(0) is then dual feasible)."""
    lam0 = losses.gradient_at_zero(loss, y)
    vmax = max_dual_value(cones, Z, lam0, gated, stop_above=beta)
    if vmax > beta:
        return None
    n, r = Z.shape
    P = cones.count
    primal = losses.value(loss, np.zeros(n), y)
    dual = losses.dual_value(loss, losses.project_dual(loss, lam0, y), y)
    return FastResult(np.zeros((P, r)), np.zeros((P, r)), np.zeros(n), lam0, primal, dual, vmax,
                      "optimal", 0, np.zeros((0, 2), dtype=int), "beta >= beta_max: the zero network")


def _block_values(cones, Z, v, blocks, gated) -> np.ndarray:
    """Exact dual values of the given blocks (pattern, sign column)."""
    s = np.where(blocks[:, 1] == 0, 1.0, -1.0)[:, None]
    if gated:
        return np.linalg.norm(v[blocks[:, 0]], axis=1)
    return np.linalg.norm(cone_projections(cones, Z, blocks[:, 0], s * v[blocks[:, 0]]), axis=1)


def _distinct_violators(cones, Z, values, violating, v, gated, k) -> np.ndarray:
    """The most violating blocks, one per distinct neuron (sign, direction of Pi_K(s v)).

    Cells that share the optimal direction on a common face all violate together; one of them
    represents that neuron, so adding the others would only enlarge the restricted program.
    """
    blocks = np.argwhere(violating)
    s = np.where(blocks[:, 1] == 0, 1.0, -1.0)
    if gated:
        dirs = s[:, None] * v[blocks[:, 0]]
    else:
        dirs = cone_projections(cones, Z, blocks[:, 0], s[:, None] * v[blocks[:, 0]])
    dirs /= np.maximum(np.linalg.norm(dirs, axis=1, keepdims=True), 1e-300)
    key = np.column_stack([blocks[:, 1], np.round(dirs, 7)])
    order = np.argsort(-values[blocks[:, 0], blocks[:, 1]], kind="stable")
    _, first = np.unique(key[order], axis=0, return_index=True)
    chosen = order[np.sort(first)][:k]
    return blocks[chosen]


def _top_blocks(values: np.ndarray, k: int) -> np.ndarray:
    """(k, 2) indices (pattern, sign column) of the k largest positive entries."""
    flat = values.ravel()
    k = int(min(k, np.count_nonzero(flat > 0)))
    if k <= 0:
        return np.zeros((0, 2), dtype=int)
    top = np.argpartition(-flat, k - 1)[:k]
    return np.column_stack(np.unravel_index(top, values.shape))
