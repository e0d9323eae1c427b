"""Hyperplane-arrangement patterns (math.md section 2) against independent exact methods."""

from __future__ import annotations

from math import e

import numpy as np
import pytest
from helpers import (
    TALK_X,
    as_set,
    general_position_count,
    lifted,
    lp_patterns,
    pair_patterns,
    realizable,
    sampled_patterns,
    v42_data,
    vertex_patterns,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convexnn import count_patterns, cover_bound, exact_patterns, gaussian_patterns
from convexnn.patterns.arrangements import arrangement

FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _is_descending(P: np.ndarray) -> bool:
    rows = [tuple(int(v) for v in r) for r in P]
    return all(a > b for a, b in zip(rows, rows[1:], strict=False))


# --------------------------------------------------------------------------------------------
# The talk's example
# --------------------------------------------------------------------------------------------


def test_talk_example_has_exactly_the_four_patterns_in_order():
    P = exact_patterns(TALK_X, bias=False)
    assert P.dtype == bool
    assert P.astype(int).tolist() == [[1, 1, 1], [1, 1, 0], [0, 0, 1], [0, 0, 0]]
    assert count_patterns(TALK_X, bias=False) == 4


def test_talk_example_boundary_directions_give_nothing_new():
    # math.md section 2: g = (1,-1) -> 111, (-1,1) -> 110, (0,1) -> 111, (0,-1) -> 001, 0 -> 111
    expected = {
        (1, -1): (1, 1, 1), (-1, 1): (1, 1, 0), (0, 1): (1, 1, 1), (0, -1): (0, 0, 1), (0, 0): (1, 1, 1),
    }
    found = as_set(exact_patterns(TALK_X, bias=False))
    for g, pat in expected.items():
        assert tuple(int(v) for v in (TALK_X @ np.array(g, float) >= 0)) == pat
        assert pat in found


def test_talk_example_matches_lp_brute_force_and_sampling():
    assert as_set(exact_patterns(TALK_X, bias=False)) == lp_patterns(TALK_X, bias=False)
    assert sampled_patterns(TALK_X, False, 20000, 0) == as_set(exact_patterns(TALK_X, bias=False))


# --------------------------------------------------------------------------------------------
# General position: n^2 - n + 2 and the pair method
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n, count", [(3, 8), (4, 14), (5, 22), (10, 92), (20, 382), (60, 3542)])
def test_listed_counts_and_pair_method(n, count):
    X = np.random.default_rng(n).normal(size=(n, 2))
    P = exact_patterns(X)
    assert P.shape == (count, n)
    assert count == n * n - n + 2
    assert count_patterns(X) == count
    assert as_set(P) == pair_patterns(X)


def test_general_position_count_for_every_n_from_3_to_60():
    rng = np.random.default_rng(123)
    for n in range(3, 61):
        X = rng.uniform(-1, 1, size=(n, 2))
        P = exact_patterns(X)
        assert P.shape == (n * n - n + 2, n), n
        assert count_patterns(X) == n * n - n + 2, n
        assert len(np.unique(P, axis=0)) == P.shape[0], n
        if n in (7, 17, 31):
            assert as_set(P) == pair_patterns(X), n


def test_v42_data_has_872_patterns():
    X, _ = v42_data()
    assert exact_patterns(X).shape == (872, 30)
    assert count_patterns(X) == 872


@FAST
@given(n=st.integers(3, 25), seed=st.integers(0, 2**32 - 1), scale=st.floats(1e-2, 1e3))
def test_property_sweep_equals_pair_method(n, seed, scale):
    X = scale * np.random.default_rng(seed).normal(size=(n, 2))
    P = exact_patterns(X)
    assert as_set(P) == pair_patterns(X)
    assert P.shape[0] == n * n - n + 2 == count_patterns(X)


def test_rows_distinct_and_in_descending_lexicographic_order():
    X = np.random.default_rng(4).normal(size=(12, 2))
    P = exact_patterns(X)
    assert _is_descending(P)
    assert P[0].all() and not P[-1].any()


def test_sweep_beats_dense_sampling_and_sampling_is_a_subset():
    # math.md: Gaussian sampling misses small cells, never invents patterns
    X = np.random.default_rng(20).normal(size=(20, 2))
    exact = as_set(exact_patterns(X))
    sampled = sampled_patterns(X, True, 100_000, 1)
    assert sampled <= exact
    assert len(sampled) >= 0.9 * len(exact)


def _cells(X, bias):
    """Number of patterns without an all-ones pattern that only g with X~ g = 0 realizes."""
    P = exact_patterns(X, bias=bias)
    assert count_patterns(X, bias=bias) == P.shape[0]
    origin_only = _g_zero_only(lifted(X, bias)) and P.all(axis=1).any()
    return P.shape[0] - int(origin_only)


def test_other_general_position_counts():
    rng = np.random.default_rng(9)
    for n in (3, 7, 15):
        # 2-D without bias: n distinct lines through 0 give 2n cells
        X = rng.normal(size=(n, 2))
        assert _cells(X, False) == 2 * n
        # 3-D without bias, general position: 2 sum_{k<3} C(n-1, k) = n^2 - n + 2 cells
        X3 = rng.normal(size=(n, 3))
        assert _cells(X3, False) == general_position_count(n, 3)
        # 1-D with bias, distinct points: 2n
        x = rng.normal(size=(n, 1))
        assert exact_patterns(x).shape[0] == 2 * n == count_patterns(x)


# --------------------------------------------------------------------------------------------
# Degenerate data
# --------------------------------------------------------------------------------------------

DEGENERATE = {
    "collinear triple": (np.array([[0, 0], [1, 1], [2, 2], [0, 1.0]]), True),
    "collinear four + two": (np.array([[0, 0], [1, 1], [2, 2], [3, 3], [0, 1], [2, 0.0]]), True),
    "duplicate points": (np.array([[0, 0], [1, 0], [1, 0], [0, 1], [0.3, 0.7]]), True),
    "all duplicates": (np.array([[1, 1], [1, 1], [1, 1.0]]), True),
    "all on one line (bias)": (np.array([[0, 0], [1, 2], [2, 4], [-1, -2.0]]), True),
    "1-D with bias": (np.array([[0.0], [1], [1], [-2], [3]]), True),
    "1-D without bias": (np.array([[1.0], [2], [-1], [0]]), False),
    "2-D without bias, parallel rows": (np.array([[1, 0], [2, 0], [0, 1], [1, 1], [3, 3.0]]), False),
    "2-D without bias, antipodal": (np.array([[1, 2], [-1, -2], [3, 1]]), False),
    "2-D without bias, zero row": (np.array([[0, 0], [1, 0], [0, 1.0]]), False),
    "3-D without bias": (
        np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 1, 1], [2, 2, 2.0]]), False),
    "3-D without bias, antipodal": (
        np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1.0]]), False),
    "3-D without bias, rank 2": (np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [-1, 2, 0.0]]), False),
    "3-D with bias, coplanar": (np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, -1.0]]), True),
    "3x3 grid": (np.array([[i, j] for i in range(3) for j in range(3)], float), True),
}


