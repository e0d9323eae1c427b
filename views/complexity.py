"""Complexity: how many patterns, which data are easy (two patterns suffice), and the Max-Cut
connection with its SDP relaxation and Goemans-Williamson rounding."""

import numpy as np
import pandas as pd
import streamlit as st

import ui
from convexnn import complexity as cx
from convexnn import count_patterns
from convexnn.figures import theory as tf
from ui import first_view as fv

MAXCUT_MAX = 16
KEEP = {"persist_state": "session"}  # widget values survive page switches


@st.cache_data(show_spinner=False, max_entries=8, ttl=ui.compute.CACHE_TTL)
def cached_count_table(ns: tuple, limit: int) -> list[dict]:
    return fv.count_table(ns, limit)


@st.cache_data(show_spinner=False, max_entries=32)
def current_count(X: np.ndarray) -> int | None:
    try:
        return int(count_patterns(X, bias=True))
    except ValueError:
        return None


@st.cache_data(show_spinner=False, max_entries=32)
def comparison(X: np.ndarray, y: np.ndarray, bias: bool) -> list:
    return fv.two_pattern_comparison(X, y, bias)


@st.cache_data(show_spinner=False, max_entries=32)
def maxcut(X: np.ndarray, y: np.ndarray, beta: float, loss: str, source: str, seed: int):
    Xt = np.column_stack([X, np.ones(len(X))])
    if source == "residual":
        lam = cx.dual_vector(X, y, beta, loss=loss, bias=True)
    else:
        lam = np.random.default_rng(seed).standard_normal(len(X))
    return lam, cx.maxcut_experiment(Xt, lam, rounds=500, seed=seed)


def counts_section() -> None:
    """How many patterns: exact counts and times of Gaussian data (stored), the CNN bound."""
    with st.status("Counting patterns…", expanded=False) as status:
        # stored for these sizes (ui.first_view, times measured when the file was made), else counted here
        stored_counts = fv.lookup(fv.count_table, fv.COUNT_NS, fv.COUNT_LIMIT)
        rows = stored_counts or cached_count_table(fv.COUNT_NS, fv.COUNT_LIMIT)
        cur = current_count(data.X) if data.dim == 2 else None
        status.update(label=f"Counted the patterns of {len(rows)} Gaussian data sets", state="complete")
    left, right = st.columns(2)
    with left:
        ui.plot.chart(tf.pattern_count_figure(rows, (data.n, cur) if cur else None),
                      key="complexity_counts", config={"displayModeBar": False})
        ui.plot.chart(tf.pattern_time_figure(rows), key="complexity_times",
                      config={"displayModeBar": False})
        st.caption("Exact enumeration (the circle sweep) of Gaussian points in the plane with a bias column: "
                   "the count is n² − n + 2 (general position), far below Cover's bound; listing every "
                   f"pattern is what the exact program needs. The star is the current data ({data.n} points"
                   + (f", {cur} patterns)." if cur else ")."))
    with right:
        ui.plot.chart(tf.cnn_bound_figure(np.geomspace(8, 4096, 40)), key="complexity_cnn",
                      config={"displayModeBar": False})
        st.caption("The talk's bound for convolutional networks with filter size r, O(r³(n/r)^(3r)), drawn "
                   "with constant 1, next to Cover's bound for a fully connected layer of rank r: polynomial "
                   "in n for a fixed filter size, exponential in r.")
    st.dataframe(pd.DataFrame([{
        "n": r["n"], "patterns (exact)": r["patterns"], "n²−n+2": r["general_position"],
        "Cover's bound": f"{r['cover_bound']:.3g}", "count (s)": f"{r['count_seconds']:.3f}",
        "list all (s)": (f"{r['enumerate_seconds']:.3f}" if np.isfinite(r["enumerate_seconds"])
                         else "– (not listed)"),
    } for r in rows]), hide_index=True)
    if stored_counts:
        st.caption("These counts and times are stored (assets/first_views.npz, checked by a test that "
                   "recounts them); the times were measured on the machine that made the file.")


