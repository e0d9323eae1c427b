"""Geometric algebra: the generalized cross product as the normal of the line through data points,
the signed volume, the Lasso features kappa, and the closed-form Lasso against the exact program."""

import time

import numpy as np
import streamlit as st

import ui
from convexnn import ga_lasso as gl
from convexnn.figures import geometric_algebra as fg
from convexnn.patterns.arrangements import lift
from convexnn.patterns.geometric_algebra import cross_product, signed_volume

ss = st.session_state
MAX_LASSO_POINTS = 150  # the pair dictionary has n (n - 1) features


@st.cache_data(max_entries=16, show_spinner=False)
def solve_lasso(X: np.ndarray, y: np.ndarray, beta: float, variant: str):
    """The Lasso and, where it can be computed here, the exact program's value (never raises)."""
    try:
        fit = gl.ga_lasso(X, y, beta, variant)
    except Exception as exc:  # a solver failure must not become a traceback
        return None, None, f"The Lasso failed ({type(exc).__name__}: {str(exc)[:200]})."
    exact, note = None, None
    t0 = time.perf_counter()
    try:
        if len(X) > ui.MAX_SOLVE_POINTS:
            note = f"The exact program is solved for at most {ui.MAX_SOLVE_POINTS} points."
        else:
            exact = gl.exact_value(X, y, beta, variant)
    except Exception as exc:
        note = f"The exact program failed ({type(exc).__name__}: {str(exc)[:200]})."
    return fit, (exact, time.perf_counter() - t0), note


st.title("Geometric algebra: hyperplanes through data points")
st.caption("With the bias column, the generalized cross product $\\tilde x_i \\times \\tilde x_j$ of two "
           "lifted data points is the normal $h$ of the line through them, $h_1 x_1 + h_2 x_2 + h_3 = 0$ "
           "(its definition below the figures).")
CROSS_PRODUCT = (
    r"For $d-1$ vectors in $\mathbb R^d$ the **generalized cross product** "
    r"$\times(x_1,\dots,x_{d-1}) = \sum_i (-1)^{i-1}\det(A_i)\,e_i$ ($A_i$: the matrix "
    r"$[x_1 \dots x_{d-1}]$ without row $i$) is orthogonal to every $x_k$, and "
    r"$x^\top \times(x_1,\dots,x_{d-1}) = \det[x, x_1, \dots, x_{d-1}]$, the signed volume. "
    r"With the bias column, $\tilde x_i \times \tilde x_j$ is the normal $h$ of the line through two "
    r"data points: $h_1 x_1 + h_2 x_2 + h_3 = 0$.")


def sci(value: float) -> str:
    """A number in LaTeX scientific notation, 1.4\\times10^{-17} (1.4e-17 reads as a subtraction)."""
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa}\\times10^{{{int(exponent)}}}"


