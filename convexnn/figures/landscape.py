"""Figures of the nonconvex landscape: restarts vs p*, slices, trajectories, AdamW vs convex.

Pure builders (no solving, no streamlit): they take the numbers :mod:`convexnn.theory.stationary` and
:mod:`convexnn.training.train` compute and return plotly figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..data.datasets import Dataset
from .core import (
    CLASS_SCALE,
    NEGATIVE,
    POSITIVE,
    bounding_box,
    compact,
    data_traces,
    evaluate,
    finish_layout,
    grid_points,
    hyperplane_segment,
    log_ticks,
)

OPTIMAL = "#1b9e77"
SPURIOUS = "#d95f02"
P_STAR = "#333333"
METHOD_COLORS = ["#d95f02", "#e7298a", "#a6761d", "#1b9e77", "#7570b3", "#66a61e", "#e6ab02"]


def method_color(k: int) -> str:
    return METHOD_COLORS[k % len(METHOD_COLORS)]


# --------------------------------------------------------------------------------------------
# Restarts: L and p_I of every run against p*
# --------------------------------------------------------------------------------------------


def restarts_figure(labels: Sequence[str], L: Sequence[float], p_I: Sequence[float], p_star: float,
                    optimal: Sequence[bool] | None = None, selected: int | None = None,
                    height: int = 420, log: bool = False) -> go.Figure:
    """One column per run (sorted by L, ticks = ``labels``): L (circle) and p_I (cross) vs p*.

    ``optimal[k]`` colours run k green (global optimum) or orange (spurious stationary point);
    ``selected`` (an index into the runs) is ringed.
    """
    labels, L, p_I = [str(v) for v in labels], np.asarray(L, dtype=float), np.asarray(p_I, dtype=float)
    optimal = np.zeros(len(L), bool) if optimal is None else np.asarray(optimal, bool)
    order = np.argsort(L, kind="stable")
    x = np.arange(1, len(L) + 1)
    colors = np.where(optimal[order], OPTIMAL, SPURIOUS)
    gap = (L - p_I) / np.maximum(np.abs(p_I), 1e-300)
    custom = [[labels[k], L[k], p_I[k], gap[k], L[k] / p_star - 1] for k in order]
    fig = go.Figure()
    fig.add_hline(y=p_star, line=dict(color=P_STAR, width=2, dash="dash"),
                  annotation_text=f"p* = {p_star:.6g} (global optimum)", annotation_position="top right")
    fig.add_trace(go.Scatter(
        x=x - 0.12, y=L[order], mode="markers", name="L, final training objective (colour: verdict)",
        marker=dict(size=13, color=colors, line=dict(color="white", width=1)), customdata=custom,
        hovertemplate=("%{customdata[0]}<br>L = %{customdata[1]:.6g}<br>"
                       "p_I = %{customdata[2]:.6g}<br>(L − p_I)/p_I = %{customdata[3]:.1e}<br>"
                       "L/p* − 1 = %{customdata[4]:.2%}<extra></extra>"),
    ))
    fig.add_trace(go.Scatter(
        x=x + 0.12, y=p_I[order], mode="markers", name="p_I, convex program on the run's patterns",
        marker=dict(size=11, symbol="x-thin", color="black", line=dict(width=2, color="black")),
        customdata=custom, hovertemplate="%{customdata[0]}: p_I = %{y:.6g}<extra></extra>",
    ))
    if selected is not None and 0 <= selected < len(L):
        pos = int(np.flatnonzero(order == selected)[0])
        fig.add_trace(go.Scatter(
            x=[x[pos]], y=[L[selected]], mode="markers", name="selected run", hoverinfo="skip",
            marker=dict(size=24, color="rgba(0,0,0,0)", line=dict(color="black", width=2)),
        ))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name="global optimum (L = p*)",
                             marker=dict(size=12, color=OPTIMAL)))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name="spurious (L > p*)",
                             marker=dict(size=12, color=SPURIOUS)))
    fig.update_xaxes(title_text="runs, sorted by final objective", tickmode="array", tickvals=x,
                     ticktext=[labels[k].replace("seed ", "") for k in order], showgrid=False)
    top = float(np.nanmax(np.concatenate([L, p_I, [p_star]])))
    bottom = float(np.nanmin(np.concatenate([L, p_I, [p_star]])))
    if log:
        lo, hi = np.log10(max(bottom, 1e-300)), np.log10(max(top, 1e-300))
        pad = 0.08 * max(hi - lo, 0.1)
        yrange = [lo - pad, hi + pad]
    else:
        pad = 0.08 * max(top - bottom, 1e-3 * max(abs(top), 1e-12))
        yrange = [bottom - pad, top + pad]
    fig.update_yaxes(title_text="objective", type="log" if log else "linear", gridcolor="#eee", range=yrange,
                     **(log_ticks(L, p_I, [p_star]) if log else {}))
    finish_layout(fig, None, height)
    fig.update_layout(legend=dict(y=-0.25))
    return fig


# --------------------------------------------------------------------------------------------
# Two networks side by side, and the patterns one lacks
# --------------------------------------------------------------------------------------------


def missing_neuron_traces(W: np.ndarray, b: np.ndarray, box) -> list[go.Scatter]:
    """Thick dashed red lines: the optimum's neurons whose pattern the run does not realise."""
    xs, ys = [], []
    for j in range(W.shape[1]):
        seg = hyperplane_segment(W[:, j], b[j], box)
        if seg is not None:
            xs += [*seg[0], None]
            ys += [*seg[1], None]
    if not xs:
        return []
    return [go.Scatter(x=xs, y=ys, mode="lines", name="pattern the run lacks", hoverinfo="skip",
                       line=dict(color="#e41a1c", width=3, dash="dash"))]


