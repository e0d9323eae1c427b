"""The Data page extras (split, erase, undo, regenerate, URL state) and the Arrangements and
Geometric algebra pages, driven by Streamlit's AppTest (no browser)."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import ui
from convexnn import arrangements as A
from convexnn import datasets as ds
from convexnn import sampling as sm
from ui import K, S

DATA_PAGE = "views/data.py"
ARR_PAGE = "views/arrangements.py"
GA_PAGE = "views/geometric_algebra.py"
ORANGE, BLUE = ui.canvas.CLASS_COLORS[1], ui.canvas.CLASS_COLORS[-1]


def app(params: dict | None = None) -> AppTest:
    at = AppTest.from_file("../../app.py", default_timeout=120)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def clean(at):
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def markdown(at) -> str:
    return " ".join(m.value for m in at.markdown)


def draw(at, objects):
    at.session_state[K.CANVAS] = {"drawing": {"raw": {"version": "6.0.0", "objects": objects}, "data": None}}
    return at.run()


def expected_index(X, theta, frac, bias=True):
    arr = A.arrangement(X, bias)
    g = sm.gate(theta, frac * sm.offset_range(X), X.shape[1], bias)
    return int(arr.index_of(A.lift(X, bias) @ g >= 0)[0]), arr.count


# --------------------------------------------------------------------------------------------
# Arrangements page
# --------------------------------------------------------------------------------------------


def test_arrangements_page_counts_and_shows_the_current_pattern():
    at = app()
    t0 = time.perf_counter()
    at.switch_page(ARR_PAGE).run()
    elapsed = time.perf_counter() - t0
    clean(at)
    data = at.session_state[S.DATA]
    m = metrics(at)
    assert m["exact"] == f"{data.n ** 2 - data.n + 2:,}" == m["n² − n + 2"]
    k, count = expected_index(data.X, 30, 0.0)
    assert f"D{k + 1} of {count}" in markdown(at)
    at.slider(key="arr_theta").set_value(200).run()
    at.slider(key="arr_offset").set_value(-0.3).run()
    clean(at)
    k, _ = expected_index(data.X, 200, -0.3)
    assert f"D{k + 1} of {count}" in markdown(at)
    assert elapsed < 30  # generous: a cold AppTest run on a loaded machine


def test_play_and_pause_the_sweep():
    """Play starts the sweep (the side panel leaves the pattern to the figure); Pause names the
    pattern of the sliders' line again. The figures live in Streamlit's cache, not in the session."""
    at = app({"n": "12"})
    at.switch_page(ARR_PAGE).run()
    X = at.session_state[S.DATA].X
    at.button(key="arr_play").click().run()
    clean(at)
    assert at.session_state["_arr_playing"] and at.button(key="arr_pause").label == "Pause"
    assert "sweeping" in markdown(at) and not re.search(r"D\d+ of", markdown(at))
    at.session_state["arr_theta"] = 145  # where a sweep might have stopped
    pause = at.button(key="arr_pause")
    pause.click().run()
    clean(at)
    assert not at.session_state["_arr_playing"] and at.button(key="arr_play").label == "Play"
    # a slow browser can send the click again with its next tick: the sweep stays paused
    pause.click().run()
    assert not at.session_state["_arr_playing"] and at.button(key="arr_play").label == "Play"
    k, count = expected_index(X, 145, 0.0)
    assert f"D{k + 1} of {count}" in markdown(at)
    assert "_arr_figures" not in at.session_state  # the old per-session figure store
    # a tick the browser sent before it learnt of the pause carries the next step (150): the paused
    # position is put back, so the slider, the figure and the link agree
    at.session_state["arr_theta"] = 150
    at.run()
    clean(at)
    assert at.session_state["arr_theta"] == 145 and f"D{k + 1} of {count}" in markdown(at)
    # every paused run sends the position to the browser, not only a run that changes it (a slow
    # browser may apply only the last of two runs' sliders: views/arrangements.py, resend_position)
    at.run()
    assert at.slider(key="arr_theta").proto.set_value
    assert list(at.slider(key="arr_theta").proto.value) == [145]
    # any other move is the user's: kept, and the next step is no longer taken for a late tick
    at.session_state["arr_theta"] = 200
    at.run()
    assert at.session_state["arr_theta"] == 200
    at.session_state["arr_theta"] = 205
    at.run()
    assert at.session_state["arr_theta"] == 205


def test_one_dimensional_data_without_bias_cannot_play():
    at = app({"preset": "sine", "arr_bias": "without"})
    at.switch_page(ARR_PAGE).run()
    clean(at)
    assert at.button(key="arr_play").disabled


def test_talk_example_without_bias_has_the_four_patterns_in_order():
    at = app({"preset": "talk"})
    at.switch_page(ARR_PAGE).run()
    clean(at)
    assert at.session_state[S.DATA].name == "talk"
    m = metrics(at)
    assert m["exact"] == "4" and m["general"] == "6"  # two distinct lines only
    table = at.dataframe[0].value
    assert table["D"].tolist() == ["D1", "D2", "D3", "D4"]
    assert table["pattern"].tolist() == ["111", "110", "001", "000"]
    assert any("exactly the four patterns" in s.value for s in at.success)
    # the bias can be switched on: three points in general position, 3^2 - 3 + 2 = 8 patterns
    at.selectbox(key="arr_bias").set_value("with").run()
    clean(at)
    assert metrics(at)["exact"] == "8"


def test_going_to_a_pattern_moves_the_hyperplane_into_its_cell():
    at = app({"n": "12"})
    at.switch_page(ARR_PAGE).run()
    X = at.session_state[S.DATA].X
    arr = A.arrangement(X)
    # the largest cells are reachable with slider positions
    areas = sm.cell_areas(X, arr)
    big = int(np.argsort(-np.nan_to_num(areas))[3])
    at.number_input(key="arr_goto").set_value(big + 1).run()
    clean(at)
    theta, frac = at.session_state["arr_theta"], at.session_state["arr_offset"]
    k, _ = expected_index(X, theta, frac)
    assert k == big
    assert f"D{big + 1} of {arr.count}" in markdown(at)


@pytest.mark.parametrize("chart", ["arr_map", "arr_sphere"])
def test_clicking_a_cell_selects_it(chart):
    at = app({"n": "12"})
    at.session_state["arr_tab"] = "Sphere"
    at.switch_page(ARR_PAGE).run()
    clean(at)
    X = at.session_state[S.DATA].X
    arr = A.arrangement(X)
    target = int(np.argsort(-np.nan_to_num(sm.cell_areas(X, arr)))[5])
    at.session_state[chart] = {"selection": {"points": [{"customdata": target + 1}]}}
    at.run()
    clean(at)
    k, _ = expected_index(X, at.session_state["arr_theta"], at.session_state["arr_offset"])
    assert k == target


def test_sampling_tab_compares_with_the_exact_count():
    at = app({"n": "20"})
    at.session_state["arr_tab"] = "Sampling"
    at.switch_page(ARR_PAGE).run()
    clean(at)
    tables = [t.value for t in at.dataframe]
    found = next(t for t in tables if "found (median)" in t.columns)
    assert set(found["method"]) == {"Gaussian", "geometric algebra"}
    assert all(int(v) <= 20 * 19 + 1 for v in found["found (median)"])
    times = next(t for t in tables if "seconds" in t.columns)
    assert len(times) == 3 and all(float(v) >= 0 for v in times["seconds"])
    assert any("one of the exact patterns" in c.value for c in at.caption)


@pytest.mark.parametrize("preset", ["sine", "plane"])
def test_one_dimensional_and_regression_data(preset):
    at = app({"preset": preset})
    at.session_state["arr_tab"] = "Sphere"
    at.switch_page(ARR_PAGE).run()
    clean(at)
    data = at.session_state[S.DATA]
    expected = 2 * data.n if data.dim == 1 else data.n ** 2 - data.n + 2
    assert metrics(at)["exact"] == f"{expected:,}"


def test_many_points_are_counted_not_listed():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (230, 2))
    big = ds.Dataset(X, np.where(X[:, 0] > 0, 1.0, -1.0), "classification")
    at = app()
    at.switch_page(DATA_PAGE).run()
    at.text_area(key="csv_text").input(ds.to_csv(big))
    at.button(key="load_csv_text").click().run()
    at.switch_page(ARR_PAGE).run()
    clean(at)
    assert metrics(at)["exact"] == f"{230 ** 2 - 230 + 2:,}"
    assert any("counted, not listed" in c.value for c in at.caption)


# --------------------------------------------------------------------------------------------
# Geometric algebra page
# --------------------------------------------------------------------------------------------


def test_geometric_algebra_page_shows_the_cross_product_and_the_lasso_gap():
    at = app({"n": "20"})
    at.switch_page(GA_PAGE).run()
    clean(at)
    text = markdown(at)
    assert "passes through both points" in text and "the same number" in text
    assert not metrics(at)  # the first view draws its first tab only: no Lasso solved yet
    at.session_state["ga_section"] = "Closed-form Lasso"
    at.run()
    clean(at)
    m = metrics(at)
    assert float(m["Lasso − exact"]) >= -1e-6
    at.radio(key="ga_variant").set_value("l1").run()
    clean(at)
    m = metrics(at)
    assert abs(float(m["Lasso − exact"])) < 1e-5
    assert any("matches the exact program" in s.value for s in at.success)


def test_picking_a_point_by_clicking_replaces_one_of_the_pair():
    at = app({"n": "20"})
    at.switch_page(GA_PAGE).run()
    X = at.session_state[S.DATA].X
    at.session_state["ga_pick"] = {"selection": {"points": [{"x": float(X[7, 0]), "y": float(X[7, 1])}]}}
    at.run()
    clean(at)
    assert 7 in (at.session_state["ga_i"], at.session_state["ga_j"])


def test_geometric_algebra_page_with_one_dimensional_data():
    at = app({"preset": "abs", "n": "12"})
    at.switch_page(GA_PAGE).run()
    clean(at)
    assert any("threshold" in i.value for i in at.info)
    at.session_state["ga_section"] = "Closed-form Lasso"
    at.run()
    clean(at)
    assert "Lasso value" in metrics(at)


# --------------------------------------------------------------------------------------------
# Data page: split, erase, undo, regenerate
# --------------------------------------------------------------------------------------------


def test_a_split_that_leaves_one_class_for_training_is_refused():
    at = app()
    at.switch_page(DATA_PAGE).run()
    at.button(key=K.CLEAR).click().run()
    draw(at, [ui.canvas.circle(100, 100, ORANGE), ui.canvas.circle(300, 300, BLUE)])
    at.slider(key=K.TEST).set_value(0.5).run()
    assert not at.exception
    assert any("training part" in e.value for e in at.error)
    assert at.session_state[S.DATA].n == 2 and at.session_state[S.DATA].is_test is None


def test_test_split_makes_hollow_points_and_follows_the_preset():
    at = app()
    at.switch_page(DATA_PAGE).run()
    at.slider(key=K.TEST).set_value(0.25).run()
    clean(at)
    data = at.session_state[S.DATA]
    assert data.is_test is not None and data.is_test.sum() == 10
    hollow = [o for o in at.session_state[S.CANVAS_INITIAL]["objects"] if o["fill"] == "#ffffff"]
    assert len(hollow) == 10
    assert "10 held out" in ui.describe(data)


def test_erase_click_removes_the_nearest_point_and_undo_restores_it():
    at = app()
    at.switch_page(DATA_PAGE).run()
    at.button(key=K.CLEAR).click().run()
    pts = [((100, 100), ORANGE), ((120, 300), ORANGE), ((300, 120), BLUE), ((320, 320), BLUE)]
    objects = [ui.canvas.circle(px, py, c) for (px, py), c in pts]
    draw(at, objects)
    assert at.session_state[S.DATA].n == 4
    draw(at, objects + [ui.canvas.circle(305, 118, ui.canvas.ERASE_COLOR)])
    clean(at)
    data = at.session_state[S.DATA]
    assert data.n == 3 and data.y.tolist() == [1, 1, -1]
    assert len(at.session_state[S.CANVAS_INITIAL]["objects"]) == 3  # the eraser mark is gone
    at.button(key=K.UNDO).click().run()
    clean(at)
    assert at.session_state[S.DATA].n == 4


def test_undo_brings_back_the_preset_and_its_settings():
    at = app()
    at.switch_page(DATA_PAGE).run()
    before = at.session_state[S.DATA]
    at.button(key="regenerate").click().run()
    clean(at)
    assert at.session_state[K.SEED] == 1
    assert not np.array_equal(at.session_state[S.DATA].X, before.X)
    at.button(key=K.UNDO).click().run()
    clean(at)
    assert at.session_state[K.SEED] == 0
    assert np.array_equal(at.session_state[S.DATA].X, before.X)


def test_talk_preset_fixes_its_points():
    at = app()
    at.switch_page(DATA_PAGE).run()
    at.selectbox(key=K.PRESET).set_value("talk").run()
    clean(at)
    data = at.session_state[S.DATA]
    assert data.X.tolist() == [[3, 3], [2, 2], [1, 0]]
    assert at.slider(key=K.N).disabled and at.button(key="regenerate").disabled


# --------------------------------------------------------------------------------------------
# URL state
# --------------------------------------------------------------------------------------------


def test_url_settings_are_read_on_the_first_run():
    at = app({"preset": "circles", "n": "30", "seed": "3", "noise": "0.2", "beta": "0.05",
              "loss": "hinge", "test": "0.2"})
    s = ui.settings()  # noqa: F841  (needs a session; checked through session state below)
    ss = at.session_state
    assert (ss[K.PRESET], ss[K.N], ss[K.SEED], ss[K.NOISE], ss[K.BETA], ss[K.LOSS], ss[K.TEST]) == (
        "circles", 30, 3, 0.2, 0.05, "hinge", 0.2)
    expected = ds.circles(30, 0.2, 3).with_split(0.2, 3)
    assert np.array_equal(ss[S.DATA].X, expected.X) and np.array_equal(ss[S.DATA].is_test, expected.is_test)


def test_bad_url_values_are_ignored_with_a_warning():
    at = app({"n": "100000", "preset": "nonsense", "beta": "-1", "pts": "garbage"})
    ss = at.session_state
    assert ss[K.N] == ui.schema.DEFAULTS[K.N] and ss[K.PRESET] == ui.schema.DEFAULTS[K.PRESET]
    assert ss[K.BETA] == ui.schema.DEFAULTS[K.BETA]
    warnings = " ".join(w.value for w in at.warning)
    assert "n='100000' was ignored" in warnings and "points could not be read" in warnings


def test_points_travel_in_the_url():
    data = ds.Dataset(np.array([[0.1234, -0.5], [0.9, 0.2], [-0.3, 0.7], [0.5, 0.5], [0.1, 0.1]]),
                      np.array([1.0, -1.0, 1.0, 1.0, -1.0]), "classification",
                      is_test=np.array([False, True, False, True, False]))
    text = ui.url.encode_points(data)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", text) and len(text) < 80
    back = ui.url.decode_points(text)
    assert np.allclose(back.X, np.round(data.X, 3)) and back.y.tolist() == [1, -1, 1, 1, -1]
    assert back.is_test.tolist() == [False, True, False, True, False]
    at = app({"pts": text})
    got = at.session_state[S.DATA]
    assert got.name == "shared" and got.n == 5 and at.session_state[S.SOURCE] == "drawing"
    assert ui.schema.DEFAULTS[K.PRESET] not in ui.describe(got)


def test_compact_points_limits():
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (ui.url.URL_MAX_POINTS + 1, 2))
    y = np.where(X[:, 0] > 0, 1.0, -1.0)
    assert ui.url.encode_points(ds.Dataset(X, y, "classification")) is None
    X1 = rng.uniform(-1, 1, (40, 1))
    reg = ds.Dataset(X1, np.sin(3 * X1[:, 0]), "regression")
    back = ui.url.decode_points(ui.url.encode_points(reg))
    assert back.task == "regression" and np.allclose(back.y, reg.y, atol=6e-4)
    with pytest.raises(ValueError):
        ui.url.decode_points(ui.url.encode_points(reg)[:-4])
