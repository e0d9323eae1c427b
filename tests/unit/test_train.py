"""convexnn.training (train, optimizers): nonconvex training in numpy (GD, SGD, Adam, AdamW).

Checked against hand-computed steps, finite differences, the stationary values 0.19 and 0.595
(docs/optima-and-stationary-points.md), the talk-data optimum 0.095490 (docs/convex-program.md)
and trajectories of torch.optim.AdamW and torch.optim.Adam recorded once in float64
(tests/fixtures/torch_adam_trajectories.json, recipe tests/fixtures/record_torch_adam.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from convexnn import datasets, train
from convexnn.models.network import ReLUNetwork
from convexnn.training.optimizers import GD, SGD, Adam, AdamW, make_optimizer
from convexnn.training.train import adamw_step, fit_nonconvex, gradient, gradient_norm, torch_init
from tests.helpers import TALK_X, network_objective, rel

V41_X, V41_Y, V41_BETA = np.eye(2), np.ones(2), 0.1


def small_problem(seed=0, n=7, d=2, m=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = rng.choice([-1.0, 1.0], size=n)
    net = ReLUNetwork(rng.normal(size=(d, m)), rng.normal(size=m), rng.normal(size=m), 0.3)
    return X, y, net


def mse_theta(theta, X, y, d, m):
    """Mean squared error (PyTorch MSELoss) of the flat parameters [W1, b1, w2, c]."""
    W1 = theta[: d * m].reshape(d, m)
    b1, w2, c = theta[d * m: d * m + m], theta[d * m + m: d * m + 2 * m], theta[-1]
    f = np.maximum(X @ W1 + b1, 0) @ w2 + c
    return float(np.mean((f - y) ** 2))


def numeric_grad(fun, theta, h=1e-6):
    g = np.zeros_like(theta)
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = h
        g[k] = (fun(theta + e) - fun(theta - e)) / (2 * h)
    return g


def flat(net: ReLUNetwork) -> np.ndarray:
    return np.concatenate([net.W1.ravel(), net.b1, net.w2, [net.intercept]])


# --------------------------------------------------------------------------------------------
# Stationary points (docs/optima-and-stationary-points.md): GD from the given starts stops at the
# spurious stationary values 0.19 and 0.595
# --------------------------------------------------------------------------------------------


def test_v41_gd_two_neurons_stops_at_019():
    start = ReLUNetwork(np.array([[1.0, -0.5], [-0.5, 1.0]]), np.zeros(2), np.ones(2))
    net, traj = fit_nonconvex(V41_X, V41_Y, 2, V41_BETA, lr=1e-2, epochs=20000, bias=False,
                              init=start, tol=1e-9)
    assert traj.converged and not traj.diverged
    assert abs(traj.final_objective - 0.19) < 1e-7
    assert abs(net.objective(V41_X, V41_Y, V41_BETA) - 0.19) < 1e-7
    # two separate neurons w1 = 0.948683 e_k, balanced (every stationary point is: docs/convex-program.md)
    np.testing.assert_allclose(np.abs(np.diag(net.W1)), 0.948683, atol=1e-6)
    assert np.max(np.abs(net.W1 - np.diag(np.diag(net.W1)))) < 1e-6
    np.testing.assert_allclose(np.linalg.norm(net.W1, axis=0), np.abs(net.w2), atol=1e-6)
    assert np.all(np.diff(traj.objective) <= 1e-12)  # GD with a small step never goes up here


def test_v41_gd_one_neuron_stops_at_0595():
    start = ReLUNetwork(np.array([[1.0], [-0.5]]), np.zeros(1), np.ones(1))
    net, traj = fit_nonconvex(V41_X, V41_Y, 1, V41_BETA, lr=1e-2, epochs=20000, bias=False,
                              init=start, tol=1e-9)
    assert abs(traj.final_objective - 0.595) < 1e-7
    assert traj.final_objective > 0.1364214  # above p*
    assert gradient_norm(net, V41_X, V41_Y, V41_BETA, bias=False) < 1e-8


def test_v12_gd_reaches_the_convex_optimum():
    """Talk data (docs/convex-program.md): full-batch GD with m = 8 reaches p* = 0.095490 (no bias)."""
    net, traj = fit_nonconvex(TALK_X, np.array([3.0, 2.0, 1.0]), 8, 0.1, lr=1e-2, epochs=20000,
                              bias=False, seed=0, tol=1e-9, snapshots=0)
    assert rel(traj.final_objective, 0.095490) < 1e-5
    assert np.all(net.b1 == 0)


# --------------------------------------------------------------------------------------------
# Gradients
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["squared", "logistic"])
def test_gradient_matches_finite_differences(loss):
    X, y, net = small_problem(1)
    net = ReLUNetwork(net.W1, net.b1, net.w2)  # no intercept: L does not include one
    beta = 0.07
    g = gradient(net, X, y, beta, loss)
    d, m = net.W1.shape

    def L(t):
        W1 = t[: d * m].reshape(d, m)
        return network_objective(W1, t[d * m: d * m + m], t[d * m + m:], X, y, beta, loss)

    theta = np.concatenate([net.W1.ravel(), net.b1, net.w2])
    num = numeric_grad(L, theta)
    ours = np.concatenate([g.W1.ravel(), g.b1, g.w2])
    np.testing.assert_allclose(ours, num, rtol=1e-6, atol=1e-7)


# --------------------------------------------------------------------------------------------
# AdamW: a hand-computed step, PyTorch's update, and torch itself
# --------------------------------------------------------------------------------------------


def test_adamw_first_step_by_hand():
    """Step 1 of AdamW: m^ = g, v^ = g^2, so theta1 = theta0 (1 - lr wd) - lr g / (|g| + eps)."""
    theta0 = np.array([1.0, -2.0, 0.5, 0.0])
    g = np.array([0.3, -1e-3, 4.0, 0.0])
    lr, wd = 0.1, 0.5
    new = adamw_step(theta0, g, {}, lr=lr, weight_decay=wd)
    by_hand = np.array([1.0 * 0.95 - 0.1 * 0.3 / (0.3 + 1e-8),
                        -2.0 * 0.95 + 0.1 * 1e-3 / (1e-3 + 1e-8),
                        0.5 * 0.95 - 0.1 * 4.0 / (4.0 + 1e-8),
                        0.0])
    np.testing.assert_allclose(new, by_hand, rtol=1e-14, atol=1e-15)


def test_adamw_second_step_by_hand():
    lr, wd, (b1, b2), eps = 0.01, 0.1, (0.9, 0.999), 1e-8
    theta, g1, g2 = np.array([2.0]), np.array([1.0]), np.array([-3.0])
    state = {}
    t1 = adamw_step(theta, g1, state, lr=lr, weight_decay=wd)
    t2 = adamw_step(t1, g2, state, lr=lr, weight_decay=wd)
    m = b1 * (1 - b1) * 1.0 + (1 - b1) * -3.0  # -0.21
    v = b2 * (1 - b2) * 1.0 + (1 - b2) * 9.0  # 0.009999
    mhat, vhat = m / (1 - b1**2), v / (1 - b2**2)
    x1 = 2.0 * (1 - lr * wd) - lr * 1.0 / (1.0 + eps)
    x2 = x1 * (1 - lr * wd) - lr * mhat / (np.sqrt(vhat) + eps)
    assert abs(t2[0] - x2) < 1e-14
    assert state["step"] == 2


def test_fit_nonconvex_adamw_is_the_pytorch_update():
    """Two full-batch AdamW steps of fit_nonconvex on the MSE loss, with clipping and the linear
    schedule, equal adamw_step on finite-difference gradients, clipped by hand."""
    X, y, net = small_problem(2)
    lr, wd, clip, epochs = 0.05, 0.01, 0.5, 2
    _, traj = fit_nonconvex(X, y, net.width, 0.0, optimizer="adamw", lr=lr, epochs=epochs,
                            weight_decay=wd, loss="mse", intercept=True, init=net, clip_norm=clip,
                            schedule="linear", record_every=1, snapshots=[0, 1, 2])
    d, m = net.W1.shape
    theta, state = flat(net), {}
    for t in range(epochs):
        g = numeric_grad(lambda th: mse_theta(th, X, y, d, m), theta)
        norm = np.linalg.norm(g)
        if norm > clip:
            g = g * clip / (norm + 1e-6)
        lr_t = lr * (epochs - t) / epochs
        theta = adamw_step(theta, g, state, lr=lr_t, weight_decay=wd)
        np.testing.assert_allclose(flat(traj.snapshots[t + 1]), theta, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(traj.lr, [lr, lr, lr / 2])


FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "torch_adam_trajectories.json"


def torch_fixture() -> dict:
    return json.loads(FIXTURE.read_text())


def replay(fixture: dict, name: str, **overrides):
    """fit_nonconvex's trajectory over the recorded run ``name``, one snapshot per step."""
    run = fixture[name]
    i = fixture["init"]
    init = ReLUNetwork(np.array(i["W1"]), np.array(i["b1"]), np.array(i["w2"]), i["intercept"])
    kwargs = {"weight_decay": run["weight_decay"]} if name == "adamw" else {}
    kwargs.update(overrides)
    steps = run["steps"]
    _, traj = fit_nonconvex(np.array(fixture["X"]), np.array(fixture["y"]), init.width, run.get("beta", 0.0),
                            name, lr=run["lr"], epochs=steps, betas=tuple(run["betas"]), eps=run["eps"],
                            loss="squared", init=init, intercept=True, record_every=1,
                            snapshots=list(range(steps + 1)), **kwargs)
    assert traj.snapshot_epochs == list(range(steps + 1))
    return np.array([flat(s) for s in traj.snapshots]), np.array(run["params"])


