"""The generalized cross product and the geometric-algebra view of arrangements.

Mathematics: docs/sampling-and-geometric-algebra.md.

For vectors x_1..x_{d-1} in R^d with A = [x_1 ... x_{d-1}] (d x (d-1)) and A_i the matrix A
without row i,

    x(x_1, .., x_{d-1}) = sum_i (-1)^(i-1) det(A_i) e_i,

which is orthogonal to every x_k, and x^T x(x_1, .., x_{d-1}) = det[x, x_1, .., x_{d-1}]
(the wedge product times the inverse pseudoscalar). Its direction is the normal of the
hyperplane through the origin spanned by the x_k; with a bias column, the normal of the
hyperplane through d points. Randomized geometric-algebra sampling (Wang et al.,
arXiv 2406.02806; pilancilab/Randomized-Geometric-Algebra-Methods, ``cvx_sample_vectors``)
draws such hyperplanes through random data points, optionally after a sketch S in R^{s x d}.
"""

from __future__ import annotations

import numpy as np


def cross_product(vectors) -> np.ndarray:
    """The generalized cross product of d-1 vectors in R^d (rows of ``vectors``, shape (d-1, d)).

    Computed from the cofactor expansion, so it is exact up to rounding and scales with the
    volume spanned; it is zero when the vectors are linearly dependent.
    """
    V = np.atleast_2d(np.asarray(vectors, dtype=float))
    k, d = V.shape
    if k != d - 1:
        raise ValueError(f"the cross product takes d-1 = {d - 1} vectors in R^{d}, got {k}")
    A = V.T  # d x (d-1)
    if d == 1:
        return np.ones(1)
    out = np.empty(d)
    for i in range(d):
        out[i] = (-1) ** i * np.linalg.det(np.delete(A, i, axis=0))
    return out


def unit_normal(vectors) -> np.ndarray:
    """A unit vector orthogonal to the rows of ``vectors`` (the last right singular vector).

    This is the robust form of the cross product used for sampling (its sign is arbitrary).
    """
    V = np.atleast_2d(np.asarray(vectors, dtype=float))
    _, _, vt = np.linalg.svd(V, full_matrices=True)
    return vt[-1]


def sjlt_sketch(d: int, s: int, rng: np.random.Generator) -> np.ndarray:
    """A sparse Johnson-Lindenstrauss sketch S (s x d) with one random +-1 per column."""
    S = np.zeros((s, d))
    S[rng.integers(0, s, size=d), np.arange(d)] = rng.choice([-1.0, 1.0], size=d)
    return S


def sketched_points(X: np.ndarray, k: int, seed: int, sketch_dim: int | None):
    """(X as (n, d), the seeded generator, the sketch S (s, d), S x_i as rows (n, s)) of a GA sampler.

    Without a sketch (``sketch_dim`` None or >= d) S is the identity.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    d = X.shape[1]
    if int(k) < 1:
        raise ValueError("the number of samples k must be at least 1")
    rng = np.random.default_rng(seed)
    if sketch_dim is None or sketch_dim >= d:
        S = np.eye(d)
    else:
        if sketch_dim < 1:
            raise ValueError("the sketch dimension must be at least 1")
        S = sjlt_sketch(d, int(sketch_dim), rng)
    return X, rng, S, X @ S.T


def ga_directions(X: np.ndarray, k: int, seed: int = 0, sketch_dim: int | None = None,
                  bias: bool = True, eps: float = 1e-8, retries: int = 20) -> np.ndarray:
    """k gate vectors (columns, shape (d~, k)) of hyperplanes through random data points.

    With bias: pick s points (s = sketch dimension, or d without sketch), take the null vector v
    of the differences S x_{j_k} - S x_{j_s}, and return g = [S^T v; -(S x_{j_s})^T v] / ||S^T v||
    with ``eps`` added to the bias entry, so the chosen points are active. Without bias: the
    null vector of S x_{j_1}, .., S x_{j_{s-1}} mapped back by S^T. Rank-deficient draws are
    retried ``retries`` times and then replaced by a Gaussian vector.
    """
    X, rng, S, SX = sketched_points(X, k, seed, sketch_dim)
    n, d = X.shape
    s = S.shape[0]
    picks = s if bias else s - 1
    cols = []
    for _ in range(int(k)):
        g = None
        for _ in range(retries):
            if picks > n or picks < 1:
                break
            j = rng.choice(n, size=picks, replace=False)
            if bias:
                base = SX[j[-1]]
                M = SX[j[:-1]] - base
            else:
                M = SX[j]
            if M.shape[0] and np.linalg.matrix_rank(M) < M.shape[0]:
                continue
            v = unit_normal(M) if M.shape[0] else rng.standard_normal(s)
            w = S.T @ v
            norm = np.linalg.norm(w)
            if norm < 1e-12:
                continue
            g = np.concatenate([w, [-(base @ v) + eps * norm]]) / norm if bias else w / norm
            break
        if g is None:
            g = rng.standard_normal(d + (1 if bias else 0))
        cols.append(g)
    return np.array(cols).T
