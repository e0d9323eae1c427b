"""The drawing canvas's pixel maths: pure functions between data coordinates and the fabric
circles of streamlit-drawable-canvas 0.13 (no Streamlit here; see :mod:`ui.drawing` for the
session side).

A point comes back as a fabric ``Circle`` with ``left``, ``top``, ``radius``, ``originX="left"``,
``originY="center"``; its class is its colour. Circles drawn from the data carry their exact
coordinates in a side table (:func:`data_to_objects`), because the canvas rounds what it sends.
"""

from __future__ import annotations

import json

import numpy as np

from convexnn import datasets as ds
from convexnn.figures import NEGATIVE, POSITIVE

CANVAS_SIZE = 400
POINT_RADIUS = 5
POINT_STROKE = 1
CLASS_COLORS = {1: POSITIVE, -1: NEGATIVE}
REGRESSION_COLOR = "#333333"
DRAW_TASKS = ("classification", "regression1d")
ERASE = "erase"
ERASE_COLOR = "#e0245e"
ERASE_PIXELS = 14
"""A click in erase mode removes the nearest point within this many canvas pixels."""


def canvas_task(data: ds.Dataset | None) -> str:
    """What the canvas draws for these data: classes in 2-D or (x, y) points of a 1-D regression."""
    if data is not None and data.dim == 1:
        return "regression1d"
    return "classification"


def drawable(data: ds.Dataset) -> bool:
    return data.dim == 1 or data.task == ds.CLASSIFICATION


def canvas_view(data: ds.Dataset | None, margin: float = 0.15) -> tuple[float, float, float, float]:
    """The data window (x0, x1, y0, y1) the canvas shows: square for 2-D, x/y ranges for 1-D."""
    if data is None or not drawable(data):
        return (-1.5, 1.5, -1.5, 1.5)
    if data.dim == 1:
        x, y = data.X[:, 0], data.y
        sx, sy = max(np.ptp(x), 1e-3), max(np.ptp(y), 1e-3)
        return (float(x.min() - margin * sx), float(x.max() + margin * sx),
                float(y.min() - margin * sy), float(y.max() + margin * sy))
    lo, hi = data.X.min(0), data.X.max(0)
    centre, half = (lo + hi) / 2, max(float(np.max(hi - lo)) / 2, 0.5) * (1 + 2 * margin)
    return (float(centre[0] - half), float(centre[0] + half), float(centre[1] - half),
            float(centre[1] + half))


def to_pixels(points: np.ndarray, view, size: int = CANVAS_SIZE) -> np.ndarray:
    """Data (x, y) -> canvas pixels (px, py); py grows downwards."""
    x0, x1, y0, y1 = view
    P = np.asarray(points, dtype=float).reshape(-1, 2)
    return np.column_stack([(P[:, 0] - x0) / (x1 - x0) * size, (y1 - P[:, 1]) / (y1 - y0) * size])


def from_pixels(pixels: np.ndarray, view, size: int = CANVAS_SIZE) -> np.ndarray:
    """Canvas pixels -> data (x, y)."""
    x0, x1, y0, y1 = view
    P = np.asarray(pixels, dtype=float).reshape(-1, 2)
    return np.column_stack([x0 + P[:, 0] / size * (x1 - x0), y1 - P[:, 1] / size * (y1 - y0)])


_ORIGIN = {"left": 1.0, "top": 1.0, "center": 0.0, "right": -1.0, "bottom": -1.0}


def circle_centre(obj: dict) -> tuple[float, float]:
    """Centre of a fabric circle (the point tool: left + radius + strokeWidth/2, top)."""
    r = (float(obj.get("radius", 0)) + float(obj.get("strokeWidth", 0) or 0) / 2)
    sx, sy = float(obj.get("scaleX", 1) or 1), float(obj.get("scaleY", 1) or 1)
    cx = float(obj.get("left", 0)) + _ORIGIN.get(obj.get("originX", "left"), 1.0) * r * sx
    cy = float(obj.get("top", 0)) + _ORIGIN.get(obj.get("originY", "center"), 0.0) * r * sy
    return cx, cy


