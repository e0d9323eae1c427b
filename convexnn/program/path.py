"""beta_max and the warm-started Lasso (regularization) path (docs/lasso-path.md).

beta_max = max_i max_{s=+-1} ||Pi_{K_i}(s X~^T D_i g)|| with g = -grad l(0) (y for the squared
and hinge losses, y/2 for logistic): the zero network is optimal iff beta >= beta_max. The gated
relaxation uses ||X~^T D_i g||, an upper bound of the exact value.

:func:`solve_path` is the one path loop of the package: a decreasing beta grid, each solve
warm-started from the previous one, optionally pruned to a minimal network
(:func:`convexnn.program.pruning.prune_to_minimal`), with a progress callback. :func:`lasso_path` and
:func:`convexnn.theory.optima.network_path` are its two faces.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..data.validate import as_count, as_number, as_vector
from ..patterns.arrangements import Arrangement
from ..patterns.cones import max_dual_value
from .convex import ConvexFit, solve_problem
from .problem import DEFAULT_SAMPLES, ConvexProblem, Program, prepare_patterns
from .solvers import WarmStart


def gated_beta_max(A: np.ndarray, M: np.ndarray, g: np.ndarray) -> float:
    """max_i ||A^T D_i g|| for the patterns in the columns of M (n, P): beta_max of the gated
    program with A = X~ (or Z = X~ Q) and g = -grad l(0)."""
    return float(np.linalg.norm(A.T @ (M * g[:, None]), axis=0).max(initial=0.0))


def problem_beta_max(problem: ConvexProblem) -> float:
    """beta_max of a built problem (its own beta is not used)."""
    g = problem.zero_gradient()
    return max_dual_value(problem.cones, problem.Z, g, gated=problem.gated)


def beta_max(
    X: np.ndarray,
    y: np.ndarray,
    patterns="auto",
    loss: str = "squared",
    bias: bool = True,
    relu: str = "exact",
    cones: Arrangement | None = None,
) -> float:
    """The smallest beta for which the zero network is optimal (docs/lasso-path.md)."""
    y = as_vector(y, name="y")
    if cones is None:
        cones = prepare_patterns(X, patterns, bias)
    return problem_beta_max(ConvexProblem.build(X, y, None, loss, bias=bias, program=relu, cones=cones))


MAX_PATH_BETAS = 1000
"""Most beta values of one Lasso path."""


def beta_grid(beta_top: float, n_betas: int = 30, ratio: float = 1e-3) -> np.ndarray:
    """A geometric grid from ``beta_top`` down to ``ratio * beta_top`` (n_betas values)."""
    n_betas = as_count(n_betas, "the number of beta values", 2, MAX_PATH_BETAS)
    beta_top = as_number(beta_top, "the largest beta", positive=True)
    ratio = as_number(ratio, "the ratio", positive=True)
    return beta_top * np.geomspace(1.0, ratio, n_betas)


@dataclass
class PathStep:
    """One beta of a path: the solver's fit, its pruned copy (the fit itself when not pruned)."""

    fit: ConvexFit
    pruned: ConvexFit
    solve_time: float
    prune_time: float


def path_problem(X: np.ndarray, y: np.ndarray, loss: str = "squared", fit_options: dict | None = None,
                 program: str | None = None) -> ConvexProblem:
    """The problem of a path (beta unset), taking ``patterns``, ``bias``, ``n_samples``, ``seed``,
    ``cones`` and the program out of ``fit_options`` (the rest are solver options)."""
    options = fit_options if fit_options is not None else {}
    bias = options.pop("bias", True)
    relu = options.pop("relu", Program.EXACT)
    program = options.pop("program", None) or program or relu
    cones = options.pop("cones", None)
    patterns = options.pop("patterns", "auto")
    n_samples, seed = options.pop("n_samples", DEFAULT_SAMPLES), options.pop("seed", 0)
    if cones is None:
        cones = prepare_patterns(X, patterns, bias, n_samples, seed)
    return ConvexProblem.build(X, y, None, loss, bias=bias, program=program, cones=cones)


def solve_path(
    problem: ConvexProblem,
    betas,
    prune: bool = False,
    progress: Callable[[int, int, ConvexFit], None] | None = None,
    **solve_options,
) -> list[PathStep]:
    """Solve ``problem`` at each beta of ``betas`` (sorted decreasingly), each solve warm-started
    from the previous fit; with ``prune`` each fit with more than one active block is pruned to
    linearly independent blocks. ``progress(k, total, fit)`` is called after each beta.
    ``solve_options`` go to :func:`convexnn.program.convex.solve_problem` (solver, tol, time_limit, ...).
    """
    from .pruning import prune_to_minimal

    betas = np.sort(as_vector(betas, name="betas"))[::-1]
    if betas.size == 0 or betas.size > MAX_PATH_BETAS or betas[-1] <= 0:
        raise ValueError(f"betas must hold 1 to {MAX_PATH_BETAS} positive values")
    steps: list[PathStep] = []
    shared: dict = {}  # what the solves share (the ray features), emptied at the end
    previous = WarmStart(problem.patterns.shape, np.zeros((0, 2), dtype=int), shared=shared)
    t_start = time.perf_counter()
    try:
        for k, beta in enumerate(betas):
            t0 = time.perf_counter()
            fit = solve_problem(problem.with_beta(beta), warm_start=previous, **solve_options)
            t1 = time.perf_counter()
            fit.info["path_time"] = t1 - t_start
            pruned = prune_to_minimal(fit) if prune and fit.n_active > 1 else fit
            steps.append(PathStep(fit, pruned, t1 - t0, time.perf_counter() - t1))
            previous = dataclasses.replace(fit.warm_start(), shared=shared)
            if progress is not None:
                progress(k + 1, len(betas), fit)
    finally:
        shared.clear()
    return steps


def lasso_path(
    X: np.ndarray,
    y: np.ndarray,
    betas: np.ndarray | None = None,
    n_betas: int = 30,
    loss: str = "squared",
    ratio: float = 1e-3,
    progress: Callable[[int, int, ConvexFit], None] | None = None,
    **fit_options,
) -> list[ConvexFit]:
    """Solve along a decreasing beta grid with warm starts; return the fits, each with ``.beta``.

    Without ``betas`` the grid runs geometrically from beta_max down to ``ratio * beta_max``.
    ``progress(k, total, fit)`` is called after each solve (for progress bars).
    ``fit_options`` are those of :func:`convexnn.fit_convex` (patterns, bias, program, solver, ...).
    """
    fit_options = dict(fit_options)
    problem = path_problem(X, y, loss, fit_options)
    if betas is None:
        betas = beta_grid(problem_beta_max(problem), n_betas, ratio)
    return [step.fit for step in solve_path(problem, betas, progress=progress, **fit_options)]


__all__ = [
    "MAX_PATH_BETAS",
    "PathStep",
    "beta_grid",
    "beta_max",
    "gated_beta_max",
    "lasso_path",
    "path_problem",
    "problem_beta_max",
    "solve_path",
]
