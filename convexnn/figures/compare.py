"""Figures of the convex-head vs AdamW comparison (the rows of
:func:`convexnn.experiments.compare.run_comparison`).

- :func:`time_curves`: per method, the seeds' step curves of test accuracy against cumulative
  wall time on a common (log) time grid: median and min-max band.
- :func:`accuracy_time_figure`: those curves, one line and band per method (and width k).
- :func:`accuracy_size_figure`: test accuracy reached within a fixed time budget against the
  training-set size, median and band over seeds.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..experiments.compare import accuracy_at
from .core import finish_layout, log_ticks

METHOD_COLORS = {"convex_gated": "#d62728", "convex_exact": "#9467bd", "adamw": "#1f77b4"}
METHOD_NAMES = {"convex_gated": "convex (gated)", "convex_exact": "convex (exact)", "adamw": "AdamW"}


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha})"


def method_label(method: str, k: int | None = None, several_k: bool = False) -> str:
    name = METHOD_NAMES.get(method, method)
    return f"{name}, k = {k}" if several_k and k is not None else name


def time_curves(rows: list[dict], n_train: int | None = None, points: int = 120) -> list[dict]:
    """Per (method, k) at ``n_train`` (default the largest): a log-spaced time grid and the
    median / min / max over seeds of the test accuracy reached by each time.

    A seed's curve is a step function (the best-by-validation model so far); before its first
    checkpoint it has no value, so the statistics at a time use the seeds that have one
    (``count``).
    """
    if not rows:
        return []
    n = n_train if n_train is not None else max(r["n_train"] for r in rows)
    sel = [r for r in rows if r["n_train"] == n]
    times = np.array([r["time"] for r in sel], dtype=float)
    positive = times[times > 0]
    lo = float(positive.min()) if positive.size else 1e-3
    hi = float(times.max()) if times.size else 1.0
    grid = np.geomspace(lo, max(hi, lo * 1.01), points)
    out = []
    for method, k in sorted({(r["method"], r["k"]) for r in sel}, key=lambda t: (t[1], t[0])):
        seeds = sorted({r["seed"] for r in sel if (r["method"], r["k"]) == (method, k)})
        vals = np.full((len(seeds), grid.size), np.nan)
        for i, s in enumerate(seeds):
            pts = sorted((r for r in sel if (r["method"], r["k"], r["seed"]) == (method, k, s)),
                         key=lambda r: r["time"])
            t = np.array([r["time"] for r in pts])
            a = np.array([r["test_acc"] for r in pts])
            idx = np.searchsorted(t, grid, side="right") - 1
            vals[i] = np.where(idx >= 0, a[np.maximum(idx, 0)], np.nan)
        count = np.sum(~np.isnan(vals), axis=0)
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                med = np.nanmedian(vals, axis=0)
                vmin, vmax = np.nanmin(vals, axis=0), np.nanmax(vals, axis=0)
        out.append(dict(method=method, k=k, n_train=n, time=grid, median=med, low=vmin, high=vmax,
                        count=count, seeds=len(seeds)))
    return out


def _band(x, low, high, colour, name, group, shape: str = "linear") -> list[go.Scatter]:
    ok = ~np.isnan(low)
    return [
        go.Scatter(x=x[ok], y=high[ok], mode="lines", line=dict(width=0, shape=shape), showlegend=False,
                   hoverinfo="skip", legendgroup=group, name=f"{name} max"),
        go.Scatter(x=x[ok], y=low[ok], mode="lines", line=dict(width=0, shape=shape), fill="tonexty",
                   fillcolor=_rgba(colour, 0.18), showlegend=False, hoverinfo="skip", legendgroup=group,
                   name=f"{name} min"),
    ]


def accuracy_time_figure(rows: list[dict], n_train: int | None = None, height: int = 430,
                         title: str | None = None) -> go.Figure:
    """Test accuracy against cumulative wall time (log axis), median line and min-max band over
    seeds, one colour per method (dash style per width k when several)."""
    fig = go.Figure()
    curves = time_curves(rows, n_train)
    several_k = len({c["k"] for c in curves}) > 1
    dashes = ["solid", "dash", "dot", "dashdot"]
    ks = sorted({c["k"] for c in curves})
    for c in curves:
        colour = METHOD_COLORS.get(c["method"], "#555555")
        name = method_label(c["method"], c["k"], several_k)
        group = f"{c['method']}-{c['k']}"
        if c["seeds"] > 1:
            fig.add_traces(_band(c["time"], c["low"], c["high"], colour, name, group, shape="hv"))
        ok = ~np.isnan(c["median"])
        fig.add_trace(go.Scatter(
            x=c["time"][ok], y=c["median"][ok], mode="lines", name=name, legendgroup=group,
            line=dict(color=colour, width=2.5, dash=dashes[ks.index(c["k"]) % len(dashes)], shape="hv"),
            hovertemplate=f"{name}<br>%{{x:.3g}} s<br>test accuracy %{{y:.3f}}<extra></extra>"))
    n = curves[0]["n_train"] if curves else None
    finish_layout(fig, title, height)
    fig.update_xaxes(type="log", title_text="cumulative wall time (s), hyper-parameter search included",
                     showgrid=True, gridcolor="#eeeeee", exponentformat="power",
                     **log_ticks(*(c["time"] for c in curves)))
    fig.update_yaxes(title_text="test accuracy", showgrid=True, gridcolor="#eeeeee")
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0.0),
                      margin=dict(t=60 if title else 40))
    if n is not None:
        fig.update_layout(meta=dict(n_train=int(n)))
    return fig


def size_curves(rows: list[dict], budget: float) -> list[dict]:
    """Per (method, k): training sizes and median / min / max over seeds of the test accuracy
    reached within ``budget`` seconds (NaN where no checkpoint came that early)."""
    at = accuracy_at(rows, budget)
    out = []
    for method, k in sorted({(r["method"], r["k"]) for r in at}, key=lambda t: (t[1], t[0])):
        sizes = sorted({r["n_train"] for r in at if (r["method"], r["k"]) == (method, k)})
        med, lo, hi = [], [], []
        for n in sizes:
            a = np.array([r["test_acc"] for r in at if (r["method"], r["k"], r["n_train"]) == (method, k, n)])
            a = a[~np.isnan(a)]
            med.append(float(np.median(a)) if a.size else np.nan)
            lo.append(float(a.min()) if a.size else np.nan)
            hi.append(float(a.max()) if a.size else np.nan)
        out.append(dict(method=method, k=k, n_train=np.array(sizes), median=np.array(med), low=np.array(lo),
                        high=np.array(hi), budget=float(budget)))
    return out


def accuracy_size_figure(rows: list[dict], budget: float, height: int = 400,
                         title: str | None = None) -> go.Figure:
    """Test accuracy within ``budget`` seconds against the training-set size (median, band)."""
    fig = go.Figure()
    curves = size_curves(rows, budget)
    several_k = len({c["k"] for c in curves}) > 1
    for c in curves:
        colour = METHOD_COLORS.get(c["method"], "#555555")
        name = method_label(c["method"], c["k"], several_k)
        group = f"{c['method']}-{c['k']}"
        x = c["n_train"].astype(float)
        if len(x) > 1:
            fig.add_traces(_band(x, c["low"], c["high"], colour, name, group))
        fig.add_trace(go.Scatter(
            x=x, y=c["median"], mode="lines+markers", name=name, legendgroup=group,
            line=dict(color=colour, width=2.5),
            hovertemplate=f"{name}<br>n = %{{x}}<br>test accuracy %{{y:.3f}}<extra></extra>"))
    finish_layout(fig, title, height)
    fig.update_xaxes(title_text="training-set size", showgrid=True, gridcolor="#eeeeee")
    fig.update_yaxes(title_text=f"test accuracy within {budget:.3g} s", showgrid=True, gridcolor="#eeeeee")
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0.0),
                      margin=dict(t=60 if title else 40))
    return fig


__all__ = [
    "METHOD_COLORS",
    "METHOD_NAMES",
    "accuracy_size_figure",
    "accuracy_time_figure",
    "method_label",
    "size_curves",
    "time_curves",
]
