"""Pictures of the playground: the optimum under the drawing canvas, neuron thumbnails, AdamW.

The canvas background and the thumbnails are raster images made with numpy and Pillow (a
400 x 400 picture in tens of milliseconds, fast enough to redraw on every click); the objective
chart of the AdamW run is a plotly figure.

A *view* is the data window (x0, x1, y0, y1) the canvas shows; pixel (px, py) of a size x size
picture shows the data point (x0 + px/size (x1 - x0), y1 - py/size (y1 - y0)).

Classification (2-D inputs): the regions sign f(x) > 0 (orange) and < 0 (blue), shaded by |f| as
TensorFlow Playground does, the decision boundary f = 0 (dark) and every neuron's hyperplane
x^T w1_j + b1_j = 0 in the colour of its output sign. 1-D regression: the curve f(x) and every
neuron's kink x = -b1_j / w1_j.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

from ..experiments.playground import neuron_signs, neuron_weights, unit_outputs
from .core import NEGATIVE, NEURON_COLORS, POSITIVE

View = tuple[float, float, float, float]
BACKGROUND = (251, 251, 251)
BOUNDARY = (40, 40, 40)
CURVE = (40, 40, 40)
HIGHLIGHT = (214, 39, 40)
SHADE = 0.55
"""Strongest tint of a region (0: none, 1: the full class colour)."""


def _rgb(hex_colour: str) -> np.ndarray:
    h = hex_colour.lstrip("#")
    return np.array([int(h[k: k + 2], 16) for k in (0, 2, 4)], dtype=float)


def _grid(view: View, cells: int) -> np.ndarray:
    """Data coordinates of the centres of a cells x cells pixel grid, row by row from the top."""
    x0, x1, y0, y1 = view
    t = (np.arange(cells) + 0.5) / cells
    gx, gy = np.meshgrid(x0 + t * (x1 - x0), y1 - t * (y1 - y0))
    return np.column_stack([gx.ravel(), gy.ravel()])


def _to_pixels(points: np.ndarray, view: View, size: int) -> np.ndarray:
    x0, x1, y0, y1 = view
    P = np.asarray(points, dtype=float).reshape(-1, 2)
    return np.column_stack([(P[:, 0] - x0) / (x1 - x0) * size, (y1 - P[:, 1]) / (y1 - y0) * size])


def _tint(values: np.ndarray, scale: float, strength: float = SHADE) -> np.ndarray:
    """RGB (..., 3) of values: orange above 0, blue below, white-ish at 0, saturating at +-scale."""
    t = np.clip(values / max(scale, 1e-12), -1.0, 1.0)[..., None] * strength
    pos, neg, base = _rgb(POSITIVE), _rgb(NEGATIVE), np.array(BACKGROUND, dtype=float)
    colour = np.where(t >= 0, base + t * (pos - base), base - t * (neg - base))
    return colour.astype(np.uint8)


def _line_through_view(w: np.ndarray, b: float, view: View) -> list[tuple[float, float]] | None:
    """The two points where the line w^T x + b = 0 crosses the view's border (None if it misses)."""
    x0, x1, y0, y1 = view
    pts = []
    if abs(w[1]) > 1e-12:
        for x in (x0, x1):
            y = -(b + w[0] * x) / w[1]
            if y0 - 1e-12 <= y <= y1 + 1e-12:
                pts.append((x, y))
    if abs(w[0]) > 1e-12:
        for y in (y0, y1):
            x = -(b + w[1] * y) / w[0]
            if x0 - 1e-12 <= x <= x1 + 1e-12:
                pts.append((x, y))
    if len(pts) < 2:
        return None
    pts = sorted(set(pts))
    return [pts[0], pts[-1]]


def _axes(draw: ImageDraw.ImageDraw, view: View, size: int) -> None:
    """Light axes through 0 where they are in view."""
    zero = _to_pixels([[0.0, 0.0]], view, size)[0]
    if 0 <= zero[0] <= size:
        draw.line([(zero[0], 0), (zero[0], size)], fill=(190, 190, 190), width=1)
    if 0 <= zero[1] <= size:
        draw.line([(0, zero[1]), (size, zero[1])], fill=(190, 190, 190), width=1)


def decision_values(model, view: View, cells: int) -> np.ndarray:
    """f on the cells x cells grid of the view, shape (cells, cells), row 0 at the top."""
    return np.asarray(model.predict(_grid(view, cells)), dtype=float).reshape(cells, cells)


