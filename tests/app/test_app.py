"""The app's pages, driven by Streamlit's AppTest (no browser).

The drawing canvas is a custom component that AppTest does not render; its value is injected
through session state, exactly as the component would send it.
"""

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import ui
from convexnn import datasets as ds
from ui import K, S

DATA_PAGE = "views/data.py"
OPTIMUM_PAGE = "views/global_optimum.py"
HOME_PAGE = "views/home.py"


@pytest.fixture
def at():
    app = AppTest.from_file("../../app.py", default_timeout=120)
    app.run()
    assert not app.exception
    return app


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def metrics(app) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def certificate(app) -> str:
    lines = [t for t in texts(app.success) + texts(app.warning) if "relative gap" in t]
    assert len(lines) == 1, f"expected one certificate line, got {lines}"
    return lines[0]


def assert_clean(app):
    assert not app.exception, app.exception
    assert not app.error, texts(app.error)


def canvas_value(objects):
    return {"drawing": {"raw": {"version": "6.0.0", "objects": objects}, "data": None}}


def draw(app, points_and_colors):
    """Send a drawing (list of ((px, py), colour)) as the canvas would, and rerun."""
    objects = [ui.canvas.circle(px, py, color) for (px, py), color in points_and_colors]
    app.session_state[K.CANVAS] = canvas_value(objects)
    return app.run()


ORANGE, BLUE = ui.canvas.CLASS_COLORS[1], ui.canvas.CLASS_COLORS[-1]


# --------------------------------------------------------------------------------------------
# Home
# --------------------------------------------------------------------------------------------


def test_home_opens_ready_with_a_solved_default(at):
    assert_clean(at)  # the app opens on the Playground
    at.switch_page(HOME_PAGE).run()
    assert_clean(at)
    assert "convex program" in at.title[0].value
    data = at.session_state[S.DATA]
    d = ui.schema.DEFAULTS
    assert (data.name, data.n) == (d[K.PRESET], d[K.N])
    m = metrics(at)
    assert set(m) == {"Objective", "Neurons", "Solve time", "Accuracy (train)"}
    assert int(m["Neurons"]) > 0 and float(m["Objective"]) > 0
    assert m["Accuracy (train)"] == "100%"
    assert re.fullmatch(r"(certified optimal|not certified): relative gap \d(\.\d)?e[-+]\d+( .*)?",
                        certificate(at))
    assert any(len(l.value) > 20 for l in at.latex)  # the two programs are shown
    sidebar = " ".join(texts(at.sidebar.caption))
    assert f"{d[K.PRESET]}: {d[K.N]} points" in sidebar


def test_home_uses_the_settings_of_the_optimum_page(at):
    at.switch_page(OPTIMUM_PAGE).run()
    at.number_input(key=K.BETA).set_value(0.3).run()
    objective = metrics(at)["Objective"]
    at.switch_page(HOME_PAGE).run()
    assert_clean(at)
    assert at.session_state[K.BETA] == 0.3
    assert metrics(at)["Objective"] == objective


# --------------------------------------------------------------------------------------------
# Data page: presets
# --------------------------------------------------------------------------------------------


def test_preset_settings_regenerate_the_data_and_survive_page_switches(at):
    at.switch_page(DATA_PAGE).run()
    assert_clean(at)
    at.slider(key=K.N).set_value(30).run()
    at.number_input(key=K.SEED).set_value(7).run()
    expected = ds.generate(ui.schema.DEFAULTS[K.PRESET], 30, ui.schema.DEFAULTS[K.NOISE], 7)
    assert np.array_equal(at.session_state[S.DATA].X, expected.X)
    at.switch_page(OPTIMUM_PAGE).run()
    assert_clean(at)
    at.switch_page(HOME_PAGE).run()
    assert at.session_state[S.DATA].n == 30
    at.switch_page(DATA_PAGE).run()
    assert at.slider(key=K.N).value == 30 and at.number_input(key=K.SEED).value == 7
    assert np.array_equal(at.session_state[S.DATA].X, expected.X)


