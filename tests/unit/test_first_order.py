"""The first-order solvers for large programs agree with the cvxpy reference."""

import time

import numpy as np
import pytest

from convexnn.patterns.arrangements import gaussian_patterns, lift
from convexnn.program.convex import fit_convex
from convexnn.program.first_order import fista_gated


def _problem(n=40, d=8, k=25, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.sign(X[:, 0] + 0.5 * rng.standard_normal(n))
    P = gaussian_patterns(X, k, seed)
    return X, y, P


@pytest.mark.parametrize("loss", ["squared", "logistic"])
def test_fista_gated_matches_cvxpy(loss):
    X, y, P = _problem()
    beta = 0.05 * np.abs(lift(X).T @ y).max()
    res = fista_gated(lift(X), y, P.T.astype(float), beta, loss, tol=1e-8)
    ref = fit_convex(X, y, beta, loss=loss, patterns=P, relu="gated", solver="cvxpy")
    assert res.status == "optimal"
    assert res.primal == pytest.approx(ref.objective, rel=1e-6)
    assert res.dual <= ref.objective * (1 + 1e-8)  # a valid lower bound


def test_fit_convex_routes_high_dimensional_gated_to_fista_and_certifies():
    X, y, P = _problem(n=60, d=12, k=40, seed=1)
    beta = 0.5
    fit = fit_convex(X, y, beta, patterns=P, relu="gated")
    ref = fit_convex(X, y, beta, patterns=P, relu="gated", solver="cvxpy")
    assert fit.solver == "fista" and "first-order" in fit.solver_reason
    assert fit.status == "optimal" and fit.certificate.optimal
    assert fit.objective == pytest.approx(ref.objective, rel=1e-5)
    assert np.allclose(fit.predict(X), fit.fitted(), atol=1e-9)  # gates reproduce the patterns


def test_exact_program_of_high_dimensional_data_matches_cvxpy():
    """The case the removed augmented Lagrangian was tested on, now against the cvxpy reference."""
    X, y, P = _problem(n=30, d=6, k=15, seed=2)
    beta = 0.1 * np.abs(lift(X).T @ y).max()
    fit = fit_convex(X, y, beta, patterns=P, relu="exact")
    ref = fit_convex(X, y, beta, patterns=P, relu="exact", solver="cvxpy")
    assert fit.status == "optimal" and fit.solver == "fast"
    assert fit.objective == pytest.approx(ref.objective, rel=1e-6)
    assert fit.certificate.dual <= ref.objective * (1 + 1e-8)


def test_fista_matches_cvxpy_on_200_by_20_with_50_patterns():
    """The issue's check: FISTA's objective equals cvxpy's to 1e-6 relative (n = 200, d = 20)."""
    X, y, P = _problem(n=200, d=20, k=50, seed=4)
    assert P.shape[0] == 50
    beta = 0.05 * np.abs(lift(X).T @ y).max()
    res = fista_gated(lift(X), y, P.T.astype(float), beta, "squared", tol=1e-9, max_iter=100_000)
    ref = fit_convex(X, y, beta, patterns=P, relu="gated", solver="cvxpy")
    assert res.status == "optimal"
    assert res.primal == pytest.approx(ref.objective, rel=1e-6)
    assert res.dual <= ref.objective * (1 + 1e-9)
    # the float32 products reach the same optimum to the accuracy float32 allows
    single = fista_gated(lift(X), y, P.T.astype(float), beta, "squared", tol=1e-5, single=True,
                         max_iter=100_000)
    assert single.status == "optimal"
    assert single.primal == pytest.approx(ref.objective, rel=1e-5)


def test_fista_callback_sees_decreasing_gaps_and_can_stop():
    X, y, P = _problem(n=80, d=10, k=20, seed=5)
    beta = 0.01 * np.abs(lift(X).T @ y).max()
    seen = []

    def callback(W, seconds):
        seen.append((W.copy(), seconds))
        return len(seen) == 3

    res = fista_gated(lift(X), y, P.T.astype(float), beta, tol=1e-12, check_every=5, callback=callback)
    assert res.status == "stopped" and res.iterations == 15 and len(seen) == 3
    assert np.array_equal(seen[-1][0], res.W)
    assert [s for _, s in seen] == sorted(s for _, s in seen)


def test_lipschitz_estimate_bounds_the_operator_norm():
    """The power-iteration estimate (1.05 x) is at least ||A||^2, computed densely."""
    from convexnn.program.first_order import lipschitz_estimate

    X, y, P = _problem(n=50, d=6, k=10, seed=6)
    Xt, M = lift(X), P.T.astype(float)
    A = np.hstack([M[:, [i]] * Xt for i in range(M.shape[1])])  # columns: block i, coordinate j
    exact = np.linalg.norm(A, 2) ** 2
    est = lipschitz_estimate(Xt, M)
    assert exact <= est <= 1.06 * exact


@pytest.mark.parametrize("limit", [0.0, 0.02])
def test_fista_time_limit_is_cpu_time_and_honest(monkeypatch, limit):
    # a wall clock that jumps 1000 s per reading must not stop the solve; a CPU budget that
    # runs out returns the best iterate, no worse than the zero network, with dual <= p* <= primal
    X, y, P = _problem(n=200, d=20, k=50, seed=4)
    beta = 0.01 * np.abs(lift(X).T @ y).max()
    ref = fit_convex(X, y, beta, patterns=P, relu="gated", solver="cvxpy")
    real, jump = time.perf_counter, {"t": 0.0}

    def slow_clock():
        jump["t"] += 1000.0
        return real() + jump["t"]

    monkeypatch.setattr(time, "perf_counter", slow_clock)
    monkeypatch.setattr(time, "time", slow_clock)
    full = fista_gated(lift(X), y, P.T.astype(float), beta, tol=1e-7, time_limit=60, max_iter=100_000)
    assert full.status == "optimal"
    assert full.primal == pytest.approx(ref.objective, rel=1e-6)
    cut = fista_gated(lift(X), y, P.T.astype(float), beta, tol=1e-12, time_limit=limit, max_iter=100_000)
    assert cut.status == "time_limit" and "CPU time" in cut.message
    assert cut.primal <= 0.5 * y @ y * (1 + 1e-12)
    assert cut.dual <= ref.objective * (1 + 1e-8) <= cut.primal * (1 + 2e-8)


def test_fista_warm_start_worse_than_zero_returns_at_most_the_zero_network():
    X, y, P = _problem(n=60, d=8, k=20, seed=6)
    beta = 0.1 * np.abs(lift(X).T @ y).max()
    bad = 50.0 * np.ones((lift(X).shape[1], P.shape[0]))
    res = fista_gated(lift(X), y, P.T.astype(float), beta, W0=bad, max_iter=1, check_every=1)
    assert res.primal <= 0.5 * y @ y * (1 + 1e-12)
