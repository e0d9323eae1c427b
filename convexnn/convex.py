"""The convex program of a two-layer ReLU network with weight decay (Pilanci & Ergen, ICML 2020).

    p* = min  l( sum_i D_i X~ (u_i - u'_i), y ) + beta sum_i (||u_i|| + ||u'_i||)
         s.t. (2 D_i - I) X~ u_i >= 0,  (2 D_i - I) X~ u'_i >= 0        (relu="exact")

and its gated relaxation (relu="gated": one unconstrained block w_i per pattern). Every nonzero
block maps to one neuron, w1 = u/sqrt(||u||), w2 = +-sqrt(||u||), and that network's nonconvex
objective l(f(X), y) + (beta/2)(||W1||^2 + ||b1||^2 + ||w2||^2) equals p* (math.md section 1).

Two solvers: ``solver="fast"`` (:mod:`convexnn.fast`, certified working-set method, the default)
and ``solver="cvxpy"`` (a vectorized cvxpy model, the reference every faster solver is tested
against). Both return a :class:`ConvexFit` with the same certificate, computed independently of
the solver from the returned blocks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from . import fast, losses
from .arrangements import (
    MAX_EXACT_POINTS,
    Arrangement,
    arrangement,
    gaussian_patterns,
    lift,
    reduce_rank,
)
from .cones import dual_values, pattern_cones
from .datasets import as_matrix, as_vector
from .network import GatedReLUModel, ReLUNetwork

PROGRAMS = ("exact", "gated")
SOLVERS = ("fast", "cvxpy")
DEFAULT_SAMPLES = 200
ACTIVE_TOL = 1e-10


@dataclass
class Certificate:
    """Optimality certificate of a solution (math.md section 4, step 6).

    ``max_violation`` = max_i max_+- ||Pi_{K_i}(+-X~^T D_i lam)|| / beta - 1 over *all* patterns of
    the program (<= 0 means lam is dual feasible); ``gap`` = primal - dual value of lam scaled to
    feasibility, an upper bound on the distance of ``primal`` to the optimum.
    """

    primal: float
    dual: float
    gap: float
    relative_gap: float
    max_violation: float
    tolerance: float

    @property
    def optimal(self) -> bool:
        return self.relative_gap <= self.tolerance

    def summary(self) -> str:
        word = "certified optimal" if self.optimal else "not certified"
        return f"{word}: relative gap {self.relative_gap:.1e}, max dual violation {self.max_violation:.1e}"


@dataclass
class ConvexFit:
    """A solution of the convex program and everything needed to interpret it.

    ``u`` and ``u_neg`` hold the blocks u_i and u'_i (shape (P, d~), lifted coordinates with the
    bias last) for the P patterns ``patterns``; for the gated program ``u`` holds w_i and
    ``u_neg`` is zero.
    """

    X: np.ndarray
    y: np.ndarray
    beta: float
    loss: str
    relu: str
    bias: bool
    patterns: np.ndarray
    u: np.ndarray
    u_neg: np.ndarray
    objective: float
    status: str
    solver: str
    solve_time: float
    certificate: Certificate | None = None
    message: str = ""
    info: dict = field(default_factory=dict)
    cones: Arrangement | None = field(default=None, repr=False)

    @property
    def n_patterns(self) -> int:
        return int(self.patterns.shape[0])

    def block_norms(self) -> np.ndarray:
        """(P, 2) norms ||u_i||, ||u'_i||."""
        return np.column_stack([np.linalg.norm(self.u, axis=1), np.linalg.norm(self.u_neg, axis=1)])

    def active_blocks(self, tol: float = ACTIVE_TOL) -> np.ndarray:
        """(k, 2) rows (pattern index, sign column 0 for u / 1 for u') with norm > tol * max."""
        norms = self.block_norms()
        # a block u changes the fit by at most ||X~|| ||u||: below 1e-10 ||y|| it is numerically zero
        scale = np.linalg.norm(lift(self.X, self.bias), 2)
        floor = 1e-10 * max(float(np.linalg.norm(self.y)), 1e-12) / max(scale, 1e-300)
        return np.argwhere(norms > max(tol * norms.max(initial=0.0), floor))

    @property
    def n_active(self) -> int:
        return int(self.active_blocks().shape[0])

    def fitted(self) -> np.ndarray:
        """The convex model's prediction on the training data, sum_i D_i X~ (u_i - u'_i)."""
        Xt = lift(self.X, self.bias)
        W = self.u - self.u_neg
        live = np.flatnonzero(W.any(axis=1))  # most of the P blocks are zero
        return np.einsum("pk,pk->k", self.patterns[live], W[live] @ Xt.T)

    def gates(self, patterns: np.ndarray | None = None) -> np.ndarray:
        """Gate vectors g_i (lifted coordinates, shape (d~, k)) with 1[X~ g_i >= 0] = pattern i.

        For the given pattern indices (default: the patterns of the active blocks). They extend the
        patterns to new inputs, which the gated model needs (:meth:`predict`).
        """
        from .cones import interior_directions

        if patterns is None:
            patterns = np.unique(self.active_blocks()[:, 0])
        cones = self.cones if self.cones is not None else prepare_patterns(self.X, self.patterns, self.bias)
        Z = lift(self.X, self.bias) @ cones.basis
        return (interior_directions(cones, Z, patterns) @ cones.basis.T).T

    def predict(self, X_new: np.ndarray) -> np.ndarray:
        """The model's prediction on new inputs.

        Exact program: the ReLU network of :meth:`network`. Gated program:
        sum_i 1[x~^T g_i >= 0] x~^T w_i with the gates of :meth:`gates`.
        """
        X_new = np.asarray(X_new, dtype=float)
        if X_new.ndim == 1:
            X_new = X_new[:, None] if self.X.shape[1] == 1 else X_new[None, :]
        if self.relu == "exact":
            return self.network().predict(X_new)
        return self.gated_model().predict(X_new)

    def gated_model(self) -> GatedReLUModel:
        """The gated program's own model: one unit per active pattern, with its gate vector."""
        idx = np.unique(self.active_blocks()[:, 0])
        return GatedReLUModel(self.gates(idx), (self.u[idx] - self.u_neg[idx]).T, self.bias)

    def network(self, tol: float = ACTIVE_TOL) -> ReLUNetwork:
        """One neuron per nonzero block: w1 = u/sqrt||u||, w2 = +-sqrt||u|| (math.md section 1).

        For the gated program the blocks are mapped the same way, which is exact only for blocks
        that lie in their cones; use :meth:`fitted` for the gated model's own prediction.
        """
        blocks = self.active_blocks(tol)
        U = np.where(blocks[:, 1:2] == 0, self.u[blocks[:, 0]], self.u_neg[blocks[:, 0]])
        sign = np.where(blocks[:, 1] == 0, 1.0, -1.0)
        norms = np.linalg.norm(U, axis=1)
        V = U / np.sqrt(norms)[:, None] if U.size else U
        d = self.X.shape[1]
        W1, b1 = V[:, :d].T, (V[:, d] if self.bias else np.zeros(len(V)))
        return ReLUNetwork(W1.reshape(d, -1), b1, sign * np.sqrt(norms), 0.0, blocks[:, 0])


