"""Deep networks: the duality gap of standard deep linear networks, gradient descent reaching the
closed form or stalling, and the parallel architecture with zero gap."""

import numpy as np
import pandas as pd
import streamlit as st

import ui
from convexnn import duality as du
from convexnn.figures import theory as tf
from ui import first_view as fv

SCALES = (0.25, 0.5, 1.0, 1.5)
# Widget defaults (in ui/schema.py): diag(4, 1) at L = 3 (a row of the verification table) and
# the GD check at L = 4.
KEEP = {"persist_state": "session"}  # widget values survive page switches


@st.cache_data(show_spinner=False, max_entries=64)
def cached_runs(parallel: bool, L: int, beta: float, scales: tuple, steps: int, lr: float) -> dict:
    return fv.deep_runs(parallel, L, beta, scales, steps, lr)


def gd_runs(parallel: bool, L: int, beta: float, scales: tuple, steps: int, lr: float) -> dict:
    """Gradient descent per initial scale: stored for the default settings (ui.first_view), else cached."""
    args = (parallel, L, beta, scales, steps, lr)
    return fv.lookup(fv.deep_runs, *args) or cached_runs(*args)


def gap_section() -> None:
    """P against D over the singular values of X⁺Y, the gap, the verification table."""
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        L = st.slider("Depth L", 2, 8, key="deep_L", **KEEP)
    with c2:
        s1 = st.slider("σ1 of X⁺Y", 0.1, 5.0, step=0.1, key="deep_s1", **KEEP)
    with c3:
        s2 = st.slider("σ2", 0.0, 5.0, step=0.05, key="deep_s2", **KEEP)
    with c4:
        s3 = st.slider("σ3", 0.0, 5.0, step=0.05, key="deep_s3", **KEEP)
    v = du.values_from_sigma([s1, s2, s3], L)
    # the figure with its numbers beside it
    chart, numbers = st.columns([2, 1], gap="medium")
    numbers.metric("primal P (standard network)", f"{v.primal:.6f}")
    numbers.metric("dual D (convex)", f"{v.dual:.6f}")
    numbers.metric("gap P − D", f"{v.gap:.6f}")
    numbers.metric("parallel network (convex value, gap 0)", f"{v.parallel:.6f}")
    with numbers:
        if L <= 2:
            st.success("L = 2: P = D = ‖M‖_* for every M, no gap.")
        elif v.rank <= 1:
            st.success(f"rank(X⁺Y) = {v.rank}: the gap is zero, P = D.")
        else:
            equal = np.isclose(s1, s2) and (s3 == 0 or np.isclose(s3, s1))
            st.warning(
                f"rank(X⁺Y) = {v.rank} ≥ 2 and L = {L} ≥ 3: the gap is positive"
                + (" — even though the nonzero singular values are equal." if equal else ".")
                + " The gap is zero iff rank(X⁺Y) ≤ 1 (‖σ‖_(2/L) ≥ ‖σ‖_1 with equality iff at most one "
                "σ_i ≠ 0), not \u201ciff the singular values are equal\u201d as the slide puts it.")
    with chart:
        ui.plot.chart(tf.gap_curve(L, s1, s2, rest=(s3,) if s3 else ()), key="deep_gap_curve",
                      config={"displayModeBar": False})
    with st.expander("The verification table (Mathematics page: deep networks), recomputed"):
        digits = {"P": "{:.6f}", "D": "{:.6f}", "gap": "{:.6f}"}
        st.dataframe(pd.DataFrame(du.pd_table()).style.format(digits), hide_index=True)
        st.caption("random 3×4 / 3×2: X then Y drawn from default_rng(0); σ(X⁺Y) = (4.3317, 0.5165).")


def gd_settings() -> tuple | None:
    """The gradient-descent case and the form of its settings (the same in both training tabs):
    (X, Y, σ(Y), L, β, initial scales, steps, learning rate), or None without a scale."""
    X, Y = du.gd_case()
    sigma = du.singular_values(Y)
    st.caption(
        f"X = I₃, Y (3×2) from default_rng(1) with σ(Y) = ({sigma[0]:.4f}, {sigma[1]:.4f}); objective "
        "½‖XW_1⋯W_L − Y‖² + (β/2)Σ‖W_l‖², hidden width 3, W_l = scale·N(0,1)/√fan-in, full-batch gradient "
        "descent in numpy. For X = I the optimum separates over the singular values: Σ_i min_(s≥0) "
        "½(s − σ_i)² + β(L/2)s^(2/L). For L ≥ 3 the point s = 0 is a local minimum, so a small "
        "initialisation can stall with a singular value left at zero.")
    with st.form("deep_gd_form"):
        g1, g2, g3, g4 = st.columns(4)
        with g1:
            gd_L = st.slider("Depth L", 2, 6, key="deep_gd_L", **KEEP)
        with g2:
            beta = st.number_input("β", 0.001, 1.0, step=0.01, format="%.3f", key="deep_gd_beta", **KEEP)
        with g3:
            scales = st.multiselect("Initial scales", SCALES, key="deep_gd_scales", **KEEP)
        with g4:
            steps = st.select_slider("Steps", [1000, 2000, 5000, 10000, 20000], key="deep_gd_steps", **KEEP)
        st.form_submit_button("Train")
    lr = 0.1 if beta <= 0.2 else 0.05
    if not scales:
        st.warning("Choose at least one initial scale.")
        return None
    return X, Y, sigma, gd_L, beta, tuple(sorted(float(s) for s in scales)), steps, lr


