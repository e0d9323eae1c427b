"""Plotly figures of data sets and two-layer ReLU networks (pure functions, no streamlit).

Every builder returns a ``plotly.graph_objects.Figure`` and can be used in a notebook as well as
in the app:

- :func:`data_scatter`: the points of a :class:`~convexnn.data.datasets.Dataset`; classes coloured on a
  fixed scale (``cmin=-1, cmax=1``, so a one-class plot keeps its colour), held-out points hollow.
- :func:`decision_boundary`: f(x) of a network as a heatmap over the data's (square) box, the
  decision boundary {f = 0} as a contour, and each neuron's hyperplane {x : w1.x + b1 = 0} as a
  line coloured by the sign of its output weight w2 (2-D inputs).
- :func:`regression_curve`: f(x) over the data for 1-D inputs, with the kink of every neuron
  (x = -b1/w1) marked and coloured by sign(w2).
- :func:`regression_surface`: f(x) of a 2-D regression as a heatmap, with the data and the
  neurons' hyperplanes.
- :func:`network_figure`: picks the right one of the three for the data.

A "model" is anything with ``predict(X) -> (n,)``: a :class:`~convexnn.models.network.ReLUNetwork`, or
e.g. a gated-ReLU model. Neuron lines are taken from ``model.hyperplanes()`` (W1, b1, sign of w2)
unless ``hyperplanes=(W, b, sign)`` is given (sign 0 draws a neutral line).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from ..data.datasets import CLASSIFICATION, Dataset
from ..models.network import row_blocks

# TensorFlow Playground's colours: orange for +1, blue for -1.
POSITIVE = "#f59322"
NEGATIVE = "#0877bd"
NEUTRAL = "#e8eaeb"
CLASS_SCALE = [[0.0, NEGATIVE], [0.5, NEUTRAL], [1.0, POSITIVE]]
NEURON_COLORS = {1: "#a0560c", -1: "#04406b", 0: "#555555"}
REGRESSION_SCALE = "Viridis"
GL_THRESHOLD = 1000
"""Above this many points the scatter traces use WebGL (``go.Scattergl``)."""
FONT_SIZE = 14
"""px: the base size of all figure text (titles, ticks, legends, hover), legible on a projector;
no figure sets any text below 12 px. Applied through the default template "plotly+convexnn"."""
TITLE_SIZE = 16
"""px: figure titles (plotly's default, 1.4 x the font, cut titles off in half-width columns)."""
pio.templates["convexnn"] = go.layout.Template(layout=dict(font=dict(size=FONT_SIZE),
                                                           title=dict(font=dict(size=TITLE_SIZE))))
pio.templates.default = "plotly+convexnn"
MAX_NEURON_LINES = 200
"""Most neuron lines (or kink markers) drawn; above it, those of the largest |w2|·‖w1‖ (the jump
of the gradient across the neuron's hyperplane), with a note in the figure."""

Box = tuple[float, float, float, float]


# --------------------------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------------------------


def bounding_box(X: np.ndarray, margin: float = 0.1, square: bool = False) -> Box:
    """(xmin, xmax, ymin, ymax) of 2-D points, padded by ``margin`` times the larger extent.

    With ``square`` the shorter side is widened (about its centre) to the longer one, so a plot
    with equal axis scales fills a square.
    """
    X = np.asarray(X, dtype=float)
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = float(max(np.max(hi - lo), 1e-9))
    pad = margin * span
    if square:
        centre = (lo + hi) / 2
        lo, hi = centre - span / 2, centre + span / 2
    # a degenerate axis (all points on a line) still gets a visible range
    flat = hi - lo < 1e-9
    lo, hi = np.where(flat, lo - 0.5 * span, lo) - pad, np.where(flat, hi + 0.5 * span, hi) + pad
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def hyperplane_segment(w: np.ndarray, b: float, box: Box) -> tuple[np.ndarray, np.ndarray] | None:
    """The part of the line {x : w.x + b = 0} inside ``box``, as (xs, ys) of its two ends.

    Returns None when w = 0 or the line misses the box.
    """
    w = np.asarray(w, dtype=float).reshape(-1)
    x0, x1, y0, y1 = box
    scale = float(np.linalg.norm(w))
    if scale < 1e-12:
        return None
    a, c, b = w[0] / scale, w[1] / scale, float(b) / scale
    points = []
    if abs(c) > 1e-12:  # intersections with the vertical sides x = x0, x = x1
        for x in (x0, x1):
            y = -(a * x + b) / c
            if y0 - 1e-12 <= y <= y1 + 1e-12:
                points.append((x, y))
    if abs(a) > 1e-12:  # intersections with the horizontal sides y = y0, y = y1
        for y in (y0, y1):
            x = -(c * y + b) / a
            if x0 - 1e-12 <= x <= x1 + 1e-12:
                points.append((x, y))
    if len(points) < 2:
        return None
    P = np.array(points)
    # the two points farthest apart (corners can repeat)
    d = np.linalg.norm(P[:, None] - P[None], axis=-1)
    i, j = np.unravel_index(np.argmax(d), d.shape)
    if d[i, j] < 1e-12:
        return None
    return P[[i, j], 0], P[[i, j], 1]


def neuron_hyperplanes(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(W (d, m), b (m,), sign (m,)) of a model's units: ``model.hyperplanes()`` (a network's
    w1_j, b1_j, sign(w2_j); a gated model's gates with sign 0)."""
    if hasattr(model, "hyperplanes"):
        W, b, sign = model.hyperplanes()
    else:  # any object with network weights
        W, b, sign = model.W1, model.b1, np.sign(np.asarray(model.w2, dtype=float))
    W = np.atleast_2d(np.asarray(W, dtype=float))
    return W, np.asarray(b, dtype=float).reshape(-1), np.asarray(sign).reshape(-1).astype(int)


def evaluate(model, X: np.ndarray) -> np.ndarray:
    """f(X) of a model (``predict`` or a callable), in blocks of rows when it has a ``width``, so a
    wide network on a fine grid needs O(:data:`~convexnn.models.network.EVAL_BLOCK_BYTES`) memory."""
    call = model if callable(model) and not hasattr(model, "predict") else model.predict
    X = np.asarray(X, dtype=float)
    width = getattr(model, "width", None)
    if not isinstance(width, int | np.integer) or X.ndim == 0:
        return np.asarray(call(X), dtype=float).reshape(-1)
    return np.concatenate([np.asarray(call(X[rows]), dtype=float).reshape(-1)
                           for rows in row_blocks(X.shape[0], int(width))] or [np.zeros(0)])


def neuron_importance(model) -> np.ndarray | None:
    """|w2_j| ‖w1_j‖ of each neuron (the jump of ∇f across its hyperplane), None without weights."""
    try:
        W = np.atleast_2d(np.asarray(model.W1, dtype=float))
        w2 = np.asarray(model.w2, dtype=float).reshape(-1)
    except (AttributeError, TypeError, ValueError):
        return None
    if w2.shape != (W.shape[1],) or not np.any(w2):
        return None
    return np.abs(w2) * np.linalg.norm(W, axis=0)


def shown_neurons(width: int, importance: np.ndarray | None = None,
                  limit: int = MAX_NEURON_LINES) -> np.ndarray:
    """Indices of the neurons drawn: all of them up to ``limit``, else the ``limit`` of largest
    ``importance`` (the first ones when it is None), in increasing index order."""
    if width <= limit:
        return np.arange(width)
    if importance is None or np.shape(importance) != (width,):
        return np.arange(limit)
    return np.sort(np.argsort(-np.asarray(importance, dtype=float), kind="stable")[:limit])


def _note_shown(fig: go.Figure, shown: int, total: int, ranked: bool, what: str = "neuron lines") -> None:
    if shown >= total:
        return
    rule = "largest |w2|·‖w1‖" if ranked else "lowest indices"
    fig.add_annotation(text=f"{what}: the {shown:,} of {total:,} neurons with the {rule}",
                       xref="paper", yref="paper", x=0.0, y=1.0, xanchor="left", yanchor="bottom",
                       showarrow=False, font=dict(size=12, color="#555555"))


def grid_points(box: Box, resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A resolution x resolution grid over ``box``: its x and y ticks and the points (r^2, 2)."""
    xs = np.linspace(box[0], box[1], resolution)
    ys = np.linspace(box[2], box[3], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


def compact(values) -> np.ndarray:
    """``values`` as a float32 array, for the grids of a figure (heat map and contour z, their x and
    y ticks, surfaces): plotly sends numpy arrays to the browser as base64 typed arrays, and float32
    halves those bytes. About 7 significant digits, more than any hover label or colour shows."""
    return np.asarray(values, dtype=np.float32)


def _scatter_cls(n: int):
    return go.Scattergl if n > GL_THRESHOLD else go.Scatter


def equal_axes(fig: go.Figure, box: Box) -> None:
    """x1 and x2 axes over ``box`` with one unit the same length on both."""
    fig.update_xaxes(range=[box[0], box[1]], constrain="domain", title_text="x1", showgrid=False,
                     zeroline=False)
    fig.update_yaxes(range=[box[2], box[3]], scaleanchor="x", scaleratio=1, constrain="domain",
                     title_text="x2", showgrid=False, zeroline=False)



MAX_LOG_TICKS = 8
"""Most decade ticks on a log axis (wider spans label every second, third... decade)."""


def log_ticks(*values) -> dict:
    """Tick settings for a log axis showing ``values`` (the positive ones count), all labels at the
    figure's font size. Left to itself plotly labels the 2s and 5s between decades in small digits
    (about 9 px) when the axis spans one to a few decades; here: one tick per decade 10^k (every
    k-th decade beyond MAX_LOG_TICKS decades) when at least two powers of ten lie among the values,
    else the 1-2-5 sequence as ordinary labels. Pass the result to ``fig.update_xaxes`` or
    ``update_yaxes`` (with ``type="log"``)."""
    flat = np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in values]) if values else np.zeros(0)
    flat = flat[np.isfinite(flat) & (flat > 0)]
    if flat.size == 0:
        return dict(dtick=1)
    lo, hi = np.log10(flat.min()), np.log10(flat.max())
    if np.floor(hi) - np.ceil(lo) >= 1:  # at least two powers of ten among the values
        return dict(dtick=max(1, int(np.ceil((hi - lo) / MAX_LOG_TICKS))), tickmode="linear")
    lo, hi = np.floor(lo), np.ceil(hi)
    ticks = [m * 10.0 ** e for e in range(int(lo), int(hi) + 1) for m in (1, 2, 5)]
    return dict(tickmode="array", tickvals=ticks)


def finish_layout(fig: go.Figure, title: str | None, height: int) -> go.Figure:
    """The package's common look: title, height, margins, white background, legend on top."""
    fig.update_layout(
        title=title,
        height=height,
        margin=dict(l=40, r=20, t=50 if title else 20, b=40),
        plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0.0),
        hovermode="closest",
    )
    return fig


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


def data_traces(data: Dataset, marker_size: int = 9) -> list:
    """Scatter traces of the data: training points filled, held-out points hollow.

    Classification: one trace per class and part ("class +1", "class −1", "test, class +1", ...),
    coloured by label on ``CLASS_SCALE`` with cmin=-1, cmax=1. 2-D regression: colour = target
    on a Viridis scale with a colour bar. 1-D regression: points (x, y).
    """
    X, y = data.X, data.y
    test = np.zeros(data.n, dtype=bool) if data.is_test is None else data.is_test
    Scatter = _scatter_cls(data.n)
    traces = []
    for part, mask in (("train", ~test), ("test", test)):
        if not mask.any():
            continue
        hollow = part == "test"
        symbol = "circle-open" if hollow else "circle"
        prefix = "" if data.is_test is None else ("test " if hollow else "train ")
        if data.dim == 1:
            traces.append(Scatter(
                x=X[mask, 0], y=y[mask], mode="markers", name=f"{prefix}data",
                marker=dict(size=marker_size, color="#333333", symbol=symbol,
                            line=dict(width=1.5 if hollow else 1, color="#333333" if hollow else "white")),
                hovertemplate="x=%{x:.3f}<br>y=%{y:.3f}<extra></extra>",
            ))
            continue
        if data.task == CLASSIFICATION:
            for label, text in ((1.0, "class +1"), (-1.0, "class −1")):
                sel = mask & (y == label)
                if not sel.any():
                    continue
                marker = dict(size=marker_size, color=y[sel], colorscale=CLASS_SCALE, cmin=-1, cmax=1,
                              symbol=symbol, line=dict(width=2) if hollow else dict(width=1, color="white"))
                traces.append(Scatter(
                    x=X[sel, 0], y=X[sel, 1], mode="markers", name=f"{prefix}{text}", marker=marker,
                    hovertemplate=f"x1=%{{x:.3f}}<br>x2=%{{y:.3f}}<br>{text}<extra></extra>",
                ))
            continue
        lo, hi = float(y.min()), float(y.max())
        marker = dict(size=marker_size, color=y[mask], colorscale=REGRESSION_SCALE, cmin=lo,
                      cmax=hi if hi > lo else lo + 1, symbol=symbol,
                      line=dict(width=2) if hollow else dict(width=1, color="white"),
                      colorbar=dict(title="y", len=0.8) if part == "train" else None,
                      showscale=part == "train")
        traces.append(Scatter(
            x=X[mask, 0], y=X[mask, 1], mode="markers", name=f"{prefix}data", marker=marker,
            hovertemplate="x1=%{x:.3f}<br>x2=%{y:.3f}<br>y=%{marker.color:.3f}<extra></extra>",
        ))
    return traces


def data_scatter(data: Dataset, title: str | None = None, height: int = 450,
                 marker_size: int = 9) -> go.Figure:
    """A scatter plot of a data set (equal axes for 2-D inputs)."""
    fig = go.Figure(data_traces(data, marker_size))
    if data.dim == 1:
        fig.update_xaxes(title_text="x", showgrid=True)
        fig.update_yaxes(title_text="y", showgrid=True)
    else:
        equal_axes(fig, bounding_box(data.X, square=True))
    return finish_layout(fig, title, height)


# --------------------------------------------------------------------------------------------
# Networks
# --------------------------------------------------------------------------------------------


def neuron_traces(W: np.ndarray, b: np.ndarray, sign: np.ndarray, box: Box,
                  importance: np.ndarray | None = None, limit: int = MAX_NEURON_LINES) -> list[go.Scatter]:
    """One line trace per neuron: its hyperplane {x : w.x + b = 0} clipped to ``box``.

    Every neuron gets a trace (empty when its line misses the box), named "neuron j" with
    ``meta = {"neuron": j, "sign": s}``, coloured by s = sign(w2_j); the legend shows one entry
    per sign. Above ``limit`` neurons only :func:`shown_neurons` get one (largest ``importance``).
    """
    W = np.atleast_2d(np.asarray(W, dtype=float))
    b = np.asarray(b, dtype=float).reshape(-1)
    sign = np.asarray(sign, dtype=int).reshape(-1)
    labels = {1: "neuron, w2 > 0", -1: "neuron, w2 < 0", 0: "gate hyperplane"}
    shown: set[int] = set()
    traces = []
    for j in shown_neurons(W.shape[1], importance, limit).tolist():
        s = int(sign[j])
        seg = hyperplane_segment(W[:, j], b[j], box)
        xs, ys = (seg if seg is not None else ([], []))
        show = s not in shown and seg is not None
        if show:
            shown.add(s)
        traces.append(go.Scatter(
            x=list(xs), y=list(ys), mode="lines", name=labels[s] if show else f"neuron {j}",
            legendgroup=f"neurons{s}", showlegend=show,
            line=dict(color=NEURON_COLORS[s], width=1.2, dash="dot"),
            opacity=0.8, meta={"neuron": j, "sign": s},
            hovertemplate=f"neuron {j}<extra></extra>",
        ))
    return traces


def _field(model, box: Box, resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs, ys, G = grid_points(box, resolution)
    return xs, ys, evaluate(model, G).reshape(resolution, resolution)


def decision_boundary(
    model,
    data: Dataset,
    hyperplanes: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    show_neurons: bool = True,
    resolution: int = 120,
    margin: float = 0.15,
    title: str | None = None,
    height: int = 500,
) -> go.Figure:
    """f(x) as a heatmap over the data's box, the contour f = 0, the neurons' lines, the data.

    The heatmap's colour saturates at the 95th percentile of |f| (hover shows the exact value);
    the contour trace (named "decision boundary") is drawn only where f changes sign.
    """
    if data.dim != 2:
        raise ValueError("decision_boundary needs 2-D inputs; use regression_curve for 1-D data")
    box = bounding_box(data.X, margin, square=True)
    xs, ys, Z = _field(model, box, resolution)
    c = float(np.quantile(np.abs(Z), 0.95)) if Z.size else 1.0
    c = c if c > 1e-12 else 1.0
    fig = go.Figure()
    xs, ys, Zc = compact(xs), compact(ys), compact(Z)  # one float32 copy of f for both traces
    fig.add_trace(go.Heatmap(  # colours saturate beyond ±c; z (and the hover) is f itself
        x=xs, y=ys, z=Zc, zmin=-c, zmax=c, colorscale=CLASS_SCALE,
        opacity=0.55, showscale=False, name="f(x)",
        hovertemplate="x1=%{x:.2f}<br>x2=%{y:.2f}<br>f=%{z:.3f}<extra></extra>",
    ))
    if Z.min() < 0 < Z.max():
        fig.add_trace(go.Contour(
            x=xs, y=ys, z=Zc, name="decision boundary", showscale=False, showlegend=True,
            contours=dict(start=0.0, end=0.0, size=1.0, coloring="lines"),
            line=dict(width=2.5, color="black"), colorscale=[[0, "black"], [1, "black"]],
            hoverinfo="skip",
        ))
    if show_neurons:
        _add_neuron_lines(fig, model, hyperplanes, box)
    fig.add_traces(data_traces(data))
    equal_axes(fig, box)
    return finish_layout(fig, title, height)


def _add_neuron_lines(fig: go.Figure, model, hyperplanes, box: Box) -> None:
    """The neurons' lines (at most :data:`MAX_NEURON_LINES`, with a note when some are left out)."""
    W, b, sign = neuron_hyperplanes(model) if hyperplanes is None else hyperplanes
    width = np.atleast_2d(np.asarray(W)).shape[1]
    importance = neuron_importance(model)
    importance = importance if importance is not None and importance.shape == (width,) else None
    fig.add_traces(neuron_traces(W, b, sign, box, importance))
    _note_shown(fig, min(width, MAX_NEURON_LINES), width, importance is not None)


def kinks(W: np.ndarray, b: np.ndarray, lo: float = -np.inf, hi: float = np.inf) -> np.ndarray:
    """Indices and positions of 1-D neuron breakpoints x = -b_j / w_j inside [lo, hi].

    Returns an (k, 2) array of rows (j, x_j); neurons with w_j = 0 have no kink.
    """
    w = np.asarray(W, dtype=float).reshape(-1)
    b = np.asarray(b, dtype=float).reshape(-1)
    rows = [(j, -b[j] / w[j]) for j in range(w.size) if abs(w[j]) > 1e-12]
    rows = [(j, x) for j, x in rows if lo <= x <= hi]
    return np.array(rows, dtype=float).reshape(-1, 2)


def regression_curve(
    model,
    data: Dataset,
    hyperplanes: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    resolution: int = 400,
    margin: float = 0.1,
    title: str | None = None,
    height: int = 450,
) -> go.Figure:
    """f(x) of a network on 1-D inputs over the data's range, with its kinks and the data.

    Kink markers (trace "kinks", one marker per neuron whose breakpoint lies in the range) are
    coloured by sign(w2); the curve is evaluated on a grid that includes every kink exactly.
    """
    if data.dim != 1:
        raise ValueError("regression_curve needs 1-D inputs")
    x = data.X[:, 0]
    span = float(max(x.max() - x.min(), 1e-9))
    lo, hi = float(x.min() - margin * span), float(x.max() + margin * span)
    W, b, sign = neuron_hyperplanes(model) if hyperplanes is None else hyperplanes
    K = kinks(W, b, lo, hi)
    importance = neuron_importance(model)
    ranked = importance is not None and importance.shape == (np.atleast_2d(W).shape[1],)
    if len(K) > MAX_NEURON_LINES:  # the curve is exact at the kinks drawn, linear between grid points
        keep = shown_neurons(len(K), importance[K[:, 0].astype(int)] if ranked else None)
        total, K = len(K), K[keep]
    else:
        total = len(K)
    grid = np.unique(np.concatenate([np.linspace(lo, hi, resolution), K[:, 1]]))
    f = evaluate(model, grid[:, None])
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=grid, y=f, mode="lines", name="network f(x)",
                             line=dict(color="#222222", width=2.5),
                             hovertemplate="x=%{x:.3f}<br>f=%{y:.3f}<extra></extra>"))
    if len(K):
        idx = K[:, 0].astype(int)
        s = np.asarray(sign, dtype=int).reshape(-1)[idx]
        fig.add_trace(go.Scatter(
            x=K[:, 1], y=evaluate(model, K[:, 1:2]), mode="markers", name="kinks (neurons)",
            marker=dict(symbol="diamond", size=10, color=[NEURON_COLORS[int(v)] for v in s],
                        line=dict(width=1, color="white")),
            customdata=idx, meta={"neurons": idx.tolist()},
            hovertemplate="neuron %{customdata}<br>kink at x=%{x:.3f}<extra></extra>",
        ))
    _note_shown(fig, len(K), total, ranked, "kinks")
    fig.add_traces(data_traces(data))
    fig.update_xaxes(range=[lo, hi], title_text="x", showgrid=True, gridcolor="#eeeeee")
    fig.update_yaxes(title_text="y", showgrid=True, gridcolor="#eeeeee")
    return finish_layout(fig, title, height)


def regression_surface(
    model,
    data: Dataset,
    hyperplanes: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    show_neurons: bool = True,
    resolution: int = 100,
    margin: float = 0.15,
    title: str | None = None,
    height: int = 500,
) -> go.Figure:
    """f(x) of a 2-D regression as a heatmap (same colour scale as the targets), the neurons'
    lines and the data coloured by their targets."""
    if data.dim != 2:
        raise ValueError("regression_surface needs 2-D inputs")
    box = bounding_box(data.X, margin, square=True)
    xs, ys, Z = _field(model, box, resolution)
    lo, hi = float(data.y.min()), float(data.y.max())
    hi = hi if hi > lo else lo + 1.0
    fig = go.Figure(go.Heatmap(
        x=compact(xs), y=compact(ys), z=compact(Z), zmin=lo, zmax=hi, colorscale=REGRESSION_SCALE,
        opacity=0.7, showscale=False,
        name="f(x)", hovertemplate="x1=%{x:.2f}<br>x2=%{y:.2f}<br>f=%{z:.3f}<extra></extra>",
    ))
    if show_neurons:
        _add_neuron_lines(fig, model, hyperplanes, box)
    fig.add_traces(data_traces(data))
    equal_axes(fig, box)
    return finish_layout(fig, title, height)


def network_figure(model, data: Dataset, **options) -> go.Figure:
    """The figure that fits the data: decision boundary, regression curve or surface."""
    if data.dim == 1:
        options.pop("show_neurons", None)
        return regression_curve(model, data, **options)
    if data.task == CLASSIFICATION:
        return decision_boundary(model, data, **options)
    return regression_surface(model, data, **options)


def trace_names(fig: go.Figure) -> Sequence[str]:
    """Names of a figure's traces (handy in tests and notebooks)."""
    return [t.name for t in fig.data]


__all__ = [
    "CLASS_SCALE",
    "GL_THRESHOLD",
    "MAX_LOG_TICKS",
    "MAX_NEURON_LINES",
    "NEGATIVE",
    "NEURON_COLORS",
    "NEUTRAL",
    "POSITIVE",
    "REGRESSION_SCALE",
    "TITLE_SIZE",
    "bounding_box",
    "data_scatter",
    "data_traces",
    "decision_boundary",
    "equal_axes",
    "evaluate",
    "finish_layout",
    "grid_points",
    "hyperplane_segment",
    "kinks",
    "log_ticks",
    "network_figure",
    "neuron_hyperplanes",
    "neuron_importance",
    "neuron_traces",
    "regression_curve",
    "regression_surface",
    "shown_neurons",
    "trace_names",
]