def prepare_patterns(
    X: np.ndarray, patterns="exact", bias: bool = True, n_samples: int = DEFAULT_SAMPLES, seed: int = 0,
    facets: bool = True,
) -> Arrangement:
    """The pattern set of the program with its cones.

    ``patterns`` is "exact" (all patterns, rank <= 3), "gaussian" (``n_samples`` Gaussian
    directions), "geometric" (``n_samples`` geometric-algebra directions), "auto" (exact when
    possible) or an array of patterns (P, n). With ``facets=False`` the cones of sampled or
    given patterns keep all n rows instead of their facets (enough for the gated program, and
    cheaper).
    """
    Xt = lift(X, bias)
    if isinstance(patterns, str):
        if patterns == "auto":
            rank = reduce_rank(Xt)[0].shape[1]
            patterns = "exact" if rank <= 3 and Xt.shape[0] <= 1000 else "gaussian"
        if patterns == "exact":
            return arrangement(X, bias)
        if patterns == "gaussian":
            return pattern_cones(X, gaussian_patterns(X, n_samples, seed, bias), bias, facets)
        if patterns == "geometric":
            from .arrangements import geometric_algebra_patterns

            return pattern_cones(X, geometric_algebra_patterns(X, n_samples, seed, bias=bias), bias, facets)
        raise ValueError(f"patterns must be 'exact', 'gaussian', 'geometric' or an array, not {patterns!r}")
    P = np.asarray(patterns)
    if P.ndim != 2 or P.shape[1] != Xt.shape[0]:
        raise ValueError(f"a pattern array must have shape (p, {Xt.shape[0]}), got {P.shape}")
    if P.dtype != bool and not np.all(np.isin(P, (0, 1))):
        raise ValueError("pattern entries must be 0/1 or boolean")
    return pattern_cones(X, P.astype(bool), bias, facets)


