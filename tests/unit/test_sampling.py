"""Sampling patterns against exact enumeration (math.md sections 2, 3): coverage, cells, sweep."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import TALK_X, as_set

from convexnn import datasets as ds
from convexnn import sampling as sm
from convexnn.patterns.arrangements import (
    arrangement,
    exact_patterns,
    gaussian_patterns,
    geometric_algebra_patterns,
    lift,
    match_patterns,
)
from convexnn.patterns.geometric_algebra import ga_directions

RNG = np.random.default_rng(7)
DATASETS = {
    "uniform": (RNG.uniform(-1, 1, (25, 2)), True),
    "moons": (ds.moons(30, seed=1).X, True),
    "grid (collinear, degenerate)": (np.array([[i, j] for i in range(4) for j in range(4)], float), True),
    "talk, no bias": (TALK_X, False),
    "1-D": (np.linspace(-1, 1, 9)[:, None], True),
    "3-D, no bias": (RNG.standard_normal((12, 3)), False),
}


def _patterns_of(X, G, bias):
    return (lift(X, bias) @ G >= 0).T


# --------------------------------------------------------------------------------------------
# Every sampler only returns true patterns
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_sampling_method_returns_only_exact_patterns(name):
    X, bias = DATASETS[name]
    exact = as_set(exact_patterns(X, bias))
    d = X.shape[1]
    samples = {
        "gaussian": gaussian_patterns(X, 3000, 0, bias),
        "GA directions": _patterns_of(X, ga_directions(X, 3000, 0, bias=bias), bias),
    }
    samples["geometric"] = geometric_algebra_patterns(X, 300, 0, bias=bias)
    samples["geometric, mirror"] = geometric_algebra_patterns(X, 300, 1, bias=bias, mirror=True)
    if d > 1:
        samples["GA directions, sketch"] = _patterns_of(X, ga_directions(X, 2000, 0, d - 1, bias), bias)
        samples["geometric, sketch"] = geometric_algebra_patterns(X, 200, 0, d - 1, bias)
    for method, P in samples.items():
        assert as_set(P) <= exact, method


def test_package_ga_sampler_without_bias_on_collinear_rows():
    """The rows (3,3), (2,2) on a sampled line: the eps nudge makes them active, whatever the rounding."""
    P = geometric_algebra_patterns(TALK_X, 300, 0, bias=False)
    assert as_set(P) <= as_set(exact_patterns(TALK_X, bias=False))


def test_package_ga_sampler_without_bias_on_general_position_data():
    X, _ = DATASETS["3-D, no bias"]
    P = geometric_algebra_patterns(X, 300, 0, bias=False)
    assert as_set(P) <= as_set(exact_patterns(X, bias=False))


# --------------------------------------------------------------------------------------------
# V3.2: the GA directions pass through the sampled points (any sketch)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sketch", [None, 3, 2])
@pytest.mark.parametrize("bias", [True, False])
def test_v32_batch_directions_vanish_on_the_sampled_points(sketch, bias):
    X = np.random.default_rng(3).standard_normal((40, 6))
    G = ga_directions(X, 200, seed=5, sketch_dim=sketch, bias=bias, eps=0.0)
    Xt = lift(X, bias)
    s = 6 if sketch is None else sketch
    picks = s if bias else s - 1
    rel = np.abs(Xt @ G) / (np.linalg.norm(Xt, 2) * np.linalg.norm(G, axis=0))
    # each direction vanishes on (at least) the points it was drawn through
    assert np.all(np.sort(rel, axis=0)[picks - 1] < 1e-12)


def test_batch_directions_make_the_sampled_points_active():
    X = np.random.default_rng(4).uniform(-1, 1, (30, 2))
    G = ga_directions(X, 500, seed=1)
    v = lift(X) @ G
    near = np.sort(np.abs(v), axis=0)[:2]
    assert np.all(near < 1e-7)
    # the two points on the line are active (nudged by eps = 1e-8 to the positive side)
    two = np.argsort(np.abs(v), axis=0)[:2]
    assert np.all(np.take_along_axis(v, two, axis=0) > 0)


def test_ga_patterns_are_those_of_the_ga_directions():
    """geometric_algebra_patterns is the distinct nonzero patterns of ga_directions' stream."""
    X = ds.circles(12, seed=2).X
    P1 = _patterns_of(X, ga_directions(X, 400, 3), True)
    P2 = geometric_algebra_patterns(X, 400, 3)
    assert as_set(P1[P1.any(axis=1)]) == as_set(P2)
    assert np.array_equal(ga_directions(X, 50, 0), ga_directions(X, 50, 0))  # seeded


# --------------------------------------------------------------------------------------------
# Coverage
# --------------------------------------------------------------------------------------------


