"""Honest stops of the fast solver: a truncated solve returns a feasible point no worse than the
zero network, and its dual bound sandwiches the optimum (dual <= p* <= objective), where p* comes
from cvxpy + Clarabel on the same patterns. Never an interrupted inner iterate."""

from __future__ import annotations

import time

import numpy as np
import pytest
from helpers import loss_value, rel

import convexnn as cn
from convexnn import fast, fit_convex, prepare_patterns
from convexnn.patterns.arrangements import lift


def _feasibility(fit) -> float:
    """Largest violation of (2 D_i - I) X~ u_i >= 0, relative to ||X~|| max ||u|| (0 if none)."""
    if fit.relu == "gated" or not fit.block_norms().any():
        return 0.0
    Xt = lift(fit.X, fit.bias)
    S = 2.0 * fit.patterns - 1.0
    scale = np.linalg.norm(Xt, 2) * fit.block_norms().max()
    return max(float(np.max(-S * (U @ Xt.T), initial=0.0)) for U in (fit.u, fit.u_neg)) / scale


@pytest.fixture(scope="module")
def spiral_problem():
    data = cn.datasets.spiral(16)
    X, y = data.X, data.y
    cones = prepare_patterns(X, "exact")
    beta = 1e-2 * float(np.abs(lift(X).T @ y).max())
    ref = fit_convex(X, y, beta, cones=cones, solver="cvxpy")
    assert ref.certificate.optimal
    return X, y, beta, cones, ref.objective


def _assert_honest(fit, X, y, p_star, loss="squared"):
    zero = loss_value(loss, np.zeros_like(y), y)
    assert np.isfinite(fit.objective)
    assert fit.objective <= zero * (1 + 1e-12)
    assert fit.certificate.dual <= p_star * (1 + 1e-7) + 1e-9
    assert fit.objective >= p_star * (1 - 1e-7) - 1e-9
    assert _feasibility(fit) < 1e-7
    if fit.relu == "gated":
        return  # a gated block maps to a ReLU neuron only when it lies in its cone
    assert rel(fit.network().objective(X, y, fit.beta, loss), fit.objective) < 1e-6


def test_iteration_cap_is_honest(spiral_problem):
    X, y, beta, cones, p_star = spiral_problem
    fit = fit_convex(X, y, beta, cones=cones, max_outer=1)
    assert fit.status in ("iteration_limit", "optimal")
    _assert_honest(fit, X, y, p_star)
    full = fit_convex(X, y, beta, cones=cones)
    assert full.status == "optimal"
    assert rel(full.objective, p_star) < 1e-6


@pytest.mark.parametrize("limit", [0.0, 1e-9])
def test_tiny_time_limit_is_honest(spiral_problem, limit):
    X, y, beta, cones, p_star = spiral_problem
    fit = fit_convex(X, y, beta, cones=cones, time_limit=limit)
    assert fit.status in ("time_limit", "optimal")
    _assert_honest(fit, X, y, p_star)
    assert "stopped" in fit.message or fit.status == "optimal"


def _garbage_after(calls_ok: int, status: str = "MaxTime"):
    """A solve_restricted that returns a huge, infeasible interrupted iterate after some calls."""
    real = fast.solve_restricted
    count = {"n": 0}

    def fake(Z, y, masks, signs, rows, *args, **kwargs):
        count["n"] += 1
        res = real(Z, y, masks, signs, rows, *args, **kwargs)
        if count["n"] <= calls_ok:
            return res
        w = 1e3 * np.ones_like(res.w)
        pred = np.einsum("bk,bk->k", masks * signs[:, None], w @ Z.T) if len(w) else np.zeros(len(y))
        c = None if res.c is None else 1e3 * np.ones_like(res.c)
        return fast.Restricted(w, pred + 1e3, -(pred + 1e3 - y), status, 7, c)

    return fake


@pytest.mark.parametrize("calls_ok", [0, 1])
@pytest.mark.parametrize("status", ["MaxTime", "NumericalError"])
def test_interrupted_inner_solve_is_never_returned(spiral_problem, monkeypatch, calls_ok, status):
    X, y, beta, cones, p_star = spiral_problem
    monkeypatch.setattr(fast, "solve_restricted", _garbage_after(calls_ok, status))
    fit = fit_convex(X, y, beta, cones=cones, tol=1e-12)
    assert fit.status == ("time_limit" if status == "MaxTime" else "solver_error")
    assert not fit.certificate.optimal or rel(fit.objective, p_star) < 1e-6
    _assert_honest(fit, X, y, p_star)


@pytest.mark.parametrize(
    "loss, relu", [("squared", "gated"), ("hinge", "exact"), ("logistic", "exact"), ("logistic", "gated")]
)
def test_iteration_cap_is_honest_other_programs(loss, relu):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(14, 2))
    y = np.where(X[:, 0] * X[:, 1] > 0, 1.0, -1.0)
    cones = prepare_patterns(X, "exact")
    beta = 0.05
    ref = fit_convex(X, y, beta, loss=loss, relu=relu, cones=cones, solver="cvxpy")
    fit = fit_convex(X, y, beta, loss=loss, relu=relu, cones=cones, max_outer=1)
    _assert_honest(fit, X, y, ref.objective, loss)


def test_budget_is_cpu_time_not_wall_time(spiral_problem, monkeypatch):
    # a machine so loaded that every wall-clock reading jumps by 1000 s: the solve must not care
    X, y, beta, cones, p_star = spiral_problem
    real = time.perf_counter
    jump = {"t": 0.0}

    def slow_clock():
        jump["t"] += 1000.0
        return real() + jump["t"]

    monkeypatch.setattr(time, "perf_counter", slow_clock)
    monkeypatch.setattr(time, "time", slow_clock)
    fit = fit_convex(X, y, beta, cones=cones, time_limit=60)
    assert fit.status == "optimal"
    assert rel(fit.objective, p_star) < 1e-6
