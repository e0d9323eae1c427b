"""What the app's pages share: the current data set, the experiment settings and the drawing.

Everything lives in ``st.session_state`` (one browser session), so it survives page switches.

- Widget keys are the names in :class:`K`. The experiment settings (``K.SETTINGS``) are short,
  URL-friendly names; their defaults are in :data:`DEFAULTS`, written once by :func:`init`, and
  the widgets are created without ``value=`` (the value always comes from session state).
- URL state: the settings live in the page URL (``?preset=spiral&n=60&beta=0.05``), on every
  page. The first run of a session reads them (:func:`read_url`), every run writes the current
  ones back, leaving out defaults (:func:`sync_url`). Drawn or uploaded points of at most
  :data:`URL_MAX_POINTS` travel compactly as ``pts`` (:func:`encode_points`). Page-specific
  widgets may bind themselves with ``bind="query-params"`` (their keys must differ from these).
- The current :class:`~convexnn.datasets.Dataset` is ``st.session_state[S.DATA]``. It only ever
  holds *valid* data: :func:`set_data` validates first and keeps the previous data on error.
  With ``S.SOURCE == "preset"`` the data follow the preset settings (:func:`sync_preset`
  regenerates them when the settings change), so a URL with settings reproduces the data.
- Every change of the data is recorded (:func:`set_data`), so :func:`undo` goes back.
- The drawing canvas: the objects it returned last (``S.CANVAS_OBJECTS``) and the drawing it is
  (re)loaded with (``S.CANVAS_INITIAL``, changed only when the data are replaced from outside or
  the page is re-entered, so the canvas is not reloaded under the user's clicks). Pure helpers
  convert between data coordinates and canvas pixels.
"""

from __future__ import annotations

import base64
import inspect
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

# cvxpy, joblib and pandas are imported lazily by pages; they are imported here once instead:
# every run starts with app.py -> app_state, whose body runs in one thread while other sessions
# wait for it. Lazy imports of packages with internal import cycles from concurrent sessions race
# ("partially initialized module 'pandas' has no attribute 'Series'", seen by tests/test_load.py
# on a fresh server).
import cvxpy  # noqa: F401
import joblib  # noqa: F401
import numpy as np
import pandas  # noqa: F401
import streamlit as st

from convexnn import datasets as ds
from convexnn.figures import NEGATIVE, POSITIVE

try:
    import sklearn.datasets  # noqa: F401  (the Real data page; same reason)
except ImportError:  # pragma: no cover
    pass

# --------------------------------------------------------------------------------------------
# Keys and limits
# --------------------------------------------------------------------------------------------


class K:
    """Widget keys, in one place. ``SETTINGS`` are the experiment settings (URL candidates)."""

    PRESET = "preset"
    N = "n"
    NOISE = "noise"
    SEED = "seed"
    BETA = "beta"
    LOSS = "loss"
    PROGRAM = "program"
    PRUNE = "prune"
    TEST = "test"
    PATTERNS = "patterns"
    SETTINGS = (PRESET, N, NOISE, SEED, TEST, BETA, LOSS, PROGRAM, PRUNE, PATTERNS)
    DATA_SETTINGS = (PRESET, N, NOISE, SEED, TEST)

    DRAW_CLASS = "draw_class"
    CANVAS = "canvas"
    CLEAR = "clear_canvas"
    GENERATE = "generate"
    UPLOAD = "upload_csv"
    DOWNLOAD = "download_csv"
    UNDO = "undo_data"
    POINTS = "pts"  # URL parameter of compact points (not a widget)


class S:
    """Session-state keys that are not widgets."""

    DATA = "_data"
    SOURCE = "_data_source"  # "preset", "drawing" or "upload"
    DATA_SETTINGS = "_data_settings"  # the preset settings the data were generated with
    CANVAS_OBJECTS = "_canvas_objects"
    CANVAS_INITIAL = "_canvas_initial"
    CANVAS_SEEN = "_canvas_seen"
    CANVAS_VIEW = "_canvas_view"
    CANVAS_TASK = "_canvas_task"
    CANVAS_EXACT = "_canvas_exact"
    CANVAS_PROBLEM = "_canvas_problem"
    CANVAS_PENDING = "_canvas_pending"  # drawing key of the last (re)load, until the canvas echoes it
    CANVAS_STALE = "_canvas_stale"  # drawing key of the load before
    PAGE = "_page"
    FLASH = "_flash"
    FLASH_KEPT = "_flash_kept"  # data messages shown again on automatic reruns (see show_flashes)
    HISTORY = "_data_history"
    MADE_WITH = "_data_made_with"  # the preset settings the current preset data were made with
    URL_READ = "_url_read"
    URL_WRITTEN = "_url_written"


