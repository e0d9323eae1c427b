"""Convex heads vs AdamW on real features: test accuracy against wall time (docs/experiments.md).

For every seed, width k and training-set size the experiment trains, on the same rows:

- ``convex_gated``: the gated program (the group Lasso of docs/convex-program.md) on the patterns of
  k sampled gate vectors (Gaussian, or geometric-algebra with an optional sketch, section 3),
  solved by the restarted FISTA of :mod:`convexnn.program.first_order` along a descending grid of
  beta = fraction * beta_max, warm-started (the program's path loop,
  :func:`convexnn.program.path.solve_path`). The clock starts before the gates are sampled.
- ``convex_exact``: the cone-constrained program on the same patterns and beta grid
  (:func:`convexnn.fit_convex`, the certified working-set solver). It is much slower in high
  dimension (every cone keeps its n constraints); opt in.
- ``adamw``: the two-layer ReLU network of the same width k (the number of sampled gates, as in
  the reference experiment, not the convex solution's neuron count) trained with AdamW on the
  mean squared error with mini-batches, one run per learning rate of a small grid.

Multi-class data get one head (one program, one network) per class, predicted by argmax.

Hyper-parameters are chosen honestly: a seeded stratified part of the training rows
(``val_fraction``) is held out for validation, every checkpoint of every run (each FISTA
check, each exact solve, each AdamW epoch) is a candidate, and at cumulative time t a method is
represented by the candidate with the best validation accuracy among those reached by t. So the
time axis includes the whole hyper-parameter search, pattern sampling included. Evaluating
candidates on the validation and test rows is not timed (for either method).

Results are rows (dicts), one per checkpoint; :func:`rows_csv` writes them. Accuracies are
deterministic for a fixed seed; times are measured.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from ..data.realdata import Split, one_vs_rest
from ..patterns.arrangements import Arrangement, gaussian_directions, lift
from ..program.first_order import fista_gated, lipschitz_estimate
from ..program.losses import accuracy
from ..program.path import gated_beta_max, problem_beta_max, solve_path
from ..program.problem import ConvexProblem, Program, prepare_patterns
from ..program.solvers import SolverResult, WarmStart, as_status
from ..training.train import fit_nonconvex

METHODS = ("convex_gated", "convex_exact", "adamw")
SAMPLING = ("gaussian", "geometric")
COLUMNS = ("method", "seed", "k", "n_train", "checkpoint", "time", "hyper", "val_acc", "test_acc",
           "train_acc", "neurons", "candidate_test_acc", "final")


KEEP_CHECKS = frozenset(int(round(1.25**j)) for j in range(200))
"""Which FISTA checks become candidates (a geometric sequence of check numbers)."""


class Stopped(Exception):
    """Raised inside a run when ``should_stop()`` says so."""


@dataclass(frozen=True)
class CompareSpec:
    """Settings of :func:`run_comparison` (defaults: docs/experiments.md, scaled down)."""

    methods: tuple[str, ...] = ("convex_gated", "adamw")
    ks: tuple[int, ...] = (50,)
    seeds: tuple[int, ...] = (0, 1, 2)
    train_sizes: tuple[int, ...] = ()
    sampling: str = "gaussian"
    sketch_dim: int | None = None
    beta_fractions: tuple[float, ...] = (1e-1, 3e-2, 1e-2)
    tol: float = 1e-4
    max_iter: int = 3000
    check_every: int = 10
    convex_time_limit: float = 60.0
    lrs: tuple[float, ...] = (1e-2, 1e-3, 1e-4)
    epochs: int = 20
    batch_size: int = 20
    weight_decay: float = 1e-3
    val_fraction: float = 0.2
    single: bool | None = None

    def __post_init__(self) -> None:
        bad = [m for m in self.methods if m not in METHODS]
        if bad or not self.methods:
            raise ValueError(f"methods must be among {METHODS}, got {list(self.methods)}")
        if self.sampling not in SAMPLING:
            raise ValueError(f"sampling must be one of {SAMPLING}, not {self.sampling!r}")
        if not self.ks or any(int(k) < 1 or int(k) > 2000 for k in self.ks):
            raise ValueError("each k (sampled patterns / width) must lie in 1..2000")
        if not self.seeds:
            raise ValueError("at least one seed is needed")
        if not self.beta_fractions or any(not 0 < b < 1 for b in self.beta_fractions):
            raise ValueError("beta fractions (of beta_max) must lie in (0, 1)")
        if not self.lrs or any(not 0 < lr < 10 for lr in self.lrs):
            raise ValueError("learning rates must be positive (and below 10)")
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("epochs and batch size must be at least 1")
        if not 0.05 <= self.val_fraction <= 0.5:
            raise ValueError("the validation fraction must lie in [0.05, 0.5]")
        if self.sketch_dim is not None and self.sketch_dim < 2:
            raise ValueError("the sketch dimension must be at least 2")
        if any(int(n) < 8 for n in self.train_sizes):
            raise ValueError("training sizes must be at least 8")

    def as_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------------------------
# Pieces
# --------------------------------------------------------------------------------------------


def sample_gates(X: np.ndarray, k: int, sampling: str = "gaussian", seed: int = 0,
                 sketch_dim: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Gate vectors G (d+1, m) and their patterns M = 1[X~ G >= 0] (n, m), duplicates and the
    all-zero pattern removed (m <= k). Gaussian: g ~ N(0, I); geometric: hyperplanes through
    random data points (:func:`convexnn.patterns.geometric_algebra.ga_directions`, optional sketch)."""
    Xt = lift(X)
    if sampling == "gaussian":
        G = gaussian_directions(Xt.shape[1], int(k), seed)
    elif sampling == "geometric":
        from ..patterns.geometric_algebra import ga_directions

        G = ga_directions(X, int(k), seed, sketch_dim, bias=True)
    else:
        raise ValueError(f"sampling must be one of {SAMPLING}, not {sampling!r}")
    M = Xt @ G >= 0
    _, first = np.unique(np.packbits(M, axis=0), axis=1, return_index=True)
    first = np.sort(first)
    first = first[M[:, first].any(axis=0)]
    return G[:, first], M[:, first]


