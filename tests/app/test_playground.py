"""The playground: its computations (convexnn.playground), its pictures
(convexnn.figures.playground) and its page (AppTest, canvas values injected as the component
would send them)."""

from __future__ import annotations

import urllib.parse

import numpy as np
import pytest
from convexnn.network import ReLUNetwork
from streamlit.testing.v1 import AppTest

import convexnn as cn
import ui
from convexnn import datasets as ds
from convexnn import playground as pg
from convexnn import stationary
from convexnn.figures import playground as fpg
from ui import K, S

ORANGE, BLUE = ui.canvas.CLASS_COLORS[1], ui.canvas.CLASS_COLORS[-1]
VIEW = (-1.5, 2.5, -1.5, 1.5)


def numpy_predict(net: ReLUNetwork, X: np.ndarray) -> np.ndarray:
    """f(x) = sum_j (x^T w1_j + b1_j)_+ w2_j, written out independently of ReLUNetwork."""
    out = np.zeros(len(X))
    for j in range(net.W1.shape[1]):
        out += np.maximum(X @ net.W1[:, j] + net.b1[j], 0.0) * net.w2[j]
    return out


def pixel_data(px: np.ndarray, py: np.ndarray, view, size: int) -> np.ndarray:
    x0, x1, y0, y1 = view
    return np.column_stack([x0 + (px + 0.5) / size * (x1 - x0), y1 - (py + 0.5) / size * (y1 - y0)])


@pytest.fixture(scope="module")
def moons():
    return ds.generate("moons", 30, 0.1, 0)


@pytest.fixture(scope="module")
def moons_optimum(moons):
    return pg.solve_optimum(moons.X, moons.y, 0.1)


# --------------------------------------------------------------------------------------------
# The solve
# --------------------------------------------------------------------------------------------


def test_optimum_matches_the_cvxpy_reference_and_its_network(moons):
    small = ds.generate("moons", 14, 0.1, 1)
    opt = pg.solve_optimum(small.X, small.y, 0.05)
    ref = cn.fit_convex(small.X, small.y, 0.05, solver="cvxpy")
    assert opt.certified and opt.status == "optimal"
    assert opt.objective == pytest.approx(ref.objective, rel=1e-4)
    # the pruned network's nonconvex objective, computed by hand, equals the convex optimum
    net = opt.model
    f = numpy_predict(net, small.X)
    by_hand = 0.5 * np.sum((f - small.y) ** 2) + 0.05 / 2 * (
        np.sum(net.W1**2) + np.sum(net.b1**2) + np.sum(net.w2**2))
    assert by_hand == pytest.approx(opt.objective, rel=1e-6)
    assert opt.network_objective == pytest.approx(opt.objective, rel=1e-6)


def test_neuron_count_is_pruned_within_the_bound(moons, moons_optimum):
    opt = moons_optimum
    assert 1 <= opt.width <= moons.n < moons.n + 1
    assert opt.n_blocks >= opt.width
    assert opt.n_patterns == moons.n**2 - moons.n + 2  # all patterns (general position, bias)
    line = opt.neuron_line()
    assert line.startswith(f"{opt.width} neurons") and line.endswith(f"at most n + 1 = {moons.n + 1}")
    if opt.n_blocks != opt.width:
        assert f"(pruned from {opt.n_blocks} blocks)" in line
    assert opt.badge().startswith("certified optimal, gap ")


def test_gated_program_and_bad_input():
    data = ds.generate("moons", 16, 0.1, 2)
    gated = pg.solve_optimum(data.X, data.y, 0.1, program="gated")
    exact = pg.solve_optimum(data.X, data.y, 0.1)
    assert gated.certified and gated.objective <= exact.objective * (1 + 1e-6)  # a relaxation
    assert np.allclose(pg.unit_outputs(gated.model, data.X).sum(1), gated.model.predict(data.X))
    sine = ds.generate("sine", 12, 0.1, 0)
    with pytest.raises(ValueError):
        pg.solve_optimum(sine.X, sine.y, 0.1, loss="logistic")  # targets are not +-1
    with pytest.raises(ValueError):
        pg.solve_optimum(np.zeros((4, 3)), np.ones(4), 0.1)