def _g_zero_only(Xt: np.ndarray) -> bool:
    """True when all-ones is realized only on the origin face: X~ g = 0 (g = 0 or g in the null
    space of X~), i.e. no g has X~ g >= 0 with a row strictly positive."""
    n = Xt.shape[0]
    for k in range(n):
        if realizable(np.vstack([Xt, -Xt[k]]), np.concatenate([np.ones(n, bool), [False]])):
            return False
    return True


@pytest.mark.parametrize("name", sorted(DEGENERATE))
def test_degenerate_data_every_returned_pattern_is_realizable(name):
    X, bias = DEGENERATE[name]
    Xt = lifted(X, bias)
    P = exact_patterns(X, bias=bias)
    assert len(np.unique(P, axis=0)) == P.shape[0]
    assert _is_descending(P)
    for p in P:
        assert realizable(Xt, p), p.astype(int)


@pytest.mark.parametrize("name", sorted(DEGENERATE))
def test_degenerate_data_equals_lp_brute_force(name):
    X, bias = DEGENERATE[name]
    assert as_set(exact_patterns(X, bias=bias)) == lp_patterns(X, bias)
    assert count_patterns(X, bias=bias) == exact_patterns(X, bias=bias).shape[0]


@pytest.mark.parametrize("name", sorted(DEGENERATE))
def test_degenerate_data_returns_every_sampled_pattern(name):
    X, bias = DEGENERATE[name]
    found = as_set(exact_patterns(X, bias=bias))
    assert sampled_patterns(X, bias, 20000, 3) <= found
    assert as_set(gaussian_patterns(X, 5000, seed=4, bias=bias)) <= found


