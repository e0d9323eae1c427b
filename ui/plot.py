"""Every figure of the app is shown by :func:`chart`: plotly.js's cartesian bundle in a component of
the app's own when the figure's traces are all in that bundle, ``st.plotly_chart`` otherwise.

Why: ``st.plotly_chart`` runs the full plotly.js (4.7 MB with Streamlit's chart code) in the
browser's main thread on every first view with a figure, about 1.5 s of a new page's CPU here; the
cartesian bundle (``static/plotly-cartesian.min.js``, 1.5 MB: scatter, bar, heat map, contour,
image, histogram, box, violin, pie) costs about 0.7 s (bench/README.md, "Where a first view's time
goes"). The 3-D and WebGL figures (the sphere of patterns, the lifted space, the landscapes'
surfaces) need the full bundle and keep ``st.plotly_chart``.

The component is a Streamlit v2 component (``st.components.v2``: in the page itself, no iframe).
Its JavaScript (:data:`CHART_JS`) waits for the bundle, which the app's HTML page already loads
(:mod:`ui.preload` adds it to every page's head), draws the figure with ``Plotly.react`` (an update
redraws only what changed), follows the column's width, and, for a chart with ``on_select``,
reports a click as ``{"selection": {"points": [...]}}`` in ``st.session_state[key]``: the shape
``st.plotly_chart``'s ``on_select="rerun"`` gives, so a page reads either the same way.

The bundle is plotly.js's own distribution (npm ``plotly.js-cartesian-dist-min``) at the version
of plotly.py's plotly.js, which builds the figures; a repository test checks the two versions.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import streamlit as st

BUNDLE = "app/static/plotly-cartesian.min.js"
"""The bundle's URL path below the app's base URL (Streamlit's static file serving,
``server.enableStaticServing``, serves the ``static/`` folder beside ``app.py`` at ``app/static``)."""
BUNDLE_FILE = Path(__file__).resolve().parent.parent / "static" / "plotly-cartesian.min.js"
CARTESIAN_TRACES = frozenset({"bar", "box", "contour", "heatmap", "histogram", "histogram2d",
                              "histogram2dcontour", "image", "pie", "scatter", "scatterternary",
                              "violin"})
"""The trace types in the cartesian bundle (plotly.js's ``lib/index-cartesian.js``)."""

CHART_JS = r"""
function bundle() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__convexnnPlotly) {
    window.__convexnnPlotly = new Promise((resolve, reject) => {
      let script = document.querySelector('script[data-convexnn-plotly]');
      if (!script) {
        const base = window.__streamlit && window.__streamlit.BACKEND_BASE_URL;  // ui/preload.py
        script = document.createElement('script');
        script.src = new URL('__BUNDLE__', base ? base.replace(/\/*$/, '/') : location.href).href;
        script.dataset.convexnnPlotly = '';
        document.head.appendChild(script);
      }
      script.addEventListener('load', () => resolve(window.Plotly));
      script.addEventListener('error', () => reject(new Error('plotly.js did not load')));
      if (window.Plotly) resolve(window.Plotly);
    });
  }
  return window.__convexnnPlotly;
}

const POINT_FIELDS = ['x', 'y', 'z', 'customdata', 'text'];

function selection(event) {
  const points = (event && event.points || []).map((p) => {
    const point = {curve_number: p.curveNumber, point_number: p.pointNumber,
                   point_index: p.pointIndex !== undefined ? p.pointIndex : p.pointNumber};
    for (const field of POINT_FIELDS) if (p[field] !== undefined) point[field] = p[field];
    return point;
  });
  return {points, point_indices: points.map((p) => p.point_index), box: [], lasso: []};
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let graph = parentElement.querySelector(':scope > div.convexnn-chart');
  if (!graph) {
    graph = document.createElement('div');
    graph.className = 'convexnn-chart';
    graph.style.width = '100%';
    parentElement.appendChild(graph);
  }
  const figure = JSON.parse(data.spec);
  bundle().then((Plotly) => {
    const config = Object.assign({displaylogo: false}, data.config || {});
    return Plotly.react(graph, {data: figure.data, layout: figure.layout, frames: figure.frames, config});
  }).then(() => {
    if (!graph.__convexnnResize) {
      graph.__convexnnResize = new ResizeObserver(() => {
        if (graph.isConnected && graph._fullLayout) window.Plotly.Plots.resize(graph);
      });
      graph.__convexnnResize.observe(graph);
    }
    if (data.select && !graph.__convexnnSelect) {
      graph.__convexnnSelect = true;
      graph.on('plotly_click', (event) => setStateValue('selection', selection(event)));
      graph.on('plotly_selected', (event) => { if (event) setStateValue('selection', selection(event)); });
    }
  }).catch((error) => {
    graph.textContent = 'The figure could not be drawn: ' + error.message;
  });
  return () => {
    if (graph.__convexnnResize) graph.__convexnnResize.disconnect();
    if (window.Plotly) window.Plotly.purge(graph);
  };
}
""".replace("__BUNDLE__", BUNDLE)

_cartesian_chart = st.components.v2.component("convexnn_chart", js=CHART_JS, isolate_styles=False)


def in_bundle(fig) -> bool:
    """Whether every trace of ``fig`` (its animation frames' too) is of a type in the cartesian
    bundle (:data:`CARTESIAN_TRACES`)."""
    traces = [*fig.data, *(trace for frame in (fig.frames or ()) for trace in frame.data)]
    return all(trace.type in CARTESIAN_TRACES for trace in traces)


def _no_op() -> None:
    """The selection's change callback: declaring it makes ``selection`` a state of the chart."""


def chart(fig, key: str, on_select: bool = False, config: dict | None = None, where=st) -> None:
    """Show the plotly figure ``fig`` at the column's full width, under ``key``.

    With ``on_select`` a click on a point (or a box or lasso selection) reruns the page with
    ``st.session_state[key]["selection"]["points"]`` set (each point's ``x``, ``y``, ``customdata``,
    ``curve_number``, ``point_index``), as ``st.plotly_chart(on_select="rerun",
    selection_mode="points")`` does; ``config`` is plotly.js's (``{"displayModeBar": False}``);
    ``where`` is the container to draw in.
    """
    if not in_bundle(fig):
        kwargs = {"on_select": "rerun", "selection_mode": "points"} if on_select else {}
        where.plotly_chart(fig, key=key, theme=None, width="stretch", config=config, **kwargs)
        return
    callbacks = {"on_selection_change": _no_op} if on_select else {}
    with contextlib.nullcontext() if where is st else where:
        _cartesian_chart(key=key, data={"spec": fig.to_json(), "config": config or {}, "select": on_select},
                         **callbacks)