def test_fixture_is_small_and_moves():
    """The recorded runs are float64 trajectories that really move (and the file stays small)."""
    assert FIXTURE.stat().st_size < 60_000
    fx = torch_fixture()
    for name, steps in (("adamw", 50), ("adam", 30)):
        ref = np.array(fx[name]["params"])
        assert ref.shape == (steps + 1, 2 * 5 + 5 + 5 + 1)
        assert np.max(np.abs(ref[-1] - ref[0])) > 0.2  # far beyond the tolerance below
    assert fx["adamw"]["betas"] != [0.9, 0.999] and fx["adamw"]["eps"] != 1e-8  # not the defaults


@pytest.mark.parametrize("name", ["adamw", "adam"])
def test_matches_recorded_torch_trajectory_step_by_step(name):
    """Every step of numpy AdamW (decoupled decay on all parameters, loss 1/2||f - y||^2) and of
    Adam on the explicit objective equals torch.optim.AdamW / torch.optim.Adam in float64."""
    ours, ref = replay(torch_fixture(), name)
    assert ours.shape == ref.shape
    np.testing.assert_array_equal(ours[0], ref[0])
    for t in range(1, len(ref)):
        np.testing.assert_allclose(ours[t], ref[t], rtol=1e-10, atol=1e-13, err_msg=f"{name}, step {t}")