def test_unit_outputs_and_order(moons, moons_optimum):
    net = moons_optimum.model
    parts = pg.unit_outputs(net, moons.X)
    assert np.allclose(parts.sum(axis=1), numpy_predict(net, moons.X))
    order = pg.neuron_order(net)
    weights = np.sqrt(np.sum(net.W1**2, 0) + net.b1**2) * np.abs(net.w2)
    assert sorted(order.tolist()) == list(range(net.width))
    assert np.all(np.diff(weights[order]) <= 1e-12)
    assert np.array_equal(pg.neuron_signs(net), np.sign(net.w2))


# --------------------------------------------------------------------------------------------
# Pictures
# --------------------------------------------------------------------------------------------


def test_regions_agree_with_a_known_network():
    # f(x) = (x1)_+ - (1 - x1)_+ is > 0 exactly where x1 > 0.5
    net = ReLUNetwork(np.array([[1.0, -1.0], [0.0, 0.0]]), np.array([0.0, 1.0]), np.array([1.0, -1.0]))
    img = np.asarray(fpg.region_image(net, VIEW, 200, hyperplanes=False)).astype(int)
    px = np.arange(200)
    x = pixel_data(px, np.zeros(200), VIEW, 200)[:, 0]
    row = img[60]  # y = 0.6 (row 100 is the x1 axis, drawn grey)
    off_axis = np.abs(x) > 0.05  # the light axis x1 = 0 is drawn grey
    right, left = x > 0.6, (x < 0.4) & off_axis
    assert np.all(row[right, 0] > row[right, 2])  # orange: more red than blue
    assert np.all(row[left, 2] > row[left, 0])  # blue
    near = np.abs(x - 0.5) < 0.03
    assert np.any(np.all(row[near] < 80, axis=1))  # the dark boundary line at x1 = 0.5


def test_boundary_coverage_is_the_distance_to_the_line():
    """On a linear f the coverage of a pixel is a ramp of its exact distance to the line f = 0
    (from the pixel's centre, computed here from the line's equation): 1 within half_width,
    fading to 0 over the next pixel; a region where f is flat at 0 draws no line."""
    rows, cols = np.mgrid[0:60, 0:80].astype(float)
    a, b, c = 0.6, -0.8, 7.3  # f = a*col + b*row + c, |(a, b)| = 1: f is the signed distance
    f = 3.0 * (a * cols + b * rows + c)
    coverage = fpg.boundary_coverage(f, half_width=1.0)
    distance = np.abs(a * cols + b * rows + c)
    expected = np.clip(1.5 - distance, 0.0, 1.0)
    inner = (slice(1, -1), slice(1, -1))  # np.gradient is one-sided at the border
    assert np.allclose(coverage[inner], expected[inner], atol=1e-9)
    assert coverage.max() == 1.0 and np.all(coverage[distance > 1.5] == 0.0)
    flat = np.where(cols < 40, 0.0, cols - 40.0)  # 0 on the left, rising on the right
    line = fpg.boundary_coverage(flat)
    assert np.all(line[:, :37] == 0.0)  # the flat zero region draws nothing
    assert np.all(line[:, 40] == 1.0)  # the line where f leaves 0


def test_region_image_of_the_optimum_agrees_with_its_prediction(moons_optimum):
    net = moons_optimum.model
    size = 160
    img = np.asarray(fpg.region_image(net, VIEW, size, hyperplanes=False)).astype(int)
    rng = np.random.default_rng(0)
    px, py = rng.integers(0, size, 400), rng.integers(0, size, 400)
    points = pixel_data(px, py, VIEW, size)
    f = numpy_predict(net, points)
    scale = np.percentile(np.abs(f), 95)
    # away from the boundary (drawn dark, cells of 2 px) and from the grey axes
    clear = (np.abs(f) > 0.1 * scale) & np.all(np.abs(points) > 0.05, axis=1)
    colours = img[py, px]
    assert clear.sum() > 100
    assert np.all((colours[:, 0] > colours[:, 2])[clear] == (f > 0)[clear])


def test_curve_image_draws_f(moons):
    sine = ds.generate("sine", 20, 0.05, 0)
    opt = pg.solve_optimum(sine.X, sine.y, 0.01)
    view = (-3.5, 3.5, -1.5, 1.5)
    img = np.asarray(fpg.curve_image(opt.model, view, 200)).astype(int)
    for px in (40, 100, 160):
        x = view[0] + (px + 0.5) / 200 * (view[1] - view[0])
        fx = float(opt.model.predict(np.array([[x]]))[0])
        py = int((view[3] - fx) / (view[3] - view[2]) * 200)
        if 2 <= py < 198:
            assert np.any(np.all(img[py - 2: py + 3, px] < 80, axis=1))  # the dark curve passes