def lasso_section() -> None:
    """The Lasso over all pair features, its value against the exact program, its network."""
    s = ui.settings()
    st.markdown(
        r"A Lasso over all these features, $\min_{z,t} \tfrac12\|Kz + t\mathbf 1 - y\|^2 + \beta\|z\|_1$, "
        r"is a two-layer ReLU network (neuron $j$: $w_1 = \sqrt{|z_j|}\,h_j/\|h_j\|$, "
        r"$w_2 = \mathrm{sign}(z_j)\sqrt{|z_j|}$, penalty $\beta|z_j|$). Is it optimal?")
    variant = ui.widgets.choice("ga_variant", "Variant", kind="radio", horizontal=True,
                                captions=[gl.VARIANT_LABELS[v] for v in gl.VARIANTS])
    descr = {
        "l2": "Same objective as the app's exact program (squared loss, weight decay with the bias in "
              "the penalty, no intercept). Only neurons through two data points: an upper bound, often "
              "strictly above the optimum, because the best neuron of a cone can lie inside the cone.",
        "l2-free": "Weight decay on the weights only, free bias and a free intercept (the reference code's "
                   "convention). Again an upper bound on its exact program.",
        "l1": "An ℓ1 penalty on the first-layer weights, (β/2)(‖w₁‖₁² + w₂²), free bias and intercept, with "
              "the pair features **plus axis-aligned features through each point** (w = ±e_k, "
              "b = −x_jᵀw). The maximum of the dual constraint over the polytope ‖w‖₁ ≤ 1 sits at a "
              "vertex, one of these features: this Lasso **is** the exact convex program.",
    }
    st.caption(descr[variant])
    if s.loss != "squared":
        st.caption(f"The Lasso uses the squared loss (the app's setting is {s.loss}).")
    if n > MAX_LASSO_POINTS:
        st.warning(f"{n} training points: the Lasso is built for at most {MAX_LASSO_POINTS} "
                   f"(it has n(n−1) = {n * (n - 1):,} pair features).")
        st.stop()
    Xl, yl, lasso_data = X, y, train
    if variant != "l2" and n > gl.MAX_EXACT_CVXPY_POINTS:
        # the exact program of these variants is a cvxpy model over all n^2 patterns: keep it small
        keep = np.sort(np.random.default_rng(0).choice(n, gl.MAX_EXACT_CVXPY_POINTS, replace=False))
        if len(np.unique(y[keep])) < 2 and train.task == "classification":
            keep = np.arange(gl.MAX_EXACT_CVXPY_POINTS)
        Xl, yl = X[keep], y[keep]
        lasso_data = type(train)(Xl, yl, train.task, train.name)
        st.caption(f"For this variant the exact program is a cvxpy model over all patterns, so the "
                   f"comparison uses a random subsample of {gl.MAX_EXACT_CVXPY_POINTS} of the {n} points.")
    with st.status("Solving the Lasso and the exact program …", expanded=False) as status:
        fit, exact_info, note = solve_lasso(Xl, yl, float(s.beta), variant)
        status.update(label="Solved.", state="complete")
    if fit is None:
        st.error(note)
        st.stop()
    exact, t_exact = exact_info
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Lasso value", f"{fit.objective:.6f}", help=f"duality gap {fit.gap:.1e}")
    m2.metric("exact value", f"{exact:.6f}" if exact is not None else "–",
              help="fit_convex (certified)" if variant == "l2" else "cvxpy over all arrangement patterns")
    if exact is not None:
        diff = fit.objective - exact
        m3.metric("Lasso − exact", f"{diff:.2e}", help="≥ 0 for the ℓ2 variants; ≈ 0 for ℓ1")
        if variant == "l1":
            st.success(f"The ℓ1 Lasso matches the exact program: difference {diff:.1e} "
                       f"({abs(diff) / max(exact, 1e-12):.1e} relative).")
        elif diff > 1e-6 * max(exact, 1e-12):
            st.info(f"The pair-feature Lasso is {diff:.4f} ({100 * diff / exact:.2f}%) above the optimum: "
                    "a very good restriction, not the exact program.")
        else:
            st.info("Here the Lasso reaches the optimum (to solver accuracy).")
    m4.metric("neurons", f"{len(fit.active())}", help=f"nonzero coefficients of {fit.n_features:,} features")
    if note:
        st.caption(note)
    exact_time = f", exact program in {t_exact:.2f} s" if exact is not None else ""
    st.caption(f"β = {s.beta:g} (set on the Global optimum page) · {fit.n_features:,} features · Lasso "
               f"solved in {fit.solve_time:.2f} s{exact_time}")
    try:
        net = fit.network()
        fig = ui.charts.network_figure(net, lasso_data, height=460)
        ui.plot.chart(fig, key="ga_lasso_fig")
        st.caption("The Lasso's network: every neuron's hyperplane passes through data points "
                   + ("(or through one point, parallel to an axis)." if variant == "l1" else "."))
    except ValueError as exc:
        st.warning(f"Cannot draw the network: {exc}")


def three_points() -> None:
    """Three points in 3-D: the generalized cross product in R⁴ (built only once opened: a 3-D
    chart)."""
    ui.widgets.show_folded("Three points in 3-D: the generalized cross product in R⁴", "ga_three_open",
                           cross_product_in_r4)