def easy_section() -> None:
    """Which data are easy: the data class, and two patterns against all of them."""
    st.caption(
        "Orthogonally separable: x_iᵀx_k > 0 within a class and ≤ 0 across classes. Negatively correlated: "
        "≤ 0 across classes only. For classification losses the dual vector has sign(λ_k) = y_k, so the "
        "class patterns D₊ = 1[y > 0] and D₋ = 1[y < 0] are all the program needs. The claim is about the "
        "logistic and hinge losses; the squared loss is shown for contrast (its residual can change sign).")
    sources = ["orthogonally separable example (n = 20, d = 3)"]
    if data.task == "classification":
        sources.append(f"current data ({ui.plain(data.name)}, {data.n} points)")
    source = st.radio("Data", sources, key="complexity_source", horizontal=True, **KEEP)
    bias = False
    if source.startswith("current"):
        X, y = data.train().X, data.train().y
        bias = st.toggle("with a bias column [X, 1]", key="complexity_bias",
                         help="The definitions use x_i; with a bias column the inner products are "
                              "x_iᵀx_k + 1.",
                         **KEEP)
    else:
        X, y = cx.orthogonally_separable_example()
    Xc = np.column_stack([X, np.ones(len(X))]) if bias else X
    try:
        klass = cx.data_class(Xc, y)
    except ValueError as exc:
        st.warning(f"Cannot classify these data: {exc}")
        klass = None
    if klass is not None:
        icon = {"orthogonally separable": ":material/check_circle:", "negatively correlated":
                ":material/contrast:", "general": ":material/scatter_plot:"}[klass.kind]
        st.markdown(f"**{icon} {klass.kind}** — {klass.summary().split(': ', 1)[1]}")
        if X.shape[0] > 200:
            st.info("More than 200 points: the side-by-side solve is skipped here.")
        else:
            with st.status("Solving the full and the two-pattern programs…", expanded=False) as status:
                try:
                    res = fv.lookup(fv.two_pattern_comparison, X, y, bias) or comparison(X, y, bias)
                except Exception as exc:
                    status.update(label="The solve failed", state="error")
                    st.error(f"The programs could not be solved: {type(exc).__name__}: {exc}")
                    res = None
                else:
                    status.update(label=f"Solved {2 * len(res)} programs (cone-constrained, exact patterns"
                                        f"{' with' if bias else ', no'} bias)", state="complete")
            if res:
                left, right = st.columns([1, 1.2])
                with left:
                    ui.plot.chart(tf.two_pattern_figure(res), key="complexity_two",
                                  config={"displayModeBar": False})
                with right:
                    st.dataframe(pd.DataFrame([{
                        "loss": r.loss, "β": r.beta, "all patterns": f"{r.full:.6f}",
                        "two patterns": f"{r.two:.6f}",
                        "ratio": f"{r.ratio:.6f}", "patterns": r.n_patterns, "certified": r.certified,
                    } for r in res]), hide_index=True, height=360)
                exact = {r.loss: all(abs(x.ratio - 1) < 1e-4 for x in res if x.loss == r.loss) for r in res}
                st.caption("Two patterns are exact here for: "
                           + (", ".join(k for k, v in exact.items() if v) or "no loss")
                           + ("; not for: " + ", ".join(k for k, v in exact.items() if not v)
                              if not all(exact.values()) else "") + ".")