def test_thumbnails_and_highlight(moons, moons_optimum):
    net = moons_optimum.model
    order = pg.neuron_order(net)
    tiles = fpg.thumbnails(net, VIEW, order, "classification", size=48)
    assert len(tiles) == net.width and all(t.size == (48, 48) for t in tiles)
    sheet = fpg.thumbnail_sheet(tiles, [str(k) for k in range(len(tiles))], columns=3)
    rows = -(-len(tiles) // 3)
    assert sheet.size == (3 * 54, rows * (48 + 19 + 6))
    assert np.array_equal(np.asarray(sheet)[:48, :48], np.asarray(tiles[0]))
    plain = np.asarray(fpg.region_image(net, VIEW, 120))
    marked = np.asarray(fpg.region_image(net, VIEW, 120, highlight=int(order[0])))
    assert np.any(np.all(marked == (214, 39, 40), axis=2))  # the highlighted hyperplane in red
    assert not np.any(np.all(plain == (214, 39, 40), axis=2))


def test_objective_chart_has_p_star():
    fig = fpg.objective_chart([0, 10, 20], [5.0, 4.0, 3.5], 3.0, [(20, 3.2)], [4, 5, 5])
    assert any(abs(shape.y0 - 3.0) < 1e-12 for shape in fig.layout.shapes)
    assert [t.name for t in fig.data] == ["AdamW: L(θ)", "p_I at a pause", "patterns now"]
    lo, hi = fig.layout.yaxis.range
    assert lo < 3.0 < 3.5 <= hi


# --------------------------------------------------------------------------------------------
# AdamW in chunks
# --------------------------------------------------------------------------------------------


def test_adamw_chunks_equal_the_train_module(moons):
    beta, lr = 0.1, 1e-2
    run = pg.start_adamw(moons.X, moons.y, 8, beta, seed=3)
    pg.advance_adamw(run, moons.X, moons.y, beta, steps=25, lr=lr)
    pg.advance_adamw(run, moons.X, moons.y, beta, steps=35, lr=lr)
    net, traj = cn.fit_nonconvex(moons.X, moons.y, 8, beta, "adamw", lr=lr, epochs=60, weight_decay=0.0,
                                 penalty=True, seed=3, snapshots=0)
    assert run.step == 60
    assert np.allclose(run.network().W1, net.W1, atol=1e-10)
    assert np.allclose(run.network().w2, net.w2, atol=1e-10)
    assert run.objectives[-1] == pytest.approx(traj.objective[-1], rel=1e-9)
    assert run.steps[0] == 0 and run.steps[-1] == 60


def test_adamw_objective_bounds(moons, moons_optimum):
    beta = 0.1
    run = pg.start_adamw(moons.X, moons.y, 20, beta)
    pg.advance_adamw(run, moons.X, moons.y, beta, steps=600, lr=1e-2)
    sub = stationary.subsampled_optimum(run.network(), moons.X, moons.y, beta)
    p_star = moons_optimum.objective
    assert run.objectives[-1] >= sub.p_I * (1 - 1e-6) >= p_star * (1 - 1e-6)
    assert run.objectives[-1] < run.objectives[0]
    assert len(run.seen) >= max(run.patterns_now) >= 1
    # a learning rate that blows up is reported, not raised
    wild = pg.start_adamw(moons.X, moons.y, 4, beta)
    pg.advance_adamw(wild, moons.X, moons.y, beta, steps=5, lr=1e300)
    assert wild.diverged and np.all(np.isfinite(wild.theta))


# --------------------------------------------------------------------------------------------
# The page (AppTest)
# --------------------------------------------------------------------------------------------

PAGE = "views/playground.py"
CANVAS = "pg_canvas"


@pytest.fixture
def at():
    app = AppTest.from_file("../../app.py", default_timeout=180)
    app.run()
    assert not app.exception, app.exception
    return app


def draw(app, objects):
    app.session_state[CANVAS] = {"drawing": {"raw": {"version": "6.0.0", "objects": objects}, "data": None}}
    return app.run()


def shown_objects(app) -> list[dict]:
    return list(app.session_state[S.CANVAS_OBJECTS])


def badge(app) -> str:
    lines = [e.value for e in list(app.success) + list(app.warning) if "gap" in e.value]
    assert len(lines) == 1, lines
    return lines[0]


def objective(app) -> float:
    return float(next(m.value for m in app.metric if m.label == "objective p*"))


def clean(app) -> None:
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]


