"""Cached figures: a figure is built once per result and shared by every session that shows it.

A lecture hall of 30 sessions opening the same link gets one solve from :mod:`ui.compute`'s cache;
before these caches each session still built its own plotly figures from that result, most of a
cached page run's CPU (``bench/load.py --hall``, ``bench/README.md``). Here each builder of
:mod:`convexnn.figures` is wrapped in ``st.cache_data`` keyed on its arguments (the model, the data,
the options): the figure is stored frozen (:func:`convexnn.figures.spec.freeze`, a plain dict)
and every call returns a new figure of its own (:func:`~convexnn.figures.spec.thaw`), so a page
may still change it (``add_traces``) without touching the cache or another session.

Bounded by entries, a time to live, and by input size: arguments holding more than
:data:`MAX_CACHED_VALUES` array values (a large import or real data) are built directly, so a
cache entry stays below about 1.5 MB and its key is a full hash of the arrays.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from convexnn import figures
from convexnn.figures import optima as _optima_figures
from convexnn.figures.spec import freeze, thaw
from ui.compute import CACHE_TTL

MAX_CACHED_VALUES = 100_000
"""Largest number of array values (summed over the arguments' arrays) whose figure is cached:
below Streamlit's hashing threshold (it samples arrays of 500,000 values and more), and a frozen
figure of at most about 1.5 MB (the values as base64 plus the fixed 120 x 120 grid of a heatmap)."""
_ENTRIES = 16
"""Entries per builder: with :data:`MAX_CACHED_VALUES`, at most about 100 MB for the four."""


def _array_values(obj) -> int:
    """How many array values ``obj`` holds: an array's size, or the sum over an object's arrays."""
    if isinstance(obj, np.ndarray):
        return int(obj.size)
    fields = getattr(obj, "__dict__", None)
    if fields is None:
        return 0
    return sum(int(v.size) for v in fields.values() if isinstance(v, np.ndarray))


def _small(*args) -> bool:
    return sum(_array_values(a) for a in args) <= MAX_CACHED_VALUES


@st.cache_data(show_spinner=False, max_entries=_ENTRIES, ttl=CACHE_TTL)
def _optimum_spec(model, data, highlight, height, shade) -> dict:
    fig = _optima_figures.optimum_figure(model, data, highlight=highlight, height=height, shade=shade)
    return freeze(fig)


def optimum_figure(model, data, highlight: int | None = None, height: int = 540, shade: bool = True):
    """:func:`convexnn.figures.optima.optimum_figure`, built once per (model, data, options)."""
    if not _small(model, data):
        return _optima_figures.optimum_figure(model, data, highlight=highlight, height=height, shade=shade)
    return thaw(_optimum_spec(model, data, highlight, height, shade))


@st.cache_data(show_spinner=False, max_entries=_ENTRIES, ttl=CACHE_TTL)
def _dual_bars_spec(values, beta, active, height, gated) -> dict:
    return freeze(_optima_figures.dual_bars(values, beta, active, height=height, gated=gated))


def dual_bars(values: np.ndarray, beta: float, active: np.ndarray | None = None, height: int = 360,
              gated: bool = False):
    """:func:`convexnn.figures.optima.dual_bars`, built once per (values, β, active, options)."""
    if not _small(values, active):
        return _optima_figures.dual_bars(values, beta, active, height=height, gated=gated)
    return thaw(_dual_bars_spec(values, beta, active, height, gated))


@st.cache_data(show_spinner=False, max_entries=_ENTRIES, ttl=CACHE_TTL)
def _network_spec(model, data, options: dict) -> dict:
    return freeze(figures.network_figure(model, data, **options))


def network_figure(model, data, **options):
    """:func:`convexnn.figures.network_figure`, built once per (model, data, options)."""
    if not _small(model, data):
        return figures.network_figure(model, data, **options)
    return thaw(_network_spec(model, data, options))


@st.cache_data(show_spinner=False, max_entries=_ENTRIES, ttl=CACHE_TTL)
def _scatter_spec(data, options: dict) -> dict:
    return freeze(figures.data_scatter(data, **options))


def data_scatter(data, **options):
    """:func:`convexnn.figures.data_scatter`, built once per (data, options)."""
    if not _small(data):
        return figures.data_scatter(data, **options)
    return thaw(_scatter_spec(data, options))


__all__ = ["MAX_CACHED_VALUES", "data_scatter", "dual_bars", "network_figure", "optimum_figure"]
