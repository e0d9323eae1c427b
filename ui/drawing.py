"""The drawing canvas's session side: what it was loaded with, what it sent, and turning a
drawing into the current data.

**A click during a reload is applied to the reloaded drawing.** After an erase or undo the canvas
is reloaded; a drawing it sends built on the drawing before that reload is read as a change
(circles added or removed) and applied to the current drawing (see :func:`receive_drawing`).

**After a switch of the click mode, new circles take the mode the server has when their drawing
arrives** (class +1, class −1, or the eraser), not the colour the canvas drew them in: the canvas
keeps drawing in the old colour until the switch's rerun reaches it, which on a loaded server can
take seconds. The component sends its drawing 200 ms after the last click (debounced), and the
browser sends every widget's value with it, so a click made after a switch always arrives with the
new mode. The price: a click followed within 200 ms by a switch takes the new mode. Without a
switch, circles keep their colours, and moved points (the canvas's edit tool) always do.

**A load may change the canvas's frame** (an undo, a preset: the view fits the new data), so each
candidate base keeps the view it was shown in; circles a drawing built on an older base adds are
moved to the current view by their data coordinates (an eraser clicked on a point just before an
undo's reload still erases that point).

Limit of the component (streamlit-drawable-canvas 0.13), not fixable on the server: a click made
while a reload reaches the component is replaced by the reloaded drawing before it is sent.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from convexnn import datasets as ds
from ui import canvas as cv
from ui import state
from ui.keys import K, S
from ui.text import sentence

ERASE_1D = "draw_erase_1d"
BASES = "_canvas_bases"
BASE_VIEWS = "_canvas_base_views"
"""The view (data window) each candidate base was shown in, beside :data:`BASES`."""
LOADED_VIEW = "_canvas_loaded_view"
"""The view of the drawing the canvas was last told to load."""
SENT = "_canvas_sent"
MODE_SEEN = "_canvas_mode_seen"
MAX_BASES = 8


def load_canvas(data: ds.Dataset | None) -> None:
    """Show ``data`` on the canvas (reloads it): the view, the circles and the exact-point map."""
    ss = st.session_state
    view = cv.canvas_view(data)
    objects, exact = cv.data_to_objects(data, view) if data is not None else ([], [])
    ss[S.CANVAS_VIEW] = view
    ss[S.CANVAS_TASK] = cv.canvas_task(data)
    ss[S.CANVAS_OBJECTS] = objects
    ss[S.CANVAS_EXACT] = exact
    set_initial_drawing(objects)
    ss[S.CANVAS_PROBLEM] = None


def clear_canvas() -> None:
    """Callback of the clear button: an empty drawing of the current task; the data are kept
    until the drawing is a valid data set."""
    ss = st.session_state
    task = ss.get(S.CANVAS_TASK, "classification")
    load_canvas(None)
    ss[S.CANVAS_TASK] = task
    if task == "regression1d" and S.DATA in ss:
        ss[S.CANVAS_VIEW] = ss[LOADED_VIEW] = cv.canvas_view(ss[S.DATA])
        ss[BASE_VIEWS] = [*ss[BASE_VIEWS][:-1], ss[S.CANVAS_VIEW]]
    ss[S.SOURCE] = "drawing"


def set_initial_drawing(objects: list[dict]) -> None:
    """(Re)load the canvas with ``objects``. Until the canvas echoes a load, the drawings it sends
    may be built on any drawing it showed since its last echo: those are kept as candidate bases
    (:data:`BASES`), the oldest first."""
    ss = st.session_state
    bases, views = ss.get(BASES), ss.get(BASE_VIEWS)
    view = ss.get(S.CANVAS_VIEW)
    if not bases or not views or len(views) != len(bases):
        shown = ss.get(SENT)
        if shown is None:
            shown = (ss.get(S.CANVAS_INITIAL) or {}).get("objects", [])
        bases, views = [list(shown)], [ss.get(LOADED_VIEW, view)]
    ss[BASES] = [*bases, list(objects)][-MAX_BASES:]
    ss[BASE_VIEWS] = [*views, view][-MAX_BASES:]
    ss[LOADED_VIEW] = view
    ss[S.CANVAS_INITIAL] = {"version": "6.0.0", "objects": list(objects)}


def restore_canvas() -> None:
    """Load the last drawing into the canvas; called whenever a page other than Data runs, so the
    canvas shows it again when the user comes back."""
    ss = st.session_state
    if S.CANVAS_OBJECTS in ss:
        ss[S.CANVAS_INITIAL] = {"version": "6.0.0", "objects": list(ss[S.CANVAS_OBJECTS])}
        ss[BASES] = None
        ss[BASE_VIEWS] = None
        ss[LOADED_VIEW] = ss.get(S.CANVAS_VIEW)
        ss[SENT] = None
        ss[S.CANVAS_SEEN] = None


CANVAS_PAGE = "_canvas_page"


def enter_page(page: str, canvas_pages: tuple[str, ...]) -> None:
    """Called by ``app.py`` before every page: :func:`restore_canvas` unless this run's page has a
    canvas and the previous run showed it too. A canvas is a new component on each page it is
    entered (the Data page's, the Playground's), so it starts from the last drawing; between
    reruns of its own page the reload guard of :func:`receive_drawing` must stay."""
    ss = st.session_state
    here = page if page in canvas_pages else None
    if here is None or ss.get(CANVAS_PAGE) != here:
        restore_canvas()
    ss[CANVAS_PAGE] = here


def click_color(task: str, fixed: bool = False) -> str:
    """The colour of the current click mode: the chosen class's, the regression point's, or the
    eraser's (``fixed``: the mode widget is hidden, a click adds class +1 or a regression point)."""
    ss = st.session_state
    if task == "classification":
        mode = 1 if fixed else ss.get(K.DRAW_CLASS, 1)
        return cv.ERASE_COLOR if mode == cv.ERASE else cv.CLASS_COLORS.get(mode, cv.CLASS_COLORS[1])
    return cv.ERASE_COLOR if not fixed and ss.get(ERASE_1D) else cv.REGRESSION_COLOR


