"""Deep linear networks: the duality gap of the standard architecture and the parallel fix
(docs/deep-networks.md; Wang, Ergen & Pilanci, ICLR 2023).

Standard network: f(X) = X W_1 ... W_L. Its minimum-norm problem

    P = min 1/2 sum_l ||W_l||_F^2  s.t.  X W_1 ... W_L = Y

depends on Y only through M = X^+ Y, and after the minimisation over the scale t of the middle
layers (docs/deep-networks.md: (L-2)/2 t^2 + t^{-(L-2)} ||M||, minimiser t^L = ||M||) both the primal and its
convex dual have closed forms in the singular values sigma of M:

    P = (L/2) sum_i sigma_i^{2/L}        (Schatten-2/L quasi-norm: nonconvex for L >= 3)
    D = (L/2) (sum_i sigma_i)^{2/L}      (nuclear norm: convex)

Since ||sigma||_{2/L} >= ||sigma||_1 with equality iff at most one sigma_i is nonzero, the gap
P - D is zero iff rank(M) <= 1 (for L >= 3; L = 2 has no gap). Equal singular values of rank >= 2
give a *nonzero* gap, which is where our computation disagrees with the slide's wording.

Parallel network: m branches, each a standard network, summed at the output. With the penalty
(1/L) sum_l ||W_{l,j}||^L per branch, each branch costs prod_l ||W_{l,j}|| and realises a rank-one
map, so the total is ||M||_*: the problem is convex and its value (in the normalisation above) is
D, with zero gap.

Gradient descent (numpy) on 1/2 ||X W_1...W_L - Y||^2 + (beta/2) sum ||W_l||^2 shows the
landscape: for X = I the problem separates over the singular values of Y, each
min_{s >= 0} 1/2 (s - sigma_i)^2 + beta (L/2) s^{2/L}, and for L >= 3 s = 0 is a local minimum, so
small initialisations can stall at a rank-deficient point.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..data.validate import as_count, as_matrix, as_number, as_vector

# --------------------------------------------------------------------------------------------
# Closed forms
# --------------------------------------------------------------------------------------------


@dataclass
class DeepLinearValues:
    """Primal and dual values of the deep linear min-norm problem for M = X^+ Y."""

    L: int
    sigma: np.ndarray
    primal: float
    dual: float

    @property
    def gap(self) -> float:
        return self.primal - self.dual

    @property
    def rank(self) -> int:
        s = self.sigma
        return int(np.sum(s > 1e-12 * max(float(s.max(initial=0.0)), 1e-300)))

    @property
    def parallel(self) -> float:
        """The parallel architecture's value: convex, equal to the dual (zero gap)."""
        return self.dual


MAX_DEPTH = 1000
"""Deepest network of the deep-linear formulas (one factor matrix per layer)."""


def _check_L(L) -> int:
    return as_count(L, "the depth L", 1, MAX_DEPTH)


def _check_sigma(sigma) -> np.ndarray:
    s = as_vector(sigma, name="the singular values")
    if np.any(s < 0):
        raise ValueError("singular values must be non-negative")
    return s


RANK_TOL = 1e-12


def singular_values(M: np.ndarray) -> np.ndarray:
    """Singular values of M, those below RANK_TOL * sigma_max * max(shape) set to zero (rounding
    noise of a rank-deficient M would otherwise show in sigma^{2/L} as a spurious gap)."""
    M = as_matrix(M, "M", column=False)
    s = np.linalg.svd(M, compute_uv=False)
    if s.size:
        s[s < RANK_TOL * s[0] * max(M.shape)] = 0.0
    return s


def values_from_sigma(sigma, L: int) -> DeepLinearValues:
    """P = (L/2) sum sigma^{2/L} and D = (L/2) (sum sigma)^{2/L} for given singular values."""
    L = _check_L(L)
    s = np.asarray(sigma, dtype=float).ravel()
    if np.any(s < 0) or not np.all(np.isfinite(s)):
        raise ValueError("singular values must be finite and non-negative")
    s = np.sort(s)[::-1]
    primal = L / 2 * float(np.sum(s ** (2.0 / L)))
    dual = L / 2 * float(np.sum(s)) ** (2.0 / L)
    return DeepLinearValues(L, s, primal, dual)


def deep_linear_values(M: np.ndarray, L: int) -> DeepLinearValues:
    """Primal P = (L/2) sum sigma_i^{2/L} and dual D = (L/2)(sum sigma_i)^{2/L} of M = X^+ Y."""
    return values_from_sigma(singular_values(M), L)


