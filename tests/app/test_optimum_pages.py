"""The Global optimum, All global optima and Lasso path pages, driven by Streamlit's AppTest.

Charts are not rendered by AppTest; their plotly JSON is read from the element's proto. Data are
put into session state directly (as the Data page would), so these tests do not depend on the
Data page's widgets.
"""

from __future__ import annotations

import base64
import re
import time

import numpy as np
import pytest
from conftest import chart_specs
from streamlit.testing.v1 import AppTest

import ui
from convexnn import datasets as ds
from convexnn import optima
from ui import K, S

OPTIMUM = "views/global_optimum.py"
OPTIMA = "views/optima.py"
PATH = "views/lasso_path.py"


@pytest.fixture
def at():
    app = AppTest.from_file("../../app.py", default_timeout=120)
    app.run()
    assert not app.exception
    return app


def use_data(app, data: ds.Dataset):
    app.session_state[S.DATA] = data
    app.session_state[S.SOURCE] = "upload"


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def metrics(app) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def values(array) -> np.ndarray:
    """A plotly JSON array: a list, or numpy's typed-array encoding {"dtype", "bdata"}."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
    return np.asarray(array)


def clean(app):
    assert not app.exception, app.exception
    assert not app.error, texts(app.error)


# --------------------------------------------------------------------------------------------
# Global optimum
# --------------------------------------------------------------------------------------------


def test_optimum_page_shows_certificate_bars_table_and_exports(at):
    t0 = time.perf_counter()
    at.switch_page(OPTIMUM).run()
    clean(at)
    assert time.perf_counter() - t0 < 30
    m = metrics(at)
    width = int(m["Neurons"])
    specs = chart_specs(at)
    bars = [s for s in specs if any(t.get("name", "").startswith("β = ") for t in s["data"])]
    assert len(bars) == 1
    assert any("complementary slackness" in c for c in texts(at.caption))
    # the tabs below the figure are built when opened: the first view has no table, no downloads
    assert not at.dataframe and not at.get("download_button")
    at.session_state["optimum_section"] = "The neurons"
    at.run()
    clean(at)
    table = at.dataframe[0].value
    marks = [t for t in bars[0]["data"] if t.get("name", "").startswith("neuron, w2")]
    # one diamond per pattern of a neuron, on the line beta
    assert sum(len(values(t["x"])) for t in marks) == table["pattern"].nunique()
    assert np.allclose(np.concatenate([values(t["y"]) for t in marks]), ui.schema.DEFAULTS[K.BETA], rtol=1e-4)
    assert len(table) == width and {"w1[1]", "w1[2]", "b1", "w2", "pattern", "norm ‖u‖"} <= set(table.columns)
    assert np.allclose(table["norm ‖u‖"], np.abs(table["w2"]) ** 2)  # balanced: ‖u‖ = w2²
    at.session_state["optimum_section"] = "Export and import"
    at.run()
    clean(at)
    downloads = at.get("download_button")
    assert len(downloads) == 2
    assert len(at.code) == 0  # the Python snippet is built when its expander opens
    at.session_state["optimum_snippet_open"] = True
    at.run()
    assert len(at.code) == 1 and "def predict(" in at.code[0].value
    # the shading selector
    at.selectbox(key="optimum_highlight").set_value(0).run()
    clean(at)
    main = [s for s in chart_specs(at) if any(t.get("name") == "neuron 0 active" for t in s["data"])]
    assert len(main) == 1


def test_sampled_patterns_losses_and_the_gated_program(at):
    at.switch_page(OPTIMUM).run()
    exact = float(metrics(at)["Objective"])
    for patterns in ("gaussian", "geometric"):
        at.selectbox(key=K.PATTERNS).set_value(patterns).run()
        clean(at)
        assert at.number_input(key="optimum_samples").value == ui.compute.DEFAULT_SAMPLES
        sampled = float(metrics(at)["Objective"])
        assert sampled >= exact * (1 - 1e-5)  # fewer patterns: a restriction of the program
        assert any("Sampled patterns" in c for c in texts(at.caption))
    at.selectbox(key=K.PATTERNS).set_value("exact").run()
    for loss, program in (("hinge", "exact"), ("logistic", "gated")):
        at.selectbox(key=K.LOSS).set_value(loss).run()
        at.radio(key=K.PROGRAM).set_value(program).run()
        clean(at)
        assert any("certified optimal" in t for t in texts(at.success))
    at.session_state["optimum_section"] = "Export and import"
    at.run()
    assert not at.get("download_button")  # the gated model is not a ReLU network
    assert any("not a ReLU network" in t for t in texts(at.info))


@pytest.mark.parametrize("name", ["sine", "plane"])
def test_regression_data_on_all_three_pages(at, name):
    use_data(at, ds.generate(name, 20 if name == "sine" else 30))
    for page in (OPTIMUM, OPTIMA, PATH):
        at.switch_page(page).run()
        clean(at)
    titles = [a.get("text", "") for a in chart_specs(at)[0]["layout"]["annotations"]]
    assert "training RMSE" in titles


@pytest.mark.slow
@pytest.mark.parametrize("preset", ui.PRESETS)
def test_every_preset_on_the_three_pages(request, preset):
    """About 1.5 minutes for all presets: runs with ``-m slow`` (the default tests cover moons,
    sine, plane and small custom data)."""
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("about 1.5 minutes for all presets: runs with -m slow")
    at = AppTest.from_file("../../app.py", default_timeout=120).run()
    at.session_state[K.PRESET] = preset
    at.session_state[K.TEST] = 0.25 if preset == "moons" else 0.0  # one with held-out points
    at.session_state[S.SOURCE] = "preset"
    at.session_state[S.DATA_SETTINGS] = None
    for page in (OPTIMUM, OPTIMA, PATH):
        at.switch_page(page).run()
        clean(at)
        assert at.session_state[S.DATA].name.startswith(preset[:4])
    assert chart_specs(at)[0]["frames"]


def test_json_import_round_trip_and_bad_file(at):
    at.switch_page(OPTIMUM).run()
    objective = metrics(at)["Objective"]
    data = at.session_state[S.DATA]
    d = ui.schema.DEFAULTS
    result = ui.compute.solve(data.X, data.y, d[K.BETA], d[K.LOSS], d[K.PROGRAM], d[K.PRUNE])
    text = ui.compute.export_json(result.model)
    at.session_state["optimum_section"] = "Export and import"
    at.run()
    at.file_uploader(key="optimum_import").set_value(("network.json", text.encode(), "application/json"))
    at.run()
    clean(at)
    m = metrics(at)
    assert float(m["Imported objective"]) == pytest.approx(float(objective), rel=1e-5)
    assert int(m["Its neurons"]) == result.width
    right = np.where(result.model.predict(data.X) >= 0, 1.0, -1.0) == data.y
    assert m["Its accuracy"] == f"{np.mean(right):.0%}"
    assert any("global optimum" in c for c in texts(at.caption))
    at.file_uploader(key="optimum_import").set_value(("bad.json", b"{oops", "application/json"))
    at.run()
    assert not at.exception
    assert any("Could not read bad.json" in e and "not valid JSON" in e for e in texts(at.error))


def test_exported_python_snippet_runs_and_predicts_the_same():
    data = ds.moons(40)
    result = ui.compute.solve(data.X, data.y, 0.1, "squared", "exact", True)
    namespace: dict = {}
    exec(compile(ui.compute.export_python(result.model), "network.py", "exec"), namespace)
    assert np.allclose(namespace["predict"](data.X), result.model.predict(data.X), rtol=0, atol=1e-12)
    loaded = optima.load_network(ui.compute.export_json(result.model), input_dim=2)
    assert np.array_equal(loaded.predict(data.X), result.model.predict(data.X))


# --------------------------------------------------------------------------------------------
# All global optima
# --------------------------------------------------------------------------------------------


def test_split_pad_permute_keeps_the_objective_live(at):
    at.switch_page(OPTIMA).run()
    clean(at)
    m = metrics(at)
    base = at.session_state[K.BETA]
    assert base == ui.schema.DEFAULTS[K.BETA]
    width0 = int(m["Width"]) - 3 + 1 - 1  # defaults: 3 copies, 1 zero neuron
    assert float(m["|Δ objective|"]) <= 1e-12 * float(m["Objective"])
    assert any("another global optimum" in t for t in texts(at.success))
    at.slider(key="optima_copies").set_value(5).run()
    at.slider(key="optima_zeros").set_value(3).run()
    at.slider(key="optima_alpha_4").set_value(0.9).run()
    clean(at)
    m = metrics(at)
    assert int(m["Width"]) == width0 - 1 + 5 + 3
    assert float(m["|Δ objective|"]) <= 1e-12 * float(m["Objective"])
    assert float(m["max |Δf|"]) <= 1e-12
    assert any("another global optimum" in t for t in texts(at.success))
    at.toggle(key="optima_shuffle").set_value(False).run()
    clean(at)


def test_critical_width_experiment_on_small_data(at):
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (6, 2))
    use_data(at, ds.Dataset(X, np.sign(X[:, 0] * X[:, 1] + 0.1), "classification", "tiny"))
    at.switch_page(OPTIMA).run()
    clean(at)
    assert "m* (experiment)" not in metrics(at)  # its tab is built when opened
    at.session_state["optima_section"] = "The critical width m*"
    at.run()
    clean(at)
    assert "m* (experiment)" in metrics(at)  # a small default experiment runs by itself
    at.select_slider(key="optima_epochs").set_value(4000).run()  # a larger one waits for the button
    assert "m* (experiment)" not in metrics(at)
    at.button(key="optima_train").click().run()
    clean(at)
    m = metrics(at)
    star = m["m* (experiment)"]
    assert re.fullmatch(r"≤ \d+", star) and int(star[2:]) <= 6 + 1
    assert int(m["Pruned convex optimum"].split()[0]) >= int(star[2:]) - 2
    widths = [s for s in chart_specs(at) if any(t.get("name") == "best of the restarts" for t in s["data"])]
    assert len(widths) == 1
    # the result is cached: a rerun shows it without training again
    at.run()
    assert metrics(at)["m* (experiment)"] == star


# --------------------------------------------------------------------------------------------
# Lasso path
# --------------------------------------------------------------------------------------------


def test_lasso_path_page_animates_the_pruned_path(at):
    t0 = time.perf_counter()
    at.switch_page(PATH).run()
    clean(at)
    assert time.perf_counter() - t0 < 60
    m = metrics(at)
    assert m["Certified"] == "25/25"
    assert float(m["β_max"]) > 0 and int(m["Neurons at the smallest β"]) > 0
    spec = chart_specs(at)[0]
    assert len(spec["frames"]) == 25 and len(spec["layout"]["sliders"][0]["steps"]) == 25
    table = at.dataframe[0].value
    assert table["neurons"].iloc[0] == 0 and (table["neurons"] <= table["solver blocks"]).all()
    start = spec["layout"]["sliders"][0]["active"]  # opens mid-path, on a network of half the neurons
    assert 0 < start < 24 and 2 * table["neurons"].iloc[start] >= table["neurons"].iloc[-1] > 0
    at.slider(key="path_n_betas").set_value(20).run()
    clean(at)
    assert len(chart_specs(at)[0]["frames"]) == 20
    # the loss chosen here is the loss of the other pages
    at.selectbox(key=K.LOSS).set_value("logistic").run()
    clean(at)
    at.switch_page(OPTIMUM).run()
    assert at.selectbox(key=K.LOSS).value == "logistic"


def test_large_data_wait_for_a_click(at):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (120, 2))
    use_data(at, ds.Dataset(X, np.where(X[:, 0] > X[:, 1], 1.0, -1.0), "classification", "big"))
    at.switch_page(PATH).run()
    assert not at.exception
    assert [b.label for b in at.button if b.key == "path_run"] == ["Compute the path"]
    assert any("120 points" in t for t in texts(at.info))
    assert not chart_specs(at)
