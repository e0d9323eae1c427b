"""convexnn.theory.optima and the figures of the Global optimum, All global optima and Lasso path pages.

Reference values are recomputed independently: dual values by a cvxpy SOCP per pattern
(max v^T u over the cone and the unit ball), objectives from their definitions (tests/helpers.py),
the split from its formula; math.md section 5 for beta_max and the path.
"""

from __future__ import annotations

import functools
import json

import cvxpy as cp
import numpy as np
import pytest
from helpers import BETA_MAX_V42, lifted, network_objective, rel, v42_cones, v42_data, v42_fit

import convexnn as cn
from convexnn import datasets as ds
from convexnn import optima
from convexnn.figures.optima import (
    BAR_LIMIT,
    SVG_LIMIT,
    critical_width_figure,
    dual_bars,
    half_plane_polygon,
    optimum_figure,
    split_figure,
)
from convexnn.figures.path import path_figure

# --------------------------------------------------------------------------------------------
# Dual values: the bars against beta
# --------------------------------------------------------------------------------------------


def cone_value(Xt: np.ndarray, pattern: np.ndarray, v: np.ndarray) -> float:
    """max v^T u over {u : (2D - I) X~ u >= 0, ||u|| <= 1} = ||Pi_K(v)|| (Moreau), by cvxpy."""
    u = cp.Variable(Xt.shape[1])
    sign = np.where(pattern, 1.0, -1.0)
    prob = cp.Problem(cp.Maximize(v @ u), [cp.multiply(sign, Xt @ u) >= 0, cp.norm(u, 2) <= 1])
    prob.solve(solver="CLARABEL")
    return max(float(prob.value), 0.0)


@pytest.mark.parametrize("beta", [0.5, 0.07])
def test_dual_bars_v42_match_a_cvxpy_socp_and_touch_beta_at_the_neurons(beta):
    X, y = v42_data()
    fit = v42_fit(beta)
    cones = v42_cones()
    bars = optima.dual_bar_values(fit, cones)
    assert bars.shape == (fit.n_patterns, 2)
    # optimal: every pattern below beta, the active blocks on it (squared loss: lam = y - f)
    assert bars.max() <= beta * (1 + 1e-6)
    act = fit.active_blocks(1e-6)  # (the interior point leaves blocks of 1e-10 relative norm)
    assert np.allclose(bars[act[:, 0], act[:, 1]], beta, rtol=1e-5)
    # independent values for the active patterns and a few others, both signs
    Xt, lam = lifted(X, True), y - fit.fitted()
    rng = np.random.default_rng(0)
    idx = np.unique(np.concatenate([act[:4, 0], rng.choice(fit.n_patterns, 6, replace=False)]))
    for i in idx:
        v = Xt.T @ (fit.patterns[i] * lam)
        for s, col in ((1.0, 0), (-1.0, 1)):
            assert bars[i, col] == pytest.approx(cone_value(Xt, fit.patterns[i], s * v), abs=2e-6 * beta)


def test_dual_bars_gated_are_plain_norms():
    X, y = v42_data()
    fit = cn.fit_convex(X, y, 0.3, relu="gated", cones=v42_cones())
    bars = optima.dual_bar_values(fit, v42_cones())
    Xt, lam = lifted(X, True), y - fit.fitted()
    expected = np.linalg.norm((fit.patterns * lam) @ Xt, axis=1)
    assert np.allclose(bars[:, 0], expected, atol=1e-12) and np.allclose(bars[:, 1], expected, atol=1e-12)
    assert bars.max() <= 0.3 * (1 + 1e-6)


@pytest.mark.parametrize("loss", ["logistic", "hinge"])
def test_dual_bars_of_classification_losses_certify(loss):
    """Hinge: -grad l is only a subgradient; the bars use the solver's dual and stay <= beta."""
    X, y = v42_data()
    beta = 0.2
    fit = cn.fit_convex(X, y, beta, loss=loss, cones=v42_cones())
    assert fit.certificate.optimal
    bars = optima.dual_bar_values(fit, v42_cones())
    assert bars.max() <= beta * (1 + 1e-5)
    # the neurons of the minimal network reach beta (complementary slackness)
    minimal = cn.prune_to_minimal(fit).active_blocks(1e-6)
    assert np.allclose(bars[minimal[:, 0], minimal[:, 1]], beta, rtol=1e-4)
    lam = optima.dual_vector(fit, v42_cones())
    assert np.all(y * lam >= -1e-12) and np.all(y * lam <= 1 + 1e-12)  # dual domain


# --------------------------------------------------------------------------------------------
# All global optima: split, pad, permute (math.md V4.3)
# --------------------------------------------------------------------------------------------