def standard_section() -> None:
    """Gradient descent on the standard network: it reaches the closed form or stalls."""
    case = gd_settings()
    if case is None:
        return
    X, Y, sigma, gd_L, beta, scales, steps, lr = case
    with st.status("Training…", expanded=False) as status:
        runs = gd_runs(False, gd_L, float(beta), scales, int(steps), lr)
        status.update(label=f"Trained {len(runs)} standard networks ({steps} steps, lr {lr:g})",
                      state="complete")
    best = du.regularized_value(sigma, gd_L, beta)
    targets = {"global optimum (closed form)": best}
    if gd_L >= 3:
        targets["stalled at rank 1 (closed form)"] = du.regularized_value(sigma, gd_L, beta, rank=1)
    ui.plot.chart(tf.gd_figure(runs, targets, f"Standard network, L = {gd_L}, β = {beta:g}"),
                  key="deep_gd_chart", config={"displayModeBar": False})
    rows = []
    for label, run in runs.items():
        reached = abs(run.final - best) <= 1e-5 * max(1.0, best)
        rank = int(np.sum(run.product_sigma > 1e-6))
        rows.append({"run": label, "final objective": f"{run.final:.6f}", "rank of W_1⋯W_L": rank,
                     "outcome": "reaches the optimum" if reached else
                     ("stalls at a rank-deficient point" if rank < sigma.size else "not converged")})
    st.dataframe(pd.DataFrame(rows), hide_index=True)


def parallel_section() -> None:
    """Gradient descent on the parallel network: it reaches its convex optimum."""
    case = gd_settings()
    if case is None:
        return
    X, Y, sigma, gd_L, beta, scales, steps, lr = case
    st.caption(
        "Parallel network: m branches, each a width-one deep linear chain, summed at the output, with the "
        "penalty (β/L)Σ_(l,j)‖W_(l,j)‖^L (the modified regularisation). Each branch costs Π_l‖W_(l,j)‖ and "
        "realises a rank-one map, so the problem is min ½‖M − Y‖² + β‖M‖_*: convex, with zero gap. "
        "In the min-norm normalisation of the first tab its value is D.")
    with st.status("Training the parallel networks…", expanded=False) as status:
        pruns = gd_runs(True, gd_L, float(beta), scales, int(steps), lr)
        status.update(label=f"Trained {len(pruns)} parallel networks", state="complete")
    ptarget = du.parallel_regularized_value(sigma, beta)
    branches = min(X.shape[1], Y.shape[1]) + 1
    ui.plot.chart(tf.gd_figure(pruns, {"convex optimum ½‖M−Y‖² + β‖M‖_*": ptarget},
                  f"Parallel network, L = {gd_L}, β = {beta:g}, {branches} branches"),
                  key="deep_parallel_chart", config={"displayModeBar": False})
    prow = [{"run": k, "final objective": f"{r.final:.6f}", "convex optimum": f"{ptarget:.6f}",
             "reached": bool(abs(r.final - ptarget) <= 1e-4 * max(1.0, ptarget))} for k, r in pruns.items()]
    st.dataframe(pd.DataFrame(prow), hide_index=True)
    st.caption("Against the standard network (the previous tab): its regularised value can stall above "
               "its optimum (a nonconvex landscape), the parallel one reaches its convex optimum from every "
               "scale shown.")


st.title("Deep networks: standard vs parallel")
st.caption(
    "Deep linear networks f(X) = X W_1 ⋯ W_L with weight decay (Wang, Ergen & Pilanci, ICLR 2023). The "
    "min-norm problem P = min ½Σ_l‖W_l‖² s.t. X W_1⋯W_L = Y depends only on the singular values σ of "
    "M = X⁺Y; after the minimisation over the scale of the middle layers, P = (L/2) Σσ_i^(2/L) "
    "(a Schatten quasi-norm: nonconvex) and its convex dual D = (L/2)(Σσ_i)^(2/L) (the nuclear norm).")
ui.widgets.show_sections("deep_section", gap_section, standard_section, parallel_section)
