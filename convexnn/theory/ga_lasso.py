"""The closed-form Lasso of the geometric-algebra view (Pilanci, TMLR 2024).

Mathematics: docs/sampling-and-geometric-algebra.md.

Every hyperplane through d data points (a line through two points for 2-D data) gives a neuron
whose first-layer weights are the generalized cross product of the lifted points,
h = x(x~_j1, .., x~_jd), and whose feature on the data is the ramp

    kappa_j(x) = (x~^T h_j)_+ / ||h_j||,

a ReLU of the signed distance to that hyperplane (both orientations are columns). A Lasso over
these features,

    min_{z, t}  1/2 ||K z + t 1 - y||^2 + beta ||z||_1,

is a two-layer ReLU network: the neuron of z_j has w1 = sqrt|z_j| h_j / ||h_j||, w2 = sign(z_j)
sqrt|z_j| and penalty beta |z_j|. Three variants (``VARIANTS``):

- ``"l2"``: the app's weight decay, (beta/2)(||W1||^2 + ||b1||^2 + ||w2||^2): ||h|| is the full
  2-norm (bias included), no intercept. Its value is >= the exact convex program of
  :func:`convexnn.fit_convex` and often strictly larger: the Lasso only has neurons through d data
  points, while the optimal neuron of a cone can lie inside the cone (docs/sampling-and-geometric-algebra.md).
- ``"l2-free"``: the same penalty on the weights but not the bias, with a free intercept t (the
  reference code's convention); again an upper bound on its exact program.
- ``"l1"``: an l1 penalty on the first-layer weights, (beta/2)(||w1||_1^2 + w2^2), bias free, free
  intercept, with the pair features plus *axis-aligned* features through each point
  (w = +-e_k, b = -x_j^T w), normalised by ||w||_1. This Lasso is exact: its value equals the
  exact convex program with that penalty (the maximum of the dual constraint over the polytope
  {||w||_1 <= 1} is attained at a vertex of a cell's slice, which is one of these features).

The Lasso is solved by the program's column generation (:func:`solve_lasso`): the ray Lasso of
the certified working-set solver (:func:`convexnn.program.fast.solve_ray_lasso`, whose atoms
(X~ h)_+ are these features) with an outer step for the free intercept; a dual point certifies
the value (the ``gap`` of :class:`LassoFit`).
Dense linear algebra is small here: with many sessions set ``OPENBLAS_NUM_THREADS=1`` (threads
fighting over two cores made a 0.2 s solve take 7 s).
:func:`exact_value` gives the matching exact convex program (``fit_convex`` for "l2", a cvxpy
model over all arrangement patterns for the other two, for n <= 30).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import numpy as np

from ..models.network import ReLUNetwork
from ..patterns.arrangements import exact_patterns, lift
from ..program.fast import nonneg_lasso, solve_ray_lasso

VARIANTS = {
    "l2": {"norm": "l2-full", "axis": False, "intercept": False},
    "l2-free": {"norm": "l2", "axis": False, "intercept": True},
    "l1": {"norm": "l1", "axis": True, "intercept": True},
}
VARIANT_LABELS = {
    "l2": "ℓ2 weight decay (bias penalized, as the app)",
    "l2-free": "ℓ2 on weights, free bias and intercept",
    "l1": "ℓ1 on first-layer weights (pairs + axis features: exact)",
}
PRICING_TOL = 1e-9
"""A feature joins the Lasso when |K_j^T r| > beta (1 + PRICING_TOL)."""
MAX_EXACT_CVXPY_POINTS = 30
"""Largest n for which :func:`exact_value` builds the cvxpy model of the "l1"/"l2-free" programs."""


# --------------------------------------------------------------------------------------------
# Dictionary of directions
# --------------------------------------------------------------------------------------------


def batch_cross(A: np.ndarray) -> np.ndarray:
    """Generalized cross products of stacks of d-1 vectors in R^d: A (m, d-1, d) -> (m, d).

    Entry i is (-1)^i det(A without column i) (0-based), so x^T h = det[x; A] for every x
    (the batched form of :func:`convexnn.patterns.geometric_algebra.cross_product`).
    """
    A = np.asarray(A, dtype=float)
    m, k, d = A.shape
    if k != d - 1:
        raise ValueError(f"need d-1 = {d - 1} vectors in R^{d}, got {k}")
    if d == 1:
        return np.ones((m, 1))
    out = np.empty((m, d))
    for i in range(d):
        minor = np.delete(A, i, axis=2)
        out[:, i] = (-1) ** i * (np.linalg.det(minor) if k > 0 else 1.0)
    return out


def subset_directions(X: np.ndarray, bias: bool = True, as_coded: bool = False) -> np.ndarray:
    """Normals h (columns, (d~, 2 C(n, d~-1))) of the hyperplanes through d~-1 data points.

    With bias (d~ = d + 1): the hyperplane through d points, h = x(x~_j1, .., x~_jd); for 2-D
    data the line through two points. Each subset gives h and -h (both orientations). Subsets
    whose points do not span a hyperplane (repeated or collinear points) are left out.

    ``as_coded`` reproduces the reference notebook's ``GA_enum`` for 2-D data instead: v is the
    unit vector x_i - x_j itself (not rotated), so the "line" is the one through x_j
    perpendicular to x_i - x_j (and through x_i for -v); docs/sampling-and-geometric-algebra.md, V3.3.
    """
    Xt = lift(X, bias)
    n, dt = Xt.shape
    if as_coded:
        X2 = np.asarray(X, dtype=float).reshape(n, -1)
        if X2.shape[1] != 2 or not bias:
            raise ValueError("the as-coded GA_enum directions are defined for 2-D data with bias")
        i, j = np.triu_indices(n, 1)
        diff = X2[i] - X2[j]
        norm = np.linalg.norm(diff, axis=1)
        ok = norm > 0
        i, j, v = i[ok], j[ok], diff[ok] / norm[ok, None]
        H = np.empty((2 * i.size, 3))
        H[0::2, :2], H[0::2, 2] = v, -np.einsum("mk,mk->m", X2[j], v)
        H[1::2, :2], H[1::2, 2] = -v, np.einsum("mk,mk->m", X2[i], v)
        return H.T
    k = dt - 1
    if k == 0:
        return np.array([[1.0, -1.0]])
    if k == 2:
        i, j = np.triu_indices(n, 1)
        H = np.cross(Xt[i], Xt[j])
    else:
        subsets = np.array(list(itertools.combinations(range(n), k)), dtype=int).reshape(-1, k)
        H = batch_cross(Xt[subsets])
    scale = np.abs(Xt).max() ** k
    H = H[np.linalg.norm(H, axis=1) > 1e-12 * max(scale, 1e-300)]
    return np.concatenate([H, -H]).T if H.size else np.zeros((dt, 0))


def axis_directions(X: np.ndarray) -> np.ndarray:
    """Axis-aligned hyperplanes through each point: w = +-e_k, b = -x_j^T w; columns (d+1, 2 d n)."""
    X = np.asarray(X, dtype=float)
    X = X.reshape(X.shape[0], -1)
    n, d = X.shape
    cols = []
    for k in range(d):
        for s in (1.0, -1.0):
            G = np.zeros((d + 1, n))
            G[k] = s
            G[d] = -s * X[:, k]
            cols.append(G)
    return np.hstack(cols)


def _column_norms(H: np.ndarray, norm: str, bias: bool) -> np.ndarray:
    W = H[:-1] if (bias and norm != "l2-full") else H
    if norm == "l1":
        return np.abs(W).sum(axis=0)
    return np.linalg.norm(W, axis=0)


def dictionary(X: np.ndarray, variant: str = "l2", as_coded: bool = False, bias: bool = True):
    """(G, K): gate directions G (d~, m) scaled to unit norm (the variant's norm) and the features
    K = (X~ G)_+ (n, m). Duplicate columns and columns of zero norm are removed."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown Lasso variant {variant!r}; choose from {tuple(VARIANTS)}")
    spec = VARIANTS[variant]
    if not bias and spec["norm"] != "l2-full":
        raise ValueError(f"the {variant!r} variant has a free bias: use bias=True")
    H = subset_directions(X, bias, as_coded)
    if spec["axis"]:
        H = np.hstack([H, axis_directions(X)])
    norms = _column_norms(H, spec["norm"], bias)
    keep = norms > 1e-12
    G = H[:, keep] / norms[keep]
    _, first = np.unique(np.round(G, 12), axis=1, return_index=True)
    G = G[:, np.sort(first)]
    K = np.maximum(lift(X, bias) @ G, 0.0)
    return G, K


