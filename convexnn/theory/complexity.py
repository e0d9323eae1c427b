"""How hard the convex program is (docs/complexity.md; Wang & Pilanci, arXiv 2311.10972).

- The work is dominated by the number p of patterns: O(n^r) for data of rank r; Cover's bound
  2 r (e (n-1)/r)^r; for CNNs with filters of size r the talk gives O(r^3 (n/r)^{3r}).
- Three classes of data: *orthogonally separable* (x_i^T x_k > 0 within a class, <= 0 across):
  exact in polynomial time, since for classification losses the two class patterns
  D_+ = diag(1[y > 0]) and D_- = diag(1[y < 0]) suffice (docs/complexity.md, our derivation; it fails for
  the squared loss at small beta); *negatively correlated* (<= 0 across classes only): a
  sqrt(pi/2) approximation; *general* data.
- The Max-Cut link: for a fixed dual vector lambda, max_D ||X^T D lambda||^2 over all
  D = diag(delta), delta in {0,1}^n, is the binary quadratic program
  max delta^T (diag(lambda) X X^T diag(lambda)) delta; homogenised with z = (z0, z_1..z_n) in
  {+-1}^{n+1} (delta_i = (1 + z0 z_i)/2) it is a Max-Cut-type form with a PSD matrix, whose SDP
  relaxation max <A~, Z>, Z PSD, diag Z = 1 is at most pi/2 times the optimum (Nesterov), i.e. a
  sqrt(pi/2) factor for the norm; Goemans-Williamson random-hyperplane rounding attains it in
  expectation.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from math import sqrt

import numpy as np

from ..data.validate import as_matrix, as_vector
from ..patterns.arrangements import count_patterns, cover_bound, exact_patterns, general_position_count

NEGATIVE_CORRELATION_EPS = sqrt(np.pi / 2) - 1
"""sqrt(pi/2) - 1 ~ 0.2533: the approximation for negatively correlated data."""
HARDNESS_EPS = sqrt(84 / 83) - 1
"""sqrt(84/83) - 1 = 0.006006: (1 + eps)-approximation is NP-hard for eps up to this (docs/complexity.md
and the issue quote ~0.00598, which is not what the formula gives; the app shows the formula's
value and says so)."""
MAX_BRUTE_FORCE = 20
DATA_CLASSES = ("orthogonally separable", "negatively correlated", "general")


# --------------------------------------------------------------------------------------------
# Pattern counts
# --------------------------------------------------------------------------------------------


def cnn_bound(n, r) -> np.ndarray:
    """The talk's CNN pattern bound r^3 (n/r)^{3r} (the O(.) constant taken as 1)."""
    n = np.asarray(n, dtype=float)
    return r**3 * (n / r) ** (3 * r)


def pattern_count_table(ns, seed: int = 0, materialize_limit: int = 400) -> list[dict]:
    """Exact pattern counts of n Gaussian points in the plane with bias (rank r = 3).

    Per n: the count (Euler's formula on the sweep, :func:`count_patterns`) and its time, the time
    to materialise every pattern (:func:`exact_patterns`, up to ``materialize_limit`` points),
    the general-position count n^2 - n + 2 and Cover's bound 2 r (e (n-1)/r)^r.
    """
    rows = []
    rng = np.random.default_rng(seed)
    for n in ns:
        n = int(n)
        X = rng.standard_normal((n, 2))
        t0 = time.perf_counter()
        count = count_patterns(X, bias=True)
        t_count = time.perf_counter() - t0
        t_enum = float("nan")
        if n <= materialize_limit:
            t0 = time.perf_counter()
            enumerated = exact_patterns(X, bias=True).shape[0]
            t_enum = time.perf_counter() - t0
            if enumerated != count:
                raise RuntimeError(f"enumeration and counting disagree at n = {n}")
        rows.append({"n": n, "patterns": count, "count_seconds": t_count, "enumerate_seconds": t_enum,
                     "general_position": general_position_count(n, 3), "cover_bound": cover_bound(n, 3)})
    return rows


# --------------------------------------------------------------------------------------------
# Classes of data and the two-pattern program
# --------------------------------------------------------------------------------------------


@dataclass
class DataClass:
    """Which class the data belong to, with the inner products that decide it."""

    kind: str
    min_within: float
    """Smallest x_i^T x_k over pairs i != k of the same class (must be > 0)."""
    max_across: float
    """Largest x_i^T x_k over pairs of different classes (must be <= 0)."""
    bad_within: int
    bad_across: int
    pairs_within: int
    pairs_across: int

    def summary(self) -> str:
        return (f"{self.kind}: within-class inner products ≥ {self.min_within:.3g} "
                f"({self.bad_within} of {self.pairs_within} pairs ≤ 0), across classes ≤ "
                f"{self.max_across:.3g} ({self.bad_across} of {self.pairs_across} pairs > 0)")