def process_canvas(value, color: str) -> list[str]:
    """Take a drawing from the canvas if it is new (see :func:`receive_drawing`); new circles take
    ``color``, the current click mode's (:func:`click_color`); return notes."""
    st.session_state.setdefault(MODE_SEEN, color)  # the mode the canvas was first drawn in
    objects = cv.canvas_objects(value)
    if objects is None:
        return []
    signature = cv.canvas_signature(objects)
    if signature == st.session_state.get(S.CANVAS_SEEN):
        return []
    st.session_state[S.CANVAS_SEEN] = signature
    return receive_drawing(objects, color)[1]


def _rebase(objects: list[dict]) -> tuple[list[dict], bool]:
    """The drawing the user means: (objects, whether the canvas must be reloaded to show it).

    The drawing is compared with every drawing the canvas may have shown (the candidate bases):
    built on the latest load, it is taken as it is; built on an older one, its change (circles
    added or removed) is applied to the current drawing; an exact echo of an older one is
    ignored."""
    ss = st.session_state
    current = list(ss.get(S.CANVAS_OBJECTS) or [])
    bases = ss.get(BASES) or [current]
    views = ss.get(BASE_VIEWS) or []
    deltas = [cv.circle_delta(objects, base) for base in bases]
    sizes = [len(added) + len(gone) for added, gone in deltas]
    best = min(range(len(bases)), key=lambda i: (sizes[i], -i))
    added, gone = deltas[best]
    if best == len(bases) - 1:  # made on what the canvas shows now: the loads have arrived
        ss[BASES] = None
        ss[BASE_VIEWS] = None
        ss[LOADED_VIEW] = ss.get(S.CANVAS_VIEW)
        ss[SENT] = list(objects)
        return list(objects), False
    if sizes[best] == 0:  # a late echo of an older load
        return current, False
    view = ss.get(S.CANVAS_VIEW)
    old_view = views[best] if len(views) == len(bases) and views[best] is not None else view

    def here(circles: list[dict]) -> list[dict]:  # circles of the older base's frame, in this one
        return circles if old_view == view else _moved(circles, old_view, view)

    _, unmatched = cv.circle_delta(here([bases[best][k] for k in gone]), current)  # gone, still shown
    removed = set(range(len(current))) - set(unmatched)
    merged = [o for k, o in enumerate(current) if k not in removed]
    return merged + here([objects[k] for k in added]), True