# --------------------------------------------------------------------------------------------
# The Lasso solver
# --------------------------------------------------------------------------------------------


@dataclass
class LassoResult:
    z: np.ndarray
    intercept: float
    objective: float
    dual: float
    gap: float
    iterations: int
    working_set: int


def _dual_point(K, y, r, beta, intercept):
    theta = r - r.mean() if intercept else r.copy()
    c = np.abs(K.T @ theta).max(initial=0.0)
    if c > beta:
        theta *= beta / c
    return theta, float(theta @ y - 0.5 * theta @ theta)


def _coefficients(m: int, atoms: np.ndarray, c: np.ndarray) -> np.ndarray:
    """z (m,) from signed atoms (k, 2) rows (feature, sign +-1) with weights c >= 0."""
    z = np.zeros(m)
    np.add.at(z, atoms[:, 0], atoms[:, 1] * c)
    return z


def solve_lasso(Z: np.ndarray, H: np.ndarray, y: np.ndarray, beta: float, intercept: bool = True,
                max_rounds: int = 50) -> LassoResult:
    """min_{z,t} 1/2 ||K z + t - y||^2 + beta ||z||_1 over the ramp features K = (Z H^T)_+,
    certified by a dual point.

    The column generation is the program's ray Lasso (:func:`convexnn.program.fast.solve_ray_lasso`,
    the atoms s (Z h)_+ of the certified working-set solver's first phase). It runs at a fixed t
    on y - t (t = 0 without an intercept); then the Lasso over its working set is solved
    accurately with t free (centred atoms and targets, the program's interior-point
    :func:`~convexnn.program.fast.nonneg_lasso`), every feature is priced against the residual
    (|K_j^T r| > beta means it can lower the objective), and while one can, the ray Lasso runs
    again at the new t, warm-started from its working set (until no feature joins).
    ``gap`` is the primal value minus the value of a dual-feasible point (theta = scaled residual,
    ||K^T theta||_inf <= beta and 1^T theta = 0 with an intercept), an upper bound on the distance
    to the optimum; ``iterations`` counts the ray Lasso runs.
    """
    Z = np.asarray(Z, dtype=float)
    H = np.asarray(H, dtype=float)
    y = np.asarray(y, dtype=float).reshape(-1)
    if Z.ndim != 2 or H.ndim != 2 or H.shape[1] != Z.shape[1]:
        raise ValueError(f"Z (n, r) and H (m, r) must share r, got {Z.shape} and {H.shape}")
    n, m = Z.shape[0], H.shape[0]
    if y.shape[0] != n:
        raise ValueError(f"Z has {n} rows but y has {y.shape[0]} entries")
    if not beta > 0:
        raise ValueError("beta must be positive")
    K = np.maximum(Z @ H.T, 0.0)

    def result(z, t, rounds, size):
        r = y - K @ z - t
        primal = 0.5 * float(r @ r) + beta * float(np.abs(z).sum())
        _, dual = _dual_point(K, y, r, beta, intercept)
        return LassoResult(z, t, primal, dual, primal - dual, rounds, size)

    km = K.mean(axis=0) if intercept else np.zeros(m)
    ym = float(y.mean()) if intercept else 0.0
    if m == 0 or np.abs((K - km).T @ (y - ym)).max(initial=0.0) <= beta:
        return result(np.zeros(m), ym, 0, 0)
    t, atoms, rounds = ym, None, 0
    while rounds < max_rounds:
        rounds += 1
        ray = solve_ray_lasso(Z, y - t, beta, H, tol=PRICING_TOL, max_rounds=100, init=atoms)
        if atoms is not None and np.array_equal(np.unique(ray.working_set, axis=0), np.unique(atoms, axis=0)):
            break  # no feature joined at the new t: the last solve over this set is the answer
        atoms = ray.working_set
        Phi = K[:, atoms[:, 0]] * atoms[:, 1]
        centre = Phi.mean(axis=0) if intercept else 0.0
        c = nonneg_lasso(Phi - centre, y - ym, beta, tol=1e-11, max_iter=80)
        z = _coefficients(m, atoms, c)
        t = ym - float(km @ z)
        if np.abs(K.T @ (y - K @ z - t)).max() <= beta * (1 + PRICING_TOL):
            break
    return result(z, t, rounds, len(atoms))