def data_class(X: np.ndarray, y: np.ndarray, tol: float = 1e-12) -> DataClass:
    """Orthogonally separable, negatively correlated or general (labels: their signs)."""
    X = as_matrix(X, "X")
    y = as_vector(y, X.shape[0], "y")
    labels = np.sign(y)
    if np.any(labels == 0) or np.unique(labels).size != 2:
        raise ValueError("the data classes need two classes of labels (y > 0 and y < 0)")
    K = X @ X.T
    same = labels[:, None] == labels[None, :]
    off = ~np.eye(len(y), dtype=bool)
    within, across = K[same & off], K[~same]
    bad_w = int(np.sum(within <= tol) // 2)
    bad_a = int(np.sum(across > tol) // 2)
    if bad_a == 0:
        kind = DATA_CLASSES[0] if bad_w == 0 else DATA_CLASSES[1]
    else:
        kind = DATA_CLASSES[2]
    return DataClass(kind, float(within.min(initial=np.inf)), float(across.max(initial=-np.inf)),
                     bad_w, bad_a, int(within.size // 2), int(across.size // 2))


def two_patterns(y: np.ndarray) -> np.ndarray:
    """The class patterns D_+ = 1[y > 0] and D_- = 1[y < 0], shape (2, n)."""
    y = as_vector(y, name="y")
    return np.vstack([y > 0, y < 0])


def orthogonally_separable_example(n: int = 20, d: int = 3, seed: int = 0):
    """n points in R^d: class +1 in the positive orthant, class -1 in the negative one (labels
    random), so x_i^T x_k > 0 within and < 0 across classes."""
    rng = np.random.default_rng(seed)
    y = rng.choice([-1.0, 1.0], size=n)
    y[0], y[-1] = 1.0, -1.0  # both classes present
    X = np.abs(rng.standard_normal((n, d))) * y[:, None]
    return X, y


@dataclass
class TwoPatternResult:
    loss: str
    beta: float
    full: float
    two: float
    n_patterns: int
    certified: bool
    seconds: float

    @property
    def ratio(self) -> float:
        return self.two / self.full if self.full > 0 else float("nan")


def two_pattern_comparison(X, y, betas=(0.01, 0.1, 1.0), losses=("logistic", "hinge", "squared"),
                           bias: bool = False, solver: str = "fast") -> list[TwoPatternResult]:
    """The cone-constrained program on all exact patterns vs on the two class patterns only."""
    from ..program.convex import fit_convex

    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    P2 = two_patterns(y)
    out = []
    for loss in losses:
        for beta in betas:
            t0 = time.perf_counter()
            full = fit_convex(X, y, beta, loss=loss, patterns="exact", bias=bias, solver=solver)
            two = fit_convex(X, y, beta, loss=loss, patterns=P2, bias=bias, solver=solver)
            out.append(TwoPatternResult(loss, float(beta), float(full.objective), float(two.objective),
                                        full.n_patterns, bool(full.certificate.optimal and
                                                              two.certificate.optimal),
                                        time.perf_counter() - t0))
    return out


# --------------------------------------------------------------------------------------------
# Max-Cut
# --------------------------------------------------------------------------------------------


def bqp_matrix(X: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """A = diag(lambda) X X^T diag(lambda): max_D ||X^T D lambda||^2 = max_delta delta^T A delta."""
    X = as_matrix(X, "X")
    lam = as_vector(lam, X.shape[0], "lambda")
    G = X * lam[:, None]
    return G @ G.T


def _all_deltas(n: int) -> np.ndarray:
    return ((np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1).astype(float)


def brute_force_bqp(A: np.ndarray) -> tuple[float, np.ndarray]:
    """max delta^T A delta over delta in {0,1}^n by enumeration (n <= 20)."""
    A = as_matrix(A, "A")
    n = A.shape[0]
    if A.shape != (n, n):
        raise ValueError(f"A must be a square matrix, got shape {A.shape}")
    if n > MAX_BRUTE_FORCE:
        raise ValueError(f"brute force is limited to n <= {MAX_BRUTE_FORCE} (n = {n})")
    best, arg = -np.inf, np.zeros(n)
    chunk = 1 << 14
    for lo in range(0, 2**n, chunk):
        idx = np.arange(lo, min(lo + chunk, 2**n))
        D = ((idx[:, None] >> np.arange(n)[None, :]) & 1).astype(float)
        vals = np.einsum("ij,jk,ik->i", D, A, D)
        k = int(np.argmax(vals))
        if vals[k] > best:
            best, arg = float(vals[k]), D[k]
    return best, arg.astype(bool)


def homogenized(A: np.ndarray) -> np.ndarray:
    """A~ = C^T A C with C = [1 | I]: delta^T A delta = z^T A~ z / 4 for z in {+-1}^{n+1}."""
    n = A.shape[0]
    C = np.hstack([np.ones((n, 1)), np.eye(n)])
    return C.T @ A @ C


def sdp_relaxation(A: np.ndarray, solver: str = "SCS") -> tuple[float, np.ndarray]:
    """max <A~, Z>/4 s.t. Z PSD, diag Z = 1 (cvxpy); returns (value, Z)."""
    import cvxpy as cp

    At = homogenized(A)
    m = At.shape[0]
    Z = cp.Variable((m, m), PSD=True)
    prob = cp.Problem(cp.Maximize(cp.trace(At @ Z) / 4), [cp.diag(Z) == 1])
    kwargs = {"eps": 1e-7, "max_iters": 50_000} if solver.upper() == "SCS" else {}
    prob.solve(solver=solver.upper(), **kwargs)
    if Z.value is None:
        raise RuntimeError(f"the SDP was not solved: {prob.status}")
    return float(prob.value), np.asarray(Z.value)


def gw_rounding(Z: np.ndarray, A: np.ndarray, rounds: int = 200, seed: int = 0) -> np.ndarray:
    """Goemans-Williamson rounding: z = sign(V r) with Z = V V^T and r ~ N(0, I); returns the
    value delta^T A delta of each round (delta_i = (1 + z0 z_i) / 2)."""
    w, U = np.linalg.eigh((Z + Z.T) / 2)
    V = U * np.sqrt(np.clip(w, 0, None))[None, :]
    R = np.random.default_rng(seed).standard_normal((V.shape[1], int(rounds)))
    S = np.sign(V @ R)
    S[S == 0] = 1.0
    D = (1 + S[0][None, :] * S[1:]) / 2  # (n, rounds)
    return np.einsum("ir,ij,jr->r", D, A, D)


@dataclass
class MaxCutResult:
    """The binary quadratic program for one dual vector: exact, relaxed and rounded values."""

    n: int
    optimum: float
    delta: np.ndarray
    sdp: float
    rounded: np.ndarray
    seconds: dict = field(default_factory=dict)

    @property
    def relaxation_ratio(self) -> float:
        """sqrt(SDP / OPT): how far the relaxation overestimates the norm (<= sqrt(pi/2))."""
        return sqrt(self.sdp / self.optimum) if self.optimum > 0 else float("nan")

    @property
    def rounding_ratio_best(self) -> float:
        """sqrt(OPT / best rounded value)."""
        return sqrt(self.optimum / self.rounded.max()) if self.rounded.max() > 0 else float("nan")

    @property
    def rounding_ratio_mean(self) -> float:
        """sqrt(OPT / mean rounded value) (expected value: <= sqrt(pi/2))."""
        m = float(self.rounded.mean())
        return sqrt(self.optimum / m) if m > 0 else float("nan")


def maxcut_experiment(X: np.ndarray, lam: np.ndarray, rounds: int = 200, seed: int = 0,
                      solver: str = "SCS") -> MaxCutResult:
    """Brute force, SDP relaxation and GW rounding of max_delta delta^T A delta, A = bqp_matrix."""
    A = bqp_matrix(X, lam)
    t0 = time.perf_counter()
    opt, delta = brute_force_bqp(A)
    t1 = time.perf_counter()
    sdp, Z = sdp_relaxation(A, solver)
    t2 = time.perf_counter()
    rounded = gw_rounding(Z, A, rounds, seed)
    t3 = time.perf_counter()
    return MaxCutResult(A.shape[0], opt, delta, sdp, rounded,
                        {"brute_force": t1 - t0, "sdp": t2 - t1, "rounding": t3 - t2})


def dual_vector(X, y, beta: float, loss: str = "squared", bias: bool = True,
                relu: str = "exact") -> np.ndarray:
    """The dual vector of the solved convex program (:func:`convexnn.program.convex.dual_vector`):
    lambda = -l'(f), the residual y - f for the squared loss; the solver's dual for hinge."""
    from ..program import convex

    return convex.dual_vector(convex.fit_convex(X, y, beta, loss=loss, bias=bias, relu=relu))


# --------------------------------------------------------------------------------------------
# The hardness ladder
# --------------------------------------------------------------------------------------------

LADDER = (
    {"data": "orthogonally separable", "guarantee": "exact (ε = 0), polynomial time",
     "factor": 1.0, "source": "Wang & Pilanci 2023"},
    {"data": "negatively correlated", "guarantee": "ε = √(π/2) − 1 ≈ 0.2533",
     "factor": 1 + NEGATIVE_CORRELATION_EPS, "source": "Wang & Pilanci 2023"},
    {"data": "general data", "guarantee": "ε from a geometric factor of two data zonotopes",
     "factor": None, "source": "Wang & Pilanci 2023"},
    {"data": "general data, randomized relaxation", "guarantee": "O(√log n) factor",
     "factor": None, "source": "Kim & Pilanci, ICML 2024"},
    {"data": "any algorithm, general data", "guarantee": "NP-hard for ε ≤ √(84/83) − 1 ≈ 0.0060",
     "factor": 1 + HARDNESS_EPS, "source": "Wang & Pilanci 2023"},
)
"""The talk's hardness ladder, easiest first."""