def boundary_coverage(f: np.ndarray, half_width: float = 1.0) -> np.ndarray:
    """How much of each pixel the decision boundary f = 0 covers, drawn as a line about
    ``2 * half_width`` pixels wide with anti-aliased edges. ``f`` holds one value per pixel. A
    pixel's distance to the zero set is |f| / |grad f| in pixels (exact on each linear piece of a
    ReLU network); the line is kept within two pixels of a change of sign, so a region where f is
    flat at 0 draws none."""
    positive = f > 0
    sign_change = np.zeros_like(positive)
    sign_change[:, 1:] |= positive[:, 1:] != positive[:, :-1]
    sign_change[1:, :] |= positive[1:, :] != positive[:-1, :]
    if min(f.shape) < 2:
        return sign_change.astype(float)
    near = ndimage.maximum_filter(sign_change.view(np.uint8), size=5) > 0
    grad_rows, grad_cols = np.gradient(f)
    slope = np.hypot(grad_rows, grad_cols)
    with np.errstate(divide="ignore", invalid="ignore"):
        distance = np.where(slope > 0, np.abs(f) / slope, np.inf)
    return np.where(near, np.clip(half_width + 0.5 - distance, 0.0, 1.0), 0.0)


def region_image(model, view: View, size: int = 400, highlight: int | None = None,
                 hyperplanes: bool = True, points: tuple[np.ndarray, np.ndarray] | None = None,
                 X: np.ndarray | None = None) -> Image.Image:
    """The classification picture of ``model`` (2-D inputs): regions, boundary, hyperplanes.

    ``highlight``: a neuron index whose active half-plane is outlined and whose hyperplane is
    drawn thick. ``points``: (X, y) drawn as dots (for pictures that are not under the canvas).
    ``X``: the training inputs, for the sign of gated units.
    """
    f = decision_values(model, view, size)  # one value per pixel: no stair steps
    scale = max(float(np.percentile(np.abs(f), 95)), 1e-9)
    img = Image.fromarray(_tint(f, scale))
    draw = ImageDraw.Draw(img, "RGBA")
    _axes(draw, view, size)
    if highlight is not None and 0 <= highlight < model.width:
        act = unit_outputs(model, _grid(view, size))[:, highlight].reshape(size, size) != 0
        img.paste(Image.new("RGB", (size, size), (60, 60, 60)), (0, 0),
                  Image.fromarray((act * 70).astype(np.uint8)))
    line = Image.fromarray(np.rint(boundary_coverage(f) * 255).astype(np.uint8))
    img.paste(Image.new("RGB", (size, size), BOUNDARY), (0, 0), line)
    draw = ImageDraw.Draw(img, "RGBA")
    if hyperplanes:
        signs = neuron_signs(model, X)
        W1, b1, _ = model.hyperplanes()  # the predictor protocol: ReLU network or gated model
        for j in range(model.width):
            ends = _line_through_view(W1[:, j], float(b1[j]), view)
            if ends is None:
                continue
            pix = [tuple(p) for p in _to_pixels(ends, view, size)]
            colour = _rgb(NEURON_COLORS[1 if signs[j] > 0 else -1]).astype(int)
            if j == highlight:
                draw.line(pix, fill=HIGHLIGHT + (255,), width=4)
            else:
                draw.line(pix, fill=tuple(colour) + (150,), width=1)
    if points is not None:
        _dots(draw, points[0], points[1], view, size)
    return img


def _dots(draw: ImageDraw.ImageDraw, X: np.ndarray, y: np.ndarray, view: View, size: int,
          radius: float = 4.0) -> None:
    pix = _to_pixels(np.asarray(X, dtype=float).reshape(-1, 2), view, size)
    for (px, py), label in zip(pix, np.asarray(y).reshape(-1), strict=True):
        colour = POSITIVE if label > 0 else NEGATIVE
        draw.ellipse([px - radius, py - radius, px + radius, py + radius], fill=colour, outline="white")