def min_norm_map(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """M = X^+ Y, the map of least singular values among all M with X M = Y (when Y is in range X)."""
    X = as_matrix(X, "X", column=False)
    Y = as_matrix(Y, "Y")
    if Y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but Y has {Y.shape[0]}")
    return np.linalg.pinv(X) @ Y


def scaled_objective(sigma, L: int, t):
    """Before the minimisation over t: (L-2)/2 t^2 + t^{-(L-2)} ||M||_{S_{2/L}} (primal) and the
    same with the nuclear norm (dual); arrays over t."""
    L = _check_L(L)
    s = np.asarray(sigma, dtype=float)
    t = np.asarray(t, dtype=float)
    schatten = float(np.sum(s ** (2.0 / L))) ** (L / 2.0)
    nuclear = float(np.sum(s))
    base = (L - 2) / 2.0 * t**2
    return base + t ** (-(L - 2.0)) * schatten, base + t ** (-(L - 2.0)) * nuclear


def minimize_over_t(sigma, L: int) -> tuple[float, float]:
    """The two values of :func:`scaled_objective` minimised numerically over t > 0 (a check of
    the closed forms)."""
    from scipy.optimize import minimize_scalar

    out = []
    for k in range(2):
        res = minimize_scalar(lambda lt, k=k: scaled_objective(sigma, L, np.exp(lt))[k], bounds=(-20, 20),
                              method="bounded", options={"xatol": 1e-12})
        out.append(float(res.fun))
    return out[0], out[1]


def balanced_factors(M: np.ndarray, L: int) -> list[np.ndarray]:
    """W_1 = U S^{1/L}, W_l = S^{1/L} (middle), W_L = S^{1/L} V^T: product M, penalty equal to P."""
    L = _check_L(L)
    U, s, Vt = np.linalg.svd(as_matrix(M, "M", column=False), full_matrices=False)
    root = np.diag(s ** (1.0 / L))
    if L == 1:
        return [U @ np.diag(s) @ Vt]
    return [U @ root] + [root.copy() for _ in range(L - 2)] + [root @ Vt]


# --------------------------------------------------------------------------------------------
# The regularised problem with X = I (what gradient descent minimises)
# --------------------------------------------------------------------------------------------


def _scalar_min(sig: float, L: int, beta: float, power: float) -> tuple[float, float]:
    """min_{s >= 0} 1/2 (s - sig)^2 + beta * c * s^power, with (c, power) = (L/2, 2/L) or (1, 1)."""
    from scipy.optimize import minimize_scalar

    c = L / 2.0 if power != 1.0 else 1.0

    def h(s):
        return 0.5 * (s - sig) ** 2 + beta * c * np.maximum(s, 0.0) ** power

    if sig <= 0:
        return 0.0, 0.0
    grid = np.linspace(0.0, sig, 4001)
    vals = h(grid)
    k = int(np.argmin(vals))
    best_s, best = float(grid[k]), float(vals[k])
    if k > 0:
        lo, hi = grid[max(k - 1, 1)], grid[min(k + 1, grid.size - 1)]
        res = minimize_scalar(h, bounds=(lo, hi), method="bounded", options={"xatol": 1e-13})
        if res.fun < best:
            best_s, best = float(res.x), float(res.fun)
    if h(0.0) <= best:
        return 0.0, float(h(0.0))
    return best_s, best


def regularized_value(sigma, L: int, beta: float, rank: int | None = None) -> float:
    """min 1/2 ||M - Y||^2 + (beta/2) sum_l ||W_l||^2 over factorisations M = W_1...W_L, X = I:
    sum_i min_{s >= 0} 1/2 (s - sigma_i)^2 + beta (L/2) s^{2/L}.

    With ``rank`` r only the r largest singular values are fitted and the rest are left at s = 0
    (the value of a point where gradient descent stalls at rank r).
    """
    L = _check_L(L)
    beta = as_number(beta, "beta", nonnegative=True)
    s = np.sort(_check_sigma(sigma))[::-1]
    r = s.size if rank is None else as_count(rank, "rank", 0)
    total = 0.0
    for i, si in enumerate(s):
        total += _scalar_min(si, L, beta, 2.0 / L)[1] if i < r else 0.5 * si**2
    return float(total)


def parallel_regularized_value(sigma, beta: float) -> float:
    """min 1/2 ||M - Y||^2 + beta ||M||_* (X = I): the parallel network with penalty
    (beta/L) sum_{l,j} ||W_{l,j}||^L, a convex problem; sum_i min_s 1/2 (s - sigma_i)^2 + beta s."""
    s = _check_sigma(sigma)
    beta = as_number(beta, "beta", nonnegative=True)
    return float(np.sum(np.where(s >= beta, beta * s - beta**2 / 2, s**2 / 2)))


# --------------------------------------------------------------------------------------------
# Gradient descent in numpy
# --------------------------------------------------------------------------------------------


@dataclass
class GDResult:
    """A gradient-descent run: objective at every one of the first 100 steps and then every
    ``record_every`` steps, final weights and values."""

    objective: np.ndarray
    steps: np.ndarray
    weights: list
    final: float
    product_sigma: np.ndarray
    info: dict = field(default_factory=dict)


def init_weights(dims: list[int], scale: float, rng: np.random.Generator) -> list[np.ndarray]:
    """W_l = scale * N(0, 1) / sqrt(fan_in), of shapes (dims[l], dims[l+1])."""
    return [scale * rng.standard_normal((a, b)) / np.sqrt(a)
            for a, b in zip(dims[:-1], dims[1:], strict=True)]


def _chain(X, Ws):
    A = [X]
    for W in Ws:
        A.append(A[-1] @ W)
    return A


def deep_linear_objective(X, Y, Ws, beta: float) -> float:
    """1/2 ||X W_1...W_L - Y||^2 + (beta/2) sum_l ||W_l||_F^2."""
    R = _chain(X, Ws)[-1] - Y
    return 0.5 * float(np.sum(R**2)) + beta / 2 * sum(float(np.sum(W**2)) for W in Ws)


def train_deep_linear(X, Y, L: int, beta: float, scale: float, lr: float = 0.1, steps: int = 5000,
                      width: int | None = None, seed: int = 0, record_every: int = 50) -> GDResult:
    """Full-batch gradient descent on 1/2 ||X W_1...W_L - Y||^2 + (beta/2) sum ||W_l||^2.

    Hidden widths ``width`` (default: the input dimension); initialisation
    W_l = scale N(0, 1)/sqrt(fan_in) from ``default_rng(seed)``. With X = I, Y from
    ``default_rng(1)`` (3 x 2), beta = 0.1: L = 3, scale 0.5 reaches 0.348084; L = 4 reaches
    0.446191 from scale 1.0 but stalls at rank one (0.754143) from scale 0.5 (docs/deep-networks.md;
    lr 2e-3 for 3e5 steps there, lr 0.1 for 5000 steps gives the same values).
    """
    L = _check_L(L)
    X = np.atleast_2d(np.asarray(X, dtype=float))
    Y = np.asarray(Y, dtype=float).reshape(X.shape[0], -1)
    h = X.shape[1] if width is None else int(width)
    dims = [X.shape[1]] + [h] * (L - 1) + [Y.shape[1]]
    Ws = init_weights(dims, scale, np.random.default_rng(seed))
    hist, at = [], []
    for it in range(int(steps) + 1):
        A = _chain(X, Ws)
        R = A[-1] - Y
        if it % record_every == 0 or it < 100 or it == steps:
            hist.append(0.5 * float(np.sum(R**2)) + beta / 2 * sum(float(np.sum(W**2)) for W in Ws))
            at.append(it)
            if not np.isfinite(hist[-1]):
                break
        if it == steps:
            break
        B = R
        grads = [None] * L
        for layer in range(L - 1, -1, -1):
            grads[layer] = A[layer].T @ B + beta * Ws[layer]
            B = B @ Ws[layer].T
        for layer in range(L):
            Ws[layer] -= lr * grads[layer]
    M = np.linalg.multi_dot(Ws) if L > 1 else Ws[0]
    return GDResult(np.array(hist), np.array(at), Ws, hist[-1], np.linalg.svd(M, compute_uv=False),
                    {"L": L, "scale": scale, "lr": lr, "beta": beta})


def train_diagonal(sigma, L: int, beta: float, a0: float, lr: float = 0.1, steps: int = 5000,
                   record_every: int = 50) -> GDResult:
    """The separable reduction for X = I: per singular value sigma_i, a balanced chain of L
    scalars a (product s = a^L) under gradient descent on 1/2 (a^L - sigma)^2 + beta (L/2) a^2.

    This is gradient descent on the deep linear network started from aligned, balanced weights
    a0 * I; it shows the same stall at s = 0 from small a0 for L >= 3.
    """
    L = _check_L(L)
    s = np.asarray(sigma, dtype=float).ravel()
    a = np.full(s.shape, float(a0))
    hist, at = [], []
    for it in range(int(steps) + 1):
        p = a**L
        if it % record_every == 0 or it < 100 or it == steps:
            hist.append(float(np.sum(0.5 * (p - s) ** 2 + beta * L / 2 * a**2)))
            at.append(it)
        if it == steps:
            break
        # d/da_l of 1/2 (prod_l a_l - s)^2 = (p - s) p / a_l = (p - s) a^{L-1} (balanced chain)
        a = a - lr * ((p - s) * a ** (L - 1) + beta * a)
    return GDResult(np.array(hist), np.array(at), [a], hist[-1], np.sort(a**L)[::-1],
                    {"L": L, "a0": a0, "lr": lr, "beta": beta})


def parallel_objective(X, Y, branches, beta: float) -> float:
    """1/2 ||sum_j X W_{1,j}...W_{L,j} - Y||^2 + (beta/L) sum_{j,l} ||W_{l,j}||_F^L."""
    L = len(branches[0])
    out = sum(_chain(X, Ws)[-1] for Ws in branches)
    pen = sum(float(np.linalg.norm(W)) ** L for Ws in branches for W in Ws)
    return 0.5 * float(np.sum((out - Y) ** 2)) + beta / L * pen


def train_parallel_linear(X, Y, L: int, beta: float, scale: float, branches: int | None = None,
                          lr: float = 0.1, steps: int = 5000, seed: int = 0,
                          record_every: int = 50) -> GDResult:
    """Gradient descent on a parallel deep linear network (``branches`` width-one chains
    X w_{1,j} (scalars) ... b_j^T, default min(d_in, d_out) + 1 branches) with the penalty
    (beta/L) sum_{j,l} ||W_{l,j}||^L. Its global value is the convex
    min 1/2 ||M - Y||^2 + beta ||M||_* (:func:`parallel_regularized_value` for X = I)."""
    L = _check_L(L)
    if L < 2:
        raise ValueError("a parallel network needs L >= 2")
    X = np.atleast_2d(np.asarray(X, dtype=float))
    Y = np.asarray(Y, dtype=float).reshape(X.shape[0], -1)
    m = min(X.shape[1], Y.shape[1]) + 1 if branches is None else int(branches)
    rng = np.random.default_rng(seed)
    dims = [X.shape[1]] + [1] * (L - 1) + [Y.shape[1]]
    nets = [init_weights(dims, scale, rng) for _ in range(m)]
    hist, at = [], []
    for it in range(int(steps) + 1):
        chains = [_chain(X, Ws) for Ws in nets]
        R = sum(A[-1] for A in chains) - Y
        if it % record_every == 0 or it < 100 or it == steps:
            pen = sum(float(np.linalg.norm(W)) ** L for Ws in nets for W in Ws)
            hist.append(0.5 * float(np.sum(R**2)) + beta / L * pen)
            at.append(it)
            if not np.isfinite(hist[-1]):
                break
        if it == steps:
            break
        for Ws, A in zip(nets, chains, strict=True):
            B = R
            grads = [None] * L
            for layer in range(L - 1, -1, -1):
                nrm = float(np.linalg.norm(Ws[layer]))
                grads[layer] = A[layer].T @ B + beta * nrm ** (L - 2) * Ws[layer]
                B = B @ Ws[layer].T
            for layer in range(L):
                Ws[layer] -= lr * grads[layer]
    M = sum(np.linalg.multi_dot(Ws) for Ws in nets)
    return GDResult(np.array(hist), np.array(at), nets, hist[-1], np.linalg.svd(M, compute_uv=False),
                    {"L": L, "scale": scale, "lr": lr, "beta": beta, "branches": m})


# --------------------------------------------------------------------------------------------
# The verification cases of docs/deep-networks.md
# --------------------------------------------------------------------------------------------


def random_case() -> tuple[np.ndarray, np.ndarray]:
    """X (3 x 4) then Y (3 x 2) from default_rng(0); sigma(X^+ Y) = (4.3317, 0.5165)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 4))
    Y = rng.standard_normal((3, 2))
    return X, Y


def gd_case() -> tuple[np.ndarray, np.ndarray]:
    """X = I (3 x 3), Y (3 x 2) from default_rng(1): the gradient-descent check."""
    return np.eye(3), np.random.default_rng(1).standard_normal((3, 2))


def table_cases() -> list[tuple[str, str, np.ndarray, np.ndarray, int]]:
    """(X label, Y label, X, Y, L) of the P/D table of docs/deep-networks.md."""
    I2 = np.eye(2)
    Xr, Yr = random_case()
    return [
        ("I2", "I2", I2, I2, 3),
        ("I2", "diag(2,0)", I2, np.diag([2.0, 0.0]), 3),
        ("I2", "diag(4,1)", I2, np.diag([4.0, 1.0]), 2),
        ("I2", "diag(4,1)", I2, np.diag([4.0, 1.0]), 3),
        ("I2", "diag(4,1)", I2, np.diag([4.0, 1.0]), 4),
        ("random 3x4", "random 3x2", Xr, Yr, 3),
        ("random 3x4", "random 3x2", Xr, Yr, 4),
    ]


def pd_table() -> list[dict]:
    """The P/D table recomputed: rows with X, Y, L, P, D, gap."""
    rows = []
    for xl, yl, X, Y, L in table_cases():
        v = deep_linear_values(min_norm_map(X, Y), L)
        rows.append({"X": xl, "Y": yl, "L": L, "P": v.primal, "D": v.dual, "gap": v.gap,
                     "rank": v.rank})
    return rows
