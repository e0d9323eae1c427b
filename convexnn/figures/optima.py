"""Figures of the optimal network, its certificate and the set of all optima (pure plotly).

- :func:`dual_bars`: every pattern's dual value against the line beta (sorted, log scale; the
  patterns of the network's neurons reach the line).
- :func:`optimum_figure`: the network figure of :mod:`.core` with each neuron's active side
  shaded (a band along its hyperplane, or the whole half-plane of one highlighted neuron).
- :func:`split_figure`: the neurons of a split/padded/permuted network, the split neuron's copies
  highlighted.
- :func:`critical_width_figure`: the best nonconvex objective per width against p*.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..data.datasets import Dataset
from .core import (
    NEGATIVE,
    NEURON_COLORS,
    POSITIVE,
    bounding_box,
    finish_layout,
    hyperplane_segment,
    log_ticks,
    network_figure,
    neuron_hyperplanes,
)

BAR_LIMIT = 400
"""Up to this many patterns the dual values are bars; above, a filled curve."""
SVG_LIMIT = 20_000
"""Up to this many patterns the curve is an SVG ``scatter``; above, WebGL (``scattergl``). A WebGL
context costs the browser about a second on a first view; an SVG path of 20,000 points much less."""
BETA_COLOR = "#c0392b"
INACTIVE = "#9aa5b1"
SIGN_FILL = {1: "rgba(160,86,12,0.22)", -1: "rgba(4,64,107,0.22)", 0: "rgba(85,85,85,0.15)"}
HALF_FILL = {1: "rgba(245,147,34,0.30)", -1: "rgba(8,119,189,0.30)", 0: "rgba(85,85,85,0.2)"}
SPLIT_COLOR = "#e15759"
KEPT_COLOR = "#8fa6bf"


# --------------------------------------------------------------------------------------------
# The certificate made visible
# --------------------------------------------------------------------------------------------


def dual_bars(values: np.ndarray, beta: float, active: np.ndarray | None = None, log: bool = False,
              title: str | None = None, height: int = 360, gated: bool = False) -> go.Figure:
    """Each pattern's dual value max_+- ||Pi_K(+-X~^T D_i lam)|| sorted decreasingly, against beta.

    The patterns are ranked on a log axis when there are many, so the top (the patterns at beta)
    keeps its room; the values are on a linear axis unless ``log`` (a log axis squeezes the
    values just below beta onto the line).

    ``values`` (P, 2) from :func:`convexnn.theory.optima.dual_bar_values`; ``active`` (k, 2) rows
    (pattern, sign column) of the network's neurons, drawn in the neuron colours (orange: u,
    w2 > 0; blue: u', w2 < 0; dark grey "gated unit" for the gated program). Up to
    ``BAR_LIMIT`` patterns are bars; more are a filled curve (SVG up to ``SVG_LIMIT`` patterns, WebGL
    above) with the active patterns as markers, so thousands stay readable.
    """
    values = np.asarray(values, dtype=float).reshape(-1, 2)
    P = values.shape[0]
    v = values.max(axis=1)
    which = values.argmax(axis=1)
    order = np.argsort(-v, kind="stable")
    rank = np.empty(P, dtype=int)
    rank[order] = np.arange(1, P + 1)
    sign_of = np.zeros(P, dtype=int)  # 1: u active, -1: u' active, 0: no neuron
    if active is not None and len(active):
        act = np.asarray(active, dtype=int).reshape(-1, 2)
        for i, s in act:
            sign_of[i] = 1 if s == 0 else -1
    positive = v[v > 0]
    floor = max(float(positive.min()) if positive.size else beta, beta * 1e-4) / 1.5
    shown = np.maximum(v, floor) if log else v
    custom = np.column_stack([np.arange(P), v / beta, np.where(which == 0, 1, -1)])
    hover = ("pattern %{customdata[0]}<br>value %{customdata[1]:.6f} β"
             "<br>sign %{customdata[2]:+d}<extra></extra>")
    fig = go.Figure()
    if P <= BAR_LIMIT:
        on = {1: "#333333" if gated else POSITIVE, -1: NEGATIVE, 0: INACTIVE}
        colors = [on[int(sign_of[i])] for i in order]
        fig.add_trace(go.Bar(x=rank[order], y=shown[order], marker=dict(color=colors, line=dict(width=0)),
                             customdata=custom[order], hovertemplate=hover, name="patterns",
                             showlegend=False))
    else:
        curve = go.Scatter if P <= SVG_LIMIT else go.Scattergl
        fig.add_trace(curve(x=rank[order], y=shown[order], mode="lines", fill="tozeroy",
                            line=dict(color=INACTIVE, width=1), fillcolor="rgba(154,165,177,0.45)",
                            customdata=custom[order], hovertemplate=hover, name="patterns",
                            showlegend=False))
    marks = (((1, "#333333", "gated unit"),) if gated else
             ((1, POSITIVE, "neuron, w2 > 0"), (-1, NEGATIVE, "neuron, w2 < 0")))
    for s, color, label in marks:
        idx = np.flatnonzero(sign_of == s)
        if idx.size == 0:
            continue
        fig.add_trace(go.Scatter(x=rank[idx], y=shown[idx], mode="markers", name=label,
                                 marker=dict(color=color, size=8, symbol="diamond",
                                             line=dict(width=1, color="white")),
                                 customdata=custom[idx], hovertemplate=hover))
    fig.add_trace(go.Scatter(x=[0.5, P + 0.5], y=[beta, beta], mode="lines", name=f"β = {beta:.4g}",
                             line=dict(color=BETA_COLOR, width=2, dash="dash"), hoverinfo="skip"))
    xtype = "log" if P > BAR_LIMIT else "linear"
    xr = [np.log10(0.8), np.log10(P * 1.2)] if xtype == "log" else [0.5, P + 0.5]
    fig.update_xaxes(title_text="patterns, sorted by dual value" + (" (log scale)" if xtype == "log" else ""),
                     type=xtype, range=xr, showgrid=False, **(log_ticks([1, P]) if xtype == "log" else {}))
    if log:
        top = max(float(v.max(initial=0.0)), beta) * 1.6
        fig.update_yaxes(type="log", range=[np.log10(floor), np.log10(top)],
                         title_text="dual value (log)", showgrid=True, gridcolor="#eeeeee",
                         **log_ticks([floor, top]))
    else:
        top = max(float(v.max(initial=0.0)), beta) * 1.08
        fig.update_yaxes(title_text="dual value", range=[0, top], showgrid=True, gridcolor="#eeeeee")
    fig.update_layout(bargap=0.05)
    return finish_layout(fig, title, height)


# --------------------------------------------------------------------------------------------
# The network with its neurons' active sides
# --------------------------------------------------------------------------------------------


def half_plane_polygon(w: np.ndarray, b: float, box) -> np.ndarray | None:
    """The polygon {x in box : w.x + b >= 0} (vertices (k, 2)), None if empty."""
    x0, x1, y0, y1 = box
    poly = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)
    w = np.asarray(w, dtype=float).reshape(-1)
    out = []
    for k in range(len(poly)):
        p, q = poly[k], poly[(k + 1) % len(poly)]
        sp, sq = p @ w + b, q @ w + b
        if sp >= 0:
            out.append(p)
        if (sp >= 0) != (sq >= 0):
            t = sp / (sp - sq)
            out.append(p + t * (q - p))
    return np.array(out) if len(out) >= 3 else None


def active_side_traces(W: np.ndarray, b: np.ndarray, sign: np.ndarray, box, band: float = 0.018,
                       highlight: int | None = None) -> list[go.Scatter]:
    """Shading of each neuron's active side {x : w1.x + b1 >= 0}: a band along its hyperplane
    (one filled trace per sign of w2) and, for neuron ``highlight``, the whole half-plane."""
    W = np.atleast_2d(np.asarray(W, dtype=float))
    b = np.asarray(b, dtype=float).reshape(-1)
    sign = np.asarray(sign, dtype=int).reshape(-1)
    span = max(box[1] - box[0], box[3] - box[2])
    traces = []
    for s in (1, -1, 0):
        xs, ys = [], []
        for j in np.flatnonzero(sign == s):
            seg = hyperplane_segment(W[:, j], b[j], box)
            if seg is None:
                continue
            n = W[:, j] / np.linalg.norm(W[:, j]) * band * span
            px, py = seg
            xs += [px[0], px[1], px[1] + n[0], px[0] + n[0], px[0], None]
            ys += [py[0], py[1], py[1] + n[1], py[0] + n[1], py[0], None]
        if xs:
            traces.append(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=SIGN_FILL[s],
                                     line=dict(width=0), hoverinfo="skip", showlegend=False,
                                     name=f"active sides (w2 {'>' if s > 0 else '<' if s < 0 else '='} 0)"))
    if highlight is not None and 0 <= highlight < W.shape[1]:
        poly = half_plane_polygon(W[:, highlight], b[highlight], box)
        if poly is not None:
            s = int(sign[highlight])
            traces.append(go.Scatter(
                x=list(poly[:, 0]) + [poly[0, 0]], y=list(poly[:, 1]) + [poly[0, 1]], mode="lines",
                fill="toself", fillcolor=HALF_FILL[s],
                line=dict(color=NEURON_COLORS[s], width=2.5), name=f"neuron {highlight} active",
                hoverinfo="skip"))
    return traces


def optimum_figure(model, data: Dataset, highlight: int | None = None, height: int = 540,
                   shade: bool = True) -> go.Figure:
    """:func:`network_figure` plus each neuron's active side.

    2-D: a band on the active side of every hyperplane, coloured by sign(w2), and the whole
    active half-plane of neuron ``highlight``. 1-D: neuron ``highlight``'s active interval is
    shaded and its own contribution (w1 x + b1)_+ w2 drawn dashed.
    """
    fig = network_figure(model, data, height=height)
    W, b, sign = neuron_hyperplanes(model)
    if data.dim == 2:
        box = bounding_box(data.X, 0.15, square=True)
        # behind the lines and points, above the heatmap
        shading = active_side_traces(W, b, sign, box, band=0.018 if shade else 0.0, highlight=highlight)
        if not shade:
            shading = [t for t in shading if t.name.endswith("active")]
        return go.Figure(data=[fig.data[0], *shading, *fig.data[1:]], layout=fig.layout)
    if highlight is not None and 0 <= highlight < W.shape[1]:
        lo, hi = fig.layout.xaxis.range
        w, c, s = float(W[0, highlight]), float(b[highlight]), int(sign[highlight])
        if abs(w) > 1e-12:
            k = -c / w
            a0, a1 = (max(k, lo), hi) if w > 0 else (lo, min(k, hi))
        else:
            a0, a1 = (lo, hi) if c >= 0 else (lo, lo)
        if a1 > a0:
            fig.add_vrect(x0=a0, x1=a1, fillcolor=SIGN_FILL[s], opacity=0.6, line_width=0, layer="below")
        xs = np.linspace(lo, hi, 200)
        if abs(w) > 1e-12:
            xs = np.unique(np.append(xs, np.clip(-c / w, lo, hi)))
        if not hasattr(model, "w2"):
            return fig  # a gated unit has no ReLU contribution to draw
        ramp = np.maximum(w * xs + c, 0.0) * float(model.w2[highlight])
        fig.add_trace(go.Scatter(x=xs, y=ramp, mode="lines", name=f"neuron {highlight}: (w1 x + b1)₊ w2",
                                 line=dict(color=NEURON_COLORS[s], width=2, dash="dash"),
                                 hovertemplate="x=%{x:.3f}<br>contribution=%{y:.3f}<extra></extra>"))
    return fig


# --------------------------------------------------------------------------------------------
# All global optima
# --------------------------------------------------------------------------------------------


def split_figure(network, origin: np.ndarray, share: np.ndarray, split: int | None = None,
                 title: str | None = None, height: int = 330) -> go.Figure:
    """The neurons of a transformed network: output weight w2 and cost ‖(w1, b1)‖·|w2| per neuron.

    The copies of neuron ``split`` are red (outlined), the other optimal neurons blue-grey, the
    added zero neurons light grey; hovering shows where each neuron comes from and its α.
    """
    W1 = np.atleast_2d(np.asarray(network.W1, dtype=float))
    inner = np.sqrt(np.sum(W1**2, axis=0) + np.asarray(network.b1) ** 2)
    w2 = np.asarray(network.w2, dtype=float)
    cost = inner * np.abs(w2)
    origin = np.asarray(origin, dtype=int)
    copies = (origin == split) if split is not None else np.zeros(len(origin), bool)
    colors = np.where(copies, SPLIT_COLOR, np.where(origin >= 0, KEPT_COLOR, "#d0d0d0"))
    k = np.arange(len(w2))
    labels = [("copy of neuron " if c else "neuron ") + str(o) if o >= 0 else "zero neuron"
              for o, c in zip(origin, copies, strict=True)]
    custom = np.column_stack([origin, share, inner, cost])
    hover = ("neuron %{x}<br>%{text}<br>α = %{customdata[1]:.3f}<br>‖(w1,b1)‖ = %{customdata[2]:.4f}"
             "<br>cost = %{customdata[3]:.4f}<extra></extra>")
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                        subplot_titles=("output weight w2", "cost ‖(w1, b1)‖·|w2| (Σ = penalty / β)"))
    for col, values in ((1, w2), (2, cost)):
        fig.add_trace(go.Bar(x=k, y=values, marker=dict(color=list(colors),
                                                        line=dict(width=np.where(copies, 1.5, 0),
                                                                  color="#222222")),
                             text=labels, customdata=custom, textposition="none", hovertemplate=hover,
                             showlegend=False), row=1, col=col)
    # upright labels, every 1st, 2nd or 5th neuron: in half a column 16 labels at 14 px collided and
    # plotly turned them on their side
    step = 1 if len(k) <= 10 else 2 if len(k) <= 20 else 5 if len(k) <= 50 else None
    fig.update_xaxes(title_text="neuron (after permutation)", dtick=step, tickangle=0)
    fig.update_yaxes(showgrid=True, gridcolor="#eeeeee")
    fig.update_annotations(font_size=13)
    return finish_layout(fig, title, height)


def critical_width_figure(result, title: str | None = None, height: int = 430) -> go.Figure:
    """Best nonconvex objective per width m (all restarts as dots) against p*, and its relative
    excess (L - p*)/p* on a log scale; the pruned convex optimum's width is marked."""
    widths = np.asarray(result.widths)
    obj = np.asarray(result.objectives, dtype=float)
    best = np.nanmin(obj, axis=1)
    p = float(result.p_star)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.58, 0.42])
    xs = np.repeat(widths, obj.shape[1])
    fig.add_trace(go.Scatter(x=xs, y=obj.ravel(), mode="markers", name="each restart",
                             marker=dict(color="#9aa5b1", size=7, opacity=0.8),
                             hovertemplate="m = %{x}<br>L = %{y:.6g}<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=widths, y=best, mode="lines+markers", name="best of the restarts",
                             line=dict(color="#222222", width=2), marker=dict(size=8),
                             hovertemplate="m = %{x}<br>best L = %{y:.6g}<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=[widths.min() - 0.5, widths.max() + 0.5], y=[p, p], mode="lines",
                             name=f"p* = {p:.6g} (convex)", line=dict(color=BETA_COLOR, dash="dash", width=2),
                             hoverinfo="skip"), row=1, col=1)
    excess = np.maximum((best - p) / max(abs(p), 1e-300), 1e-12)
    fig.add_trace(go.Scatter(x=widths, y=excess, mode="lines+markers", name="(best − p*)/p*",
                             line=dict(color="#555555"), showlegend=False,
                             hovertemplate="m = %{x}<br>(L − p*)/p* = %{y:.2e}<extra></extra>"), row=2, col=1)
    fig.add_trace(go.Scatter(x=[widths.min() - 0.5, widths.max() + 0.5], y=[result.rtol] * 2, mode="lines",
                             name=f"tolerance {result.rtol:g}", line=dict(color=BETA_COLOR, dash="dot"),
                             hoverinfo="skip", showlegend=False), row=2, col=1)
    for row in (1, 2):
        fig.add_vline(x=result.convex_width, line=dict(color=POSITIVE, width=2, dash="dot"), row=row, col=1)
    fig.add_annotation(x=result.convex_width, y=1.0, yref="y domain", xref="x", showarrow=False,
                       text=f"convex optimum: {result.convex_width} neurons", xanchor="left", yanchor="top",
                       font=dict(color="#a0560c"))
    m_star = result.m_star
    if m_star is not None:
        fig.add_trace(go.Scatter(x=[m_star], y=[best[list(widths).index(m_star)]], mode="markers",
                                 name=f"m* ≈ {m_star} (first width reaching p*)",
                                 marker=dict(symbol="star", size=16, color=POSITIVE,
                                             line=dict(width=1, color="#222"))), row=1, col=1)
    fig.update_yaxes(title_text="objective L", showgrid=True, gridcolor="#eeeeee", row=1, col=1)
    fig.update_yaxes(title_text="(L − p*)/p*", type="log", dtick=2, exponentformat="power", showgrid=True,
                     gridcolor="#eeeeee", row=2, col=1)
    fig.update_xaxes(title_text="width m", dtick=1 if len(widths) <= 30 else None, row=2, col=1)
    return finish_layout(fig, title, height)


__all__ = [
    "BAR_LIMIT",
    "active_side_traces",
    "critical_width_figure",
    "dual_bars",
    "half_plane_polygon",
    "optimum_figure",
    "split_figure",
]