def _check_inputs(X, y, beta, loss, relu, solver):
    X = as_matrix(X, "X")
    y = as_vector(y, X.shape[0], "y")
    try:
        beta = float(beta)
    except (TypeError, ValueError):
        raise ValueError(f"beta must be a positive number, not {beta!r}") from None
    if not np.isfinite(beta) or beta <= 0:
        raise ValueError("beta must be a positive number")
    losses.check_loss(loss, y)
    if relu not in PROGRAMS:
        raise ValueError(f"relu must be one of {PROGRAMS}, not {relu!r}")
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, not {solver!r}")
    return X, y, beta


def fit_convex(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    loss: str = "squared",
    patterns="auto",
    bias: bool = True,
    relu: str = "exact",
    solver: str = "fast",
    n_samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    cones: Arrangement | None = None,
    tol: float = 1e-6,
    time_limit: float = 120.0,
    max_outer: int = 60,
    warm_start: ConvexFit | None = None,
    cvxpy_solver: str = "CLARABEL",
) -> ConvexFit:
    """Solve the convex program of a two-layer ReLU network and return a :class:`ConvexFit`.

    Args:
        X, y: data (n, d) and targets; labels -1/+1 for the logistic and hinge losses.
        beta: weight-decay strength (the nonconvex penalty is (beta/2)||Theta||^2).
        loss: "squared" (1/2||f-y||^2), "logistic" or "hinge".
        patterns: "auto" (exact for rank <= 3 after the bias column), "exact", "gaussian",
            "geometric", or a (p, n) array of patterns.
        bias: append a ones column (the bias is regularized with its neuron).
        relu: "exact" (cone-constrained) or "gated" (the relaxation without constraints).
        solver: "fast" (certified working set, :mod:`convexnn.fast`) or "cvxpy" (reference).
        n_samples, seed: number of sampled directions and their seed for sampled patterns.
        cones: a precomputed pattern set (from :func:`prepare_patterns`), reused as is.
        tol: relative duality gap below which the solution counts as optimal.
        time_limit, max_outer: limits of the fast solver, ``time_limit`` in CPU seconds of this
            process (a busy machine does not shorten it). At a limit the fit is the best
            feasible point found (never worse than the zero network), with status
            "time_limit" or "iteration_limit" and its certificate's gap.
        warm_start: a previous fit on the same data and patterns; its active blocks seed the
            working set (used along the Lasso path).
        cvxpy_solver: "CLARABEL" or "SCS" for ``solver="cvxpy"``.
    """
    X, y, beta = _check_inputs(X, y, beta, loss, relu, solver)
    t0 = time.perf_counter()
    if cones is None:
        cones = prepare_patterns(X, patterns, bias, n_samples, seed, facets=relu != "gated")
    elif cones.patterns.shape[1] != X.shape[0]:
        raise ValueError("the precomputed patterns do not match the data")
    t_patterns = time.perf_counter() - t0
    Xt = lift(X, bias)
    Q = cones.basis
    Z = Xt @ Q
    gated = relu == "gated"
    t1 = time.perf_counter()
    if solver == "fast" and gated and Z.shape[1] > 3 and loss in ("squared", "logistic"):
        # high-dimensional features: first-order method (two BLAS products per iteration)
        from .first_order import fista_gated

        W0 = None
        if warm_start is not None and warm_start.patterns.shape == cones.patterns.shape:
            W0 = (warm_start.u @ Q).T
        res = fista_gated(Z, y, cones.patterns.T.astype(float), beta, loss, W0=W0, tol=tol,
                          time_limit=time_limit)
        u, u_neg = res.W.T @ Q.T, np.zeros((cones.count, Xt.shape[1]))
        status, message = res.status, res.message
        lam, lam_max = res.lam, res.max_dual_value
        info = {"outer_iterations": res.iterations, "method": "fista"}
    elif solver == "fast":
        init = init_rays = None
        if warm_start is not None and warm_start.patterns.shape == cones.patterns.shape:
            init_rays = warm_start.info.get("ray_working_set")
            if init_rays is not None:
                init = warm_start.info.get("block_working_set")  # the polish phase's cone blocks
            else:
                init = warm_start.active_blocks()
                if gated:
                    init = init[init[:, 1] == 0]
        res = fast.solve(
            cones, Z, y, beta, loss, gated, tol=tol, max_outer=max_outer,
            time_limit=time_limit, init_blocks=init, init_rays=init_rays,
        )
        u, u_neg, status, message = res.u @ Q.T, res.u_neg @ Q.T, res.status, res.message
        lam, lam_max = res.lam, res.max_dual_value
        info = {"outer_iterations": res.outer_iterations, "working_set": int(len(res.working_set)),
                "ray_working_set": res.ray_working_set, "block_working_set": res.working_set}
    else:
        from .reference import solve_cvxpy

        u, u_neg, lam, status, message = solve_cvxpy(
            Xt, y, cones.patterns, beta, loss, gated, cvxpy_solver, time_limit
        )
        lam_max = None
        info = {}
    t_solve = time.perf_counter() - t1
    fit = ConvexFit(
        X, y, float(beta), loss, relu, bias, cones.patterns, u, u_neg, 0.0, status, solver,
        t_solve, None, message, info, cones,
    )
    fit.objective = convex_objective(fit)
    fit.certificate = certify(fit, cones, lam=lam, tol=tol, lam_max_value=lam_max)
    if fit.status in ("optimal", "inaccurate") or solver == "cvxpy":
        fit.status = "optimal" if fit.certificate.optimal else _not_optimal(fit.status)
    fit.info.update(pattern_time=t_patterns, total_time=time.perf_counter() - t0)
    return fit