def test_choosing_a_preset_takes_its_noise(at):
    at.switch_page(DATA_PAGE).run()
    at.selectbox(key=K.PRESET).set_value("spiral").run()
    assert_clean(at)
    assert at.slider(key=K.NOISE).value == 0.0
    data = at.session_state[S.DATA]
    assert data.name == "spiral" and data.n == ui.schema.DEFAULTS[K.N]
    # the canvas now shows the spiral, one circle per point, in the right colours
    objects = at.session_state[S.CANVAS_INITIAL]["objects"]
    assert len(objects) == data.n
    assert sorted(o["fill"] for o in objects) == sorted(ui.canvas.CLASS_COLORS[int(v)] for v in data.y)


def test_regression_preset_switches_the_canvas_to_xy_points(at):
    at.switch_page(DATA_PAGE).run()
    at.selectbox(key=K.PRESET).set_value("sine").run()
    assert_clean(at)
    assert at.session_state[S.CANVAS_TASK] == "regression1d"
    assert not at.radio  # no class choice for regression
    n = at.session_state[S.DATA].n
    objects = list(at.session_state[S.CANVAS_INITIAL]["objects"]) + [ui.canvas.circle(200, 100, "#333333")]
    at.session_state[K.CANVAS] = canvas_value(objects)
    at.run()
    assert_clean(at)
    data = at.session_state[S.DATA]
    assert data.n == n + 1 and data.task == "regression" and data.dim == 1
    x, y = ui.canvas.from_pixels([200, 100], at.session_state[S.CANVAS_VIEW])[0]
    k = int(np.argmin(np.abs(data.X[:, 0] - x)))
    assert data.X[k, 0] == pytest.approx(x) and data.y[k] == pytest.approx(y)
    at.switch_page(OPTIMUM_PAGE).run()
    assert_clean(at)
    assert "RMSE (train)" in metrics(at)


def test_two_d_regression_is_shown_as_a_plot(at):
    at.switch_page(DATA_PAGE).run()
    at.selectbox(key=K.PRESET).set_value("plane").run()
    assert_clean(at)
    assert any("cannot be drawn" in t for t in texts(at.info))
    at.switch_page(OPTIMUM_PAGE).run()
    assert_clean(at)
    assert "RMSE (train)" in metrics(at)


# --------------------------------------------------------------------------------------------
# Data page: drawing
# --------------------------------------------------------------------------------------------


def test_drawn_points_become_the_data_and_are_solved(at):
    at.switch_page(DATA_PAGE).run()
    at.button(key=K.CLEAR).click().run()
    pts = [((100, 100), ORANGE), ((120, 300), ORANGE), ((300, 120), BLUE), ((320, 320), BLUE)]
    draw(at, pts)
    assert_clean(at)
    data = at.session_state[S.DATA]
    view = at.session_state[S.CANVAS_VIEW]
    expected = ui.canvas.from_pixels([p for p, _ in pts], view)
    assert data.name == "drawn" and at.session_state[S.SOURCE] == "drawing"
    assert np.allclose(data.X, expected) and data.y.tolist() == [1, 1, -1, -1]
    # the drawing survives a page switch: it is reloaded into the canvas on return
    at.switch_page(OPTIMUM_PAGE).run()
    assert_clean(at)
    assert int(metrics(at)["Neurons"]) >= 1
    at.switch_page(DATA_PAGE).run()
    assert len(at.session_state[S.CANVAS_INITIAL]["objects"]) == 4
    assert at.session_state[S.DATA].n == 4