def test_fixture_tells_the_decay_conventions_apart():
    """Coupled L2 decay (Adam on loss + (wd/2)||theta||^2) or no decay misses the AdamW record:
    the step-by-step test above can fail for the convention, not only for a gross error."""
    fx = torch_fixture()
    run = fx["adamw"]
    fx_coupled = {**fx, "adam": {**run, "beta": run["weight_decay"]}}
    coupled, ref = replay(fx_coupled, "adam")
    no_decay, _ = replay(fx, "adamw", weight_decay=0.0)
    assert np.max(np.abs(coupled - ref)) > 1e-4
    assert np.max(np.abs(no_decay - ref)) > 1e-4


def test_optimizer_objects_by_hand():
    """GD/SGD with momentum (PyTorch's buffer b_1 = g_1, b_t = mu b_{t-1} + g_t) and Adam."""
    theta, g1, g2 = np.array([1.0, 2.0]), np.array([0.5, -1.0]), np.array([1.0, 1.0])
    for cls in (GD, SGD):
        opt, p = cls(momentum=0.9), theta.copy()
        opt.step(p, g1, 0.1)
        opt.step(p, g2, 0.1)
        np.testing.assert_allclose(p, theta - 0.1 * g1 - 0.1 * (0.9 * g1 + g2), rtol=1e-15)
    p = theta.copy()
    Adam(eps=0.0).step(p, g1, 0.1)  # first step: m^ = g, v^ = g^2, a signed step of lr
    np.testing.assert_allclose(p, theta - 0.1 * np.sign(g1), rtol=1e-15)
    p = theta.copy()
    AdamW(eps=0.0, weight_decay=0.5, decay_mask=np.array([1.0, 0.0])).step(p, g1, 0.1)
    np.testing.assert_allclose(p, [1.0 * 0.95 - 0.1, 2.0 + 0.1], rtol=1e-15)
    assert isinstance(make_optimizer("sgd"), SGD) and isinstance(make_optimizer("adamw"), AdamW)
    with pytest.raises(ValueError, match="optimizer"):
        make_optimizer("lbfgs")
    with pytest.raises(ValueError, match="betas"):
        Adam(betas=(1.0, 0.999))

