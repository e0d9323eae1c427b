"""The solvers of a :class:`~convexnn.program.problem.ConvexProblem`, behind one small protocol.

Every solver has a ``name`` and ``solve(problem, warm_start=None) -> SolverResult``: the blocks
u_i, u'_i (lifted coordinates), a dual vector lam when the solver has one, a :class:`Status`
and the time it took. The certificate is not the solver's business: :func:`convexnn.certify`
computes it from the returned blocks, whichever solver ran (docs/solvers.md).

- :class:`WorkingSetSolver` ("fast"): the certified working-set method of :mod:`convexnn.program.fast`,
  both programs, every loss.
- :class:`FistaSolver` ("fista"): restarted FISTA for the gated program with the squared or
  logistic loss (:mod:`convexnn.program.first_order`); two matrix products per iteration, the right tool
  for sampled patterns of high-dimensional data.
- :class:`CvxpySolver` ("cvxpy"): the vectorized cvxpy model (Clarabel or SCS), the reference
  every faster solver is tested against (:mod:`convexnn.program.reference`).

:func:`choose_solver` is the automatic choice ``fit_convex(..., solver="auto")`` makes; it
returns the solver and the reason, and the fit records both.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable

import numpy as np

from .problem import ConvexProblem


class Status(StrEnum):
    """How a solve ended (a ``str``: ``fit.status == "optimal"`` keeps working)."""

    OPTIMAL = "optimal"  # certified: relative duality gap <= tol
    INACCURATE = "inaccurate"  # finished, but the certificate's gap is above tol
    ITERATION_LIMIT = "iteration_limit"
    TIME_LIMIT = "time_limit"
    MEMORY_LIMIT = "memory_limit"
    STOPPED = "stopped"  # a callback asked to stop
    SOLVER_ERROR = "solver_error"


_CVXPY_STATUS = {"optimal": Status.OPTIMAL, "optimal_inaccurate": Status.INACCURATE,
                 "user_limit": Status.TIME_LIMIT}


def as_status(text: str) -> Status:
    """A solver's own status word as a :class:`Status` (unknown words are solver errors)."""
    if isinstance(text, Status):
        return text
    try:
        return Status(text)
    except ValueError:
        return _CVXPY_STATUS.get(str(text), Status.SOLVER_ERROR)


@dataclass(frozen=True)
class WarmStart:
    """What a solve can start from: a previous solution on the same patterns.

    ``active`` (k, 2) rows (pattern, sign column) of the nonzero blocks; ``working_set`` the
    working-set solver's last set of cone blocks and ``rays`` its ray-Lasso atoms (phase 1);
    ``weights`` (r, P) the gated blocks in reduced coordinates (FISTA). ``shared`` is a dict the
    solves of one path share (structures of the same problem at another beta); the path empties it.
    """

    shape: tuple[int, int]  # (P, n) of the patterns it was solved on
    active: np.ndarray
    working_set: np.ndarray | None = None
    rays: np.ndarray | None = None
    weights: np.ndarray | None = None
    shared: dict | None = None

    def matches(self, problem: ConvexProblem) -> bool:
        return tuple(self.shape) == problem.patterns.shape


@dataclass
class SolverResult:
    """A solver's answer: blocks in lifted coordinates (P, d~), the dual vector, status, time."""

    u: np.ndarray
    u_neg: np.ndarray
    lam: np.ndarray | None
    status: Status
    message: str
    solve_time: float
    iterations: int = 0
    lam_max: float | None = None  # max_i dual value of lam over all patterns, when the solver priced them
    warm_start: WarmStart | None = None  # the solver's own state, to warm-start the next solve
    info: dict = field(default_factory=dict)


@runtime_checkable
class Solver(Protocol):
    """A solver of the convex program."""

    name: str

    def solve(self, problem: ConvexProblem, warm_start: WarmStart | None = None) -> SolverResult: ...


@dataclass
class WorkingSetSolver:
    """The certified working-set solver (:func:`convexnn.program.fast.solve`), both programs, all losses."""

    tol: float = 1e-6
    time_limit: float = 120.0
    max_outer: int = 60
    name: str = "fast"

    def solve(self, problem: ConvexProblem, warm_start: WarmStart | None = None) -> SolverResult:
        from . import fast

        init = init_rays = shared = None
        if warm_start is not None and warm_start.matches(problem):
            shared = warm_start.shared
            if warm_start.rays is not None or warm_start.working_set is not None:
                init_rays, init = warm_start.rays, warm_start.working_set  # the blocks of weight
            else:
                init = warm_start.active
            if problem.gated and init is not None:
                init = init[init[:, 1] == 0]
        t0 = time.perf_counter()
        res = fast.solve(problem.cones, problem.Z, problem.y, problem.beta, problem.loss, problem.gated,
                         tol=self.tol, max_outer=self.max_outer, time_limit=self.time_limit,
                         init_blocks=init, init_rays=init_rays, shared=shared)
        seconds = time.perf_counter() - t0
        Q = problem.basis
        u, u_neg = res.u @ Q.T, res.u_neg @ Q.T
        # the state holds no ``shared`` dict: only the path loop passes it on (and empties it)
        state = WarmStart(problem.patterns.shape, np.zeros((0, 2), int), res.active_set, res.ray_working_set)
        return SolverResult(u, u_neg, res.lam, as_status(res.status), res.message, seconds,
                            res.outer_iterations, res.max_dual_value, state,
                            {"working_set": int(len(res.working_set))})


