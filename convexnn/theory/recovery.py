"""Neural recovery of a planted linear model (docs/recovery.md; Wang, Hua, Candes & Pilanci).

The ground truth is linear, ``y = X w*``, and the network has a skip connection,
``f(X) = X w0 + sum_j (X w_j)_+ a_j``. Its minimum-norm interpolant (the beta -> 0 limit of weight
decay) is the convex program

    min ||w0|| + sum_j (||w_j|| + ||w'_j||)
    s.t. X w0 + sum_j D_j X (w_j - w'_j) = y,  (2 D_j - I) X w_j >= 0,  (2 D_j - I) X w'_j >= 0

(``program="exact"``, cone-constrained; "relu" is accepted as its older name), or its gated
relaxation without the cone constraints and with one block per pattern (``program="gated"``, the
program of the reference experiments).
"Recovery" means that the optimum is w0 = w* with every other block zero.

Both programs are second-order-cone programs with equality constraints; :func:`solve_min_norm`
hands them to Clarabel directly (sparse standard form built here, no modelling layer), which
takes tens of milliseconds at the sizes of the phase-transition grid. The cone-constrained
program has n sign rows per block, which makes the whole program slow; its ``working-set`` solver
(column generation: solve on a few blocks, add the blocks whose dual constraint the restricted
dual vector violates) is exact and about 7x faster, and gave the same outcomes as the whole
program on every instance we compared. The gated program is solved whole, as the reference does
(see the tie below). ``solver="cvxpy"`` is an independent cvxpy model, the reference in the tests.

The reference protocol (``ReLU_skip/rec_rate_skip.py``): X_ij ~ N(0, 1/n); ``max(n, 50)``
Gaussian gates, deduplicated; the all-ones pattern added when some u != 0 has X u >= 0 (Wendel's
event); success when ``allclose(w0, w*, atol=1e-4)`` and ``allclose(W, 0, atol=1e-4)``. In the
gated program the all-ones block duplicates w0 (D = I), so whenever it is added the optimum is
not unique and an interior-point solver splits w* between the two blocks: that is why gated
failures follow Wendel's probability near n = 2d.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..data.validate import MAX_ENTRIES, as_count, as_matrix, as_vector
from ..patterns.arrangements import gaussian_directions

PROGRAMS = ("gated", "exact")
"""The two convex programs: gated relaxation and cone-constrained (exact ReLU) program, named as
in :func:`convexnn.fit_convex` and the app."""
PROGRAM_ALIASES = {"relu": "exact"}
"""Older names still accepted (and mapped) wherever a program is given."""
BASELINES = ("linear",)
"""The linear model's own min-norm interpolant pinv(X) y (recovers w* iff rank X = d)."""
PLANTED = ("gaussian", "smallest")
"""w*: a unit Gaussian vector, or the smallest right singular vector of X (the script default)."""
ALL_ONES = ("reference", "always", "never")
SOLVERS = ("clarabel", "working-set", "auto", "cvxpy")
ATOL = 1e-4
PROGRAM_LABELS = {
    "gated": "gated program (no cone constraints)",
    "exact": "cone-constrained ReLU program",
    "linear": "linear model alone (min-norm least squares)",
}


# --------------------------------------------------------------------------------------------
# The planted problem
# --------------------------------------------------------------------------------------------


@dataclass
class PlantedProblem:
    """One instance of the experiment: data, planted vector, targets and the pattern set."""

    X: np.ndarray
    w_star: np.ndarray
    y: np.ndarray
    patterns: np.ndarray
    """(P, n) bool, distinct, nonzero; the all-ones row is last when it was added."""
    all_ones_exists: bool
    """Wendel's event: some u != 0 has X u >= 0."""
    all_ones_added: bool

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def d(self) -> int:
        return self.X.shape[1]