def cross_product_in_r4() -> None:
    """Pick three of ten random points in 3-D: their lifted cross product h in R⁴ is the normal of
    the plane through them, and x̃ᵀh is a determinant (a signed volume)."""
    rng = np.random.default_rng(int(ui.settings().seed))
    P = rng.uniform(-1, 1, size=(10, 3))
    Pt = np.column_stack([P, np.ones(len(P))])
    names = {k: f"x{k}" for k in range(len(P))}
    if len(st.session_state.get("ga_three") or ()) > 3:  # a link's list: at most three points
        st.session_state["ga_three"] = ui.schema.default("ga_three")
    q = st.multiselect("three points", list(names), max_selections=3, key="ga_three",
                       format_func=names.get)
    if len(q) == 3:
        h4 = cross_product(Pt[q])
        others = [k for k in range(len(P)) if k not in q]
        x = Pt[others[0]]
        st.markdown(
            f"$h = \\times(\\tilde x_{{{q[0]}}}, \\tilde x_{{{q[1]}}}, \\tilde x_{{{q[2]}}}) = "
            f"({h4[0]:.3f}, {h4[1]:.3f}, {h4[2]:.3f}, {h4[3]:.3f})$ in $\\mathbb R^4$: the plane "
            f"$h_1x_1 + h_2x_2 + h_3x_3 + h_4 = 0$ through the three points. For x{others[0]}: "
            f"$\\tilde x^\\top h = {x @ h4:.4f} = \\det[\\tilde x; \\tilde x_{{{q[0]}}}; "
            f"\\tilde x_{{{q[1]}}}; \\tilde x_{{{q[2]}}}] = {signed_volume(x, Pt[q]):.4f}$.")
        ui.plot.chart(fg.plane_figure(P, q, h4, height=460), key="ga_plane")
    else:
        st.caption("Pick three points.")


ONE_D = ("1-D data: the cross product of one lifted point x̃_j = (x_j, 1) in R² is h = (1, −x_j), the "
         "threshold x = x_j. The Lasso features are the ramps (x − x_j)₊ and (x_j − x)₊, one kink at each "
         "data point (Mathematics page: sampling and geometric algebra).")


def picked_points(X: np.ndarray) -> tuple[int, int, int]:
    """The picked points (i, j, k), checked against the data; on a data set's first view two points
    far apart and a third away from both (their labels do not overlap). A click on a point (the
    chart's selection, new since the last run) replaces the older of the two picked points."""
    n = len(X)
    far = np.hypot(*(X - X[0]).T)
    third = np.minimum(far, np.hypot(*(X - X[np.argmax(far)]).T))
    for name, fallback in (("ga_i", 0), ("ga_j", int(np.argmax(far))), ("ga_k", int(np.argmax(third)))):
        ui.schema.within_data(name, n, "points", fallback)
    if ss.get("_ga_placed") != data.name and not {"ga_i", "ga_j", "ga_k"} & set(st.query_params):
        ss["_ga_placed"] = data.name  # once per data set: the first view shows the far-apart picks
        ss["ga_i"], ss["ga_j"], ss["ga_k"] = 0, int(np.argmax(far)), int(np.argmax(third))
    event = ss.get("ga_pick") or {}
    points = (event.get("selection") or {}).get("points") or []
    if points and repr(points) != ss.get("_ga_pick_seen"):
        ss["_ga_pick_seen"] = repr(points)
        p = next((p for p in points if "x" in p and "y" in p), None)
        k = None if p is None else int(np.argmin(np.hypot(X[:, 0] - p["x"], X[:, 1] - p["y"])))
        if k is not None and k not in (ss.get("ga_i"), ss.get("ga_j")):
            ss["ga_j" if ss.get("_ga_replace_j", False) else "ga_i"] = k
            ss["_ga_replace_j"] = not ss.get("_ga_replace_j", False)
    return ss["ga_i"], ss["ga_j"], ss["ga_k"]


def normal_of(i: int, j: int) -> np.ndarray:
    """h = x̃_i × x̃_j, the normal of the line through the two points (stops with a message when
    they do not define a line)."""
    if i == j:
        st.warning("Pick two different points: a single point does not define a line.")
        st.stop()
    h = cross_product([Xt[i], Xt[j]])
    if np.linalg.norm(h[:2]) < 1e-12:
        st.warning("These two points coincide: their cross product has no direction in the plane.")
        st.stop()
    return h


def line_section() -> None:
    """The picked points, their cross product h, the signed volume, the pair figure (1-D data: the
    threshold); the definition; three points in 3-D."""
    if d == 2:
        pair_view()
    else:
        st.info(ONE_D)
    st.markdown(CROSS_PRODUCT)
    three_points()