FISTA_LOSSES = ("squared", "logistic")


@dataclass
class FistaSolver:
    """Restarted FISTA for the gated program (:func:`convexnn.program.first_order.fista_gated`)."""

    tol: float = 1e-6
    time_limit: float = 120.0
    name: str = "fista"

    def solve(self, problem: ConvexProblem, warm_start: WarmStart | None = None) -> SolverResult:
        from .first_order import fista_gated

        if not problem.gated or problem.loss not in FISTA_LOSSES:
            raise ValueError(f"FISTA solves the gated program with the {' or '.join(FISTA_LOSSES)} loss")
        W0 = None
        if warm_start is not None and warm_start.matches(problem):
            W0 = warm_start.weights
        t0 = time.perf_counter()
        res = fista_gated(problem.Z, problem.y, problem.patterns.T.astype(float), problem.beta, problem.loss,
                          W0=W0, tol=self.tol, time_limit=self.time_limit)
        seconds = time.perf_counter() - t0
        u = res.W.T @ problem.basis.T
        state = WarmStart(problem.patterns.shape, np.zeros((0, 2), int), weights=res.W)
        return SolverResult(u, np.zeros_like(u), res.lam, as_status(res.status), res.message, seconds,
                            res.iterations, res.max_dual_value, state)


@dataclass
class CvxpySolver:
    """The cvxpy reference model (:func:`convexnn.program.reference.solve_cvxpy`), Clarabel or SCS."""

    backend: str = "CLARABEL"
    time_limit: float | None = 120.0
    name: str = "cvxpy"

    def solve(self, problem: ConvexProblem, warm_start: WarmStart | None = None) -> SolverResult:
        from .reference import solve_cvxpy

        t0 = time.perf_counter()
        u, u_neg, lam, status, message = solve_cvxpy(
            problem.Xt, problem.y, problem.patterns, problem.beta, problem.loss, problem.gated, self.backend,
            self.time_limit)
        return SolverResult(u, u_neg, lam, as_status(status), message, time.perf_counter() - t0)


SOLVERS = ("auto", "fast", "fista", "cvxpy")


def choose_solver(problem: ConvexProblem, tol: float = 1e-6, time_limit: float = 120.0,
                  max_outer: int = 60) -> tuple[Solver, str]:
    """The automatic choice and its reason.

    The gated program of high-dimensional features (reduced rank > 3) with the squared or
    logistic loss goes to FISTA (two BLAS products per iteration beat growing a working set of
    unconstrained blocks there); everything else to the certified working-set solver.
    """
    r = problem.Z.shape[1]
    if problem.gated and r > 3 and problem.loss in FISTA_LOSSES:
        return (FistaSolver(tol, time_limit),
                f"gated program on rank-{r} data with the {problem.loss} loss: first-order method")
    return WorkingSetSolver(tol, time_limit, max_outer), "the certified working-set solver"


def make_solver(solver: str | Solver, problem: ConvexProblem, tol: float = 1e-6, time_limit: float = 120.0,
                max_outer: int = 60, cvxpy_solver: str = "CLARABEL") -> tuple[Solver, str]:
    """The solver named by ``solver`` ("auto", "fast", "fista", "cvxpy" or a :class:`Solver`)."""
    if isinstance(solver, str):
        if solver == "auto":
            return choose_solver(problem, tol, time_limit, max_outer)
        if solver == "fast":
            return WorkingSetSolver(tol, time_limit, max_outer), "asked for"
        if solver == "fista":
            return FistaSolver(tol, time_limit), "asked for"
        if solver == "cvxpy":
            return CvxpySolver(cvxpy_solver, time_limit), "asked for"
        raise ValueError(f"solver must be one of {SOLVERS} or a Solver, not {solver!r}")
    if isinstance(solver, Solver):
        return solver, "given"
    raise ValueError(f"solver must be one of {SOLVERS} or a Solver, not {solver!r}")


__all__ = [
    "SOLVERS",
    "CvxpySolver",
    "FistaSolver",
    "Solver",
    "SolverResult",
    "Status",
    "WarmStart",
    "WorkingSetSolver",
    "as_status",
    "choose_solver",
    "make_solver",
]
