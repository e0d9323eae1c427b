"""The problem object and the solver interface: built once, solved by any solver, same certificate."""

from __future__ import annotations

import numpy as np
import pytest

import convexnn as cn
from convexnn.patterns.arrangements import lift
from convexnn.program.problem import ConvexProblem, Program
from convexnn.program.solvers import (
    CvxpySolver,
    FistaSolver,
    Solver,
    Status,
    WarmStart,
    WorkingSetSolver,
    as_status,
    choose_solver,
)


def _data(n=24, seed=0):
    data = cn.datasets.moons(n, seed=seed)
    return data.X, data.y


def test_problem_lifts_once_and_reduces_rank():
    X, y = _data()
    problem = ConvexProblem.build(X, y, 0.1)
    assert np.array_equal(problem.Xt, lift(X))
    assert np.allclose(problem.Z, problem.Xt @ problem.basis)
    assert problem.program is Program.EXACT and not problem.gated
    assert problem.lifted_norm == pytest.approx(np.linalg.norm(lift(X), 2))
    other = problem.with_beta(0.2)
    assert other.beta == 0.2 and other.Z is problem.Z and other.cones is problem.cones


@pytest.mark.parametrize("bad", [{"beta": -1.0}, {"loss": "l1"}, {"program": "relu6"}])
def test_problem_refuses_bad_settings_with_a_message(bad):
    X, y = _data()
    kwargs = {"beta": 0.1, **bad}
    with pytest.raises(ValueError):
        ConvexProblem.build(X, y, **kwargs)


@pytest.mark.parametrize("program", ["exact", "gated"])
def test_every_solver_of_the_protocol_agrees_with_the_reference(program):
    """The same built problem handed to the working-set solver and to cvxpy: same optimum."""
    X, y = _data(20, seed=1)
    problem = ConvexProblem.build(X, y, 0.05, program=program)
    assert isinstance(WorkingSetSolver(), Solver) and isinstance(CvxpySolver(), Solver)
    fast = cn.solve_problem(problem, WorkingSetSolver())
    ref = cn.solve_problem(problem, CvxpySolver())
    assert fast.status == Status.OPTIMAL and fast.solver == "fast" and ref.solver == "cvxpy"
    assert fast.objective == pytest.approx(ref.objective, rel=1e-6)
    assert fast.certificate.dual <= ref.objective * (1 + 1e-8)


def test_fista_solves_the_gated_program_and_refuses_the_exact_one():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(40, 6))
    y = np.sign(X[:, 0] + 0.3 * rng.normal(size=40))
    gated = ConvexProblem.build(X, y, 0.5, patterns="gaussian", program="gated", n_samples=30)
    fista = cn.solve_problem(gated, FistaSolver(tol=1e-8))
    ref = cn.solve_problem(gated, CvxpySolver())
    assert fista.solver == "fista" and fista.status == Status.OPTIMAL
    assert fista.objective == pytest.approx(ref.objective, rel=1e-6)
    with pytest.raises(ValueError, match="gated program"):
        FistaSolver().solve(ConvexProblem.build(X, y, 0.5, patterns="gaussian", n_samples=30))


def test_automatic_choice_is_recorded_with_its_reason():
    X, y = _data()
    fit = cn.fit_convex(X, y, 0.1)
    assert fit.solver == "fast" and "working-set" in fit.solver_reason
    rng = np.random.default_rng(2)
    Xh = rng.normal(size=(30, 5))
    high = ConvexProblem.build(Xh, np.sign(Xh[:, 0]), 0.5, patterns="gaussian", program="gated", n_samples=20)
    solver, reason = choose_solver(high)
    assert solver.name == "fista" and "rank-6" in reason
    explicit = cn.fit_convex(Xh, np.sign(Xh[:, 0]), 0.5, patterns="gaussian", n_samples=20, program="gated",
                             solver="fast")
    assert explicit.solver == "fast" and explicit.solver_reason == "asked for"
    with pytest.raises(ValueError, match="solver must be one of"):
        cn.fit_convex(X, y, 0.1, solver="newton")


def test_status_values_are_constants_and_unknown_words_are_errors():
    assert Status.OPTIMAL == "optimal" and f"{Status.TIME_LIMIT}" == "time_limit"
    assert as_status("optimal_inaccurate") is Status.INACCURATE
    assert as_status("Solved?") is Status.SOLVER_ERROR


def test_warm_start_is_typed_and_reproduces_the_cold_solution():
    X, y = _data(30, seed=3)
    cold = cn.fit_convex(X, y, 0.02)
    start = cn.fit_convex(X, y, 0.05).warm_start()
    assert isinstance(start, WarmStart) and start.shape == cold.patterns.shape
    warm = cn.fit_convex(X, y, 0.02, warm_start=start)
    assert warm.status == Status.OPTIMAL
    assert warm.objective == pytest.approx(cold.objective, rel=1e-8)


def test_program_keyword_and_the_older_relu_keyword_agree():
    X, y = _data()
    a = cn.fit_convex(X, y, 0.1, program="gated")
    b = cn.fit_convex(X, y, 0.1, relu="gated")
    assert a.program is Program.GATED and a.objective == b.objective
