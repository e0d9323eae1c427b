"""Figures of the geometric-algebra view (docs/sampling-and-geometric-algebra.md): pure plotly builders.

- :func:`pair_figure`: two data points, the line through them with the normal given by the cross
  product h = x~_i x x~_j, every point coloured by its signed volume x~^T h = det[x~; x~_i; x~_j].
- :func:`lifted_figure`: the same in the lifted space R^3: the points (x, 1), the plane through the
  origin spanned by x~_i and x~_j, its normal h, and where it meets the data plane {x_3 = 1}.
- :func:`kappa_figure` and :func:`ramp_figure`: the Lasso feature kappa(x) = (x~^T h)_+ / ||h||, a
  ReLU ramp of the signed distance to the line.
- :func:`plane_figure`: three points in R^3, the plane through them from the generalized cross
  product of their lifted vectors in R^4.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..data.datasets import Dataset
from ..patterns.arrangements import lift
from .core import (
    CLASS_SCALE,
    bounding_box,
    compact,
    equal_axes,
    finish_layout,
    grid_points,
    hyperplane_segment,
)

PICK_COLOR = "#c0392b"
NORMAL_COLOR = "#8e44ad"
VOLUME_SCALE = [[0.0, "#2166ac"], [0.5, "#f7f7f7"], [1.0, "#b2182b"]]


def _box(X: np.ndarray):
    return bounding_box(X, 0.15, square=True)


def pair_figure(data: Dataset, picks, h: np.ndarray, third: int | None = None,
                height: int = 480) -> go.Figure:
    """2-D data: the line {x : h1 x1 + h2 x2 + h3 = 0} through the picked points, its normal
    (h1, h2) as an arrow, and every point coloured by x~^T h (the signed volume)."""
    X = data.X
    Xt = lift(X)
    h = np.asarray(h, dtype=float)
    vol = Xt @ h
    box = _box(X)
    fig = go.Figure()
    seg = hyperplane_segment(h[:2], h[2], box)
    if seg is not None:
        fig.add_trace(go.Scatter(x=seg[0], y=seg[1], mode="lines", line=dict(color=PICK_COLOR, width=3),
                                 name="line through the two points", hoverinfo="skip"))
    c = float(np.abs(vol).max()) or 1.0
    fig.add_trace(go.Scatter(
        x=X[:, 0], y=X[:, 1], mode="markers", name="points, coloured by x̃ᵀh",
        marker=dict(size=9, color=vol, colorscale=VOLUME_SCALE, cmin=-c, cmax=c,
                    line=dict(width=1, color="#555555"),
                    colorbar=dict(title="x̃ᵀh", len=0.7, thickness=12)),
        customdata=np.column_stack([np.arange(len(X)), vol]),
        hovertemplate="point %{customdata[0]}<br>x̃ᵀh = det[x̃; x̃ᵢ; x̃ⱼ] = %{customdata[1]:.4f}"
                      "<extra></extra>",
    ))
    picks = list(picks)
    fig.add_trace(go.Scatter(x=X[picks, 0], y=X[picks, 1], mode="markers", name="picked points",
                             marker=dict(size=16, color="rgba(0,0,0,0)",
                                         line=dict(width=3, color=PICK_COLOR)), hoverinfo="skip"))
    # labels on a white ground (annotations, not scatter text): legible over the other points
    label = dict(showarrow=False, xref="x", yref="y", bgcolor="rgba(255,255,255,0.85)", borderpad=1)
    for p in picks:
        fig.add_annotation(x=X[p, 0], y=X[p, 1], text=f"x{p}", yshift=17,
                           font=dict(color=PICK_COLOR, size=13), **label)
    if third is not None:
        fig.add_trace(go.Scatter(x=[X[third, 0]], y=[X[third, 1]], mode="markers", name="third point x",
                                 marker=dict(size=16, symbol="square-open", color=NORMAL_COLOR,
                                             line=dict(width=3)), hoverinfo="skip"))
        fig.add_annotation(x=X[third, 0], y=X[third, 1], text=f"x = x{third}", yshift=-18,
                           font=dict(color=NORMAL_COLOR, size=13), **label)
    n2 = float(np.linalg.norm(h[:2]))
    if n2 > 1e-12:
        mid = X[picks].mean(axis=0)
        tip = mid + 0.18 * (box[1] - box[0]) * h[:2] / n2
        fig.add_annotation(x=tip[0], y=tip[1], ax=mid[0], ay=mid[1], xref="x", yref="y", axref="x",
                           ayref="y", showarrow=True, arrowhead=3, arrowwidth=2.5,
                           arrowcolor=NORMAL_COLOR, text="")
        fig.add_annotation(x=tip[0], y=tip[1], text="(h₁, h₂)", showarrow=False, yshift=10,
                           font=dict(color=NORMAL_COLOR), bgcolor="rgba(255,255,255,0.85)")
    equal_axes(fig, box)
    return finish_layout(fig, None, height)


def lifted_figure(X: np.ndarray, picks, h: np.ndarray, height: int = 480) -> go.Figure:
    """The lifted points x~ = (x, 1) in R^3, the plane through the origin spanned by the picked
    x~_i, x~_j, its normal h = x~_i x x~_j, and the line where it meets the data plane x3 = 1."""
    X = np.asarray(X, dtype=float)
    Xt = lift(X)
    h = np.asarray(h, dtype=float)
    a, b = Xt[picks[0]], Xt[picks[1]]
    fig = go.Figure()
    box = _box(X)
    # the data plane x3 = 1
    fig.add_trace(go.Surface(x=[[box[0], box[1]], [box[0], box[1]]], y=[[box[2], box[2]], [box[3], box[3]]],
                             z=[[1, 1], [1, 1]], showscale=False, opacity=0.18,
                             colorscale=[[0, "#7f8c8d"], [1, "#7f8c8d"]], hoverinfo="skip",
                             name="data plane x₃ = 1"))
    # the plane spanned by the two lifted points
    s = np.linspace(-1.3, 1.3, 2)
    S, T = np.meshgrid(s, s)
    Pl = S[..., None] * a + T[..., None] * b
    fig.add_trace(go.Surface(x=Pl[..., 0], y=Pl[..., 1], z=Pl[..., 2], showscale=False, opacity=0.35,
                             colorscale=[[0, PICK_COLOR], [1, PICK_COLOR]], hoverinfo="skip",
                             name="plane span(x̃ᵢ, x̃ⱼ)"))
    fig.add_trace(go.Scatter3d(x=Xt[:, 0], y=Xt[:, 1], z=Xt[:, 2], mode="markers",
                               name="lifted points (x, 1)", marker=dict(size=3, color="#555555"),
                               hoverinfo="skip"))
    for p, name in ((a, "x̃ᵢ"), (b, "x̃ⱼ")):
        fig.add_trace(go.Scatter3d(x=[0, p[0]], y=[0, p[1]], z=[0, p[2]], mode="lines+markers+text",
                                   line=dict(color=PICK_COLOR, width=6), marker=dict(size=[2, 6]),
                                   text=["", name], showlegend=False, hoverinfo="skip"))
    hn = h / max(np.linalg.norm(h), 1e-12)
    fig.add_trace(go.Scatter3d(x=[0, hn[0]], y=[0, hn[1]], z=[0, hn[2]], mode="lines+text",
                               line=dict(color=NORMAL_COLOR, width=8), text=["", "h = x̃ᵢ × x̃ⱼ"],
                               name="normal h", hoverinfo="skip"))
    seg = hyperplane_segment(h[:2], h[2], box)
    if seg is not None:
        fig.add_trace(go.Scatter3d(x=seg[0], y=seg[1], z=[1, 1], mode="lines",
                                   line=dict(color="#111111", width=5), name="plane ∩ data plane = the line"))
    axis = dict(showbackground=False, zeroline=True, nticks=4)  # fewer labels: they crowded the corners
    fig.update_layout(scene=dict(xaxis={**axis, "title": "x₁"}, yaxis={**axis, "title": "x₂"},
                                 zaxis={**axis, "title": "x₃ (bias)"}, aspectmode="cube",
                                 # below the legend, and far enough that no axis title is cut off
                                 domain=dict(y=[0.0, 0.88]), camera=dict(eye=dict(x=1.75, y=-1.65, z=1.0))),
                      height=height, margin=dict(l=0, r=0, t=10, b=0),
                      legend=dict(orientation="h", yanchor="top", y=1.0, x=0.0, font=dict(size=12)))
    return fig


def kappa_figure(data: Dataset, g: np.ndarray, resolution: int = 90, height: int = 440) -> go.Figure:
    """kappa(x) = (x~^T g)_+ over the data's box (g scaled as in the Lasso), the line, the data."""
    box = _box(data.X)
    xs, ys, G = grid_points(box, resolution)
    g = np.asarray(g, dtype=float)
    K = np.maximum(G @ g[:2] + g[2], 0.0).reshape(resolution, resolution)
    fig = go.Figure(go.Heatmap(x=compact(xs), y=compact(ys), z=compact(K), colorscale="Oranges",
                               showscale=True, name="κ(x)",
                               colorbar=dict(title="κ(x)", len=0.7, thickness=12),
                               hovertemplate="x1=%{x:.2f}<br>x2=%{y:.2f}<br>κ=%{z:.3f}<extra></extra>"))
    seg = hyperplane_segment(g[:2], g[2], box)
    if seg is not None:
        fig.add_trace(go.Scatter(x=seg[0], y=seg[1], mode="lines", line=dict(color=PICK_COLOR, width=2.5),
                                 name="κ = 0 on the line", hoverinfo="skip"))
    marker = dict(size=8, line=dict(width=1, color="white"))
    if data.task == "classification":
        marker.update(color=data.y, colorscale=CLASS_SCALE, cmin=-1, cmax=1)
    else:
        marker.update(color="#333333")
    fig.add_trace(go.Scatter(x=data.X[:, 0], y=data.X[:, 1], mode="markers", marker=marker, name="data",
                             hoverinfo="skip"))
    equal_axes(fig, box)
    return finish_layout(fig, None, height)