def curve_image(model, view: View, size: int = 400, highlight: int | None = None,
                points: tuple[np.ndarray, np.ndarray] | None = None) -> Image.Image:
    """The 1-D regression picture: the curve f(x), each neuron's kink x = -b1/w1 (coloured by
    the sign of its output weight) and, for ``highlight``, that neuron's own contribution."""
    x0, x1, y0, y1 = view
    img = Image.new("RGB", (size, size), BACKGROUND)
    draw = ImageDraw.Draw(img, "RGBA")
    _axes(draw, view, size)
    xs = x0 + (np.arange(size) + 0.5) / size * (x1 - x0)
    W1, b1, _ = model.hyperplanes()
    W1 = np.asarray(W1).reshape(-1)
    signs = neuron_signs(model, xs[:, None])
    for j in range(model.width):
        if abs(W1[j]) < 1e-12:
            continue
        kink = -b1[j] / W1[j]
        if x0 <= kink <= x1:
            px = (kink - x0) / (x1 - x0) * size
            colour = tuple(_rgb(NEURON_COLORS[1 if signs[j] > 0 else -1]).astype(int))
            width, alpha = (3, 255) if j == highlight else (1, 130)
            draw.line([(px, 0), (px, size)], fill=(HIGHLIGHT if j == highlight else colour) + (alpha,),
                      width=width)
    if highlight is not None and 0 <= highlight < model.width:
        own = unit_outputs(model, xs[:, None])[:, highlight]
        draw.line([tuple(p) for p in _to_pixels(np.column_stack([xs, own]), view, size)],
                  fill=HIGHLIGHT + (255,), width=2)
    f = np.asarray(model.predict(xs[:, None]), dtype=float)
    draw.line([tuple(p) for p in _to_pixels(np.column_stack([xs, f]), view, size)], fill=CURVE, width=3)
    if points is not None:
        X, y = points
        pix = _to_pixels(np.column_stack([np.asarray(X, dtype=float).reshape(-1), y]), view, size)
        for px, py in pix:
            draw.ellipse([px - 4, py - 4, px + 4, py + 4], fill="#333333", outline="white")
    return img


def optimum_image(model, view: View, task: str, size: int = 400, highlight: int | None = None,
                  points=None, X: np.ndarray | None = None) -> Image.Image:
    """:func:`curve_image` for ``task == "regression1d"``, else :func:`region_image`."""
    if task == "regression1d":
        return curve_image(model, view, size, highlight, points)
    return region_image(model, view, size, highlight, points=points, X=X)


def blank_image(view: View, size: int = 400, note: str = "", font_size: int = 14) -> Image.Image:
    """A plain canvas background (axes only) with an optional note in the top-left corner, in a
    ``font_size`` px font."""
    img = Image.new("RGB", (size, size), BACKGROUND)
    draw = ImageDraw.Draw(img)
    _axes(draw, view, size)
    if note:
        draw.text((6, 6), note, fill=(110, 110, 110), font=ImageFont.load_default(size=font_size))
    return img