@dataclass
class _Candidate:
    time: float
    hyper: str
    scores_val: np.ndarray
    scores_test: np.ndarray
    scores_train: np.ndarray
    neurons: int


@dataclass
class _Problem:
    X_fit: np.ndarray
    T_fit: np.ndarray  # (n, H) +-1 targets, one column per head
    lab_fit: np.ndarray
    X_val: np.ndarray
    lab_val: np.ndarray
    X_test: np.ndarray
    lab_test: np.ndarray
    classes: np.ndarray
    n_train: int = 0
    extra: dict = field(default_factory=dict)


def _problem(split: Split, n_train: int | None, seed: int, val_fraction: float) -> _Problem:
    from ..data.realdata import ensure_classes, stratified_order

    sub = split if n_train is None else split.subsample(int(n_train), seed)
    order = stratified_order(sub.labels_train, seed + 7919)
    n_val = max(int(round(val_fraction * sub.n_train)), len(split.classes))
    val, fit = order[:n_val], order[n_val:]
    fit = ensure_classes(fit, sub.labels_train, seed)
    T = one_vs_rest(sub.labels_train[fit], split.classes)
    return _Problem(sub.X_train[fit], T, sub.labels_train[fit], sub.X_train[val], sub.labels_train[val],
                    sub.X_test, sub.labels_test, split.classes, sub.n_train)


