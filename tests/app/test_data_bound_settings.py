"""Settings that pick something of the current data (a pattern, a point, a neuron): in the schema,
so a link carries them, and checked against the data when the page reads them (a value out of
range is a message naming it, and the default is used)."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from test_arrangements_page import app, clean

import ui
from convexnn import arrangements as A
from ui.keys import S

ARR_PAGE = "views/arrangements.py"
GA_PAGE = "views/geometric_algebra.py"
OPTIMUM = "views/global_optimum.py"
OPTIMA = "views/optima.py"


def warnings(at) -> str:
    return " ".join(w.value for w in at.warning)


# --------------------------------------------------------------------------------------------
# Unit: the schema entries and the check
# --------------------------------------------------------------------------------------------


def test_the_data_dependent_settings_are_in_the_schema_and_the_url():
    names = set(ui.schema.bounded_settings())
    assert {"arr_goto", "ga_i", "ga_j", "ga_k", "optima_neuron", "optimum_highlight",
            "adamw_animate"} <= names
    for name in names:
        setting = ui.schema.SCHEMA[name]
        assert setting.url and setting.kind is int and setting.page is not None
        assert setting.lo <= setting.default <= setting.hi


@pytest.mark.parametrize("name, text, ok", [
    ("arr_goto", "7", 7), ("arr_goto", "0", None), ("arr_goto", "1e12", None), ("arr_goto", "2.5", None),
    ("ga_j", "499", 499), ("ga_j", "-1", None), ("optima_neuron", "-1", -1), ("optima_neuron", "-2", None),
    ("optimum_highlight", "3", 3), ("optimum_highlight", "none", None),
])
def test_a_link_value_is_parsed_against_the_cap_before_the_data(name, text, ok):
    setting = ui.schema.SCHEMA[name]
    if ok is None:
        with pytest.raises(ValueError):
            setting.parse(text)
    else:
        assert setting.parse(text) == ok


def _link_script() -> None:
    import streamlit as st

    from ui import url

    st.session_state.update(arr_goto=9, ga_j=4, optima_neuron=2, optimum_highlight=-1)
    st.session_state["params"] = url.url_params()


def test_a_pick_travels_in_the_link_unless_it_is_the_default():
    at = AppTest.from_function(_link_script, default_timeout=60).run()
    assert not at.exception, at.exception
    params = at.session_state["params"]
    assert params["arr_goto"] == "9" and params["ga_j"] == "4" and params["optima_neuron"] == "2"
    assert "optimum_highlight" not in params  # -1 (none) is the default


def _check_script(name: str, value, count: int, fallback) -> None:
    import streamlit as st

    from ui import schema
    from ui.messages import show_messages

    st.session_state[name] = value
    st.session_state["result"] = schema.within_data(name, count, "things", fallback)
    show_messages(kept_too=False)


@pytest.mark.parametrize("name, value, count, fallback, expected", [
    ("arr_goto", 5, 5, None, 5),        # pattern numbers run 1..count
    ("arr_goto", 6, 5, None, 1),
    ("ga_i", 4, 5, 0, 4),               # point indices 0..count-1
    ("ga_i", 5, 5, 2, 2),
    ("optimum_highlight", -1, 3, None, -1),  # -1: none
    ("optimum_highlight", 3, 3, None, -1),
    ("optima_neuron", "x", 3, 1, 1),    # not a value of the setting at all: the fallback, no message
])
def test_within_data_keeps_a_value_in_range_and_replaces_one_outside(name, value, count, fallback, expected):
    at = AppTest.from_function(_check_script, args=(name, value, count, fallback), default_timeout=60).run()
    assert not at.exception, at.exception
    assert at.session_state["result"] == expected == at.session_state[name]
    text = warnings(at)
    if expected == value or isinstance(value, str):
        assert text == ""
    else:
        assert f"{name} = {value}" in text and f"{count} things" in text and f"using {expected}" in text


# --------------------------------------------------------------------------------------------
# AppTest: each page reads its pick from a link and checks it against its data
# --------------------------------------------------------------------------------------------


def test_arrangements_pattern_number_from_a_link():
    at = app({"n": "12", "arr_goto": "9"})
    at.switch_page(ARR_PAGE).run()
    clean(at)
    assert at.number_input(key="arr_goto").value == 9 and warnings(at) == ""
    count = A.arrangement(at.session_state[S.DATA].X).count
    at = app({"n": "12", "arr_goto": str(count + 1)})
    at.switch_page(ARR_PAGE).run()
    clean(at)
    assert at.number_input(key="arr_goto").value == 1
    assert f"arr_goto = {count + 1}" in warnings(at) and f"{count} patterns" in warnings(at)


def test_geometric_algebra_points_from_a_link():
    at = app({"n": "12", "ga_i": "3", "ga_j": "7", "ga_k": "11"})
    at.switch_page(GA_PAGE).run()
    clean(at)
    assert (at.session_state["ga_i"], at.session_state["ga_j"], at.session_state["ga_k"]) == (3, 7, 11)
    assert warnings(at) == ""
    at = app({"n": "12", "ga_j": "12"})
    at.switch_page(GA_PAGE).run()
    clean(at)
    X = at.session_state[S.DATA].train().X
    far = int(np.argmax(np.hypot(*(X - X[0]).T)))  # the page's own default pick
    assert at.session_state["ga_j"] == far
    assert "ga_j = 12" in warnings(at) and "12 points" in warnings(at)


def test_global_optimum_highlighted_neuron_from_a_link():
    at = app({"optimum_highlight": "1"})
    at.switch_page(OPTIMUM).run()
    clean(at)
    assert at.selectbox(key="optimum_highlight").value == 1 and warnings(at) == ""
    at = app({"optimum_highlight": "9999"})
    at.switch_page(OPTIMUM).run()
    clean(at)
    assert at.selectbox(key="optimum_highlight").value == -1  # none
    assert "optimum_highlight = 9999" in warnings(at)


def test_all_optima_neuron_to_split_from_a_link():
    at = app({"optima_neuron": "0"})
    at.switch_page(OPTIMA).run()
    clean(at)
    assert at.selectbox(key="optima_neuron").value == 0 and warnings(at) == ""
    at = app()
    at.switch_page(OPTIMA).run()
    clean(at)
    first = at.selectbox(key="optima_neuron").value  # the first view: the neuron of largest weight
    at = app({"optima_neuron": "9999"})
    at.switch_page(OPTIMA).run()
    clean(at)
    assert at.selectbox(key="optima_neuron").value == first
    assert "optima_neuron = 9999" in warnings(at)


def test_adamw_run_to_animate_from_a_link():
    """Two learning rates train two runs: a link picks the second, one beyond them is a message."""
    small = {"adamw_data": "Current data", "adamw_lrs": "0.01,0.001", "adamw_epochs": "100",
             "adamw_width": "20", "adamw_methods": "gaussian"}
    at = app({**small, "adamw_animate": "1"})
    at.switch_page("views/adamw.py").run()
    clean(at)
    box = at.selectbox(key="adamw_animate")
    assert box.value == 1 and box.options[1].startswith("AdamW") and warnings(at) == ""
    at = app({**small, "adamw_animate": "2"})
    at.switch_page("views/adamw.py").run()
    clean(at)
    assert at.selectbox(key="adamw_animate").value in (0, 1)  # the most accurate of the two
    assert "adamw_animate = 2" in warnings(at) and "2 AdamW runs" in warnings(at)


@pytest.mark.parametrize("run, shown", [("1", 1), ("2", None)])
def test_stationary_run_from_a_link(run, shown):
    """Two restarts: a link shows the second, or names a third that is not there."""
    at = AppTest.from_file("../../app.py", default_timeout=180)
    at.query_params["stationary_run"] = run
    at.session_state["stationary_V4.2_runs"] = 2
    at.run()
    at.switch_page("views/stationary.py").run()
    clean(at)
    box = at.selectbox(key="stationary_run")
    if shown is not None:
        assert box.value == shown and box.options == ["seed 0", "seed 1"] and warnings(at) == ""
    else:
        assert box.value in (0, 1) and "stationary_run = 2" in warnings(at) and "2 runs" in warnings(at)