def thumbnails(model, view: View, order: np.ndarray, task: str, size: int = 72,
               X: np.ndarray | None = None) -> list[Image.Image]:
    """One small picture per neuron, in ``order``: its active half-plane (2-D) or its own
    contribution curve (1-D), coloured by its output sign; the picture's drawn square is sized
    by the neuron's weight relative to the largest (at least 40% of the tile)."""
    weights = neuron_weights(model)
    top = max(float(weights.max(initial=0.0)), 1e-300)
    cells = size
    if task == "regression1d":
        x0, x1 = view[0], view[1]
        xs = x0 + (np.arange(cells) + 0.5) / cells * (x1 - x0)
        own = unit_outputs(model, xs[:, None])
    else:
        own = unit_outputs(model, _grid(view, cells))
    signs = neuron_signs(model, X if X is not None else (xs[:, None] if task == "regression1d" else None))
    out = []
    for j in order:
        tile = Image.new("RGB", (size, size), (235, 235, 235))
        side = int(round(size * (0.4 + 0.6 * np.sqrt(weights[j] / top))))
        if task == "regression1d":
            inner = Image.new("RGB", (cells, cells), BACKGROUND)
            d = ImageDraw.Draw(inner)
            span = max(float(np.abs(own).max()), 1e-12)
            ys = (0.5 - 0.45 * own[:, j] / span) * cells
            colour = NEURON_COLORS[1 if signs[j] > 0 else -1]
            d.line(list(zip(np.arange(cells) + 0.5, ys, strict=True)), fill=colour, width=2)
        else:
            active = own[:, j].reshape(cells, cells) != 0
            inner = Image.fromarray(_tint(active * signs[j], 1.0, strength=0.85))
        tile.paste(inner.resize((side, side), Image.BILINEAR), ((size - side) // 2, (size - side) // 2))
        out.append(tile)
    return out


def _objective_range(objectives, p_star, others) -> list[float] | None:
    """A y range that shows the approach to p*: from below p* to the objective after the first
    tenth of the run (the first steps, far above, are cut off)."""
    ys = [float(v) for v in objectives if np.isfinite(v)]
    if not ys:
        return None
    tail = ys[max(1, len(ys) // 10):] or ys
    lows = ys + [float(v) for v in others if np.isfinite(v)]
    if p_star is not None and np.isfinite(p_star):
        lows.append(float(p_star))
    lo, hi = min(lows), max(tail)
    pad = 0.08 * (hi - lo) + 1e-9 * max(abs(hi), 1.0)
    return [lo - pad, hi + pad]


def thumbnail_sheet(tiles: list[Image.Image], labels: list[str], columns: int = 3,
                    font_size: int = 13) -> Image.Image:
    """The thumbnails in one picture, ``columns`` per row, each with its label below (one image
    is one element to send and draw, where a list of small images is one fetch each)."""
    if not tiles:
        return Image.new("RGB", (1, 1), "white")
    size = tiles[0].size[0]
    pad, text_h = 6, font_size + 6
    rows = -(-len(tiles) // columns)
    sheet = Image.new("RGB", (columns * (size + pad), rows * (size + text_h + pad)), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=font_size)
    for k, (tile, label) in enumerate(zip(tiles, labels, strict=True)):
        x, y = (k % columns) * (size + pad), (k // columns) * (size + text_h + pad)
        sheet.paste(tile, (x, y))
        draw.text((x + size / 2, y + size + 2), label, fill=(70, 70, 70), font=font, anchor="ma")
    return sheet


def objective_chart(steps, objectives, p_star: float | None, pauses=(), patterns_now=None,
                    height: int = 300) -> go.Figure:
    """AdamW's objective L over the steps with p* as a horizontal line and, at each pause, the
    optimum p_I over the network's patterns (L >= p_I >= p*); below it the number of distinct
    activation patterns the network realises."""
    # two stacked panels sharing x, laid out by hand (make_subplots costs ~30 ms per call)
    grid = dict(gridcolor="#eeeeee", title_font=dict(size=13))
    pauses = list(pauses)
    traces = [go.Scatter(x=list(steps), y=list(objectives), mode="lines", name="AdamW: L(θ)",
                         line=dict(color="#333333", width=2), xaxis="x", yaxis="y")]
    if pauses:
        traces.append(go.Scatter(x=[p[0] for p in pauses], y=[p[1] for p in pauses], mode="markers",
                                 name="p_I at a pause", xaxis="x", yaxis="y",
                                 marker=dict(color="#d62728", size=9, symbol="diamond")))
    if patterns_now is not None:
        traces.append(go.Scatter(x=list(steps), y=list(patterns_now), mode="lines", name="patterns now",
                                 line=dict(color="#9467bd", width=2, shape="hv"), xaxis="x", yaxis="y2"))
    fig = go.Figure(traces)
    fig.update_layout(
        height=height, margin=dict(l=60, r=10, t=10, b=40), showlegend=True, font=dict(size=12),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0, font=dict(size=12)),
        plot_bgcolor="white",
        xaxis=dict(anchor="y2", title_text="AdamW step", **grid),
        yaxis=dict(domain=[0.36, 1.0], title_text="objective",
                   range=_objective_range(objectives, p_star, [p[1] for p in pauses]), **grid),
        yaxis2=dict(domain=[0.0, 0.3], title_text="patterns", rangemode="tozero", **grid),
    )
    if p_star is not None and np.isfinite(p_star):
        fig.add_shape(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=p_star, y1=p_star,
                      line=dict(color="#2ca02c", dash="dash", width=2))
        fig.add_annotation(xref="x domain", x=1, yref="y", y=p_star, text=f"p* = {p_star:.4g}",
                           showarrow=False, xanchor="right", yanchor="bottom",
                           font=dict(size=13, color="#2ca02c"))
    return fig


__all__ = [
    "blank_image",
    "curve_image",
    "decision_values",
    "objective_chart",
    "optimum_image",
    "region_image",
    "thumbnail_sheet",
    "thumbnails",
]