def _rows(cands: list[_Candidate], prob: _Problem, method: str, seed: int, k: int) -> list[dict]:
    """Checkpoint rows: at each candidate's time, the best-by-validation candidate so far."""
    rows: list[dict] = []
    best, best_val = None, -1.0
    for j, c in enumerate(sorted(cands, key=lambda c: c.time)):
        val = accuracy(c.scores_val, prob.lab_val, prob.classes)
        test = accuracy(c.scores_test, prob.lab_test, prob.classes)
        if val >= best_val:
            best, best_val = (c, val, test), val
        bc, bval, btest = best
        rows.append(dict(
            method=method, seed=seed, k=k, n_train=prob.n_train, checkpoint=j, time=c.time, hyper=bc.hyper,
            val_acc=bval, test_acc=btest,
            train_acc=accuracy(bc.scores_train, prob.lab_fit, prob.classes),
            neurons=bc.neurons, candidate_test_acc=test, final=False))
    if rows:
        rows[-1]["final"] = True
    return rows


def _combine_heads(per_head: list[list[tuple[float, object]]]) -> list[tuple[float, list]]:
    """Heads trained one after another, read in lock step: checkpoint j of the classifier uses
    checkpoint min(j, last) of every head, at the summed time of those checkpoints."""
    length = max(len(h) for h in per_head)
    out = []
    for j in range(length):
        picks = [h[min(j, len(h) - 1)] for h in per_head]
        out.append((float(sum(p[0] for p in picks)), [p[1] for p in picks]))
    return out


def _gated_scores(G: np.ndarray, W: np.ndarray, X: np.ndarray) -> np.ndarray:
    Xt = lift(X)
    return np.einsum("nk,nk->n", (Xt @ G >= 0), Xt @ W)


def _check(should_stop) -> None:
    if should_stop is not None and should_stop():
        raise Stopped()


def _gate_patterns(M: np.ndarray, d_lifted: int) -> Arrangement:
    """The sampled patterns M (n, m) as the gated program's pattern set: no cones (the gated
    program has none) and the basis Q = I, so the solver works in X~'s own coordinates."""
    P = M.shape[1]
    return Arrangement(M.T.copy(), np.eye(d_lifted), np.zeros(P + 1, int), np.zeros((0, d_lifted)),
                       np.ones(P, bool))


@dataclass
class _RecordingFista:
    """Restarted FISTA for the gated program (a :class:`~convexnn.program.solvers.Solver`) that
    keeps the iterates of its checks: check numbers in :data:`KEEP_CHECKS` and the last one
    become candidates, ``snapshots[j]`` those of the j-th solve as (seconds, W). ``extra_time``
    (the beta_max computation) is added to the first solve's clock."""

    spec: CompareSpec
    lipschitz: float
    single: bool
    should_stop: Callable[[], bool] | None = None
    extra_time: float = 0.0
    snapshots: list[list[tuple[float, np.ndarray]]] = field(default_factory=list)
    name: str = "fista"

    def solve(self, problem: ConvexProblem, warm_start: WarmStart | None = None) -> SolverResult:
        W0 = warm_start.weights if warm_start is not None and warm_start.matches(problem) else None
        offset, self.extra_time = self.extra_time, 0.0
        snaps: list[tuple[float, np.ndarray]] = []
        calls = [0]

        def record(W, seconds):
            # keep checks 1, 2, 3, 4, 5, 6, 8, 10, ... (about 1.25x apart): enough for the curve
            calls[0] += 1
            if calls[0] in KEEP_CHECKS:
                snaps.append((offset + seconds, W.copy()))
            return bool(self.should_stop is not None and self.should_stop())

        spec = self.spec
        t0 = time.perf_counter()
        res = fista_gated(problem.Z, problem.y, problem.patterns.T.astype(float), problem.beta, problem.loss,
                          W0=W0, tol=spec.tol, max_iter=spec.max_iter, time_limit=spec.convex_time_limit,
                          check_every=spec.check_every, callback=record, lipschitz=self.lipschitz,
                          single=self.single)
        seconds = time.perf_counter() - t0
        if res.status == "stopped":
            raise Stopped()
        snaps.append((offset + seconds, res.W))
        self.snapshots.append(snaps)
        u = res.W.T @ problem.basis.T
        state = WarmStart(problem.patterns.shape, np.zeros((0, 2), int), weights=res.W)
        return SolverResult(u, np.zeros_like(u), res.lam, as_status(res.status), res.message, seconds,
                            res.iterations, res.max_dual_value, state)


