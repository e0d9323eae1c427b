"""Page parts shared by the Home, Global optimum and Playground pages: solve the current data
with progress, and show the numbers, the certificate, the figure and the neurons."""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui import charts, compute, plot
from ui.compute import DEFAULT_SAMPLES, Solved
from ui.schema import MAX_SOLVE_POINTS, SLOW_SOLVE_POINTS


def solve_current(data, s, status: bool = True) -> Solved | None:
    """Solve the current data with the settings ``s`` (patterns included), with progress and
    messages on the page.

    Returns None (after an on-page message) when the data are too large or solving failed.
    """
    patterns = getattr(s, "patterns", "exact")
    samples = int(getattr(s, "samples", DEFAULT_SAMPLES))
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
            result = compute.solve(train.X, train.y, s.beta, s.loss, s.program, s.prune, patterns, samples)
            if result.ok:
                box.update(label=f"Solved in {result.solve_time:.2f} s: {result.width} neurons, "
                                 f"{result.n_patterns:,} patterns", state="complete")
            else:
                box.update(label="Solving failed", state="error")
    else:
        with st.spinner(label):
            result = compute.solve(train.X, train.y, s.beta, s.loss, s.program, s.prune, patterns, samples)
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
        acc = f"{compute.accuracy(result.model, train.X, train.y):.0%}"
        if test is not None:
            acc += f" / {compute.accuracy(result.model, test.X, test.y):.0%}"
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
        st.caption(f"The solver returned {result.pruned_from} active blocks; pruning (see Mathematics: "
                   f"the Lasso path) "
                   f"left {result.width} neurons with the same fit. Network objective "
                   f"{result.network_objective:.8g} (solver's {result.objective:.8g}, "
                   f"difference {diff:.1e}).")


def show_figure(result: Solved, data, key: str, height: int = 520, highlight: int | None = None) -> None:
    fig = charts.optimum_figure(result.model, data, highlight=highlight, height=height,
                         shade=result.program == "exact")
    plot.chart(fig, key=key)
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