def test_boundary_only_pattern_of_antipodal_rows_is_returned():
    # math.md section 2: g orthogonal to x_1 = -x_2 gives both rows active
    X, bias = DEGENERATE["2-D without bias, antipodal"]
    found = as_set(exact_patterns(X, bias=False))
    g = np.array([2.0, -1.0])  # orthogonal to (1, 2)
    assert tuple(int(v) for v in (X @ g >= 0)) == (1, 1, 1)
    g = np.array([-2.0, 1.0])
    p = tuple(int(v) for v in (X @ g >= 0))
    assert p == (1, 1, 0)
    assert p in found
    arr = arrangement(X, bias=False)
    assert arr.full_hrep[arr.index_of(np.array([p], bool))[0]]


@pytest.mark.parametrize(
    "X",
    [
        np.array([[1, 0], [0, 1], [-1, -1.0]]),
        np.array([[1, 2], [-1, -2], [3, 1], [-3, -1.0]]),
        np.random.default_rng(1).normal(size=(6, 3)),
        np.array([[1, 0, 0], [-1, 1, -1], [0, -1, 1.0]]),
    ],
    ids=["triangle", "two antipodal pairs", "random 3-D", "3-D rank 2, g=(0,1,1) gives X g = 0"],
)
def test_all_ones_from_g_zero_is_a_pattern(X):
    # regression: without bias, when the rows lie in no closed half-space, the all-ones pattern
    # (realized only by X g = 0: g = 0, or a nonzero g in the null space of a rank-deficient X) was
    # missing, although math.md defines D(X) over all g in R^d (and lists 0 -> 111); fixed in 1762441.
    # Its cone {u : X u >= 0} is {0} or a subspace, so it adds nothing to the convex program.
    n = X.shape[0]
    assert _g_zero_only(X)
    P = exact_patterns(X, bias=False)
    assert tuple([1] * n) in as_set(P)
    assert P[0].all()  # first in the descending order
    assert count_patterns(X, bias=False) == P.shape[0]


@pytest.mark.parametrize("name", ["3x3 grid", "collinear four + two"])
def test_degenerate_data_equals_vertex_method(name):
    X, bias = DEGENERATE[name]
    assert as_set(exact_patterns(X, bias=bias)) == vertex_patterns(X, bias)


def test_larger_degenerate_grid_equals_vertex_method_and_count():
    X = np.array([[i, j] for i in range(4) for j in range(4)], float)
    P = exact_patterns(X)
    assert as_set(P) == vertex_patterns(X, True)
    assert count_patterns(X) == P.shape[0] == 174


def test_grid_with_duplicates_and_collinear_points_count():
    rng = np.random.default_rng(0)
    X = rng.integers(-3, 4, size=(40, 2)).astype(float)  # many duplicates and collinear triples
    P = exact_patterns(X)
    assert count_patterns(X) == P.shape[0]
    uniq = np.unique(X, axis=0)
    # duplicate points always share their bit
    for row in uniq:
        idx = np.flatnonzero((X == row).all(axis=1))
        assert (P[:, idx] == P[:, idx[:1]]).all()
    assert P.shape[0] == np.unique(P[:, [np.flatnonzero((X == r).all(1))[0] for r in uniq]], axis=0).shape[0]
    assert sampled_patterns(X, True, 20000, 5) <= as_set(P)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["2d-bias", "2d-nobias", "3d-nobias", "1d-bias"]),
    n=st.integers(3, 7),
    seed=st.integers(0, 2**32 - 1),
)
def test_property_integer_data_equals_lp_brute_force(kind, n, seed):
    rng = np.random.default_rng(seed)
    d, bias, lo = {"2d-bias": (2, True, 2), "2d-nobias": (2, False, 2), "3d-nobias": (3, False, 1),
                   "1d-bias": (1, True, 3)}[kind]
    X = rng.integers(-lo, lo + 1, size=(n, d)).astype(float)
    P = exact_patterns(X, bias=bias)
    assert as_set(P) == lp_patterns(X, bias)
    assert count_patterns(X, bias=bias) == P.shape[0]