TALK = "talk"
PRESETS = tuple(ds.GENERATORS) + (TALK,)
FIXED_PRESETS = (TALK,)
"""Presets without size, noise or seed (fixed points)."""
LOSSES = ("squared", "logistic", "hinge")
PROGRAMS = ("exact", "gated")
PATTERN_SOURCES = ("exact", "gaussian", "geometric")
DEFAULTS = {
    K.PRESET: "moons",
    K.N: 40,
    K.NOISE: 0.1,
    K.SEED: 0,
    K.TEST: 0.0,
    K.BETA: 0.1,
    K.LOSS: "squared",
    K.PROGRAM: "exact",
    K.PRUNE: True,
    K.PATTERNS: "exact",
}
"""The app opens on the moons (40 points) solved at beta = 0.1: about 0.2 s, 13 neurons."""

N_RANGE = (4, 200)
TEST_RANGE = (0.0, 0.5)
BETA_RANGE = (1e-6, 1e4)
MAX_POINTS = 500
"""Most points the Data page accepts (drawing or CSV)."""
MAX_UPLOAD_MB = 5
"""Largest CSV (Data page) or network JSON file a page accepts, in MB (checked in the browser)."""
MAX_FEATURE_UPLOAD_MB = 50
"""Largest feature file on the Real data page, in MB; also the server's ``maxUploadSize``."""
MAX_SOLVE_POINTS = 200
"""Most points the solving pages solve for (about a minute at 200 points)."""
SLOW_SOLVE_POINTS = 100

CANVAS_SIZE = 400
POINT_RADIUS = 5
POINT_STROKE = 1
CLASS_COLORS = {1: POSITIVE, -1: NEGATIVE}
REGRESSION_COLOR = "#333333"
DRAW_TASKS = ("classification", "regression1d")

PAGE_DATA = "dataset"
URL_MAX_POINTS = 100
"""Drawn or uploaded data of at most this many points are written into the URL (``pts``)."""
HISTORY_LENGTH = 30
ERASE = "erase"
ERASE_COLOR = "#e0245e"
ERASE_PIXELS = 14
"""A click in erase mode removes the nearest point within this many canvas pixels."""


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    preset: str
    n: int
    noise: float
    seed: int
    beta: float
    loss: str
    program: str
    prune: bool
    test: float = 0.0
    patterns: str = "exact"

    def data_key(self) -> tuple:
        return (self.preset, self.n, self.noise, self.seed, self.test)


def settings() -> Settings:
    """The current experiment settings (defaults where a value is missing or invalid)."""
    ss = st.session_state
    get = lambda k: ss.get(k, DEFAULTS[k])  # noqa: E731
    preset = get(K.PRESET) if get(K.PRESET) in PRESETS else DEFAULTS[K.PRESET]
    loss = get(K.LOSS) if get(K.LOSS) in LOSSES else DEFAULTS[K.LOSS]
    program = get(K.PROGRAM) if get(K.PROGRAM) in PROGRAMS else DEFAULTS[K.PROGRAM]
    patterns = get(K.PATTERNS) if get(K.PATTERNS) in PATTERN_SOURCES else DEFAULTS[K.PATTERNS]
    return Settings(preset, int(get(K.N)), float(get(K.NOISE)), int(get(K.SEED)), float(get(K.BETA)),
                    loss, program, bool(get(K.PRUNE)), float(get(K.TEST)), patterns)


