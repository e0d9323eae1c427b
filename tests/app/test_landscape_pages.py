"""AppTest: the Stationary points and AdamW vs convex pages.

Settings are put in session state before the first run so that every test stays small (the full
spiral's exact program is left to the browser test and the slow tests).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import chart_specs
from streamlit.testing.v1 import AppTest

STATIONARY = "views/stationary.py"
ADAMW = "views/adamw.py"


def open_page(page: str, state: dict | None = None, timeout: float = 180) -> AppTest:
    at = AppTest.from_file("../../app.py", default_timeout=timeout)
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict:
    return {m.label: m.value for m in at.metric}


def table(at: AppTest, column: str):
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with column {column!r}")


# --------------------------------------------------------------------------------------------
# Stationary points
# --------------------------------------------------------------------------------------------


def test_stationary_default_v42():
    at = open_page(STATIONARY, {"stationary_V4.2_runs": 3})
    m = metrics(at)
    assert m["p* (global optimum)"] == "1.89242"
    assert m["runs at the global optimum"].endswith("of 3")
    assert not at.dataframe  # the table of runs is built when its expander opens
    at.session_state["stationary_table_open"] = True
    at.run()
    runs = table(at, "p_I")
    assert len(runs) == 3
    L, pI = runs["L"].to_numpy(float), runs["p_I"].to_numpy(float)
    assert np.all(L >= pI * (1 - 1e-6)) and np.all(pI >= 1.892417 * (1 - 1e-5))
    assert not at.error and not at.warning
    assert len(chart_specs(at)) == 1  # the first tab: the restarts; the others are built when opened
    # the landscape tab: a segment and a plane chart, a barrier or not
    at.session_state["stationary_section"] = "The landscape between them"
    at.run()
    assert not at.exception and len(chart_specs(at)) == 2
    assert any("along the straight line" in c.value for c in at.caption)


def test_stationary_v41_preset_reproduces_019_and_0595():
    at = open_page(STATIONARY, {"stationary_preset": "V4.1: X = I₂, y = (1, 1)", "stationary_V4.1_runs": 1,
                                "stationary_table_open": True})
    runs = table(at, "p_I")
    first = runs.set_index("run")
    assert abs(first.loc["documented start A", "L"] - 0.19) < 1e-6
    assert abs(first.loc["documented start B", "L"] - 0.595) < 1e-6
    assert abs(first.loc["documented start A", "p_I"] - 0.19) < 1e-5
    assert metrics(at)["p* (global optimum)"] == "0.136421"
    # start A is spurious: its certificate is sqrt(2) (V4.1 of the documentation)
    assert first.loc["documented start A", "certificate"] == "1.41"
    assert first.loc["documented start A", "verdict"] == "spurious"


def test_stationary_pick_a_run_and_a_random_plane():
    at = open_page(STATIONARY, {"stationary_V4.2_runs": 2})
    at.selectbox(key="stationary_run").set_value(0).run()
    assert at.selectbox(key="stationary_run").value == 0
    at.session_state["stationary_section"] = "One run and the optimum"
    at.run()
    assert at.selectbox(key="stationary_run").value == 0  # the same run in every tab
    assert any("patterns" in md.value for md in at.markdown)
    at.session_state["stationary_section"] = "The landscape between them"
    at.run()
    at.radio(key="stationary_third").set_value("random direction").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(chart_specs(at)) == 2


def test_stationary_current_data_1d_is_a_message():
    at = open_page(STATIONARY, {"preset": "sine", "stationary_preset": "Current data"})
    assert any("2-D" in w.value for w in at.warning)


# --------------------------------------------------------------------------------------------
# AdamW vs convex
# --------------------------------------------------------------------------------------------


SMALL_ADAMW = {
    "adamw_data": "Current data",  # the moons, 40 points
    "adamw_lrs": [0.01],
    "adamw_epochs": 200,
    "adamw_width": 50,
}


def test_adamw_page_on_the_current_data():
    at = open_page(ADAMW, {**SMALL_ADAMW, "adamw_methods": ["exact", "gaussian", "geometric"]})
    summary = table(at, "train accuracy")
    methods = summary["method"].tolist()
    assert methods == ["AdamW lr 0.01", "convex, 200 Gaussian", "convex, 200 geometric-algebra",
                       "convex, exact patterns"]
    exact = summary.set_index("method").loc["convex, exact patterns"]
    status = exact["status"]  # certified, or stopped within a hair of the tolerance (gap <= 1e-5)
    assert status == "certified optimal" or float(status.rsplit("gap ", 1)[1]) <= 1e-5, status
    # convex objectives are minimal over their pattern sets: exact <= sampled
    obj = summary.set_index("method")["objective"]
    assert obj["convex, exact patterns"] <= min(obj["convex, 200 Gaussian"],
                                                obj["convex, 200 geometric-algebra"]) * (1 + 1e-6)
    assert not at.error


def test_adamw_restricted_program_button():
    at = open_page(ADAMW, {**SMALL_ADAMW, "adamw_methods": ["exact"], "adamw_section": "Where AdamW stopped"})
    at.button(key="adamw_restricted").click().run()
    assert not at.exception, [e.value for e in at.exception]
    m = metrics(at)
    p_I = float(next(v for k, v in m.items() if k.startswith("p_I over")))
    p_star = float(m["p* (all patterns)"])
    L = float(m["L of AdamW's network"])
    assert L >= p_I * (1 - 1e-6) and p_I >= p_star * (1 - 1e-5)


def test_adamw_page_needs_classification():
    at = open_page(ADAMW, {**SMALL_ADAMW, "preset": "sine"})
    assert any("classification" in w.value for w in at.warning)


@pytest.mark.parametrize("state", [{"adamw_lrs": [], "adamw_methods": []}])
def test_adamw_page_nothing_selected(state):
    at = open_page(ADAMW, {**SMALL_ADAMW, **state})
    assert any("Pick at least one" in i.value for i in at.info)
