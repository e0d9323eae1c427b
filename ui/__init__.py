"""The app's UI layer (Streamlit only; the mathematics is in :mod:`convexnn`).

A page does::

    import ui
    data = ui.current_data()                  # the current data set (always valid)
    s = ui.settings()                         # the shared experiment settings (beta, loss, ...)
    ui.widgets.slider("arr_seeds", "seeds")   # a widget from the settings schema (URL, range)
    result = ui.compute.solve(X, y, ...)      # cached computations (st.cache_data/resource)
    ui.flash("warning", f"Could not read {ui.plain(name)}")   # a message; user text plain

Modules: :mod:`ui.schema` (settings: name, type, default, range, URL), :mod:`ui.url` (links and
the point codec), :mod:`ui.state` (data, presets, undo, CSV), :mod:`ui.canvas` (pure pixel
maths), :mod:`ui.drawing` (the canvas's session side), :mod:`ui.messages`, :mod:`ui.text`
(escaping), :mod:`ui.widgets`, :mod:`ui.compute`, :mod:`ui.charts` (cached figures),
:mod:`ui.results`, :mod:`ui.landscape`, :mod:`ui.docs` (the Mathematics page), :mod:`ui.first_view`
(default views stored in assets/: AdamW, Deep networks, Complexity, Stationary points, All global
optima's critical width, the Lasso path, the recovery grid).
"""

# pandas is imported lazily by pages; it is imported here once instead: every run starts with
# app.py -> ui, whose body runs in one thread while other sessions wait. Lazy imports of packages
# with internal import cycles from concurrent sessions race ("partially initialized module 'pandas'
# has no attribute 'Series'", seen by tests/browser/test_load.py on a fresh server). cvxpy, joblib and
# sklearn are imported at server start (ui.warmup.START_IMPORTS) before anyone visits; convexnn
# imports them only inside functions, where a second importer waits for the first.
import gc

import pandas  # noqa: F401

from ui import (
    canvas,
    charts,
    compute,
    docs,
    drawing,
    keys,
    messages,
    plot,
    results,
    schema,
    state,
    text,
    url,
    widgets,
)
from ui.drawing import restore_canvas
from ui.keys import K, S
from ui.messages import flash, show_messages
from ui.schema import (
    FIXED_PRESETS,
    LOSSES,
    MAX_FEATURE_UPLOAD_MB,
    MAX_POINTS,
    MAX_SOLVE_POINTS,
    MAX_UPLOAD_MB,
    PAGE_DATA,
    PATTERN_LABELS,
    PATTERN_SOURCES,
    PRESETS,
    PROGRAMS,
    SLOW_SOLVE_POINTS,
    TALK,
    Settings,
    settings,
)
from ui.state import current_data, describe, init
from ui.text import plain
from ui.url import sync_url

__all__ = [
    "FIXED_PRESETS", "K", "LOSSES", "MAX_FEATURE_UPLOAD_MB", "MAX_POINTS", "MAX_SOLVE_POINTS",
    "MAX_UPLOAD_MB", "PAGE_DATA", "PATTERN_LABELS", "PATTERN_SOURCES", "PRESETS", "PROGRAMS", "S",
    "SLOW_SOLVE_POINTS", "Settings", "TALK", "canvas", "charts", "compute", "current_data", "describe",
    "docs", "drawing", "flash", "init", "keys", "messages", "plain", "plot", "restore_canvas", "results",
    "schema", "settings", "show_messages", "state", "sync_url", "text", "url", "widgets",
]

# Streamlit collects garbage after every script run (runner.postScriptGC): a full collection walks
# every object of the process, ~190,000 after the imports above (about 0.1 s of CPU per run, half
# a cached page run's cost in a lecture hall, bench/README.md). The modules' objects live as long
# as the server; gc.freeze moves them out of the collector's generations once, so each run's
# collection walks only what later runs made (the sessions' garbage is still collected).
gc.freeze()
