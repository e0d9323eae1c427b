"""Solving for the app: cached, failure-proof wrappers around the package.

:func:`solve` returns a :class:`Solved` (never raises): the model to plot, the numbers to show,
the dual values behind the certificate and, on failure, a message for the user. Results are
cached per data + settings (``st.cache_data``), so switching pages or re-rendering never solves
twice. :func:`network_path` and :func:`critical_width` are the long computations of the Lasso
path and All global optima pages: cached per data + settings, with a progress callback, and
never raising either.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import streamlit as st

import convexnn as cn
from convexnn import optima

TIME_LIMIT = 90.0
PATTERN_LABELS = {"exact": "exact (all patterns)", "gaussian": "Gaussian samples",
                  "geometric": "geometric-algebra samples"}
DEFAULT_SAMPLES = 500
KEY_SAMPLES = "optimum_samples"
"""The Global optimum page's number of sampled directions (session state, used by every page)."""


def n_samples() -> int:
    """The number of sampled directions chosen on the Global optimum page (default 500)."""
    try:
        return int(st.session_state.get(KEY_SAMPLES, DEFAULT_SAMPLES))
    except (TypeError, ValueError):
        return DEFAULT_SAMPLES


@dataclass
class Solved:
    """What the pages show about one solve."""

    error: str | None = None
    model: object | None = None
    objective: float = float("nan")
    network_objective: float = float("nan")
    pruned_objective: float = float("nan")
    n_blocks: int = 0
    width: int = 0
    n_patterns: int = 0
    solve_time: float = 0.0
    total_time: float = 0.0
    status: str = ""
    certificate: str = ""
    certified: bool = False
    relative_gap: float = float("nan")
    pruned_from: int | None = None
    program: str = "exact"
    patterns: str = "exact"
    beta: float = float("nan")
    loss: str = "squared"
    bars: np.ndarray | None = None
    active: np.ndarray | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def certificate_line(self) -> str:
        """E.g. "certified optimal: relative gap 3e-10"."""
        word = "certified optimal" if self.certified else "not certified"
        return f"{word}: relative gap {self.relative_gap:.0e}"


@st.cache_data(show_spinner=False, max_entries=64)
def solve(X: np.ndarray, y: np.ndarray, beta: float, loss: str, program: str, prune: bool,
          patterns: str = "exact", n_samples: int = DEFAULT_SAMPLES) -> Solved:
    """Solve the convex program on (X, y) with the fast solver; never raises.

    ``patterns``: "exact" (every pattern), "gaussian" or "geometric" (``n_samples`` sampled
    directions). The dual values of every pattern (the bars of the certificate plot) are
    computed once here.
    """
    t0 = time.perf_counter()
    try:
        cones = cn.prepare_patterns(X, patterns, n_samples=int(n_samples))
        solved = cn.fit_convex(X, y, beta, loss=loss, relu=program, solver="fast", cones=cones,
                               time_limit=TIME_LIMIT)
        fit, n_blocks, pruned_from = solved, solved.n_active, None
        if prune and n_blocks > 0:
            # the certificate shown is the solver's; pruning keeps the objective (to rounding)
            fit = cn.prune_to_minimal(solved)
            pruned_from = n_blocks
        if program == "gated":
            model = fit.gated_model()
            net_obj = float("nan")
        else:
            model = fit.network()
            net_obj = float(model.objective(X, y, beta, loss))
        bars = optima.dual_bar_values(solved, cones)
        active = fit.active_blocks()
    except ValueError as exc:
        return Solved(error=f"Cannot solve: {exc}.", program=program, patterns=patterns)
    except Exception as exc:  # a solver failure must not become a traceback on the page
        return Solved(error=f"The solver failed ({type(exc).__name__}: {str(exc)[:200]}). "
                            "Try a larger β, fewer points or the other program.", program=program,
                      patterns=patterns)
    cert = solved.certificate
    return Solved(
        model=model,
        objective=float(solved.objective),
        network_objective=net_obj,
        pruned_objective=float(fit.objective),
        n_blocks=n_blocks,
        width=int(model.width),
        n_patterns=solved.n_patterns,
        solve_time=float(solved.solve_time),
        total_time=time.perf_counter() - t0,
        status=solved.status,
        certificate=cert.summary() if cert is not None else "no certificate",
        certified=bool(cert is not None and cert.optimal),
        relative_gap=float(cert.relative_gap) if cert is not None else float("nan"),
        pruned_from=pruned_from,
        program=program,
        patterns=patterns,
        beta=float(beta),
        loss=loss,
        bars=bars,
        active=active,
    )