def init() -> None:
    """Write the defaults and the default data into a new session (idempotent)."""
    ss = st.session_state
    if S.FLASH not in ss:
        ss[S.FLASH] = []
    first = not ss.get(S.URL_READ)
    points = read_url() if first else None
    for key, value in DEFAULTS.items():
        if key not in ss:
            ss[key] = value
    if S.DATA not in ss:
        ss[S.SOURCE] = "preset"
        ss[S.DATA_SETTINGS] = None
    if points is not None:
        set_data(points, "drawing", record=False)
    sync_preset()
    sync_url()


def sync_preset() -> None:
    """Regenerate the data when they follow the preset and its settings changed."""
    ss = st.session_state
    if ss.get(S.SOURCE) != "preset":
        return
    s = settings()
    if ss.get(S.DATA_SETTINGS) == s.data_key() and S.DATA in ss:
        return
    try:
        data = generate_preset(s.preset, s.n, s.noise, s.seed, s.test)
    except ValueError as exc:  # e.g. a size a generator does not accept
        flash("error", f"Could not generate the {s.preset} data: {exc}. The previous data are kept.",
              keep=True)
        ss[S.DATA_SETTINGS] = s.data_key()
        return
    if set_data(data, "preset"):
        ss[S.DATA_SETTINGS] = s.data_key()
        ss[S.MADE_WITH] = s.data_key()


def generate_preset(name: str, n: int, noise: float, seed: int, test: float = 0.0) -> ds.Dataset:
    """The preset's data (the talk's three points ignore n, noise and seed), with a seeded
    train/test split holding out ``test`` of the points."""
    data = ds.talk_example() if name == TALK else ds.generate(name, n, noise, seed)
    return data.with_split(test, seed) if test > 0 else data


def preset_noise(name: str) -> float:
    """The generator's own default noise for a preset (what the preset looks like)."""
    if name in FIXED_PRESETS:
        return 0.0
    default = inspect.signature(ds.GENERATORS[name]).parameters["noise"].default
    return float(default)


def on_preset_change() -> None:
    """Callback of the preset choice: the preset's own noise, and data that follow the preset."""
    name = st.session_state.get(K.PRESET)
    if name in PRESETS:
        st.session_state[K.NOISE] = preset_noise(name)
    use_preset()


def use_preset() -> None:
    """Callback of the preset widgets: the data follow the preset settings again."""
    st.session_state[S.SOURCE] = "preset"
    st.session_state[S.DATA_SETTINGS] = None


# --------------------------------------------------------------------------------------------
# URL state
# --------------------------------------------------------------------------------------------


def _choice(options):
    def parse(text: str):
        if text not in options:
            raise ValueError(f"use one of {', '.join(options)}")
        return text

    return parse


def _number(kind, lo, hi, digits=None):
    def parse(text: str):
        try:
            value = kind(float(text)) if kind is int else float(text)
        except ValueError:
            raise ValueError("not a number") from None
        if not (np.isfinite(value) and lo <= value <= hi):
            raise ValueError(f"must lie in [{lo:g}, {hi:g}]")
        return round(value, digits) if digits is not None else value

    return parse


