"""The Arrangements page's cached computations and figures: pure functions of the data and the
settings, each computed once for every session (``st.cache_data``). The page
(``views/arrangements.py``) updates its copy of a figure (the current marker, the marked row)."""

import time

import numpy as np
import streamlit as st

from convexnn import arrangements as A
from convexnn import sampling as sm
from convexnn.figures import arrangements as fa
from ui.compute import CACHE_TTL

MAX_MESH_CELLS = 2500  # cells drawn exactly on the sphere up to this many; a sampled surface above


@st.cache_data(max_entries=4, ttl=CACHE_TTL, show_spinner=False)  # ~12 MB each at 200 points
def enumerate_patterns(X: np.ndarray, bias: bool):
    t0 = time.perf_counter()
    arr = A.arrangement(X, bias)
    return arr, time.perf_counter() - t0


@st.cache_data(max_entries=4, ttl=CACHE_TTL, show_spinner=False)  # ~12 MB each at 200 points
def count_only(X: np.ndarray, bias: bool):
    t0 = time.perf_counter()
    count = A.count_patterns(X, bias)
    return count, time.perf_counter() - t0


@st.cache_data(max_entries=4, ttl=CACHE_TTL, show_spinner=False)  # ~12 MB each at 200 points
def cell_directions(X: np.ndarray, bias: bool, rank: int):
    arr, _ = enumerate_patterns(X, bias)
    if rank == 3:
        return sm.cell_points(X, arr, bias)
    return sm.arc_points(X, arr, bias)


@st.cache_data(max_entries=4, ttl=CACHE_TTL, show_spinner=False)  # ~12 MB each at 200 points
def triangles(X: np.ndarray, bias: bool):
    arr, _ = enumerate_patterns(X, bias)
    return sm.cell_triangles(X, arr, bias) if arr.count <= MAX_MESH_CELLS else None


@st.cache_data(max_entries=4, ttl=CACHE_TTL, show_spinner=False)  # ~12 MB each at 200 points
def areas(X: np.ndarray, bias: bool):
    arr, _ = enumerate_patterns(X, bias)
    return sm.cell_areas(X, arr, bias)


@st.cache_data(max_entries=4, ttl=CACHE_TTL, show_spinner=False)  # ~12 MB each at 200 points
def coverage(X: np.ndarray, bias: bool, k_max: int, seeds: int, sketch: int | None, mirror: bool):
    arr, t_exact = enumerate_patterns(X, bias)
    cov = sm.coverage(X, sm.default_ks(k_max), seeds=tuple(range(seeds)), bias=bias,
                      sketch_dim=sketch, mirror=mirror, arr=arr, timing_k=min(1000, k_max))
    cov.times["exact"] = t_exact
    return cov


# The figures below cost seconds to build at a few hundred points (the sphere, the map, the
# matrix) but little to update: Streamlit's cache builds each once for every session and hands
# each run its own copy, which the page then updates (the current marker, the marked row).


@st.cache_data(max_entries=4, ttl=CACHE_TTL, show_spinner=False)
def matrix_figure(X: np.ndarray, bias: bool):
    arr, _ = enumerate_patterns(X, bias)
    return fa.pattern_matrix(arr.patterns, None, height=520)


@st.cache_data(max_entries=4, ttl=CACHE_TTL, show_spinner=False)
def sphere_figure(X: np.ndarray, bias: bool, rank: int):
    """The sphere of directions with the cell centres (customdata k + 1) and a current-g marker
    to be moved (:func:`convexnn.figures.arrangements.move_marker`)."""
    arr, _ = enumerate_patterns(X, bias)
    centres = cell_directions(X, bias, rank)
    n, count = X.shape[0], arr.count
    ok = np.all(np.isfinite(centres), axis=1)
    markers = {}
    if count <= 3000:
        texts = [f"D{k + 1}" + (f": {fa.pattern_string(arr.patterns[k])}" if n <= 40 else "")
                 for k in np.flatnonzero(ok)]
        markers["cell centres"] = (centres[ok], "#444444", texts)
    fig = fa.sphere_figure(A.lift(X, bias) @ arr.basis, arr.patterns, np.array([0.0, 0.0, 1.0]),
                           markers=markers, height=560,
                           axis_titles=("w1", "w2", "b") if np.allclose(arr.basis, np.eye(3))
                           else ("q1", "q2", "q3"), triangles=triangles(X, bias))
    if markers:
        fig.data[2].customdata = np.flatnonzero(ok) + 1
    return fig


@st.cache_data(max_entries=4, ttl=CACHE_TTL, show_spinner=False)
def map_figure(X: np.ndarray, bias: bool, rank: int):
    """The map of all lines (theta, b) with a dot per cell (customdata k + 1) and a marker to move."""
    arr, _ = enumerate_patterns(X, bias)
    R = sm.offset_range(X)
    centres = cell_directions(X, bias, rank)
    tb = np.array([[*sm.slider_position(c @ arr.basis.T, X.shape[1], bias, R), k]
                   for k, c in enumerate(centres) if np.all(np.isfinite(c))])
    tb[:, 1] *= R
    return fa.line_map_figure(X, arr.patterns, R, (0.0, 0.0), tb if arr.count <= 5000 else None, height=430)


@st.cache_data(max_entries=4, ttl=CACHE_TTL, show_spinner=False)
def coverage_figure(X: np.ndarray, bias: bool, k_max: int, seeds: int, sketch: int | None, mirror: bool):
    return fa.coverage_figure(coverage(X, bias, k_max, seeds, sketch, mirror), height=430)


@st.cache_data(max_entries=4, ttl=CACHE_TTL, show_spinner=False)
def missed_figure(X: np.ndarray, bias: bool, rank: int, k_max: int, seeds: int, sketch: int | None,
                  mirror: bool):
    """The sphere with the cells each sampler misses (seed 0)."""
    arr, _ = enumerate_patterns(X, bias)
    cov = coverage(X, bias, k_max, seeds, sketch, mirror)
    miss_g = cov.nonzero & ~cov.found_mask["gaussian"]
    miss_a = cov.nonzero & ~cov.found_mask["geometric"]
    centres = cell_directions(X, bias, rank)
    markers = {}
    for name, mask, colour in (("missed by Gaussian only", miss_g & ~miss_a, "#e74c3c"),
                               ("missed by GA only", miss_a & ~miss_g, "#1e9e6a"),
                               ("missed by both", miss_g & miss_a, "#111111")):
        ok = mask & np.all(np.isfinite(centres), axis=1)
        if ok.any():
            markers[f"{name} ({int(mask.sum())})"] = (centres[ok], colour,
                                                       [f"D{k + 1}" for k in np.flatnonzero(ok)])
    return fa.sphere_figure(A.lift(X, bias) @ arr.basis, arr.patterns, None, markers=markers, height=520,
                            triangles=triangles(X, bias))


@st.cache_data(max_entries=4, ttl=CACHE_TTL, show_spinner=False)
def area_figure(X: np.ndarray, bias: bool, k_max: int, seeds: int, sketch: int | None, mirror: bool):
    cov = coverage(X, bias, k_max, seeds, sketch, mirror)
    return fa.area_figure(areas(X, bias), cov.found_mask["gaussian"], k_max, height=380)