@st.cache_data(show_spinner=False, max_entries=64)
def beta_max(X: np.ndarray, y: np.ndarray, loss: str, program: str) -> float | None:
    """β_max of the data (None if it cannot be computed)."""
    try:
        return float(cn.beta_max(X, y, loss=loss, relu=program))
    except Exception:  # only a hint on the page; never fail because of it
        return None


def accuracy(model, X: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.where(model.predict(X) >= 0, 1.0, -1.0) == y))


# --------------------------------------------------------------------------------------------
# Long computations: the Lasso path and the critical-width experiment
# --------------------------------------------------------------------------------------------

STORE_SIZE = 16


@st.cache_resource
def _store() -> tuple[OrderedDict, threading.Lock]:
    """Results of long computations shared by all sessions (pure results, never mutated)."""
    return OrderedDict(), threading.Lock()


def _key(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(np.ascontiguousarray(p).tobytes() if isinstance(p, np.ndarray) else repr(p).encode())
        h.update(b"|")
    return h.hexdigest()


def cached(key: str):
    store, lock = _store()
    with lock:
        if key in store:
            store.move_to_end(key)
            return store[key]
    return None


def _remember(key: str, value) -> None:
    store, lock = _store()
    with lock:
        store[key] = value
        while len(store) > STORE_SIZE:
            store.popitem(last=False)


@dataclass
class PathResult:
    """A computed path with its figure, or an error message."""

    path: optima.NetworkPath | None = None
    figure: object | None = None
    error: str | None = None
    seconds: float = 0.0
    figure_seconds: float = 0.0


def path_key(data, loss: str, program: str, n_betas: int, patterns: str = "exact",
             samples: int = DEFAULT_SAMPLES) -> str:
    train = data.train()
    return _key("path", train.X, train.y, train.task, loss, program, int(n_betas), patterns,
                int(samples) if patterns != "exact" else 0)


def network_path(data, loss: str, program: str, n_betas: int, progress=None, patterns: str = "exact",
                 samples: int = DEFAULT_SAMPLES) -> PathResult:
    """The pruned Lasso path of the training data and its animated figure (cached; never raises).

    ``progress(k, total, beta)`` is called after each beta when the path is computed.
    """
    from convexnn.figures.path import path_figure

    key = path_key(data, loss, program, n_betas, patterns, samples)
    hit = cached(key)
    if hit is not None:
        return hit
    train = data.train()
    t0 = time.perf_counter()
    try:
        path = optima.network_path(train.X, train.y, train.task, n_betas=int(n_betas), loss=loss,
                                   relu=program, patterns=patterns, n_samples=int(samples),
                                   progress=progress, time_limit=TIME_LIMIT)
        t1 = time.perf_counter()
        figure = path_figure(path, data)
    except ValueError as exc:
        return PathResult(error=f"Cannot compute the path: {exc}.")
    except Exception as exc:  # never a traceback on the page
        return PathResult(error=f"The path failed ({type(exc).__name__}: {str(exc)[:200]}).")
    result = PathResult(path, figure, None, t1 - t0, time.perf_counter() - t1)
    _remember(key, result)
    return result


@dataclass
class WidthResult:
    result: optima.CriticalWidth | None = None
    error: str | None = None


def width_key(data, beta: float, loss: str, optimizer: str, epochs: int, restarts: int,
              max_width: int) -> str:
    train = data.train()
    return _key("width", train.X, train.y, float(beta), loss, optimizer, int(epochs), int(restarts),
                int(max_width))


WIDTH_LR = {"adam": 0.02, "gd": 0.01}
WIDTH_RTOL = 1e-2


def critical_width(data, beta: float, loss: str, optimizer: str, epochs: int, restarts: int,
                   max_width: int, p_star: float | None = None, convex_width: int | None = None,
                   progress=None) -> WidthResult:
    """The critical-width experiment (cached; never raises). ``p_star``/``convex_width`` come
    from the page's solve, so p* is the certified optimum shown there."""
    key = width_key(data, beta, loss, optimizer, epochs, restarts, max_width)
    hit = cached(key)
    if hit is not None:
        return hit
    train = data.train()
    try:
        result = optima.critical_width(
            train.X, train.y, beta, loss=loss, widths=np.arange(1, int(max_width) + 1),
            restarts=int(restarts), rtol=WIDTH_RTOL, p_star=p_star, convex_width=convex_width,
            progress=progress, optimizer=optimizer, epochs=int(epochs), lr=WIDTH_LR.get(optimizer, 0.01),
            schedule="linear", snapshots=0, record_every=int(epochs),
        )
    except ImportError:
        return WidthResult(error="Nonconvex training (convexnn.train) is not available.")
    except ValueError as exc:
        return WidthResult(error=f"Cannot train: {exc}.")
    except Exception as exc:
        return WidthResult(error=f"Training failed ({type(exc).__name__}: {str(exc)[:200]}).")
    out = WidthResult(result)
    _remember(key, out)
    return out


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------


def export_json(model) -> str:
    """The network as JSON, with the (identity) input normalisation the app trains with."""
    return model.to_json(normalization=optima.identity_normalization(model.input_dim))


def export_python(model) -> str:
    """A runnable numpy snippet: the network and a usage line."""
    d = model.input_dim
    example = "[[0.0, 0.0]]" if d == 2 else "[[0.0]]" if d == 1 else f"[[0.0] * {d}]"
    return (model.to_python() + "\n\nif __name__ == \"__main__\":\n"
            f"    print(predict(np.array({example})))\n")


# --------------------------------------------------------------------------------------------
# Page parts shared by the Home and Global optimum pages
# --------------------------------------------------------------------------------------------


def solve_current(data, s, status: bool = True) -> Solved | None:
    """Solve the current data with the settings ``s`` (patterns included), with progress and
    messages on the page.

    Returns None (after an on-page message) when the data are too large or solving failed.
    """
    from app_state import MAX_SOLVE_POINTS, SLOW_SOLVE_POINTS

    patterns = getattr(s, "patterns", "exact")
    samples = n_samples()
    train = data.train()
    if train.n > MAX_SOLVE_POINTS:
        st.warning(f"The data have {train.n} training points; this page solves at most "
                   f"{MAX_SOLVE_POINTS}. Use fewer points on the Data page.")
        return None
    if train.n > SLOW_SOLVE_POINTS and patterns == "exact":
        st.info(f"{train.n} points: the exact program has {train.n**2 - train.n + 2:,} patterns, "
                "solving may take up to a minute.")
    kind = "" if patterns == "exact" else f" ({samples} {patterns} samples)"
    label = f"Solving the {s.program} convex program on {train.n} points{kind}…"
    if status:
        with st.status(label, expanded=False) as box:
            result = solve(train.X, train.y, s.beta, s.loss, s.program, s.prune, patterns, samples)
            if result.ok:
                box.update(label=f"Solved in {result.solve_time:.2f} s: {result.width} neurons, "
                                 f"{result.n_patterns:,} patterns", state="complete")
            else:
                box.update(label="Solving failed", state="error")
    else:
        with st.spinner(label):
            result = solve(train.X, train.y, s.beta, s.loss, s.program, s.prune, patterns, samples)
    if not result.ok:
        st.error(result.error)
        return None
    return result


def show_metrics(result: Solved, data, columns: int = 4) -> None:
    """Objective, neurons, solve time, accuracy and the certificate line."""
    cols = st.columns(4) if columns == 4 else [c for _ in range(2) for c in st.columns(2)]
    cols[0].metric("Objective", f"{result.objective:.6g}",
                   help="Optimal value p* of the convex program = training objective of the network")
    pruned = result.pruned_from not in (None, result.width)
    extra = f" (solver: {result.pruned_from} blocks)" if pruned else ""
    cols[1].metric("Neurons", f"{result.width}", help="Active blocks = hidden neurons" + extra)
    cols[2].metric("Solve time", f"{result.solve_time:.2f} s")
    if data.task == "classification":
        train, test = data.train(), data.test()
        acc = f"{accuracy(result.model, train.X, train.y):.0%}"
        if test is not None:
            acc += f" / {accuracy(result.model, test.X, test.y):.0%}"
        cols[3].metric("Accuracy" + (" (train / test)" if test is not None else " (train)"), acc)
    else:
        train = data.train()
        rmse = float(np.sqrt(np.mean((result.model.predict(train.X) - train.y) ** 2)))
        cols[3].metric("RMSE (train)", f"{rmse:.3g}")
    line = result.certificate_line()
    if result.certified:
        st.success(line, icon=":material/verified:")
    else:
        st.warning(f"{line} (solver status: {result.status})", icon=":material/warning:")
    if result.patterns != "exact":
        st.caption(f"Sampled patterns ({result.n_patterns:,} distinct): the program and its "
                   "certificate are over these patterns only; the full program's p* can be lower.")
    if result.width == 0:
        st.info("β is at least β_max: the optimal network is zero (no neurons). Lower β.")
    if result.program == "gated":
        st.caption("Gated program: each neuron's gate is fixed to its pattern's cell, so the model is "
                   "not a ReLU network; its objective lower-bounds the exact one.")
    elif result.pruned_from not in (None, result.width):
        diff = abs(result.network_objective - result.objective)
        st.caption(f"The solver returned {result.pruned_from} active blocks; pruning (math.md §5) "
                   f"left {result.width} neurons with the same fit. Network objective "
                   f"{result.network_objective:.8g} (solver's {result.objective:.8g}, "
                   f"difference {diff:.1e}).")


def show_figure(result: Solved, data, key: str, height: int = 520, highlight: int | None = None) -> None:
    from convexnn.figures.optima import optimum_figure

    fig = optimum_figure(result.model, data, highlight=highlight, height=height,
                         shade=result.program == "exact")
    st.plotly_chart(fig, key=key, theme=None, width="stretch")
    gated = result.program == "gated"
    lines = ("gate hyperplanes (grey)" if gated
             else "neurons' hyperplanes w1·x + b1 = 0 (orange: w2 > 0, blue: w2 < 0), shaded on "
                  "their active side w1·x + b1 > 0")
    if data.dim == 1:
        st.caption("Black: the network f(x). Diamonds: each neuron's kink x = −b1/w1"
                   + ("." if gated else " (orange: w2 > 0, blue: w2 < 0)."))
    elif data.task == "classification":
        st.caption(f"Black: the decision boundary f = 0. Dotted: the {lines}.")
    else:
        st.caption(f"Colour: the network's f(x) on the targets' scale. Dotted: the {lines}.")


def neuron_table(result: Solved):
    """The neurons as a table: w1, b1, w2, pattern index and norm (gates for the gated model)."""
    import pandas as pd

    model = result.model
    if result.program == "exact":
        d = model.W1.shape[0]
        names = ["w1"] if d == 1 else [f"w1[{i + 1}]" for i in range(d)]
        table = {**{names[i]: model.W1[i] for i in range(d)}, "b1": model.b1, "w2": model.w2,
                 "pattern": model.pattern_index, "norm ‖u‖": model.neuron_norms()}
    else:  # gate g (hyperplane) and weights v of each gated neuron
        d = model.G.shape[0] - 1
        idx = np.unique(result.active[:, 0]) if result.active is not None else np.full(model.width, -1)
        table = {**{f"g[{i + 1}]": model.G[i] for i in range(d)}, "g bias": model.G[d],
                 **{f"v[{i + 1}]": model.V[i] for i in range(d)}, "v bias": model.V[d],
                 "pattern": idx[: model.width], "norm ‖v‖": np.linalg.norm(model.V, axis=0)}
    frame = pd.DataFrame(table)
    frame.index.name = "neuron"
    return frame
