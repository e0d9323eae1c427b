"""Hypothesis over whole links, at app level (AppTest): any mix of good and bad values for the
settings of ui/schema.py, unknown parameters and point texts (good, damaged, bombs).

Whatever the link, the app draws no exception element; each bad value is a readable message
naming it and its default is used; each good value is used; and the session still solves on the
Global optimum page. ``tests/unit/test_ui.py`` checks the validator itself value by value. Eight
derandomized examples (about two page runs each), not shrunk: a failure prints its whole link.
"""

import base64
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

import ui
from convexnn import datasets as ds
from ui import S
from ui.schema import MAX_TEXT, POINTS, RESERVED, SCHEMA

OPTIMUM_PAGE = "views/global_optimum.py"
URL_SETTINGS = sorted(name for name, s in SCHEMA.items() if s.url)
QUICK = {"n": 60, "optimum_samples": 300}
"""Upper ends of the good values drawn for the settings that set the solve's size (a quick test)."""


# --------------------------------------------------------------------------------------------
# Good values (with the value the app must hold) and bad texts of one setting
# --------------------------------------------------------------------------------------------


def good_value(name: str):
    """A strategy of (URL text, the value it means) for a setting, its meaning worked out here."""
    s = SCHEMA[name]
    if s.kind is bool:
        return st.sampled_from([("true", True), ("1", True), ("on", True), ("false", False), ("0", False),
                                ("no", False)])
    if s.kind is list:
        return st.lists(st.sampled_from(s.choices), unique=True).map(
            lambda xs: (",".join(map(str, xs)), list(xs)))
    if s.kind is tuple:
        lo, hi = int(s.lo), int(s.hi)
        return st.tuples(st.integers(lo, hi), st.integers(lo, hi)).map(sorted).map(
            lambda p: (f"{p[0]},{p[1]}", (p[0], p[1])))
    if s.choices is not None:
        return st.sampled_from(s.choices).map(lambda c: (str(c), c))
    hi = QUICK.get(name, s.hi)
    if s.kind is int:
        return st.integers(int(s.lo), int(hi)).map(lambda v: (str(v), v))
    values = st.floats(s.lo, hi, allow_nan=False)
    if s.digits is None:
        return values.map(lambda v: (repr(v), v))
    return values.map(lambda v: round(v, s.digits)).filter(lambda v: s.lo <= v <= s.hi).map(
        lambda v: (repr(v), v))


GENERIC_BAD = ["inf", "-inf", "nan", "NaN", "1e999", "-1e999", "abc", "<img src=x onerror=alert(1)>",
               "![i](http://example.org/x.png)", "**bold**", "9" * (MAX_TEXT + 1), "0x10", "1,2,3,x"]


def bad_text(name: str):
    """A strategy of URL texts the setting must refuse (out of range, not finite, not a choice,
    the wrong type, too long, markup)."""
    s = SCHEMA[name]
    texts = list(GENERIC_BAD)
    if s.kind in (int, float) and s.choices is None:
        texts += [repr(s.lo - 1.0), repr(s.hi + 1.0), "99999999999999999999", f"-{10**30}"]
        if s.kind is int:
            texts.append(repr(s.lo + 0.5))
    if s.kind is tuple:
        texts += [f"{int(s.hi)},{int(s.lo)}" if s.hi > s.lo else "x,y", f"{int(s.lo) - 1},{int(s.hi)}", "1"]
    if s.kind is bool:
        texts += ["maybe", "2", "-1"]
    return st.sampled_from(texts)


# --------------------------------------------------------------------------------------------
# Point texts: good (with their data) and damaged
# --------------------------------------------------------------------------------------------


