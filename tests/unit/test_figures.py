"""Figure builders of convexnn.figures: real content, checked without a browser."""

import numpy as np
import plotly.graph_objects as go
import pytest

import convexnn as cn
from convexnn import datasets as ds
from convexnn import figures as F


def neuron_lines(fig):
    return [t for t in fig.data if isinstance(t.meta, dict) and "neuron" in t.meta]


@pytest.fixture(scope="module")
def moons_fit():
    data = ds.moons(30, noise=0.1, seed=0)
    fit = cn.fit_convex(data.X, data.y, 0.1)
    return data, fit.network()


def test_bounding_box_pads_and_handles_flat_data():
    box = F.bounding_box(np.array([[0.0, 0.0], [1.0, 2.0]]), margin=0.1)
    assert box == pytest.approx((-0.2, 1.2, -0.2, 2.2))
    x0, x1, y0, y1 = F.bounding_box(np.array([[0.0, 1.0], [2.0, 1.0]]))
    assert y1 - y0 > 1.0 and y0 < 1.0 < y1
    sq = F.bounding_box(np.array([[0.0, 0.0], [1.0, 2.0]]), margin=0.1, square=True)
    assert sq == pytest.approx((-0.7, 1.7, -0.2, 2.2))


@pytest.mark.parametrize(
    "w, b, expected",
    [
        ((1.0, 0.0), -0.5, [(0.5, -1.0), (0.5, 1.0)]),  # vertical line x = 0.5
        ((0.0, 2.0), 0.0, [(-1.0, 0.0), (1.0, 0.0)]),  # horizontal line y = 0
        ((1.0, -1.0), 0.0, [(-1.0, -1.0), (1.0, 1.0)]),  # diagonal through two corners
    ],
)
def test_hyperplane_segment_clips_to_the_box(w, b, expected):
    xs, ys = F.hyperplane_segment(np.array(w), b, (-1, 1, -1, 1))
    got = sorted(zip(np.round(xs, 12), np.round(ys, 12), strict=True))
    assert got == sorted(expected)
    for x, y in zip(xs, ys, strict=True):
        assert w[0] * x + w[1] * y + b == pytest.approx(0.0, abs=1e-12)


def test_hyperplane_segment_misses_or_degenerate():
    assert F.hyperplane_segment(np.array([1.0, 0.0]), -5.0, (-1, 1, -1, 1)) is None
    assert F.hyperplane_segment(np.zeros(2), 1.0, (-1, 1, -1, 1)) is None


def test_data_scatter_classes_on_a_fixed_scale_and_hollow_test_points():
    data = ds.moons(40, seed=1).with_split(0.25, seed=0)
    fig = F.data_scatter(data)
    names = [t.name for t in fig.data]
    assert names == ["train class +1", "train class −1", "test class +1", "test class −1"]
    for t in fig.data:
        assert t.marker.cmin == -1 and t.marker.cmax == 1
        label = 1.0 if "+1" in t.name else -1.0
        assert np.all(np.asarray(t.marker.color) == label)
        assert t.marker.symbol == ("circle-open" if t.name.startswith("test") else "circle")
    assert sum(len(t.x) for t in fig.data) == data.n
    assert sum(len(t.x) for t in fig.data if t.name.startswith("test")) == int(data.is_test.sum())
    # every point appears at its coordinates
    shown = np.vstack([np.column_stack([t.x, t.y]) for t in fig.data])
    assert np.allclose(np.sort(shown, axis=0), np.sort(data.X, axis=0))
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.constrain == "domain"
    assert fig.layout.xaxis.constrain == "domain"


def test_data_scatter_one_class_keeps_its_colour_range():
    data = ds.Dataset(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([1.0, -1.0]), "classification")
    for trace in F.data_scatter(data).data:
        assert (trace.marker.cmin, trace.marker.cmax) == (-1, 1)


def test_many_points_use_webgl():
    data = ds.gaussians(F.GL_THRESHOLD + 10, seed=0)
    assert isinstance(F.data_scatter(data).data[0], go.Scattergl)
    assert isinstance(F.data_scatter(ds.gaussians(50)).data[0], go.Scatter)


def test_data_scatter_regression():
    one = F.data_scatter(ds.sine(15))
    assert np.allclose(one.data[0].y, ds.sine(15).y)
    two = F.data_scatter(ds.plane(20)).data[0]
    assert two.marker.colorscale is not None and two.marker.showscale