def ramp_figure(Xt: np.ndarray, g: np.ndarray, labels: np.ndarray | None = None,
                height: int = 300, xlabel: str = "signed distance to the line") -> go.Figure:
    """kappa against the signed distance s = x~^T g / ||g_w||: a ReLU ramp of slope ||g_w||."""
    g = np.asarray(g, dtype=float)
    w = float(np.linalg.norm(g[:-1])) or 1.0
    s = Xt @ g / w
    lo, hi = float(min(s.min(), 0) * 1.1 - 0.05), float(max(s.max(), 0) * 1.1 + 0.05)
    grid = np.linspace(lo, hi, 200)
    fig = go.Figure(go.Scatter(x=grid, y=np.maximum(w * grid, 0), mode="lines", name="κ = ‖w‖ (s)₊",
                               line=dict(color=PICK_COLOR, width=2.5), hoverinfo="skip"))
    colour = "#333333" if labels is None else np.where(np.asarray(labels) > 0, "#f59322", "#0877bd")
    fig.add_trace(go.Scatter(x=s, y=np.maximum(Xt @ g, 0), mode="markers", name="data points",
                             marker=dict(size=8, color=colour, line=dict(width=1, color="white")),
                             hovertemplate="s=%{x:.3f}<br>κ=%{y:.3f}<extra></extra>"))
    fig.update_xaxes(title_text=xlabel, zeroline=True, zerolinecolor="#999999", showgrid=False)
    fig.update_yaxes(title_text="κ", showgrid=True, gridcolor="#eeeeee")
    fig = finish_layout(fig, None, height)
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0.0))
    return fig