def _flag(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError("use true or false")


URL_PARSERS = {
    K.PRESET: _choice(PRESETS),
    K.N: _number(int, *N_RANGE),
    K.NOISE: _number(float, 0.0, 0.5, 2),
    K.SEED: _number(int, 0, 1_000_000),
    K.TEST: _number(float, *TEST_RANGE, 2),
    K.BETA: _number(float, *BETA_RANGE),
    K.LOSS: _choice(LOSSES),
    K.PROGRAM: _choice(PROGRAMS),
    K.PRUNE: _flag,
    K.PATTERNS: _choice(PATTERN_SOURCES),
}
"""How each setting is read from the URL (a bad value is ignored with a warning)."""


def read_url() -> ds.Dataset | None:
    """Take the settings from the URL into session state (first run of a session).

    Returns the data carried in ``pts`` (to be made the current data), or None. Values that
    cannot be used are shown as a warning at the top of the page the link opens.
    """
    ss = st.session_state
    ss[S.URL_READ] = True
    params = st.query_params
    for key, parse in URL_PARSERS.items():
        if key not in params:
            continue
        text = params[key]
        try:
            ss[key] = parse(text)
        except ValueError as exc:
            st.warning(f"The link's {key}={plain(repr(text[:30]))} was ignored: {plain(exc)}.")
    if K.POINTS in params:
        try:
            return decode_points(params[K.POINTS])
        except ValueError as exc:
            st.warning(f"The link's points could not be read ({exc}); showing the preset instead.")
    return None


def _url_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def url_params() -> dict[str, str]:
    """The URL parameters that reproduce the current view: settings that differ from the
    defaults, and the points themselves when they are not a preset and small enough."""
    ss = st.session_state
    out = {}
    for key in K.SETTINGS:
        value = ss.get(key, DEFAULTS[key])
        if value != DEFAULTS[key]:
            out[key] = _url_value(value)
    if ss.get(S.SOURCE) != "preset" and S.DATA in ss:
        encoded = encode_points(ss[S.DATA])
        if encoded is not None:
            out[K.POINTS] = encoded
    return out


def sync_url() -> None:
    """Write :func:`url_params` into the page URL (only the keys it owns; others are left)."""
    want = url_params()
    params = st.query_params
    changes = {k: v for k, v in want.items() if params.get(k) != v}
    if changes:
        params.update(changes)
    for key in (*K.SETTINGS, K.POINTS):
        if key not in want and key in params:
            del params[key]
    st.session_state[S.URL_WRITTEN] = want


def points_in_url() -> bool:
    """Whether the current (non-preset) data fit in the URL."""
    ss = st.session_state
    return ss.get(S.SOURCE) == "preset" or encode_points(ss[S.DATA]) is not None


_URL_SCALE = 1000.0  # coordinates travel as int16 multiples of 1e-3


def encode_points(data: ds.Dataset) -> str | None:
    """A compact URL-safe text of small data (coordinates and targets rounded to 1e-3), or None
    when there are more than :data:`URL_MAX_POINTS` points or values beyond +-32.7."""
    if data.n > URL_MAX_POINTS or data.dim > 2:
        return None
    values = np.column_stack([data.X, data.y])
    if np.abs(values).max() * _URL_SCALE > 32767:
        return None
    q = np.round(values * _URL_SCALE).astype("<i2")
    has_mask = data.is_test is not None
    header = bytes([1, data.dim, 0 if data.task == ds.CLASSIFICATION else 1, int(has_mask)])
    header += int(data.n).to_bytes(2, "little")
    body = q.tobytes() + (np.packbits(data.is_test).tobytes() if has_mask else b"")
    return base64.urlsafe_b64encode(zlib.compress(header + body, 9)).rstrip(b"=").decode("ascii")


def decode_points(text: str) -> ds.Dataset:
    """The data set of :func:`encode_points` (raises ``ValueError`` if the text is damaged)."""
    try:
        raw = zlib.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, zlib.error):
        raise ValueError("the text is not an encoded point set") from None
    if len(raw) < 6 or raw[0] != 1 or raw[1] not in (1, 2) or raw[2] not in (0, 1):
        raise ValueError("unknown point format")
    d, task, has_mask = raw[1], (ds.CLASSIFICATION if raw[2] == 0 else ds.REGRESSION), bool(raw[3])
    n = int.from_bytes(raw[4:6], "little")
    size = n * (d + 1) * 2
    mask_size = (n + 7) // 8 if has_mask else 0
    if n > URL_MAX_POINTS or len(raw) != 6 + size + mask_size:
        raise ValueError("the point list has the wrong length")
    values = np.frombuffer(raw[6 : 6 + size], dtype="<i2").reshape(n, d + 1) / _URL_SCALE
    mask = None
    if has_mask:
        mask = np.unpackbits(np.frombuffer(raw[6 + size :], dtype=np.uint8))[:n].astype(bool)
    return ds.Dataset(values[:, :d], values[:, d], task, "shared", mask)


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


def current_data() -> ds.Dataset:
    return st.session_state[S.DATA]


