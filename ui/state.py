"""Session state: the current data set (always valid), the presets it may follow, undo, CSV.

Everything lives in ``st.session_state`` (one browser session), so it survives page switches.
The current :class:`~convexnn.data.datasets.Dataset` only ever holds *valid* data: :func:`set_data`
validates first and keeps the previous data on error. With source ``"preset"`` the data follow
the preset settings (:func:`sync_preset` regenerates them when the settings change), so a URL
with settings reproduces the data. Every change of the data is recorded, so :func:`undo` goes
back.
"""

from __future__ import annotations

import inspect

import numpy as np
import streamlit as st

from convexnn import datasets as ds
from ui import drawing, messages, schema, url
from ui.keys import K, S
from ui.schema import DATA_SETTINGS, FIXED_PRESETS, MAX_POINTS, PRESETS, TALK
from ui.text import plain, safe_name, sentence

HISTORY_LENGTH = 30


def init(page: str = "") -> None:
    """Prepare a run: the page it shows (for messages), the link's settings on a session's first
    run, every setting's default, and the data (idempotent)."""
    ss = st.session_state
    messages.set_page(page)
    points = url.read_url() if not ss.get(url.URL_READ) else None
    schema.write_defaults()
    if S.DATA not in ss:
        ss[S.SOURCE] = "preset"
        ss[S.DATA_SETTINGS] = None
    if points is not None:
        set_data(points, "drawing", record=False)
    sync_preset()


def current_data() -> ds.Dataset:
    return st.session_state[S.DATA]


def sync_preset() -> None:
    """Regenerate the data when they follow the preset and its settings changed."""
    ss = st.session_state
    if ss.get(S.SOURCE) != "preset":
        return
    s = schema.settings()
    if ss.get(S.DATA_SETTINGS) == s.data_key() and S.DATA in ss:
        return
    try:
        data = generate_preset(s.preset, s.n, s.noise, s.seed, s.test)
    except ValueError as exc:  # e.g. a size a generator does not accept
        messages.flash("error", f"Could not generate the {s.preset} data: {plain(exc)}. The previous data "
                                "are kept.", keep=True)
        data = None
    ss[S.DATA_SETTINGS] = s.data_key()  # tried once: not again on every run
    if data is not None and set_data(data, "preset"):
        ss[S.MADE_WITH] = s.data_key()
    elif S.DATA not in ss:  # no previous data (a link's first run): the default preset
        d = schema.default
        set_data(generate_preset(d("preset"), d("n"), d("noise"), d("seed")), "preset", record=False)


def generate_preset(name: str, n: int, noise: float, seed: int, test: float = 0.0) -> ds.Dataset:
    """The preset's data (the talk's three points ignore n, noise and seed), with a seeded
    train/test split holding out ``test`` of the points."""
    data = ds.talk_example() if name == TALK else ds.generate(name, n, noise, seed)
    return data.with_split(test, seed) if test > 0 else data


def preset_noise(name: str) -> float:
    """The generator's own default noise for a preset (what the preset looks like)."""
    if name in FIXED_PRESETS:
        return 0.0
    return float(inspect.signature(ds.GENERATORS[name]).parameters["noise"].default)


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
        held = int(data.is_test.sum())
        try:
            data.train()
        except ValueError as exc:
            raise ValueError(f"the training part (without the {held} test points) is not a data set: "
                             f"{exc}") from None
        try:  # Dataset.test() validates too (two points, both classes), and pages call it
            data.test()
        except ValueError as exc:
            raise ValueError(f"the {held} test points are not a data set: {exc} (hold out more "
                             f"points)") from None
    return data, notes


def set_data(data: ds.Dataset, source: str, reset_canvas: bool = True, record: bool = True) -> bool:
    """Make ``data`` the current data set if it is valid; otherwise keep the previous data.

    Messages (dropped duplicates, errors) are queued with :func:`ui.messages.flash`. The previous
    data are recorded for :func:`undo` (unless ``record`` is false). Returns success.
    """
    ss = st.session_state
    try:
        data, notes = validate(data)
    except ValueError as exc:
        messages.flash("error", f"{plain(sentence(str(exc)))} The previous data are kept.", keep=True)
        return False
    messages.forget_kept()
    for note in notes:
        messages.flash("warning", note, keep=True)
    if record and S.DATA in ss:
        remember()
    ss[S.DATA] = data
    ss[S.SOURCE] = source
    if reset_canvas:
        drawing.load_canvas(data)
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
        for key, value in zip(DATA_SETTINGS, last["data_settings"], strict=True):
            ss[key] = value
        ss[S.MADE_WITH] = last["data_settings"]
    ss[S.DATA] = last["data"]
    ss[S.SOURCE] = last["source"]
    ss[S.DATA_SETTINGS] = last["data_settings"]
    drawing.load_canvas(last["data"])


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
    frac = float(schema.value(K.TEST))
    try:
        split = data.with_split(frac, int(schema.value(K.SEED)))
    except ValueError as exc:
        messages.flash("error", plain(sentence(str(exc))), keep=True)
        return
    set_data(split, ss.get(S.SOURCE) or "drawing")


def load_csv(content: bytes | str, name: str = "uploaded") -> bool:
    """Parse CSV text and make it the current data; errors become messages (user text plain)."""
    shown = plain(name, limit=80)
    try:
        data = ds.from_csv(content, max_rows=MAX_POINTS)
    except ValueError as exc:
        messages.flash("error", f"Could not read {shown}: {plain(sentence(str(exc)))} The previous data "
                                "are kept.", keep=True)
        return False
    data = ds.Dataset(data.X, data.y, data.task, safe_name(name), data.is_test)
    if set_data(data, "upload"):
        messages.flash("success", f"Loaded {current_data().n} points from {shown}.", keep=True)
        return True
    return False


def describe(data: ds.Dataset) -> str:
    """A one-line description: name, size, task (plain text: escape it for Markdown)."""
    kind = data.task if data.task == ds.CLASSIFICATION else f"{data.dim}-D regression"
    extra = ""
    if data.task == ds.CLASSIFICATION:
        extra = f" ({int(np.sum(data.y > 0))} +1, {int(np.sum(data.y < 0))} −1)"
    if data.is_test is not None:
        extra += f", {int(data.is_test.sum())} held out"
    return f"{data.name}: {data.n} points, {kind}{extra}"
