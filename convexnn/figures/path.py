"""The Lasso path of networks as one animated figure (pure plotly).

:func:`path_figure` draws a :class:`convexnn.theory.optima.NetworkPath`: on the left the minimal network
at the current beta (decision boundary with the zero contour, regression surface, or the 1-D
curve with its kinks) and its neurons; on the right, against beta on a log axis (decreasing to
the right, the direction of the animation), the norm of every block, the number of neurons,
the training loss and the accuracy (or RMSE). Plotly frames move the left panel and a marker
at the current beta in every right panel together; Play/Pause buttons and a slider over beta
drive them in the browser, without a round trip to the server.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..data.datasets import CLASSIFICATION, Dataset
from .core import (
    CLASS_SCALE,
    NEGATIVE,
    NEURON_COLORS,
    POSITIVE,
    REGRESSION_SCALE,
    bounding_box,
    compact,
    data_traces,
    evaluate,
    grid_points,
    hyperplane_segment,
    kinks,
    neuron_hyperplanes,
)

MARKER = "#c0392b"
FRAME_MS = 350


def _lines(model, box, sign: int) -> tuple[list, list]:
    """The hyperplanes of the neurons with sign(w2) = ``sign``, as one None-separated polyline."""
    W, b, s = neuron_hyperplanes(model)
    xs, ys = [], []
    for j in np.flatnonzero(s == sign):
        seg = hyperplane_segment(W[:, j], b[j], box)
        if seg is not None:
            xs += [seg[0][0], seg[0][1], None]
            ys += [seg[1][0], seg[1][1], None]
    return xs, ys


def _label(path, k: int) -> str:
    text = f"β = {path.betas[k]:.3g} · {int(path.n_neurons[k])} neuron{'s' if path.n_neurons[k] != 1 else ''}"
    if path.accuracy is not None:
        text += f" · accuracy {path.accuracy[k]:.0%}"
    else:
        text += f" · RMSE {path.rmse[k]:.3g}"
    return text


class _Animated:
    """A subplot figure whose traces may change per frame: ``add`` records the per-frame copies."""

    def __init__(self, fig: go.Figure, n_frames: int):
        self.fig = fig
        self.frames_data: list[list] = [[] for _ in range(n_frames)]
        self.dynamic: list[int] = []

    def add(self, trace, row, col, per_frame=None) -> None:
        self.fig.add_trace(trace, row=row, col=col)
        if per_frame is not None:
            self.dynamic.append(len(self.fig.data) - 1)
            for k, frame in enumerate(self.frames_data):
                frame.append(per_frame(k))


def _network_2d(anim: _Animated, path, data: Dataset, resolution: int, start: int) -> tuple[float, float]:
    """The left panel for 2-D data: f(x) (heat map, boundary) and the neurons' lines at each beta."""
    fig, add = anim.fig, anim.add
    box = bounding_box(data.X, 0.15, square=True)
    xs, ys, G = grid_points(box, resolution)
    fields = [compact(evaluate(m, G).reshape(resolution, resolution)) for m in path.models]
    xs, ys = compact(xs), compact(ys)
    if data.task == CLASSIFICATION:
        scales = [max(float(np.quantile(np.abs(Z), 0.95)), 1e-12) if np.abs(Z).max() > 1e-12 else 1.0
                  for Z in fields]
        heat = lambda k: go.Heatmap(z=fields[k], zmin=-scales[k], zmax=scales[k])  # noqa: E731
        add(go.Heatmap(x=xs, y=ys, z=fields[start], zmin=-scales[start], zmax=scales[start],
                       colorscale=CLASS_SCALE, opacity=0.55, showscale=False, name="f(x)",
                       hovertemplate="x1=%{x:.2f}<br>x2=%{y:.2f}<br>f=%{z:.3f}<extra></extra>"),
            1, 1, heat)

        def boundary(k):  # no sign change: a constant field draws no contour
            Z = fields[k]
            return go.Contour(z=Z if Z.min() < 0 < Z.max() else np.ones_like(Z))

        add(go.Contour(x=xs, y=ys, z=boundary(start).z, name="decision boundary", showscale=False,
                       showlegend=True, contours=dict(start=0.0, end=0.0, size=1.0, coloring="lines"),
                       line=dict(width=2.5, color="black"), colorscale=[[0, "black"], [1, "black"]],
                       hoverinfo="skip"), 1, 1, boundary)
    else:
        lo, hi = float(data.y.min()), float(data.y.max())
        hi = hi if hi > lo else lo + 1.0
        add(go.Heatmap(x=xs, y=ys, z=fields[start], zmin=lo, zmax=hi, colorscale=REGRESSION_SCALE,
                       opacity=0.7, showscale=False, name="f(x)",
                       hovertemplate="x1=%{x:.2f}<br>x2=%{y:.2f}<br>f=%{z:.3f}<extra></extra>"),
            1, 1, lambda k: go.Heatmap(z=fields[k]))
    for s, text in ((1, "neuron, w2 > 0"), (-1, "neuron, w2 < 0")):
        def lines(k, s=s):
            lx, ly = _lines(path.models[k], box, s)
            return go.Scatter(x=lx, y=ly)

        add(go.Scatter(x=lines(start).x, y=lines(start).y, mode="lines", name=text,
                       line=dict(color=NEURON_COLORS[s], width=1.3, dash="dot"), hoverinfo="skip",
                       connectgaps=False), 1, 1, lines)
    for t in data_traces(data):
        if t.marker is not None and t.marker.showscale:
            t.marker.showscale = False  # a colour bar would squeeze the right panels
        fig.add_trace(t, row=1, col=1)
    fig.update_xaxes(range=[box[0], box[1]], constrain="domain", title_text="x1", showgrid=False,
                     zeroline=False, row=1, col=1)
    fig.update_yaxes(range=[box[2], box[3]], scaleanchor="x", scaleratio=1, constrain="domain",
                     title_text="x2", showgrid=False, zeroline=False, row=1, col=1)
    return box[0] + 0.02 * (box[1] - box[0]), box[3] - 0.03 * (box[3] - box[2])


