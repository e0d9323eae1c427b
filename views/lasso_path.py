"""Lasso path: the optimal networks for β from β_max down to 10⁻³ β_max, as one animation."""

import time

import numpy as np
import pandas as pd
import streamlit as st

import ui

KEY_N_BETAS = "path_n_betas"
KEY_RUN = "path_run"
AUTO_POINTS = 100  # paths of data up to this size are computed on arrival; larger ones wait for a click

st.title("Lasso path of networks")
st.caption("The convex program is a group Lasso: as β decreases from β_max, blocks (neurons) enter one "
           "by one, each β solved warm-started, certified and pruned to a minimal network (Mathematics "
           "page: the Lasso path).")

data = ui.current_data()
train = data.train()

# one row of settings (the program's two options side by side), so the figure starts near the top
c1, c2, c3, c4 = st.columns([0.9, 1.75, 1.15, 1.2])
ui.widgets.problem_block([c1, c2, c3], beta=False, prune=False, samples=False)
n_betas = ui.widgets.slider(KEY_N_BETAS, "Number of β values", where=c4, step=5,
                            help="A geometric grid from β_max down to 10⁻³ β_max.")

s = ui.settings()
if train.n > ui.MAX_SOLVE_POINTS:
    st.warning(f"The data have {train.n} training points; this page solves at most "
               f"{ui.MAX_SOLVE_POINTS}. Use fewer points on the Data page.")
    st.stop()

ready = ui.compute.path_ready(data, s.loss, s.program, int(n_betas), s.patterns, s.samples)
if train.n > AUTO_POINTS and not ready and not st.session_state.get(KEY_RUN):
    st.info(f"{train.n} points: the path solves {n_betas} programs with {train.n**2 - train.n + 2:,} "
            "patterns each, which can take a minute or more (once: the result is shared).")
    st.button("Compute the path", key=KEY_RUN, type="primary")
    st.stop()
bar = st.progress(0.0, text="Computing the path (or waiting for another session computing it)…")
t0 = time.perf_counter()


def progress(k: int, total: int, beta: float) -> None:
    bar.progress(k / total, text=f"β {k}/{total} = {beta:.3g} solved and pruned "
                                 f"({time.perf_counter() - t0:.1f} s)")


result = ui.compute.network_path(data, s.loss, s.program, int(n_betas), progress, s.patterns, s.samples)
bar.empty()
if result.error is not None:
    st.error(result.error)
    st.stop()

path = result.path
certified = int(path.certified.sum())
m1, m2, m3, m4 = st.columns(4)
m1.metric("β_max", f"{path.beta_max:.4g}", help="For β ≥ β_max the optimal network is zero")
m2.metric("Neurons at the smallest β", f"{int(path.n_neurons[-1])}",
          help=f"Minimal network at β = {path.betas[-1]:.3g}; the solver returned "
               f"{int(path.n_solver_blocks[-1])} blocks")
m3.metric("Path time", f"{result.seconds:.1f} s",
          help=f"{len(path)} solves {path.solve_time:.1f} s + pruning {path.prune_time:.1f} s "
               f"(figure {result.figure_seconds:.1f} s); cached for these data and settings"
               + ("; the default data's path is stored (assets/first_views.npz, checked by a test that "
                  "recomputes it): its times were measured when that file was made" if result.stored else ""))
m4.metric("Certified", f"{certified}/{len(path)}", help="Solves whose relative duality gap is ≤ 1e-6")

ui.plot.chart(result.figure, key="path_chart")
if data.dim == 1:
    what = ("the network's curve: at β_max it is zero; as β decreases the kinks (diamonds, one per "
            "neuron) appear one by one, at or next to the data points, until the curve interpolates.")
elif data.task == "classification":
    what = ("the decision boundary f = 0 and the neurons' hyperplanes: from no boundary at β_max "
            "through a nearly linear one to the full fit of the training data.")
else:
    what = "the network's f(x) and the neurons' hyperplanes, from zero at β_max to the full fit."
st.caption(f"Press ▶ Play or drag the slider over β. Left: {what} Right, at the same β (red "
           "marker): each block's norm ‖u_i‖ (orange u, blue u′), the number of neurons of the minimal "
           "network (grey dotted: the solver's active blocks before pruning), the training loss and "
           + ("the accuracy." if data.task == "classification" else "the RMSE."))
if certified < len(path):
    st.warning(f"{len(path) - certified} of the {len(path)} solves are not certified (relative gap "
               f"above 1e-6, largest {np.nanmax(path.relative_gaps):.1e}); their networks are the "
               "solver's best points.")

with st.expander("The path as a table"):
    table = {"β": path.betas, "β / β_max": path.betas / path.beta_max, "neurons": path.n_neurons,
             "solver blocks": path.n_solver_blocks, "objective": path.objectives,
             "training loss": path.losses}
    if path.accuracy is not None:
        table["accuracy"] = path.accuracy
    else:
        table["RMSE"] = path.rmse
    table["relative gap"] = path.relative_gaps
    st.dataframe(pd.DataFrame(table), width="stretch", hide_index=True)
