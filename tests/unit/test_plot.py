"""ui.plot: which figures the cartesian bundle draws, and the bundle shipped in static/.

The browser side (the bundle loaded once, each figure drawn, a click reported as a selection) is
checked by the browser tests (tests/browser/test_browser_first_visit.py on every page,
test_browser_theory.py for a click).
"""

from __future__ import annotations

import re

import plotly.graph_objects as go
import plotly.offline

from ui import plot


def bundle_text() -> str:
    return plot.BUNDLE_FILE.read_text(encoding="utf-8")


def test_the_bundle_is_plotly_js_cartesian_at_plotly_pys_version():
    """The figures are built by plotly.py for its plotly.js; the bundle must be that version."""
    header = bundle_text()[:300]
    found = re.search(r"plotly\.js \(cartesian - minified\) v(\d+\.\d+\.\d+)", header)
    assert found, header
    assert found.group(1) == plotly.offline.get_plotlyjs_version()


def test_the_trace_types_are_those_the_bundle_registers():
    registered = set(re.findall(r'moduleType:"trace",name:"(\w+)"', bundle_text()))
    assert registered == plot.CARTESIAN_TRACES


def test_a_figure_goes_to_the_bundle_only_if_every_trace_and_frame_is_in_it():
    flat = go.Figure([go.Scatter(x=[0, 1], y=[1, 0]), go.Heatmap(z=[[1, 2], [3, 4]]), go.Bar(y=[1])])
    assert plot.in_bundle(flat)
    assert not plot.in_bundle(go.Figure([go.Scatter(y=[1]), go.Scatter3d(x=[0], y=[0], z=[0])]))
    assert not plot.in_bundle(go.Figure([go.Scattergl(y=[1])]))
    animated = go.Figure([go.Scatter(y=[1])], frames=[go.Frame(data=[go.Surface(z=[[1, 2], [3, 4]])])])
    assert not plot.in_bundle(animated)
    assert plot.in_bundle(go.Figure(frames=[go.Frame(data=[go.Contour(z=[[1, 2], [3, 4]])])]))


def test_the_chart_script_waits_for_the_bundle_the_page_loads():
    """The page's deferred script (ui/preload.py) and the chart's own loader name the same file."""
    from ui import preload

    assert plot.BUNDLE in plot.CHART_JS and "data-convexnn-plotly" in preload.bundle_script("optimum")
    assert plot.BUNDLE_FILE.as_posix().endswith(plot.BUNDLE.removeprefix("app/"))