def test_a_click_right_after_a_mode_switch_takes_the_new_mode(at):
    """The canvas draws in the old colour until the switch's rerun reaches it (ui/drawing.py):
    circles a drawing adds after a switch take the mode the server has; moved circles do not."""
    at.switch_page(DATA_PAGE).run()
    at.button(key=K.CLEAR).click().run()
    first = [((100, 100), ORANGE), ((120, 300), ORANGE)]
    draw(at, first)
    at.radio(key=K.DRAW_CLASS).set_value(-1).run()
    late = [((300, 120), ORANGE), ((320, 320), ORANGE)]  # clicked as class -1, drawn in the old colour
    draw(at, first + late)
    assert_clean(at)
    assert at.session_state[S.DATA].y.tolist() == [1, 1, -1, -1]
    shown = at.session_state[S.CANVAS_INITIAL]["objects"]  # the canvas is reloaded in the right colours
    assert [o["stroke"] for o in shown] == [ORANGE, ORANGE, BLUE, BLUE]
    # without a switch a drawing keeps its colours: a moved point stays in its class
    draw(at, [((100, 100), ORANGE), ((140, 290), ORANGE), ((300, 120), BLUE), ((320, 320), BLUE)])
    assert at.session_state[S.DATA].y.tolist() == [1, 1, -1, -1]
    # switched to the eraser, a click still drawn in class -1's colour erases the point under it
    at.radio(key=K.DRAW_CLASS).set_value(ui.canvas.ERASE).run()
    draw(at, [((100, 100), ORANGE), ((140, 290), ORANGE), ((300, 120), BLUE), ((320, 320), BLUE),
              ((302, 121), BLUE)])
    assert_clean(at)
    assert at.session_state[S.DATA].n == 3 and at.session_state[S.DATA].y.tolist() == [1, 1, -1]


def test_returning_the_preset_drawing_keeps_exact_coordinates(at):
    """The canvas rounds what it sends back; points that came from the data keep their values."""
    at.switch_page(DATA_PAGE).run()
    before = at.session_state[S.DATA]
    objects = [dict(o, left=round(o["left"], 2), top=round(o["top"], 2))
               for o in at.session_state[S.CANVAS_INITIAL]["objects"]]
    at.session_state[K.CANVAS] = canvas_value(objects)
    at.run()
    after = at.session_state[S.DATA]
    assert np.array_equal(before.X, after.X) and np.array_equal(before.y, after.y)
    assert at.session_state[S.SOURCE] == "preset"


@pytest.mark.parametrize(
    "drawing, message",
    [
        ([], "drawing is empty"),
        ([((100, 100), ORANGE)], "single point"),
        ([((100, 100), ORANGE), ((200, 200), ORANGE)], "only one class"),
    ],
)
def test_bad_drawings_keep_the_previous_data(at, drawing, message):
    at.switch_page(DATA_PAGE).run()
    previous = at.session_state[S.DATA]
    at.button(key=K.CLEAR).click().run()
    draw(at, drawing)
    assert not at.exception
    warnings = " ".join(texts(at.warning))
    assert message in warnings.lower() and "keeps the previous data" in warnings
    if drawing:  # the message says how many points were drawn so far
        assert f"Drawn so far: {len(drawing)} point" in warnings
    assert at.session_state[S.DATA] is previous
    at.switch_page(OPTIMUM_PAGE).run()
    assert_clean(at)
    assert metrics(at)["Neurons"]


def test_duplicate_drawn_points_are_dropped_with_a_message(at):
    at.switch_page(DATA_PAGE).run()
    draw(at, [((100, 100), ORANGE), ((100, 100), ORANGE), ((300, 300), BLUE)])
    assert not at.exception
    assert any("Dropped 1 duplicate point" in t for t in texts(at.warning))
    assert at.session_state[S.DATA].n == 2


def test_back_to_preset_after_drawing(at):
    at.switch_page(DATA_PAGE).run()
    draw(at, [((100, 100), ORANGE), ((300, 300), BLUE)])
    assert at.session_state[S.DATA].n == 2
    at.button(key=K.GENERATE).click().run()
    assert_clean(at)
    assert at.session_state[S.DATA].n == ui.schema.DEFAULTS[K.N]
    assert at.session_state[S.SOURCE] == "preset"


# --------------------------------------------------------------------------------------------
# Data page: CSV
# --------------------------------------------------------------------------------------------


def paste(app, text):
    app.text_area(key="csv_text").input(text)
    return app.button(key="load_csv_text").click().run()