def circle(px: float, py: float, color: str, hollow: bool = False) -> dict:
    """A fabric circle as the point tool draws it, centred at pixel (px, py)."""
    return {
        "type": "Circle", "version": "6.0.0",
        "left": px - POINT_RADIUS - POINT_STROKE / 2, "top": py,
        "originX": "left", "originY": "center", "radius": POINT_RADIUS,
        "fill": "#ffffff" if hollow else color, "stroke": color, "strokeWidth": POINT_STROKE,
        "selectable": False, "evented": False,
    }


MATCH_PIXELS = 0.05
"""A returned circle within this many pixels of a data point (same colour) is that point."""


def data_to_objects(data: ds.Dataset, view) -> tuple[list[dict], list[list]]:
    """Canvas circles of a drawable data set, and rows [px, py, colour, x.., y, is_test].

    The rows let :func:`objects_to_data` return the exact coordinates of points that came from
    the data (the canvas rounds what it sends back).
    """
    if not drawable(data):
        return [], []
    if data.dim == 1:
        pts, colors = np.column_stack([data.X[:, 0], data.y]), [REGRESSION_COLOR] * data.n
    else:
        pts, colors = data.X, [CLASS_COLORS[1 if v > 0 else -1] for v in data.y]
    test = np.zeros(data.n, bool) if data.is_test is None else data.is_test
    pix = to_pixels(pts, view)
    objects, exact = [], []
    for k in range(data.n):
        objects.append(circle(pix[k, 0], pix[k, 1], colors[k], bool(test[k])))
        exact.append([float(pix[k, 0]), float(pix[k, 1]), colors[k].lower(),
                      *map(float, data.X[k]), float(data.y[k]), bool(test[k])])
    return objects, exact


def _matcher(exact: list[list] | None):
    """A function (px, py, colour) -> the exact row of the data point drawn there, or None."""
    by_color: dict[str, tuple[np.ndarray, list[list]]] = {}
    for row in exact or []:
        by_color.setdefault(row[2], ([], []))
        by_color[row[2]][0].append(row[:2])
        by_color[row[2]][1].append(row[3:])
    arrays = {c: (np.array(p, dtype=float), rows) for c, (p, rows) in by_color.items()}

    def match(px: float, py: float, color: str):
        if color not in arrays:
            return None
        P, rows = arrays[color]
        dist = np.hypot(P[:, 0] - px, P[:, 1] - py)
        k = int(np.argmin(dist))
        return rows[k] if dist[k] <= MATCH_PIXELS else None

    return match


def objects_to_data(objects: list[dict], view, task: str, exact: list[list] | None = None,
                    name: str = "drawn") -> ds.Dataset:
    """A data set from canvas circles (raises ``ValueError`` if it is not a valid data set).

    Classification: the stroke colour is the class (orange +1, blue -1; other colours ignored).
    1-D regression: each circle is a point (x, y). Circles drawn from the data (``exact``, see
    :func:`data_to_objects`) give back the data's exact values.
    """
    match = _matcher(exact)
    colour_class = {c.lower(): v for v, c in CLASS_COLORS.items()}
    d = 1 if task == "regression1d" else 2
    rows, labels, tests = [], [], []
    for obj in objects or []:
        if str(obj.get("type", "")).lower() != "circle":
            continue
        color = str(obj.get("stroke") or obj.get("fill") or "").lower()
        if task != "regression1d" and color not in colour_class:
            continue
        px, py = circle_centre(obj)
        known = match(px, py, color)
        if known is not None:
            rows.append(known[:d])
            labels.append(known[d])
            tests.append(bool(known[d + 1]))
            continue
        x, y = from_pixels([px, py], view)[0]
        rows.append([x] if d == 1 else [x, y])
        labels.append(y if d == 1 else float(colour_class[color]))
        tests.append(False)
    if not rows:
        raise ValueError("the drawing is empty: click on the canvas to add points")
    X = np.array(rows, dtype=float).reshape(-1, d)
    mask = np.array(tests) if any(tests) else None
    return ds.Dataset(X, np.array(labels), ds.REGRESSION if d == 1 else ds.CLASSIFICATION, name, mask)