def test_coverage_curves_are_monotone_bounded_and_match_the_package_samplers():
    X = ds.moons(20, seed=0).X
    arr = arrangement(X)
    ks = sm.default_ks(3000, 12)
    cov = sm.coverage(X, ks, seeds=(0, 1, 2), timing_k=200)
    assert cov.exact == arr.count - 1 == 20 * 19 + 1  # nonzero patterns of n^2 - n + 2
    for m in sm.METHODS:
        F = cov.found[m]
        assert F.shape == (3, ks.size)
        assert np.all(np.diff(F, axis=1) >= 0) and np.all(F <= cov.exact) and np.all(F[:, -1] >= 1)
        assert cov.outside[m] == 0
        assert cov.missed(m) == cov.exact - F[0, -1]
    # the Gaussian curve uses the package's random stream: its end point is gaussian_patterns
    for s_i, seed in enumerate(cov.seeds):
        assert cov.found["gaussian"][s_i, -1] == len(gaussian_patterns(X, ks[-1], seed))
    idx = match_patterns(arr.patterns, gaussian_patterns(X, ks[-1], 0))
    assert np.array_equal(np.flatnonzero(cov.found_mask["gaussian"]), np.sort(idx))
    assert set(cov.times) == {"exact", "gaussian", "geometric"}
    # and the GA curve uses the package's GA sampler: its end point is geometric_algebra_patterns
    for s_i, seed in enumerate(cov.seeds):
        assert cov.found["geometric"][s_i, -1] == len(geometric_algebra_patterns(X, ks[-1], seed))


def test_mirror_doubles_what_geometric_sampling_reaches():
    X = ds.moons(20, seed=0).X
    ks = [2000]
    plain = sm.coverage(X, ks, seeds=(0,), methods=("geometric",), timing_k=10)
    mirror = sm.coverage(X, ks, seeds=(0,), methods=("geometric",), mirror=True, timing_k=10)
    a, b = plain.found["geometric"][0, -1], mirror.found["geometric"][0, -1]
    assert b > 1.5 * a
    # without mirror a draw finds the cell on one side of its pair line, at most one per pair
    assert a <= 20 * 19 // 2


def test_coverage_rejects_bad_input():
    X = np.eye(3)
    with pytest.raises(ValueError):
        sm.coverage(X, [0, 5])
    with pytest.raises(ValueError):
        sm.coverage(X, [5], methods=("magic",))


# --------------------------------------------------------------------------------------------
# Cells on the sphere
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1])
def test_cell_points_lie_in_their_cells_and_areas_sum_to_the_sphere(seed):
    X = np.random.default_rng(seed).uniform(-1, 1, (15, 2))
    arr = arrangement(X)
    C = sm.cell_points(X, arr)
    Z = sm.sphere_coordinates(X)
    assert np.array_equal(match_patterns(arr.patterns, C @ Z.T >= 0), np.arange(arr.count))
    A = sm.cell_areas(X, arr)
    assert np.all(A > 0) and A.sum() == pytest.approx(4 * np.pi, rel=1e-9)
    # the area over 4 pi is the chance that a Gaussian direction lands in the cell
    G = np.random.default_rng(9).standard_normal((200_000, 3))
    freq = np.bincount(match_patterns(arr.patterns, G @ Z.T >= 0), minlength=arr.count) / len(G)
    assert np.abs(A / (4 * np.pi) - freq).max() < 4e-3


def test_cells_of_degenerate_data_are_still_inside():
    X = np.array([[i, j] for i in range(4) for j in range(3)], float)  # collinear triples
    arr = arrangement(X)
    C = sm.cell_points(X, arr)
    Z = sm.sphere_coordinates(X)
    ok = ~np.isnan(C).any(axis=1)
    assert ok[~arr.full_hrep].all()
    idx = match_patterns(arr.patterns, C[ok] @ Z.T >= 0)
    assert np.array_equal(idx, np.flatnonzero(ok))


def test_cells_need_rank_three():
    with pytest.raises(ValueError, match="rank 3"):
        sm.cell_points(TALK_X, arrangement(TALK_X, False), bias=False)


# --------------------------------------------------------------------------------------------
# The sweep
# --------------------------------------------------------------------------------------------


def test_gate_and_angle_offset_are_inverse():
    for theta, off in [(0, 0.3), (45, -1.2), (200, 0.0), (359, 2.0)]:
        g = sm.gate(theta, off, 2)
        assert np.allclose(g[:2], [np.cos(np.deg2rad(theta)), np.sin(np.deg2rad(theta))])
        t2, o2 = sm.angle_offset(3.5 * g, 2)
        assert t2 == pytest.approx(theta) and o2 == pytest.approx(off)
    assert np.allclose(sm.gate(180, 0.5, 1), [-1, 0.5])
    assert np.allclose(sm.gate(30, 9, 2, bias=False), [np.cos(np.pi / 6), 0.5])