def test_page_opens_on_the_certified_optimum(at):
    clean(at)
    assert badge(at).startswith("certified optimal, gap")
    data = at.session_state[S.DATA]
    ref = pg.solve_optimum(data.X, data.y, at.session_state[K.BETA])
    assert objective(at) == pytest.approx(ref.objective, rel=1e-4)
    assert any(f"at most n + 1 = {data.n + 1}" in m.value for m in at.markdown)


def test_a_click_resolves_on_the_same_page(at):
    before = objective(at)
    objects = shown_objects(at) + [ui.canvas.circle(20.0, 20.0, BLUE)]
    draw(at, objects)
    clean(at)
    data = at.session_state[S.DATA]
    assert data.n == 41 and data.name == "drawn"
    ref = cn.fit_convex(data.X, data.y, at.session_state[K.BETA])
    assert objective(at) == pytest.approx(ref.objective, rel=1e-4) and objective(at) != before
    assert badge(at).startswith("certified optimal")
    at.session_state["pg_lesson_open"] = True  # the lesson link is built when its expander opens
    at.run()
    link = [c.value for c in at.code][-1]
    assert "pts=" in link  # the lesson link carries the drawn points
    shared = ui.url.decode_points(urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["pts"][0])
    assert np.allclose(shared.X, data.X, atol=1e-3) and np.array_equal(shared.y, data.y)
    # Undo goes back to the moons and their optimum
    at.button(key="pg_undo").click().run()
    clean(at)
    assert at.session_state[S.DATA].n == 40
    assert objective(at) == pytest.approx(before, rel=1e-9)


def test_erase_removes_the_point_and_reloads_the_canvas(at):
    objects = shown_objects(at)
    first = ui.canvas.circle_centre(objects[0])
    draw(at, objects + [ui.canvas.circle(first[0] + 2, first[1], ui.canvas.ERASE_COLOR)])
    clean(at)
    assert at.session_state[S.DATA].n == 39
    reloaded = at.session_state[S.CANVAS_INITIAL]["objects"]
    assert len(reloaded) == 39  # the canvas is reloaded without the erased point and the mark


@pytest.mark.parametrize("case", ["one class", "one point", "duplicates", "collinear"])
def test_bad_drawings_keep_the_last_picture(at, case):
    at.button(key="pg_clear").click().run()
    clean(at)
    points = {
        "one class": [(50, 50, ORANGE), (100, 80, ORANGE), (150, 200, ORANGE)],
        "one point": [(50, 50, ORANGE)],
        "duplicates": [(50, 50, ORANGE), (50, 50, ORANGE), (200, 220, BLUE), (300, 100, BLUE)],
        "collinear": [(50, 50, ORANGE), (100, 100, BLUE), (150, 150, ORANGE), (200, 200, BLUE)],
    }[case]
    draw(at, [ui.canvas.circle(x, y, c) for x, y, c in points])
    clean(at)
    text = " ".join(e.value for e in at.warning)
    if case == "one class":
        assert "only one class" in text.lower() and "stays on the canvas" in text
        assert badge(at).startswith("certified optimal")  # the last good optimum is still shown
    elif case == "one point":
        assert "single point" in text and "stays on the canvas" in text
    elif case == "duplicates":
        assert "duplicate" in text
        assert at.session_state[S.DATA].n == 3 and badge(at).startswith("certified optimal")
    else:
        assert at.session_state[S.DATA].n == 4 and badge(at).startswith("certified optimal")


def test_a_solve_stopped_on_its_limit_keeps_the_last_picture(at, monkeypatch):
    good = objective(at)
    real = pg.solve_optimum

    def stopped(*args, **kwargs):
        import dataclasses

        return dataclasses.replace(real(*args, **kwargs), certified=False, status="time_limit")

    monkeypatch.setattr(pg, "solve_optimum", stopped)
    at.session_state[K.BETA] = 0.2  # a new key for the cache
    at.run()
    clean(at)
    assert any("stopped before its certificate (time_limit)" in e.value for e in at.warning)
    assert objective(at) == pytest.approx(good)  # the last certified optimum stays


def test_loss_that_does_not_fit_the_data_is_a_message(at):
    at.session_state[K.PRESET] = "sine"
    at.run()
    assert at.session_state[S.DATA].name == "sine"
    at.selectbox(key="pg_" + K.LOSS).select("logistic").run()
    assert not at.exception
    assert any("Cannot solve" in e.value for e in at.warning)
    at.button(key="pg_step").click().run()  # AdamW still trains, without a p* to compare with
    assert not at.exception
    assert any(m.value.startswith("step 100") for m in at.markdown)


