"""Figures of the theory pages: neural recovery (docs/recovery.md), deep-network duality
(section 7) and complexity (section 8). Pure functions from results to plotly figures.
"""

from __future__ import annotations

from math import pi, sqrt

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .core import NEGATIVE, NEURON_COLORS, POSITIVE, compact, finish_layout, log_ticks

PROGRAM_COLORS = {"gated": "#7b3294", "exact": "#008837", "linear": "#555555"}
PROGRAM_NAMES = {
    "gated": "gated program",
    "exact": "cone-constrained (ReLU) program",
    "linear": "linear model alone",
}
SUCCESS_SCALE = [[0.0, "#f7f7f7"], [0.5, "#92c5de"], [1.0, "#08306b"]]
GRID_COLOR = "#e5e5e5"


def _axes_grid(fig: go.Figure) -> None:
    fig.update_xaxes(showgrid=True, gridcolor=GRID_COLOR, zeroline=False, linecolor="#999", showline=True)
    fig.update_yaxes(showgrid=True, gridcolor=GRID_COLOR, zeroline=False, linecolor="#999", showline=True)


# --------------------------------------------------------------------------------------------
# Recovery
# --------------------------------------------------------------------------------------------


def _cells(rows: list[dict], program: str):
    ns = sorted({r["n"] for r in rows})
    ds = sorted({r["d"] for r in rows})
    Z = np.full((len(ds), len(ns)), np.nan)
    T = np.zeros((len(ds), len(ns)), int)
    for r in rows:
        if r["program"] == program:
            i, j = ds.index(r["d"]), ns.index(r["n"])
            Z[i, j] = r["success_rate"]
            T[i, j] = r["trials"]
    return ns, ds, Z, T


def phase_heatmap(rows: list[dict], programs: list[str], height: int = 380) -> go.Figure:
    """Success rate over (n, d), one panel per program side by side (one figure: the browser draws
    one plot, not one per program), each with the lines n = 2d and n = d."""
    fig = make_subplots(rows=1, cols=len(programs), horizontal_spacing=0.1, subplot_titles=[
        f"{PROGRAM_NAMES.get(p, p)[0].upper() + PROGRAM_NAMES.get(p, p)[1:]}: P(recovery)" for p in programs])
    for col, program in enumerate(programs, start=1):
        ns, ds, Z, T = _cells(rows, program)
        text = [[f"n = {n}, d = {d}<br>{PROGRAM_NAMES.get(program, program)}<br>success {z:.0%} of {t}"
                 for n, z, t in zip(ns, zrow, trow, strict=True)]
                for d, zrow, trow in zip(ds, Z, T, strict=True)]
        fig.add_trace(go.Heatmap(
            x=ns, y=ds, z=Z, zmin=0, zmax=1, colorscale=SUCCESS_SCALE, text=text, hoverinfo="text",
            showscale=col == len(programs), xgap=1, ygap=1,
            colorbar=dict(title=dict(text="success", side="right"), tickformat=".0%", len=0.9, thickness=14),
        ), 1, col)
        d_line = np.linspace(min(ds) - 0.5 * _step(ds), max(ds) + 0.5 * _step(ds), 50)
        for x, name, line in ((2 * d_line, "n = 2d", dict(color="#d7301f", width=2.5, dash="dash")),
                              (d_line, "n = d", dict(color="#555", width=1.5, dash="dot"))):
            fig.add_trace(go.Scatter(x=x, y=d_line, mode="lines", name=name, showlegend=col == 1, line=line,
                                     hoverinfo="skip"), 1, col)
        fig.update_xaxes(title_text="n (points)", range=[min(ns) - _step(ns) / 2, max(ns) + _step(ns) / 2],
                         row=1, col=col)
        fig.update_yaxes(title_text="d (dimension)" if col == 1 else None,
                         range=[min(ds) - _step(ds) / 2, max(ds) + _step(ds) / 2], row=1, col=col)
    finish_layout(fig, None, height)
    fig.update_layout(legend=dict(y=-0.22, orientation="h"), margin=dict(t=40))
    return fig


def _step(v) -> float:
    v = sorted(v)
    return float(np.min(np.diff(v))) if len(v) > 1 else 1.0