def run_convex_gated(prob: _Problem, spec: CompareSpec, seed: int, k: int, should_stop=None):
    """Candidates of the gated program along the beta grid (clock includes sampling): for each
    head, the program's warm-started path (:func:`convexnn.program.path.solve_path`) over
    beta = fraction * beta_max, solved by FISTA whose checks are the candidates."""
    t0 = time.perf_counter()
    G, M = sample_gates(prob.X_fit, k, spec.sampling, seed, spec.sketch_dim)
    Xt = lift(prob.X_fit)
    cones = _gate_patterns(M, Xt.shape[1])
    L = lipschitz_estimate(Xt, M.astype(float))
    single = spec.single if spec.single is not None else Xt.size * M.shape[1] > 2e7
    setup = time.perf_counter() - t0
    fractions = sorted(spec.beta_fractions, reverse=True)
    per_head = []  # per head, per beta: [(seconds, W), ...]
    for h in range(prob.T_fit.shape[1]):
        t1 = time.perf_counter()
        problem = ConvexProblem.build(prob.X_fit, prob.T_fit[:, h], None, program=Program.GATED, cones=cones)
        beta_top = problem_beta_max(problem)
        solver = _RecordingFista(spec, L, single, should_stop, time.perf_counter() - t1)
        solve_path(problem, [f * beta_top for f in fractions], solver=solver, tol=spec.tol)
        per_head.append(solver.snapshots)
    cands: list[_Candidate] = []
    elapsed = setup
    for j, frac in enumerate(fractions):
        heads = [snaps[j] for snaps in per_head]
        for t, Ws in _combine_heads(heads):
            S = [np.column_stack([_gated_scores(G, W, X) for W in Ws])
                 for X in (prob.X_val, prob.X_test, prob.X_fit)]
            neurons = int(sum(np.sum(np.linalg.norm(W, axis=0) > 1e-10 * max(np.abs(W).max(), 1e-300))
                              for W in Ws))
            cands.append(_Candidate(elapsed + t, f"beta={frac:g}*beta_max", *S, neurons))
        elapsed += max(sum(h[-1][0] for h in heads), 0.0)
    return cands


def run_convex_exact(prob: _Problem, spec: CompareSpec, seed: int, k: int, should_stop=None):
    """Candidates of the cone-constrained program (one per beta): for each head, the warm-started
    path (:func:`convexnn.program.path.solve_path`) over beta = fraction * the gated beta_max of
    the sampled patterns, solved by the working-set solver (clock includes sampling)."""
    t0 = time.perf_counter()
    G, M = sample_gates(prob.X_fit, k, spec.sampling, seed, spec.sketch_dim)
    Xt = lift(prob.X_fit)
    cones = prepare_patterns(prob.X_fit, M.T)
    setup = time.perf_counter() - t0
    fractions = sorted(spec.beta_fractions, reverse=True)
    per_head = []  # per head, per beta: a PathStep
    for h in range(prob.T_fit.shape[1]):
        y = prob.T_fit[:, h]
        problem = ConvexProblem.build(prob.X_fit, y, None, program=Program.EXACT, cones=cones)
        beta_top = gated_beta_max(Xt, M.astype(float), y)
        _check(should_stop)
        per_head.append(solve_path(problem, [f * beta_top for f in fractions], tol=spec.tol,
                                   time_limit=spec.convex_time_limit,
                                   progress=lambda *_: _check(should_stop)))
    cands: list[_Candidate] = []
    elapsed = setup
    for j, frac in enumerate(fractions):
        steps = [path[j] for path in per_head]
        elapsed += sum(step.solve_time for step in steps)
        nets = [step.fit.network() for step in steps]
        S = [np.column_stack([net.predict(X) for net in nets]) for X in (prob.X_val, prob.X_test, prob.X_fit)]
        cands.append(_Candidate(elapsed, f"beta={frac:g}*beta_max", *S, int(sum(n.width for n in nets))))
    return cands