def _network_1d(anim: _Animated, path, data: Dataset, start: int) -> tuple[float, float]:
    """The left panel for 1-D data: the curve f(x) and its kinks (one per neuron) at each beta."""
    fig, add = anim.fig, anim.add
    x = data.X[:, 0]
    span = float(max(np.ptp(x), 1e-9))
    lo, hi = float(x.min() - 0.1 * span), float(x.max() + 0.1 * span)
    grid = np.linspace(lo, hi, 300)
    curves, knots = [], []
    for m in path.models:
        W, b, signs = neuron_hyperplanes(m)
        Kk = kinks(W, b, lo, hi)
        g = np.unique(np.concatenate([grid, Kk[:, 1]]))
        curves.append((g, evaluate(m, g[:, None])))
        s = signs[Kk[:, 0].astype(int)]
        knots.append((Kk[:, 1], evaluate(m, Kk[:, 1:2]) if len(Kk) else np.zeros(0),
                      [NEURON_COLORS[int(v)] for v in s]))
    add(go.Scatter(x=curves[start][0], y=curves[start][1], mode="lines", name="network f(x)",
                   line=dict(color="#222222", width=2.5),
                   hovertemplate="x=%{x:.3f}<br>f=%{y:.3f}<extra></extra>"),
        1, 1, lambda k: go.Scatter(x=curves[k][0], y=curves[k][1]))
    add(go.Scatter(x=knots[start][0], y=knots[start][1], mode="markers", name="kinks (neurons)",
                   marker=dict(symbol="diamond", size=11, color=knots[start][2],
                               line=dict(width=1, color="white")),
                   hovertemplate="kink at x=%{x:.3f}<extra></extra>"),
        1, 1, lambda k: go.Scatter(x=knots[k][0], y=knots[k][1], marker=dict(color=knots[k][2])))
    for t in data_traces(data):
        fig.add_trace(t, row=1, col=1)
    ally = np.concatenate([data.y] + [c[1] for c in curves])
    ypad = 0.08 * float(max(np.ptp(ally), 1e-9))
    ylo, yhi = float(ally.min() - ypad), float(ally.max() + 3 * ypad)
    fig.update_xaxes(range=[lo, hi], title_text="x", showgrid=True, gridcolor="#eeeeee", row=1, col=1)
    fig.update_yaxes(range=[ylo, yhi], title_text="y", showgrid=True, gridcolor="#eeeeee", row=1, col=1)
    return lo + 0.02 * (hi - lo), yhi - ypad