def test_decision_boundary_content(moons_fit):
    data, net = moons_fit
    fig = F.decision_boundary(net, data)
    kinds = [type(t).__name__ for t in fig.data]
    assert kinds[0] == "Heatmap" and "Contour" in kinds
    heat = fig.data[0]
    # the heatmap's z is f itself on the grid (float32, unclipped: the colours saturate at zmin/zmax),
    # with no duplicate in customdata; the contour draws the same values
    assert heat.customdata is None and heat.z.dtype == np.float32 and heat.x.dtype == np.float32
    gx, gy = np.meshgrid(heat.x, heat.y)
    f = net.predict(np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
    assert np.allclose(np.asarray(heat.z), f, rtol=1e-5, atol=1e-5 * np.abs(f).max())
    assert np.abs(heat.z).max() > heat.zmax  # not clipped
    assert "%{z" in heat.hovertemplate
    contour = next(t for t in fig.data if isinstance(t, go.Contour))
    assert contour.contours.start == 0 and contour.contours.end == 0
    assert contour.contours.coloring == "lines"
    assert np.array_equal(contour.z, heat.z)
    lines = neuron_lines(fig)
    assert len(lines) == net.width > 0
    assert sorted(t.meta["neuron"] for t in lines) == list(range(net.width))
    for t in lines:
        j, s = t.meta["neuron"], t.meta["sign"]
        assert s == int(np.sign(net.w2[j]))
        assert t.line.color == F.NEURON_COLORS[s]
        for x, y in zip(t.x, t.y, strict=True):  # each end lies on the neuron's hyperplane
            assert net.W1[0, j] * x + net.W1[1, j] * y + net.b1[j] == pytest.approx(0, abs=1e-9)
    # both signs occur and each has one legend entry
    assert {t.meta["sign"] for t in lines} == {-1, 1}
    assert sum(t.showlegend for t in lines) == 2
    names = [t.name for t in fig.data]
    assert names.count("class +1") == 1 and names.count("class −1") == 1
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.constrain == "domain"


def test_decision_boundary_separates_the_training_data(moons_fit):
    data, net = moons_fit
    assert np.mean(np.sign(net.predict(data.X)) == data.y) == 1.0
    fig = F.decision_boundary(net, data, show_neurons=False)
    assert not neuron_lines(fig)


def test_decision_boundary_of_the_zero_network_has_no_contour():
    data = ds.moons(20)
    beta = 1.01 * cn.beta_max(data.X, data.y)
    net = cn.fit_convex(data.X, data.y, beta).network()
    assert net.width == 0
    fig = F.decision_boundary(net, data)
    assert not any(isinstance(t, go.Contour) for t in fig.data)
    assert not neuron_lines(fig)


def test_explicit_hyperplanes_are_neutral_when_sign_is_zero(moons_fit):
    data, net = moons_fit
    W, b = net.W1[:, :3], net.b1[:3]
    fig = F.decision_boundary(net, data, hyperplanes=(W, b, np.zeros(3)))
    lines = neuron_lines(fig)
    assert len(lines) == 3 and all(t.line.color == F.NEURON_COLORS[0] for t in lines)


def test_regression_curve_marks_the_kinks():
    data = ds.abs_(20, noise=0.0)
    net = cn.fit_convex(data.X, data.y, 0.01).network()
    fig = F.regression_curve(net, data)
    curve = fig.data[0]
    assert curve.name == "network f(x)" and curve.mode == "lines"
    assert np.allclose(curve.y, net.predict(np.asarray(curve.x)[:, None]))
    kinks = next(t for t in fig.data if t.name == "kinks (neurons)")
    lo, hi = fig.layout.xaxis.range
    expected = [(j, -net.b1[j] / net.W1[0, j]) for j in range(net.width)
                if net.W1[0, j] != 0 and lo <= -net.b1[j] / net.W1[0, j] <= hi]
    assert sorted(kinks.meta["neurons"]) == sorted(j for j, _ in expected)
    assert np.allclose(sorted(kinks.x), sorted(x for _, x in expected))
    # |x| has its kink near 0
    assert np.min(np.abs(kinks.x)) < 0.1


def test_kinks_helper():
    K = F.kinks(np.array([[1.0, 0.0, -2.0]]), np.array([-0.5, 1.0, 1.0]), -1, 1)
    assert K.tolist() == [[0.0, 0.5], [2.0, 0.5]]


def test_regression_surface_and_dispatch():
    data = ds.plane(30)
    net = cn.fit_convex(data.X, data.y, 0.01).network()
    fig = F.network_figure(net, data)
    assert isinstance(fig.data[0], go.Heatmap)
    assert fig.data[0].zmin == pytest.approx(data.y.min())
    assert len(neuron_lines(fig)) == net.width
    assert isinstance(F.network_figure(net, ds.moons(20)).data[0], go.Heatmap)
    one = ds.sine(12)
    assert F.network_figure(cn.fit_convex(one.X, one.y, 0.01).network(), one).data[0].name == "network f(x)"


def test_wrong_dimensions_raise():
    net = cn.ReLUNetwork(np.ones((1, 1)), np.zeros(1), np.ones(1))
    with pytest.raises(ValueError):
        F.decision_boundary(net, ds.sine(5))
    with pytest.raises(ValueError):
        F.regression_curve(net, ds.moons(8))


def test_figures_module_does_not_import_streamlit():
    import subprocess
    import sys

    code = "import sys, convexnn.figures; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_log_ticks_label_decades_or_a_full_size_1_2_5_sequence():
    """Plotly's own log ticks label the 2s and 5s between decades in small digits (about 9 px);
    log_ticks asks for decades only when two powers of ten or more lie among the values, else for the
    1-2-5 sequence as ordinary (full-size) labels."""
    assert F.log_ticks([1e-3, 0.5, 4.2]) == {"dtick": 1, "tickmode": "linear"}
    ticks = F.log_ticks([2.0, 35.0])["tickvals"]  # only 10 among them: 1-2-5
    assert [t for t in ticks if 2.0 <= t <= 35.0] == pytest.approx([2, 5, 10, 20])
    assert F.log_ticks([0.0, -1.0, np.nan]) == {"dtick": 1}  # nothing positive: decades
    assert F.log_ticks([10.0, 1e39])["dtick"] == 5  # 38 decades: every fifth labelled, at most 8 ticks
    from convexnn.figures.landscape import time_figure

    series = {"AdamW": {"time": [0.0, 0.01, 0.3, 2.0], "objective": [90.0, 60.0, 50.0, 45.0],
                        "accuracy": [0.5, 0.6, 0.7, 0.8]},
              "convex": {"time": [3.0], "objective": [1.2], "accuracy": [1.0]}}
    fig = time_figure(series)
    for axis in (fig.layout.xaxis, fig.layout.xaxis2, fig.layout.yaxis):
        assert axis.type == "log"
        assert axis.dtick == 1 or axis.tickvals is not None, axis  # never plotly's small "D2" digits


def test_path_figure_legend_sits_above_the_panel_titles():
    """The legend is placed in the figure's top margin (container coordinates), so it cannot touch
    the right panels' titles, which sit just above the plotting area."""
    from convexnn.figures.path import path_figure
    from convexnn.theory.optima import network_path

    data = ds.moons(12, noise=0.1, seed=0)
    fig = path_figure(network_path(data.X, data.y, n_betas=3), data, resolution=12)
    legend = fig.layout.legend
    assert legend.yref == "container" and legend.yanchor == "top" and legend.y >= 0.95
    assert fig.layout.margin.t >= 70  # room for one legend row above the titles
    slider, buttons = fig.layout.sliders[0], fig.layout.updatemenus[0]
    assert slider.x >= 0.22 and buttons.x == 0.0  # Play and Pause end before the slider starts


@pytest.mark.parametrize("shape", [(4, 3), (1562, 40)])
def test_pattern_matrix_shows_every_entry_small_as_a_heatmap_large_as_an_image(shape):
    """The pattern matrix holds exactly the patterns, row k = D_{k+1}: a heatmap's z up to
    MAX_HEATMAP_CELLS entries, above that a PNG whose pixels are the entries (dark = 1), with a
    hover naming the pattern and the point at each pixel (row y0 = 1 is D1, column x0 = 0 is point 0)."""
    import base64
    import io

    from PIL import Image

    from convexnn.figures import arrangements as fa

    patterns = np.random.default_rng(0).random(shape) < 0.5
    fig = fa.pattern_matrix(patterns)
    trace = fig.data[0]
    if patterns.size <= fa.MAX_HEATMAP_CELLS:
        assert trace.type == "heatmap"
        np.testing.assert_array_equal(np.asarray(trace.z), patterns.astype(int))
        np.testing.assert_array_equal(trace.y, np.arange(1, shape[0] + 1))
        return
    assert trace.type == "image" and (trace.x0, trace.dx, trace.y0, trace.dy) == (0, 1, 1, 1)
    assert trace.hovertemplate.startswith("D%{y}, point %{x}")
    png = base64.b64decode(trace.source.split(",", 1)[1])
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    assert pixels.shape == shape
    np.testing.assert_array_equal(pixels < 128, patterns)