def maxcut_section() -> None:
    """The Max-Cut connection: brute force, SDP and rounding on a sample; the hardness ladder."""
    st.caption(
        "For a fixed dual vector λ, the largest dual constraint over all D = diag(δ), δ ∈ {0,1}ⁿ, is "
        "max_δ δᵀ(diag(λ) X̃X̃ᵀ diag(λ))δ = max ‖X̃ᵀDλ‖²: a binary quadratic program. With δ_i = (1 + "
        "z₀z_i)/2 it "
        "becomes a Max-Cut-type form over z ∈ {±1}ⁿ⁺¹ with a PSD matrix, relaxed to an SDP (cvxpy, SCS) and "
        "rounded by random hyperplanes (Goemans–Williamson). For a PSD matrix the relaxation loses at most a "
        "factor π/2, i.e. √(π/2) ≈ 1.2533 on the norm: the negatively-correlated guarantee.")
    c1, c2 = st.columns([1.2, 1])
    with c1:
        lam_source = st.radio("Dual vector λ", ["residual", "random"], key="complexity_lambda",
                              horizontal=True,
                              format_func={"residual": f"from the convex fit (β = {s.beta:g}, {s.loss} loss)",
                                           "random": "random Gaussian"}.get, **KEEP)
    with c2:
        mc_seed = st.number_input("seed (points and rounding)", 0, 1000, key="complexity_seed", **KEEP)
    train = data.train()
    if train.dim != 2 and train.dim != 1:
        st.warning("The Max-Cut view needs 1-D or 2-D data.")
    else:
        k = min(MAXCUT_MAX, train.n)
        idx = np.sort(np.random.default_rng(int(mc_seed)).choice(train.n, size=k, replace=False))
        Xs, ys = train.X[idx].reshape(k, -1), train.y[idx]
        loss = s.loss if (s.loss == "squared" or set(np.unique(ys)) <= {-1.0, 1.0}) else "squared"
        label = f"Brute force over 2^{k} = {2 ** k:,} vectors, SDP and rounding…"
        with st.status(label, expanded=False) as status:
            try:
                lam, mc = maxcut(Xs, ys, float(s.beta), loss, lam_source, int(mc_seed))
            except Exception as exc:
                status.update(label="The Max-Cut experiment failed", state="error")
                st.error(f"{type(exc).__name__}: {exc}")
                mc = None
            else:
                status.update(label=f"Max-Cut on {k} points: brute force {mc.seconds['brute_force']:.2f} s, "
                                    f"SDP {mc.seconds['sdp']:.2f} s", state="complete")
        if mc is not None:
            st.caption(f"{k} of the {train.n} current points (seeded choice), with a bias column.")
            left, right = st.columns([1.2, 1])
            with left:
                ui.plot.chart(tf.maxcut_figure(mc), key="complexity_maxcut",
                              config={"displayModeBar": False})
            with right:
                st.metric("brute force max_δ ‖X̃ᵀDλ‖", f"{np.sqrt(mc.optimum):.6f}")
                st.metric("SDP bound", f"{np.sqrt(mc.sdp):.6f}", f"ratio {mc.relaxation_ratio:.4f}",
                          delta_color="off", delta_arrow="off")
                st.metric("best of 500 GW roundings", f"{np.sqrt(mc.rounded.max()):.6f}",
                          f"mean ratio {mc.rounding_ratio_mean:.4f}", delta_color="off", delta_arrow="off")
                if np.allclose(lam, 0):
                    st.info("λ = 0: the fit interpolates the points (every value is 0).")
                elif mc.relaxation_ratio < 1 + 1e-4:
                    st.caption("Here the relaxation is tight (ratio 1): √(π/2) is a worst case, far from "
                               "what these low-rank instances show. Try the random λ or other seeds.")
    st.markdown("**The talk's hardness ladder**")
    ui.plot.chart(tf.hardness_ladder_figure(), key="complexity_ladder", config={"displayModeBar": False})
    st.caption(
        "Schematic: the guaranteed factor 1 + ε of a polynomial-time algorithm by data class. Beyond "
        "√(π/2) the bars are not to scale (the general-data factor depends on the data). The talk states "
        f"NP-hardness for ε ≤ √(84/83) − 1; the formula gives {cx.HARDNESS_EPS:.6f} (≈ 0.00598).")


st.title("Complexity")
st.caption(
    "The convex program has one pair of blocks per hyperplane-arrangement pattern, so its size is the "
    "number of patterns p = O(n^r) for data of rank r. Some data are easier: for orthogonally separable "
    "data two patterns suffice; in general, checking the dual constraint is a Max-Cut-type problem "
    "(Wang & Pilanci, arXiv 2311.10972).")
data = ui.current_data()
s = ui.settings()
ui.widgets.show_sections("complexity_section", counts_section, easy_section, maxcut_section)
