"""All global optima: split, pad and permute the optimal network (same function, same objective),
and the critical width m*: nonconvex training of every width against p*."""

import time

import numpy as np
import streamlit as st

import ui
from convexnn import figures, optima
from convexnn.figures.optima import critical_width_figure, split_figure

KEY_NEURON = "optima_neuron"
KEY_COPIES = "optima_copies"
KEY_ALPHA = "optima_alpha_"
KEY_ZEROS = "optima_zeros"
KEY_SHUFFLE = "optima_shuffle"
KEY_SEED = "optima_seed"
KEY_OPTIMIZER = "optima_optimizer"
KEY_EPOCHS = "optima_epochs"
KEY_RESTARTS = "optima_restarts"
KEY_MAX_WIDTH = "optima_max_width"
KEY_TRAIN = "optima_train"
MAX_COPIES = 5

st.title("All global optima")
st.caption("Every optimal network of width m ≥ m* is the convex optimum's network up to splitting "
           "neurons into parallel copies, adding zero neurons and permuting them (Wang, Lacotte & "
           "Pilanci, ICLR 2022; Mathematics page: optima and stationary points). Try it: the function "
           "and the objective do not move.")

data = ui.current_data()
train = data.train()
s = ui.settings()
if train.n > ui.MAX_SOLVE_POINTS:
    st.warning(f"The data have {train.n} training points; this page solves at most "
               f"{ui.MAX_SOLVE_POINTS}. Use fewer points on the Data page.")
    st.stop()
if s.program != "exact":
    st.info("This page uses the exact ReLU program (the gated model is not a ReLU network).")

with st.spinner("Solving the convex program…"):
    result = ui.compute.solve(train.X, train.y, s.beta, s.loss, "exact", True, "exact")
if not result.ok:
    st.error(result.error)
    st.stop()
base = result.model
optimum_line = (f"{ui.plain(ui.describe(data))} · β = {s.beta:g}, {s.loss} loss · the minimal optimal "
                f"network has {base.width} neuron{'s' if base.width != 1 else ''}, "
                f"p* = {result.objective:.6g} ({result.certificate_line()}). Change β and the loss on the "
                "Global optimum page.")
if base.width == 0:
    st.caption(optimum_line)
    st.info("β is at least β_max: the optimal network is zero, there is nothing to split. Lower β.")
    st.stop()


@st.fragment
def split_section() -> None:
    controls, view = st.columns([1, 2.2], gap="large")
    with controls:
        largest = int(np.argmax(base.neuron_norms()))
        # a neuron from a link or from other data is checked against this network; -1 (the first
        # view) is the neuron of largest weight
        if ui.schema.within_data(KEY_NEURON, base.width, "neurons in the optimal network", largest) == -1:
            st.session_state[KEY_NEURON] = largest
        j = st.selectbox("Neuron to split", range(base.width), key=KEY_NEURON, **ui.widgets.KEEP,
                         format_func=lambda k: f"neuron {k} (w2 = {base.w2[k]:+.3f})")
        k = ui.widgets.slider(KEY_COPIES, "Copies",
                              help="(w1, b1, w2) → (√α_l w1, √α_l b1, √α_l w2), l = 1..k, Σ α_l = 1")
        raw = [st.slider(f"weight of copy {i + 1}", 0.0, 1.0, [0.2, 0.3, 0.5, 0.4, 0.6][i], 0.05,
                         key=f"{KEY_ALPHA}{i}") for i in range(k)]
        alphas = optima.normalize_alphas(raw)
        st.caption("α = (" + ", ".join(f"{a:.3f}" for a in alphas) + ") (the weights, normalised to sum 1)")
        zeros = ui.widgets.slider(KEY_ZEROS, "Zero neurons to add")
        shuffle = ui.widgets.toggle(KEY_SHUFFLE, "Permute the neurons")
        seed = int(ui.widgets.number(KEY_SEED, "Permutation seed", disabled=not shuffle))
    t = optima.transform_network(base, split=j, alphas=alphas, pad=zeros,
                                 permutation=seed if shuffle else None)
    if train.dim == 2:  # the plotted box, on a 60 x 60 grid
        x0, x1, y0, y1 = figures.bounding_box(train.X, 0.15, square=True)
        gx, gy = np.meshgrid(np.linspace(x0, x1, 60), np.linspace(y0, y1, 60))
        grid = np.column_stack([gx.ravel(), gy.ravel()])
    else:
        grid = np.linspace(train.X.min() - 1, train.X.max() + 1, 400)[:, None]
    check = optima.invariance(base, t.network, train.X, train.y, s.beta, s.loss, X_extra=grid)
    with view:
        m1, m2, m3, m4 = st.columns(4)
        m1.metric("Width", f"{t.network.width}", delta=f"{t.network.width - base.width:+d} neurons",
                  delta_color="off")
        m2.metric("Objective", f"{check['objective_b']:.6g}",
                  help=f"The optimal network's: {check['objective_a']:.10g}")
        m3.metric("|Δ objective|", f"{check['objective_diff']:.1e}")
        m4.metric("max |Δf|", f"{max(check['max_abs_df'], check['max_abs_df_extra']):.1e}",
                  help="Largest difference of the two networks' outputs on the data and on a grid")
        same = check["objective_diff"] <= 1e-12 * max(1.0, abs(check["objective_a"]))
        same &= max(check["max_abs_df"], check["max_abs_df_extra"]) <= 1e-12 * max(1.0, np.abs(train.y).max())
        if same:
            st.success(f"Same function and same objective (to rounding, {check['objective_diff']:.0e}) with "
                       f"{t.network.width} instead of {base.width} neurons: another global optimum.",
                       icon=":material/check_circle:")
        else:
            st.warning("The networks differ beyond rounding.")
        ui.plot.chart(split_figure(t.network, t.origin, t.share, split=j, height=300),
                      key="optima_split_chart")
        st.caption(f"Each bar is one neuron of the transformed network. Red: the {k} copies of neuron {j}; "
                   "they share its hyperplane and carry the fractions α of its cost ‖(w1, b1)‖·|w2| (and "
                   "√α of its w2). Light grey: the zero neurons. The costs add up to the same penalty, "
                   "the outputs to the same f.")
    st.caption(optimum_line)  # below the figure (it used to push the figure below the fold)
    with st.expander("The transformed network's function (identical to the optimum's)", expanded=True):
        ui.plot.chart(ui.charts.network_figure(t.network, data, height=420), key="optima_network_chart")
    ui.sync_url()  # a rerun of this fragment alone changes its settings: the link follows