def test_a_full_turn_of_the_talk_example_meets_all_four_patterns():
    G = sm.sweep_gates(np.arange(0, 360, 1.0), 0.0, 2, bias=False)
    P = (TALK_X @ G.T >= 0).T
    assert as_set(P) == as_set(exact_patterns(TALK_X, bias=False))


def test_a_rotation_and_shift_sweep_only_meets_exact_patterns():
    X = ds.moons(25, seed=3).X
    R = sm.offset_range(X)
    th, off = np.meshgrid(np.arange(0, 360, 3.0), np.linspace(-R, R, 41))
    G = sm.sweep_gates(th, off, 2)
    P = (lift(X) @ G.T >= 0).T
    assert as_set(P) <= as_set(exact_patterns(X))
    assert P.all(axis=1).any() and (~P).all(axis=1).any()  # |b| up to R reaches all-on and all-off


@pytest.mark.parametrize("theta, off", [(0, 0.3), (45, -1.2), (200, 0.0), (359, 2.0), (90, 5.0)])
def test_slider_position_inverts_the_gate_in_2d(theta, off):
    R = 2.5
    t, f = sm.slider_position(3.5 * sm.gate(theta, off, 2), 2, True, R)
    assert t == pytest.approx(theta) and f == pytest.approx(np.clip(off / R, -1, 1))
    t, f = sm.slider_position(0.2 * sm.gate(theta, 0.0, 2, bias=False), 2, False, R)
    assert t == pytest.approx(theta) and f == 0.0


def test_slider_position_in_1d_reads_side_and_offset():
    R = 2.0
    assert sm.slider_position(np.array([2.0, 1.0]), 1, True, R) == pytest.approx((0.0, 0.25))  # b/|w| = 0.5
    assert sm.slider_position(np.array([-4.0, -1.0]), 1, True, R) == pytest.approx((180.0, -0.125))
    assert sm.slider_position(np.array([0.0, 1.0]), 1, True, R) == (0.0, 1.0)  # w = 0: offset +-10 R, clipped
    assert sm.slider_position(np.array([-1.0]), 1, False, R) == (180.0, 0.0)


def _brute_force_position(X, pattern, t0, f0, R, bias, dim):
    """Loop over the +-8 step window by hand: the nearest slider position showing ``pattern``."""
    Xt = np.column_stack([X, np.ones(len(X))]) if bias else X
    best, best_dist = None, np.inf
    thetas = [np.round(t0) + s for s in range(-8, 9)] if dim == 2 else [t0]
    fracs = [min(max(np.round(f0, 2) + 0.01 * s, -1.0), 1.0) for s in range(-8, 9)] if bias else [0.0]
    for f in fracs:
        for t in thetas:
            rad = np.deg2rad(t)
            w = [np.cos(rad), np.sin(rad)] if dim == 2 else [1.0 if np.cos(rad) >= 0 else -1.0]
            g = np.array(w + ([f * R] if bias else []))
            if np.array_equal(Xt @ g >= 0, pattern):
                dist = abs(((t % 360 - t0 + 180) % 360) - 180) / 180 + abs(f - f0)
                if dist < best_dist:
                    best, best_dist = (t % 360, f), dist
    return best


@pytest.mark.parametrize("bias", [True, False])
def test_slider_position_in_cell_matches_a_brute_force_search(bias):
    X = ds.moons(12, seed=2).X
    R = sm.offset_range(X)
    arr = arrangement(X, bias)
    centres = sm.cell_points(X, arr, bias) if bias else sm.arc_points(X, arr, bias)
    found = 0
    for k, c in enumerate(centres):
        if not np.all(np.isfinite(c)):
            continue
        g0 = c @ arr.basis.T
        t, f, shown = sm.slider_position_in_cell(X, arr, k, g0, bias, R)
        t0, f0 = sm.slider_position(g0, 2, bias, R)
        ref = _brute_force_position(X, arr.patterns[k], t0, f0, R, bias, 2)
        if ref is None:
            assert not shown and (t, f) == pytest.approx((np.round(t0) % 360, np.round(f0, 2)))
            continue
        found += 1
        assert shown and (t, f) == pytest.approx(ref)
        # the position found shows pattern k
        assert np.array_equal(lift(X, bias) @ sm.gate(t, f * R, 2, bias) >= 0, arr.patterns[k])
    assert found >= arr.count // 2


def test_slider_position_in_cell_in_1d():
    X = np.array([[-1.0], [0.5], [2.0]])
    R = sm.offset_range(X)
    arr = arrangement(X, True)
    k = int(arr.index_of((lift(X) @ np.array([1.0, -1.0]) >= 0)[None])[0])  # x >= 1: only x = 2
    t, f, shown = sm.slider_position_in_cell(X, arr, k, np.array([1.0, -1.0]), True, R)
    assert shown and t == 0.0
    assert np.array_equal(lift(X) @ sm.gate(t, f * R, 1) >= 0, arr.patterns[k])