def test_csv_upload_and_download_round_trip(at):
    at.switch_page(DATA_PAGE).run()
    data = ds.circles(24, seed=3).with_split(0.25)
    at.file_uploader(key=K.UPLOAD).set_value(("circles.csv", ds.to_csv(data).encode(), "text/csv"))
    at.run()
    assert_clean(at)
    assert any("Loaded 24 points from circles.csv" in t for t in texts(at.success))
    got = at.session_state[S.DATA]
    assert np.array_equal(got.X, data.X) and np.array_equal(got.is_test, data.is_test)
    assert got.name == "circles"
    # hollow test points on the canvas
    hollow = [o for o in at.session_state[S.CANVAS_INITIAL]["objects"] if o["fill"] == "#ffffff"]
    assert len(hollow) == int(data.is_test.sum())
    at.switch_page(OPTIMUM_PAGE).run()
    assert_clean(at)
    assert "Accuracy (train / test)" in metrics(at)


ROWS_TOO_MANY = "x1,x2,y\n" + "\n".join(f"{k},{k % 7},{1 if k % 2 else -1}" for k in range(501))


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("a,b,c\n1,2,1\n", "header must name columns"),
        ("x1,x2,y\n1,2,1\n3,abc,-1\n", "'abc' is not a number"),
        ("x1,x2,y\n1,2,1\nnan,4,-1\n", "NaN or infinite"),
        ("x1,x2,y\n1,2,1\ninf,4,-1\n", "NaN or infinite"),
        ("x1,x2,y\n1,2,1\n3,4,1\n", "only one class"),
        ("x1,x2,y\n1,2,1\n", "single point"),
        ("x1,x2,y\n1,2\n", "cells"),
        (ROWS_TOO_MANY, "limit here is 500"),
    ],
)
def test_bad_csv_gives_a_message_and_keeps_the_data(at, text, message):
    at.switch_page(DATA_PAGE).run()
    previous = at.session_state[S.DATA]
    paste(at, text)
    assert not at.exception
    errors = " ".join(texts(at.error))
    assert message.lower() in errors.lower() and "previous data are kept" in errors
    assert at.session_state[S.DATA] is previous


def test_csv_duplicates_are_dropped_with_a_message(at):
    at.switch_page(DATA_PAGE).run()
    paste(at, "x1,x2,y\n1,2,1\n3,4,-1\n3,4,-1\n0,0,1\n")
    assert not at.exception
    assert any("Dropped 1 duplicate point" in t for t in texts(at.warning))
    assert any("Loaded 3 points" in t for t in texts(at.success))
    assert at.session_state[S.DATA].n == 3


def test_binary_upload_is_rejected(at):
    at.switch_page(DATA_PAGE).run()
    at.file_uploader(key=K.UPLOAD).set_value(("x.csv", b"\xff\xfe\x00\x81", "text/csv"))
    at.run()
    assert not at.exception
    assert any("not UTF-8" in t for t in texts(at.error))


# --------------------------------------------------------------------------------------------
# Global optimum page
# --------------------------------------------------------------------------------------------


def test_optimum_page_controls(at):
    at.switch_page(OPTIMUM_PAGE).run()
    assert_clean(at)
    base = metrics(at)
    assert any(c.value.startswith("β_max = ") for c in at.caption)
    assert "relative gap" in certificate(at)
    at.toggle(key=K.PRUNE).set_value(False).run()
    assert_clean(at)
    unpruned = metrics(at)
    assert int(unpruned["Neurons"]) >= int(base["Neurons"])
    assert float(unpruned["Objective"]) == pytest.approx(float(base["Objective"]), rel=1e-4)
    at.radio(key=K.PROGRAM).set_value("gated").run()
    assert_clean(at)
    gated = metrics(at)
    assert float(gated["Objective"]) <= float(base["Objective"]) * (1 + 1e-5)  # a relaxation
    for loss in ("logistic", "hinge"):
        at.selectbox(key=K.LOSS).set_value(loss).run()
        assert_clean(at)
        assert "relative gap" in certificate(at)


def test_beta_above_beta_max_gives_the_zero_network(at):
    at.switch_page(OPTIMUM_PAGE).run()
    caption = next(c.value for c in at.caption if c.value.startswith("β_max = "))
    beta_max = float(caption.split("=")[1].split(":")[0])
    at.number_input(key=K.BETA).set_value(round(beta_max * 1.5, 2)).run()
    assert_clean(at)
    assert metrics(at)["Neurons"] == "0"
    assert any("optimal network is zero" in t for t in texts(at.info))