def phase_slice(rows: list[dict], d: int, wendel=None, height: int = 380) -> go.Figure:
    """Success rate vs n at fixed d for every program in ``rows``, with 1 - Wendel's probability
    (no u != 0 with X u >= 0) and the lines n = d, n = 2d."""
    fig = go.Figure()
    programs = list(dict.fromkeys(r["program"] for r in rows))
    for program in programs:
        pts = sorted((r["n"], r["success_rate"], r["trials"]) for r in rows
                     if r["program"] == program and r["d"] == d)
        if not pts:
            continue
        n, rate, trials = map(np.array, zip(*pts, strict=True))
        fig.add_trace(go.Scatter(
            x=n, y=rate, mode="lines+markers", name=PROGRAM_NAMES.get(program, program),
            line=dict(color=PROGRAM_COLORS.get(program, "#333"), width=2.5,
                      dash="dot" if program == "linear" else "solid"),
            marker=dict(size=7), customdata=trials,
            hovertemplate="n = %{x}: %{y:.0%} of %{customdata} trials<extra>" + program + "</extra>",
        ))
    if wendel is not None:
        wn, wp = wendel
        fig.add_trace(go.Scatter(x=wn, y=1 - np.asarray(wp), mode="lines",
                                 name="1 − Wendel's P(∃u≠0: Xu ≥ 0)",
                                 line=dict(color="#d7301f", width=1.8, dash="dash"),
                                 hovertemplate="n = %{x}: %{y:.3f}<extra>1 − Wendel</extra>"))
    fig.add_vline(x=2 * d, line=dict(color="#d7301f", width=1), annotation_text="n = 2d",
                  annotation_position="top")
    fig.add_vline(x=d, line=dict(color="#777", width=1, dash="dot"), annotation_text="n = d",
                  annotation_position="top left")
    finish_layout(fig, f"Slice at d = {d}", height)
    _axes_grid(fig)
    fig.update_yaxes(title_text="P(recovery)", range=[-0.03, 1.06], tickformat=".0%")
    fig.update_xaxes(title_text="n (points)")
    fig.update_layout(legend=dict(y=-0.22))
    return fig


def nic_bars(values: np.ndarray, is_all_ones: np.ndarray, program: str, height: int = 340) -> go.Figure:
    """NIC-L value of every pattern, largest first, against the threshold 1."""
    values = np.asarray(values, dtype=float)
    order = np.argsort(-np.nan_to_num(values, nan=-1))
    v, ones = values[order], np.asarray(is_all_ones)[order]
    colors = np.where(ones, "#999999", np.where(v >= 1, "#d7301f", PROGRAM_COLORS.get(program, "#333")))
    labels = [f"pattern {int(i)}" + (" (all-ones: the tie with w0)" if o else "")
              for i, o in zip(order, ones, strict=True)]
    fig = go.Figure(go.Bar(x=np.arange(1, v.size + 1), y=v, marker_color=colors, text=None,
                           customdata=labels, hovertemplate="%{customdata}: %{y:.4f}<extra></extra>",
                           name="NIC-L value"))
    fig.add_hline(y=1.0, line=dict(color="#d7301f", width=2, dash="dash"), annotation_text="1",
                  annotation_position="right")
    what = "‖Xᵀ D_j λ‖" if program == "gated" else "max ±‖Π_K_j(±Xᵀ D_j λ)‖"
    finish_layout(fig, f"NIC-L per pattern ({PROGRAM_NAMES.get(program, program)}): {what}", height)
    _axes_grid(fig)
    fig.update_xaxes(title_text="patterns, largest value first")
    fig.update_yaxes(title_text="value (must be < 1)", rangemode="tozero")
    fig.update_layout(showlegend=False)
    return fig


