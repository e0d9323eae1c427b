"""Deep linear networks (math.md section 7): the closed forms of P and D, where the gap vanishes,
gradient descent reaching P or stalling, and the parallel architecture's zero gap."""

import numpy as np
import pytest

from convexnn import duality as du

TABLE = [  # X, Y, L, P, D from math.md section 7
    ("I2", "I2", 3, 3.0, 2.381102),
    ("I2", "diag(2,0)", 3, 2.381102, 2.381102),
    ("I2", "diag(4,1)", 2, 5.0, 5.0),
    ("I2", "diag(4,1)", 3, 5.279763, 4.386027),
    ("I2", "diag(4,1)", 4, 6.0, 4.472136),
    ("random 3x4", "random 3x2", 3, 4.95151, 4.29677),
    ("random 3x4", "random 3x2", 4, 5.59987, 4.40370),
]


def test_pd_table_of_math_md():
    rows = du.pd_table()
    assert len(rows) == len(TABLE)
    for row, (x, y, L, P, D) in zip(rows, TABLE, strict=True):
        assert (row["X"], row["Y"], row["L"]) == (x, y, L)
        assert row["P"] == pytest.approx(P, rel=1e-5, abs=1e-6)
        assert row["D"] == pytest.approx(D, rel=1e-5, abs=1e-6)
        assert row["gap"] == pytest.approx(P - D, abs=2e-5)


def test_random_case_singular_values():
    X, Y = du.random_case()
    s = np.linalg.svd(du.min_norm_map(X, Y), compute_uv=False)
    assert s == pytest.approx([4.3317, 0.5165], abs=1e-4)
    # X^+ Y solves X M = Y (X has full row rank)
    assert np.allclose(X @ du.min_norm_map(X, Y), Y)


def test_singular_values_of_the_gd_case_match_the_gram_eigenvalues():
    X, Y = du.gd_case()
    assert np.array_equal(X, np.eye(3))  # sigma(X^+ Y) = sigma(Y)
    reference = np.sqrt(np.linalg.eigvalsh(Y.T @ Y))[::-1]  # sigma_i^2 = eigenvalues of Y^T Y
    assert du.singular_values(Y) == pytest.approx(reference, rel=1e-12)
    # rounding noise of a rank-1 matrix is set to zero
    a, b = np.arange(1.0, 4.0), np.array([0.3, -0.7])
    s = du.singular_values(np.outer(a, b))
    assert s[0] == pytest.approx(np.linalg.norm(a) * np.linalg.norm(b)) and s[1] == 0.0


def test_gap_vanishes_iff_rank_at_most_one():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(4), rng.standard_normal(3)
    for L in (3, 4, 6):
        rank1 = du.deep_linear_values(np.outer(a, b), L)
        assert rank1.rank == 1 and rank1.gap == pytest.approx(0.0, abs=1e-12)
        equal = du.values_from_sigma([1.0, 1.0], L)  # equal singular values, rank 2
        assert equal.gap > 0.1
        assert du.deep_linear_values(rng.standard_normal((4, 3)), L).gap > 0
        assert du.values_from_sigma([0.0, 0.0], L).gap == 0.0
    # L = 2: P = D = nuclear norm, never a gap
    assert du.values_from_sigma([4.0, 1.0, 0.3], 2).gap == pytest.approx(0.0, abs=1e-12)
    assert du.values_from_sigma([2.0, 1.0], 3).parallel == du.values_from_sigma([2.0, 1.0], 3).dual


def test_closed_forms_are_the_minimum_over_t():
    for sigma, L in [([4.0, 1.0], 3), ([4.0, 1.0], 4), ([4.3317, 0.5165], 5), ([1.0, 1.0, 0.2], 3)]:
        v = du.values_from_sigma(sigma, L)
        P, D = du.minimize_over_t(sigma, L)
        assert P == pytest.approx(v.primal, rel=1e-6)
        assert D == pytest.approx(v.dual, rel=1e-6)


def test_balanced_factors_achieve_the_primal():
    X, Y = du.random_case()
    M = du.min_norm_map(X, Y)
    for L in (2, 3, 4):
        Ws = du.balanced_factors(M, L)
        assert len(Ws) == L
        assert np.allclose(np.linalg.multi_dot(Ws), M, atol=1e-12)
        assert 0.5 * sum(np.sum(W**2) for W in Ws) == pytest.approx(du.deep_linear_values(M, L).primal,
                                                                     rel=1e-12)