# --------------------------------------------------------------------------------------------
# GD, SGD, clipping, schedule, recording, divergence, errors
# --------------------------------------------------------------------------------------------


def test_gd_step_is_theta_minus_lr_grad():
    X, y, net = small_problem(4)
    net = ReLUNetwork(net.W1, net.b1, net.w2)
    beta, lr = 0.2, 1e-3
    new, _ = fit_nonconvex(X, y, net.width, beta, lr=lr, epochs=1, init=net)
    g = gradient(net, X, y, beta)
    np.testing.assert_allclose(new.W1, net.W1 - lr * g.W1, rtol=1e-12)
    np.testing.assert_allclose(new.b1, net.b1 - lr * g.b1, rtol=1e-12)
    np.testing.assert_allclose(new.w2, net.w2 - lr * g.w2, rtol=1e-12)


def test_clipping_bounds_the_step():
    X, y, net = small_problem(5)
    net = ReLUNetwork(net.W1 * 5, net.b1, net.w2 * 5)
    new, _ = fit_nonconvex(X, y, net.width, 0.0, lr=1.0, epochs=1, init=net, clip_norm=0.01)
    step = np.linalg.norm(flat(new) - flat(net))
    assert abs(step - 0.01) < 1e-6


def test_sgd_full_batch_equals_gd_and_seeds_matter():
    X, y, net = small_problem(6)
    gd, _ = fit_nonconvex(X, y, 4, 0.1, "gd", lr=1e-3, epochs=30, init=net)
    sgd_full, _ = fit_nonconvex(X, y, 4, 0.1, "sgd", lr=1e-3, epochs=30, init=net, batch_size=len(y))
    np.testing.assert_allclose(flat(gd), flat(sgd_full), rtol=1e-13)
    a, _ = fit_nonconvex(X, y, 4, 0.1, "sgd", lr=1e-3, epochs=30, batch_size=2, seed=1)
    b, _ = fit_nonconvex(X, y, 4, 0.1, "sgd", lr=1e-3, epochs=30, batch_size=2, seed=1)
    c, tc = fit_nonconvex(X, y, 4, 0.1, "sgd", lr=1e-3, epochs=30, batch_size=2, seed=2)
    np.testing.assert_array_equal(flat(a), flat(b))
    assert not np.allclose(flat(a), flat(c))
    assert tc.steps[-1] == 30 * 4  # ceil(7 / 2) steps per epoch


def test_sgd_and_adam_decrease_the_objective():
    data = datasets.generate("moons", 40, 0.1, 0)
    for opt, lr, bs in (("sgd", 1e-2, 4), ("adam", 1e-2, None)):
        _, traj = fit_nonconvex(data.X, data.y, 20, 1e-2, opt, lr=lr, epochs=200, batch_size=bs)
        assert traj.final_objective < 0.4 * traj.objective[0], opt
        assert traj.final_accuracy >= 0.9, opt


def test_linear_schedule_and_recording():
    X, y, _ = small_problem(7)
    _, traj = fit_nonconvex(X, y, 3, 0.1, "adam", lr=0.1, epochs=10, schedule="linear",
                            record_every=[0, 5, 10], snapshots=3)
    np.testing.assert_array_equal(traj.epochs, [0, 5, 10])
    np.testing.assert_allclose(traj.lr, [0.1, 0.1 * 6 / 10, 0.1 * 1 / 10])
    assert traj.snapshot_epochs == [0, 5, 10]
    assert np.all(np.diff(traj.time) >= 0)
    # the recorded objective is the explicit objective of the snapshot
    for e, net in zip(traj.snapshot_epochs, traj.snapshots, strict=True):
        k = list(traj.epochs).index(e)
        assert rel(traj.objective[k], net.objective(X, y, 0.1)) < 1e-12


def test_mse_objective_is_reported_in_the_half_squared_convention():
    data = datasets.spiral(40)
    net, traj = fit_nonconvex(data.X, data.y, 10, 5e-4, "adamw", lr=1e-2, epochs=50, loss="mse",
                              weight_decay=1e-3)
    f = net.predict(data.X)
    assert rel(traj.loss[-1], np.mean((f - data.y) ** 2)) < 1e-12
    assert rel(traj.objective[-1], net.objective(data.X, data.y, 5e-4)) < 1e-12
    assert traj.accuracy[-1] == np.mean(np.where(f >= 0, 1, -1) == data.y)


