"""Cached figures (ui.charts) and frozen figures (convexnn.figures.spec): the cached figure is the
builder's figure, built once per arguments, and each caller gets a figure of its own."""

import json

import numpy as np
import plotly.io as pio
import pytest

import convexnn as cn
import ui.charts as charts
from convexnn import datasets as ds
from convexnn import figures
from convexnn import optima as theory
from convexnn.figures import optima as optima_figures
from convexnn.figures.spec import freeze, thaw


def as_json(fig) -> dict:
    return json.loads(pio.to_json(fig, validate=False))


@pytest.fixture(scope="module")
def solved():
    data = ds.generate("moons", 30, 0.1, 3)
    cones = cn.prepare_patterns(data.X, "exact")
    fit = cn.fit_convex(data.X, data.y, 0.1, cones=cones)
    return data, fit.network(), theory.dual_bar_values(fit, cones), fit.active_blocks()


@pytest.fixture(autouse=True)
def empty_caches():
    for cached in (charts._optimum_spec, charts._dual_bars_spec, charts._network_spec, charts._scatter_spec):
        cached.clear()


def test_a_thawed_figure_is_the_frozen_one_and_its_own(solved):
    data, net, _, _ = solved
    fig = figures.network_figure(net, data, height=400)
    spec = freeze(fig)
    a, b = thaw(spec), thaw(spec)
    assert as_json(a) == as_json(fig)
    a.update_layout(title="changed")
    a.add_traces(figures.data_traces(data))
    assert as_json(b) == as_json(fig)  # the other copy and the spec are untouched
    assert as_json(thaw(spec)) == as_json(fig)


def test_cached_figures_equal_the_builders(solved):
    data, net, bars, active = solved
    pairs = [
        (charts.optimum_figure(net, data, highlight=1, height=500),
         optima_figures.optimum_figure(net, data, highlight=1, height=500)),
        (charts.dual_bars(bars, 0.1, active, height=340),
         optima_figures.dual_bars(bars, 0.1, active, height=340)),
        (charts.network_figure(net, data, height=420, title="t"),
         figures.network_figure(net, data, height=420, title="t")),
        (charts.data_scatter(data, height=380), figures.data_scatter(data, height=380)),
    ]
    for cached, built in pairs:
        assert as_json(cached) == as_json(built)


def test_a_figure_is_built_once_per_arguments(solved, monkeypatch):
    data, net, _, _ = solved
    calls = []
    real = optima_figures.optimum_figure

    def counting(*args, **kwargs):
        calls.append(kwargs.get("highlight"))
        return real(*args, **kwargs)

    monkeypatch.setattr(optima_figures, "optimum_figure", counting)
    first = charts.optimum_figure(net, data, height=500)
    first.add_traces(figures.data_traces(data))  # a page changing its copy
    second = charts.optimum_figure(net, data, height=500)
    assert calls == [None]
    assert len(second.data) == len(first.data) - len(figures.data_traces(data))
    charts.optimum_figure(net, data, highlight=0, height=500)  # other options: another figure
    equal_copy = cn.ReLUNetwork(net.W1.copy(), net.b1.copy(), net.w2.copy(), net.intercept, net.pattern_index)
    charts.optimum_figure(equal_copy, data, height=500)  # equal values: the same key
    assert calls == [None, 0]
    moved = cn.ReLUNetwork(net.W1 + 1e-9, net.b1, net.w2, net.intercept, net.pattern_index)
    charts.optimum_figure(moved, data, height=500)  # other weights: built again
    assert calls == [None, 0, None]


def test_large_arguments_are_built_directly(monkeypatch):
    rng = np.random.default_rng(0)
    n = charts.MAX_CACHED_VALUES // 3 + 1  # X (n, 2) and y (n,): just over the cap
    big = ds.Dataset(rng.normal(size=(n, 2)), np.where(rng.normal(size=n) > 0, 1.0, -1.0), "classification")
    small = ds.generate("moons", 20, 0.1, 0)
    cached = []
    real = charts._scatter_spec

    def spy(data, options):
        cached.append(data.n)
        return real(data, options)

    monkeypatch.setattr(charts, "_scatter_spec", spy)
    charts.data_scatter(big, height=300)
    charts.data_scatter(small, height=300)
    assert cached == [20]
