"""Solving the convex program of a two-layer ReLU network (Pilanci & Ergen, ICML 2020).

    p* = min  l( sum_i D_i X~ (u_i - u'_i), y ) + beta sum_i (||u_i|| + ||u'_i||)
         s.t. (2 D_i - I) X~ u_i >= 0,  (2 D_i - I) X~ u'_i >= 0        (relu="exact")

and its gated relaxation (relu="gated": one unconstrained block w_i per pattern). Every nonzero
block maps to one neuron, w1 = u/sqrt(||u||), w2 = +-sqrt(||u||), and that network's nonconvex
objective l(f(X), y) + (beta/2)(||W1||^2 + ||b1||^2 + ||w2||^2) equals p*
(docs/convex-program.md).

:func:`fit_convex` reads as problem -> solver -> certificate: it builds a
:class:`~convexnn.program.problem.ConvexProblem` once, hands it to a solver of :mod:`convexnn.program.solvers`
(chosen explicitly, or automatically with the reason recorded on the fit) and certifies the
returned blocks independently of the solver (:func:`certify`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from ..models.network import GatedReLUModel, ReLUNetwork
from ..patterns.arrangements import MAX_EXACT_POINTS, Arrangement
from . import losses
from .pricing import price
from .problem import DEFAULT_SAMPLES, PROGRAMS, ConvexProblem, Program, prepare_patterns
from .solvers import SOLVERS, Solver, Status, WarmStart, as_status, make_solver

ACTIVE_TOL = 1e-10


@dataclass
class Certificate:
    """Optimality certificate of a solution (docs/optima-and-stationary-points.md, step 6).

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
    ``u_neg`` is zero. ``problem`` is the :class:`~convexnn.program.problem.ConvexProblem` it solves
    (built from the other fields when a fit is made by hand); ``solver`` names the solver that
    ran and ``solver_reason`` why it was chosen.
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
    problem: ConvexProblem | None = field(default=None, repr=False)
    solver_reason: str = ""
    solver_state: WarmStart | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.problem is None:
            cones = self.cones
            if cones is None:
                cones = prepare_patterns(self.X, self.patterns, self.bias)
            self.problem = ConvexProblem.build(self.X, self.y, self.beta, self.loss, bias=self.bias,
                                               program=self.relu, cones=cones)
        if self.cones is None:
            self.cones = self.problem.cones

    @property
    def n_patterns(self) -> int:
        return int(self.patterns.shape[0])

    @property
    def program(self) -> Program:
        """The program solved ("exact" or "gated"); ``relu`` is its older name."""
        return Program(self.relu)

    def block_norms(self) -> np.ndarray:
        """(P, 2) norms ||u_i||, ||u'_i||."""
        return np.column_stack([np.linalg.norm(self.u, axis=1), np.linalg.norm(self.u_neg, axis=1)])

    def active_blocks(self, tol: float = ACTIVE_TOL) -> np.ndarray:
        """(k, 2) rows (pattern index, sign column 0 for u / 1 for u') with norm > tol * max."""
        norms = self.block_norms()
        # a block u changes the fit by at most ||X~|| ||u||: below 1e-10 ||y|| it is numerically zero
        scale = self.problem.lifted_norm
        floor = 1e-10 * max(float(np.linalg.norm(self.y)), 1e-12) / max(scale, 1e-300)
        return np.argwhere(norms > max(tol * norms.max(initial=0.0), floor))

    @property
    def n_active(self) -> int:
        return int(self.active_blocks().shape[0])

    def fitted(self) -> np.ndarray:
        """The convex model's prediction on the training data, sum_i D_i X~ (u_i - u'_i)."""
        W = self.u - self.u_neg
        live = np.flatnonzero(W.any(axis=1))  # most of the P blocks are zero
        return np.einsum("pk,pk->k", self.patterns[live], W[live] @ self.problem.Xt.T)

    def warm_start(self) -> WarmStart:
        """This solution as a start for the next solve on the same patterns (the Lasso path)."""
        state = self.solver_state
        return WarmStart(self.patterns.shape, self.active_blocks(),
                         None if state is None else state.working_set, None if state is None else state.rays,
                         (self.u @ self.problem.basis).T)

    def gates(self, patterns: np.ndarray | None = None) -> np.ndarray:
        """Gate vectors g_i (lifted coordinates, shape (d~, k)) with 1[X~ g_i >= 0] = pattern i.

        For the given pattern indices (default: the patterns of the active blocks). They extend the
        patterns to new inputs, which the gated model needs (:meth:`predict`).
        """
        from ..patterns.cones import interior_directions

        if patterns is None:
            patterns = np.unique(self.active_blocks()[:, 0])
        problem = self.problem
        return (interior_directions(problem.cones, problem.Z, patterns) @ problem.basis.T).T

    def predict(self, X_new: np.ndarray) -> np.ndarray:
        """The model's prediction on new inputs.

        Exact program: the ReLU network of :meth:`network`. Gated program:
        sum_i 1[x~^T g_i >= 0] x~^T w_i with the gates of :meth:`gates`.
        """
        X_new = np.asarray(X_new, dtype=float)
        if X_new.ndim == 1:
            X_new = X_new[:, None] if self.X.shape[1] == 1 else X_new[None, :]
        return self.model().predict(X_new)

    def model(self) -> ReLUNetwork | GatedReLUModel:
        """The model of this fit: the ReLU network (exact program) or the gated model."""
        return self.gated_model() if self.relu == "gated" else self.network()

    def gated_model(self) -> GatedReLUModel:
        """The gated program's own model: one unit per active pattern, with its gate vector."""
        idx = np.unique(self.active_blocks()[:, 0])
        return GatedReLUModel(self.gates(idx), (self.u[idx] - self.u_neg[idx]).T, self.bias)

    def network(self, tol: float = ACTIVE_TOL) -> ReLUNetwork:
        """One neuron per nonzero block: w1 = u/sqrt||u||, w2 = +-sqrt||u|| (docs/convex-program.md).

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


def solve_problem(problem: ConvexProblem, solver: str | Solver = "auto", tol: float = 1e-6,
                  time_limit: float = 120.0, max_outer: int = 60,
                  warm_start: ConvexFit | WarmStart | None = None,
                  cvxpy_solver: str = "CLARABEL") -> ConvexFit:
    """Solve a built problem with ``solver`` and certify the result: problem -> solver -> certificate."""
    if problem.beta is None:
        raise ValueError("beta must be a positive number, not None")
    chosen, reason = make_solver(solver, problem, tol, time_limit, max_outer, cvxpy_solver)
    if isinstance(warm_start, ConvexFit):
        warm_start = warm_start.warm_start()
    result = chosen.solve(problem, warm_start)
    fit = ConvexFit(
        problem.X, problem.y, problem.beta, problem.loss, str(problem.program), problem.bias,
        problem.patterns, result.u, result.u_neg, 0.0, result.status, chosen.name, result.solve_time, None,
        result.message,
        {"iterations": result.iterations, **result.info}, problem.cones, problem, reason, result.warm_start,
    )
    fit.objective = convex_objective(fit)
    fit.certificate = certify(fit, lam=result.lam, tol=tol, lam_max_value=result.lam_max)
    if fit.status in (Status.OPTIMAL, Status.INACCURATE) or chosen.name == "cvxpy":
        fit.status = Status.OPTIMAL if fit.certificate.optimal else _not_optimal(as_status(fit.status))
    return fit


def fit_convex(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    loss: str = "squared",
    patterns="auto",
    bias: bool = True,
    relu: str = "exact",
    solver: str | Solver = "auto",
    n_samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    cones: Arrangement | None = None,
    tol: float = 1e-6,
    time_limit: float = 120.0,
    max_outer: int = 60,
    warm_start: ConvexFit | WarmStart | None = None,
    cvxpy_solver: str = "CLARABEL",
    program: str | None = None,
) -> ConvexFit:
    """Solve the convex program of a two-layer ReLU network and return a :class:`ConvexFit`.

    Args:
        X, y: data (n, d) and targets; labels -1/+1 for the logistic and hinge losses.
        beta: weight-decay strength (the nonconvex penalty is (beta/2)||Theta||^2).
        loss: "squared" (1/2||f-y||^2), "logistic" or "hinge".
        patterns: "auto" (exact for rank <= 3 after the bias column), "exact", "gaussian",
            "geometric", or a (p, n) array of patterns.
        bias: append a ones column (the bias is regularized with its neuron).
        relu, program: the program, "exact" (cone-constrained) or "gated" (the relaxation
            without constraints); ``program`` is the name used everywhere, ``relu`` its older
            keyword (both work; ``program`` wins when given).
        solver: "auto" (the working-set solver, or FISTA for the gated program of data of rank
            > 3; the choice and its reason are recorded in ``fit.solver`` and
            ``fit.solver_reason``), "fast" (certified working set, :mod:`convexnn.program.fast`),
            "fista" (gated program only), "cvxpy" (reference) or any
            :class:`~convexnn.program.solvers.Solver`.
        n_samples, seed: number of sampled directions and their seed for sampled patterns.
        cones: a precomputed pattern set (from :func:`prepare_patterns`), reused as is.
        tol: relative duality gap below which the solution counts as optimal.
        time_limit, max_outer: limits of the solver; the working-set solver and FISTA count
            ``time_limit`` in CPU seconds of this process (a busy machine does not shorten it;
            cvxpy's solvers count wall time). At a limit the
            fit is the best feasible point found (never worse than the zero network), with status
            "time_limit" or "iteration_limit" and its certificate's gap.
        warm_start: a previous fit (or its :meth:`ConvexFit.warm_start`) on the same data and
            patterns; its active blocks seed the working set (used along the Lasso path).
        cvxpy_solver: "CLARABEL" or "SCS" for ``solver="cvxpy"``.
    """
    import time

    t0 = time.perf_counter()
    problem = ConvexProblem.build(X, y, beta, loss, patterns, bias, relu if program is None else program,
                                  n_samples, seed, cones)
    t_patterns = time.perf_counter() - t0
    fit = solve_problem(problem, solver, tol, time_limit, max_outer, warm_start, cvxpy_solver)
    fit.info.update(pattern_time=t_patterns, total_time=time.perf_counter() - t0)
    return fit


def dual_vector(fit: ConvexFit, cones: Arrangement | None = None) -> np.ndarray:
    """An optimal dual vector lam of the fit (docs/optima-and-stationary-points.md).

    Squared and logistic loss: lam = -grad l(f), unique at the optimum. Hinge loss: -grad l is
    only a subgradient (points on the margin y f = 1 take any value in [0, 1]), so lam is the
    working-set solver's dual, recomputed by one solve warm-started from the fit's active blocks
    (on ``cones`` when given, else the fit's own patterns).
    """
    if fit.loss != "hinge":
        return -losses.gradient(fit.loss, fit.fitted(), fit.y)
    from .solvers import WorkingSetSolver

    problem = fit.problem
    if cones is not None and cones is not problem.cones:
        problem = dataclasses.replace(problem, cones=cones, Z=problem.Xt @ cones.basis)
    start = WarmStart(problem.patterns.shape, fit.active_blocks())
    res = WorkingSetSolver().solve(problem, start)
    return losses.project_dual("hinge", np.asarray(res.lam, dtype=float), fit.y)


def _not_optimal(status: Status) -> Status:
    return Status.INACCURATE if status is Status.OPTIMAL else status


def convex_objective(fit: ConvexFit) -> float:
    """l(sum_i D_i X~(u_i - u'_i), y) + beta sum_i (||u_i|| + ||u'_i||)."""
    return losses.value(fit.loss, fit.fitted(), fit.y) + fit.beta * float(fit.block_norms().sum())


def certify(fit: ConvexFit, cones: Arrangement | None = None, lam: np.ndarray | None = None,
            tol: float = 1e-6, lam_max_value: float | None = None) -> Certificate:
    """The certificate of ``fit`` over all of its patterns, computed from its blocks
    (docs/solvers.md).

    Weak duality: for any lam, scaling it by min(1, beta / max_i ||Pi_{K_i}(+-X~^T D_i lam)||)
    makes it dual feasible, and its dual value is a lower bound on p*. Candidates are
    lam = -grad l(f) at the fit and, if given, the solver's own dual vector (needed for hinge);
    the better bound is kept. ``lam_max_value``, when given, is the already computed maximal
    dual value of ``lam`` over all patterns (the fast solver prices every pattern at its final
    dual point), which saves one pricing. ``cones`` (default: the fit's own) must be the fit's
    patterns.
    """
    problem = fit.problem
    cones = problem.cones if cones is None else cones
    Z = problem.Z if cones is problem.cones else problem.Xt @ cones.basis
    usable = cones.patterns.any(axis=1)
    primal = convex_objective(fit)

    def bound(cand: np.ndarray, vmax: float | None = None) -> tuple[float, float]:
        feasible = losses.project_dual(fit.loss, cand, fit.y)
        if vmax is None or not np.array_equal(feasible, cand):
            values, _ = price(cones, Z, feasible, fit.relu == "gated", threshold=fit.beta)
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


__all__ = [
    "PROGRAMS",
    "SOLVERS",
    "Certificate",
    "ConvexFit",
    "MAX_EXACT_POINTS",
    "certify",
    "convex_objective",
    "dual_vector",
    "fit_convex",
    "prepare_patterns",
    "solve_problem",
]
