"""Complexity (math.md section 8): pattern counts and bounds, the data classes, the two-pattern
program for orthogonally separable data, and the Max-Cut relaxation."""

from math import e, pi, sqrt

import numpy as np
import pytest

import convexnn as cn
from convexnn import complexity as cx


def test_constants():
    assert cx.NEGATIVE_CORRELATION_EPS == pytest.approx(0.2533, abs=1e-4)
    # math.md (and the issue) write ~0.00598; the formula sqrt(84/83) - 1 gives 0.006006
    assert cx.HARDNESS_EPS == pytest.approx(0.006006, abs=1e-6)
    assert [row["data"] for row in cx.LADDER][0] == "orthogonally separable"


def test_bounds():
    assert cx.cnn_bound(12, 3) == pytest.approx(27 * 4.0**9)
    assert np.allclose(cx.cnn_bound(np.array([4, 8]), 2), [8 * 2.0**6, 8 * 4.0**6])
    assert cn.cover_bound(40, 3) == pytest.approx(6 * (e * 39 / 3) ** 3)


def test_pattern_count_table():
    rows = cx.pattern_count_table([5, 10, 40, 90], materialize_limit=40)
    for r in rows:
        n = r["n"]
        assert r["patterns"] == n * n - n + 2 == r["general_position"]  # general position
        assert r["patterns"] <= r["cover_bound"]
        assert np.isfinite(r["count_seconds"])  # the count was timed
        # the enumeration is timed exactly where the table materialises the patterns (n <= 40)
        assert np.isnan(r["enumerate_seconds"]) == (n > 40)


def test_data_classes():
    X, y = cx.orthogonally_separable_example()
    c = cx.data_class(X, y)
    assert c.kind == "orthogonally separable" and c.min_within > 0 and c.max_across <= 0
    assert c.pairs_within + c.pairs_across == 20 * 19 // 2
    # within-class orthogonal pair: only negatively correlated
    Xn = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    assert cx.data_class(Xn, np.array([1, 1, -1])).kind == "negatively correlated"
    moons = cn.datasets.moons(40)
    assert cx.data_class(moons.X, moons.y).kind == "general"
    with pytest.raises(ValueError):
        cx.data_class(X, np.ones(20))


def test_two_patterns_are_exact_for_logistic_and_hinge_not_for_squared():
    X, y = cx.orthogonally_separable_example()
    res = cx.two_pattern_comparison(X, y, betas=(0.01, 0.1, 1.0))
    by = {(r.loss, r.beta): r for r in res}
    for loss in ("logistic", "hinge"):
        for beta in (0.01, 0.1, 1.0):
            r = by[(loss, beta)]
            assert r.certified and r.n_patterns == 2 * (1 + 19 + 171) + 1  # all patterns, no bias
            assert r.two == pytest.approx(r.full, rel=1e-5)
    # hinge on separable data: linear in beta while the margins are met
    assert by[("hinge", 0.1)].full == pytest.approx(10 * by[("hinge", 0.01)].full, rel=1e-5)
    # squared loss: the residual changes sign, two patterns are not enough at small beta
    assert by[("squared", 0.01)].two > 2 * by[("squared", 0.01)].full
    assert by[("squared", 1.0)].two == pytest.approx(by[("squared", 1.0)].full, rel=1e-5)


def test_two_pattern_value_against_the_cvxpy_reference():
    X, y = cx.orthogonally_separable_example(n=12, seed=2)
    for loss in ("logistic", "hinge"):
        full = cn.fit_convex(X, y, 0.1, loss=loss, patterns="exact", bias=False, solver="cvxpy")
        two = cn.fit_convex(X, y, 0.1, loss=loss, patterns=cx.two_patterns(y), bias=False, solver="cvxpy")
        assert two.objective == pytest.approx(full.objective, rel=1e-5)


def test_brute_force_and_homogenization():
    rng = np.random.default_rng(0)
    X, lam = rng.standard_normal((8, 3)), rng.standard_normal(8)
    A = cx.bqp_matrix(X, lam)
    opt, delta = cx.brute_force_bqp(A)
    # independently: max over u of sum_i (lambda_i x_i^T u)_+ is attained by some delta
    assert opt == pytest.approx(np.linalg.norm(X.T @ (delta * lam)) ** 2)
    assert all(d @ A @ d <= opt + 1e-12 for d in rng.integers(0, 2, (200, 8)).astype(float))
    At = cx.homogenized(A)
    for _ in range(20):
        z = rng.choice([-1.0, 1.0], 9)
        dd = (1 + z[0] * z[1:]) / 2
        assert dd @ A @ dd == pytest.approx(z @ At @ z / 4)
    assert np.linalg.eigvalsh(At).min() > -1e-9
    with pytest.raises(ValueError):
        cx.brute_force_bqp(np.eye(cx.MAX_BRUTE_FORCE + 1))


def test_maxcut_relaxation_and_rounding():
    rng = np.random.default_rng(1)
    X, lam = rng.standard_normal((12, 5)), rng.standard_normal(12)
    res = cx.maxcut_experiment(X, lam, rounds=300)
    assert res.sdp >= res.optimum * (1 - 1e-5)
    assert res.rounded.max() <= res.optimum * (1 + 1e-9)
    assert 1 - 1e-5 <= res.relaxation_ratio <= sqrt(pi / 2)
    assert 1 - 1e-9 <= res.rounding_ratio_best <= res.rounding_ratio_mean + 1e-9
    assert res.rounding_ratio_mean <= sqrt(pi / 2) + 0.05
    # a case where the relaxation is not tight (seed 2, d = 2, n = 14)
    rng = np.random.default_rng(2)
    loose = cx.maxcut_experiment(rng.standard_normal((14, 2)), rng.standard_normal(14), rounds=300)
    assert 1.005 < loose.relaxation_ratio < sqrt(pi / 2)


def test_dual_vector_is_the_residual_for_the_squared_loss():
    d = cn.datasets.moons(12)
    lam = cx.dual_vector(d.X, d.y, 0.1)
    fit = cn.fit_convex(d.X, d.y, 0.1)
    assert np.allclose(lam, d.y - fit.fitted())
    res = cx.maxcut_experiment(np.c_[d.X, np.ones(12)], lam, rounds=50)
    assert res.n == 12 and res.optimum > 0