def illustration_figure(left, right, height: int = 500) -> go.Figure:
    """The talk's two pictures: f(x) of the min-norm network on 2-D inputs, level lines bent by
    ReLU neurons (left) or straight (right: only the linear neuron)."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08, subplot_titles=[
        _illustration_title(left), _illustration_title(right)])
    allx = np.vstack([left.X, right.X])
    half = float(np.abs(allx).max()) * 1.25 + 0.2
    g = np.linspace(-half, half, 121)
    G1, G2 = np.meshgrid(g, g)
    grid = np.column_stack([G1.ravel(), G2.ravel()])
    fields = [ill.field(grid).reshape(G1.shape) for ill in (left, right)]
    zmax = max(float(np.abs(F).max()) for F in fields)
    for col, ill, F in ((1, left, fields[0]), (2, right, fields[1])):
        fig.add_trace(go.Contour(x=compact(g), y=compact(g), z=compact(F), colorscale="RdBu_r", zmin=-zmax,
                                 zmax=zmax,
                                 contours=dict(start=-zmax, end=zmax, size=zmax / 12, coloring="heatmap",
                                               showlines=True),
                                 line=dict(width=0.6, color="rgba(0,0,0,0.35)"), showscale=col == 2,
                                 colorbar=dict(title=dict(text="f(x)", side="right"), thickness=12, len=0.8),
                                 hovertemplate="x = (%{x:.2f}, %{y:.2f})<br>f = %{z:.3f}<extra></extra>"),
                      row=1, col=col)
        for k, (w, sign) in enumerate(ill.relu_neurons()):
            # the neuron's kink {x : w.x = 0} and its direction
            u = np.array([-w[1], w[0]]) / np.linalg.norm(w)
            seg = np.array([-u, u]) * half * 1.5
            color = NEURON_COLORS[1 if sign > 0 else -1]
            fig.add_trace(go.Scatter(x=seg[:, 0], y=seg[:, 1], mode="lines",
                                     line=dict(color=color, width=3), name="ReLU neuron's kink",
                                     showlegend=(k == 0 and col == 1), legendgroup="kink",
                                     hoverinfo="skip"), row=1, col=col)
        fig.add_trace(go.Scatter(
            x=ill.X[:, 0], y=ill.X[:, 1], mode="markers", name="data x_i",
            marker=dict(size=12, color="#ffd92f", line=dict(color="black", width=1.5)),
            customdata=ill.y, hovertemplate="y = %{customdata:.3f}<extra>data</extra>",
            showlegend=col == 1, legendgroup="data"), row=1, col=col)
        w = ill.w_star * half * 0.6
        fig.add_trace(go.Scatter(x=[0, w[0]], y=[0, w[1]], mode="lines+markers", name="planted w*",
                                 line=dict(color="black", width=2, dash="dash"),
                                 marker=dict(size=[0, 9], symbol="arrow", angleref="previous"),
                                 showlegend=col == 1, legendgroup="w", hoverinfo="skip"), row=1, col=col)
        fig.update_xaxes(range=[-half, half], constrain="domain", title_text="x1", row=1, col=col)
        fig.update_yaxes(range=[-half, half], scaleanchor="x" if col == 1 else "x2", scaleratio=1,
                         constrain="domain", title_text="x2" if col == 1 else None, row=1, col=col)
    finish_layout(fig, None, height)
    fig.update_layout(margin=dict(t=60, b=40), legend=dict(y=-0.22))
    fig.update_annotations(font_size=13)
    return fig


def _illustration_title(ill) -> str:
    n = ill.X.shape[0]
    k = len(ill.relu_neurons())
    if k:
        plural = "s" if k > 1 else ""
        return f"n = {n}: {k} ReLU neuron{plural}, ‖θ‖ = {ill.solution.objective:.3f} < ‖w*‖ = 1"
    return f"n = {n}: only the linear neuron, w0 = w*"


# --------------------------------------------------------------------------------------------
# Deep networks
# --------------------------------------------------------------------------------------------


def gap_curve(L: int, sigma1: float, sigma2_now: float | None = None, rest=(),
              height: int = 360) -> go.Figure:
    """P, D and the gap of diag(sigma1, s, rest...) as s goes from 0 to 1.5 sigma1 at depth L."""
    from ..theory.duality import values_from_sigma

    s = np.linspace(0, 1.5 * sigma1, 301)
    vals = [values_from_sigma([sigma1, x, *rest], L) for x in s]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=s, y=[v.primal for v in vals], name="primal P = (L/2) Σσ^(2/L)",
                             line=dict(color="#d7301f", width=2.5)))
    fig.add_trace(go.Scatter(x=s, y=[v.dual for v in vals], name="dual D = (L/2)(Σσ)^(2/L) = parallel",
                             line=dict(color="#2166ac", width=2.5)))
    fig.add_trace(go.Scatter(x=s, y=[v.gap for v in vals], name="gap P − D",
                             line=dict(color="#333", width=2, dash="dot")))
    fig.add_vline(x=sigma1, line=dict(color="#777", width=1, dash="dash"),
                  annotation_text="σ2 = σ1 (equal): gap > 0" if L >= 3 else "σ2 = σ1",
                  annotation_position="top")
    if sigma2_now is not None:
        v = values_from_sigma([sigma1, sigma2_now, *rest], L)
        fig.add_trace(go.Scatter(x=[sigma2_now] * 3, y=[v.primal, v.dual, v.gap], mode="markers",
                                 marker=dict(size=11, color=["#d7301f", "#2166ac", "#333"],
                                             line=dict(color="white", width=1.5)),
                                 name="your σ", hovertemplate="%{y:.4f}<extra></extra>"))
    finish_layout(fig, f"L = {L}: the gap vanishes only at σ2 = 0 (rank ≤ 1)" if L >= 3 and not any(rest)
            else f"L = {L}", height)
    _axes_grid(fig)
    fig.update_xaxes(title_text="σ2 (with σ1 fixed)")
    fig.update_yaxes(title_text="value", rangemode="tozero")
    fig.update_layout(legend=dict(y=-0.25))
    return fig


SCALE_COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"]


def gd_figure(runs: dict, targets: dict, title: str, height: int = 400) -> go.Figure:
    """Objective vs step of gradient-descent runs ({label: GDResult}) against horizontal lines
    ({label: value}), on a log scale of the excess over the lowest line."""
    fig = go.Figure()
    for k, (label, run) in enumerate(runs.items()):
        fig.add_trace(go.Scatter(x=run.steps + 1, y=run.objective, mode="lines", name=label,
                                 line=dict(color=SCALE_COLORS[k % len(SCALE_COLORS)], width=2.5),
                                 customdata=run.steps,
                                 hovertemplate="step %{customdata}: %{y:.6f}<extra>" + label + "</extra>"))
    styles = ["dash", "dot", "dashdot"]
    for k, (label, value) in enumerate(targets.items()):
        fig.add_hline(y=value, line=dict(color="#333", width=1.3, dash=styles[k % 3]),
                      annotation_text=f"{label}: {value:.6f}", annotation_position="top right")
    finish_layout(fig, title, height)
    _axes_grid(fig)
    top = max(float(np.nanmax(r.objective[min(len(r.objective) - 1, 2):])) for r in runs.values())
    low = min(targets.values()) if targets else 0.0
    fig.update_yaxes(title_text="objective", range=[low - 0.1 * (top - low + 1e-9), top * 1.05 + 1e-9])
    fig.update_xaxes(title_text="gradient step + 1 (log scale)", type="log",
                     **log_ticks(*(r.steps + 1 for r in runs.values())))
    fig.update_layout(legend=dict(y=-0.22))
    return fig


# --------------------------------------------------------------------------------------------
# Complexity
# --------------------------------------------------------------------------------------------


def pattern_count_figure(rows: list[dict], current: tuple[int, int] | None = None,
                         height: int = 430) -> go.Figure:
    """Exact pattern counts vs n (log-log) against n^2 - n + 2 and Cover's bound."""
    n = np.array([r["n"] for r in rows])
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=n, y=[r["cover_bound"] for r in rows],
                             name="Cover's bound 2r(e(n−1)/r)<sup>r</sup>, r = 3",
                             line=dict(color="#d7301f", width=2, dash="dash")))
    fig.add_trace(go.Scatter(x=n, y=[r["general_position"] for r in rows],
                             name="n² − n + 2 (general position)", line=dict(color="#bbb", width=6)))
    fig.add_trace(go.Scatter(x=n, y=[r["patterns"] for r in rows], name="exact count (sweep)",
                             mode="markers+lines", line=dict(color="#2166ac", width=2), marker=dict(size=8)))
    if current is not None:
        fig.add_trace(go.Scatter(x=[current[0]], y=[current[1]], mode="markers", name="current data",
                                 marker=dict(size=15, symbol="star", color=POSITIVE,
                                             line=dict(color="black", width=1))))
    finish_layout(fig, "Patterns of n points in the plane (with bias)", height)
    _axes_grid(fig)
    fig.update_xaxes(type="log", title_text="n (points)", dtick=1)
    fig.update_yaxes(type="log", title_text="number of patterns p", exponentformat="power", dtick=1)
    fig.update_layout(legend=dict(y=-0.25))
    return fig


