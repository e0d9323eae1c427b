"""Incremental (sweep-order) pricing against the dense reference X~^T D_i lam."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_arrangements import DEGENERATE

import convexnn as cn
from convexnn.patterns.arrangements import arrangement, lift
from convexnn.patterns.sweep import all_pattern_vectors, error_bound, sweep_vectors


def dense_vectors(patterns: np.ndarray, Z: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """The reference: one float64 product per pattern, no shared code with the package."""
    return np.array([Z[p].T @ lam[p] for p in patterns.astype(bool)]).reshape(len(patterns), Z.shape[1])


def check(X: np.ndarray, bias: bool, seed: int = 0) -> None:
    arr = arrangement(X, bias)
    Z = lift(X, bias) @ arr.basis
    lam = np.random.default_rng(seed).standard_normal(Z.shape[0])
    ref = dense_vectors(arr.patterns, Z, lam)
    got, err = all_pattern_vectors(arr, Z, lam)
    assert got.shape == ref.shape
    if arr.sweep is not None:
        assert err == error_bound(Z, lam) > 0
        assert np.array_equal(got, sweep_vectors(arr.sweep, Z, lam))
    assert np.abs(got - ref).max(initial=0.0) <= max(err, 1e-12)


@pytest.mark.parametrize("n", [4, 10, 60, 200])
def test_spiral_sweep_vectors_equal_dense_products(n):
    check(cn.datasets.spiral(n).X, True)


@pytest.mark.parametrize("name", sorted(DEGENERATE))
def test_degenerate_data_sweep_vectors_equal_dense_products(name):
    X, bias = DEGENERATE[name]
    for seed in range(3):
        check(X, bias, seed)


def test_sweep_is_used_for_2d_and_3d_data_and_dropped_by_subsets():
    for X, bias in [(cn.datasets.spiral(20).X, True), (DEGENERATE["3-D without bias"][0], False),
                    (DEGENERATE["2-D without bias, antipodal"][0], False)]:
        arr = arrangement(X, bias)
        assert arr.sweep is not None and arr.sweep.circle.size == arr.count
        assert arr.subset(np.arange(3)).sweep is None


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 25), st.integers(0, 10**6), st.booleans(), st.integers(2, 3))
def test_property_random_integer_data(n, seed, bias, d):
    rng = np.random.default_rng(seed)
    if bias:
        d = 2
    X = rng.integers(-3, 4, size=(n, d)).astype(float)  # duplicates, collinear and antipodal rows
    try:
        check(X, bias, seed)
    except ValueError:  # rank > 3 is not enumerated
        pass


def test_pricing_with_the_sweep_equals_dense_pricing():
    import dataclasses

    from convexnn.patterns.cones import dual_values, max_dual_value
    from convexnn.program.pricing import price

    data = cn.datasets.spiral(80)
    arr = arrangement(data.X)
    dense = dataclasses.replace(arr, sweep=None)
    Z = lift(data.X) @ arr.basis
    lam = data.y - 0.3 * np.random.default_rng(3).standard_normal(80)
    vmax = max_dual_value(dense, Z, lam, False)
    assert max_dual_value(arr, Z, lam, False) == pytest.approx(vmax, rel=1e-12)
    for threshold in (0.0, 0.5 * vmax, 0.9 * vmax):
        for fn in (price, dual_values):
            got, v = fn(arr, Z, lam, False, threshold=threshold)
            ref, v_ref = fn(dense, Z, lam, False, threshold=threshold)
            assert np.allclose(v, v_ref, rtol=0, atol=1e-12)
            above = ref > threshold + 1e-9  # exact in both; within rounding of it may differ
            assert np.array_equal((got > threshold + 1e-9) | (np.abs(got - threshold) <= 1e-9),
                                  above | (np.abs(ref - threshold) <= 1e-9))
            assert np.allclose(got[above], ref[above], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(DEGENERATE) + ["spiral"])
def test_hash_index_of_equals_the_sorted_search(name):
    from convexnn.patterns.arrangements import match_patterns, pattern_hashes

    X, bias = DEGENERATE[name] if name != "spiral" else (cn.datasets.spiral(50).X, True)
    arr = arrangement(X, bias)
    preset = getattr(arr, "_hashes", None)
    fresh = pattern_hashes(arr.patterns)
    if preset is not None:  # the enumeration's own hashes are the same Zobrist hashes
        assert np.array_equal(preset[0], np.sort(fresh))
        assert np.array_equal(fresh[preset[1]], preset[0])
    rng = np.random.default_rng(0)
    queries = np.vstack([arr.patterns[rng.permutation(arr.count)],
                         rng.random((50, arr.patterns.shape[1])) < 0.5])
    assert np.array_equal(arr.index_of(queries), match_patterns(arr.patterns, queries))
    sub = arr.subset(np.arange(0, arr.count, 2))
    assert np.array_equal(sub.index_of(queries), match_patterns(sub.patterns, queries))


@pytest.mark.parametrize("name", ["spiral", "collinear four + two", "3x3 grid", "duplicate points",
                                  "3-D without bias", "3-D without bias, antipodal",
                                  "2-D without bias, antipodal"])
def test_cell_ray_pricing_equals_dense_ray_correlations(name):
    from convexnn.program.fast import ray_directions
    from convexnn.program.pricing import CellRayPricing, cell_ray_pricing

    X, bias = DEGENERATE[name] if name != "spiral" else (cn.datasets.spiral(60).X, True)
    arr = arrangement(X, bias)
    Z = lift(X, bias) @ arr.basis
    H = ray_directions(Z)
    pricing = cell_ray_pricing(arr, H, Z)
    assert isinstance(pricing, CellRayPricing) and cell_ray_pricing(arr, H, Z) is pricing
    assert cell_ray_pricing(arr.subset(np.arange(arr.count)), H, Z) is None
    rng = np.random.default_rng(1)
    for _ in range(3):
        lam = rng.standard_normal(Z.shape[0])
        ref = np.array([lam @ np.maximum(Z @ h, 0.0) for h in H])  # independent dense reference
        for threshold in (0.0, float(np.median(np.abs(ref)))):
            pricing.threshold = threshold
            g = pricing.correlations(lam)
            assert np.allclose(g, ref, rtol=0, atol=1e-11)
            # a decision |g| > threshold is exact
            exact = pricing.exact_columns(np.arange(len(H))) @ lam
            assert np.array_equal(np.abs(g) > threshold, np.abs(exact) > threshold)


@pytest.mark.parametrize("name", sorted(DEGENERATE) + ["spiral"])
def test_cells_of_a_complete_arrangement_are_pointed_as_the_rank_test_says(name):
    import dataclasses

    from convexnn.program.pricing import _pointed

    X, bias = DEGENERATE[name] if name != "spiral" else (cn.datasets.spiral(100).X, True)
    arr = arrangement(X, bias)
    r = arr.facet_normals.shape[1]
    if r not in (2, 3):
        return
    ranked = dataclasses.replace(arr, complete=False)  # the rank test of every facet list
    assert np.array_equal(_pointed(arr, r), _pointed(ranked, r))