def test_moving_from_2d_to_1d_data_after_a_failure(at):
    at.selectbox(key="pg_" + K.LOSS).select("logistic").run()
    clean(at)
    at.session_state[K.PRESET] = "sine"
    at.run()
    assert not at.exception
    assert any("Cannot solve" in e.value for e in at.warning)


def test_data_the_playground_cannot_draw(at):
    at.session_state[K.PRESET] = "plane"
    at.run()
    assert not at.exception
    assert any("cannot draw" in e.value for e in at.info)
    at.button(key="pg_start").click().run()
    assert not at.exception
    assert at.session_state[S.SOURCE] == "drawing"


def test_controls_hide_from_the_url_and_the_lesson_link():
    app = AppTest.from_file("../../app.py", default_timeout=180)
    app.query_params["beta_hide"] = "true"
    app.query_params["adamw_hide"] = "true"
    app.run()
    clean(app)
    assert not [s for s in app.select_slider if s.key == "pg_" + K.BETA]
    assert not [b for b in app.button if b.key in ("pg_play", "pg_pause")]
    assert [s for s in app.selectbox if s.key == "pg_" + K.LOSS]
    app.session_state["pg_lesson_open"] = True  # the lesson link is built when its expander opens
    app.run()
    app.multiselect(key="pg_hide").select("loss").run()
    link = [c.value for c in app.code][-1]
    assert "loss_hide=true" in link


def test_adamw_step_and_pause_show_p_I(at):
    at.button(key="pg_step").click().run()
    clean(at)
    line = next(m.value for m in at.markdown if m.value.startswith("step 100"))
    assert "p_I =" in line and "L ≥ p_I ≥ p*" in line
    at.pills(key="pg_highlight").set_value(1).run()
    clean(at)


def test_the_drawing_travels_between_the_playground_and_the_data_page(at):
    objects = shown_objects(at) + [ui.canvas.circle(25.0, 25.0, BLUE)]
    draw(at, objects)
    assert at.session_state[S.DATA].n == 41
    at.switch_page("views/data.py").run()
    clean(at)
    # the Data page's canvas is loaded with the playground's drawing, the new point included
    assert len(at.session_state[S.CANVAS_INITIAL]["objects"]) == 41
    more = list(at.session_state[S.CANVAS_OBJECTS]) + [ui.canvas.circle(375.0, 30.0, ORANGE)]
    at.session_state[K.CANVAS] = {"drawing": {"raw": {"version": "6.0.0", "objects": more}, "data": None}}
    at.run()
    assert at.session_state[S.DATA].n == 42
    at.switch_page(PAGE).run()
    clean(at)
    assert len(at.session_state[S.CANVAS_INITIAL]["objects"]) == 42
    data = at.session_state[S.DATA]
    ref = pg.solve_optimum(data.X, data.y, at.session_state[K.BETA])
    assert objective(at) == pytest.approx(ref.objective, rel=1e-4)  # shown with 5 digits


def test_settings_are_shared_with_the_other_pages(at):
    at.select_slider(key="pg_" + K.BETA).set_value(0.05).run()
    at.selectbox(key="pg_" + K.PROGRAM).select("gated").run()
    clean(at)
    assert badge(at).startswith("certified optimal")
    at.switch_page("views/global_optimum.py").run()
    assert at.session_state[K.BETA] == 0.05 and at.session_state[K.PROGRAM] == "gated"
    assert at.number_input(key=K.BETA).value == 0.05 and at.radio(key=K.PROGRAM).value == "gated"
    gated = pg.solve_optimum(at.session_state[S.DATA].X, at.session_state[S.DATA].y, 0.05, program="gated")
    shown = float(next(m.value for m in at.metric if m.label == "Objective"))
    assert shown == pytest.approx(gated.objective, rel=1e-4)  # that page solved with these settings
    at.number_input(key=K.BETA).set_value(0.2).run()
    at.switch_page(PAGE).run()
    assert at.select_slider(key="pg_" + K.BETA).value == 0.2


