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