def pattern_time_figure(rows: list[dict], height: int = 300) -> go.Figure:
    """Time to count the patterns and to list every one of them, vs n (log-log)."""
    fig = go.Figure()
    n = [r["n"] for r in rows]
    fig.add_trace(go.Scatter(x=n, y=[r["count_seconds"] for r in rows],
                             name="count (Euler's formula on the sweep)", mode="lines+markers",
                             line=dict(color="#1b9e77", width=2)))
    enum = [(r["n"], r["enumerate_seconds"]) for r in rows if np.isfinite(r["enumerate_seconds"])]
    if enum:
        fig.add_trace(go.Scatter(x=[e[0] for e in enum], y=[e[1] for e in enum], name="list every pattern",
                                 mode="lines+markers", line=dict(color="#7570b3", width=2),
                                 marker=dict(symbol="diamond", size=8)))
    finish_layout(fig, "Enumeration time", height)
    _axes_grid(fig)
    fig.update_xaxes(type="log", title_text="n (points)", dtick=1)
    fig.update_yaxes(type="log", title_text="seconds", dtick=1, exponentformat="power")
    fig.update_layout(legend=dict(y=-0.35))
    return fig


def cnn_bound_figure(ns, rs=(2, 3, 4), height: int = 380) -> go.Figure:
    """The talk's CNN bound r^3 (n/r)^{3r} vs n for filter sizes r, with Cover's bound for a
    fully connected layer of rank r for comparison."""
    from ..patterns.arrangements import cover_bound
    from ..theory.complexity import cnn_bound

    ns = np.asarray(ns, dtype=float)
    fig = go.Figure()
    for k, r in enumerate(rs):
        c = SCALE_COLORS[k % len(SCALE_COLORS)]
        # short names (the formulas are in the page's caption): the legend takes two rows, not six
        fig.add_trace(go.Scatter(x=ns, y=cnn_bound(ns, r), name=f"CNN, r = {r}",
                                 line=dict(color=c, width=2.5)))
        fig.add_trace(go.Scatter(x=ns, y=[cover_bound(int(n), r) for n in ns],
                                 name=f"Cover, r = {r}", line=dict(color=c, width=1.5, dash="dot")))
    finish_layout(fig, "Bounds on p (constants of O(·) = 1)", height)  # a short title: half-width columns
    _axes_grid(fig)
    fig.update_xaxes(type="log", title_text="n", **log_ticks(ns))
    fig.update_yaxes(type="log", title_text="bound on p", exponentformat="power",
                     **log_ticks(*(t.y for t in fig.data)))
    fig.update_layout(legend=dict(y=-0.22))
    return fig