def _path_panels(anim: _Animated, path, classification: bool, start: int) -> None:
    """The right panels against beta (block norms, neurons, loss, accuracy or RMSE), each with a
    marker at the current beta."""
    fig, add = anim.fig, anim.add
    betas = path.betas
    K = len(betas)

    def marker_line(row, y0, y1):
        add(go.Scatter(x=[betas[start]] * 2, y=[y0, y1], mode="lines", line=dict(color=MARKER, width=2),
                       hoverinfo="skip", showlegend=False), row, 2,
            lambda k: go.Scatter(x=[betas[k]] * 2))

    def dot(row, values):
        add(go.Scatter(x=[betas[start]], y=[values[start]], mode="markers", hoverinfo="skip",
                       marker=dict(color=MARKER, size=9), showlegend=False), row, 2,
            lambda k: go.Scatter(x=[betas[k]], y=[values[k]]))

    # block norms
    nmax = float(path.norms.max(initial=0.0)) or 1.0
    for sgn, color, name in ((1, POSITIVE, "u"), (-1, NEGATIVE, "u′")):
        cols = [b for b, (_, s) in enumerate(path.blocks) if (s == 0) == (sgn > 0)]
        if not cols:
            continue
        gap = np.full(1, None, dtype=object)
        xs = np.concatenate([np.concatenate([betas, gap]) for _ in cols])
        ys = np.concatenate([np.concatenate([path.norms[:, b], gap]) for b in cols])
        ids = np.concatenate([np.full(K + 1, path.blocks[b, 0]) for b in cols])
        fig.add_trace(go.Scatter(x=xs, y=ys, customdata=ids, mode="lines", showlegend=False,
                                 line=dict(color=color, width=1.4), connectgaps=False,
                                 hovertemplate=f"pattern %{{customdata}}, {name}<br>β=%{{x:.3g}}"
                                               "<br>‖u‖=%{y:.4f}<extra></extra>"), row=1, col=2)
    marker_line(1, 0.0, nmax * 1.08)
    fig.update_yaxes(range=[0, nmax * 1.08], row=1, col=2)
    # neurons
    top = max(int(path.n_solver_blocks.max(initial=0)), int(path.n_neurons.max(initial=0)), 1)
    fig.add_trace(go.Scatter(x=betas, y=path.n_solver_blocks, mode="lines",
                             line=dict(color="#9aa5b1", dash="dot"), name="solver's active blocks",
                             showlegend=False,
                             hovertemplate="β=%{x:.3g}<br>%{y} blocks (solver)<extra></extra>"), row=2, col=2)
    fig.add_trace(go.Scatter(x=betas, y=path.n_neurons, mode="lines+markers", line=dict(color="#222222"),
                             marker=dict(size=4), name="neurons (minimal network)", showlegend=False,
                             hovertemplate="β=%{x:.3g}<br>%{y} neurons<extra></extra>"), row=2, col=2)
    marker_line(2, 0, top * 1.1)
    dot(2, path.n_neurons)
    fig.update_yaxes(range=[0, top * 1.1], row=2, col=2)
    # loss
    lv = np.maximum(path.losses, 1e-12)
    fig.add_trace(go.Scatter(x=betas, y=lv, mode="lines", line=dict(color="#222222"), showlegend=False,
                             hovertemplate="β=%{x:.3g}<br>loss %{y:.4g}<extra></extra>"), row=3, col=2)
    lo_l, hi_l = float(lv.min()) / 1.5, float(lv.max()) * 1.5
    marker_line(3, lo_l, hi_l)
    dot(3, lv)
    fig.update_yaxes(type="log", range=[np.log10(lo_l), np.log10(hi_l)], dtick=1, exponentformat="power",
                     row=3, col=2)
    # accuracy or RMSE
    quality = path.accuracy if classification else path.rmse
    fig.add_trace(go.Scatter(x=betas, y=quality, mode="lines", line=dict(color="#222222"), showlegend=False,
                             hovertemplate="β=%{x:.3g}<br>%{y:.3f}<extra></extra>"), row=4, col=2)
    if classification:
        q0, q1 = max(0.0, float(quality.min()) - 0.05), 1.02
    else:
        q0, q1 = 0.0, float(quality.max()) * 1.1 or 1.0
    marker_line(4, q0, q1)
    dot(4, quality)
    fig.update_yaxes(range=[q0, q1], tickformat=".0%" if classification else None, row=4, col=2)
    rows = 4
    bx = [float(betas.min()) / 1.25, float(betas.max()) * 1.25]
    for row in range(1, rows + 1):
        fig.update_xaxes(type="log", range=[np.log10(bx[1]), np.log10(bx[0])], showgrid=True, dtick=1,
                         gridcolor="#eeeeee", row=row, col=2, showticklabels=row == rows,
                         title_text="β (log scale, decreasing →)" if row == rows else None)
        fig.update_yaxes(showgrid=True, gridcolor="#eeeeee", row=row, col=2)
    # the right panels share beta: zooming one zooms all
    for row in range(2, rows + 1):
        fig.update_xaxes(matches="x2", row=row, col=2)


