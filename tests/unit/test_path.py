"""beta_max, the Lasso path and pruning to a minimal optimum (math.md section 5)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import TALK_X, convex_objective, lifted, pair_patterns, rel, v42_cones, v42_data, v42_fit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convexnn as cn
from convexnn import (
    ConvexFit,
    beta_max,
    exact_patterns,
    fit_convex,
    lasso_path,
    prepare_patterns,
    prune_to_minimal,
)

BETA_MAX_V42 = 13.90750  # = helpers.BETA_MAX_V42
GATED_V42 = 19.08978


@pytest.fixture(scope="module")
def v42():
    X, y = v42_data()
    return X, y, v42_cones()


# --------------------------------------------------------------------------------------------
# beta_max
# --------------------------------------------------------------------------------------------


def test_v42_beta_max_and_gated_bound(v42):
    X, y, cones = v42
    bm = beta_max(X, y)
    assert bm == pytest.approx(BETA_MAX_V42, rel=1e-6)
    assert beta_max(X, y, cones=cones) == pytest.approx(bm, rel=1e-12)
    gated = beta_max(X, y, relu="gated")
    assert gated == pytest.approx(GATED_V42, rel=1e-6)
    # the gated value recomputed here: max_i ||X~^T D_i y|| over the pair-method patterns
    Xt = lifted(X, True)
    D = np.array(sorted(pair_patterns(X)), dtype=float)
    assert gated == pytest.approx(float(np.max(np.linalg.norm((D * y) @ Xt, axis=1))), rel=1e-12)
    assert bm <= gated


def test_v42_beta_max_by_sampling_the_sphere(v42):
    # beta_max = max_{||u|| <= 1} |y^T (X~ u)_+|; a dense sample of the sphere approaches it from below
    X, y, _ = v42
    U = np.random.default_rng(0).normal(size=(3, 200_000))
    U /= np.linalg.norm(U, axis=0)
    sampled = float(np.max(np.abs(y @ np.maximum(lifted(X, True) @ U, 0))))
    assert sampled <= BETA_MAX_V42 * (1 + 1e-9)
    assert sampled >= BETA_MAX_V42 * (1 - 1e-3)


@pytest.mark.parametrize("y, expected", [((3.0, 2.0, 1.0), np.sqrt(365)), ((1.0, -1.0, 2.0), np.sqrt(10))])
def test_talk_data_beta_max(y, expected):
    assert beta_max(TALK_X, np.array(y), bias=False) == pytest.approx(expected, rel=1e-9)
    assert expected == pytest.approx(19.10497 if y[1] > 0 else 3.162278, rel=1e-6)


@pytest.mark.parametrize("y", [(3.0, 2.0, 1.0), (1.0, -1.0, 2.0)])
def test_talk_data_zero_just_above_beta_max(y):
    y = np.array(y)
    bm = beta_max(TALK_X, y, bias=False)
    above = fit_convex(TALK_X, y, 1.01 * bm, bias=False)
    below = fit_convex(TALK_X, y, 0.99 * bm, bias=False)
    assert above.block_norms().max() < 1e-6 and above.objective == pytest.approx(0.5 * y @ y, rel=1e-9)
    assert below.n_active >= 1 and below.objective < 0.5 * y @ y * (1 - 1e-6)


def test_beta_max_of_other_losses(v42):
    X, y, cones = v42
    # -grad l(0) is y for squared and hinge, y/2 for logistic
    assert beta_max(X, y, loss="hinge", cones=cones) == pytest.approx(BETA_MAX_V42, rel=1e-6)
    assert beta_max(X, y, loss="logistic", cones=cones) == pytest.approx(BETA_MAX_V42 / 2, rel=1e-6)
    for loss in ("logistic", "hinge"):
        bm = beta_max(X, y, loss=loss, cones=cones)
        # zero just above (numerically: every block below 1e-6; n_active counts blocks relative to
        # the largest one, so a solution of 1e-9 blocks can still report one "active" block)
        assert fit_convex(X, y, 1.01 * bm, loss=loss, cones=cones).block_norms().max() < 1e-6
        below = fit_convex(X, y, 0.97 * bm, loss=loss, cones=cones)
        assert below.n_active >= 1 and below.block_norms().max() > 1e-3


@pytest.mark.parametrize("ratio, active", [(1.01, False), (0.99, True)])
def test_v42_zero_solution_just_above_beta_max(v42, ratio, active):
    X, y, cones = v42
    fit = fit_convex(X, y, ratio * BETA_MAX_V42, cones=cones)
    norms = fit.block_norms()
    assert fit.status == "optimal"
    if active:
        assert fit.n_active >= 1 and norms.max() > 1e-4
        assert fit.objective < 0.5 * y @ y - 1e-4
    else:
        assert norms.max() < 1e-6  # math.md: max ||u|| = 1e-9 (zero)
        assert fit.objective == pytest.approx(0.5 * y @ y, rel=1e-9)
        assert np.max(np.abs(fit.network().predict(X)), initial=0.0) < 1e-5


@pytest.mark.parametrize(
    "ratio, accuracy", [(0.5, 0.77), (0.2, 0.87), (0.1, 0.90), (0.05, 0.93), (0.02, 0.97), (0.005, 1.00)]
)
def test_v42_train_accuracy_along_the_path(v42, ratio, accuracy):
    X, y, cones = v42
    fit = v42_fit(ratio * BETA_MAX_V42)
    assert fit.status == "optimal"
    acc = float(np.mean(np.sign(fit.network().predict(X)) == y))
    assert round(acc, 2) == accuracy


# --------------------------------------------------------------------------------------------
# Pruning (math.md section 5)
# --------------------------------------------------------------------------------------------


def _block_fit_rank(fit, tol=None):
    blocks = fit.active_blocks() if tol is None else fit.active_blocks(tol)
    Xt = lifted(fit.X, fit.bias)
    U = np.where(blocks[:, 1:2] == 0, fit.u[blocks[:, 0]], fit.u_neg[blocks[:, 0]])
    F = fit.patterns[blocks[:, 0]] * (U @ Xt.T)
    if F.size == 0 or not F.any():
        return 0, len(blocks)
    return np.linalg.matrix_rank(F, tol=1e-9 * np.abs(F).max()), len(blocks)


def test_v42_pruning_at_beta_007_keeps_the_objective(v42):
    X, y, cones = v42
    fit = v42_fit(0.07)
    assert fit.objective == pytest.approx(2.3561986, rel=1e-7)
    pruned = prune_to_minimal(fit)
    assert abs(pruned.objective - fit.objective) < 1e-6
    assert pruned.objective == pytest.approx(2.3561986, rel=1e-7)
    assert pruned.n_active <= len(y) and pruned.n_active <= fit.n_active
    rank, k = _block_fit_rank(pruned)
    assert rank == k  # the remaining block fits are linearly independent
    assert _block_fit_rank(pruned, 1e-4)[0] == len(pruned.active_blocks(1e-4))  # math.md threshold
    assert np.allclose(pruned.fitted(), fit.fitted(), atol=1e-7)
    assert rel(pruned.network().objective(X, y, 0.07), pruned.objective) < 1e-6
    assert pruned.certificate.relative_gap < 1e-6
    assert pruned.info["pruned_from"] == fit.n_active
    # the input fit is left alone
    assert fit.objective == pytest.approx(2.3561986, rel=1e-7) and fit.n_active == pruned.info["pruned_from"]


def test_pruning_removes_split_duplicates():
    # one optimal block spread over the u and u' copies of several patterns is not minimal:
    # duplicate the active block of the talk example onto the same pattern list twice
    y = np.array([3.0, 2.0, 1.0])
    fit = fit_convex(TALK_X, y, 0.1, bias=False)
    doubled = fit_convex(TALK_X, y, 0.1, bias=False, patterns=np.vstack([fit.patterns, fit.patterns]))
    i = fit.active_blocks()[0, 0]
    doubled.u[:] = 0.0
    doubled.u_neg[:] = 0.0
    doubled.u[i] = 0.3 * fit.u[i]
    doubled.u[i + fit.n_patterns] = 0.7 * fit.u[i]
    pruned = prune_to_minimal(doubled)
    assert pruned.n_active == 1
    assert np.allclose(pruned.fitted(), fit.fitted(), atol=1e-12)
    assert pruned.objective == pytest.approx(fit.objective, rel=1e-9)


def _hand_built_fit(X, y, beta, blocks):
    """A ConvexFit whose blocks are set by hand: each (g, sign) puts u = g (or u' = g) on the pattern
    1[X~ g >= 0], so every block lies in its cone whatever g is (no solver involved)."""
    Xt = lifted(X, True)
    P = exact_patterns(X)
    u, u_neg = np.zeros((len(P), 3)), np.zeros((len(P), 3))
    for g, sign in blocks:
        i = int(np.flatnonzero((P == (Xt @ g >= 0)).all(axis=1))[0])
        (u if sign > 0 else u_neg)[i] += g
    obj = convex_objective(X, y, beta, P, u, u_neg, True)
    return ConvexFit(X, y, beta, "squared", "exact", True, P, u, u_neg, obj, "hand-built", "none", 0.0)


def _random_blocks(seed, n, k):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    y = rng.normal(size=n)
    return X, y, [(rng.normal(size=3), rng.choice([-1, 1])) for _ in range(k)]


def _check_pruned(fit, pruned, n):
    assert np.allclose(pruned.fitted(), fit.fitted(), atol=1e-9 * (1 + np.abs(fit.fitted()).max()))
    assert pruned.n_active <= min(n, fit.n_active)
    rank, kk = _block_fit_rank(pruned)
    assert rank == kk
    # every block is a nonnegative multiple of the original one (so it stays in its cone)
    for U, V in ((pruned.u, fit.u), (pruned.u_neg, fit.u_neg)):
        t = np.einsum("ij,ij->i", U, V) / np.maximum(np.einsum("ij,ij->i", V, V), 1e-300)
        assert np.all(t >= -1e-12)
        assert np.allclose(U, t[:, None] * V, atol=1e-9 * (1 + np.abs(V).max()))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(4, 12), k=st.integers(2, 30))
def test_property_pruning_hand_built_fits(seed, n, k):
    # pruning keeps the prediction for any blocks (math.md section 5) and leaves <= n independent ones
    X, y, blocks = _random_blocks(seed, n, k)
    fit = _hand_built_fit(X, y, 0.1, blocks)
    _check_pruned(fit, prune_to_minimal(fit), n)


def test_pruning_keeps_prediction_on_200_seeded_fits():
    # regression: the prediction changed (by 0.66 to 4.9) on 3 of these 200 block sets (seeds 51, 59,
    # 150): the null vector c was flipped only when max c <= 0, so with positive entries ~1e-17 and
    # large negative ones, k* = argmax c had c_k* ~ 1e-17 and 1 - c_k/c_k* exploded; fixed in acbb6b2
    failures = []
    for seed in range(200):
        r = np.random.default_rng(10**6 + seed)
        n, k = int(r.integers(4, 13)), int(r.integers(2, 31))
        X, y, blocks = _random_blocks(seed, n, k)
        fit = _hand_built_fit(X, y, 0.1, blocks)
        pruned = prune_to_minimal(fit)
        try:
            _check_pruned(fit, pruned, n)
        except AssertionError:
            failures.append(seed)
    assert failures == []


def test_pruning_keeps_prediction_with_a_near_zero_block():
    # regression: the prediction changed by 0.89 here: the blocks were judged dependent, the null
    # vector was c ~ -e_tiny (flipped only when max c <= 0), so k* was a big block with c_k* ~ 1e-9
    # (the way the bug showed on solver output, 5 of 60 random problems); fixed in acbb6b2
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.5, 2.0]])
    y = np.array([1.0, -1.0, 1.0, -1.0, 1.0])
    blocks = [
        (np.array([0.1257302210933933, -0.1321048632913019, 0.6404226504432821]), 1),
        (np.array([0.10490011715303971, -0.535669373161111, 0.36159505490948474]), 1),
        # active only at (0.5, 2), by 1e-9: its block fit is -1e-9 e_5
        (np.array([0.0, 1.0, -2.0 + 1e-9]), -1),
    ]
    fit = _hand_built_fit(X, y, 0.1, blocks)
    assert fit.n_active == 3
    pruned = prune_to_minimal(fit)
    assert np.abs(pruned.fitted() - fit.fitted()).max() < 1e-6
    assert pruned.n_active == 2  # the near-zero block is the dependent one


def test_pruning_does_not_revive_sub_threshold_blocks():
    # regression: prune_to_minimal took the active set with a threshold relative to the largest
    # block and pruned.active_blocks() re-applied it after the large blocks were gone, so a block
    # below the threshold (never pruned) became active: 2 dependent blocks where 1 suffices
    # (seen on the V4.2 data at beta = 0.07); fixed in 1762441
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.5, 2.0]])
    y = np.array([1.0, -1.0, 1.0, -1.0, 1.0])
    a = 100 * np.array([0.3, -0.2, 0.5])  # norm 62: +a and -a on the same pattern cancel exactly
    m = np.array([1.0, 1.0, -0.5])
    m = 1e-3 * m / np.linalg.norm(m)  # the only block that matters, norm 1e-3
    # norm 3e-9, parallel to m (opposite sign): below the active threshold relative to the largest
    # block (ACTIVE_TOL x 62 >= 6.2e-9 for ACTIVE_TOL >= 1e-10), above it once only m is left
    # (ACTIVE_TOL x 1e-3) and above the absolute floor 1e-10 (1 + ||y||) = 3.2e-10
    t = 3e-9 * m / np.linalg.norm(m)
    fit = _hand_built_fit(X, y, 0.1, [(a, 1), (a, -1), (m, 1), (t, -1)])
    assert fit.n_active == 3
    pruned = prune_to_minimal(fit)
    assert np.allclose(pruned.fitted(), fit.fitted(), atol=1e-6)
    assert pruned.n_active == 1
    rank, k = _block_fit_rank(pruned)
    assert rank == k


@pytest.mark.parametrize("ratio", [0.5, 0.1, 0.02, 0.005])
def test_v42_pruning_along_the_path(v42, ratio):
    X, y, cones = v42
    beta = ratio * BETA_MAX_V42
    fit = v42_fit(beta)
    pruned = prune_to_minimal(fit)
    assert pruned.n_active <= len(y)
    rank, k = _block_fit_rank(pruned)
    assert rank == k
    assert np.allclose(pruned.fitted(), fit.fitted(), atol=1e-6)
    assert abs(pruned.objective - fit.objective) <= 1e-6 * fit.objective
    assert rel(pruned.network().objective(X, y, beta), fit.objective) < 1e-6


# --------------------------------------------------------------------------------------------
# The path
# --------------------------------------------------------------------------------------------


def test_lasso_path_decreasing_betas_warm_started(v42):
    X, y, cones = v42
    calls = []
    fits = lasso_path(X, y, n_betas=5, ratio=0.1, cones=cones, progress=lambda k, t, f: calls.append((k, t)))
    betas = np.array([f.beta for f in fits])
    assert len(fits) == 5
    assert calls == [(k, 5) for k in range(1, 6)]
    assert betas[0] == pytest.approx(BETA_MAX_V42, rel=1e-6)
    assert betas[-1] == pytest.approx(0.1 * BETA_MAX_V42, rel=1e-6)
    assert np.all(np.diff(betas) < 0)
    assert np.allclose(betas, BETA_MAX_V42 * np.geomspace(1, 0.1, 5), rtol=1e-6)
    assert fits[0].block_norms().max() < 1e-6  # zero at beta_max
    assert all(f.status == "optimal" for f in fits)
    objectives = np.array([f.objective for f in fits])
    assert np.all(np.diff(objectives) < 0)  # p*(beta) increases with beta
    for f in fits:
        assert rel(f.network().objective(X, y, f.beta), f.objective) < 1e-6
    # the last one equals the cold solve at 0.1 beta_max
    assert fits[-1].objective == pytest.approx(v42_fit(0.1 * BETA_MAX_V42).objective, rel=1e-7)


def test_lasso_path_warm_starts_equal_cold_solves(v42):
    X, y, cones = v42
    ratios = [0.1, 0.5, 0.02, 0.2]
    fits = lasso_path(X, y, betas=[r * BETA_MAX_V42 for r in ratios], cones=cones)
    assert [f.beta for f in fits] == sorted((r * BETA_MAX_V42 for r in ratios), reverse=True)
    for f in fits:
        cold = v42_fit(f.beta)
        assert f.status == "optimal"
        assert f.objective == pytest.approx(cold.objective, rel=1e-7)
        assert np.allclose(f.fitted(), cold.fitted(), atol=1e-4)


def test_lasso_path_explicit_betas_are_sorted_decreasing():
    y = np.array([1.0, -1.0, 2.0])
    fits = lasso_path(TALK_X, y, betas=[0.1, 1.0, 0.5], bias=False)
    assert [f.beta for f in fits] == [1.0, 0.5, 0.1]
    assert fits[0].objective == pytest.approx(2.721812, rel=1e-5)
    assert fits[2].objective == pytest.approx(1.228815, rel=1e-5)
    # default grid: from beta_max = sqrt(10) down
    grid = lasso_path(TALK_X, y, n_betas=3, bias=False)
    assert grid[0].beta == pytest.approx(np.sqrt(10), rel=1e-9)
    assert grid[0].block_norms().max() < 1e-5  # zero at beta_max (up to solver noise)
    assert grid[0].objective == pytest.approx(0.5 * y @ y, rel=1e-9)
    assert grid[-1].beta == pytest.approx(1e-3 * np.sqrt(10), rel=1e-9)


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda X, y: beta_max(X, y, loss="l1"),
        lambda X, y: beta_max(np.where(np.eye(len(y), 2) > 0, np.nan, X), y),
        lambda X, y: beta_max(X, y[:-1]),
        lambda X, y: beta_max(X, 2 * y, loss="logistic"),
        lambda X, y: lasso_path(X, y, n_betas=1),
        lambda X, y: lasso_path(X, y, betas=[0.1, -1.0]),
        lambda X, y: lasso_path(X, y, loss="l1"),
        lambda X, y: lasso_path(np.where(np.eye(len(y), 2) > 0, np.inf, X), y),
    ],
    ids=["loss", "nan X", "short y", "labels", "one beta", "negative beta", "path loss", "path inf"],
)
def test_bad_input_raises_value_error(call):
    X, y = v42_data()
    with pytest.raises(ValueError):
        call(X[:8], y[:8])


def test_beta_max_nan_targets_raise_value_error():
    # regression: beta_max returned 0.0 for NaN targets (fixed in acbb6b2)
    X, y = v42_data()
    y = y.copy()
    y[3] = np.nan
    with pytest.raises(ValueError):
        beta_max(X, y)


def test_beta_max_unknown_relu_raises_value_error():
    # regression: an unknown relu was silently treated as "exact" (fixed in acbb6b2)
    X, y = v42_data()
    with pytest.raises(ValueError):
        beta_max(X, y, relu="leaky")


@pytest.mark.parametrize("n", [24, 60])
def test_spiral_path_equals_cold_solves_at_every_beta(n):
    # the path shares ray features, starts each solve from the previous blocks of weight and
    # takes the ray Lasso's optimum as its first restricted point: every step must still be
    # the optimum a cold solve finds (itself certified by its duality gap)
    data = cn.datasets.spiral(n)
    X, y = data.X, data.y
    cones = prepare_patterns(X, "exact")
    fits = lasso_path(X, y, n_betas=12, ratio=1e-3, cones=cones)
    for f in fits:
        cold = fit_convex(X, y, f.beta, cones=cones)
        assert f.status == "optimal" and cold.status == "optimal"
        assert rel(f.objective, cold.objective) < 1e-6
        assert f.certificate.dual <= cold.objective * (1 + 1e-9)
    if n == 24:  # and the independent reference at two betas
        for f in (fits[4], fits[-1]):
            ref = fit_convex(X, y, f.beta, cones=cones, solver="cvxpy")
            assert rel(f.objective, ref.objective) < 1e-6


def test_path_fits_keep_no_shared_structures():
    # the ray features the solves of a path share are dropped at its end: no fit holds them
    data = cn.datasets.spiral(30)
    fits = lasso_path(data.X, data.y, n_betas=4, ratio=1e-2)
    assert all(f.solver_state is None or not f.solver_state.shared for f in fits)
    assert all(f.warm_start().shared is None for f in fits)