# --------------------------------------------------------------------------------------------
# The GA Lasso and its exact counterpart
# --------------------------------------------------------------------------------------------


@dataclass
class LassoFit:
    """A solved GA Lasso: directions ``G`` (d~, m, unit in the variant's norm), coefficients ``z``."""

    variant: str
    beta: float
    G: np.ndarray
    z: np.ndarray
    intercept: float
    objective: float
    gap: float
    solve_time: float
    as_coded: bool = False

    @property
    def n_features(self) -> int:
        return int(self.G.shape[1])

    def active(self, tol: float = 1e-9) -> np.ndarray:
        """Indices of the nonzero coefficients (relative to the largest)."""
        a = np.abs(self.z)
        return np.flatnonzero(a > tol * max(a.max(initial=0.0), 1e-300))

    def network(self) -> ReLUNetwork:
        """The ReLU network of the nonzero coefficients: w1 = sqrt|z| g, w2 = sign(z) sqrt|z|."""
        idx = self.active()
        s = np.sqrt(np.abs(self.z[idx]))
        V = self.G[:, idx] * s
        d = self.G.shape[0] - 1
        return ReLUNetwork(V[:d].reshape(d, -1), V[d], np.sign(self.z[idx]) * s, self.intercept)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.network().predict(X)


def ga_lasso(X: np.ndarray, y: np.ndarray, beta: float, variant: str = "l2",
             as_coded: bool = False) -> LassoFit:
    """Solve the GA Lasso of ``variant`` (see :data:`VARIANTS`) on data (X, y)."""
    spec = VARIANTS.get(variant)
    if spec is None:
        raise ValueError(f"unknown Lasso variant {variant!r}; choose from {tuple(VARIANTS)}")
    t0 = time.perf_counter()
    G, _ = dictionary(X, variant, as_coded)
    res = solve_lasso(lift(X, True), G.T, y, float(beta), spec["intercept"])
    return LassoFit(variant, float(beta), G, res.z, res.intercept, res.objective, res.gap,
                    time.perf_counter() - t0, as_coded)