def plane_figure(P: np.ndarray, picks, h: np.ndarray, height: int = 460) -> go.Figure:
    """Points in R^3, the plane {x : h[:3]^T x + h[3] = 0} through the three picked points (h is
    the generalized cross product of their lifted vectors in R^4) and its normal."""
    P = np.asarray(P, dtype=float)
    h = np.asarray(h, dtype=float)
    w, b = h[:3], h[3]
    vol = P @ w + b
    c = float(np.abs(vol).max()) or 1.0
    fig = go.Figure()
    T = P[list(picks)]
    centre = T.mean(axis=0)
    u = T[1] - T[0]
    u /= np.linalg.norm(u)
    v = np.cross(w / np.linalg.norm(w), u)
    r = 1.2 * float(np.max(np.linalg.norm(P - centre, axis=1)))
    s = np.linspace(-r, r, 2)
    S, Tt = np.meshgrid(s, s)
    Pl = centre + S[..., None] * u + Tt[..., None] * v
    fig.add_trace(go.Surface(x=Pl[..., 0], y=Pl[..., 1], z=Pl[..., 2], showscale=False, opacity=0.35,
                             colorscale=[[0, PICK_COLOR], [1, PICK_COLOR]], hoverinfo="skip",
                             name="plane through the three points"))
    fig.add_trace(go.Scatter3d(
        x=P[:, 0], y=P[:, 1], z=P[:, 2], mode="markers", name="points, coloured by x̃ᵀh",
        marker=dict(size=5, color=vol, colorscale=VOLUME_SCALE, cmin=-c, cmax=c, line=dict(width=0)),
        customdata=np.column_stack([np.arange(len(P)), vol]),
        hovertemplate="point %{customdata[0]}: x̃ᵀh = %{customdata[1]:.3f}<extra></extra>"))
    fig.add_trace(go.Scatter3d(x=T[:, 0], y=T[:, 1], z=T[:, 2], mode="markers+text", name="picked",
                               marker=dict(size=8, color=PICK_COLOR), text=[f"x{p}" for p in picks],
                               hoverinfo="skip"))
    tip = centre + 0.6 * r * w / np.linalg.norm(w)
    fig.add_trace(go.Scatter3d(x=[centre[0], tip[0]], y=[centre[1], tip[1]], z=[centre[2], tip[2]],
                               mode="lines+text", line=dict(color=NORMAL_COLOR, width=8),
                               text=["", "normal (h₁, h₂, h₃)"], name="normal", hoverinfo="skip"))
    fig.update_layout(scene=dict(aspectmode="cube", xaxis_title="x₁", yaxis_title="x₂", zaxis_title="x₃"),
                      height=height, margin=dict(l=0, r=0, t=10, b=0),
                      legend=dict(orientation="h", yanchor="top", y=1.0, x=0.0, font=dict(size=12)))
    return fig


__all__ = ["kappa_figure", "lifted_figure", "pair_figure", "plane_figure", "ramp_figure"]