def _animate(anim: _Animated, betas: np.ndarray, height: int, frame_ms: int, start: int) -> None:
    """Frames, play/pause buttons and the beta slider."""
    fig = anim.fig
    K = len(betas)
    names = [f"{b:.4g}" for b in betas]
    fig.frames = [go.Frame(data=anim.frames_data[k], traces=anim.dynamic, name=names[k]) for k in range(K)]
    play = dict(label="▶ Play", method="animate",
                args=[None, {"frame": {"duration": frame_ms, "redraw": True}, "fromcurrent": True,
                             "transition": {"duration": 0}, "mode": "immediate"}])
    pause = dict(label="❚❚ Pause", method="animate",
                 args=[[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
                                "transition": {"duration": 0}}])
    fig.update_layout(
        height=height,
        # the legend sits in the top margin, above the right panels' titles (it used to touch them)
        margin=dict(l=50, r=20, t=75, b=135),
        plot_bgcolor="white",
        hovermode="closest",
        legend=dict(orientation="h", yanchor="top", y=0.99, xanchor="left", x=0.0, font=dict(size=12),
                    yref="container"),
        updatemenus=[dict(type="buttons", direction="left", buttons=[play, pause], showactive=False,
                          x=0.0, y=-0.07, xanchor="left", yanchor="top", pad=dict(t=50, r=10))],
        sliders=[dict(
            active=start, x=0.24, y=-0.07, len=0.76, xanchor="left", yanchor="top", pad=dict(t=30, b=0),
            currentvalue=dict(prefix="β = ", visible=True, xanchor="left", font=dict(size=13)),
            ticklen=3, font=dict(size=12),
            steps=[dict(label=names[k], method="animate",
                        args=[[names[k]], {"frame": {"duration": 0, "redraw": True}, "mode": "immediate",
                                           "transition": {"duration": 0}}]) for k in range(K)],
        )],
    )
    fig.update_annotations(font_size=12)


def path_figure(path, data: Dataset, resolution: int = 60, height: int = 610,
                frame_ms: int = FRAME_MS, start: int = 0) -> go.Figure:
    """One animated figure of the path (see the module docstring); frame k is ``path.betas[k]``."""
    classification = data.task == CLASSIFICATION
    panels = ["block norms ‖u_i‖ (orange u, blue u′)", "neurons (black: minimal network, grey: solver)",
              "training loss", "training accuracy" if classification else "training RMSE"]
    rows = len(panels)
    fig = make_subplots(
        rows=rows, cols=2, column_widths=[0.56, 0.44], horizontal_spacing=0.09, vertical_spacing=0.06,
        specs=[[{"rowspan": rows}, {}]] + [[None, {}] for _ in range(rows - 1)],
        subplot_titles=("", *panels),
    )
    anim = _Animated(fig, len(path.betas))
    if data.dim == 2:
        label_xy = _network_2d(anim, path, data, resolution, start)
    else:
        label_xy = _network_1d(anim, path, data, start)
    anim.add(go.Scatter(x=[label_xy[0]], y=[label_xy[1]], mode="text", text=[_label(path, start)],
                        textposition="middle right", textfont=dict(size=14, color="#111111"),
                        showlegend=False, hoverinfo="skip"),
             1, 1, lambda k: go.Scatter(text=[_label(path, k)]))
    _path_panels(anim, path, classification, start)
    _animate(anim, path.betas, height, frame_ms, start)
    return fig


__all__ = ["path_figure"]