def exact_program_cvxpy(X: np.ndarray, y: np.ndarray, beta: float, variant: str) -> float:
    """The exact convex program matching a Lasso variant, over all arrangement patterns (cvxpy).

    min 1/2 ||sum_i D_i X~ (u_i - u'_i) (+ t) - y||^2 + beta sum_i (N(u_i) + N(u'_i)) subject to
    the cone constraints, with N the variant's norm (full 2-norm, 2-norm of the weights, or
    1-norm of the weights) and a free intercept t when the variant has one.
    """
    import cvxpy as cp

    spec = VARIANTS[variant]
    Xt = lift(X, True)
    n, dt = Xt.shape
    if n > MAX_EXACT_CVXPY_POINTS:
        raise ValueError(f"the cvxpy model is limited to {MAX_EXACT_CVXPY_POINTS} points (got {n})")
    M = exact_patterns(X, True).astype(float)
    S = 2.0 * M - 1.0
    P = M.shape[0]
    U, V = cp.Variable((P, dt)), cp.Variable((P, dt))
    t = cp.Variable() if spec["intercept"] else 0.0
    pred = cp.sum(cp.multiply(Xt, M.T @ (U - V)), axis=1) + t
    if spec["norm"] == "l2-full":
        pen = cp.sum(cp.norm(U, 2, axis=1)) + cp.sum(cp.norm(V, 2, axis=1))
    elif spec["norm"] == "l2":
        pen = cp.sum(cp.norm(U[:, :-1], 2, axis=1)) + cp.sum(cp.norm(V[:, :-1], 2, axis=1))
    else:
        pen = cp.sum(cp.abs(U[:, :-1])) + cp.sum(cp.abs(V[:, :-1]))
    problem = cp.Problem(
        cp.Minimize(0.5 * cp.sum_squares(pred - np.asarray(y, dtype=float)) + beta * pen),
        [cp.multiply(S, U @ Xt.T) >= 0, cp.multiply(S, V @ Xt.T) >= 0],
    )
    problem.solve(solver="CLARABEL")
    if problem.value is None or not np.isfinite(problem.value):
        raise RuntimeError(f"the exact program failed (cvxpy status {problem.status})")
    return float(problem.value)


def exact_value(X: np.ndarray, y: np.ndarray, beta: float, variant: str = "l2") -> float:
    """The exact convex program's value for a Lasso variant: :func:`convexnn.fit_convex` (certified)
    for "l2", :func:`exact_program_cvxpy` for "l2-free" and "l1" (n <= 30)."""
    if variant == "l2":
        from ..program.convex import fit_convex

        return float(fit_convex(X, y, beta, patterns="exact").objective)
    return exact_program_cvxpy(X, y, beta, variant)


@dataclass
class Comparison:
    variant: str
    lasso: float
    exact: float
    lasso_gap: float
    n_features: int
    lasso_time: float
    exact_time: float

    @property
    def difference(self) -> float:
        """Lasso value minus the exact value (>= 0 up to solver accuracy; ~0 for "l1")."""
        return self.lasso - self.exact


def compare(X: np.ndarray, y: np.ndarray, beta: float, variant: str = "l2") -> tuple[LassoFit, Comparison]:
    """Solve the Lasso and the exact program of ``variant``; return the fit and both values."""
    fit = ga_lasso(X, y, beta, variant)
    t0 = time.perf_counter()
    exact = exact_value(X, y, beta, variant)
    return fit, Comparison(variant, fit.objective, exact, fit.gap, fit.n_features, fit.solve_time,
                           time.perf_counter() - t0)