def planted_data(n: int, d: int, rng: np.random.Generator, planted: str = "gaussian"):
    """X (n, d) with N(0, 1/n) entries and a unit w* (Gaussian or smallest right singular vector)."""
    if planted not in PLANTED:
        raise ValueError(f"planted must be one of {PLANTED}, not {planted!r}")
    n, d = as_count(n, "n"), as_count(d, "d")
    if n * d > MAX_ENTRIES:
        raise ValueError(f"n * d = {n * d:,} exceeds the limit of {MAX_ENTRIES:,} entries")
    X = rng.standard_normal((n, d)) / np.sqrt(n)
    if planted == "gaussian":
        w = rng.standard_normal(d)
    else:
        w = np.linalg.svd(X, full_matrices=True)[2][-1]
    return X, w / np.linalg.norm(w)


def has_nonzero_nonnegative_direction(X: np.ndarray) -> bool:
    """Whether some u != 0 has X u >= 0 (then the all-ones pattern is realised by u != 0).

    True when X has a null space; otherwise decided by the linear program
    max t s.t. X u >= t, -1 <= u <= 1, t <= 1 (positive t iff the open cone is non-empty, which for
    data in general position is the same event).
    """
    from scipy.optimize import linprog

    X = as_matrix(X, "X")
    n, d = X.shape
    if np.linalg.matrix_rank(X) < d:
        return True
    scale = np.linalg.norm(X, axis=1, keepdims=True)
    A = X / np.where(scale > 0, scale, 1.0)
    res = linprog(np.r_[np.zeros(d), -1.0], A_ub=np.c_[-A, np.ones(n)], b_ub=np.zeros(n),
                  bounds=[(-1, 1)] * d + [(None, 1)], method="highs")
    return bool(res.status == 0 and -res.fun > 1e-9)