# --------------------------------------------------------------------------------------------
# Slices of the landscape
# --------------------------------------------------------------------------------------------


def segment_figure(ts: np.ndarray, L: np.ndarray, p_star: float | None = None,
                   labels: tuple[str, str] = ("stationary point", "global optimum"),
                   height: int = 360) -> go.Figure:
    """L((1 − t) θ_run + t θ*) for t in [0, 1], endpoints marked."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=ts, y=L, mode="lines", name="L on the segment",
                             line=dict(color="#444", width=2.5),
                             hovertemplate="t = %{x:.2f}<br>L = %{y:.6g}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[ts[0]], y=[L[0]], mode="markers", name=labels[0],
                             marker=dict(size=14, color=SPURIOUS, symbol="circle")))
    fig.add_trace(go.Scatter(x=[ts[-1]], y=[L[-1]], mode="markers", name=labels[1],
                             marker=dict(size=16, color=OPTIMAL, symbol="star")))
    if p_star is not None:
        fig.add_hline(y=p_star, line=dict(color=P_STAR, width=1, dash="dash"),
                      annotation_text="p*", annotation_position="bottom right")
    fig.update_xaxes(title_text="t (0: stopped, 1: optimum)", gridcolor="#eee")
    fig.update_yaxes(title_text="objective L", gridcolor="#eee")
    return finish_layout(fig, None, height)


def plane_figure(s: np.ndarray, t: np.ndarray, L: np.ndarray, points: Mapping[str, tuple[float, float]],
                 trajectory: np.ndarray | None = None, trajectory_labels: Sequence[str] | None = None,
                 height: int = 560, clip_quantile: float = 0.75) -> go.Figure:
    """Contours of L over the plane, the named points, and the projected trajectory, animated.

    ``L[i, j]`` is the objective at (s[j], t[i]). Colours use log10(L − min L + 1e-3·range),
    clipped at ``clip_quantile`` of the grid so the basins stay visible. ``points`` maps a name
    to (s, t) ("stationary point", "global optimum", ...). ``trajectory`` (k, 2) is drawn as a
    line; frames move a marker along it (Play / Pause and a slider labelled by
    ``trajectory_labels``).
    """
    L = np.asarray(L, dtype=float)
    lo = float(np.min(L))
    span = max(float(np.max(L)) - lo, 1e-12)
    Z = np.log10(L - lo + 1e-3 * span)
    zmax = float(np.quantile(Z, clip_quantile))
    fig = go.Figure()
    fig.add_trace(go.Contour(
        x=compact(s), y=compact(t), z=compact(np.minimum(Z, zmax)), customdata=compact(L),
        colorscale="Viridis", ncontours=30,
        name="L", showscale=True, colorbar=dict(title="log₁₀(L − min L)", thickness=12, len=0.8),
        contours=dict(coloring="heatmap", showlines=True),
        line=dict(width=0.5, color="rgba(255,255,255,0.4)"),
        hovertemplate="s = %{x:.2f}, t = %{y:.2f}<br>L = %{customdata:.6g}<extra></extra>",
    ))
    styles = {"stationary point": (SPURIOUS, "circle", 15), "global optimum": (OPTIMAL, "star", 20)}
    for name, (ps, pt) in points.items():
        color, symbol, size = styles.get(name, ("white", "diamond", 13))
        fig.add_trace(go.Scatter(x=[ps], y=[pt], mode="markers+text", name=name, text=[name],
                                 textposition="top center", textfont=dict(color="white", size=13),
                                 marker=dict(size=size, color=color, symbol=symbol,
                                             line=dict(color="black", width=1.5)),
                                 hovertemplate=f"{name}<extra></extra>"))
    frames, steps = [], []
    if trajectory is not None and len(trajectory):
        T = np.asarray(trajectory, dtype=float)
        labels = list(trajectory_labels) if trajectory_labels is not None else [str(k) for k in range(len(T))]
        fig.add_trace(go.Scatter(x=T[:, 0], y=T[:, 1], mode="lines+markers", name="training trajectory",
                                 line=dict(color="white", width=2),
                                 marker=dict(size=6, color="white", line=dict(color="black", width=1)),
                                 hovertemplate="%{text}<extra></extra>", text=labels))
        fig.add_trace(go.Scatter(x=[T[0, 0]], y=[T[0, 1]], mode="markers", name="training, now",
                                 marker=dict(size=14, color="#e41a1c", line=dict(color="white", width=2)),
                                 hoverinfo="skip"))
        moving = len(fig.data) - 1
        for k, lab in enumerate(labels):
            frames.append(go.Frame(name=lab, traces=[moving],
                                   data=[go.Scatter(x=[T[k, 0]], y=[T[k, 1]])]))
            steps.append(dict(method="animate", label=lab,
                              args=[[lab], dict(mode="immediate", frame=dict(duration=0, redraw=False),
                                                transition=dict(duration=0))]))
    fig.frames = frames
    fig.update_xaxes(title_text="s (direction θ* − θ_run)", range=[s[0], s[-1]], showgrid=False)
    fig.update_yaxes(title_text="t (toward the third point)", range=[t[0], t[-1]],
                     showgrid=False)
    finish_layout(fig, None, height)
    fig.update_layout(legend=dict(y=-0.32))
    if frames:
        _add_player(fig, steps, prefix="epoch ")
    return fig


def _add_player(fig: go.Figure, steps: list, prefix: str, duration: int = 250, where: str = "top") -> None:
    """Play / Pause buttons and a slider over ``steps`` (plotly animation), above or below the plot.

    With many steps only the current value is labelled (tick labels would overlap).
    """
    many = len(steps) > 12
    y, anchor = (1.04, "bottom") if where == "top" else (-0.04, "top")
    top = where == "top"  # the buttons at the right, in a row of their own beside the slider's label
    fig.update_layout(
        updatemenus=[dict(
            type="buttons", direction="left", x=1.0, y=y, xanchor="right", yanchor=anchor,
            pad=dict(r=0, t=0 if top else 4, b=44 if top else 0), showactive=False,
            buttons=[
                dict(label="▶ Play", method="animate",
                     args=[None, dict(frame=dict(duration=duration, redraw=True), fromcurrent=True,
                                      transition=dict(duration=0), mode="immediate")]),
                dict(label="❚❚ Pause", method="animate",
                     args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate",
                                        transition=dict(duration=0))]),
            ],
        )],
        sliders=[dict(active=0, steps=steps, x=0.0, len=1.0, y=y, yanchor=anchor,
                      pad=dict(t=0 if top else 44, b=0), ticklen=3 if many else 7,
                      font=dict(color="rgba(0,0,0,0)" if many else "#444", size=12),
                      currentvalue=dict(prefix=prefix, visible=True, xanchor="left",
                                        font=dict(color="#222", size=13)),
                      transition=dict(duration=0))],
    )
    if where == "top":
        fig.update_layout(margin=dict(t=130))
    else:
        fig.update_layout(margin=dict(b=160))


# --------------------------------------------------------------------------------------------
# AdamW vs convex: decision boundaries over epochs, and objective / accuracy vs wall time
# --------------------------------------------------------------------------------------------


def _panel_traces(model, data: Dataset, box, resolution: int, show_data: bool, legend: bool):
    xs, ys, G = grid_points(box, resolution)
    Z = evaluate(model, G).reshape(len(ys), len(xs))
    xs, ys = compact(xs), compact(ys)
    scale = max(float(np.max(np.abs(Z))), 1e-12)
    Z = compact(Z / scale)  # only the sign and the zero level matter: float32 frames
    heat = go.Heatmap(x=xs, y=ys, z=np.sign(Z).astype(np.int8), zmin=-1, zmax=1, colorscale=CLASS_SCALE,
                      opacity=0.45, showscale=False, hoverinfo="skip", name="sign f")
    contour = go.Contour(x=xs, y=ys, z=Z, showscale=False, hoverinfo="skip", name="f = 0",
                         contours=dict(start=0.0, end=0.0, size=1.0, coloring="lines"),
                         line=dict(width=2, color="black"), colorscale=[[0, "black"], [1, "black"]],
                         showlegend=False)
    out = [heat, contour]
    if show_data:
        for t in data_traces(data, marker_size=6):
            t.showlegend = legend
            out.append(t)
    return out


def boundary_animation(snapshots: Sequence, snapshot_labels: Sequence[str], data: Dataset,
                       others: Mapping[str, object], first_title: str = "AdamW",
                       resolution: int = 50, height: int = 430) -> go.Figure:
    """Decision regions of the first model at its snapshots (animated) next to fixed models.

    Panel 1 plays ``snapshots`` (labelled by ``snapshot_labels``, e.g. "epoch 100"); the other
    panels show ``others`` (name -> model with ``predict``), e.g. the convex solutions. Each panel:
    sign(f) shaded, f = 0 in black, the data.
    """
    names = [first_title, *others.keys()]
    cols = len(names)
    box = bounding_box(data.X, 0.08, square=True)
    # no shared y axis: it fought the per-panel equal scaling and stretched the panels after the first
    fig = make_subplots(rows=1, cols=cols, subplot_titles=names, horizontal_spacing=0.02)
    first = _panel_traces(snapshots[0], data, box, resolution, True, True)
    for tr in first:
        fig.add_trace(tr, row=1, col=1)
    moving = [0, 1]  # heatmap and contour of panel 1
    for k, model in enumerate(others.values()):
        for tr in _panel_traces(model, data, box, resolution, True, False):
            fig.add_trace(tr, row=1, col=k + 2)
    frames, steps = [], []
    for net, lab in zip(snapshots, snapshot_labels, strict=True):
        heat, contour = _panel_traces(net, data, box, resolution, False, False)
        frames.append(go.Frame(name=lab, data=[heat, contour], traces=moving,
                               layout=dict(annotations=_titles(fig, f"{first_title}, {lab}"))))
        steps.append(dict(method="animate", label=lab,
                          args=[[lab], dict(mode="immediate", frame=dict(duration=0, redraw=True),
                                            transition=dict(duration=0))]))
    fig.frames = frames
    for c in range(1, cols + 1):
        fig.update_xaxes(range=[box[0], box[1]], showgrid=False, zeroline=False, constrain="domain",
                         showticklabels=False, row=1, col=c)
        fig.update_yaxes(range=[box[2], box[3]], showgrid=False, zeroline=False, constrain="domain",
                         scaleanchor=f"x{'' if c == 1 else c}", scaleratio=1, showticklabels=False,
                         row=1, col=c)
    finish_layout(fig, None, height)
    fig.update_layout(legend=dict(orientation="h", y=1.12, yanchor="bottom", x=1.0, xanchor="right"))
    first_annotation = list(fig.layout.annotations)
    if first_annotation:
        first_annotation[0].text = f"{first_title}, {snapshot_labels[0]}"
    _add_player(fig, steps, prefix="", duration=300, where="bottom")
    fig.update_layout(margin=dict(t=60))
    return fig


def _titles(fig: go.Figure, first: str) -> list:
    anns = [a.to_plotly_json() for a in fig.layout.annotations]
    if anns:
        anns[0] = {**anns[0], "text": first}
    return anns


def time_figure(series: Mapping[str, Mapping[str, Sequence[float]]], height: int = 640) -> go.Figure:
    """Objective (log scale, top) and training accuracy (bottom) against wall time.

    ``series[name]`` has "time", "objective" and "accuracy" (equal lengths; one point for a
    convex solve, a curve for a training run).
    """
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=("objective ½‖f − y‖² + (β/2)‖θ‖²", "training accuracy"))
    for k, (name, sr) in enumerate(series.items()):
        t = np.maximum(np.asarray(sr["time"], dtype=float), 1e-3)  # log axis: start at 1 ms
        color = method_color(k)
        mode = "lines" if len(t) > 1 else "markers"
        common = dict(name=name, legendgroup=name, line=dict(color=color, width=2),
                      marker=dict(size=13, color=color, symbol="star" if len(t) == 1 else "circle",
                                  line=dict(color="black", width=1)))
        fig.add_trace(go.Scatter(x=t, y=sr["objective"], mode=mode, **common,
                                 hovertemplate=f"{name}<br>%{{x:.2f}} s<br>L = %{{y:.5g}}<extra></extra>"),
                      row=1, col=1)
        fig.add_trace(go.Scatter(x=t, y=np.asarray(sr["accuracy"], dtype=float) * 100, mode=mode,
                                 showlegend=False, **common,
                                 hovertemplate=f"{name}<br>%{{x:.2f}} s<br>%{{y:.1f}} %<extra></extra>"),
                      row=2, col=1)
    times = [np.maximum(np.asarray(sr["time"], dtype=float), 1e-3) for sr in series.values()]
    objectives = [sr["objective"] for sr in series.values()]
    fig.update_yaxes(type="log", title_text="objective", gridcolor="#eee", row=1, col=1,
                     **log_ticks(*objectives))
    fig.update_yaxes(title_text="accuracy (%)", gridcolor="#eee", range=[36, 103], dtick=10, row=2, col=1)
    fig.update_xaxes(gridcolor="#eee", type="log", row=1, col=1, **log_ticks(*times))
    fig.update_xaxes(title_text="wall time (s, log scale; training starts at 1 ms)", gridcolor="#eee",
                     type="log", row=2, col=1, **log_ticks(*times))
    finish_layout(fig, None, height)
    fig.update_layout(legend=dict(y=-0.14))
    return fig


__all__ = [
    "METHOD_COLORS",
    "NEGATIVE",
    "OPTIMAL",
    "POSITIVE",
    "SPURIOUS",
    "boundary_animation",
    "method_color",
    "missing_neuron_traces",
    "plane_figure",
    "restarts_figure",
    "segment_figure",
    "time_figure",
]
