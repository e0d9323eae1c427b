"""Figures of hyperplane arrangements: pure plotly builders.

Mathematics: docs/arrangements.md and docs/sampling-and-geometric-algebra.md.

- :func:`sweep_figure`: the data with one hyperplane {x : g^T x~ = 0}, its active side shaded,
  active points ringed, and the pattern D = 1[X~ g >= 0] as a row of 0/1 cells below; given
  several gates it becomes a plotly animation (frames, Play/Pause, a slider).
- :func:`pattern_matrix`: all patterns (patterns x points) with the current one marked.
- :func:`sphere_figure`: for data of rank 3 (2-D data with bias) every point x~_i is a great
  circle {g : x~_i^T g = 0} on the sphere of directions; the cells between them are the
  patterns. The sphere is coloured by cell (hover shows the pattern), optional markers sit at
  cell centres (e.g. coloured by which sampler found the cell).
- :func:`circle_figure`: the same for rank 2 (2-D data without bias, 1-D data with bias): lines
  through the origin cut the circle of directions into arcs, one per pattern.
- :func:`coverage_figure`, :func:`area_figure`: distinct patterns found vs samples, and why
  Gaussian sampling misses small cells.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..data.datasets import CLASSIFICATION, Dataset
from ..patterns.arrangements import lift
from .core import CLASS_SCALE, REGRESSION_SCALE, bounding_box, hyperplane_segment, log_ticks

LINE_COLOR = "#c0392b"
ACTIVE_FILL = "rgba(241, 196, 15, 0.22)"
CELL_ON = "#2c3e50"
CELL_OFF = "#eef1f4"
CURRENT_COLOR = "#e74c3c"
METHOD_COLORS = {"gaussian": "#7b3fa0", "geometric": "#1e9e6a", "exact": "#222222"}
PASTEL = ["#fbb4ae", "#b3cde3", "#ccebc5", "#decbe4", "#fed9a6", "#ffffcc", "#e5d8bd", "#fddaec",
          "#c7e9c0", "#d9d9d9", "#bcbddc", "#fdd0a2"]
MAX_TEXT_POINTS = 40
"""Patterns are written out as 0/1 strings in hovers up to this many points."""
MAX_HEATMAP_CELLS = 5_000
"""Above this many matrix entries the pattern matrix is drawn as an image: a heatmap draws each
cell with its gap and value hover, which for the app's default data (1,562 patterns x 40 points)
cost the browser about 0.37 s of its first view against 0.23 s for the image (plotly.js in headless
Chromium, a new page each time; bench/README.md), and sent 95 kB instead of 13 kB."""


def pattern_string(p) -> str:
    return "".join("1" if v else "0" for v in np.asarray(p, dtype=bool))


def pattern_label(index: int, count: int) -> str:
    """'D_k of P' (1-based, in the order of the full list)."""
    return f"D{index + 1} of {count}" if index >= 0 else "not in the list"


# --------------------------------------------------------------------------------------------
# Data space: the hyperplane and its active side
# --------------------------------------------------------------------------------------------


def plot_points(data: Dataset) -> np.ndarray:
    """Plot coordinates of the data: x (2-D inputs) or (x, y) for 1-D inputs."""
    if data.dim == 1:
        return np.column_stack([data.X[:, 0], data.y])
    if data.dim == 2:
        return data.X
    raise ValueError("the arrangement figures show 1-D or 2-D data")


def plot_line(g: np.ndarray, dim: int, bias: bool) -> tuple[np.ndarray, float]:
    """(w, b) of the gate g as a line w^T p + b = 0 in plot coordinates (1-D: a vertical line)."""
    g = np.asarray(g, dtype=float)
    w = g[:dim]
    b = float(g[dim]) if bias else 0.0
    return (np.array([w[0], 0.0]) if dim == 1 else w.copy()), b


def plot_box(data: Dataset, margin: float = 0.12, bias: bool = True) -> tuple[float, float, float, float]:
    """The plot window; without a bias it includes the origin, where every hyperplane passes."""
    P = plot_points(data)
    if not bias:
        P = np.vstack([P, [[0.0, 0.0]] if data.dim == 2 else [[0.0, float(np.mean(data.y))]]])
    if data.dim == 2:
        return bounding_box(P, margin, square=True)
    return bounding_box(P, margin, square=False)


def halfplane_polygon(w: np.ndarray, b: float, box) -> tuple[list, list]:
    """The part of ``box`` where w^T p + b >= 0, as a closed polygon (Sutherland-Hodgman)."""
    x0, x1, y0, y1 = box
    poly = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    w = np.asarray(w, dtype=float)
    out = []
    for k in range(len(poly)):
        p, q = np.array(poly[k]), np.array(poly[(k + 1) % len(poly)])
        fp, fq = w @ p + b, w @ q + b
        if fp >= 0:
            out.append(tuple(p))
        if (fp >= 0) != (fq >= 0):
            t = fp / (fp - fq)
            out.append(tuple(p + t * (q - p)))
    if not out:
        return [], []
    out.append(out[0])
    xs, ys = zip(*out, strict=True)
    return list(xs), list(ys)


def _colours(data: Dataset) -> dict:
    if data.dim == 1:
        return dict(color="#555555")
    if data.task == CLASSIFICATION:
        return dict(color=data.y, colorscale=CLASS_SCALE, cmin=-1, cmax=1)
    lo, hi = float(data.y.min()), float(data.y.max())
    return dict(color=data.y, colorscale=REGRESSION_SCALE, cmin=lo, cmax=hi if hi > lo else lo + 1)


def _state(data: Dataset, g: np.ndarray, pattern: np.ndarray, bias: bool, box):
    """The varying parts of the sweep for one gate: shading, line, point styles, pattern row."""
    w, b = plot_line(g, data.dim, bias)
    sx, sy = halfplane_polygon(w, b, box)
    seg = hyperplane_segment(w, b, box)
    lx, ly = (list(seg[0]), list(seg[1])) if seg is not None else ([], [])
    active = np.asarray(pattern, dtype=bool)
    test = np.zeros(data.n, bool) if data.is_test is None else data.is_test
    marker = dict(
        size=np.where(active, 12, 8).astype(np.int8),
        opacity=np.where(active, 1.0, 0.35).astype(np.float32),
        line=dict(width=np.where(active, 2.5, 0.5).astype(np.float32), color="#111111"),
    )
    if test.any():
        marker["symbol"] = np.where(test, "circle-open", "circle").tolist()
    return (sx, sy), (lx, ly), marker, active.astype(int)


def sweep_figure(data: Dataset, gates: np.ndarray, patterns: np.ndarray, indices: np.ndarray,
                 count: int, bias: bool = True, current: int = 0, labels: list[str] | None = None,
                 height: int = 560, frame_ms: int = 180) -> go.Figure:
    """The data with a hyperplane, its active side and its pattern; an animation for >1 gates.

    ``gates`` (F, d~), ``patterns`` (F, n) and ``indices`` (F,) (position of each pattern in
    the full list of ``count`` patterns, -1 if unknown) describe the frames; frame ``current``
    is shown first. Traces: 0 active side, 1 hyperplane, 2 points, 3 the pattern row.
    """
    gates = np.atleast_2d(np.asarray(gates, dtype=float))
    patterns = np.atleast_2d(np.asarray(patterns, dtype=bool))
    F = gates.shape[0]
    labels = labels or [f"{f}" for f in range(F)]
    box = plot_box(data, bias=bias)
    P = plot_points(data)
    n = data.n
    fig = make_subplots(rows=2, cols=1, row_heights=[0.86, 0.14], vertical_spacing=0.16)

    def title(f):
        idx = int(indices[f])
        return (f"<b>{labels[f]}</b> · D = 1[X̃g ≥ 0] is pattern <b>{pattern_label(idx, count)}</b>"
                f" · {int(patterns[f].sum())} of {n} points active")

    (sx, sy), (lx, ly), marker, row = _state(data, gates[current], patterns[current], bias, box)
    fig.add_trace(go.Scatter(x=sx, y=sy, fill="toself", fillcolor=ACTIVE_FILL, mode="lines",
                             line=dict(width=0), name="active side gᵀx̃ ≥ 0", hoverinfo="skip"),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=lx, y=ly, mode="lines", line=dict(color=LINE_COLOR, width=3),
                             name="hyperplane gᵀx̃ = 0", hoverinfo="skip"), row=1, col=1)
    hover = ("point %{customdata[0]}<br>x=%{x:.3f}<br>y=%{y:.3f}<br>D=%{customdata[1]}<extra></extra>"
             if data.dim == 1 else
             "point %{customdata[0]}<br>x1=%{x:.3f}<br>x2=%{y:.3f}<br>D=%{customdata[1]}<extra></extra>")
    fig.add_trace(go.Scatter(
        x=P[:, 0], y=P[:, 1], mode="markers", name="data (ringed: active)",
        marker={**marker, **_colours(data)}, customdata=np.column_stack([np.arange(n), row]),
        hovertemplate=hover,
    ), row=1, col=1)
    text = [[str(v) for v in row]] if n <= MAX_TEXT_POINTS else None
    fig.add_trace(go.Heatmap(
        z=[row], x=np.arange(n), y=["D"], zmin=0, zmax=1, showscale=False, xgap=1, ygap=1,
        colorscale=[[0, CELL_OFF], [1, CELL_ON]], text=text,
        texttemplate="%{text}" if text else None, textfont=dict(color="#888888", size=12),
        hovertemplate="point %{x}: %{z}<extra></extra>", name="pattern",
    ), row=2, col=1)
    fig.update_xaxes(range=[box[0], box[1]], constrain="domain", showgrid=False, zeroline=False,
                     title_text="x" if data.dim == 1 else "x1", row=1, col=1)
    yopts = dict(range=[box[2], box[3]], constrain="domain", showgrid=False, zeroline=False,
                 title_text="y" if data.dim == 1 else "x2")
    if data.dim == 2:
        yopts.update(scaleanchor="x", scaleratio=1)
    fig.update_yaxes(**yopts, row=1, col=1)
    fig.update_xaxes(showticklabels=n <= 60, dtick=1 if n <= 30 else (5 if n <= 60 else None),
                     title_text="point", title_standoff=0, ticks="", tickfont=dict(size=12),
                     row=2, col=1)
    fig.update_yaxes(showticklabels=False, row=2, col=1)
    fig.update_layout(
        title=dict(text=title(current), font=dict(size=14), x=0.01, y=0.985, yanchor="top"),
        height=height, margin=dict(l=40, r=20, t=84, b=40), plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=1.005, xanchor="left", x=0.0,
                    font=dict(size=12)),
        hovermode="closest",
    )
    if F > 1:
        frames = []
        for f in range(F):
            (sx, sy), (lx, ly), marker, row = _state(data, gates[f], patterns[f], bias, box)
            frames.append(dict(
                name=str(f),
                data=[dict(type="scatter", x=sx, y=sy), dict(type="scatter", x=lx, y=ly),
                      dict(type="scatter", marker=marker,
                           customdata=np.column_stack([np.arange(n), row])),
                      dict(type="heatmap", z=[row], text=[[str(v) for v in row]] if text else None)],
                traces=[0, 1, 2, 3],
                layout=dict(title=dict(text=title(f))),
            ))
        fig.frames = frames
        play = dict(frame=dict(duration=frame_ms, redraw=True), transition=dict(duration=0),
                    fromcurrent=True, mode="immediate")
        fig.update_layout(
            updatemenus=[dict(
                type="buttons", direction="left", showactive=False, x=0.0, y=-0.075,
                xanchor="left", yanchor="top", pad=dict(t=36, r=6),  # below the strip's "point" label
                buttons=[dict(label="▶ Play", method="animate", args=[None, play]),
                         dict(label="❚❚ Pause", method="animate",
                              args=[[None], dict(frame=dict(duration=0, redraw=False),
                                                 mode="immediate", transition=dict(duration=0))])],
            )],
            sliders=[dict(
                # the slider starts 170 px right, clear of Play/Pause at any figure width
                active=current, x=0.0, len=1.0, y=-0.06, yanchor="top", pad=dict(t=36, l=170),
                currentvalue=dict(prefix="", visible=False),
                steps=[dict(method="animate", label=labels[f],
                            args=[[str(f)], dict(mode="immediate", frame=dict(duration=0, redraw=True),
                                                 transition=dict(duration=0))])
                       for f in range(F)],
            )],
            margin=dict(l=40, r=20, t=84, b=150),
        )
    return fig


# --------------------------------------------------------------------------------------------
# All patterns
# --------------------------------------------------------------------------------------------


def _png_data_uri(img: np.ndarray) -> str:
    import base64
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def pattern_matrix(patterns: np.ndarray, current: int | None = None, height: int = 520,
                   highlight: np.ndarray | None = None, title: str | None = None) -> go.Figure:
    """All patterns as a matrix (row = pattern D1, D2, .., column = point), current row marked.

    ``highlight`` (P,) bool tints rows (e.g. patterns a sampler missed). Matrices of more than
    :data:`MAX_HEATMAP_CELLS` entries are drawn as an image (its hover names the pattern and the
    point; the colour is the entry) to stay fast.
    """
    M = np.asarray(patterns, dtype=bool)
    P, n = M.shape
    fig = go.Figure()
    if P * n <= MAX_HEATMAP_CELLS:
        fig.add_trace(go.Heatmap(
            z=M.astype(int), x=np.arange(n), y=np.arange(1, P + 1), zmin=0, zmax=1,
            colorscale=[[0, CELL_OFF], [1, CELL_ON]], showscale=False,
            xgap=1 if n <= 60 else 0, ygap=1 if P <= 80 else 0,
            hovertemplate="D%{y}, point %{x}: %{z}<extra></extra>", name="patterns",
        ))
    else:
        on = np.array([44, 62, 80], np.uint8)
        off = np.array([238, 241, 244], np.uint8)
        img = np.where(M[..., None], on, off).astype(np.uint8)
        if highlight is not None:
            img[np.asarray(highlight, bool)] = (img[np.asarray(highlight, bool)] * 0.6
                                                 + np.array([255, 80, 80]) * 0.4).astype(np.uint8)
        fig.add_trace(go.Image(source=_png_data_uri(img), x0=0, dx=1, y0=1, dy=1, name="patterns",
                               hovertemplate="D%{y}, point %{x}<extra></extra>"))
    if highlight is not None and P * n <= MAX_HEATMAP_CELLS:
        rows = np.flatnonzero(highlight) + 1
        fig.add_trace(go.Scatter(x=np.full(rows.size, -1.2), y=rows, mode="markers",
                                 marker=dict(symbol="triangle-right", size=7, color="#e74c3c"),
                                 name="missed", hovertemplate="D%{y}<extra>missed</extra>"))
    if current is not None and 0 <= current < P:
        mark_pattern(fig, current, n)
    fig.update_yaxes(autorange="reversed", title_text=f"pattern (1 … {P})", showgrid=False,
                     zeroline=False, scaleanchor=False)  # an image's pixels need not be square
    fig.update_xaxes(title_text="point", showgrid=False, zeroline=False, range=[-1.7, n + 4])
    fig.update_layout(height=height, margin=dict(l=50, r=20, t=40 if title else 10, b=40),
                      plot_bgcolor="white", title=title, showlegend=False)
    return fig


def mark_pattern(fig: go.Figure, k: int, n: int) -> go.Figure:
    """Mark row k (0-based) of a :func:`pattern_matrix` figure."""
    fig.add_shape(type="rect", x0=-0.5, x1=n - 0.5, y0=k + 0.5, y1=k + 1.5,
                  line=dict(color=CURRENT_COLOR, width=3), fillcolor="rgba(231,76,60,0.15)")
    fig.add_annotation(x=n - 0.5, y=k + 1, text=f"◀ D{k + 1}", showarrow=False,
                       xanchor="left", font=dict(color=CURRENT_COLOR, size=12))
    return fig


def move_marker(fig: go.Figure, point, name: str | None = None) -> go.Figure:
    """Move the figure's last trace (the "current" marker of :func:`sphere_figure` and
    :func:`line_map_figure`) to ``point`` (2 or 3 coordinates)."""
    trace = fig.data[-1]
    if name is not None and trace.name != name:
        return fig
    p = [float(v) for v in point]
    trace.x, trace.y = [p[0]], [p[1]]
    if len(p) == 3:
        trace.z = [p[2]]
    return fig


# --------------------------------------------------------------------------------------------
# The sphere (rank 3) and the circle (rank 2) of directions
# --------------------------------------------------------------------------------------------


def _orthonormal_pair(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = z / np.linalg.norm(z)
    helper = np.eye(3)[np.argmin(np.abs(z))]
    a = np.cross(z, helper)
    a /= np.linalg.norm(a)
    return a, np.cross(z, a)


def great_circles(Z: np.ndarray, points: int = 90) -> np.ndarray:
    """Polyline of all great circles {g : z_i^T g = 0} (rows of Z), NaN-separated, (m, 3)."""
    t = np.linspace(0, 2 * np.pi, points)
    parts = []
    for z in Z:
        if np.linalg.norm(z) < 1e-12:
            continue
        a, b = _orthonormal_pair(z)
        parts.append(np.outer(np.cos(t), a) + np.outer(np.sin(t), b))
        parts.append(np.full((1, 3), np.nan))
    return np.vstack(parts) if parts else np.zeros((0, 3))


def _cell_colour_index(idx: np.ndarray) -> np.ndarray:
    """A colour position in [0, 1) per cell index, neighbours usually different."""
    return np.where(idx >= 0, ((idx * 0.6180339887) % 1.0), np.nan)


def _pastel_scale() -> list:
    k = len(PASTEL)
    scale = []
    for i, c in enumerate(PASTEL):
        scale += [[i / k, c], [(i + 1) / k, c]]
    return scale


def _subdivided(c: np.ndarray, a: np.ndarray, b: np.ndarray, level: int) -> np.ndarray:
    """Spherical triangles (c, a, b) (m, 3) each cut into level^2 pieces, (m * level^2, 3, 3)."""
    L = level
    tris = []
    for i in range(L):
        for j in range(L - i):
            # barycentric corners of the upward and downward small triangles
            tris.append(((i, j), (i + 1, j), (i, j + 1)))
            if j < L - i - 1:
                tris.append(((i + 1, j), (i + 1, j + 1), (i, j + 1)))
    out = []
    for corners in tris:
        pts = []
        for i, j in corners:
            p = (L - i - j) * c + i * a + j * b
            pts.append(p / np.linalg.norm(p, axis=1, keepdims=True))
        out.append(np.stack(pts, axis=1))
    return np.concatenate(out, axis=0)


def cell_mesh(triangles, max_angle: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """Flat pieces of the cells' spherical triangles for a Mesh3d: (corners (m, 3, 3), cell (m,)).

    Triangles wider than ``max_angle`` (radians) are subdivided so the mesh hugs the sphere."""
    idx, c, a, b = triangles[:4]
    span = np.arccos(np.clip(np.minimum(np.minimum(np.einsum("mk,mk->m", c, a),
                                                   np.einsum("mk,mk->m", c, b)),
                                        np.einsum("mk,mk->m", a, b)), -1, 1))
    level = np.clip(np.ceil(span / max_angle), 1, 10).astype(int)
    pieces, cells = [], []
    for L in np.unique(level):
        sel = level == L
        tri = _subdivided(c[sel], a[sel], b[sel], int(L))
        pieces.append(tri)
        cells.append(np.tile(idx[sel], len(tri) // max(int(sel.sum()), 1)))
    return np.concatenate(pieces), np.concatenate(cells)


def sphere_figure(Z: np.ndarray, patterns: np.ndarray, current_g: np.ndarray | None = None,
                  markers: dict | None = None, resolution: int = 90, height: int = 560,
                  axis_titles=("w1", "w2", "b"), title: str | None = None,
                  triangles=None) -> go.Figure:
    """The arrangement on the sphere of directions g (rank 3, reduced coordinates Z (n, 3)).

    The sphere is coloured by cell; hovering shows the pattern's index (and the pattern for
    small n); each point is a great circle (hover: its index). With ``triangles`` (from
    :func:`convexnn.patterns.sampling.cell_triangles`) the cells are drawn exactly as a mesh, otherwise as a
    sampled surface. ``markers`` maps a legend name to (points (k, 3), colour, hover texts) drawn
    as 3-D markers (cell centres); ``current_g`` is drawn as a red diamond.
    """
    from ..patterns.arrangements import match_patterns

    Z = np.asarray(Z, dtype=float)
    n = Z.shape[0]
    P = np.asarray(patterns, dtype=bool)
    show_bits = n <= MAX_TEXT_POINTS
    bits = np.array([pattern_string(p) for p in P] + ["?"]) if show_bits else None
    fig = go.Figure()
    if triangles is not None:
        tri, cell = cell_mesh(triangles)
        V = (tri.reshape(-1, 3) * 0.998).astype(np.float32)
        m = len(tri)
        # one colour per cell through a step colour scale on the vertex intensity (compact JSON)
        vcell = np.repeat(cell, 3)
        fig.add_trace(go.Mesh3d(
            x=V[:, 0], y=V[:, 1], z=V[:, 2], i=np.arange(0, 3 * m, 3, dtype=np.int32),
            j=np.arange(1, 3 * m, 3, dtype=np.int32), k=np.arange(2, 3 * m, 3, dtype=np.int32),
            intensity=_cell_colour_index(vcell).astype(np.float32), intensitymode="vertex",
            colorscale=_pastel_scale(), cmin=0, cmax=1, showscale=False, flatshading=True,
            customdata=(vcell + 1).astype(np.uint16 if m < 65535 else np.int32),
            hovertemplate="D%{customdata}<extra>cell</extra>",
            lighting=dict(ambient=0.9, diffuse=0.15, specular=0.0), name="cells",
        ))
    else:
        u = np.linspace(0, np.pi, resolution)
        v = np.linspace(0, 2 * np.pi, 2 * resolution)
        uu, vv = np.meshgrid(u, v, indexing="ij")
        S = np.stack([np.sin(uu) * np.cos(vv), np.sin(uu) * np.sin(vv), np.cos(uu)], axis=-1)
        idx = match_patterns(P, S.reshape(-1, 3) @ Z.T >= 0).reshape(uu.shape)
        fig.add_trace(go.Surface(
            x=S[..., 0], y=S[..., 1], z=S[..., 2], surfacecolor=_cell_colour_index(idx),
            colorscale=_pastel_scale(), cmin=0, cmax=1, showscale=False, opacity=1.0,
            customdata=np.where(idx >= 0, idx + 1, 0),
            text=bits[np.where(idx >= 0, idx, len(P))] if show_bits else None,
            hovertemplate="D%{customdata}" + ("<br>%{text}" if show_bits else "") + "<extra>cell</extra>",
            lighting=dict(ambient=0.85, diffuse=0.2, specular=0.05), name="cells",
        ))
    C = great_circles(Z) * 1.004
    per = 91  # 90 points + NaN separator per circle
    labels = np.repeat([f"point {i}: x̃ᵢᵀg = 0" for i in range(n)], per)[: len(C)]
    fig.add_trace(go.Scatter3d(x=C[:, 0], y=C[:, 1], z=C[:, 2], mode="lines",
                               line=dict(color="#333333", width=3), name="great circles (points)",
                               text=labels, hovertemplate="%{text}<extra></extra>"))
    for name, (pts, colour, texts) in (markers or {}).items():
        pts = np.asarray(pts, dtype=float).reshape(-1, 3) * 1.01
        fig.add_trace(go.Scatter3d(
            x=pts[:, 0], y=pts[:, 1], z=pts[:, 2], mode="markers", name=name,
            marker=dict(size=3, color=colour, opacity=0.85, line=dict(width=0)), text=texts,
            hovertemplate="%{text}<extra>" + name + "</extra>",
        ))
    if current_g is not None:
        g = np.asarray(current_g, dtype=float)
        g = g / np.linalg.norm(g) * 1.03
        fig.add_trace(go.Scatter3d(x=[g[0]], y=[g[1]], z=[g[2]], mode="markers", name="current g",
                                   marker=dict(size=7, color=CURRENT_COLOR, symbol="diamond",
                                               line=dict(width=1, color="white")),
                                   hovertemplate="current g<extra></extra>"))
    axis = dict(range=[-1.1, 1.1], showbackground=False, showgrid=False, zeroline=False,
                showticklabels=False)
    fig.update_layout(
        scene=dict(xaxis={**axis, "title": axis_titles[0]}, yaxis={**axis, "title": axis_titles[1]},
                   zaxis={**axis, "title": axis_titles[2]}, aspectmode="cube",
                   camera=dict(eye=dict(x=1.05, y=1.05, z=0.62)),
                   domain=dict(x=[0, 1], y=[0, 0.93])),
        height=height, margin=dict(l=0, r=0, t=40 if title else 10, b=0), title=title,
        legend=dict(orientation="h", yanchor="top", y=1.0, x=0.0, font=dict(size=12)),
    )
    return fig


def circle_figure(Z: np.ndarray, patterns: np.ndarray, current_g: np.ndarray | None = None,
                  height: int = 460, axis_titles=("g1", "g2"), title: str | None = None,
                  missed: np.ndarray | None = None) -> go.Figure:
    """Rank 2: each row z_i is a line through the origin {g : z_i^T g = 0}; the arcs of the unit
    circle between them are the patterns, labelled D_k in the order of the full list."""
    from ..patterns.arrangements import match_patterns

    Z = np.asarray(Z, dtype=float)
    P = np.asarray(patterns, dtype=bool)
    t = np.linspace(0, 2 * np.pi, 1441)
    G = np.column_stack([np.cos(t), np.sin(t)])
    idx = match_patterns(P, G @ Z.T >= 0)
    fig = go.Figure()
    # the lines of the points
    for i, z in enumerate(Z):
        if np.linalg.norm(z) < 1e-12:
            continue
        d = np.array([-z[1], z[0]]) / np.linalg.norm(z)
        fig.add_trace(go.Scatter(x=[-1.25 * d[0], 1.25 * d[0]], y=[-1.25 * d[1], 1.25 * d[1]],
                                 mode="lines", line=dict(color="#555555", width=1.5, dash="dot"),
                                 name=f"point {i}: z{i}ᵀg = 0", showlegend=False,
                                 hovertemplate=f"point {i}: x̃ᵀg = 0<extra></extra>"))
    # the arcs, one colour per pattern
    change = np.flatnonzero(np.diff(idx) != 0) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(t)]])
    labelled = set()
    for s, e in zip(starts, ends, strict=True):
        k = int(idx[s])
        colour = PASTEL[k % len(PASTEL)] if k >= 0 else "#cccccc"
        if missed is not None and k >= 0 and missed[k]:
            colour = "#e74c3c"
        seg = slice(s, min(e + 1, len(t)))
        fig.add_trace(go.Scatter(x=G[seg, 0], y=G[seg, 1], mode="lines", line=dict(color=colour, width=9),
                                 showlegend=False, name=f"D{k + 1}",
                                 hovertemplate=f"D{k + 1}: {pattern_string(P[k]) if k >= 0 else '?'}"
                                               "<extra></extra>"))
        if k >= 0 and k not in labelled and e - s > 8 and len(P) <= 24:
            labelled.add(k)
            m = (s + e) // 2
            fig.add_annotation(x=1.16 * G[m, 0], y=1.16 * G[m, 1], text=f"D{k + 1}", showarrow=False,
                               font=dict(size=12))
    if current_g is not None:
        g = np.asarray(current_g, dtype=float)
        g = g / max(np.linalg.norm(g), 1e-12)
        fig.add_annotation(x=g[0], y=g[1], ax=0, ay=0, xref="x", yref="y", axref="x", ayref="y",
                           showarrow=True, arrowhead=3, arrowwidth=2.5, arrowcolor=CURRENT_COLOR, text="")
        fig.add_trace(go.Scatter(x=[g[0]], y=[g[1]], mode="markers", name="current g",
                                 marker=dict(color=CURRENT_COLOR, size=10, symbol="diamond"),
                                 hovertemplate="current g<extra></extra>"))
    fig.update_xaxes(range=[-1.4, 1.4], title_text=axis_titles[0], zeroline=False, showgrid=False,
                     constrain="domain")
    fig.update_yaxes(range=[-1.4, 1.4], title_text=axis_titles[1], zeroline=False, showgrid=False,
                     scaleanchor="x", scaleratio=1, constrain="domain")
    fig.update_layout(height=height, margin=dict(l=40, r=20, t=40 if title else 10, b=40),
                      plot_bgcolor="white", title=title, showlegend=False)
    return fig


def line_map_figure(X: np.ndarray, patterns: np.ndarray, radius: float, current=None,
                    centres=None, resolution: tuple[int, int] = (360, 160), height: int = 430,
                    max_bits: int = MAX_TEXT_POINTS) -> go.Figure:
    """Every line {x : w^T x + b = 0} with w = (cos t, sin t) as a point (t, b) of a map (the
    Hough transform of 2-D data with bias). Data point i becomes the sinusoid
    b = -(x_i1 cos t + x_i2 sin t); the regions between the sinusoids are the patterns.

    ``centres`` (k, 3) rows (t in degrees, b, pattern index) are drawn as clickable dots with
    ``customdata`` = index + 1; ``current`` = (t, b) is a red diamond.
    """
    from ..patterns.arrangements import match_patterns

    X = np.asarray(X, dtype=float)
    P = np.asarray(patterns, dtype=bool)
    nt, nb = resolution
    t = np.linspace(0, 360, nt, endpoint=False) + 180 / nt
    b = np.linspace(-radius, radius, nb)
    T, B = np.meshgrid(np.deg2rad(t), b)
    G = np.column_stack([np.cos(T).ravel(), np.sin(T).ravel(), B.ravel()])
    Xt = lift(X)
    idx = match_patterns(P, G @ Xt.T >= 0).reshape(B.shape)
    fig = go.Figure(go.Heatmap(
        x=t, y=b, z=_cell_colour_index(idx), customdata=np.where(idx >= 0, idx + 1, 0),
        colorscale=_pastel_scale(), zmin=0, zmax=1, showscale=False, name="patterns",
        hovertemplate="θ=%{x:.0f}°, b=%{y:.2f}<br>pattern D%{customdata}<extra></extra>",
    ))
    tt = np.linspace(0, 360, 361)
    xs, ys = [], []
    for x in X:
        xs += list(tt) + [None]
        ys += list(-(x[0] * np.cos(np.deg2rad(tt)) + x[1] * np.sin(np.deg2rad(tt)))) + [None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color="#444444", width=1),
                             name="point i: lines through x_i", hoverinfo="skip"))
    if centres is not None and len(centres):
        C = np.asarray(centres, dtype=float)
        keep = np.abs(C[:, 1]) <= radius
        C = C[keep]
        text = [f"D{int(k) + 1}" + (f": {pattern_string(P[int(k)])}" if P.shape[1] <= max_bits else "")
                for k in C[:, 2]]
        fig.add_trace(go.Scatter(x=C[:, 0], y=C[:, 1], mode="markers", name="cells (click one)",
                                 marker=dict(size=5, color="#333333", opacity=0.6),
                                 customdata=C[:, 2].astype(int) + 1, text=text,
                                 hovertemplate="%{text}<extra>click to move the line here</extra>"))
    if current is not None:
        fig.add_trace(go.Scatter(x=[current[0] % 360], y=[current[1]], mode="markers", name="current line",
                                 marker=dict(size=13, color=CURRENT_COLOR, symbol="diamond",
                                             line=dict(width=1.5, color="white")),
                                 hovertemplate="current line<extra></extra>"))
    fig.update_xaxes(range=[0, 360], title_text="angle θ of the normal w (degrees)", dtick=45,
                     showgrid=False, zeroline=False)
    fig.update_yaxes(range=[-radius, radius], title_text="offset b", showgrid=False, zeroline=False)
    fig.update_layout(height=height, margin=dict(l=50, r=20, t=10, b=40), plot_bgcolor="white",
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0.0),
                      clickmode="event+select", dragmode="pan")
    return fig


# --------------------------------------------------------------------------------------------
# Sampling compared
# --------------------------------------------------------------------------------------------


def coverage_figure(cov, height: int = 430, labels: dict | None = None) -> go.Figure:
    """Distinct patterns found vs samples k (log axis): median over seeds and min-max band per
    method, the exact count as the ceiling."""
    from ..patterns.sampling import METHOD_LABELS

    labels = {**METHOD_LABELS, **(labels or {})}
    fig = go.Figure()
    ks = np.asarray(cov.ks)
    for m, F in cov.found.items():
        colour = METHOD_COLORS.get(m, "#444444")
        lo, hi = F.min(axis=0), F.max(axis=0)
        fig.add_trace(go.Scatter(x=np.concatenate([ks, ks[::-1]]), y=np.concatenate([hi, lo[::-1]]),
                                 fill="toself", fillcolor=_rgba(colour, 0.18), line=dict(width=0),
                                 hoverinfo="skip", showlegend=False, name=f"{m} band"))
        fig.add_trace(go.Scatter(x=ks, y=np.median(F, axis=0), mode="lines+markers",
                                 line=dict(color=colour, width=2.5), marker=dict(size=5),
                                 name=f"{labels.get(m, m)} (median of {F.shape[0]} seeds)",
                                 hovertemplate="k=%{x}<br>%{y:.0f} patterns<extra>" + labels.get(m, m)
                                               + "</extra>"))
    if cov.exact is not None:
        fig.add_trace(go.Scatter(x=[ks[0], ks[-1]], y=[cov.exact, cov.exact], mode="lines",
                                 line=dict(color="#222222", dash="dash", width=2),
                                 name=f"exact: {cov.exact} nonzero patterns",
                                 hovertemplate="exact count %{y}<extra></extra>"))
    fig.update_xaxes(type="log", title_text="number of sampled directions k", showgrid=True,
                     gridcolor="#eeeeee", **log_ticks(ks))
    fig.update_yaxes(title_text="distinct patterns found", showgrid=True, gridcolor="#eeeeee",
                     rangemode="tozero")
    fig.update_layout(height=height, margin=dict(l=50, r=20, t=20, b=40), plot_bgcolor="white",
                      legend=dict(orientation="h", yanchor="top", y=-0.18, x=0.0), hovermode="closest")
    return fig


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def area_figure(areas: np.ndarray, found: np.ndarray, k: int, height: int = 380,
                method: str = "Gaussian") -> go.Figure:
    """Cells sorted by area (as a fraction of the sphere, log axis), found or missed by a
    sampler with k directions; the line 1/k: a cell much smaller than 1/k is rarely hit."""
    a = np.asarray(areas, dtype=float) / (4 * np.pi)
    ok = np.isfinite(a) & (a > 0)
    order = np.argsort(a[ok])
    idx = np.flatnonzero(ok)[order]
    rank = np.arange(idx.size)
    hit = np.asarray(found, bool)[idx]
    fig = go.Figure()
    for mask, name, colour in ((hit, f"found by {method}", METHOD_COLORS["gaussian"]),
                               (~hit, f"missed by {method}", "#e74c3c")):
        fig.add_trace(go.Scatter(
            x=rank[mask], y=a[idx][mask], mode="markers", name=f"{name} ({int(mask.sum())})",
            marker=dict(size=5, color=colour), customdata=idx[mask] + 1,
            hovertemplate="D%{customdata}<br>area %{y:.2e} of the sphere<extra></extra>",
        ))
    fig.add_trace(go.Scatter(x=[0, max(idx.size - 1, 1)], y=[1 / k, 1 / k], mode="lines",
                             line=dict(color="#222222", dash="dot"), name=f"1/k = 1/{k}",
                             hoverinfo="skip"))
    fig.update_yaxes(type="log", title_text="cell area / area of the sphere", showgrid=True,
                     gridcolor="#eeeeee", exponentformat="power", **log_ticks(a[ok], [1 / k]))
    fig.update_xaxes(title_text="cells, smallest first", showgrid=False)
    fig.update_layout(height=height, margin=dict(l=60, r=20, t=20, b=40), plot_bgcolor="white",
                      legend=dict(orientation="h", yanchor="top", y=-0.25, x=0.0))
    return fig


__all__ = [
    "area_figure",
    "circle_figure",
    "coverage_figure",
    "great_circles",
    "halfplane_polygon",
    "line_map_figure",
    "mark_pattern",
    "move_marker",
    "pattern_label",
    "pattern_matrix",
    "pattern_string",
    "plot_points",
    "sphere_figure",
    "sweep_figure",
]