# --------------------------------------------------------------------------------------------
# Sampling, bounds, count_patterns, errors
# --------------------------------------------------------------------------------------------


def test_gaussian_patterns_are_true_distinct_nonzero_and_ordered():
    X = np.random.default_rng(5).normal(size=(15, 2))
    G = gaussian_patterns(X, 3000, seed=1)
    exact = as_set(exact_patterns(X))
    assert as_set(G) <= exact
    assert G.any(axis=1).all()
    assert len(np.unique(G, axis=0)) == G.shape[0]
    assert _is_descending(G)
    # seeded: same seed same result, and more samples never find fewer patterns
    assert np.array_equal(G, gaussian_patterns(X, 3000, seed=1))
    assert gaussian_patterns(X, 30000, seed=1).shape[0] >= G.shape[0]
    # the patterns of the sampled directions, recomputed here
    Xt = lifted(X, True)
    g = np.random.default_rng(1).standard_normal((3, 3000))
    mine = as_set((Xt @ g >= 0).T)
    mine.discard(tuple([0] * 15))
    assert as_set(G) == mine


def test_gaussian_patterns_without_bias_on_talk_data():
    G = gaussian_patterns(TALK_X, 2000, seed=0, bias=False)
    assert as_set(G) == {(1, 1, 1), (1, 1, 0), (0, 0, 1)}  # all-zeros dropped


def test_cover_bound_values():
    assert cover_bound(40, 3) == pytest.approx(6 * (e * 39 / 3) ** 3, rel=1e-12)
    assert cover_bound(40, 3) == pytest.approx(2.6478e5, rel=1e-3)  # "about 2.6e5" (math.md)
    assert cover_bound(10, 2) == pytest.approx(4 * (e * 9 / 2) ** 2, rel=1e-12)
    assert cover_bound(1, 3) == 1.0
    rng = np.random.default_rng(1)
    for n in (3, 10, 30):
        X = rng.normal(size=(n, 2))
        assert exact_patterns(X).shape[0] <= cover_bound(n, 3)
    for bad in [(0, 3), (5, 0), (-1, 2)]:
        with pytest.raises(ValueError):
            cover_bound(*bad)


def test_count_patterns_large_n_general_position():
    X = np.random.default_rng(11).normal(size=(300, 2))
    assert count_patterns(X) == 300 * 300 - 300 + 2


@pytest.mark.parametrize(
    "call",
    [
        lambda: exact_patterns(np.array([[0.0, np.nan], [1, 1]])),
        lambda: exact_patterns(np.array([[0.0, np.inf], [1, 1]])),
        lambda: exact_patterns(np.zeros((0, 2))),
        lambda: exact_patterns(np.zeros((2, 2, 2))),
        lambda: exact_patterns(np.random.default_rng(0).normal(size=(6, 3))),  # rank 4 with bias
        lambda: count_patterns(np.array([[0.0, np.nan], [1, 1]])),
        lambda: count_patterns(np.random.default_rng(0).normal(size=(6, 3))),
        lambda: gaussian_patterns(np.ones((3, 2)), 0),
        lambda: gaussian_patterns(np.array([[0.0, np.nan], [1, 1]]), 10),
    ],
    ids=["nan", "inf", "empty", "3-D array", "rank 4", "count nan", "count rank 4", "k = 0", "sample nan"],
)
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError) as info:
        call()
    assert len(str(info.value)) > 10