def pair_view() -> None:
    """The picked points, their cross product h, the signed volume, the pair figure."""
    labels = {k: f"x{k} = ({X[k, 0]:.2f}, {X[k, 1]:.2f})" for k in range(n)}
    c1, c2, c3 = st.columns(3)
    i = ui.widgets.choice("ga_i", "first point x_i", where=c1, options=list(labels), format_func=labels.get)
    j = ui.widgets.choice("ga_j", "second point x_j", where=c2, options=list(labels), format_func=labels.get)
    k = ui.widgets.choice("ga_k", "a third point x (for the volume)", where=c3, options=list(labels),
                          format_func=labels.get)
    h = normal_of(i, j)
    vol = float(Xt[k] @ h)
    det = signed_volume(Xt[k], [Xt[i], Xt[j]])
    st.markdown(
        f"$h = \\tilde x_{{{i}}} \\times \\tilde x_{{{j}}} = ({h[0]:.3f},\\ {h[1]:.3f},\\ {h[2]:.3f})$: "
        f"the line ${h[0]:.3f}\\,x_1 {h[1]:+.3f}\\,x_2 {h[2]:+.3f} = 0$ passes through both points "
        f"($\\tilde x_{{{i}}}^\\top h = {sci(Xt[i] @ h)}$, $\\tilde x_{{{j}}}^\\top h = {sci(Xt[j] @ h)}$). "
        f"For the third point, $\\tilde x_{{{k}}}^\\top h = {vol:.4f}$ and "
        f"$\\det[\\tilde x_{{{k}}}; \\tilde x_{{{i}}}; \\tilde x_{{{j}}}] = {det:.4f}$: "
        f"{'the same number, ' if abs(vol - det) <= 1e-9 * max(1, abs(det)) else ''}"
        f"positive on the side the normal points to, negative on the other, zero on the line.")
    f1, f2 = st.columns(2, gap="medium")
    with f1:
        ui.plot.chart(fg.pair_figure(train, (i, j), h, third=k, height=400), key="ga_pick",
                      on_select=True)
        st.caption("Click a point to pick it (it replaces the older of the two).")
    with f2:
        st.caption("In the lifted space the two points (x, 1) span a plane through the origin; h is "
                   "its normal, and the plane meets the data plane x₃ = 1 in the line.")
        # a 3-D (WebGL) chart costs the browser about a second: drawn only once opened
        ui.widgets.show_folded("The lifted space in 3-D", "ga_lifted_open", lambda: ui.plot.chart(
            fg.lifted_figure(X, (i, j), h, height=400), key="ga_lifted"))


def features_section() -> None:
    """The Lasso feature κ of the line through the picked points: map and ramp (1-D data: the
    ramps in words)."""
    if d != 2:
        st.info(ONE_D)
        return
    i, j = picks[:2]
    h = normal_of(i, j)
    st.caption(f"The line through x{i} and x{j}, picked under *{ui.schema.GA_SECTIONS[0]}*.")
    flip = ui.widgets.toggle("ga_flip", "Other orientation (−h)")
    g = (-h if flip else h) / np.linalg.norm(h)
    st.markdown(
        r"Each line through two data points, in both orientations, gives one feature "
        r"$\kappa(x) = (\tilde x^\top h)_+ / \|h\|$: zero on one side, growing linearly with the "
        r"distance on the other, a **ReLU ramp of the signed distance** to the line. It is the output of "
        r"one ReLU neuron whose hyperplane passes through the two points.")
    k1, k2 = st.columns([1.2, 1], gap="medium")
    with k1:
        ui.plot.chart(fg.kappa_figure(train, g, height=430), key="ga_kappa")
    with k2:
        ui.plot.chart(fg.ramp_figure(Xt, g, y if train.task == "classification" else None, height=300),
                      key="ga_ramp")
        st.caption(f"Slope ‖(h₁, h₂)‖ / ‖h‖ = {np.linalg.norm(g[:2]):.3f}: with the bias penalized, the "
                   "feature is normalized by the whole vector h.")


data = ui.current_data()
train = data.train()
X, y = train.X, train.y
n, d = X.shape
Xt = lift(X)
if d > 2:
    st.error("This page shows 1-D or 2-D data.")
    st.stop()
picks = picked_points(X) if d == 2 else None
ui.widgets.show_sections("ga_section", line_section, features_section, lasso_section)
