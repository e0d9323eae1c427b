"""Stationary points of nonconvex training and the convex programs that explain them.

docs/optima-and-stationary-points.md (Wang, Lacotte & Pilanci, ICLR 2022): a Clarke stationary
network theta, with I = the set of patterns its neurons realise, is a global optimum of the convex
program restricted to I, so L(theta) = p_I once training has converged, and always L(theta) >= p_I >= p*.

- :func:`pattern_set`: I, with **strict** activity 1[x~^T v > 0] (docs/optima-and-stationary-points.md,
  step 2),
  dead neurons dropped, duplicates merged.
- :func:`subsampled_optimum`: p_I, solving ``fit_convex(X, y, beta, patterns=I)``.
- :func:`network_certificate`: the global-optimality test of docs/optima-and-stationary-points.md, step 6.

For the landscape pictures (objective along a segment and on a plane between a stationary point
and the global optimum):

- :func:`match_networks`: put two networks in corresponding neuron order. The target (usually the
  global optimum) is only permuted, split into parallel copies and padded with zero neurons, so
  its function and objective do not change (docs/optima-and-stationary-points.md, steps 2-4); the
  source is padded.
- :func:`segment_objective`, :func:`plane_basis`, :func:`plane_objective`,
  :func:`project_on_plane`: the objective on a line and on a plane of parameter space, and the
  coordinates of other networks (a training trajectory) in that plane.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..data.validate import as_matrix, as_number, as_vector
from ..models.network import ReLUNetwork
from ..patterns.arrangements import Arrangement, lift
from ..patterns.cones import max_dual_value
from ..program import losses
from ..program.convex import ConvexFit, fit_convex, prepare_patterns
from ..program.problem import ConvexProblem

DEAD_TOL = 1e-8
"""A neuron is dead when its cost ||(w1, b1)|| |w2| is below DEAD_TOL x the largest cost."""


# --------------------------------------------------------------------------------------------
# The pattern set I of a network and the restricted program
# --------------------------------------------------------------------------------------------


def _lifted(X: np.ndarray) -> np.ndarray:
    return as_matrix(X, "X")


def infer_bias(network: ReLUNetwork) -> bool:
    """True unless every hidden bias is exactly zero (a network trained with ``bias=False``)."""
    return bool(np.any(network.b1 != 0))


def alive_neurons(network: ReLUNetwork, tol: float = DEAD_TOL) -> np.ndarray:
    """Indices of neurons whose cost ||(w1, b1)|| |w2| exceeds ``tol`` x the largest cost."""
    cost = network.neuron_norms()
    top = float(cost.max(initial=0.0))
    if top <= 0:
        return np.zeros(0, dtype=int)
    return np.flatnonzero(cost > tol * top)


def neuron_patterns(network: ReLUNetwork, X: np.ndarray) -> np.ndarray:
    """Strict activation pattern 1[x^T w1 + b1 > 0] of every neuron, (m, n) bool."""
    return network.patterns(_lifted(X), strict=True)


def pattern_set(network: ReLUNetwork, X: np.ndarray, tol: float = DEAD_TOL) -> tuple[np.ndarray, np.ndarray]:
    """The pattern set I (docs/optima-and-stationary-points.md, step 2) and which pattern each
    neuron realises.

    Returns ``(I, index)``: ``I`` is a (p, n) bool array of distinct, non-empty strict patterns of
    the live neurons; ``index[j]`` is the row of I of neuron j, or -1 for a dead neuron or one
    that is active on no point (it contributes nothing to f(X)).
    """
    P = neuron_patterns(network, X)
    index = np.full(network.width, -1)
    alive = alive_neurons(network, tol)
    alive = alive[P[alive].any(axis=1)]
    if alive.size == 0:
        return np.zeros((0, P.shape[1]), dtype=bool), index
    I, inverse = np.unique(P[alive], axis=0, return_inverse=True)
    index[alive] = inverse.reshape(-1)
    return I, index


@dataclass
class Subsampled:
    """The convex program restricted to the patterns of a network (docs/optima-and-stationary-points.md).

    ``p_I`` is its optimal value, ``patterns`` the set I ((p, n) bool), ``neuron_pattern[j]`` the
    row of I of neuron j (-1 if dead), ``objective`` the network's own L(theta) and ``fit`` the
    :class:`~convexnn.ConvexFit` of the restricted program (None when I is empty: then p_I is
    the loss of the zero network).
    """

    p_I: float
    patterns: np.ndarray
    neuron_pattern: np.ndarray
    objective: float
    fit: ConvexFit | None
    bias: bool

    @property
    def n_patterns(self) -> int:
        return int(self.patterns.shape[0])

    @property
    def gap(self) -> float:
        """(L - p_I) / p_I: zero (to solver accuracy) at a stationary point."""
        return (self.objective - self.p_I) / max(abs(self.p_I), 1e-300)

    @property
    def certified(self) -> bool:
        return self.fit is None or bool(self.fit.certificate is not None and self.fit.certificate.optimal)


def subsampled_optimum(network: ReLUNetwork, X: np.ndarray, y: np.ndarray, beta: float,
                       loss: str = "squared", bias: bool | None = None, tol: float = 1e-8,
                       dead_tol: float = DEAD_TOL, **fit_kwargs) -> Subsampled:
    """p_I: the optimum of the convex program over the patterns I that ``network`` realises.

    ``bias`` (default: inferred, False when every b1 is 0) must match how the network was
    trained. The network must have no output intercept (the convex program has none). Extra
    keyword arguments go to :func:`~convexnn.fit_convex` (the fast solver by default).
    """
    if network.intercept != 0.0:
        raise ValueError("the network has an output intercept, which the convex program does not "
                         "have; train it with intercept=False")
    X = _lifted(X)
    y = as_vector(y, X.shape[0], "y")
    if X.shape[1] != network.input_dim:
        raise ValueError(f"the network takes {network.input_dim} inputs, the data have {X.shape[1]}")
    beta = as_number(beta, "beta", positive=True)
    if bias is None:
        bias = infer_bias(network)
    elif not bias and np.any(network.b1 != 0):
        raise ValueError("bias=False but the network has nonzero hidden biases")
    I, index = pattern_set(network, X, dead_tol)
    L = network.objective(X, y, beta, loss)
    if I.shape[0] == 0:
        zero = losses.value(loss, np.zeros_like(y), y)
        return Subsampled(zero, I, index, L, None, bias)
    fit = fit_convex(X, y, beta, loss=loss, patterns=I, bias=bias, tol=tol, **fit_kwargs)
    return Subsampled(float(fit.objective), I, index, L, fit, bias)


def network_certificate(network: ReLUNetwork, X: np.ndarray, y: np.ndarray, beta: float,
                        loss: str = "squared", bias: bool | None = None,
                        cones: Arrangement | str | np.ndarray = "exact") -> float:
    """max_i max_+- ||Pi_{K_i}(+-X~^T D_i lam)|| / beta with lam = -grad l(f(X))
    (docs/optima-and-stationary-points.md, step 6).

    At most 1 (to rounding) if and only if the network is globally optimal, provided it is a
    stationary point. ``cones``: the full pattern set (an :class:`Arrangement`, "exact",
    "gaussian" or a pattern array).
    """
    X = _lifted(X)
    y = np.asarray(y, dtype=float).reshape(-1)
    if bias is None:
        bias = infer_bias(network)
    if not isinstance(cones, Arrangement):
        cones = prepare_patterns(X, cones, bias)
    problem = ConvexProblem.build(X, y, beta, loss, bias=bias, cones=cones)
    lam = -losses.gradient(loss, network.predict(X), problem.y)
    return max_dual_value(cones, problem.Z, lam, False) / problem.beta


# --------------------------------------------------------------------------------------------
# Training to a stationary point: polish, convergence test, restarts
# --------------------------------------------------------------------------------------------


def polish_lr(network: ReLUNetwork, X: np.ndarray, beta: float, bias: bool = True) -> float:
    """A safe GD step for the squared-loss objective near ``network``.

    1 / (||H||^2 + ||X~||^2 max w2^2 + beta), H the hidden features: the inverse of a bound on
    the curvature of L along w2 and along W1.
    """
    X = _lifted(X)
    Xt = lift(X, bias)
    sH = float(np.linalg.norm(network.hidden(X), 2)) ** 2
    sX = float(np.linalg.norm(Xt, 2)) ** 2 * float(np.max(network.w2**2, initial=0.0))
    return 1.0 / (sH + sX + beta)


def polish(network: ReLUNetwork, X: np.ndarray, y: np.ndarray, beta: float, loss: str = "squared",
           epochs: int = 10000, lr: float | None = None, bias: bool | None = None,
           schedule: str = "linear", **kwargs):
    """Full-batch GD on the explicit objective L from ``network``
    (docs/optima-and-stationary-points.md, step 1).

    For networks from AdamW or from short runs: about 10^4 steps bring them close to the
    stationary point whose objective is p_I. The step is :func:`polish_lr` unless given, and
    decays linearly to 0 (which lets neurons settle onto kinks). Returns ``(network,
    trajectory)`` of :func:`convexnn.training.train.fit_nonconvex`.
    """
    from ..training.train import fit_nonconvex

    if network.intercept != 0.0:
        raise ValueError("the network has an output intercept: the objective L has none")
    if bias is None:
        bias = infer_bias(network)
    if lr is None:
        lr = polish_lr(network, X, beta, bias)
        if loss != "squared":
            lr = min(lr, 1e-2)
    kwargs.setdefault("snapshots", 0)
    return fit_nonconvex(X, y, network.width, beta, "gd", lr=lr, epochs=epochs, loss=loss,
                         bias=bias, init=network, schedule=schedule, **kwargs)


def settle(network: ReLUNetwork, X: np.ndarray, y: np.ndarray, beta: float, loss: str = "squared",
           epochs: int = 5000, rounds: int = 4, rtol: float = 1e-6, bias: bool | None = None):
    """Polish in rounds of ``epochs`` GD steps (each with its own linear decay) until one more
    round changes L by less than ``rtol`` (relative): the network has then converged, as far as
    GD can tell. Returns ``(network, converged, objectives)`` (L after each round, the start
    first).

    Why rounds: GD on the nonsmooth L oscillates across kinks with a constant step, so a stalled
    objective under a constant step means little, and a decaying step stalls anywhere; a fresh
    round that cannot lower L any more does mean something.
    """
    values = [float(network.objective(X, y, beta, loss))]
    for _ in range(int(rounds)):
        network, _ = polish(network, X, y, beta, loss, epochs=epochs, bias=bias)
        values.append(float(network.objective(X, y, beta, loss)))
        if abs(values[-2] - values[-1]) <= rtol * abs(values[-1]):
            return network, True, values
    return network, False, values


@dataclass
class Run:
    """One restart: the trained network, its trajectory, L, p_I and its optimality certificate.

    ``certificate`` = max dual value / beta over the full pattern set (<= 1 iff globally optimal
    at a stationary point); NaN when not computed.
    """

    seed: int
    network: ReLUNetwork
    trajectory: object
    objective: float
    sub: Subsampled
    certificate: float = float("nan")

    @property
    def p_I(self) -> float:
        return self.sub.p_I

    def globally_optimal(self, p_star: float, rtol: float = 1e-3) -> bool:
        return self.objective <= p_star * (1 + rtol) + 1e-12


def restarts(X: np.ndarray, y: np.ndarray, width: int, beta: float, n_runs: int = 10,
             optimizer: str = "adam", lr: float | None = 1e-2, epochs: int = 2000,
             polish_epochs: int = 3000, loss: str = "squared", bias: bool = True, seed: int = 0,
             cones: Arrangement | str | None = "exact", init: ReLUNetwork | None = None,
             progress=None, **train_kwargs) -> list[Run]:
    """``n_runs`` trainings from seeds seed, seed + 1, ... on the explicit objective L.

    Each run: ``optimizer`` for ``epochs``, then ``polish_epochs`` of GD (:func:`polish`), then
    p_I (:func:`subsampled_optimum`) and, when ``cones`` is given, the certificate over the full
    pattern set. ``init`` replaces the random start of the first run (e.g. V4.1's starts).
    ``progress(fraction, text)`` is called after every run.
    """
    from ..training.train import fit_nonconvex

    X = _lifted(X)
    y = np.asarray(y, dtype=float).reshape(-1)
    if isinstance(cones, str):
        cones = prepare_patterns(X, cones, bias)
    runs = []
    for k in range(int(n_runs)):
        s = seed + k
        start = init if (k == 0 and init is not None) else None
        net, traj = fit_nonconvex(X, y, width, beta, optimizer, lr=lr, epochs=epochs, loss=loss,
                                  seed=s, bias=bias, init=start, **train_kwargs)
        if polish_epochs > 0 and not traj.diverged:
            net, _ = polish(net, X, y, beta, loss, epochs=polish_epochs, bias=bias)
        sub = subsampled_optimum(net, X, y, beta, loss, bias=bias)
        cert = float("nan")
        if cones is not None:
            cert = network_certificate(net, X, y, beta, loss, bias, cones)
        runs.append(Run(s, net, traj, float(net.objective(X, y, beta, loss)), sub, cert))
        if progress is not None:
            progress((k + 1) / n_runs, f"run {k + 1} of {n_runs}: L = {runs[-1].objective:.4g}, "
                                       f"p_I = {sub.p_I:.4g}")
    return runs


# --------------------------------------------------------------------------------------------
# Matching neurons: the same network in the neuron order of another
# --------------------------------------------------------------------------------------------


def _neuron_vectors(net: ReLUNetwork) -> np.ndarray:
    """(m, d + 2) rows (w1, b1, w2) of the balanced network."""
    b = net.balanced()
    return np.column_stack([b.W1.T, b.b1, b.w2])


@dataclass
class Matching:
    """Two networks of equal width with corresponding neurons (see :func:`match_networks`).

    ``source`` is the source padded with zero neurons at the end (same order otherwise);
    ``target`` has the target's function and objective; ``assignment[j]`` is the target neuron
    that slot j holds a share of (-1 = none), ``shares[j]`` that share (the split weight alpha).
    """

    source: ReLUNetwork
    target: ReLUNetwork
    assignment: np.ndarray
    shares: np.ndarray

    @property
    def width(self) -> int:
        return self.source.width


def match_networks(source: ReLUNetwork, target: ReLUNetwork, X: np.ndarray | None = None) -> Matching:
    """Rewrite ``target`` (permute, split, pad) so that its neurons line up with ``source``'s.

    Both networks are first balanced (||(w1, b1)|| = |w2|, which changes neither f nor, at a
    stationary point, the objective). A minimum-cost assignment pairs each source neuron with one
    target neuron or with nothing, and each target neuron with one source neuron or with a new
    zero neuron appended to the source (cost: squared distance of (w1, b1, w2)). With data ``X``,
    every unpaired live source neuron with the same strict pattern and output sign as a target
    neuron then takes a share of it: the target neuron is split among its group in proportion to
    their costs ||(w1, b1)|| |w2| (docs/optima-and-stationary-points.md, step 2), which keeps f and
    the objective.
    """
    if source.input_dim != target.input_dim:
        raise ValueError("the networks take different numbers of inputs")
    src, tgt = source.balanced(), target.balanced()
    S, T = _neuron_vectors(src), _neuron_vectors(tgt)
    m, k = len(S), len(T)
    big = 1e30
    C = np.full((m + k, k + m), big)
    C[:m, :k] = np.sum((S[:, None, :] - T[None, :, :]) ** 2, axis=2)
    C[np.arange(m), k + np.arange(m)] = np.sum(S**2, axis=1)  # source neuron -> nothing
    C[m + np.arange(k), np.arange(k)] = np.sum(T**2, axis=1)  # target neuron -> a new slot
    C[m:, k:] = 0.0
    rows, cols = linear_sum_assignment(C)
    pair = dict(zip(rows.tolist(), cols.tolist(), strict=True))
    assignment = np.full(m, -1)
    for i in range(m):
        if pair[i] < k:
            assignment[i] = pair[i]
    new_slots = [j for j in range(k) if pair[m + j] == j]
    assignment = np.concatenate([assignment, np.array(new_slots, dtype=int)])
    width = m + len(new_slots)
    cost_src = np.concatenate([src.neuron_norms(), np.zeros(len(new_slots))])
    if X is not None and m and k:
        Ps, Pt = neuron_patterns(src, X), neuron_patterns(tgt, X)
        alive = set(alive_neurons(src).tolist())
        for i in range(m):
            if assignment[i] != -1 or i not in alive:
                continue
            same = np.flatnonzero(np.all(Pt == Ps[i], axis=1) & (np.sign(tgt.w2) == np.sign(src.w2[i])))
            if same.size:
                assignment[i] = same[np.argmin(C[i, same])]
    shares = np.zeros(width)
    for j in range(k):
        group = np.flatnonzero(assignment == j)
        if group.size == 0:
            continue
        c = cost_src[group]
        shares[group] = c / c.sum() if c.sum() > 0 else 1.0 / group.size
    d = target.input_dim
    W1, b1, w2 = np.zeros((d, width)), np.zeros(width), np.zeros(width)
    has = assignment >= 0
    s = np.sqrt(shares[has])
    W1[:, has] = tgt.W1[:, assignment[has]] * s
    b1[has] = tgt.b1[assignment[has]] * s
    w2[has] = tgt.w2[assignment[has]] * s
    matched_target = ReLUNetwork(W1, b1, w2, tgt.intercept)
    padded = source.pad(width - m)
    return Matching(padded, matched_target, assignment, shares)


# --------------------------------------------------------------------------------------------
# The objective on lines and planes of parameter space
# --------------------------------------------------------------------------------------------


def flatten(net: ReLUNetwork) -> np.ndarray:
    """theta = (W1 row-major, b1, w2); the intercept is not part of the landscape."""
    return np.concatenate([net.W1.ravel(), net.b1, net.w2])


def unflatten(theta: np.ndarray, d: int, m: int, intercept: float = 0.0) -> ReLUNetwork:
    theta = np.asarray(theta, dtype=float)
    return ReLUNetwork(theta[: d * m].reshape(d, m), theta[d * m: d * m + m], theta[d * m + m:], intercept)


def batch_objective(thetas: np.ndarray, d: int, m: int, X: np.ndarray, y: np.ndarray, beta: float,
                    loss: str = "squared", intercept: float = 0.0) -> np.ndarray:
    """L at many flat parameter vectors (rows of ``thetas``), vectorised in chunks."""
    X = _lifted(X)
    y = np.asarray(y, dtype=float).reshape(-1)
    thetas = np.atleast_2d(np.asarray(thetas, dtype=float))
    out = np.empty(len(thetas))
    chunk = max(1, int(2e6 // max(X.shape[0] * m, 1)))
    for s in range(0, len(thetas), chunk):
        T = thetas[s: s + chunk]
        W1 = T[:, : d * m].reshape(-1, d, m)
        b1, w2 = T[:, d * m: d * m + m], T[:, d * m + m:]
        H = np.maximum(np.einsum("nd,kdm->knm", X, W1) + b1[:, None, :], 0.0)
        F = np.einsum("knm,km->kn", H, w2) + intercept
        pen = 0.5 * beta * np.sum(T * T, axis=1)
        if loss == "squared":
            out[s: s + chunk] = 0.5 * np.sum((F - y) ** 2, axis=1) + pen
        else:
            out[s: s + chunk] = [losses.value(loss, f, y) for f in F] + pen
    return out


def segment_objective(a: ReLUNetwork, b: ReLUNetwork, X, y, beta: float, loss: str = "squared",
                      ts: np.ndarray | int = 101) -> tuple[np.ndarray, np.ndarray]:
    """(ts, L((1 - t) a + t b)) along the straight segment from ``a`` (t = 0) to ``b`` (t = 1)."""
    if a.W1.shape != b.W1.shape:
        raise ValueError("the networks must have the same width: match them first (match_networks)")
    ts = np.linspace(0.0, 1.0, ts) if np.isscalar(ts) else np.asarray(ts, dtype=float)
    ta, tb = flatten(a), flatten(b)
    thetas = (1 - ts)[:, None] * ta + ts[:, None] * tb
    return ts, batch_objective(thetas, a.input_dim, a.width, X, y, beta, loss, a.intercept)


@dataclass
class Plane:
    """The plane origin + s e1 + t e2 of parameter space (e1, e2 orthogonal, equal length).

    Built by :func:`plane_basis` so that the origin is at (0, 0), the second point at (1, 0) and
    the third at ``third`` = (s, t) with t >= 0.
    """

    origin: np.ndarray
    e1: np.ndarray
    e2: np.ndarray
    d: int
    m: int
    third: tuple[float, float]

    def point(self, s: float, t: float) -> np.ndarray:
        return self.origin + s * self.e1 + t * self.e2

    def network(self, s: float, t: float) -> ReLUNetwork:
        return unflatten(self.point(s, t), self.d, self.m)


def plane_basis(a: ReLUNetwork, b: ReLUNetwork, c: ReLUNetwork | None = None, seed: int = 0) -> Plane:
    """The plane through ``a`` (0, 0), ``b`` (1, 0) and ``c``; a random direction when c is None.

    e1 = b - a; e2 is the part of c - a orthogonal to e1, scaled to the length of e1 (a random
    direction of that length when c is None or lies on the line). A narrower c is padded with
    zero neurons.
    """
    if c is not None and c.width < a.width and c.input_dim == a.input_dim:
        c = c.pad(a.width - c.width)  # e.g. the start of the source's training, padded like it
    if a.W1.shape != b.W1.shape or (c is not None and c.W1.shape != a.W1.shape):
        raise ValueError("the networks must have the same width: match them first (match_networks)")
    ta, tb = flatten(a), flatten(b)
    e1 = tb - ta
    n1 = float(np.linalg.norm(e1))
    if n1 == 0:
        raise ValueError("the two networks are the same point")
    u1 = e1 / n1
    v = flatten(c) - ta if c is not None else None
    if v is None or np.linalg.norm(v - (v @ u1) * u1) <= 1e-9 * max(np.linalg.norm(v), n1):
        v = np.random.default_rng(seed).normal(size=ta.size)
    r = v - (v @ u1) * u1
    e2 = r / np.linalg.norm(r) * n1
    if c is not None:
        s, t = project_on_plane([c], Plane(ta, e1, e2, a.input_dim, a.width, (0, 0)))[0][0]
    else:
        s, t = 0.0, 1.0
    return Plane(ta, e1, e2, a.input_dim, a.width, (float(s), float(t)))


def plane_objective(plane: Plane, X, y, beta: float, loss: str = "squared",
                    s_range=(-0.5, 1.5), t_range=(-0.5, 1.5), resolution: int = 41):
    """(s, t, L) with L[i, j] = L(origin + s[j] e1 + t[i] e2) on a grid."""
    s = np.linspace(*s_range, resolution)
    t = np.linspace(*t_range, resolution)
    S, T = np.meshgrid(s, t)
    thetas = plane.origin + S.reshape(-1, 1) * plane.e1 + T.reshape(-1, 1) * plane.e2
    L = batch_objective(thetas, plane.d, plane.m, X, y, beta, loss).reshape(S.shape)
    return s, t, L


def project_on_plane(networks, plane: Plane) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates (s, t) of networks in the plane, and their distances to it (relative to |e1|).

    Networks narrower than the plane are padded with zero neurons (as :func:`match_networks` pads
    the source), so a training trajectory of the source projects directly.
    """
    n1 = float(plane.e1 @ plane.e1)
    coords, dist = [], []
    for net in networks:
        if net.width < plane.m:
            net = net.pad(plane.m - net.width)
        v = flatten(net) - plane.origin
        s, t = float(v @ plane.e1) / n1, float(v @ plane.e2) / n1
        r = v - s * plane.e1 - t * plane.e2
        coords.append((s, t))
        dist.append(float(np.linalg.norm(r)) / np.sqrt(n1))
    return np.array(coords).reshape(-1, 2), np.array(dist)


__all__ = [
    "DEAD_TOL",
    "Matching",
    "Plane",
    "Run",
    "Subsampled",
    "alive_neurons",
    "batch_objective",
    "flatten",
    "infer_bias",
    "match_networks",
    "network_certificate",
    "neuron_patterns",
    "pattern_set",
    "plane_basis",
    "plane_objective",
    "polish",
    "polish_lr",
    "project_on_plane",
    "restarts",
    "segment_objective",
    "settle",
    "subsampled_optimum",
    "unflatten",
]