def _moved(circles: list[dict], old_view, view) -> list[dict]:
    """The circles drawn in the canvas frame ``old_view``, moved to the same data points in the
    frame ``view`` (pixels -> data -> pixels)."""
    if not circles:
        return []
    old = np.array([cv.circle_centre(o) for o in circles])
    new = cv.to_pixels(cv.from_pixels(old, old_view), view)
    return [{**o, "left": float(o.get("left", 0)) + dx, "top": float(o.get("top", 0)) + dy}
            for o, (dx, dy) in zip(circles, new - old, strict=True)]


def _in_mode(objects: list[dict], previous: list[dict], color: str) -> tuple[list[dict], bool]:
    """The drawing with the circles it adds to ``previous`` in ``color``, if the click mode changed
    since the last drawing arrived (whether any circle changed). Only a pure addition is
    recoloured: a drawing that also loses circles is an edit (a moved point is one circle gone and
    one added) and keeps its colours."""
    ss = st.session_state
    last_mode, ss[MODE_SEEN] = ss.get(MODE_SEEN), color
    if last_mode in (None, color):
        return objects, False
    added, gone = cv.circle_delta(objects, previous)
    wrong = [k for k in added if str(objects[k].get("stroke") or "").lower() != color.lower()]
    if gone or not wrong:
        return objects, False
    return [cv.recolor(o, color) if k in wrong else o for k, o in enumerate(objects)], True


def receive_drawing(objects: list[dict], color: str | None = None) -> tuple[str | None, list[str]]:
    """Handle a drawing sent by the canvas: store it, and make it the data if it is valid. Circles
    it adds take ``color`` (the click mode's when the drawing arrived; None: as drawn).

    Returns (problem, notes): ``problem`` says why the drawing is not (yet) a data set, in
    which case the previous data are kept.
    """
    ss = st.session_state
    previous = list(ss.get(S.CANVAS_OBJECTS) or [])
    objects, reload = _rebase(list(objects or []))
    if color is not None:
        objects, recolored = _in_mode(objects, previous, color)
        reload = reload or recolored
    objects, erased = cv.apply_erasers(objects)
    if erased is not None or reload:
        set_initial_drawing(objects)  # show it without eraser marks, in the right colours
    ss[S.CANVAS_OBJECTS] = objects
    try:
        data = cv.objects_to_data(objects, ss[S.CANVAS_VIEW], ss[S.CANVAS_TASK], ss.get(S.CANVAS_EXACT))
        data, notes = state.validate(data)
    except ValueError as exc:
        drawn = len(cv.drawing_key(objects))
        count = f" Drawn so far: {drawn} point{'' if drawn == 1 else 's'}." if drawn else ""
        ss[S.CANVAS_PROBLEM] = sentence(str(exc)) + count
        return ss[S.CANVAS_PROBLEM], []
    ss[S.CANVAS_PROBLEM] = None
    old = ss.get(S.DATA)
    same = (old is not None and old.X.shape == data.X.shape and (old.X == data.X).all()
            and (old.y == data.y).all())
    if not same:
        state.set_data(ds.Dataset(data.X, data.y, data.task, "drawn", data.is_test), "drawing",
                       reset_canvas=False)
    return None, notes