def test_divergence_returns_a_finite_network():
    data = datasets.spiral(40)
    net, traj = fit_nonconvex(data.X, data.y, 10, 0.0, "gd", lr=50.0, epochs=200, record_every=1,
                              intercept=True)  # the intercept oscillates with factor 1 - lr n
    assert traj.diverged
    assert np.all(np.isfinite(flat(net)))
    assert np.all(np.isfinite(traj.objective))


def test_torch_init_ranges():
    net = torch_init(2, 200, np.random.default_rng(0), intercept=True)
    assert np.max(np.abs(net.W1)) <= 1 / np.sqrt(2) and np.max(np.abs(net.w2)) <= 1 / np.sqrt(200)
    assert net.intercept != 0.0


@pytest.mark.parametrize("kwargs, match", [
    ({"optimizer": "lbfgs"}, "optimizer"),
    ({"loss": "l1"}, "loss"),
    ({"optimizer": "gd", "weight_decay": 0.1}, "weight_decay"),
    ({"lr": -1.0}, "non-negative"),
    ({"optimizer": "gd", "batch_size": 2}, "full-batch"),
    ({"schedule": "cosine"}, "schedule"),
    ({"clip_norm": 0.0}, "clip_norm"),
])
def test_bad_settings_raise(kwargs, match):
    X, y, _ = small_problem(8)
    with pytest.raises(ValueError, match=match):
        fit_nonconvex(X, y, 3, 0.1, **{"epochs": 2, **kwargs})


def test_logistic_needs_labels():
    with pytest.raises(ValueError, match="labels"):
        fit_nonconvex(np.eye(2), np.array([0.5, 2.0]), 2, 0.1, loss="logistic", epochs=1)


# --------------------------------------------------------------------------------------------
# The work a run does (speed itself is measured in bench/train.py, not asserted here)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("loss, passes_per_record", [("squared", 1), ("mse", 2)])
def test_one_gradient_pass_per_step_and_none_wasted(monkeypatch, loss, passes_per_record):
    """The spiral AdamW configuration of docs/experiments.md (200 neurons, clipping, the linear
    schedule): each step costs one forward-backward pass over its batch without the loss value,
    each record one pass (two for "mse": its loss, then the objective's gradient), and the
    (n, m) buffers are allocated once per batch size."""
    calls = []
    original = train._forward_backward

    def counting(work, X, y, loss_name, n_total, value=True):
        calls.append((X.shape[0], value, len(work.buffers)))
        return original(work, X, y, loss_name, n_total, value)

    monkeypatch.setattr(train, "_forward_backward", counting)
    data = datasets.spiral()
    epochs = 60
    _, traj = fit_nonconvex(data.X, data.y, 200, 5e-4, "adamw", lr=1e-2, epochs=epochs, loss=loss,
                            weight_decay=1e-3, clip_norm=1.0, schedule="linear", intercept=True,
                            record_every=10)
    records = len(traj.epochs)
    assert records == epochs // 10 + 1 and traj.steps[-1] == epochs
    assert len(calls) == epochs + passes_per_record * records
    assert sum(1 for c in calls if c[1]) == records  # the loss value only when recording
    assert all(c[0] == data.n for c in calls)
    assert max(c[2] for c in calls) == 1  # one batch size -> one set of buffers per workspace


def test_minibatch_steps_see_each_point_once_per_epoch(monkeypatch):
    seen = []
    original = train._forward_backward

    def spy(work, X, y, loss_name, n_total, value=True):
        if not value:
            seen.append(X.copy())
        return original(work, X, y, loss_name, n_total, value)

    monkeypatch.setattr(train, "_forward_backward", spy)
    X, y, _ = small_problem(9)
    fit_nonconvex(X, y, 3, 0.1, "sgd", epochs=2, batch_size=3, snapshots=0)
    assert [len(b) for b in seen] == [3, 3, 1, 3, 3, 1]
    for epoch in (seen[:3], seen[3:]):
        rows = np.concatenate(epoch)
        np.testing.assert_array_equal(rows[np.lexsort(rows.T)], X[np.lexsort(X.T)])