AUTO_SECONDS = 8.0  # an estimated experiment up to this long runs on its first view, unasked


def critical_width_section() -> None:
    """The critical width m*: nonconvex networks of every width trained against p* (a small
    experiment runs by itself, once per session; a larger one waits for the button)."""
    st.markdown(
        "m* is the smallest number of neurons among all global optima (m* ≤ n + 1). A network with "
        "m ≥ m* neurons can reach p*; with fewer it cannot. Below, nonconvex networks of every width "
        "m are trained from random starts on the explicit objective ℓ(f) + (β/2)‖θ‖², and the best "
        f"objective of each width is compared with p*. The pruned convex optimum has {base.width} "
        "neurons, an upper bound on m*.")
    c1, c2, c3, c4 = st.columns(4)
    names = {"adam": "Adam (lr 0.02)", "gd": "gradient descent (lr 0.01)"}
    optimizer = ui.widgets.choice(KEY_OPTIMIZER, "Optimizer", where=c1, format_func=names.get,
                                  help="Both minimise the explicit objective (no decoupled weight decay); "
                                       "the learning rate decays linearly to 0.")
    epochs = ui.widgets.choice(KEY_EPOCHS, "Epochs", where=c2, kind="select_slider")
    restarts = ui.widgets.slider(KEY_RESTARTS, "Restarts per width", where=c3)
    max_width = int(c4.number_input("Largest width", 1, 60, min(base.width + 2, 60), key=KEY_MAX_WIDTH))
    runs = max_width * restarts
    found = None
    ready = ui.compute.width_ready(data, s.beta, s.loss, optimizer, epochs, restarts, max_width)
    estimate = runs * epochs * (80e-6 + 1e-6 * train.n)  # measured: ~0.1 ms per epoch at n = 40
    if not ready:
        st.caption(f"{runs} training runs of {epochs} epochs: roughly {estimate:.0f} s.")
    small = not ready and estimate <= AUTO_SECONDS and not st.session_state.get(KEY_TRAIN + "_auto_done")
    if small:  # a small experiment runs by itself, once per session: the page opens with an m*
        st.session_state[KEY_TRAIN + "_auto_done"] = True
    if ready or small or st.button("Train the networks", key=KEY_TRAIN, type="primary",
                                   icon=":material/play_arrow:"):
        bar = st.progress(0.0, text="Training (or waiting for another session training the same)…")
        t0 = time.perf_counter()

        def progress(done: int, total: int) -> None:
            seconds = time.perf_counter() - t0
            bar.progress(done / total, text=f"{done}/{total} networks trained ({seconds:.0f} s)")

        found = ui.compute.critical_width(data, s.beta, s.loss, optimizer, epochs, restarts, max_width,
                                          p_star=result.objective, convex_width=base.width, progress=progress)
        bar.empty()
    if found is not None:
        if found.error is not None:
            st.error(found.error)
        else:
            cw = found.result
            m1, m2, m3, m4 = st.columns(4)
            m1.metric("p* (convex)", f"{cw.p_star:.6g}")
            m2.metric("Pruned convex optimum", f"{cw.convex_width} neurons")
            m3.metric("m* (experiment)", "not reached" if cw.m_star is None else f"≤ {cw.m_star}",
                      help=f"Smallest width whose best objective is within {cw.rtol:.0%} of p*")
            stored = ("Stored for the default data and settings (assets/first_views.npz, checked by a test "
                      "that reruns it): measured when that file was made.")
            m4.metric("Training time", f"{cw.seconds:.1f} s", help=stored if found.stored else None)
            ui.plot.chart(critical_width_figure(cw, height=460), key="optima_width_chart")
            below = cw.best < cw.p_star * (1 - 1e-6)
            note = (" Some runs end below p*: the convex solve is then not exactly optimal (see its "
                    "certificate)." if below.any() else "")
            st.caption(
                "Grey dots: every restart; black: the best per width; red dashed: p*. Below, the best "
                "objective's relative excess over p* on a log scale. Narrow networks stay above p*; from "
                "about m* on, some start reaches it. Local training can still miss it at larger widths "
                "(a bad start, too few epochs): more restarts and epochs sharpen the threshold." + note
                + (" These runs are stored for the default data and settings (assets/first_views.npz, "
                   "checked by a test that reruns them); change a setting to train afresh."
                   if found.stored else ""))


ui.widgets.show_sections("optima_section", split_section, critical_width_section)