def _is_eraser(obj: dict) -> bool:
    return str(obj.get("stroke") or obj.get("fill") or "").lower() == ERASE_COLOR


def apply_erasers(objects: list[dict]) -> tuple[list[dict], int | None]:
    """Remove eraser clicks and, for each, the nearest point within :data:`ERASE_PIXELS`.

    Returns (objects left, number of points erased), or (objects, None) without eraser clicks.
    """
    erasers = [o for o in objects if _is_eraser(o)]
    if not erasers:
        return objects, None
    rest = [o for o in objects if not _is_eraser(o)]
    erased = 0
    for mark in erasers:
        if not rest:
            break
        cx, cy = circle_centre(mark)
        centres = np.array([circle_centre(o) for o in rest])
        dist = np.hypot(centres[:, 0] - cx, centres[:, 1] - cy)
        k = int(np.argmin(dist))
        if dist[k] <= ERASE_PIXELS:
            rest.pop(k)
            erased += 1
    return rest, erased


def drawing_key(objects: list[dict] | None) -> tuple:
    """What a drawing shows: its circles' centres (0.1 px) and colours, in order. The canvas
    sends back what it was loaded with plus its own defaults, so drawings are compared by this."""
    key = []
    for obj in objects or []:
        if str(obj.get("type", "")).lower() == "circle":
            cx, cy = circle_centre(obj)
            key.append((round(cx, 1), round(cy, 1), str(obj.get("stroke") or obj.get("fill") or "").lower()))
    return tuple(sorted(key))


def canvas_signature(objects: list[dict] | None) -> str:
    """A stable fingerprint of a drawing, to notice when the canvas sent something new."""
    return json.dumps(objects or [], sort_keys=True, default=str)


def canvas_objects(value) -> list[dict] | None:
    """The objects of a canvas value: a ``CanvasResult.json_data`` dict or the widget's state
    ``{"drawing": {"raw": {...}}}``; None when there is none."""
    if not isinstance(value, dict):
        return None
    if "drawing" in value:
        value = (value.get("drawing") or {}).get("raw")
    if not isinstance(value, dict):
        return None
    return list(value.get("objects") or [])


def centre_key(obj: dict) -> tuple[float, float]:
    """A circle's centre rounded to 0.1 px (how drawings are compared)."""
    cx, cy = circle_centre(obj)
    return (round(cx, 1), round(cy, 1))


MOVE_PIXELS = 0.5
"""Circles of two drawings within this many pixels are the same circle (the canvas rounds)."""


def circle_delta(objects: list[dict], base: list[dict]) -> tuple[list[int], list[int]]:
    """What a drawing changed against the drawing it was made on: (indices in ``objects`` of the
    circles that are new, indices in ``base`` of the circles that are gone). Circles are matched
    by centre within :data:`MOVE_PIXELS`, each base circle at most once (a repeated click at the
    same place counts twice)."""
    objects, base = list(objects or []), list(base or [])
    if not objects or not base:
        return list(range(len(objects))), list(range(len(base)))
    P = np.array([circle_centre(o) for o in objects])
    Q = np.array([circle_centre(o) for o in base])
    dist = np.hypot(P[:, None, 0] - Q[None, :, 0], P[:, None, 1] - Q[None, :, 1])
    free = np.ones(len(base), bool)
    added = []
    for k in range(len(objects)):
        row = np.where(free, dist[k], np.inf)
        j = int(np.argmin(row))
        if row[j] <= MOVE_PIXELS:
            free[j] = False
        else:
            added.append(k)
    return added, [int(j) for j in np.flatnonzero(free)]


def recolor(obj: dict, color: str) -> dict:
    """The circle in another colour (fill and stroke), as the point tool draws it."""
    return {**obj, "fill": color, "stroke": color}