def validate(data: ds.Dataset, max_points: int = MAX_POINTS) -> tuple[ds.Dataset, list[str]]:
    """Check a data set for the app: drop duplicate points, enforce the size limit.

    Returns (data, notes) or raises ``ValueError`` with a message for the user.
    """
    notes = []
    data, dropped = ds.drop_duplicates(data)
    if dropped:
        notes.append(f"Dropped {dropped} duplicate point{'s' if dropped > 1 else ''} "
                     f"(same coordinates as an earlier point).")
    ds.check_data(data.X, data.y, data.task)  # again, after dropping
    if data.n > max_points:
        raise ValueError(f"the data have {data.n} points; this page accepts at most {max_points}")
    if data.dim not in (1, 2):
        raise ValueError(f"the data have {data.dim} input columns; the app shows 1 or 2 (x1[, x2])")
    if data.is_test is not None:
        try:
            data.train()
        except ValueError as exc:
            raise ValueError(f"the training part (without the {int(data.is_test.sum())} test points) "
                             f"is not a data set: {exc}") from None
        try:  # Dataset.test() validates too (two points, both classes), and pages call it
            data.test()
        except ValueError as exc:
            raise ValueError(f"the {int(data.is_test.sum())} test points are not a data set: {exc} "
                             "(hold out more points)") from None
    return data, notes


def set_data(data: ds.Dataset, source: str, reset_canvas: bool = True, record: bool = True) -> bool:
    """Make ``data`` the current data set if it is valid; otherwise keep the previous data.

    Messages (dropped duplicates, errors) are queued with :func:`flash`. The previous data are
    recorded for :func:`undo` (unless ``record`` is false). Returns success.
    """
    ss = st.session_state
    try:
        data, notes = validate(data)
    except ValueError as exc:
        flash("error", f"{_sentence(str(exc))} The previous data are kept.", keep=True)
        return False
    forget_kept_messages()
    for note in notes:
        flash("warning", note, keep=True)
    if record and S.DATA in ss:
        remember()
    ss[S.DATA] = data
    ss[S.SOURCE] = source
    if reset_canvas:
        load_canvas(data)
    return True


def remember() -> None:
    """Push the current data, their source and the preset settings onto the undo history."""
    ss = st.session_state
    history = ss.setdefault(S.HISTORY, [])
    history.append({"data": ss[S.DATA], "source": ss.get(S.SOURCE), "data_settings": ss.get(S.MADE_WITH)})
    del history[:-HISTORY_LENGTH]


def can_undo() -> bool:
    return bool(st.session_state.get(S.HISTORY))


def undo() -> None:
    """Callback of the Undo button: the previous data (and the preset settings they had) return."""
    ss = st.session_state
    history = ss.get(S.HISTORY) or []
    if not history:
        return
    last = history.pop()
    if last["source"] == "preset" and last["data_settings"] is not None:
        # the preset settings the data were made with (data_key order = K.DATA_SETTINGS)
        for key, value in zip(K.DATA_SETTINGS, last["data_settings"], strict=True):
            ss[key] = value
        ss[S.MADE_WITH] = last["data_settings"]
    ss[S.DATA] = last["data"]
    ss[S.SOURCE] = last["source"]
    ss[S.DATA_SETTINGS] = last["data_settings"]
    load_canvas(last["data"])


def on_split_change() -> None:
    """Callback of the test-fraction slider: preset data are regenerated with the split, other
    data get a new seeded split (drawn points keep their coordinates)."""
    ss = st.session_state
    if ss.get(S.SOURCE) == "preset":
        use_preset()
        return
    data = ss.get(S.DATA)
    if data is None:
        return
    frac = float(ss.get(K.TEST, 0.0))
    try:
        split = data.with_split(frac, int(ss.get(K.SEED, 0)))
    except ValueError as exc:
        flash("error", _sentence(str(exc)), keep=True)
        return
    set_data(split, ss.get(S.SOURCE) or "drawing")


def load_csv(content: bytes | str, name: str = "uploaded") -> bool:
    """Parse CSV text and make it the current data; errors become messages.

    User text (the file name, the cells quoted in an error) is shown as plain text (:func:`plain`),
    and the data set is named after the file with only letters, digits, spaces, dots and dashes.
    """
    shown = plain(name[:80])
    try:
        data = ds.from_csv(content, max_rows=MAX_POINTS)
    except ValueError as exc:
        flash("error", f"Could not read {shown}: {plain(_sentence(str(exc)))} The previous data are kept.",
              keep=True)
        return False
    data = ds.Dataset(data.X, data.y, data.task, safe_name(name), data.is_test)
    if set_data(data, "upload"):
        flash("success", f"Loaded {current_data().n} points from {shown}.", keep=True)
        return True
    return False


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()<>!$~])")