def run_adamw(prob: _Problem, spec: CompareSpec, seed: int, k: int, should_stop=None):
    """Candidates of AdamW: every epoch of every learning rate (times of optimizer steps)."""
    cands: list[_Candidate] = []
    elapsed = 0.0
    H = prob.T_fit.shape[1]
    epochs = list(range(spec.epochs + 1))
    for lr in spec.lrs:
        per_head = []
        for h in range(H):
            _check(should_stop)
            net, traj = fit_nonconvex(prob.X_fit, prob.T_fit[:, h], k, 0.0, optimizer="adamw", lr=lr,
                                      epochs=spec.epochs, batch_size=spec.batch_size,
                                      weight_decay=spec.weight_decay, loss="mse", seed=seed, intercept=True,
                                      record_every=epochs, snapshots=epochs)
            times = dict(zip(traj.epochs.tolist(), traj.time.tolist(), strict=True))
            per_head.append([(times.get(e, traj.total_time), s)
                             for e, s in zip(traj.snapshot_epochs, traj.snapshots, strict=True) if e > 0])
        for t, nets in _combine_heads(per_head):
            S = [np.column_stack([n.predict(X) for n in nets]) for X in (prob.X_val, prob.X_test, prob.X_fit)]
            cands.append(_Candidate(elapsed + t, f"lr={lr:g}", *S, int(k * H)))
        elapsed += sum(h[-1][0] for h in per_head)
    return cands


RUNNERS = {"convex_gated": run_convex_gated, "convex_exact": run_convex_exact, "adamw": run_adamw}


# --------------------------------------------------------------------------------------------
# The experiment
# --------------------------------------------------------------------------------------------


def tasks(split: Split, spec: CompareSpec) -> list[tuple[str, int, int, int | None]]:
    """(method, seed, k, n_train or None for all rows) of every run."""
    sizes = sorted({int(n) for n in spec.train_sizes if int(n) < split.n_train}) + [None]
    return [(m, int(s), int(k), n) for n in sizes for s in spec.seeds for k in spec.ks for m in spec.methods]


def run_task(split: Split, spec: CompareSpec, task, should_stop=None) -> list[dict]:
    """The rows of one run (one method, seed, width and training size)."""
    method, seed, k, n_train = task
    prob = _problem(split, n_train, seed, spec.val_fraction)
    cands = RUNNERS[method](prob, spec, seed, k, should_stop)
    return _rows(cands, prob, method, seed, k)


def run_comparison(split: Split, spec: CompareSpec, progress: Callable[[int, int, str], None] | None = None,
                   should_stop: Callable[[], bool] | None = None, n_jobs: int = 1, client=None) -> list[dict]:
    """All runs of ``spec`` on ``split``; rows in task order (see :data:`COLUMNS`).

    ``progress(done, total, label)`` after each run; ``should_stop()`` ends the experiment early
    (the finished runs' rows are returned). ``n_jobs`` (joblib) or a Dask ``client`` run the
    tasks in parallel; then runs share the cores, and their times grow accordingly.
    """
    todo = tasks(split, spec)
    total = len(todo)
    if client is not None or n_jobs != 1:
        if client is not None:
            futures = client.map(lambda t: run_task(split, spec, t), todo, pure=False)
            results = client.gather(futures)
        else:
            from joblib import Parallel, delayed

            results = Parallel(n_jobs=n_jobs)(delayed(run_task)(split, spec, t) for t in todo)
        if progress is not None:
            progress(total, total, "done")
        return [r for rs in results for r in rs]
    rows: list[dict] = []
    for i, task in enumerate(todo):
        if should_stop is not None and should_stop():
            break
        try:
            rows += run_task(split, spec, task, should_stop)
        except Stopped:
            break
        if progress is not None:
            m, s, k, n = task
            progress(i + 1, total, f"{m}, seed {s}, k = {k}, n = {n or split.n_train}")
    return rows


# --------------------------------------------------------------------------------------------
# Reading the rows
# --------------------------------------------------------------------------------------------


def _full_size(rows: list[dict]) -> int:
    return max(r["n_train"] for r in rows)