def sample_gate_patterns(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Distinct nonzero patterns 1[X g >= 0] of ``k`` Gaussian gates g ~ N(0, I), (P, n) bool."""
    D = np.unique((X @ gaussian_directions(X.shape[1], k, rng) >= 0).T, axis=0)
    return D[D.any(axis=1)]


def planted_problem(n: int, d: int, seed=0, planted: str = "gaussian", n_gates: int | None = None,
                    all_ones: str = "reference") -> PlantedProblem:
    """An instance of the reference protocol (docs/recovery.md).

    ``seed`` is anything :func:`numpy.random.default_rng` accepts (the grid uses
    ``[seed, n, d, trial]``). ``n_gates`` defaults to ``max(n, 50)``. ``all_ones``: "reference"
    adds the all-ones pattern when some u != 0 has X u >= 0, "always"/"never" force it.
    """
    if all_ones not in ALL_ONES:
        raise ValueError(f"all_ones must be one of {ALL_ONES}, not {all_ones!r}")
    n, d = as_count(n, "n"), as_count(d, "d")
    n_gates = max(n, 50) if n_gates is None else as_count(n_gates, "the number of gates", 1, MAX_ENTRIES // n)
    rng = np.random.default_rng(seed)
    X, w = planted_data(n, d, rng, planted)
    patterns = sample_gate_patterns(X, n_gates, rng)
    exists = has_nonzero_nonnegative_direction(X)
    ones = patterns.all(axis=1)
    patterns = patterns[~ones]  # the all-ones row, if sampled, goes last (or away)
    add = all_ones == "always" or (all_ones == "reference" and exists)
    if add:
        patterns = np.vstack([patterns, np.ones((1, n), bool)])
    return PlantedProblem(X, w, X @ w, patterns, exists, add)


# --------------------------------------------------------------------------------------------
# The min-norm programs
# --------------------------------------------------------------------------------------------


@dataclass
class MinNormSolution:
    """A solution of the min-norm program: the skip block and one block per (pattern, sign)."""

    program: str
    w0: np.ndarray
    W: np.ndarray
    """(P, d) blocks w_j (gated: the only blocks)."""
    W_neg: np.ndarray
    """(P, d) blocks w'_j (zero for the gated program)."""
    patterns: np.ndarray
    objective: float
    status: str
    solve_time: float
    residual: float = 0.0
    info: dict = field(default_factory=dict)

    def block_norms(self) -> np.ndarray:
        """(P, 2) norms of w_j and w'_j."""
        return np.column_stack([np.linalg.norm(self.W, axis=1), np.linalg.norm(self.W_neg, axis=1)])

    def relu_norm(self) -> float:
        """Sum of the norms of the ReLU (or gated) blocks."""
        return float(self.block_norms().sum())

    def predict(self, X: np.ndarray) -> np.ndarray:
        """f(X) = X w0 + sum_j (X w_j)_+ - (X w'_j)_+ on new inputs (cone-constrained program only:
        a gated block has no gate off the training data)."""
        X = np.asarray(X, dtype=float)
        if self.program != "exact":
            raise ValueError("only the cone-constrained program is a ReLU network off the data")
        return X @ self.w0 + np.maximum(X @ self.W.T, 0).sum(1) - np.maximum(X @ self.W_neg.T, 0).sum(1)


def check_program(program: str, baselines: bool = False) -> str:
    """The program's name ("relu" read as "exact"), or a ``ValueError`` naming the choices."""
    program = PROGRAM_ALIASES.get(program, program)
    allowed = PROGRAMS + (BASELINES if baselines else ())
    if program not in allowed:
        raise ValueError(f"unknown program {program!r}; choose from {allowed}")
    return program


def _program_blocks(n: int, patterns: np.ndarray, program: str):
    """The blocks of a program: (masks (G, n), signs (G,), constrained (G,)); block 0 is the skip
    connection (all ones, unconstrained), then one block per pattern (gated), or two per pattern
    with signs + and - and cone constraints (exact)."""
    P = patterns.shape[0]
    if program == "exact":
        masks = np.vstack([np.ones((1, n), bool), patterns, patterns])
        signs = np.r_[1.0, np.ones(P), -np.ones(P)]
        constrained = np.r_[False, np.ones(2 * P, bool)]
    else:
        masks = np.vstack([np.ones((1, n), bool), patterns])
        signs = np.ones(P + 1)
        constrained = np.zeros(P + 1, bool)
    return masks, signs, constrained


def _solve_blocks(X, y, masks, signs, constrained, tol=1e-9, time_limit=60.0):
    """Solve with Clarabel (the fast solver's restricted model, :func:`convexnn.program.fast.solve_restricted`
    with ``loss="interpolation"``); returns (V (G, d), lambda (n,), status). lambda is the dual
    vector of the equalities, scaled so that ||X^T D_g lambda|| (or its cone projection) <= 1 and
    X^T lambda = w0/||w0|| when w0 != 0."""
    from ..program.fast import solve_restricted

    empty = np.zeros((0, X.shape[1]))
    rows = [np.where(m, 1.0, -1.0)[:, None] * X if c else empty
            for m, c in zip(masks, constrained, strict=True)]
    res = solve_restricted(X, y, masks, signs, rows, 1.0, "interpolation", time_limit=time_limit,
                           accuracy=tol)
    status = {"Solved": "optimal", "AlmostSolved": "optimal_inaccurate"}.get(res.status, res.status.lower())
    return res.w, np.asarray(res.lam, dtype=float), status


def _solve_clarabel(X, y, patterns, program, tol=1e-9, time_limit=60.0):
    masks, signs, constrained = _program_blocks(X.shape[0], patterns, program)
    V, lam, status = _solve_blocks(X, y, masks, signs, constrained, tol, time_limit)
    return V, status, {"lambda": lam, "blocks_solved": int(masks.shape[0])}


def block_dual_values(X, lam, masks, signs, constrained, skip_below: float = -np.inf) -> np.ndarray:
    """||sign_g X^T D_g lambda|| (unconstrained blocks) or ||Pi_{K_g}(sign_g X^T D_g lambda)||
    (constrained blocks, K_g = {u : (2 D_g - I) X u >= 0}); values whose upper bound
    ||X^T D_g lambda|| is at most ``skip_below`` are returned as that bound."""
    V = signs[:, None] * ((masks * lam[None, :]) @ X)
    values = np.linalg.norm(V, axis=1)
    for g in np.flatnonzero(constrained & (values > skip_below)):
        A = np.where(masks[g], 1.0, -1.0)[:, None] * X
        values[g] = _cone_projection_norm(A, V[g])
    return values


def _solve_working_set(X, y, patterns, program, tol=1e-9, time_limit=60.0, dual_tol=1e-7,
                       batch=8, max_rounds=60):
    """The same program by column generation: solve on a working set of blocks (first the skip
    connection alone), add the blocks whose dual constraint is violated by the restricted dual
    vector, repeat. The result is optimal for the full program once no block is violated; it
    can differ from the interior-point solution of the full program only where the optimum is
    not unique (it then tends to keep the skip connection, which the full interior-point
    solution splits)."""
    masks, signs, constrained = _program_blocks(X.shape[0], patterns, program)
    G = masks.shape[0]
    work = [0]
    t0 = time.perf_counter()
    rounds = 0
    while rounds < max_rounds:
        rounds += 1
        idx = np.array(work)
        Vw, lam, status = _solve_blocks(X, y, masks[idx], signs[idx], constrained[idx], tol,
                                        max(time_limit - (time.perf_counter() - t0), 1.0))
        out = np.setdiff1d(np.arange(G), idx)
        if status not in ("optimal", "optimal_inaccurate") or out.size == 0:
            break
        values = block_dual_values(X, lam, masks[out], signs[out], constrained[out], skip_below=1 + dual_tol)
        bad = np.flatnonzero(values > 1 + dual_tol)
        if bad.size == 0:
            break
        work += list(out[bad[np.argsort(-values[bad])][:batch]])
    V = np.zeros((G, X.shape[1]))
    V[idx] = Vw
    return V, status, {"lambda": lam, "rounds": rounds, "blocks_solved": len(work)}


def _solve_cvxpy(X, y, patterns, program, time_limit=60.0):
    import cvxpy as cp

    n, d = X.shape
    P = patterns.shape[0]
    M = patterns.astype(float)
    w0 = cp.Variable(d)
    W = cp.Variable((P, d))
    fit = X @ w0 + cp.sum(cp.multiply(M.T, X @ W.T), axis=1)
    penalty = cp.norm(w0, 2) + cp.sum(cp.norm(W, 2, axis=1))
    constraints = []
    Wn = None
    if program == "exact":
        Wn = cp.Variable((P, d))
        fit = fit - cp.sum(cp.multiply(M.T, X @ Wn.T), axis=1)
        penalty = penalty + cp.sum(cp.norm(Wn, 2, axis=1))
        S = 2 * M - 1
        constraints += [cp.multiply(S, W @ X.T) >= 0, cp.multiply(S, Wn @ X.T) >= 0]
    constraints.append(fit == y)
    prob = cp.Problem(cp.Minimize(penalty), constraints)
    prob.solve(solver="CLARABEL", time_limit=float(time_limit))
    if w0.value is None:
        raise RuntimeError(f"cvxpy status {prob.status}")
    parts = [np.asarray(w0.value)[None, :], np.asarray(W.value)]
    if Wn is not None:
        parts.append(np.asarray(Wn.value))
    return np.vstack(parts), str(prob.status)


def solve_min_norm(X: np.ndarray, y: np.ndarray, patterns: np.ndarray, program: str = "gated",
                   solver: str = "clarabel", time_limit: float = 60.0) -> MinNormSolution:
    """Solve the min-norm interpolation program (gated or cone-constrained) on the given patterns.

    ``patterns`` (P, n) are the blocks' patterns (the all-ones row included or not, as given).
    ``solver``: "clarabel" (the whole program in a direct sparse standard form, one interior-point
    solve: the reference protocol), "working-set" (column generation over the blocks, exact, much
    faster for the cone-constrained program), "auto" (clarabel for gated, working-set for exact)
    or "cvxpy" (an independent cvxpy model, the reference in the tests).
    """
    program = check_program(program)
    X = as_matrix(X, "X")
    n, d = X.shape
    y = as_vector(y, n, "y")
    patterns = _check_patterns(patterns, n)
    if patterns.size and patterns.shape[1] != n:
        raise ValueError(f"patterns must have {n} columns")
    patterns = patterns.reshape(-1, n)
    P = patterns.shape[0]
    t0 = time.perf_counter()
    info: dict = {}
    if solver == "auto":
        solver = "working-set" if program == "exact" else "clarabel"
    if solver == "clarabel":
        V, status, info = _solve_clarabel(X, y, patterns, program, time_limit=time_limit)
    elif solver == "working-set":
        V, status, info = _solve_working_set(X, y, patterns, program, time_limit=time_limit)
    elif solver == "cvxpy":
        V, status = _solve_cvxpy(X, y, patterns, program, time_limit=time_limit)
    else:
        raise ValueError(f"solver must be one of {SOLVERS}, not {solver!r}")
    info["solver"] = solver
    elapsed = time.perf_counter() - t0
    w0, W = V[0], V[1 : 1 + P]
    W_neg = V[1 + P :] if program == "exact" else np.zeros_like(W)
    fitted = X @ w0 + (patterns.T * (X @ (W - W_neg).T)).sum(axis=1)
    objective = float(np.linalg.norm(w0) + np.linalg.norm(W, axis=1).sum()
                      + np.linalg.norm(W_neg, axis=1).sum())
    return MinNormSolution(program, w0, W, W_neg, patterns, objective, status, elapsed,
                           float(np.linalg.norm(fitted - y)), info)


def _check_patterns(patterns, n: int) -> np.ndarray:
    """Patterns as a (P, n) bool array (entries 0/1 or booleans), or a ``ValueError``."""
    P = np.atleast_2d(np.asarray(patterns))
    if P.ndim != 2 or (P.size and P.shape[1] != n):
        raise ValueError(f"patterns must be an array of shape (P, {n}), got {P.shape}")
    if P.dtype != bool:
        try:
            ok = np.all(np.isin(P.astype(float), (0.0, 1.0)))
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ValueError("pattern entries must be 0/1 or booleans")
    return P.astype(bool)


def recovered(solution: MinNormSolution, w_star: np.ndarray, atol: float = ATOL) -> bool:
    """The reference's success criterion: allclose(w0, w*, atol) and allclose(W, 0, atol)."""
    return bool(np.allclose(solution.w0, w_star, atol=atol) and np.allclose(solution.W, 0, atol=atol)
                and np.allclose(solution.W_neg, 0, atol=atol))


def linear_recovers(X: np.ndarray, w_star: np.ndarray, atol: float = ATOL) -> bool:
    """The linear model's own min-norm interpolant pinv(X) y equals w* (iff rank X = d)."""
    X = as_matrix(X, "X")
    w_star = as_vector(w_star, X.shape[1], "w*")
    return bool(np.allclose(np.linalg.pinv(X) @ (X @ w_star), w_star, atol=atol))


# --------------------------------------------------------------------------------------------
# Certificates and probabilities
# --------------------------------------------------------------------------------------------


def _cone_projection_norm(A: np.ndarray, v: np.ndarray) -> float:
    """||Pi_K(v)|| for K = {u : A u >= 0}, via Moreau: Pi_K(v) = v + A^T mu, mu = NNLS."""
    from scipy.optimize import nnls

    mu, _ = nnls(A.T, -v, maxiter=50 * max(A.shape[0], 1))
    return float(np.linalg.norm(v + A.T @ mu))


def nic_values(X: np.ndarray, w_star: np.ndarray, patterns: np.ndarray, program: str = "gated"):
    """NIC-L, pattern by pattern: the dual certificate built from the least-norm lambda.

    lambda = X (X^T X)^{-1} w*/||w*|| satisfies X^T lambda = w*/||w*||. For pattern j the value is
    ||X^T D_j lambda|| (gated) or max(||Pi_{K_j}(X^T D_j lambda)||, ||Pi_{K_j}(-X^T D_j lambda)||)
    with K_j = {u : (2 D_j - I) X u >= 0} (exact). NIC-L holds when every value is < 1, the
    all-ones pattern excluded (its value is exactly 1: a tie with w0). Returns (values (P,),
    is_all_ones (P,) bool); values are NaN when X^T X is singular (n < d).
    """
    program = check_program(program)
    X = as_matrix(X, "X")
    patterns = _check_patterns(patterns, X.shape[0])
    w = as_vector(w_star, X.shape[1], "w*")
    if not np.any(w):
        raise ValueError("w* must be a nonzero vector")
    w = w / np.linalg.norm(w)
    ones = patterns.all(axis=1)
    gram = X.T @ X
    if np.linalg.matrix_rank(gram) < X.shape[1]:
        return np.full(patterns.shape[0], np.nan), ones
    lam = X @ np.linalg.solve(gram, w)
    V = (patterns * lam[None, :]) @ X  # rows: X^T D_j lambda
    if program == "gated":
        return np.linalg.norm(V, axis=1), ones
    values = np.empty(patterns.shape[0])
    for j, p in enumerate(patterns):
        A = np.where(p, 1.0, -1.0)[:, None] * X
        values[j] = max(_cone_projection_norm(A, V[j]), _cone_projection_norm(A, -V[j]))
    return values, ones


def nic_holds(values: np.ndarray, is_all_ones: np.ndarray) -> bool:
    """NIC-L: every value below 1, the all-ones pattern excluded."""
    rest = values[~is_all_ones]
    return bool(rest.size == 0 or (np.all(np.isfinite(rest)) and rest.max() < 1.0))


MAX_WENDEL_N = 100_000
"""Largest n of :func:`wendel_probability` (exact big-integer sums)."""


def wendel_probability(n: int, d: int) -> float:
    """P(some u != 0 has X u >= 0) for n Gaussian points in R^d: 2^{-(n-1)} sum_{k<d} C(n-1, k).

    Exactly 1/2 at n = 2d, and 1 for n <= d.
    """
    n, d = as_count(n, "n", 1, MAX_WENDEL_N), as_count(d, "d")
    term = total = 1  # C(n-1, 0); then C(n-1, k+1) = C(n-1, k) (n-1-k) / (k+1), exact integers
    for k in range(min(d, n) - 1):
        term = term * (n - 1 - k) // (k + 1)
        total += term
    return float(total / 2 ** (n - 1))


# --------------------------------------------------------------------------------------------
# Trials and the grid
# --------------------------------------------------------------------------------------------


def trial_seed(seed: int, n: int, d: int, trial: int) -> list[int]:
    """The seed of one trial: the same instance for every program and every way of running."""
    return [int(seed), int(n), int(d), int(trial)]


def run_trial(n: int, d: int, trial: int, seed: int = 0, programs=PROGRAMS, planted: str = "gaussian",
              n_gates: int | None = None, all_ones: str = "reference") -> dict:
    """One instance, solved with each program; returns {"n", "d", "trial", "all_ones", program: bool}."""
    prob = planted_problem(n, d, trial_seed(seed, n, d, trial), planted, n_gates, all_ones)
    out = {"n": n, "d": d, "trial": trial, "all_ones": prob.all_ones_exists}
    for program in (check_program(p, baselines=True) for p in programs):
        if program == "linear":
            out[program] = linear_recovers(prob.X, prob.w_star)
        else:
            sol = solve_min_norm(prob.X, prob.y, prob.patterns, program, solver="auto")
            out[program] = recovered(sol, prob.w_star)
    return out


def parse_range(text: str) -> list[int]:
    """"10:60:5" -> 10, 15, ..., 60 (inclusive); "10" -> [10]; "10,20" -> [10, 20]."""
    text = str(text).strip()
    if "," in text:
        return [v for part in text.split(",") if part.strip() for v in parse_range(part)]
    if ":" in text:
        parts = [int(p) for p in text.split(":")]
        if len(parts) == 2:
            parts.append(1)
        if len(parts) != 3 or parts[2] <= 0 or parts[1] < parts[0]:
            raise ValueError(f"a range is start:stop[:step] with start <= stop and step > 0, not {text!r}")
        return list(range(parts[0], parts[1] + 1, parts[2]))
    return [int(text)]


@dataclass
class GridSpec:
    """What the phase-transition grid runs."""

    ns: tuple
    ds: tuple
    trials: int
    programs: tuple = PROGRAMS
    seed: int = 0
    planted: str = "gaussian"
    n_gates: int | None = None
    all_ones: str = "reference"

    def __post_init__(self):
        self.ns = tuple(int(n) for n in self.ns)
        self.ds = tuple(int(d) for d in self.ds)
        self.programs = tuple(check_program(p, baselines=True) for p in self.programs)
        if not self.ns or not self.ds or min(self.ns) < 1 or min(self.ds) < 1:
            raise ValueError("the grid needs positive n and d values")
        if int(self.trials) < 1:
            raise ValueError("trials must be at least 1")
        if self.planted not in PLANTED:
            raise ValueError(f"planted must be one of {PLANTED}")
        if self.all_ones not in ALL_ONES:
            raise ValueError(f"all_ones must be one of {ALL_ONES}")

    def tasks(self) -> list[tuple[int, int, int]]:
        return [(n, d, t) for d in self.ds for n in self.ns for t in range(int(self.trials))]

    def kwargs(self) -> dict:
        return {"seed": self.seed, "programs": self.programs, "planted": self.planted,
                "n_gates": self.n_gates, "all_ones": self.all_ones}


def _run_task(task, kwargs):
    n, d, t = task
    return run_trial(n, d, t, **kwargs)


def run_trials(spec: GridSpec, n_jobs: int = 1, client=None, progress=None) -> list[dict]:
    """All trials of the grid, in task order; with joblib (``n_jobs``) or a Dask ``client``.

    ``progress(done, total)`` is called as trials finish.
    """
    return run_tasks(spec.tasks(), spec.kwargs(), n_jobs=n_jobs, client=client, progress=progress)


def run_tasks(tasks: list[tuple[int, int, int]], kwargs: dict, n_jobs: int = 1, client=None,
              progress=None) -> list[dict]:
    """:func:`run_trial` for each task (n, d, trial) with the same ``kwargs``, in task order."""
    tasks = [tuple(int(v) for v in t) for t in tasks]
    total = len(tasks)
    results: list[dict | None] = [None] * total
    done = 0

    def tick():
        if progress is not None:
            progress(done, total)

    if total == 0:
        return []
    if client is not None:
        from distributed import as_completed

        futures = client.map(_run_task, tasks, kwargs=kwargs, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for future in as_completed(futures):
            results[index[future.key]] = future.result()
            done += 1
            tick()
    elif n_jobs == 1 or total == 1:
        for i, task in enumerate(tasks):
            results[i] = _run_task(task, kwargs)
            done += 1
            tick()
    else:
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered", batch_size="auto")
        for i, res in parallel(delayed(_indexed)(i, task, kwargs) for i, task in enumerate(tasks)):
            results[i] = res
            done += 1
            tick()
    return results  # type: ignore[return-value]


def _indexed(i, task, kwargs):
    return i, _run_task(task, kwargs)


GRID_COLUMNS = ("program", "n", "d", "trials", "successes", "success_rate", "wendel_probability",
                "all_ones_rate")


def summarize(spec: GridSpec, trials: list[dict]) -> list[dict]:
    """One row per (program, d, n): the columns of :data:`GRID_COLUMNS`."""
    rows = []
    by_cell: dict[tuple[int, int], list[dict]] = {}
    for r in trials:
        by_cell.setdefault((r["n"], r["d"]), []).append(r)
    for program in spec.programs:
        for d in spec.ds:
            for n in spec.ns:
                cell = by_cell.get((n, d), [])
                k = sum(bool(r[program]) for r in cell)
                ones = sum(bool(r["all_ones"]) for r in cell)
                rows.append({
                    "program": program, "n": n, "d": d, "trials": len(cell), "successes": k,
                    "success_rate": k / len(cell) if cell else float("nan"),
                    "wendel_probability": wendel_probability(n, d),
                    "all_ones_rate": ones / len(cell) if cell else float("nan"),
                })
    return rows


def recovery_grid(spec: GridSpec, n_jobs: int = 1, client=None, progress=None) -> list[dict]:
    """The phase-transition grid: success rate per program, n and d (see :func:`summarize`)."""
    return summarize(spec, run_trials(spec, n_jobs=n_jobs, client=client, progress=progress))


def grid_csv(rows: list[dict]) -> str:
    """The grid as CSV text with the columns of :data:`GRID_COLUMNS` (rates to 6 decimals)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(GRID_COLUMNS)
    for r in rows:
        writer.writerow([r["program"], r["n"], r["d"], r["trials"], r["successes"],
                         f"{r['success_rate']:.6f}", f"{r['wendel_probability']:.6f}",
                         f"{r['all_ones_rate']:.6f}"])
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# The talk's 2-D pictures
# --------------------------------------------------------------------------------------------


@dataclass
class Illustration:
    """2-D inputs without bias (d = 2), a planted linear function, the exact ReLU program."""

    X: np.ndarray
    y: np.ndarray
    w_star: np.ndarray
    solution: MinNormSolution
    recovered: bool

    def field(self, points: np.ndarray) -> np.ndarray:
        """The fitted network f(x) = x^T w0 + sum_j (x^T w_j)_+ - (x^T w'_j)_+ at ``points`` (m, 2)."""
        return self.solution.predict(points)

    def relu_neurons(self, tol: float = 1e-6) -> list[tuple[np.ndarray, float]]:
        """(w, sign) of each nonzero ReLU block: the neuron (x^T w)_+ with output weight sign."""
        out = []
        for W, sign in ((self.solution.W, 1.0), (self.solution.W_neg, -1.0)):
            out += [(w, sign) for w in W if np.linalg.norm(w) > tol]
        return out


ILLUSTRATION_SEED = 17
"""Seed of the 2-D picture: with n = 2 the min-norm network is almost a single ReLU neuron
(objective 0.775 < ||w*|| = 1, ||w0|| = 0.03); with all n = 5 points only the linear neuron is
left (w0 = w*)."""


def illustration(n: int, seed: int = ILLUSTRATION_SEED) -> Illustration:
    """The talk's 2-D picture: the first ``n`` of five Gaussian points in R^2 (no bias), a unit
    Gaussian w*, and the min-norm ReLU network with skip connection on all exact patterns
    (cone-constrained program)."""
    from ..patterns.arrangements import exact_patterns

    if not 1 <= n <= 5:
        raise ValueError("the illustration has 1 to 5 points")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((5, 2))[:n]
    w = rng.standard_normal(2)
    w = w / np.linalg.norm(w)
    y = X @ w
    patterns = exact_patterns(X, bias=False)
    patterns = patterns[patterns.any(axis=1)]
    sol = solve_min_norm(X, y, patterns, "exact")
    return Illustration(X, y, w, sol, recovered(sol, w))