def test_loss_that_does_not_fit_the_task_is_a_message(at):
    at.switch_page(DATA_PAGE).run()
    at.selectbox(key=K.PRESET).set_value("abs").run()
    at.switch_page(OPTIMUM_PAGE).run()
    at.selectbox(key=K.LOSS).set_value("logistic").run()
    assert not at.exception
    assert any("Cannot solve" in t and "labels -1 or +1" in t for t in texts(at.error))


def test_too_many_points_for_solving(at):
    at.switch_page(DATA_PAGE).run()
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (ui.MAX_SOLVE_POINTS + 10, 2))
    big = ds.Dataset(X, np.where(X[:, 0] > 0, 1.0, -1.0), "classification")
    paste(at, ds.to_csv(big))
    assert at.session_state[S.DATA].n == big.n
    assert any(f"solves at most {ui.MAX_SOLVE_POINTS}" in t for t in texts(at.warning))
    at.switch_page(OPTIMUM_PAGE).run()
    assert not at.exception
    assert any(f"solves at most {ui.MAX_SOLVE_POINTS}" in t for t in texts(at.warning))
    assert not at.metric
    at.switch_page(HOME_PAGE).run()
    assert not at.exception
    assert any(f"solves at most {ui.MAX_SOLVE_POINTS}" in t for t in texts(at.warning))


def test_a_solver_failure_becomes_a_message(at, monkeypatch, request):
    import convexnn

    # the page's first run caches the failure at the default β: clear it for the later tests
    request.addfinalizer(ui.compute.solve.clear)

    def broken(*args, **kwargs):
        raise RuntimeError("interior point method diverged")

    monkeypatch.setattr(convexnn, "fit_convex", broken)
    at.switch_page(OPTIMUM_PAGE).run()
    at.number_input(key=K.BETA).set_value(0.0377).run()  # a value no other test caches
    assert not at.exception
    errors = " ".join(texts(at.error))
    assert "The solver failed (RuntimeError: interior point method diverged)" in errors


# --------------------------------------------------------------------------------------------
# ui helpers (pure)
# --------------------------------------------------------------------------------------------


def test_setting_keys_are_url_friendly_and_their_defaults_valid():
    for name, setting in ui.schema.SCHEMA.items():
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name) and name != ui.schema.POINTS
        assert setting.valid(setting.default), name
    assert set(ui.schema.DEFAULTS) <= set(ui.schema.SCHEMA)


def test_pixels_and_data_coordinates_are_inverse():
    view = (-1.5, 2.5, -3.0, 1.0)
    P = np.array([[-1.5, 1.0], [2.5, -3.0], [0.3, -0.7]])
    px = ui.canvas.to_pixels(P, view)
    assert px[0].tolist() == [0, 0] and px[1].tolist() == [400, 400]
    assert np.allclose(ui.canvas.from_pixels(px, view), P)


def test_circle_centre_matches_the_point_tool():
    # the point tool puts left = x - (radius + strokeWidth / 2), top = y, origin (left, center)
    obj = {"type": "circle", "left": 100 - (5 + 2 / 2), "top": 50, "radius": 5, "strokeWidth": 2,
           "originX": "left", "originY": "center"}
    assert ui.canvas.circle_centre(obj) == pytest.approx((100, 50))
    assert ui.canvas.circle_centre(ui.canvas.circle(123.4, 56.7, ORANGE)) == pytest.approx((123.4, 56.7))


def test_objects_to_data_ignores_other_shapes_and_colours():
    view = (-1, 1, -1, 1)
    objects = [ui.canvas.circle(100, 100, ORANGE), ui.canvas.circle(300, 300, BLUE),
               ui.canvas.circle(200, 200, "#00ff00"), {"type": "rect", "left": 1, "top": 1}]
    data = ui.canvas.objects_to_data(objects, view, "classification")
    assert data.n == 2 and data.y.tolist() == [1, -1]
    assert np.allclose(data.X, [[-0.5, 0.5], [0.5, -0.5]])