def test_regularized_closed_forms():
    _, Y = du.gd_case()
    s = np.linalg.svd(Y, compute_uv=False)
    assert du.regularized_value(s, 3, 0.1) == pytest.approx(0.348084, abs=1e-6)
    assert du.regularized_value(s, 4, 0.1) == pytest.approx(0.446191, abs=1e-6)
    assert du.regularized_value(s, 4, 0.1, rank=1) == pytest.approx(0.754143, abs=1e-6)
    # L = 2 is the nuclear-norm prox value
    assert du.regularized_value(s, 2, 0.1) == pytest.approx(du.parallel_regularized_value(s, 0.1), abs=1e-9)


def _gd_values(lr, steps):
    X, Y = du.gd_case()
    return {(L, scale): du.train_deep_linear(X, Y, L, 0.1, scale, lr=lr, steps=steps, record_every=1000)
            for L, scale in [(3, 0.5), (4, 0.5), (4, 1.0)]}


def _check_gd(runs):
    assert runs[(3, 0.5)].final == pytest.approx(0.348084, abs=1e-6)
    assert runs[(4, 1.0)].final == pytest.approx(0.446191, abs=1e-6)
    stalled = runs[(4, 0.5)]
    assert stalled.final == pytest.approx(0.754143, abs=1e-6)  # stuck at rank one
    assert stalled.product_sigma[1] < 1e-6 < stalled.product_sigma[0]


def test_gradient_descent_reaches_or_stalls_bounded():
    """The math.md GD check with a 50x larger step (lr 0.1, 5000 steps): the same three values."""
    _check_gd(_gd_values(0.1, 5000))


@pytest.mark.slow
def test_gradient_descent_math_md_setup(request):
    """lr 2e-3 for 3e5 steps, as in math.md section 7 (about 75 s; run with ``-m slow``)."""
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("75 s: runs with -m slow (test_gradient_descent_reaches_or_stalls_bounded is "
                    "its bounded form)")
    _check_gd(_gd_values(2e-3, 300_000))


def test_gradient_descent_objective_matches_its_weights():
    X, Y = du.gd_case()
    run = du.train_deep_linear(X, Y, 3, 0.1, 0.5, lr=0.1, steps=200, record_every=10)
    assert run.final == pytest.approx(du.deep_linear_objective(X, Y, run.weights, 0.1), rel=1e-12)
    assert run.steps[0] == 0 and run.steps[-1] == 200 and np.all(np.diff(run.objective) <= 1e-12)


def test_diagonal_reduction():
    _, Y = du.gd_case()
    s = np.linalg.svd(Y, compute_uv=False)
    assert du.train_diagonal(s, 4, 0.1, 1.0).final == pytest.approx(0.446191, abs=1e-6)
    # below a0^2 ~ beta / sigma the smaller value stalls at zero
    assert du.train_diagonal(s, 4, 0.1, 0.3).final == pytest.approx(0.754143, abs=1e-6)
    assert du.train_diagonal(s, 3, 0.1, 1.0).final == pytest.approx(0.348084, abs=1e-6)


def test_parallel_network_reaches_the_convex_value_from_every_scale():
    X, Y = du.gd_case()
    s = np.linalg.svd(Y, compute_uv=False)
    target = du.parallel_regularized_value(s, 0.1)
    assert target == pytest.approx(0.1 * s.sum() - 2 * 0.1**2 / 2)
    for scale in (0.1, 1.0):
        run = du.train_parallel_linear(X, Y, 4, 0.1, scale, steps=4000, record_every=1000)
        assert run.final == pytest.approx(target, abs=1e-5)
        assert run.final == pytest.approx(du.parallel_objective(X, Y, run.weights, 0.1), rel=1e-12)


def test_validation():
    with pytest.raises(ValueError):
        du.values_from_sigma([-1.0], 3)
    with pytest.raises(ValueError):
        du.deep_linear_values(np.eye(2), 0)
    with pytest.raises(ValueError):
        du.deep_linear_values(np.array([[np.nan]]), 3)
