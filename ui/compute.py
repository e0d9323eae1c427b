"""Cached computations of the solving pages: failure-proof wrappers around the package.

Streamlit's caches only: :func:`solve` and :func:`beta_max` with ``st.cache_data`` (small
picklable results, keyed on data + settings); the long :func:`network_path` and
:func:`critical_width` in a slot of ``st.cache_resource`` (one result object shared read-only by
all sessions, computed once per key by the first session, with progress on its page, while the
others wait). All are bounded by entries and a time to live. None raises: a failure is a result
with an ``error`` message for the page.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

import convexnn as cn
from convexnn import datasets as ds
from convexnn import optima, playground, stationary
from convexnn.program import losses
from ui.text import plain

TIME_LIMIT = 90.0
DEFAULT_SAMPLES = 500
CACHE_TTL = 6 * 3600
"""Seconds a cached result lives."""


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


@st.cache_data(show_spinner=False, max_entries=64, ttl=CACHE_TTL)
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


@st.cache_data(show_spinner=False, max_entries=64, ttl=CACHE_TTL)
def beta_max(X: np.ndarray, y: np.ndarray, loss: str, program: str) -> float | None:
    """β_max of the data (None if it cannot be computed)."""
    try:
        return float(cn.beta_max(X, y, loss=loss, relu=program))
    except Exception:  # only a hint on the page; never fail because of it
        return None


def accuracy(model, X: np.ndarray, y: np.ndarray) -> float:
    """Training accuracy of ``model``: the package's :func:`convexnn.program.losses.accuracy` of its
    prediction (sign against labels ±1); NaN unless y holds labels ±1."""
    if not np.all(np.isin(y, (-1.0, 1.0))):
        return float("nan")
    return losses.accuracy(model.predict(X), y)


@dataclass
class Shared:
    """One long result shared by all sessions: the first session computes it (holding ``lock``,
    with progress on its own page), the others wait for the lock and read ``value``."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    value: object | None = None


@st.cache_resource(show_spinner=False, max_entries=16, ttl=CACHE_TTL)
def _shared(kind: str, key: str) -> Shared:
    """The shared slot of a long computation (Streamlit's resource cache bounds and expires them).

    The computation itself runs outside the cached function, so its progress bar belongs to the
    page that runs it (a cached function may not draw on the page's elements)."""
    return Shared()


def fingerprint(*parts) -> str:
    """A key of arrays and plain values (sha256 of their bytes and reprs)."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, np.ndarray):
            h.update(str(part.dtype).encode() + str(part.shape).encode())
            h.update(np.ascontiguousarray(part).tobytes())
        else:
            h.update(repr(part).encode())
        h.update(b"|")
    return h.hexdigest()


def once(kind: str, key: str, compute):
    """``compute()`` once per (kind, key) for all sessions: the first session runs it (its progress
    bar on its own page), the others wait and share the result (read-only). Bounded by
    Streamlit's resource cache (16 entries, :data:`CACHE_TTL`). Use :func:`fingerprint` for keys."""
    slot = _shared(kind, key)
    if slot.value is None:
        with slot.lock:
            if slot.value is None:
                slot.value = compute()
    return slot.value


def _path_key(data: ds.Dataset, loss: str, program: str, n_betas: int, patterns: str, samples: int) -> str:
    train = data.train()
    return fingerprint(train.X, train.y, train.task, data.X, loss, program, int(n_betas), patterns,
                       int(samples) if patterns != "exact" else 0)


def path_ready(data: ds.Dataset, loss: str, program: str, n_betas: int, patterns: str = "exact",
               samples: int = DEFAULT_SAMPLES) -> bool:
    """Whether :func:`network_path` is computed for these data and settings (by any session)."""
    return _shared("path", _path_key(data, loss, program, n_betas, patterns, samples)).value is not None


@dataclass
class PathResult:
    """A computed path with its figure, or an error message."""

    path: optima.NetworkPath | None = None
    figure: object | None = None
    error: str | None = None
    seconds: float = 0.0
    figure_seconds: float = 0.0
    stored: bool = False  # the path from ui.first_view's file (its times measured when the file was made)


def network_path(data: ds.Dataset, loss: str, program: str, n_betas: int, progress=None,
                 patterns: str = "exact", samples: int = DEFAULT_SAMPLES) -> PathResult:
    """The pruned Lasso path of the training data and its animated figure (never raises).

    Computed once per data + settings for all sessions (the others wait for it);
    ``progress(k, total, beta)`` is called after each beta while it is computed.
    """
    key = _path_key(data, loss, program, n_betas, patterns, samples)
    return once("path", key,
                 lambda: _network_path(data, loss, program, n_betas, progress, patterns, samples))