def test_a_late_echo_after_undo_is_ignored(at):
    moons = shown_objects(at)
    with_click = moons + [ui.canvas.circle(20.0, 380.0, BLUE)]
    draw(at, with_click)
    assert at.session_state[S.DATA].n == 41
    at.button(key="pg_undo").click().run()
    assert at.session_state[S.DATA].n == 40
    assert len(at.session_state[S.CANVAS_INITIAL]["objects"]) == 40  # the canvas is reloaded
    draw(at, with_click + [])  # the canvas still sends the drawing from before the reload
    assert at.session_state[S.DATA].n == 40  # ignored: a late echo
    draw(at, moons + [ui.canvas.circle(380.0, 20.0, ORANGE)])  # the next real click counts
    clean(at)
    assert at.session_state[S.DATA].n == 41


@pytest.mark.parametrize("preset", ui.PRESETS)
def test_every_preset_opens_without_a_traceback(preset):
    app = AppTest.from_file("../../app.py", default_timeout=180)
    app.query_params["preset"] = preset
    app.run()
    clean(app)
    assert app.session_state[K.PRESET] == preset
    data = app.session_state[S.DATA]
    if ui.canvas.drawable(data):
        assert badge(app).startswith("certified optimal")
        app.button(key="pg_step").click().run()
        clean(app)


def test_a_lesson_link_reproduces_width_learning_rate_and_hidden_controls():
    app = AppTest.from_file("../../app.py", default_timeout=180)
    for key, value in {"pg_width": "35", "pg_lr": "0.03", "neurons_hide": "true", "edit_hide": "1"}.items():
        app.query_params[key] = value
    app.run()
    clean(app)
    assert app.slider(key="pg_width").value == 35 and app.select_slider(key="pg_lr").value == 0.03
    assert not [p for p in app.pills if p.key == "pg_highlight"]  # no pills of the thumbnails
    assert not [b for b in app.button if b.key in ("pg_undo", "pg_clear")]
    written = app.session_state["_url_written"]  # what the address bar holds: the same view
    assert {k: written[k] for k in ("pg_width", "pg_lr", "neurons_hide", "edit_hide")} == {
        "pg_width": "35", "pg_lr": "0.03", "neurons_hide": "true", "edit_hide": "true"}
    app.button(key="pg_step").click().run()
    run = app.session_state["_pg_run"][1]
    assert run.width == 35 and run.step == 100


def test_a_bad_width_in_a_link_is_a_message_and_the_default():
    app = AppTest.from_file("../../app.py", default_timeout=180)
    app.query_params["pg_width"] = "5000"
    app.query_params["beta_hide"] = "maybe"
    app.run()
    assert not app.exception
    text = " ".join(w.value for w in app.warning)
    # Markdown-escaped names
    assert "pg\\_width='5000' was ignored" in text and "beta\\_hide='maybe' was ignored" in text
    assert app.slider(key="pg_width").value == 20
    assert [s for s in app.select_slider if s.key == "pg_" + K.BETA]


def test_from_the_data_page_straight_to_the_playground(at):
    at.switch_page("views/data.py").run()
    at.session_state[K.CANVAS] = {"drawing": {"raw": {"version": "6.0.0", "objects": shown_objects(at) + [
        ui.canvas.circle(30.0, 370.0, BLUE)]}, "data": None}}
    at.run()
    assert at.session_state[S.DATA].n == 41
    at.switch_page(PAGE).run()
    clean(at)
    assert len(at.session_state[S.CANVAS_INITIAL]["objects"]) == 41  # the canvas opens with it
    data = at.session_state[S.DATA]
    ref = pg.solve_optimum(data.X, data.y, at.session_state[K.BETA])
    assert objective(at) == pytest.approx(ref.objective, rel=1e-4)
    draw(at, shown_objects(at) + [ui.canvas.circle(370.0, 30.0, ORANGE)])  # the next click counts
    clean(at)
    assert at.session_state[S.DATA].n == 42


def test_pause_stays_paused_when_its_click_arrives_twice():
    """A slow browser repeats a click's trigger with the AdamW timer's next tick: Play and Pause are
    two buttons that set the state, so the repeated Pause pauses again (a toggle resumed)."""
    app = AppTest.from_file("../../app.py", default_timeout=180)
    app.run()
    clean(app)
    app.button(key="pg_play").click().run()
    assert app.session_state["_pg_playing"]
    pause = app.button(key="pg_pause")
    pause.click().run()
    assert not app.session_state["_pg_playing"] and app.button(key="pg_play").label == "Play"
    pause.click().run()  # the same click again
    assert not app.session_state["_pg_playing"] and app.button(key="pg_play").label == "Play"
