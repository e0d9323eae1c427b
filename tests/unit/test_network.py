"""ReLUNetwork: evaluation, the function-preserving transformations of math.md section 4, export."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import gd_squared, network_objective, v42_data, v42_fit
from hypothesis import given, settings
from hypothesis import strategies as st

import convexnn as cn
from convexnn import ReLUNetwork

FAST = settings(max_examples=20, deadline=None)


def random_network(seed: int, d: int = 2, m: int = 5, intercept: float = 0.0) -> ReLUNetwork:
    rng = np.random.default_rng(seed)
    return ReLUNetwork(rng.normal(size=(d, m)), rng.normal(size=m), rng.normal(size=m), intercept)


@pytest.fixture(scope="module")
def trained():
    """A network mapped from the exact convex optimum on the V4.2 data (beta = 0.05)."""
    X, y = v42_data()
    fit = v42_fit(0.05)
    assert fit.status == "optimal"
    return X, y, fit, fit.network()


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["squared", "logistic", "hinge"])
def test_predict_and_objective_match_the_definition(loss):
    net = random_network(0, d=2, m=6, intercept=0.3)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(25, 2))
    y = np.where(rng.random(25) < 0.5, 1.0, -1.0)
    f = np.maximum(X @ net.W1 + net.b1, 0) @ net.w2 + 0.3
    assert np.allclose(net.predict(X), f, rtol=0, atol=1e-13)
    assert np.allclose(net.hidden(X), np.maximum(X @ net.W1 + net.b1, 0), atol=1e-14)
    expected = network_objective(net.W1, net.b1, net.w2, X, y, 0.37, loss, intercept=0.3)
    assert net.objective(X, y, 0.37, loss) == pytest.approx(expected, rel=1e-12)
    pen = 0.5 * (np.sum(net.W1**2) + np.sum(net.b1**2) + np.sum(net.w2**2))
    assert net.penalty() == pytest.approx(pen, rel=1e-13)


def test_one_dimensional_inputs_and_patterns():
    net = ReLUNetwork(np.array([[1.0, -2.0]]), np.array([0.0, 1.0]), np.array([1.0, 3.0]))
    x = np.array([-1.0, 0.0, 0.5, 2.0])
    expected = np.maximum(x, 0) + 3 * np.maximum(-2 * x + 1, 0)
    assert np.allclose(net.predict(x), expected)
    assert np.allclose(net.predict(x[:, None]), expected)
    P = net.patterns(x[:, None])
    assert P.astype(int).tolist() == [[0, 1, 1, 1], [1, 1, 1, 0]]
    S = net.patterns(x[:, None], strict=True)
    assert S.astype(int).tolist() == [[0, 0, 1, 1], [1, 1, 0, 0]]  # x = 0 and x = 0.5 are on a boundary


def test_v11_mapped_neuron_and_balance():
    X, y = np.eye(2), np.ones(2)
    fit = cn.fit_convex(X, y, 0.1, bias=False)
    assert fit.network(1e-4).width == 1  # one active block (math.md section 5 threshold)
    net = fit.network()
    j = int(np.argmax(np.abs(net.w2)))  # that block's neuron; any other is solver noise
    assert np.all(np.delete(np.abs(net.w2), j) < 1e-3)
    assert np.allclose(net.W1[:, j], [0.810621, 0.810621], atol=1e-6)
    assert net.w2[j] == pytest.approx(1.146392, abs=1e-6)
    assert not net.b1.any()
    assert net.objective(X, y, 0.1) == pytest.approx(0.1364214, rel=1e-6)
    # balanced: ||w1|| = |w2| (math.md section 1)
    assert np.allclose(np.linalg.norm(net.W1, axis=0), np.abs(net.w2), rtol=1e-12, atol=0)


def test_v13_networks_from_fits_are_balanced(trained):
    _, _, _, net = trained
    inner = np.sqrt(np.sum(net.W1**2, axis=0) + net.b1**2)
    assert net.width >= 2
    assert np.allclose(inner, np.abs(net.w2), rtol=1e-12, atol=0)
    assert np.allclose(net.neuron_norms(), inner**2, rtol=1e-12)


def test_v13_gradient_descent_networks_are_balanced():
    # math.md V1.3 / V4.1: GD from W1 = [[1,-.5],[-.5,1]], w2 = (1,1) on X = I, y = (1,1), beta = 0.1
    W1, w2, grad = gd_squared(np.eye(2), np.ones(2), 0.1, [[1, -0.5], [-0.5, 1]], [1, 1], steps=20000)
    assert grad < 1e-6
    assert np.all(np.abs(np.linalg.norm(W1, axis=0) - np.abs(w2)) < 1e-6)
    # and the ReLUNetwork of those weights is already balanced: balanced() changes nothing
    net = ReLUNetwork(W1, np.zeros(2), w2)
    b = net.balanced()
    assert np.allclose(b.W1, net.W1, atol=1e-6) and np.allclose(b.w2, net.w2, atol=1e-6)


def test_balanced_rescales_to_minimal_penalty():
    net = random_network(3, m=4)
    t = np.array([0.1, 3.0, 1.0, 7.0])
    unbalanced = ReLUNetwork(net.W1 * t, net.b1 * t, net.w2 / t)
    b = unbalanced.balanced()
    X = np.random.default_rng(0).normal(size=(30, 2))
    assert np.allclose(b.predict(X), unbalanced.predict(X), atol=1e-12)
    assert b.penalty() == pytest.approx(float(np.sum(unbalanced.neuron_norms())), rel=1e-12)
    assert b.penalty() <= unbalanced.penalty()
    inner = np.sqrt(np.sum(b.W1**2, 0) + b.b1**2)
    assert np.allclose(inner, np.abs(b.w2), rtol=1e-12)


# --------------------------------------------------------------------------------------------
# Split, permute, pad, prune (math.md section 4)
# --------------------------------------------------------------------------------------------


def test_v43_split_into_three_keeps_f_and_objective(trained):
    X, y, fit, net = trained
    j = int(np.argmax(np.abs(net.w2)))
    s = net.split(j, (0.2, 0.3, 0.5))
    assert s.width == net.width + 2
    assert np.max(np.abs(s.predict(X) - net.predict(X))) < 1e-12
    assert abs(s.objective(X, y, 0.05) - net.objective(X, y, 0.05)) < 1e-12
    assert abs(s.objective(X, y, 0.05) - fit.objective) < 1e-6 * fit.objective
    # the copies are sqrt(alpha) times the neuron
    for a, col in zip((0.2, 0.3, 0.5), range(net.width - 1, net.width + 2), strict=True):
        assert np.allclose(s.W1[:, col], np.sqrt(a) * net.W1[:, j], atol=1e-15)
        assert s.w2[col] == pytest.approx(np.sqrt(a) * net.w2[j], rel=1e-14)
        assert s.pattern_index[col] == net.pattern_index[j]


def test_split_every_neuron_keeps_objective(trained):
    X, y, _, net = trained
    s = net
    for _ in range(net.width):
        s = s.split(0, (0.25, 0.75))  # neuron 0 goes to the end as two copies
    assert s.width == 2 * net.width
    assert np.max(np.abs(s.predict(X) - net.predict(X))) < 1e-12
    assert abs(s.penalty() - net.penalty()) < 1e-12


def test_permute_and_pad_keep_f_and_objective(trained):
    X, y, _, net = trained
    order = np.random.default_rng(0).permutation(net.width)
    p = net.permute(order)
    assert np.max(np.abs(p.predict(X) - net.predict(X))) < 1e-12
    assert p.objective(X, y, 0.05) == pytest.approx(net.objective(X, y, 0.05), abs=1e-12)
    assert np.array_equal(p.pattern_index, net.pattern_index[order])
    q = net.pad(4)
    assert q.width == net.width + 4
    assert np.max(np.abs(q.predict(X) - net.predict(X))) < 1e-12
    assert q.objective(X, y, 0.05) == pytest.approx(net.objective(X, y, 0.05), abs=1e-12)
    assert np.all(q.pattern_index[-4:] == -1)


def test_prune_merges_split_copies_and_drops_zero_neurons(trained):
    X, y, _, net = trained
    messy = net.split(0, (0.2, 0.3, 0.5)).split(1, (0.6, 0.4)).pad(3)
    messy = messy.permute(np.random.default_rng(1).permutation(messy.width))
    merged = messy.prune()
    # The optimum may itself hold blocks whose directions agree to prune's tolerance (1e-10):
    # prune merges those too, moving f by O(1e-10). The reference is the pruned optimum.
    reference = net.prune()
    assert reference.width <= net.width
    assert merged.width == reference.width
    assert np.max(np.abs(merged.predict(X) - net.predict(X))) < 1e-8
    assert abs(merged.objective(X, y, 0.05) - net.objective(X, y, 0.05)) < 1e-8
    # same neurons up to order
    key = lambda m: np.array(sorted(np.vstack([m.W1, m.b1, m.w2]).T.tolist()))  # noqa: E731
    assert np.allclose(key(merged), key(reference), rtol=0, atol=1e-8)


def test_prune_of_unbalanced_parallel_neurons_lowers_the_penalty():
    W1 = np.array([[1.0, 4.0, 1.0]])
    net = ReLUNetwork(W1, np.array([0.5, 2.0, 0.0]), np.array([1.0, 0.25, -2.0]))
    merged = net.prune()
    x = np.linspace(-2, 2, 9)
    assert merged.width == 2  # neurons 0 and 1 are parallel with the same output sign
    assert np.allclose(merged.predict(x), net.predict(x), atol=1e-12)
    assert merged.penalty() < net.penalty()
    assert merged.penalty() == pytest.approx(float(np.sum(net.neuron_norms())), rel=1e-12)


def test_prune_keeps_parallel_neurons_of_opposite_output_sign():
    net = ReLUNetwork(np.array([[1.0, 2.0]]), np.array([0.0, 0.0]), np.array([1.0, -0.5]))
    assert net.prune().width == 2


@FAST
@given(
    seed=st.integers(0, 2**32 - 1),
    m=st.integers(1, 6),
    d=st.integers(1, 3),
    alphas=st.lists(st.floats(0.01, 1.0), min_size=1, max_size=5),
    beta=st.floats(1e-3, 10.0),
)
def test_property_split_permute_pad_keep_everything(seed, m, d, alphas, beta):
    net = random_network(seed, d=d, m=m).balanced()
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(12, d))
    y = rng.normal(size=12)
    a = np.array(alphas) / np.sum(alphas)
    j = int(rng.integers(m))
    s = net.split(j, a).pad(2)
    s = s.permute(rng.permutation(s.width))
    f0, L0 = net.predict(X), net.objective(X, y, beta)
    assert np.max(np.abs(s.predict(X) - f0)) <= 1e-12 * (1 + np.max(np.abs(f0)))
    assert abs(s.objective(X, y, beta) - L0) <= 1e-12 * (1 + L0)
    back = s.prune()
    assert back.width == net.width
    assert np.max(np.abs(back.predict(X) - f0)) <= 1e-11 * (1 + np.max(np.abs(f0)))
    assert abs(back.objective(X, y, beta) - L0) <= 1e-11 * (1 + L0)


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------


def test_json_round_trip_same_predictions(trained):
    X, _, _, net = trained
    net = ReLUNetwork(net.W1, net.b1, net.w2, 0.125)
    text = net.to_json(normalization={"mean": [0.0, 0.0], "scale": [1.0, 1.0]})
    doc = json.loads(text)
    assert doc["format"] == "convexnn.relu_network.v1"
    assert doc["width"] == net.width and doc["input_dim"] == 2
    back = ReLUNetwork.from_json(text)
    assert np.array_equal(back.predict(X), net.predict(X))
    assert np.array_equal(back.W1, net.W1) and back.intercept == 0.125
    assert np.array_equal(ReLUNetwork.from_json(text.encode()).predict(X), net.predict(X))


def test_to_python_snippet_runs_and_predicts_the_same(trained):
    X, _, _, net = trained
    ns: dict = {}
    exec(net.to_python(), ns)  # noqa: S102 - our own generated code
    assert np.allclose(ns["predict"](X), net.predict(X), rtol=0, atol=1e-12)


def _valid_doc() -> dict:
    return json.loads(random_network(0, d=2, m=3).to_json())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "{",
        "[1, 2, 3]",
        "null",
        json.dumps({"W1": [[1.0]], "b1": [0.0], "w2": [1.0]}),  # no format
        json.dumps(dict(_valid_doc(), format="something.else")),
        json.dumps(dict(_valid_doc(), activation="tanh")),
        json.dumps({k: v for k, v in _valid_doc().items() if k != "W1"}),
        json.dumps({k: v for k, v in _valid_doc().items() if k != "w2"}),
        json.dumps(dict(_valid_doc(), W1=[["a", "b", "c"], [1, 2, 3]])),
        json.dumps(dict(_valid_doc(), W1=[1.0, 2.0, 3.0])),  # 1-D
        json.dumps(dict(_valid_doc(), b1=[0.0])),  # wrong length
        json.dumps(dict(_valid_doc(), w2=[[1.0, 2.0, 3.0]])),
        json.dumps(dict(_valid_doc(), W1=[[1.0, 2.0], [3.0]])),  # ragged
        json.dumps(dict(_valid_doc(), intercept="x")),
        json.dumps(dict(_valid_doc(), b1=[float("nan"), 0.0, 0.0])),
        b"\xff\xfe\x00",
    ],
)
def test_from_json_rejects_malformed_input(text):
    with pytest.raises(ValueError) as info:
        ReLUNetwork.from_json(text)
    assert len(str(info.value)) > 10


@pytest.mark.parametrize(
    "call",
    [
        lambda: ReLUNetwork(np.array([[np.nan, 1.0]]), [0.0, 0.0], [1.0, 1.0]),
        lambda: ReLUNetwork(np.ones((2, 2)), [0.0, 0.0], [1.0, np.inf]),
        lambda: ReLUNetwork(np.ones((2, 3)), [0.0, 0.0], [1.0, 1.0, 1.0]),
        lambda: random_network(0).predict(np.ones((4, 3))),
        lambda: random_network(0).objective(np.ones((4, 2)), np.ones(4), 0.1, loss="l1"),
        lambda: random_network(0).split(7, (0.5, 0.5)),
        lambda: random_network(0).split(0, (0.5, 0.4)),
        lambda: random_network(0).split(0, (1.5, -0.5)),
        lambda: random_network(0).split(0, ()),
        lambda: random_network(0).permute([0, 0, 1, 2, 3]),
        lambda: random_network(0).permute([0, 1, 2]),
    ],
    ids=["nan W1", "inf w2", "shape", "predict dims", "loss", "split j", "split sum", "split negative",
         "split empty", "permute repeat", "permute short"],
)
def test_bad_network_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_objective_rejects_negative_beta():
    # regression: a negative beta was accepted silently (fixed in 1762441); beta = 0 is the plain loss
    net = random_network(0)
    X, y = np.ones((4, 2)), np.ones(4)
    for bad in (-0.1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            net.objective(X, y, bad)
    assert net.objective(X, y, 0.0) == pytest.approx(0.5 * float(np.sum((net.predict(X) - y) ** 2)))


def test_gated_model_is_a_predictor_whose_objective_is_the_gated_optimum():
    """The gated model: predictions on the data = the convex fit, objective = p*_gated, JSON round trip."""
    data = cn.datasets.moons(30, seed=2)
    fit = cn.fit_convex(data.X, data.y, 0.1, relu="gated")
    model = fit.gated_model()
    assert isinstance(model, cn.network.Predictor) and not hasattr(model, "w2")
    assert np.allclose(model.predict(data.X), fit.fitted(), atol=1e-10)
    assert model.objective(data.X, data.y, 0.1) == pytest.approx(fit.objective, rel=1e-9)
    back = cn.GatedReLUModel.from_json(model.to_json())
    grid = np.random.default_rng(0).normal(size=(200, 2))
    assert np.array_equal(back.predict(grid), model.predict(grid)) and back.bias == model.bias
    W, b, sign = model.hyperplanes()
    assert np.array_equal(W, model.G[:-1]) and np.array_equal(b, model.G[-1]) and not sign.any()
    with pytest.raises(ValueError, match="not a convexnn model"):
        cn.GatedReLUModel.from_json(fit.network().to_json())


def test_relu_network_is_a_predictor_with_its_hyperplanes():
    net = random_network(3)
    assert isinstance(net, cn.network.Predictor)
    W, b, sign = net.hyperplanes()
    assert np.array_equal(W, net.W1) and np.array_equal(b, net.b1)
    assert np.array_equal(sign, np.sign(net.w2))