def _not_optimal(status: str) -> str:
    return status if status not in ("optimal",) else "inaccurate"


def convex_objective(fit: ConvexFit) -> float:
    """l(sum_i D_i X~(u_i - u'_i), y) + beta sum_i (||u_i|| + ||u'_i||)."""
    return losses.value(fit.loss, fit.fitted(), fit.y) + fit.beta * float(fit.block_norms().sum())


def certify(fit: ConvexFit, cones: Arrangement | None = None, lam: np.ndarray | None = None,
            tol: float = 1e-6, lam_max_value: float | None = None) -> Certificate:
    """The certificate of ``fit`` over all of its patterns, computed from its blocks.

    Weak duality: for any lam, scaling it by min(1, beta / max_i ||Pi_{K_i}(+-X~^T D_i lam)||)
    makes it dual feasible, and its dual value is a lower bound on p*. Candidates are
    lam = -grad l(f) at the fit and, if given, the solver's own dual vector (needed for hinge);
    the better bound is kept. ``lam_max_value``, when given, is the already computed maximal
    dual value of ``lam`` over all patterns (the fast solver prices every pattern at its final
    dual point), which saves one pricing.
    """
    if cones is None:
        cones = prepare_patterns(fit.X, fit.patterns, fit.bias)
    Z = lift(fit.X, fit.bias) @ cones.basis
    usable = cones.patterns.any(axis=1)
    primal = convex_objective(fit)

    def bound(cand: np.ndarray, vmax: float | None = None) -> tuple[float, float]:
        feasible = losses.project_dual(fit.loss, cand, fit.y)
        if vmax is None or not np.array_equal(feasible, cand):
            values, _ = dual_values(cones, Z, feasible, fit.relu == "gated", threshold=fit.beta)
            vmax = float(values[usable].max(initial=0.0))
        scale = min(1.0, fit.beta / vmax) if vmax > 0 else 1.0
        return losses.dual_value(fit.loss, scale * feasible, fit.y), vmax

    tries = []
    if lam is not None and np.all(np.isfinite(lam)):
        tries.append((np.asarray(lam, dtype=float), lam_max_value))
    tries.append((-losses.gradient(fit.loss, fit.fitted(), fit.y), None))
    best = None
    for cand, known in tries:
        if best is not None and primal - best[0] <= tol * max(abs(primal), 1e-12):
            break  # already certified: another dual point cannot change the verdict
        result = bound(cand, known)
        if best is None or result[0] > best[0]:
            best = result
    dual, vmax = best
    gap = primal - dual
    return Certificate(primal, dual, gap, gap / max(abs(primal), 1e-12), vmax / fit.beta - 1.0, tol)


def dual_bars(fit: ConvexFit, cones: Arrangement | None = None) -> np.ndarray:
    """(P, 2) dual values ||Pi_{K_i}(+-X~^T D_i lam)|| of every pattern at the fit (exact)."""
    if cones is None:
        cones = prepare_patterns(fit.X, fit.patterns, fit.bias)
    Z = lift(fit.X, fit.bias) @ cones.basis
    lam = -losses.gradient(fit.loss, fit.fitted(), fit.y)
    values, _ = dual_values(cones, Z, lam, fit.relu == "gated", threshold=0.0)
    return values


__all__ = [
    "Certificate",
    "ConvexFit",
    "MAX_EXACT_POINTS",
    "certify",
    "convex_objective",
    "dual_bars",
    "fit_convex",
    "prepare_patterns",
]
