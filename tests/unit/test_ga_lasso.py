"""The closed-form GA Lasso (math.md section 3) against cvxpy and the exact convex programs."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

import convexnn as cn
from convexnn import datasets as ds
from convexnn import ga_lasso as gl
from convexnn.patterns.arrangements import lift
from convexnn.patterns.geometric_algebra import cross_product, signed_volume

# --------------------------------------------------------------------------------------------
# V3.1: the generalized cross product
# --------------------------------------------------------------------------------------------


def _leibniz_det(M: np.ndarray) -> float:
    """det M by the permutation sum (brute force, independent of LAPACK)."""
    from itertools import permutations

    n = len(M)
    total = 0.0
    for perm in permutations(range(n)):
        inversions = sum(perm[a] > perm[b] for a in range(n) for b in range(a + 1, n))
        total += (-1) ** inversions * np.prod([M[r, perm[r]] for r in range(n)])
    return float(total)


@pytest.mark.parametrize("d", [2, 3, 4])
def test_signed_volume_is_the_determinant_and_the_cross_product_pairing(d):
    rng = np.random.default_rng(d)
    x, V = rng.standard_normal(d), rng.standard_normal((d - 1, d))
    vol = signed_volume(x, V)
    assert vol == pytest.approx(_leibniz_det(np.vstack([x, V])), rel=1e-12)
    assert vol == pytest.approx(x @ cross_product(V), rel=1e-10)
    assert signed_volume(V[0], V) == pytest.approx(0.0, abs=1e-12)  # x on the hyperplane
    # swapping two rows flips the sign; the unit cube has volume 1
    assert signed_volume(x, V[::-1]) == pytest.approx(vol * (-1) ** ((d - 1) // 2), rel=1e-12)
    assert signed_volume(np.eye(d)[0], np.eye(d)[1:]) == pytest.approx(1.0)


def test_signed_volume_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="d-1 vectors"):
        signed_volume(np.ones(3), np.ones((1, 3)))


def test_v31_cross_product_of_e1_e2_is_e3_and_gives_the_signed_volume():
    assert np.allclose(cross_product([[1, 0, 0], [0, 1, 0]]), [0, 0, 1])
    rng = np.random.default_rng(0)
    for _ in range(20):
        x, x1, x2 = rng.standard_normal((3, 3))
        h = cross_product([x1, x2])
        assert x @ h == pytest.approx(np.linalg.det(np.array([x, x1, x2])), rel=1e-10, abs=1e-12)
        assert abs(h @ x1) < 1e-12 and abs(h @ x2) < 1e-12


@pytest.mark.parametrize("d", [2, 3, 4, 5])
def test_batch_cross_matches_cross_product_and_the_determinant(d):
    rng = np.random.default_rng(d)
    A = rng.standard_normal((7, d - 1, d))
    H = gl.batch_cross(A)
    for k in range(7):
        assert np.allclose(H[k], cross_product(A[k]))
        x = rng.standard_normal(d)
        assert x @ H[k] == pytest.approx(np.linalg.det(np.vstack([x, A[k]])), rel=1e-9, abs=1e-12)


# --------------------------------------------------------------------------------------------
# The dictionary
# --------------------------------------------------------------------------------------------


def test_pair_directions_are_the_lines_through_two_points_both_orientations():
    X = np.random.default_rng(1).uniform(-1, 1, (9, 2))
    H = gl.subset_directions(X)
    Xt = lift(X)
    assert H.shape == (3, 2 * comb(9, 2))
    assert np.allclose(H[:, : H.shape[1] // 2], -H[:, H.shape[1] // 2 :])
    # every column vanishes on exactly two points (its pair) and on no other
    on_line = np.abs(Xt @ H) < 1e-12
    assert np.all(on_line.sum(axis=0) == 2)


def test_one_dimensional_features_are_ramps_at_the_data_points():
    x = np.array([-1.0, 0.2, 0.5, 2.0])
    G, K = gl.dictionary(x[:, None], "l2-free")
    # unit weight (bias free): features (x - x_j)_+ and (x_j - x)_+
    ramps = {tuple(np.round(np.maximum(s * (x - xj), 0), 12)) for xj in x for s in (1, -1)}
    assert {tuple(np.round(col, 12)) for col in K.T} == ramps


@pytest.mark.parametrize("variant", list(gl.VARIANTS))
def test_dictionary_columns_have_unit_norm(variant):
    X = ds.moons(10, seed=2).X
    G, K = gl.dictionary(X, variant)
    if variant == "l2":
        norms = np.linalg.norm(G, axis=0)
    elif variant == "l2-free":
        norms = np.linalg.norm(G[:-1], axis=0)
    else:
        norms = np.abs(G[:-1]).sum(axis=0)
    assert np.allclose(norms, 1.0)
    assert np.allclose(K, np.maximum(lift(X) @ G, 0))
    expected = 2 * comb(10, 2) + (4 * 10 if variant == "l1" else 0)
    assert G.shape[1] <= expected and G.shape[1] >= expected - 4  # duplicates removed only


def test_unknown_variant_is_an_error():
    with pytest.raises(ValueError, match="unknown Lasso variant"):
        gl.ga_lasso(np.eye(2), np.ones(2), 0.1, "l3")


# --------------------------------------------------------------------------------------------
# The Lasso solver against cvxpy
# --------------------------------------------------------------------------------------------


def _cvxpy_lasso(K, y, beta, intercept):
    import cvxpy as cp

    z = cp.Variable(K.shape[1])
    t = cp.Variable() if intercept else 0
    p = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(K @ z + t - y) + beta * cp.norm1(z)))
    p.solve(solver="CLARABEL")
    return p.value


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("intercept", [True, False])
def test_solve_lasso_matches_cvxpy_and_is_certified(seed, intercept):
    rng = np.random.default_rng(seed)
    n, m = 15, 60
    Z, H = rng.standard_normal((n, 4)), rng.standard_normal((m, 4))
    K = np.maximum(Z @ H.T, 0)  # the ramp features of the rays H
    y = rng.standard_normal(n)
    beta = 0.3 * np.abs(K.T @ (y - y.mean())).max() * rng.uniform(0.05, 0.8)
    res = gl.solve_lasso(Z, H, y, beta, intercept)
    ref = _cvxpy_lasso(K, y, beta, intercept)
    assert res.objective == pytest.approx(ref, rel=1e-6)
    assert 0 <= res.gap <= 1e-6 * res.objective
    r = y - K @ res.z - res.intercept
    assert res.objective == pytest.approx(0.5 * r @ r + beta * np.abs(res.z).sum(), rel=1e-12)


def test_solve_lasso_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="share r"):
        gl.solve_lasso(np.ones((4, 3)), np.ones((5, 2)), np.ones(4), 0.1)
    with pytest.raises(ValueError, match="4 rows"):
        gl.solve_lasso(np.ones((4, 3)), np.ones((5, 3)), np.ones(3), 0.1)


def test_beta_above_beta_max_gives_zero():
    y = np.array([1.0, -2.0, 0.5])
    res = gl.solve_lasso(np.eye(3), np.eye(3), y, 10.0, intercept=False)
    assert np.all(res.z == 0) and res.objective == pytest.approx(0.5 * y @ y)


# --------------------------------------------------------------------------------------------
# Lasso values against the exact programs (math.md section 3)
# --------------------------------------------------------------------------------------------

CASES = [("moons", 0.05), ("circles", 0.3), ("xor", 0.05), ("spiral", 0.3)]


@pytest.mark.parametrize("name, beta", CASES)
def test_l1_lasso_with_pair_and_axis_features_is_exact(name, beta):
    data = ds.generate(name, 12, None, 0)
    fit, comp = gl.compare(data.X, data.y, beta, "l1")
    assert abs(comp.difference) <= 1e-6 * comp.exact
    assert fit.gap <= 1e-7 * fit.objective


@pytest.mark.parametrize("name, beta", CASES)
def test_l2_lasso_is_an_upper_bound_on_the_exact_program(name, beta):
    data = ds.generate(name, 12, None, 0)
    fit, comp = gl.compare(data.X, data.y, beta, "l2")
    assert comp.difference >= -1e-6 * comp.exact
    # the Lasso solution is a ReLU network whose weight-decay objective is the Lasso value
    net = fit.network()
    assert net.objective(data.X, data.y, beta) == pytest.approx(fit.objective, rel=1e-7)
    assert np.allclose(net.predict(data.X), fit.predict(data.X))


def test_l2_lasso_gap_is_strict_on_moons():
    """math.md section 3: a very good restriction, not exact (values here: 1.0714 vs 1.0325)."""
    data = ds.moons(12, seed=0)
    _, comp = gl.compare(data.X, data.y, 0.05, "l2")
    assert comp.exact == pytest.approx(1.0325443, rel=1e-5)
    assert comp.lasso == pytest.approx(1.0713668, rel=1e-5)


@pytest.mark.parametrize("name, beta", CASES[:2])
def test_l2_free_lasso_is_an_upper_bound_and_its_exact_program_matches_fit_convex_form(name, beta):
    data = ds.generate(name, 12, None, 0)
    _, comp = gl.compare(data.X, data.y, beta, "l2-free")
    assert comp.difference >= -1e-6 * comp.exact


def test_cvxpy_exact_program_of_the_l2_variant_equals_fit_convex():
    data = ds.circles(10, seed=1)
    a = gl.exact_program_cvxpy(data.X, data.y, 0.2, "l2")
    b = cn.fit_convex(data.X, data.y, 0.2).objective
    assert a == pytest.approx(b, rel=1e-6)


def test_one_dimensional_lasso_is_exact_with_a_free_bias():
    """In 1-D the cells are intervals and every kink sits at a data point: ramps are enough."""
    data = ds.sine(10, seed=3)
    _, comp = gl.compare(data.X, data.y, 0.05, "l2-free")
    assert abs(comp.difference) <= 1e-6 * comp.exact


# --------------------------------------------------------------------------------------------
# V3.3: the spiral with the all-pairs dictionary (reference notebook, MOSEK 0.8122728)
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("as_coded, expected", [(True, 0.812271), (False, 0.806964)])
def test_v33_spiral_all_pairs_lasso(as_coded, expected):
    data = ds.spiral(160)
    # the reference minimizes sum_squares + 1e-3 ||z||_1: twice our 1/2-loss objective at beta/2
    fit = gl.ga_lasso(data.X, data.y, 1e-3 / 2, "l2-free", as_coded=as_coded)
    assert 2 * fit.objective == pytest.approx(expected, abs=2e-6)
    assert np.all(np.sign(fit.predict(data.X)) == data.y)
