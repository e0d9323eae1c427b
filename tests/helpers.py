"""Independent reference implementations shared by the convexnn test files.

Apart from the cached V4.2 solves at the end, nothing here calls convexnn: each function
recomputes a quantity of math.md from its definition, so a test that compares convexnn with a
helper compares two independent computations.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
from scipy.optimize import linprog

# --------------------------------------------------------------------------------------------
# Data of the verification cases
# --------------------------------------------------------------------------------------------

TALK_X = np.array([[3.0, 3.0], [2.0, 2.0], [1.0, 0.0]])


def v42_data() -> tuple[np.ndarray, np.ndarray]:
    """math.md V4.2: default_rng(0), 30 points U[-1,1]^2, y = sign(sin(3 x1) + x2)."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(30, 2))
    y = np.sign(np.sin(3 * X[:, 0]) + X[:, 1])
    assert np.all(y != 0)
    return X, y


BETA_MAX_V42 = 13.90750  # math.md section 5


@functools.cache
def v42_cones():
    """The exact patterns of the V4.2 data with their cones (computed once per session)."""
    from convexnn import prepare_patterns

    return prepare_patterns(v42_data()[0], "exact")


@functools.cache
def v42_fit(beta: float):
    """The default solve of the V4.2 data at ``beta``, shared by the test files (do not mutate)."""
    from convexnn import fit_convex

    X, y = v42_data()
    return fit_convex(X, y, beta, cones=v42_cones())


def rel(a: float, b: float) -> float:
    """Relative difference |a - b| / max(|b|, 1e-300)."""
    return abs(a - b) / max(abs(b), 1e-300)


# --------------------------------------------------------------------------------------------
# Losses and objectives, from their definitions (math.md section 1)
# --------------------------------------------------------------------------------------------


def loss_value(loss: str, f: np.ndarray, y: np.ndarray) -> float:
    if loss == "squared":
        return 0.5 * float(np.sum((f - y) ** 2))
    if loss == "logistic":
        return float(np.sum(np.log1p(np.exp(-y * f))))
    if loss == "hinge":
        return float(np.sum(np.maximum(0.0, 1.0 - y * f)))
    raise AssertionError(loss)


def lifted(X: np.ndarray, bias: bool) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    return np.hstack([X, np.ones((X.shape[0], 1))]) if bias else X


def network_objective(W1, b1, w2, X, y, beta, loss="squared", intercept=0.0) -> float:
    """l(sum_j (X w1_j + b1_j)_+ w2_j, y) + (beta/2)(||W1||^2 + ||b1||^2 + ||w2||^2)."""
    X = np.asarray(X, dtype=float).reshape(len(y), -1)
    f = np.maximum(X @ W1 + b1, 0.0) @ w2 + intercept
    penalty = np.sum(W1**2) + np.sum(b1**2) + np.sum(w2**2)
    return loss_value(loss, f, y) + 0.5 * beta * float(penalty)


def convex_objective(X, y, beta, patterns, u, u_neg, bias, loss="squared") -> float:
    """l(sum_i D_i X~ (u_i - u'_i), y) + beta sum_i (||u_i|| + ||u'_i||)."""
    Xt = lifted(X, bias)
    D = np.asarray(patterns, dtype=float)
    pred = np.sum(D * ((u - u_neg) @ Xt.T), axis=0)
    pen = np.linalg.norm(u, axis=1).sum() + np.linalg.norm(u_neg, axis=1).sum()
    return loss_value(loss, pred, y) + beta * float(pen)


def h_orthonormal(a: float, beta: float) -> float:
    """math.md V1.1: h(a) = beta a - beta^2/2 if a >= beta, a^2/2 otherwise."""
    return beta * a - beta**2 / 2 if a >= beta else a**2 / 2


# --------------------------------------------------------------------------------------------
# Patterns: three independent exact methods and a sampler
# --------------------------------------------------------------------------------------------


def as_set(P: np.ndarray) -> set[tuple[int, ...]]:
    P = np.asarray(P, dtype=bool)
    if P.size:
        P = np.unique(P, axis=0)
    return {tuple(int(v) for v in row) for row in P}


def realizable(Xt: np.ndarray, p: np.ndarray) -> bool:
    """Is there a g with X~[p] g >= 0 and X~[~p] g < 0?

    The set of such g is a cone, so the strict inequalities can be scaled to X~[~p] g <= -1;
    the active rows keep ">= 0", which admits patterns that only exist on a boundary (g on the
    hyperplane of an active point, e.g. antipodal rows both active, or g = 0 for all-ones).
    """
    p = np.asarray(p, dtype=bool)
    if not (~p).any():
        return True  # g = 0
    A = np.vstack([-Xt[p], Xt[~p]])
    b = np.concatenate([np.zeros(p.sum()), -np.ones((~p).sum())])
    d = Xt.shape[1]
    res = linprog(np.zeros(d), A_ub=A, b_ub=b, bounds=[(None, None)] * d, method="highs")
    assert res.status in (0, 2), res.message
    return res.status == 0


