"""Solving for the app: a cached, failure-proof wrapper around ``convexnn.fit_convex``.

:func:`solve` returns a :class:`Solved` (never raises): the model to plot, the numbers to show
and, on failure, a message for the user. Results are cached per data + settings
(``st.cache_data``), so switching pages or re-rendering never solves twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import streamlit as st

import convexnn as cn

TIME_LIMIT = 90.0


@dataclass
class Solved:
    """What the pages show about one solve."""

    error: str | None = None
    model: object | None = None
    objective: float = float("nan")
    network_objective: float = float("nan")
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

    @property
    def ok(self) -> bool:
        return self.error is None

    def certificate_line(self) -> str:
        """E.g. "certified optimal: relative gap 3e-10"."""
        word = "certified optimal" if self.certified else "not certified"
        return f"{word}: relative gap {self.relative_gap:.0e}"


@st.cache_data(show_spinner=False, max_entries=64)
def solve(X: np.ndarray, y: np.ndarray, beta: float, loss: str, program: str, prune: bool) -> Solved:
    """Solve the convex program on (X, y) with the fast solver; never raises."""
    t0 = time.perf_counter()
    try:
        solved = cn.fit_convex(X, y, beta, loss=loss, relu=program, solver="fast", time_limit=TIME_LIMIT)
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
    except ValueError as exc:
        return Solved(error=f"Cannot solve: {exc}.", program=program)
    except Exception as exc:  # a solver failure must not become a traceback on the page
        return Solved(error=f"The solver failed ({type(exc).__name__}: {str(exc)[:200]}). "
                            "Try a larger β, fewer points or the other program.", program=program)
    cert = solved.certificate
    return Solved(
        model=model,
        objective=float(solved.objective),
        network_objective=net_obj,
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
# Page parts shared by the Home and Global optimum pages
# --------------------------------------------------------------------------------------------


def solve_current(data, s, status: bool = True) -> Solved | None:
    """Solve the current data with the settings ``s``, with progress and messages on the page.

    Returns None (after an on-page message) when the data are too large or solving failed.
    """
    from app_state import MAX_SOLVE_POINTS, SLOW_SOLVE_POINTS

    train = data.train()
    if train.n > MAX_SOLVE_POINTS:
        st.warning(f"The data have {train.n} training points; this page solves at most "
                   f"{MAX_SOLVE_POINTS}. Use fewer points on the Data page.")
        return None
    if train.n > SLOW_SOLVE_POINTS:
        st.info(f"{train.n} points: the exact program has {train.n**2 - train.n + 2:,} patterns, "
                "solving may take up to a minute.")
    label = f"Solving the {s.program} convex program on {train.n} points…"
    if status:
        with st.status(label, expanded=False) as box:
            result = solve(train.X, train.y, s.beta, s.loss, s.program, s.prune)
            if result.ok:
                box.update(label=f"Solved in {result.solve_time:.2f} s: {result.width} neurons, "
                                 f"{result.n_patterns:,} patterns", state="complete")
            else:
                box.update(label="Solving failed", state="error")
    else:
        with st.spinner(label):
            result = solve(train.X, train.y, s.beta, s.loss, s.program, s.prune)
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
    if result.width == 0:
        st.info("β is at least β_max: the optimal network is zero (no neurons). Lower β.")
    if result.program == "gated":
        st.caption("Gated program: each neuron's gate is fixed to its pattern's cell, so the model is "
                   "not a ReLU network; its objective lower-bounds the exact one.")
    elif result.pruned_from not in (None, result.width):
        st.caption(f"The solver returned {result.pruned_from} active blocks; pruning (math.md §5) "
                   f"left {result.width} neurons with the same fit. Network objective "
                   f"{result.network_objective:.6g}.")


def show_figure(result: Solved, data, key: str, height: int = 520) -> None:
    from convexnn import figures

    fig = figures.network_figure(result.model, data, height=height)
    st.plotly_chart(fig, key=key, theme=None, width="stretch")
    gated = result.program == "gated"
    lines = ("gate hyperplanes (grey)" if gated
             else "neurons' hyperplanes w1·x + b1 = 0 (orange: w2 > 0, blue: w2 < 0)")
    if data.dim == 1:
        st.caption("Black: the network f(x). Diamonds: each neuron's kink x = −b1/w1"
                   + ("." if gated else " (orange: w2 > 0, blue: w2 < 0)."))
    elif data.task == "classification":
        st.caption(f"Black: the decision boundary f = 0. Dotted: the {lines}.")
    else:
        st.caption(f"Colour: the network's f(x) on the targets' scale. Dotted: the {lines}.")