def final_rows(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["final"]]


def summary(rows: list[dict]) -> list[dict]:
    """Per (method, k, n_train): median and spread over seeds of the final test accuracy, time,
    neurons; and the median over seeds of the time at which the method first reaches AdamW's
    median final test accuracy at that size and width (a seed that never does counts as
    infinitely late; NaN when half the seeds or more never do), with the number that do."""
    out = []
    keys = sorted({(r["method"], r["k"], r["n_train"]) for r in rows}, key=lambda t: (t[2], t[1], t[0]))
    for method, k, n in keys:
        fin = [r for r in final_rows(rows) if (r["method"], r["k"], r["n_train"]) == (method, k, n)]
        if not fin:
            continue
        adam = [r["test_acc"] for r in final_rows(rows) if r["method"] == "adamw" and r["n_train"] == n
                and r["k"] == k]
        target = float(np.median(adam)) if adam else np.nan
        reach = []
        for seed in sorted({r["seed"] for r in fin}):
            pts = [r for r in rows if (r["method"], r["k"], r["n_train"], r["seed"]) == (method, k, n, seed)]
            hit = [r["time"] for r in pts if r["test_acc"] >= target - 1e-12]
            reach.append(min(hit) if hit else np.inf)
        acc = np.array([r["test_acc"] for r in fin])
        out.append(dict(
            method=method, k=k, n_train=n, seeds=len(fin), test_acc_median=float(np.median(acc)),
            test_acc_min=float(acc.min()), test_acc_max=float(acc.max()),
            time_median=float(np.median([r["time"] for r in fin])),
            neurons_median=float(np.median([r["neurons"] for r in fin])),
            adamw_final_median=target,
            # seeds that never reach it count as infinitely late: the median is finite when most do
            time_to_adamw_median=float(np.median(reach)) if np.isfinite(np.median(reach)) else np.nan,
            reached=int(np.sum(np.isfinite(reach))),
            hyper=", ".join(sorted({r["hyper"] for r in fin}))))
    return out


def accuracy_at(rows: list[dict], budget: float) -> list[dict]:
    """Per (method, seed, k, n_train): the test accuracy reached by ``budget`` seconds (the last
    checkpoint at or before it; NaN when the first checkpoint comes later)."""
    out = []
    keys = sorted({(r["method"], r["seed"], r["k"], r["n_train"]) for r in rows})
    for method, seed, k, n in keys:
        key = (method, seed, k, n)
        pts = sorted((r for r in rows if (r["method"], r["seed"], r["k"], r["n_train"]) == key),
                     key=lambda r: r["time"])
        within = [r for r in pts if r["time"] <= budget]
        out.append(dict(method=method, seed=seed, k=k, n_train=n, budget=float(budget),
                        test_acc=within[-1]["test_acc"] if within else np.nan))
    return out


def default_budget(rows: list[dict]) -> float:
    """The median final time of the convex gated runs at the full size (the t0 of docs/experiments.md:
    where the convex runs stop), else the median final time of all runs."""
    n = _full_size(rows)
    fin = [r["time"] for r in final_rows(rows) if r["method"] == "convex_gated" and r["n_train"] == n]
    fin = fin or [r["time"] for r in final_rows(rows)]
    return float(np.median(fin))


def rows_csv(rows: list[dict]) -> str:
    """The rows as CSV text (header :data:`COLUMNS`, or the summary's keys)."""
    buf = io.StringIO()
    if not rows:
        return ",".join(COLUMNS) + "\n"
    fields = list(COLUMNS) if set(rows[0]) == set(COLUMNS) else list(rows[0])
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})
    return buf.getvalue()


__all__ = [
    "COLUMNS",
    "CompareSpec",
    "METHODS",
    "SAMPLING",
    "Stopped",
    "accuracy_at",
    "default_budget",
    "final_rows",
    "gated_beta_max",
    "rows_csv",
    "run_comparison",
    "run_task",
    "sample_gates",
    "summary",
    "tasks",
]