def plain(text: str) -> str:
    """``text`` with the Markdown characters that could format it escaped (and newlines made
    spaces, so it never starts a line), so user text in a message renders literally: no links,
    images, emphasis, code, maths, HTML or coloured ``:red[...]`` spans."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text).replace("\n", " "))


def safe_name(file_name: str) -> str:
    """A data set name from an uploaded file's name: the stem, at most 40 characters of letters,
    digits, spaces, dots and dashes (anything else becomes a dash)."""
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    name = re.sub(r"[^A-Za-z0-9 .\-]", "-", stem)[:40].strip(" .-")
    return name or "uploaded"


def describe(data: ds.Dataset) -> str:
    """A one-line description: name, size, task."""
    kind = data.task if data.task == ds.CLASSIFICATION else f"{data.dim}-D regression"
    extra = ""
    if data.task == ds.CLASSIFICATION:
        extra = f" ({int(np.sum(data.y > 0))} +1, {int(np.sum(data.y < 0))} −1)"
    if data.is_test is not None:
        extra += f", {int(data.is_test.sum())} held out"
    return f"{data.name}: {data.n} points, {kind}{extra}"


# --------------------------------------------------------------------------------------------
# Messages that survive a rerun (callbacks cannot draw on the page)
# --------------------------------------------------------------------------------------------


FLASH_SECONDS = 30.0
"""How long a message about the data (``flash(..., keep=True)``) stays on its page."""


def flash(level: str, text: str, keep: bool = False) -> None:
    """Queue a message for the next :func:`show_flashes`. ``keep``: a message about the data (an
    upload refused, points dropped), shown again on the reruns that follow within
    :data:`FLASH_SECONDS` (an upload or a canvas is often followed by an automatic rerun, which
    would otherwise wipe the message a second after it appeared)."""
    st.session_state.setdefault(S.FLASH, []).append((level, text, keep))


def show_flashes() -> None:
    """Show the queued messages (and forget them), then the kept ones of this page, if recent."""
    import time

    ss = st.session_state
    queued = [(m + (False,))[:3] for m in ss.get(S.FLASH, [])]
    ss[S.FLASH] = []
    caller = inspect.currentframe().f_back
    page = caller.f_code.co_filename if caller is not None else ""
    kept = [(level, text) for level, text, keep in queued if keep]
    if kept:
        ss[S.FLASH_KEPT] = {"page": page, "until": time.monotonic() + FLASH_SECONDS, "messages": kept}
    old = ss.get(S.FLASH_KEPT)
    shown = [(level, text) for level, text, _ in queued]
    if old and not kept and old["page"] == page and time.monotonic() < old["until"]:
        shown = old["messages"] + shown
    elif old and not kept:
        ss.pop(S.FLASH_KEPT, None)
    for level, text in shown:
        getattr(st, level if level in ("error", "warning", "success", "info") else "info")(text)


def forget_kept_messages() -> None:
    """The data changed: messages about the previous attempt are no longer shown."""
    st.session_state.pop(S.FLASH_KEPT, None)


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


# --------------------------------------------------------------------------------------------
# Canvas: pixels <-> data
# --------------------------------------------------------------------------------------------


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


def load_canvas(data: ds.Dataset | None) -> None:
    """Show ``data`` on the canvas (reloads it): the view, the circles and the exact-point map."""
    ss = st.session_state
    view = canvas_view(data)
    objects, exact = data_to_objects(data, view) if data is not None else ([], [])
    ss[S.CANVAS_VIEW] = view
    ss[S.CANVAS_TASK] = canvas_task(data)
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
        ss[S.CANVAS_VIEW] = canvas_view(ss[S.DATA])
    ss[S.SOURCE] = "drawing"


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


def set_initial_drawing(objects: list[dict]) -> None:
    """(Re)load the canvas with ``objects``. The canvas answers a reload by sending the drawing
    back; until that echo arrives, an echo of the drawing loaded before is stale (e.g. Undo
    clicked before the echo of an erase) and is ignored by :func:`receive_drawing`."""
    ss = st.session_state
    previous = ss.get(S.CANVAS_INITIAL)
    ss[S.CANVAS_STALE] = drawing_key(previous["objects"]) if previous else None
    ss[S.CANVAS_PENDING] = drawing_key(objects)
    ss[S.CANVAS_INITIAL] = {"version": "6.0.0", "objects": list(objects)}


def canvas_signature(objects: list[dict] | None) -> str:
    """A stable fingerprint of a drawing, to notice when the canvas sent something new."""
    return json.dumps(objects or [], sort_keys=True, default=str)


def restore_canvas() -> None:
    """Load the last drawing into the canvas; called whenever a page other than Data runs, so the
    canvas shows it again when the user comes back."""
    ss = st.session_state
    if S.CANVAS_OBJECTS in ss:
        set_initial_drawing(ss[S.CANVAS_OBJECTS])
        ss[S.CANVAS_SEEN] = None


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


def process_canvas(value) -> list[str]:
    """Take a drawing from the canvas if it is new (see :func:`receive_drawing`); return notes."""
    objects = canvas_objects(value)
    if objects is None:
        return []
    signature = canvas_signature(objects)
    if signature == st.session_state.get(S.CANVAS_SEEN):
        return []
    st.session_state[S.CANVAS_SEEN] = signature
    return receive_drawing(objects)[1]


def receive_drawing(objects: list[dict]) -> tuple[str | None, list[str]]:
    """Handle a drawing sent by the canvas: store it, and make it the data if it is valid.

    Returns (problem, notes): ``problem`` says why the drawing is not (yet) a data set, in
    which case the previous data are kept.
    """
    ss = st.session_state
    key = drawing_key(objects)
    pending = ss.get(S.CANVAS_PENDING)
    if pending is not None:
        if key != pending and key == ss.get(S.CANVAS_STALE):
            return None, []  # a late echo of the drawing loaded before the current one
        ss[S.CANVAS_PENDING] = None
    objects, erased = apply_erasers(list(objects or []))
    if erased is not None:
        # show the drawing without the eraser marks and the erased points
        set_initial_drawing(objects)
    ss[S.CANVAS_OBJECTS] = objects
    try:
        data = objects_to_data(objects, ss[S.CANVAS_VIEW], ss[S.CANVAS_TASK], ss.get(S.CANVAS_EXACT))
        data, notes = validate(data)
    except ValueError as exc:
        ss[S.CANVAS_PROBLEM] = _sentence(str(exc))
        return ss[S.CANVAS_PROBLEM], []
    ss[S.CANVAS_PROBLEM] = None
    old = ss.get(S.DATA)
    same = (old is not None and old.X.shape == data.X.shape and np.array_equal(old.X, data.X)
            and np.array_equal(old.y, data.y))
    if not same:
        set_data(ds.Dataset(data.X, data.y, data.task, "drawn", data.is_test), "drawing",
                 reset_canvas=False)
    return None, notes


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------


def page_header(path: Path) -> tuple[float, str, str, str] | None:
    """(order, title, icon, url path) from a page file's first line, or None if it has none.

    The line reads ``# page: <order> | <title> | <icon> | <url path>``.
    """
    with open(path, encoding="utf-8") as f:
        first = f.readline().strip()
    if not first.startswith("# page:"):
        return None
    parts = [p.strip() for p in first[len("# page:"):].split("|")]
    if len(parts) != 4:
        raise ValueError(f"{path.name}: the page header needs 4 fields, got {first!r}")
    return float(parts[0]), parts[1], parts[2], parts[3]


def discover_pages(folder: Path) -> list:
    """``st.Page`` objects for every page file in ``folder``, in header order (first = default)."""
    found = []
    for path in sorted(Path(folder).glob("*.py")):
        header = page_header(path)
        if header is not None:
            found.append((header, path))
    found.sort(key=lambda item: item[0][0])
    return [
        st.Page(str(path.relative_to(Path(folder).parent)), title=title, icon=icon,
                url_path=url, default=(k == 0))
        for k, ((_, title, icon, url), path) in enumerate(found)
    ]