def lp_patterns(X: np.ndarray, bias: bool) -> set[tuple[int, ...]]:
    """Brute force: every sign vector in {0,1}^n that an LP can realize (n <= 10)."""
    Xt = lifted(X, bias)
    n = Xt.shape[0]
    assert n <= 10
    return {
        bits for bits in itertools.product((1, 0), repeat=n) if realizable(Xt, np.array(bits, dtype=bool))
    }


def pair_patterns(X: np.ndarray) -> set[tuple[int, ...]]:
    """math.md section 2, the O(n^3) pair method for 2-D data *in general position* with bias.

    For each pair i < j, h = [nu, -x_i^T nu] with nu = (x_j - x_i)^perp; for both orientations
    s, emit base = 1(s X~ h > 0) with the bits of i and j set in all four ways.
    """
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    Xt = lifted(X, True)
    i, j = np.triu_indices(n, 1)
    diff = X[j] - X[i]
    nu = np.column_stack([-diff[:, 1], diff[:, 0]])
    H = np.column_stack([nu, -np.sum(X[i] * nu, axis=1)])  # (pairs, 3)
    out = []
    for s in (1.0, -1.0):
        base = (s * (H @ Xt.T)) > 0  # (pairs, n)
        for bi, bj in itertools.product((False, True), repeat=2):
            B = base.copy()
            B[np.arange(len(i)), i] = bi
            B[np.arange(len(i)), j] = bj
            out.append(B)
    return as_set(np.vstack(out))


def vertex_patterns(X: np.ndarray, bias: bool, tol: float = 1e-9) -> set[tuple[int, ...]]:
    """Exact patterns of *any* data of rank <= 3 (degenerate allowed), by vertices + LP.

    Work in an orthonormal basis of the row space (rank r). Every face of the central
    arrangement other than {0} has an extreme ray in its closure when r >= 2 (the cones are
    pointed there); the rays are the lines orthogonal to r - 1 independent rows. Near a ray h the
    rows with z^T h != 0 keep their sign and the rows on h can take any on/off combination that
    is realizable: enumerate those combinations and keep the ones an LP realizes. Add g = 0
    (all-ones).
    """
    Xt = lifted(X, bias)
    n = Xt.shape[0]
    _, s, vt = np.linalg.svd(Xt, full_matrices=False)
    r = int(np.sum(s > 1e-10 * s[0]))
    Z = Xt @ vt[:r].T
    rays = []
    if r == 1:
        rays = [np.array([1.0])]
    elif r == 2:
        rays = [np.array([-z[1], z[0]]) for z in Z if np.linalg.norm(z) > tol]
    elif r == 3:
        for a, b in itertools.combinations(range(n), 2):
            h = np.cross(Z[a], Z[b])
            if np.linalg.norm(h) > tol * max(1.0, np.linalg.norm(Z[a]) * np.linalg.norm(Z[b])):
                rays.append(h)
    else:
        raise AssertionError("rank > 3")
    if rays:
        R = np.array(rays) / np.linalg.norm(rays, axis=1, keepdims=True)
        R *= np.where(R[np.arange(len(R)), np.argmax(np.abs(R) > 1e-9, axis=1)] < 0, -1.0, 1.0)[:, None]
        _, first = np.unique(np.round(R, 7), axis=0, return_index=True)
        rays = R[np.sort(first)]
    cands = {tuple([1] * n)}
    for h in rays:
        for sgn in (1.0, -1.0):
            v = sgn * (Z @ h) / np.linalg.norm(h)
            zero = np.flatnonzero(np.abs(v) <= tol * np.linalg.norm(Z, axis=1).clip(1e-300))
            base = v > 0
            for bits in itertools.product((False, True), repeat=zero.size):
                p = base.copy()
                p[zero] = bits
                cands.add(tuple(int(b) for b in p))
    return {c for c in cands if realizable(Xt, np.array(c, dtype=bool))}


def sampled_patterns(X: np.ndarray, bias: bool, k: int, seed: int) -> set[tuple[int, ...]]:
    """Patterns 1[X~ g >= 0] of k Gaussian directions (realized by construction)."""
    Xt = lifted(X, bias)
    G = np.random.default_rng(seed).standard_normal((Xt.shape[1], k))
    return as_set((Xt @ G >= 0).T)


def general_position_count(n: int, r: int) -> int:
    from math import comb

    return 2 * sum(comb(n - 1, k) for k in range(r))


# --------------------------------------------------------------------------------------------
# Plain gradient descent on the nonconvex objective (math.md V1.3, V4.1)
# --------------------------------------------------------------------------------------------


def gd_squared(X, y, beta, W1, w2, lr=1e-2, steps=20000):
    """Full-batch GD on 1/2||(X W1)_+ w2 - y||^2 + (beta/2)(||W1||^2 + ||w2||^2), no bias."""
    W1 = np.array(W1, dtype=float)
    w2 = np.array(w2, dtype=float)
    for _ in range(steps):
        Zp = X @ W1
        H = np.maximum(Zp, 0.0)
        r = H @ w2 - y
        g2 = H.T @ r + beta * w2
        g1 = X.T @ ((Zp > 0) * np.outer(r, w2)) + beta * W1
        W1 -= lr * g1
        w2 -= lr * g2
    grad = np.sqrt(np.sum(g1**2) + np.sum(g2**2))
    return W1, w2, float(grad)