@functools.cache
def v42_network():
    return cn.prune_to_minimal(v42_fit(0.07)).network()


def test_v43_split_into_three_keeps_f_and_objective_to_1e_12():
    X, y = v42_data()
    net = v42_network()
    j = int(np.argmax(net.neuron_norms()))
    t = optima.transform_network(net, split=j, alphas=[0.2, 0.3, 0.5])
    W1, b1, w2 = t.network.W1, t.network.b1, t.network.w2
    # the copies are sqrt(alpha) times the neuron, appended after the other neurons
    for c, a in zip(range(net.width - 1, net.width + 2), (0.2, 0.3, 0.5), strict=True):
        assert np.allclose(W1[:, c], np.sqrt(a) * net.W1[:, j], rtol=0, atol=1e-15)
        assert b1[c] == pytest.approx(np.sqrt(a) * net.b1[j], abs=1e-15)
        assert w2[c] == pytest.approx(np.sqrt(a) * net.w2[j], abs=1e-15)
    assert t.origin.tolist() == [k for k in range(net.width) if k != j] + [j] * 3
    assert t.share[-3:].tolist() == [0.2, 0.3, 0.5]
    before = network_objective(net.W1, net.b1, net.w2, X, y, 0.07)
    after = network_objective(W1, b1, w2, X, y, 0.07)
    assert abs(after - before) <= 1e-12 * before
    grid = np.random.default_rng(1).normal(size=(500, 2))
    check = optima.invariance(net, t.network, X, y, 0.07, X_extra=grid)
    assert check["objective_diff"] <= 1e-12 * check["objective_a"]
    assert check["max_abs_df"] <= 1e-12 and check["max_abs_df_extra"] <= 1e-12


@pytest.mark.parametrize("seed", range(5))
def test_split_pad_permute_keep_everything(seed):
    X, y = v42_data()
    net = v42_network()
    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 6))
    alphas = optima.normalize_alphas(rng.uniform(0, 1, k))
    j = int(rng.integers(net.width))
    t = optima.transform_network(net, split=j, alphas=alphas, pad=int(rng.integers(0, 4)),
                                 permutation=int(rng.integers(100)))
    assert t.network.width == net.width - 1 + k + (t.origin == -1).sum()
    # each neuron is sqrt(share) times its origin (zero neurons are zero)
    for c in range(t.network.width):
        o = t.origin[c]
        if o < 0:
            assert t.network.w2[c] == 0 and not t.network.W1[:, c].any()
        else:
            assert np.allclose(t.network.W1[:, c], np.sqrt(t.share[c]) * net.W1[:, o], atol=1e-15)
    check = optima.invariance(net, t.network, X, y, 0.07, "squared")
    assert check["objective_diff"] <= 1e-12 * check["objective_a"] and check["max_abs_df"] <= 1e-12
    assert np.isclose(t.share[t.origin == j].sum(), 1.0)
    # merging the copies back gives the optimal network again (up to order)
    merged = t.network.prune()
    assert merged.width == net.width
    assert np.allclose(np.sort(merged.neuron_norms()), np.sort(net.neuron_norms()), rtol=1e-12)


def test_normalize_alphas():
    assert optima.normalize_alphas([1, 1, 2]).tolist() == [0.25, 0.25, 0.5]
    assert optima.normalize_alphas([0, 0]).tolist() == [0.5, 0.5]
    assert optima.normalize_alphas([-1, 3]).tolist() == [0.0, 1.0]
    with pytest.raises(ValueError):
        optima.normalize_alphas([])


def test_bad_split_raises():
    net = v42_network()
    with pytest.raises(ValueError, match="does not exist"):
        optima.transform_network(net, split=net.width, alphas=[1.0])
    with pytest.raises(ValueError, match="sum to 1"):
        optima.transform_network(net, split=0, alphas=[0.5, 0.2])


# --------------------------------------------------------------------------------------------
# The Lasso path of minimal networks (math.md section 5)
# --------------------------------------------------------------------------------------------


@functools.cache
def v42_path():
    X, y = v42_data()
    return optima.network_path(X, y, "classification", n_betas=20, cones=v42_cones())