@st.composite
def good_points(draw):
    """An encoded point set of 4-30 points: 2-D classification (both classes) or 1-D regression."""
    n = draw(st.integers(4, 30))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    if draw(st.booleans()):
        X = rng.uniform(-1, 1, size=(n, 2))
        y = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
        data = ds.Dataset(X, y, "classification", "drawn")
    else:
        X = np.sort(rng.uniform(-1, 1, size=(n, 1)), axis=0)
        data = ds.Dataset(X, np.sin(3 * X[:, 0]), "regression", "drawn")
    return ui.url.encode_points(data), data


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def bad_points():
    """Texts the point codec must refuse: junk, damaged or cut encodings, a zlib bomb, an
    unknown header, a wrong length, too many points."""
    raw = zlib.decompress(base64.urlsafe_b64decode(ui.url.encode_points(ds.generate("moons", 20, 0.1, 0))
                                                   + "=="))
    cut = ui.url.encode_points(ds.generate("moons", 20, 0.1, 1))
    return st.one_of(
        st.text(st.characters(codec="ascii", exclude_categories=("Cc",)), min_size=1, max_size=60),
        st.sampled_from([
            cut[: len(cut) // 2],
            _b64(zlib.compress(b"\0" * 2_000_000, 9)),
            _b64(zlib.compress(bytes([9]) + raw[1:])),  # unknown format
            _b64(zlib.compress(raw[:-3])),  # wrong length
            _b64(zlib.compress(bytes([1, 2, 0, 0]) + (150).to_bytes(2, "little") + b"\0" * 1800)),
            _b64(np.zeros(4000, np.uint8).tobytes()),  # not zlib
            _b64(zlib.compress(np.zeros(450, "<i2").tobytes())),  # no header
        ]),
    )


UNKNOWN_KEYS = st.text(st.sampled_from("abcxyz_-![]()*<>"), min_size=1, max_size=12).filter(
    lambda k: k not in SCHEMA and k not in RESERVED and k != POINTS)


@st.composite
def links(draw):
    """A link: a few settings (each good or bad), maybe unknown parameters, maybe points."""
    names = draw(st.lists(st.sampled_from(URL_SETTINGS), min_size=1, max_size=8, unique=True))
    good, bad = {}, {}
    for name in names:
        if draw(st.booleans()):
            good[name] = draw(good_value(name))
        else:
            bad[name] = draw(bad_text(name))
    unknown = draw(st.lists(UNKNOWN_KEYS, max_size=2, unique=True))
    points = draw(st.one_of(st.none(), good_points(), bad_points().map(lambda t: (t, None))))
    return good, bad, unknown, points


# --------------------------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------------------------


def texts(elements) -> list[str]:
    return [e.value for e in elements]


@pytest.mark.timeout(900)
@settings(max_examples=8, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(links())
@example(({"test": ("0.02", 0.02)}, {}, [], None))  # a split of 40 points that holds out one: the
# session had no data at all and died (KeyError), found by this test when the schema grew
def test_any_link_opens_a_live_session_that_names_each_bad_value(link):
    good, bad, unknown, points = link
    at = AppTest.from_file("../../app.py", default_timeout=120)
    for name, (text, _) in good.items():
        at.query_params[name] = text
    for name, text in bad.items():
        at.query_params[name] = text
    for key in unknown:
        at.query_params[key] = "1"
    if points is not None:
        at.query_params[POINTS] = points[0]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = " ".join(texts(at.warning))  # the link's messages, on the page it opens
    at.switch_page(OPTIMUM_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]

    bound = set(ui.schema.bounded_settings())  # a good value may not fit the data (its own tests:
    for name, (_, value) in good.items():      # tests/app/test_data_bound_settings.py)
        assert f"The link's {ui.plain(name)}=" not in warnings
        if name not in bound:
            assert at.session_state[name] == value, name
    for name in bad:
        assert f"The link's {ui.plain(name)}=" in warnings, (name, bad[name], warnings)
        assert at.session_state[name] == SCHEMA[name].default, name
    assert warnings.count("is not a setting of this app") == len(unknown)
    for key in unknown:
        assert ui.plain(key, limit=40) in warnings
    if points is not None and points[1] is None:
        assert "The link's points could not be read" in warnings
    data = at.session_state[S.DATA]
    if points is not None and points[1] is not None and data.n == points[1].n:
        np.testing.assert_allclose(data.X, points[1].X, atol=1e-3)  # the link's own points

    # the session still solves (a classification loss on regression data is a readable refusal)
    objective = [m for m in at.metric if m.label == "Objective"]
    if data.task == "regression" and at.session_state["loss"] != "squared":
        assert any("-1 or +1" in t for t in texts(at.error)), texts(at.error)
    else:
        assert objective and np.isfinite(float(objective[0].value)), (texts(at.error), texts(at.warning))


@pytest.mark.parametrize(("query", "page", "opened", "name", "value"), [
    ("4", "views/recovery.py", {}, "recovery_slice_d", 4),                # one d of the default grid [4, 8]
    ("13", "views/recovery.py", {}, "recovery_slice_d", 8),               # not in the grid: its middle
    ("3,7,9", "views/geometric_algebra.py", {"ga_three_open": True}, "ga_three", [3, 7, 9]),
    ("1,2,3,4", "views/geometric_algebra.py", {"ga_three_open": True}, "ga_three", [0, 1, 2]),  # > 3
])
def test_a_link_carries_the_recovery_slice_and_the_three_ga_points(query, page, opened, name, value):
    at = AppTest.from_file("../../app.py", default_timeout=120)
    at.query_params[name] = query
    at.run()
    for key, flag in opened.items():  # an expander built only when opened
        at.session_state[key] = flag
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[name] == value
    widget = at.select_slider(key=name) if name == "recovery_slice_d" else at.multiselect(key=name)
    assert widget.value == value
    written = None if value == SCHEMA[name].default else SCHEMA[name].to_url(value)
    assert at.query_params.get(name) == written  # the address bar holds it (a default is left out)
