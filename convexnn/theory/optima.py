"""The global optimum, all global optima, and the Lasso path of networks.

Mathematics: docs/optima-and-stationary-points.md and docs/lasso-path.md.

Pure numpy helpers behind the app's Global optimum, All global optima and Lasso path pages:

- :func:`dual_bar_values`: every pattern's dual value max_+- ||Pi_{K_i}(+-X~^T D_i lam)|| at a
  fit, the quantity the certificate compares with beta (the active patterns reach beta).
- :func:`transform_network`: split a neuron into parallel copies, pad with zero neurons,
  permute; :func:`invariance` measures that f and the objective are unchanged.
- :func:`network_path`: the Lasso path from beta_max down, each fit pruned to a minimal network,
  summarised in a :class:`NetworkPath` (block norms, neuron counts, loss, accuracy per beta).
- :func:`critical_width`: train nonconvex networks of width m = 1, 2, ... with a few restarts
  and compare the best objective per width with p* (the critical width m*).
- :func:`load_network`, :func:`identity_normalization`: the JSON export and its input normalisation.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..models.network import ReLUNetwork
from ..patterns.arrangements import Arrangement
from ..program import losses
from ..program.convex import ConvexFit, dual_vector, fit_convex
from ..program.path import beta_grid, path_problem, problem_beta_max, solve_path
from ..program.pruning import prune_to_minimal

# --------------------------------------------------------------------------------------------
# Dual values (the bars against beta)
# --------------------------------------------------------------------------------------------


def dual_bar_values(fit: ConvexFit, cones: Arrangement | None = None) -> np.ndarray:
    """(P, 2) dual values ||Pi_{K_i}(+-X~^T D_i lam)|| (gated: ||X~^T D_i lam||) of every pattern.

    At an optimum every value is <= beta (to the solver's tolerance), and the patterns of the
    active blocks reach beta (complementary slackness).
    """
    from ..patterns.cones import dual_values

    cones, Z = _cones(fit, cones)
    values, _ = dual_values(cones, Z, dual_vector(fit, cones), fit.relu == "gated", threshold=0.0)
    values = np.asarray(values, dtype=float).reshape(cones.count, -1)
    if values.shape[1] == 1:
        values = np.column_stack([values[:, 0], values[:, 0]])
    values[~cones.patterns.any(axis=1)] = 0.0  # the empty pattern carries no neuron
    return values


def _cones(fit: ConvexFit, cones: Arrangement | None) -> tuple[Arrangement, np.ndarray]:
    """The cones to price (default: the fit's own) and the reduced data Z = X~ Q for them."""
    problem = fit.problem
    if cones is None or cones is problem.cones:
        return problem.cones, problem.Z
    return cones, problem.Xt @ cones.basis


# --------------------------------------------------------------------------------------------
# All global optima: split, pad, permute
# --------------------------------------------------------------------------------------------


@dataclass
class Transformed:
    """A network obtained from ``base`` by a split, padding and a permutation.

    ``origin[k]`` is the neuron of ``base`` that neuron k of ``network`` comes from (-1 for an
    added zero neuron); ``share[k]`` the fraction alpha of that neuron's cost it carries.
    """

    network: ReLUNetwork
    origin: np.ndarray
    share: np.ndarray


def transform_network(
    net: ReLUNetwork,
    split: int | None = None,
    alphas=None,
    pad: int = 0,
    permutation=None,
) -> Transformed:
    """Split neuron ``split`` into copies with weights ``alphas`` (>= 0, sum 1), add ``pad`` zero
    neurons, then reorder the neurons by ``permutation`` (an order, or an int seed for a random
    one). Every step keeps f and the objective (docs/optima-and-stationary-points.md)."""
    origin = np.arange(net.width)
    share = np.ones(net.width)
    out = net
    if split is not None:
        a = np.asarray(alphas, dtype=float).reshape(-1)
        out = out.split(int(split), a)  # the other neurons in order, then the copies
        keep = origin != split
        origin = np.concatenate([origin[keep], np.full(a.size, int(split))])
        share = np.concatenate([share[keep], a])
    if pad:
        out = out.pad(int(pad))
        origin = np.concatenate([origin, np.full(int(pad), -1)])
        share = np.concatenate([share, np.zeros(int(pad))])
    if permutation is not None:
        if np.isscalar(permutation):
            order = np.random.default_rng(int(permutation)).permutation(out.width)
        else:
            order = np.asarray(permutation, dtype=int)
        out = out.permute(order)
        origin, share = origin[order], share[order]
    return Transformed(out, origin, share)


def normalize_alphas(weights) -> np.ndarray:
    """Non-negative weights -> split fractions alpha summing to 1 (equal if all are zero)."""
    w = np.clip(np.asarray(weights, dtype=float).reshape(-1), 0.0, None)
    if w.size == 0:
        raise ValueError("a split needs at least one copy")
    total = w.sum()
    return np.full(w.size, 1.0 / w.size) if total <= 0 else w / total


def invariance(a: ReLUNetwork, b: ReLUNetwork, X: np.ndarray, y: np.ndarray, beta: float,
               loss: str = "squared", X_extra: np.ndarray | None = None) -> dict:
    """How far two networks differ: objectives, and max |f_a - f_b| on X (and on ``X_extra``)."""
    X = np.asarray(X, dtype=float)
    fa, fb = a.predict(X), b.predict(X)
    out = {
        "objective_a": a.objective(X, y, beta, loss),
        "objective_b": b.objective(X, y, beta, loss),
        "max_abs_df": float(np.max(np.abs(fa - fb), initial=0.0)),
    }
    out["objective_diff"] = abs(out["objective_a"] - out["objective_b"])
    if X_extra is not None:
        out["max_abs_df_extra"] = float(np.max(np.abs(a.predict(X_extra) - b.predict(X_extra)), initial=0.0))
    return out


# --------------------------------------------------------------------------------------------
# The Lasso path of minimal networks
# --------------------------------------------------------------------------------------------


@dataclass
class NetworkPath:
    """The Lasso path summarised per beta (index k, decreasing beta).

    ``models[k]`` is the minimal (pruned) network at ``betas[k]`` (a ``GatedReLUModel`` for the
    gated program); ``blocks`` (B, 2) lists every (pattern, sign column) block active somewhere
    on the path and ``norms[k, b]`` its norm at ``betas[k]`` (after pruning).
    """

    betas: np.ndarray
    beta_max: float
    loss: str
    relu: str
    task: str
    models: list
    objectives: np.ndarray
    losses: np.ndarray
    n_neurons: np.ndarray
    n_solver_blocks: np.ndarray
    accuracy: np.ndarray | None
    rmse: np.ndarray
    blocks: np.ndarray
    norms: np.ndarray
    relative_gaps: np.ndarray
    certified: np.ndarray
    solve_time: float = 0.0
    prune_time: float = 0.0
    n_patterns: int = 0
    info: dict = field(default_factory=dict)

    @property
    def total_time(self) -> float:
        return self.solve_time + self.prune_time

    def __len__(self) -> int:
        return len(self.betas)


def summarise_path(fits: list[ConvexFit], pruned: list[ConvexFit], task: str, beta_top: float) -> NetworkPath:
    """A :class:`NetworkPath` from solver fits and their pruned copies (same order)."""
    first = fits[0]
    keys: dict[tuple[int, int], int] = {}
    for p in pruned:
        for i, s in p.active_blocks():
            keys.setdefault((int(i), int(s)), len(keys))
    blocks = np.array(sorted(keys), dtype=int).reshape(-1, 2)
    col = {tuple(b): k for k, b in enumerate(blocks.tolist())}
    norms = np.zeros((len(fits), len(blocks)))
    models, objectives, loss_values, acc, rmse = [], [], [], [], []
    for k, p in enumerate(pruned):
        bn = p.block_norms()
        for i, s in p.active_blocks():
            norms[k, col[(int(i), int(s))]] = bn[i, s]
        model = p.gated_model() if p.relu == "gated" else p.network()
        models.append(model)
        f = p.fitted()
        objectives.append(float(p.objective))
        loss_values.append(losses.value(p.loss, f, p.y))
        acc.append(losses.accuracy(f, p.y))
        rmse.append(float(np.sqrt(np.mean((f - p.y) ** 2))))
    gaps = np.array([f.certificate.relative_gap if f.certificate else np.nan for f in fits])
    return NetworkPath(
        betas=np.array([f.beta for f in fits]),
        beta_max=float(beta_top),
        loss=first.loss,
        relu=first.relu,
        task=task,
        models=models,
        objectives=np.array(objectives),
        losses=np.array(loss_values),
        n_neurons=np.array([p.n_active for p in pruned]),
        n_solver_blocks=np.array([f.n_active for f in fits]),
        accuracy=np.array(acc) if task == "classification" else None,
        rmse=np.array(rmse),
        blocks=blocks,
        norms=norms,
        relative_gaps=gaps,
        certified=np.array([bool(f.certificate is not None and f.certificate.optimal) for f in fits]),
        n_patterns=first.n_patterns,
    )


def network_path(
    X: np.ndarray,
    y: np.ndarray,
    task: str = "classification",
    n_betas: int = 25,
    ratio: float = 1e-3,
    loss: str = "squared",
    relu: str = "exact",
    patterns="auto",
    prune: bool = True,
    progress: Callable[[int, int, float], None] | None = None,
    betas: np.ndarray | None = None,
    **fit_options,
) -> NetworkPath:
    """The Lasso path of minimal networks: beta from beta_max down to ``ratio * beta_max``
    (``n_betas`` geometric values; or the given ``betas``, sorted decreasingly), warm-started
    solves, each fit pruned to linearly independent blocks (docs/lasso-path.md).

    ``progress(k, total, beta)`` is called after each beta (solved and pruned).
    """
    fit_options = dict(fit_options, patterns=patterns)
    problem = path_problem(X, y, loss, fit_options, program=relu)
    top = problem_beta_max(problem)
    if betas is None:
        betas = beta_grid(top, n_betas, ratio)
    report = None if progress is None else (lambda k, total, fit: progress(k, total, float(fit.beta)))
    steps = solve_path(problem, betas, prune=prune, progress=report, **fit_options)
    fits, pruned = [s.fit for s in steps], [s.pruned for s in steps]
    t_solve, t_prune = sum(s.solve_time for s in steps), sum(s.prune_time for s in steps)
    path = summarise_path(fits, pruned, task, top)
    path.solve_time, path.prune_time = t_solve, t_prune
    return path


# --------------------------------------------------------------------------------------------
# Critical width: nonconvex training of every width against p*
# --------------------------------------------------------------------------------------------


@dataclass
class CriticalWidth:
    """Best nonconvex objective per width against the convex optimum p*.

    ``objectives[w, r]`` is the objective of restart r at ``widths[w]``; ``convex_width`` the
    width of the pruned convex optimum (an upper bound on m*); ``m_star`` the smallest width
    whose best objective is within ``rtol`` of p* (None if no width reached it).
    """

    widths: np.ndarray
    objectives: np.ndarray
    p_star: float
    convex_width: int
    rtol: float
    n: int
    seconds: float = 0.0
    grad_norms: np.ndarray | None = None

    @property
    def best(self) -> np.ndarray:
        return np.nanmin(self.objectives, axis=1)

    @property
    def m_star(self) -> int | None:
        ok = self.best <= self.p_star * (1 + self.rtol) + 1e-12
        return int(self.widths[np.argmax(ok)]) if ok.any() else None


def critical_width(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    loss: str = "squared",
    widths=None,
    restarts: int = 3,
    extra: int = 2,
    rtol: float = 1e-3,
    seed: int = 0,
    fit: ConvexFit | None = None,
    p_star: float | None = None,
    convex_width: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    **train_options,
) -> CriticalWidth:
    """Train nonconvex networks of width m = 1 .. m_hat + ``extra`` (m_hat: the pruned convex
    optimum's width), ``restarts`` seeds each, with :func:`convexnn.training.train.fit_nonconvex` (GD on
    the explicit objective by default), and return the objectives against p*.

    p* and m_hat come from ``fit`` (solved here if not given) unless ``p_star`` and
    ``convex_width`` are given. ``train_options`` go to ``fit_nonconvex`` (optimizer, lr,
    epochs, ...); ``progress(done, total)`` is called after each training run.
    """
    from ..training.train import fit_nonconvex

    X = np.asarray(X, dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    y = np.asarray(y, dtype=float).reshape(-1)
    t0 = time.perf_counter()
    if p_star is None or convex_width is None:
        if fit is None:
            fit = fit_convex(X, y, beta, loss=loss)
        minimal = prune_to_minimal(fit) if fit.n_active > 1 else fit
        p_star = float(fit.objective) if p_star is None else p_star
        convex_width = int(minimal.n_active) if convex_width is None else convex_width
    if widths is None:
        widths = np.arange(1, max(int(convex_width), 1) + extra + 1)
    widths = np.asarray(widths, dtype=int)
    obj = np.full((len(widths), restarts), np.nan)
    grads = np.full((len(widths), restarts), np.nan)
    options = {"optimizer": "gd", **train_options}
    if "loss" in _parameters(fit_nonconvex):
        options["loss"] = loss
    total, done = len(widths) * restarts, 0
    for w, m in enumerate(widths):
        for r in range(restarts):
            net, trajectory = fit_nonconvex(X, y, int(m), beta, seed=seed + 1000 * r + int(m), **options)
            obj[w, r] = net.objective(X, y, beta, loss)
            grads[w, r] = _last_grad_norm(trajectory)
            done += 1
            if progress is not None:
                progress(done, total)
    return CriticalWidth(widths, obj, float(p_star), int(convex_width), rtol, X.shape[0],
                         time.perf_counter() - t0, grads)


def _parameters(func) -> set[str]:
    import inspect

    return set(inspect.signature(func).parameters)


def _last_grad_norm(trajectory) -> float:
    """The last gradient norm recorded in a training trajectory, if it has one."""
    for name in ("grad_norm", "grad_norms", "gradient_norm"):
        value = trajectory.get(name) if isinstance(trajectory, dict) else getattr(trajectory, name, None)
        if value is not None:
            arr = np.asarray(value, dtype=float).reshape(-1)
            if arr.size:
                return float(arr[-1])
    return float("nan")


# --------------------------------------------------------------------------------------------
# Export and import
# --------------------------------------------------------------------------------------------


def identity_normalization(d: int) -> dict:
    """The normalisation the app uses: none (inputs are taken as they are, mean 0, scale 1)."""
    return {"mean": [0.0] * int(d), "scale": [1.0] * int(d)}


def load_network(text: str | bytes, input_dim: int | None = None) -> ReLUNetwork:
    """Read a network exported by the app (:meth:`ReLUNetwork.to_json`); ``ValueError`` with a
    readable message on malformed input or when it does not take ``input_dim`` inputs.

    An input normalisation x -> (x - mean) / scale in the file is folded into the first layer,
    w1 <- w1 / scale, b1 <- b1 - (mean / scale)^T w1, so the result is a plain network on the
    inputs as they are (its hyperplanes, predictions and objective are those of the current data).
    """
    net = ReLUNetwork.from_json(text)
    doc = json.loads(text)
    d = net.input_dim
    norm = doc.get("normalization")
    mean, scale = np.zeros(d), np.ones(d)
    if norm is not None:
        if not isinstance(norm, dict):
            raise ValueError("'normalization' must be an object with 'mean' and 'scale'")
        try:
            mean = np.asarray(norm.get("mean", mean), dtype=float).reshape(-1)
            scale = np.asarray(norm.get("scale", scale), dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise ValueError("'normalization' mean and scale must be lists of numbers") from None
        if mean.shape != (d,) or scale.shape != (d,):
            raise ValueError(f"'normalization' mean and scale need {d} entries each")
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(scale)) and np.all(scale != 0)):
            raise ValueError("'normalization' must be finite with non-zero scales")
    if input_dim is not None and d != input_dim:
        plural = "s" if d > 1 else ""
        raise ValueError(f"the network takes {d} input{plural}, the current data have {input_dim}")
    if not (np.all(mean == 0) and np.all(scale == 1)):
        W1 = net.W1 / scale[:, None]
        net = ReLUNetwork(W1, net.b1 - (mean / scale) @ net.W1, net.w2, net.intercept, net.pattern_index)
    return net


__all__ = [
    "CriticalWidth",
    "NetworkPath",
    "Transformed",
    "critical_width",
    "dual_bar_values",
    "dual_vector",
    "identity_normalization",
    "invariance",
    "load_network",
    "network_path",
    "normalize_alphas",
    "summarise_path",
    "transform_network",
]