def test_v42_path_grid_beta_max_and_zero_at_the_top():
    path = v42_path()
    assert path.beta_max == pytest.approx(BETA_MAX_V42, rel=1e-5)
    assert len(path) == 20
    assert path.betas[0] == pytest.approx(BETA_MAX_V42, rel=1e-5)
    assert path.betas[-1] == pytest.approx(1e-3 * BETA_MAX_V42, rel=1e-5)
    assert np.allclose(np.diff(np.log(path.betas)), np.log(1e-3) / 19)  # geometric, decreasing
    assert path.n_neurons[0] == 0 and path.n_solver_blocks[0] == 0
    assert path.objectives[0] == pytest.approx(0.5 * np.sum(v42_data()[1] ** 2))  # f = 0: 1/2||y||^2
    assert path.n_neurons[1] >= 1  # just below beta_max a neuron enters


def test_v42_zero_just_above_and_active_just_below_beta_max():
    """math.md section 5: at 1.01 beta_max the solution is zero, at 0.99 beta_max it is not."""
    X, y = v42_data()
    top = v42_path().beta_max
    path = optima.network_path(X, y, "classification", n_betas=2, ratio=0.99 / 1.01, cones=v42_cones())
    assert path.n_neurons.tolist()[0] == 0  # beta_max itself
    above = cn.fit_convex(X, y, 1.01 * top, cones=v42_cones())
    below = cn.fit_convex(X, y, 0.99 * top, cones=v42_cones())
    assert np.abs(above.u).max(initial=0) <= 1e-9 and np.abs(above.u_neg).max(initial=0) <= 1e-9
    assert below.n_active >= 1


def test_v42_path_pruned_networks_keep_the_solver_objective():
    X, y = v42_data()
    path = v42_path()
    assert path.certified.all()
    assert np.all(path.n_neurons <= path.n_solver_blocks)
    assert np.all(path.n_neurons <= len(y))  # minimal: linearly independent fits
    for k in range(len(path)):
        net = path.models[k]
        assert net.width == path.n_neurons[k]
        L = network_objective(net.W1, net.b1, net.w2, X, y, path.betas[k])
        assert rel(L, path.objectives[k]) < 1e-6
        # the norm matrix holds the same blocks: their norms add up to the network's cost
        assert path.norms[k].sum() == pytest.approx(net.neuron_norms().sum(), rel=1e-9, abs=1e-12)
        assert int((path.norms[k] > 0).sum()) == net.width
    # p*(beta) increases with beta: along the decreasing grid the objective decreases
    assert np.all(np.diff(path.objectives) <= 1e-9 * path.objectives[:-1])
    # math.md section 5 table: 100 % training accuracy at the bottom of the path
    assert path.accuracy[-1] == 1.0 and path.accuracy[0] == pytest.approx(np.mean(y == 1.0))


def test_v42_path_through_beta_007_prunes_to_at_most_13_neurons():
    """math.md section 5: at beta = 0.07 pruning leaves 13 blocks (48 before), objective 2.3561986.

    How many blocks the solver returns depends on the solver (the optimal set is a polytope), so
    the pruned count is at most 13 here, at the same objective.
    """
    X, y = v42_data()
    path = optima.network_path(X, y, "classification", betas=[0.07, 0.5, 1.0], cones=v42_cones())
    assert path.betas.tolist() == [1.0, 0.5, 0.07]
    assert path.objectives[-1] == pytest.approx(2.3561986, abs=2e-7)
    assert 1 <= path.n_neurons[-1] <= min(13, path.n_solver_blocks[-1])
    net = path.models[-1]
    assert network_objective(net.W1, net.b1, net.w2, X, y, 0.07) == pytest.approx(2.3561986, abs=2e-7)


def test_path_of_1d_regression_grows_kinks_from_zero():
    data = ds.sine(20)
    path = optima.network_path(data.X, data.y, "regression", n_betas=20)
    assert path.accuracy is None
    assert path.n_neurons[0] == 0 and path.n_neurons[-1] >= 4
    assert path.rmse[-1] < 0.2 * path.rmse[0]
    assert len(path.blocks) == path.norms.shape[1]


def test_gated_path_uses_gated_models():
    X, y = v42_data()
    path = optima.network_path(X, y, "classification", n_betas=5, relu="gated", cones=v42_cones())
    assert type(path.models[-1]).__name__ == "GatedReLUModel"
    assert path.beta_max == pytest.approx(19.08978, rel=1e-5)  # the gated bound of math.md section 5


# --------------------------------------------------------------------------------------------
# Critical width (nonconvex training against p*)
# --------------------------------------------------------------------------------------------


