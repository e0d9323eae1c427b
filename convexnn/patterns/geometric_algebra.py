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


def signed_volume(x, vectors) -> float:
    """det[x; x_1; ..; x_{d-1}]: the signed volume of the parallelotope spanned by x and the d-1
    rows of ``vectors`` in R^d.

    Expanding the determinant along its first row gives x^T x(x_1, .., x_{d-1}) (the cross
    product of :func:`cross_product`): positive on the side the normal points to, negative on
    the other, zero on the hyperplane spanned by the x_k.
    """
    V = np.atleast_2d(np.asarray(vectors, dtype=float))
    x = np.asarray(x, dtype=float).ravel()
    if V.shape != (x.size - 1, x.size):
        raise ValueError(f"the volume takes x in R^d and d-1 vectors in R^d, got {x.size} and {V.shape}")
    return float(np.linalg.det(np.vstack([x, V])))


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


def _distinct_rows(rng: np.random.Generator, n: int, k: int, s: int) -> np.ndarray:
    """(k, s) row indices, distinct within each row, uniformly over ordered s-subsets of range(n)."""
    if s == 1:
        return rng.integers(0, n, size=(k, 1))
    if s == 2:
        first = rng.integers(0, n, size=k)
        second = (first + rng.integers(1, n, size=k)) % n
        return np.column_stack([first, second])
    return np.argsort(rng.random((k, n)), axis=1)[:, :s]


def ga_directions(X: np.ndarray, k: int, seed: int = 0, sketch_dim: int | None = None,
                  bias: bool = True, eps: float = 1e-8, retries: int = 20) -> np.ndarray:
    """k gate vectors (columns, shape (d~, k)) of hyperplanes through random data points, all drawn
    at once (the package's one geometric-algebra sampler).

    The construction of the reference ``cvx_sample_vectors``: with bias, pick s distinct points
    (s = sketch dimension, or d), take the null vector v of the differences S x_j - S x_last (last
    right singular vector, as :func:`unit_normal`), and return
    [S^T v; -(S x_last)^T v + eps ||S^T v||] / ||S^T v||, so the chosen points are active; without
    bias, the null vector of s - 1 sketched points, plus ``eps`` times the sum of the chosen unit
    points (so they are active too). Rank-deficient draws are redrawn up to ``retries`` times,
    then replaced by Gaussian vectors.
    """
    X, rng, S, SX = sketched_points(X, k, seed, sketch_dim)
    n, d = X.shape
    k = int(k)
    s = S.shape[0]
    picks = s if bias else s - 1
    out = np.empty((d + (1 if bias else 0), k))
    todo = np.arange(k)
    if picks < 1 or picks > n:
        out[:] = rng.standard_normal(out.shape)
        return out
    for _ in range(retries):
        if todo.size == 0:
            break
        J = _distinct_rows(rng, n, todo.size, picks)
        if bias:
            base = SX[J[:, -1]]  # (m, s)
            M = SX[J[:, :-1]] - base[:, None, :]  # (m, s-1, s)
        else:
            base = None
            M = SX[J]  # (m, s-1, s)
        if M.shape[1] == 0:  # s = 1 with bias: any direction, oriented at random
            V = rng.choice([-1.0, 1.0], size=(todo.size, 1))
            ok = np.ones(todo.size, bool)
        else:
            _, sv, vt = np.linalg.svd(M, full_matrices=True)
            V = vt[:, -1, :]  # (m, s) unit null vectors
            scale = np.maximum(np.abs(M).max(axis=(1, 2)), 1e-300)
            ok = sv[:, -1] > 1e-10 * scale * max(M.shape[1:])
        W = V @ S  # (m, d): S^T v as rows
        norm = np.linalg.norm(W, axis=1)
        ok &= norm > 1e-12
        if bias:
            b = -np.einsum("ms,ms->m", base, V) + eps * norm
            G = np.column_stack([W, b]) / np.where(norm > 0, norm, 1.0)[:, None]
        else:
            G = W / np.where(norm > 0, norm, 1.0)[:, None]
            # nudge towards the chosen points so that they (and rows parallel to them) are
            # active; without it rounding gives such rows arbitrary signs, which can make a
            # pattern no direction realizes (e.g. 010 on the talk's data)
            P = X[J]
            G = G + eps * (P / np.maximum(np.linalg.norm(P, axis=-1, keepdims=True), 1e-300)).sum(axis=1)
        out[:, todo[ok]] = G[ok].T
        todo = todo[~ok]
    if todo.size:
        out[:, todo] = rng.standard_normal((out.shape[0], todo.size))
    return out