def two_pattern_figure(results, height: int = 360) -> go.Figure:
    """Full program vs two class patterns, per loss and beta (ratio two/full; 1 = exact)."""
    losses = list(dict.fromkeys(r.loss for r in results))
    fig = go.Figure()
    colors = {"logistic": "#1b9e77", "hinge": "#7570b3", "squared": "#d95f02"}
    for loss in losses:
        rs = [r for r in results if r.loss == loss]
        fig.add_trace(go.Bar(x=[f"β = {r.beta:g}" for r in rs], y=[r.ratio for r in rs], name=f"{loss} loss",
                             marker_color=colors.get(loss, "#333"),
                             customdata=[[r.full, r.two] for r in rs],
                             hovertemplate="full %{customdata[0]:.6f}<br>two patterns %{customdata[1]:.6f}"
                                           "<br>ratio %{y:.6f}<extra>" + loss + "</extra>"))
    fig.add_hline(y=1.0, line=dict(color="#333", width=1.5, dash="dash"), annotation_text="exact",
                  annotation_position="top left")
    finish_layout(fig, "Two-pattern value / full value", height)
    _axes_grid(fig)
    fig.update_yaxes(title_text="ratio (1 = two patterns are exact)", rangemode="tozero")
    fig.update_layout(barmode="group", legend=dict(y=-0.2))
    return fig