def test_critical_width_on_small_data_finds_m_star_at_most_n_plus_1():
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (6, 2))
    y = np.sign(X[:, 0] * X[:, 1] + 0.1)
    beta = 0.1
    fit = cn.fit_convex(X, y, beta)
    assert fit.certificate.optimal
    cw = optima.critical_width(X, y, beta, restarts=3, rtol=1e-2, fit=fit, optimizer="adam",
                               epochs=3000, lr=0.02, schedule="linear", snapshots=0, record_every=3000)
    assert cw.p_star == pytest.approx(fit.objective)
    assert cw.convex_width == cn.prune_to_minimal(fit).n_active
    assert cw.widths.tolist() == list(range(1, cw.convex_width + 3))
    assert cw.m_star is not None and cw.m_star <= len(y) + 1
    # no network beats the certified optimum, and the threshold is a threshold
    assert np.all(cw.objectives >= cw.p_star * (1 - 1e-6))
    assert np.all(cw.best[cw.widths < cw.m_star] > cw.p_star * (1 + cw.rtol))
    fig = critical_width_figure(cw)
    names = [t.name for t in fig.data]
    assert "best of the restarts" in names and any(n.startswith("p* = ") for n in names)
    assert any(n.startswith("m* ≈") for n in names)


# --------------------------------------------------------------------------------------------
# Export and import
# --------------------------------------------------------------------------------------------


def test_exported_json_round_trips_to_the_same_predictions():
    X, _ = v42_data()
    net = v42_network()
    text = net.to_json(normalization=optima.identity_normalization(2))
    loaded = optima.load_network(text, input_dim=2)
    grid = np.random.default_rng(0).normal(size=(300, 2))
    assert np.array_equal(loaded.predict(X), net.predict(X))
    assert np.array_equal(loaded.predict(grid), net.predict(grid))
    assert json.loads(text)["normalization"] == {"mean": [0.0, 0.0], "scale": [1.0, 1.0]}


def test_imported_normalisation_is_applied():
    net = v42_network()
    text = net.to_json(normalization={"mean": [0.5, -1.0], "scale": [2.0, 4.0]})
    loaded = optima.load_network(text)
    X = np.random.default_rng(2).normal(size=(50, 2))
    assert np.allclose(loaded.predict(X), net.predict((X - [0.5, -1.0]) / [2.0, 4.0]), atol=1e-14)
    # the hyperplanes in input coordinates: w1.(x - m)/s + b1 = (w1/s).x + b1 - (m/s).w1
    pre = X @ loaded.W1 + loaded.b1
    assert np.allclose(pre, ((X - [0.5, -1.0]) / [2.0, 4.0]) @ net.W1 + net.b1, atol=1e-13)


@pytest.mark.parametrize(
    "text, dim, message",
    [
        ("{not json", None, "not valid JSON"),
        ('{"format": "other"}', None, "not a convexnn network"),
        ('{"format": "convexnn.relu_network.v1", "W1": [[1], [2]], "b1": [0], "w2": [1]}', 1,
         "takes 2 inputs"),
        ('{"format": "convexnn.relu_network.v1", "W1": [[1], [2]], "b1": [0], "w2": [1], '
         '"normalization": {"mean": [0], "scale": [1, 1]}}', None, "need 2 entries"),
        ('{"format": "convexnn.relu_network.v1", "W1": [[1], [2]], "b1": [0], "w2": [1], '
         '"normalization": {"mean": [0, 0], "scale": [1, 0]}}', None, "non-zero scales"),
        ('{"format": "convexnn.relu_network.v1", "W1": [[1], [2]], "b1": [0], "w2": [1], '
         '"normalization": [1]}', None, "must be an object"),
    ],
)
def test_bad_network_files_raise_readable_errors(text, dim, message):
    with pytest.raises(ValueError, match=message):
        optima.load_network(text, input_dim=dim)


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


def test_dual_bars_figure_bars_for_few_patterns_a_curve_for_many():
    beta = 0.5
    few = np.abs(np.random.default_rng(0).normal(size=(50, 2))) * 0.2
    few[3] = [beta, 0.1]
    fig = dual_bars(few, beta, active=np.array([[3, 0]]))
    assert fig.data[0].type == "bar" and len(fig.data[0].x) == 50
    marks = [t for t in fig.data if t.name == "neuron, w2 > 0"]
    assert len(marks) == 1 and marks[0].x == (1,)  # the largest value, ranked first
    line = [t for t in fig.data if t.name.startswith("β = ")][0]
    assert line.y == (beta, beta)
    many = np.abs(np.random.default_rng(1).normal(size=(BAR_LIMIT + 600, 2))) * 0.1
    fig = dual_bars(many, beta, active=np.array([[7, 1], [9, 0]]))
    assert fig.data[0].type == "scatter" and fig.layout.xaxis.type == "log"  # SVG: no WebGL context
    assert {t.name for t in fig.data} >= {"neuron, w2 > 0", "neuron, w2 < 0"}
    ranks = np.asarray(fig.data[0].x)
    assert np.all(np.diff(np.asarray(fig.data[0].y)) <= 0) and ranks[0] == 1  # sorted
    custom = np.asarray(fig.data[0].customdata)  # hover: pattern, value / β, sign, in rank order
    v = many.max(axis=1)
    assert np.allclose(custom[:, 1] * beta, np.asarray(fig.data[0].y))
    assert np.allclose(v[custom[:, 0].astype(int)], np.asarray(fig.data[0].y))
    huge = np.abs(np.random.default_rng(2).normal(size=(SVG_LIMIT + 1, 2)))
    assert dual_bars(huge, beta).data[0].type == "scattergl"  # beyond SVG_LIMIT: WebGL