def test_sidebar_summary_stays_when_a_page_stops_on_bad_input(at):
    """Hinge loss on regression data: the page stops with a message, the sidebar still shows the data."""
    at.switch_page(DATA_PAGE).run()
    at.selectbox(key=K.PRESET).set_value("sine").run()
    at.switch_page(OPTIMUM_PAGE).run()
    at.selectbox(key=K.LOSS).set_value("hinge").run()
    assert not at.exception
    assert any("hinge" in t and "-1 or +1" in t for t in texts(at.error))
    sidebar = texts(at.sidebar.markdown) + texts(at.sidebar.caption)
    assert "**Current data**" in sidebar
    assert any(t.startswith("sine:") for t in sidebar)


# --------------------------------------------------------------------------------------------
# Links: every value parsed by the schema before use; a bad one is a message and the default
# --------------------------------------------------------------------------------------------


def open_link(params: dict, page: str | None = None):
    app = AppTest.from_file("../../app.py", default_timeout=120)
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    if page is not None:
        app.switch_page(page).run()
    return app


@pytest.mark.parametrize("key, value", [
    ("n", "inf"), ("n", "1e999"), ("seed", "inf"), ("seed", "99999999999999999999"), ("beta", "nan"),
    ("preset", "<img src=x>"), ("noise", "-1"), ("optimum_samples", "1e9"), ("arr_theta", "720"),
])
def test_a_bad_link_value_is_a_message_and_the_default(key, value):
    at = open_link({key: value, "loss": "hinge"})
    assert not at.exception, at.exception
    shown = " ".join(texts(at.warning))
    assert f"The link's {ui.plain(key)}=" in shown and "was ignored" in shown and "using the default" in shown
    assert at.session_state[key] == ui.schema.SCHEMA[key].default
    assert at.session_state["loss"] == "hinge"  # the good values of the same link are kept
    assert at.sidebar.caption  # the app is alive: sidebar and page drawn


def test_an_unknown_link_parameter_is_named_as_plain_text():
    at = open_link({"![i](http://example.org/x.png)": "1"})
    assert not at.exception
    shown = " ".join(texts(at.warning))
    assert "is not a setting of this app" in shown and "\\!\\[i\\]" in shown


def test_a_link_whose_points_are_all_held_out_says_so():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    data = ds.Dataset(X, np.array([1.0, -1.0, 1.0, -1.0]), "classification", "t", np.ones(4, bool))
    at = open_link({"pts": ui.url.encode_points(data)})
    assert not at.exception
    assert any("previous data are kept" in t for t in texts(at.error))
    assert at.session_state[S.DATA].name == ui.schema.DEFAULTS["preset"]


def test_a_page_setting_travels_in_the_link():
    """The Global optimum page with Gaussian patterns and 120 samples reopens as it was."""
    at = open_link({"patterns": "gaussian", "optimum_samples": "120"}, OPTIMUM_PAGE)
    assert not at.exception
    assert at.number_input(key="optimum_samples").value == 120
    assert at.selectbox(key="patterns").value == "gaussian"
    assert at.session_state["_url_written"] == {
        "patterns": "gaussian", "optimum_samples": "120"}  # and written back into the address bar


def test_mathematics_page_renders_the_docs_one_section_per_file(tmp_path, monkeypatch):
    (tmp_path / "lasso-path.md").write_text("# The Lasso path\n\nBlocks enter one by one.\n")
    (tmp_path / "convex-program.md").write_text("# The convex program\n\n## Cones\nText.\n")
    monkeypatch.setattr(ui.docs, "DOCS", tmp_path)
    at = AppTest.from_file("../../app.py", default_timeout=120)
    at.run()
    at.switch_page("views/mathematics.py").run()
    assert not at.exception
    assert [h.value for h in at.header] == ["The convex program", "The Lasso path"]
    assert any("#### Cones" in m.value for m in at.markdown)
    assert any("[The Lasso path](#lasso-path)" in c.value for c in at.caption)


def test_no_page_points_to_a_file_the_app_does_not_ship():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in [root / "app.py", *root.glob("views/*.py"), *root.glob("ui/*.py")]:
        text = path.read_text()
        assert "math.md" not in text and "notebook" not in text.lower(), path