def maxcut_figure(result, height: int = 380) -> go.Figure:
    """Empirical ratios of the Max-Cut experiment against sqrt(pi/2) and sqrt(84/83)."""
    from ..theory.complexity import HARDNESS_EPS

    labels = ["relaxation<br>√(SDP / OPT)", "GW rounding, best<br>√(OPT / best)",
              "GW rounding, mean<br>√(OPT / mean)"]
    vals = [result.relaxation_ratio, result.rounding_ratio_best, result.rounding_ratio_mean]
    fig = go.Figure(go.Scatter(x=labels, y=vals, mode="markers+text",
                               marker=dict(size=16, color=["#2166ac", "#1b9e77", "#66c2a5"],
                                           line=dict(color="black", width=1)),
                               text=[f"{v:.4f}" for v in vals], textposition="bottom center",
                               hovertemplate="%{x}: %{y:.6f}<extra></extra>"))
    fig.add_hline(y=sqrt(pi / 2), line=dict(color="#d7301f", width=2, dash="dash"),
                  annotation_text="√(π/2) ≈ 1.2533: the guarantee for negatively correlated data",
                  annotation_position="top left")
    fig.add_hline(y=1 + HARDNESS_EPS, line=dict(color="#333", width=1.5, dash="dot"),
                  annotation_text=f"√(84/83) ≈ {1 + HARDNESS_EPS:.4f}", annotation_position="top left")
    fig.add_hline(y=1.0, line=dict(color="#999", width=1))
    finish_layout(fig, f"Max-Cut view of max_D ‖Xᵀ D λ‖ for n = {result.n}: empirical ratios", height)
    _axes_grid(fig)
    fig.update_yaxes(title_text="ratio of norms (1 = exact)", range=[0.97, 1.3])
    fig.update_xaxes(showgrid=False)
    fig.update_layout(showlegend=False)
    return fig


def hardness_ladder_figure(height: int = 380) -> go.Figure:
    """The talk's hardness ladder as a schematic: guaranteed factor 1 + eps by data class."""
    from ..theory.complexity import HARDNESS_EPS, NEGATIVE_CORRELATION_EPS

    rows = [
        ("orthogonally separable", "exact: ε = 0, polynomial time (two patterns)", 1.0, 1.0, "#1b9e77"),
        ("negatively correlated", "ε = √(π/2) − 1 ≈ 0.2533", 1.0, 1 + NEGATIVE_CORRELATION_EPS, "#66a61e"),
        ("general data", "ε from a geometric factor of two data zonotopes", 1.0, 1.6, "#e6ab02"),
        ("general data (Kim & Pilanci 2024)", "randomized relaxation: O(√log n)", 1.0, 2.0, "#d95f02"),
    ]
    fig = go.Figure()
    for name, text, lo, hi, color in rows:
        if hi - lo < 1e-9:  # exact: a point, not a bar
            fig.add_trace(go.Scatter(y=[name], x=[lo], mode="markers+text", text=[text],
                                     textposition="middle right", marker=dict(size=16, color=color,
                                                                              symbol="diamond"),
                                     hovertemplate=text + "<extra></extra>", showlegend=False))
            continue
        fig.add_trace(go.Bar(y=[name], x=[hi - lo], base=[lo], orientation="h", marker_color=color,
                             text=[text], textposition="outside" if hi - lo < 0.3 else "inside",
                             insidetextanchor="start", hovertemplate=text + "<extra></extra>",
                             showlegend=False))
    fig.add_vrect(x0=1.0, x1=1 + HARDNESS_EPS, fillcolor="#d7301f", opacity=0.5, line_width=0)
    fig.add_vline(x=1 + HARDNESS_EPS, line=dict(color="#d7301f", width=2))
    fig.add_annotation(x=1 + HARDNESS_EPS, y=1.04, yref="paper", xanchor="left", showarrow=False,
                       text="← general data: NP-hard to reach 1 + ε for ε ≤ √(84/83) − 1 ≈ "
                            f"{HARDNESS_EPS:.4f}",
                       font=dict(color="#d7301f", size=12))
    finish_layout(fig, None, height)
    fig.update_xaxes(title_text="approximation factor 1 + ε (schematic beyond √(π/2))", range=[0.98, 2.45],
                     showgrid=True, gridcolor=GRID_COLOR)
    fig.update_yaxes(categoryorder="array", categoryarray=[r[0] for r in rows][::-1])
    fig.update_layout(margin=dict(l=10, r=20, t=40, b=40), bargap=0.35)
    return fig


__all__ = [
    "NEGATIVE",
    "cnn_bound_figure",
    "gap_curve",
    "gd_figure",
    "hardness_ladder_figure",
    "illustration_figure",
    "maxcut_figure",
    "nic_bars",
    "pattern_count_figure",
    "pattern_time_figure",
    "phase_heatmap",
    "phase_slice",
    "two_pattern_figure",
]