def test_half_plane_polygon_area():
    box = (0.0, 2.0, 0.0, 1.0)

    def area(P):
        x, y = P[:, 0], P[:, 1]
        return 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))

    assert area(half_plane_polygon(np.array([1.0, 0.0]), -0.5, box)) == pytest.approx(1.5)  # x >= 0.5
    assert area(half_plane_polygon(np.array([-1.0, -1.0]), 1.0, box)) == pytest.approx(0.5)  # x + y <= 1
    assert half_plane_polygon(np.array([1.0, 0.0]), -5.0, box) is None


def test_optimum_figure_shades_active_sides():
    X, y = v42_data()
    data = ds.Dataset(X, y, "classification")
    net = v42_network()
    fig = optimum_figure(net, data, highlight=0)
    fills = [t for t in fig.data if getattr(t, "fill", None) == "toself"]
    assert fills and any(t.name == "neuron 0 active" for t in fills)
    assert fig.data[0].type == "heatmap"  # the shading is drawn above the heatmap
    # 1-D: the highlighted neuron's ramp (w1 x + b1)_+ w2
    sine = ds.sine(20)
    net1 = cn.prune_to_minimal(cn.fit_convex(sine.X, sine.y, 0.02)).network()
    fig = optimum_figure(net1, sine, highlight=0)
    ramp = [t for t in fig.data if t.name.startswith("neuron 0:")][0]
    xs = np.asarray(ramp.x)
    expected = np.maximum(net1.W1[0, 0] * xs + net1.b1[0], 0) * net1.w2[0]
    assert np.allclose(ramp.y, expected)


def test_split_figure_marks_the_copies():
    net = v42_network()
    t = optima.transform_network(net, split=1, alphas=[0.5, 0.5], pad=2, permutation=3)
    fig = split_figure(t.network, t.origin, t.share, split=1)
    assert len(fig.data) == 2 and len(fig.data[0].x) == t.network.width
    colors = np.asarray(fig.data[0].marker.color)
    assert (colors == "#e15759").sum() == 2


def test_path_figure_frames_slider_and_linked_markers():
    path = v42_path()
    X, y = v42_data()
    fig = path_figure(path, ds.Dataset(X, y, "classification"))
    K = len(path)
    assert len(fig.frames) == K and len(fig.layout.sliders[0].steps) == K
    assert [f.name for f in fig.frames] == [f"{b:.4g}" for b in path.betas]
    labels = [b.label for b in fig.layout.updatemenus[0].buttons]
    assert labels == ["▶ Play", "❚❚ Pause"]
    frame = fig.frames[-1]
    assert len(frame.data) == len(frame.traces)
    text = [d for d in frame.data if getattr(d, "text", None)][0].text[0]
    assert text.startswith(f"β = {path.betas[-1]:.3g} · {path.n_neurons[-1]} neurons")
    # every right panel has a marker line at the frame's beta
    lines = [d for d in frame.data if d.type == "scatter" and d.x is not None and len(d.x) == 2
             and d.x[0] == d.x[1] == path.betas[-1]]
    assert len(lines) == 4
    # the neuron lines of the last frame: one segment per neuron whose line crosses the box
    segs = sum(np.sum([v is None for v in d.x]) for d in frame.data
               if d.type == "scatter" and d.x is not None and None in d.x)
    assert 0 < segs <= path.n_neurons[-1]


def test_path_figure_1d_kinks_per_frame():
    data = ds.sine(20)
    path = optima.network_path(data.X, data.y, "regression", n_betas=8)
    fig = path_figure(path, data)
    for k, frame in enumerate(fig.frames):
        kinks = frame.data[1]
        m = path.models[k]
        inside = [j for j in range(m.width) if abs(m.W1[0, j]) > 1e-12]
        assert len(kinks.x) <= len(inside)
        assert np.allclose(kinks.y, m.predict(np.asarray(kinks.x)[:, None]))