def _network_path(data, loss, program, n_betas, progress, patterns, samples) -> PathResult:
    from convexnn.figures.path import path_figure
    from ui import first_view  # the default data's path is stored (it imports this module)

    train = data.train()
    samples = int(samples) if patterns != "exact" else 0
    args = (train.X, train.y, train.task, int(n_betas), str(loss), str(program), str(patterns), samples)
    t0 = time.perf_counter()
    try:
        path = first_view.lookup(first_view.lasso_path, *args)
        stored = path is not None
        if path is None:
            path = first_view.lasso_path(*args, progress=progress)
        t1 = time.perf_counter()
        # open mid-path on a network: the first beta with half the neurons of the smallest one
        start = int(np.argmax(path.n_neurons >= max(1, path.n_neurons[-1] / 2)))
        figure = path_figure(path, data, start=start)
    except ValueError as exc:
        return PathResult(error=f"Cannot compute the path: {exc}.")
    except Exception as exc:  # never a traceback on the page
        return PathResult(error=f"The path failed ({type(exc).__name__}: {str(exc)[:200]}).")
    seconds = path.solve_time + path.prune_time if stored else t1 - t0
    return PathResult(path, figure, None, seconds, time.perf_counter() - t1, stored)


@dataclass
class WidthResult:
    result: optima.CriticalWidth | None = None
    error: str | None = None
    stored: bool = False  # from ui.first_view's file (its time measured when the file was made)


WIDTH_LR = {"adam": 0.02, "gd": 0.01}
WIDTH_RTOL = 1e-2


def _width_key(data, beta, loss, optimizer, epochs, restarts, max_width) -> str:
    train = data.train()
    return fingerprint(train.X, train.y, float(beta), loss, optimizer, int(epochs), int(restarts),
                       int(max_width))


def width_ready(data: ds.Dataset, beta: float, loss: str, optimizer: str, epochs: int, restarts: int,
                max_width: int) -> bool:
    """Whether :func:`critical_width` is computed for these data and settings (by any session)."""
    key = _width_key(data, beta, loss, optimizer, epochs, restarts, max_width)
    return _shared("width", key).value is not None


def critical_width(data: ds.Dataset, beta: float, loss: str, optimizer: str, epochs: int, restarts: int,
                   max_width: int, p_star: float | None = None, convex_width: int | None = None,
                   progress=None) -> WidthResult:
    """The critical-width experiment (never raises), computed once per data + settings for all
    sessions. ``p_star``/``convex_width`` come from the page's solve, so p* is the certified
    optimum shown there."""
    key = _width_key(data, beta, loss, optimizer, epochs, restarts, max_width)
    return once("width", key, lambda: _critical_width(data, beta, loss, optimizer, epochs, restarts,
                                                       max_width, p_star, convex_width, progress))


def _critical_width(data, beta, loss, optimizer, epochs, restarts, max_width, p_star, convex_width,
                    progress) -> WidthResult:
    from ui import first_view  # the default data's experiment is stored (it imports this module)

    train = data.train()
    args = (train.X, train.y, float(beta), str(loss), str(optimizer), int(epochs), int(restarts),
            int(max_width), first_view.key_float(p_star),
            None if convex_width is None else int(convex_width))
    stored = first_view.lookup(first_view.width_experiment, *args)
    if stored is not None:
        return WidthResult(stored, stored=True)
    try:
        result = first_view.width_experiment(*args, progress=progress)
    except ImportError:
        return WidthResult(error="Nonconvex training (convexnn.training.train) is not available.")
    except ValueError as exc:
        return WidthResult(error=f"Cannot train: {exc}.")
    except Exception as exc:
        return WidthResult(error=f"Training failed ({type(exc).__name__}: {str(exc)[:200]}).")
    return WidthResult(result)


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
# The Playground: the optimum of each click, and p_I of the AdamW network at a pause
# --------------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=256, ttl=CACHE_TTL)
def playground_optimum(X: np.ndarray, y: np.ndarray, beta: float, loss: str,
                       program: str) -> tuple[object | None, str | None]:
    """(:class:`convexnn.playground.Optimum`, None) or (None, a message): the certified optimum
    over all patterns (:func:`convexnn.playground.solve_optimum`); never raises."""
    try:
        return playground.solve_optimum(X, y, beta, loss, program), None
    except ValueError as exc:
        return None, f"Cannot solve: {plain(exc)}."
    except Exception as exc:  # a solver failure is a message, never a traceback
        return None, f"The solver failed ({type(exc).__name__}); the last certified picture is kept."


@st.cache_data(show_spinner=False, max_entries=64, ttl=CACHE_TTL)
def restricted_optimum(theta: np.ndarray, d: int, width: int, X: np.ndarray, y: np.ndarray, beta: float,
                       loss: str) -> tuple[float, int, bool] | None:
    """(p_I, number of patterns, certified) of the network ``theta`` (flattened W1, b1, w2 of a
    width-``width`` network on ``d`` inputs): the optimum of the convex program over the
    activation patterns it realises (:func:`convexnn.stationary.subsampled_optimum`), or None."""
    try:
        sub = stationary.subsampled_optimum(stationary.unflatten(theta, d, width), X, y, beta, loss)
    except Exception:  # noqa: BLE001  (the page shows no p_I)
        return None
    return float(sub.p_I), int(sub.n_patterns), bool(sub.certified)
