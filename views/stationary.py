"""Stationary points vs global optima: restarts, p_I, the global optimum, landscape slices."""

import numpy as np
import pandas as pd
import streamlit as st

import ui
from convexnn import figures
from convexnn.figures import landscape as lf
from ui import first_view as fv
from ui import landscape as al

P = "stationary_"  # widget-key prefix of this page

st.title("Stationary points vs global optima")
st.caption(
    "Gradient training of a two-layer ReLU network stops at a (Clarke) stationary point θ. Its neurons "
    "realise a set I of activation patterns, and θ is a global optimum of the convex program restricted to I "
    "(Wang, Lacotte & Pilanci, ICLR 2022): **L(θ) = p_I ≥ p\\***. Training stops short exactly when it lacks "
    "patterns the global optimum uses.")

# ---- settings ----------------------------------------------------------------------------------
# one row of settings (the training details fold out in its last column): the figure starts near the top
c1, c2, c3, c4, c5, c6 = st.columns([2.1, 0.85, 0.95, 0.8, 0.95, 1.45], vertical_alignment="bottom")
with c1:
    preset_key = ui.widgets.choice(P + "preset", "Example")
preset = al.PRESETS[preset_key]
data = al.preset_data(preset_key, ui.current_data())
st.session_state[ui.S.PAGE_DATA] = ui.describe(data)  # the sidebar names the data of this page
keyed = P + preset.name + "_"
with c2:
    width = st.number_input("Width m", 1, 200, preset.width, key=keyed + "width",
                            help="Hidden neurons of every run.")
with c3:
    beta = st.number_input("β", 1e-5, 100.0, preset.beta, format="%.4g", key=keyed + "beta",
                           help="Weight decay: (β/2)‖θ‖² in L; the convex program has β‖u‖.")
with c4:
    n_runs = st.number_input("Runs", 1, 40, fv.STATIONARY_RUNS, key=keyed + "runs",
                             help="Random restarts (seeds 0, 1, …).")
with c5:
    optimizer = st.selectbox("Optimizer", ("adam", "gd"), index=("adam", "gd").index(preset.optimizer),
                             key=keyed + "opt", help="Both minimise L itself (no decoupled decay).")
with c6.expander("Training details"):
    lr = st.number_input("Learning rate", 1e-5, 1.0, preset.lr, format="%.4g", key=keyed + "lr")
    epochs = st.number_input("Epochs", 10, 50000, preset.epochs, step=100, key=keyed + "epochs")
    polish = st.number_input("GD polish steps", 0, 50000, preset.polish, step=500, key=keyed + "polish",
                             help="Full-batch GD on L after training (Mathematics page: optima and "
                                  "stationary points, step 1), so that the "
                                  "network is close to its stationary point.")

if data.dim != 2:
    st.warning("This page draws 2-D data; the current data are 1-D. Pick an example above or 2-D data on "
               "the Data page.")
    st.stop()
if data.n > ui.MAX_SOLVE_POINTS:
    st.warning(f"The data have {data.n} points; this page works with at most {ui.MAX_SOLVE_POINTS}. "
               "Use fewer points.")
    st.stop()
classification = data.task == "classification"
X, y, bias = data.X, data.y, preset.bias

# ---- the global optimum ------------------------------------------------------------------------
slow = data.n > 100
with st.status(f"Global optimum: exact convex program on {data.n} points"
               + (" (10–60 s the first time)…" if slow else "…"), expanded=False) as box:
    # stored for the default example (ui.first_view), else solved (and cached)
    opt = fv.call(al.convex_solve, X, y, float(beta), "exact", 200, 0, bias, "squared", "exact")
    if opt.error:
        box.update(label="The convex program failed", state="error")
    else:
        box.update(label=f"Global optimum p* = {opt.objective:.6g}: {opt.n_patterns:,} patterns, solved in "
                         f"{opt.time:.1f} s{' (stored: the default example)' if opt.stored else ''}, "
                         f"{'certified' if opt.certified else 'NOT certified'}",
                   state="complete")
if opt.error:
    st.error(f"Could not solve the convex program: {opt.error}")
    st.stop()
p_star = opt.objective

# ---- the restarts, with progress ---------------------------------------------------------------
runs = []
specs = []
if preset.name == "V4.1":
    specs += [(0, 0), (0, 1)]
specs += [(s, -1) for s in range(int(n_runs))]
bar = st.progress(0.0, text="Training…")
for k, (seed, start) in enumerate(specs):
    runs.append(fv.call(al.one_run, X, y, int(width), float(beta), int(seed), optimizer, float(lr),
                        int(epochs), int(polish), bias, start))
    bar.progress((k + 1) / len(specs), text=f"Run {k + 1} of {len(specs)}: L = {runs[-1].objective:.5g}")
bar.empty()
failed = [r for r in runs if r.error]
for r in failed:
    st.warning(f"Run {r.label} failed: {r.error}")
runs = [r for r in runs if not r.error]
if not runs:
    st.stop()

L = np.array([r.objective for r in runs])
pI = np.array([r.p_I for r in runs])
optimal = L <= p_star * (1 + 1e-3) + 1e-12

labels = [r.label for r in runs]
default_pick = int(np.argmax(L)) if (~optimal).any() else 0
# the run to show (a link's, checked against the runs here); -1 (the first view): the worst run
if ui.schema.within_data(P + "run", len(runs), "runs", default_pick) == -1:
    st.session_state[P + "run"] = default_pick


def run_choice(where=st) -> int:
    """The number of the run to show (one select box in whichever tab is open, one setting)."""
    return int(where.selectbox("Run", range(len(runs)), key=P + "run", format_func=labels.__getitem__,
                               **ui.widgets.KEEP))


def runs_section() -> None:
    """Every run: L and p_I against p*, the numbers beside, the table."""
    # the figure with its numbers beside it
    chart, numbers = st.columns([2.7, 1], gap="medium")
    numbers.metric("p* (global optimum)", f"{p_star:.6g}")
    numbers.metric("best run", f"{L.min():.6g}", f"{L.min() / p_star - 1:+.2%} vs p*", delta_color="inverse")
    numbers.metric("runs at the global optimum", f"{int(optimal.sum())} of {len(runs)}")
    numbers.metric("max |L − p_I| / p_I", f"{np.max(np.abs(L - pI) / np.abs(pI)):.1e}",
                   help="0 at a stationary point; larger means the run had not converged yet (more polish "
                        "steps).")
    fig = lf.restarts_figure(labels, L, pI, p_star, optimal, run_choice(where=numbers),
                             log=bool(L.max() / p_star > 20), height=380)
    with chart:
        st.markdown("**Every run: L and p_I against p\\***")  # bold, not a heading: the figure stays high
        ui.plot.chart(fig, key=P + "restarts_chart")
    st.caption("Circles: the final training objective L of each run (green: globally optimal, orange: "
               "stopped at a spurious stationary point). Crosses: p_I, the optimum of the convex program "
               "over the patterns that run's neurons realise (strict activity 1[x·w + b > 0], dead neurons "
               "dropped). They coincide: each run is optimal for its own patterns, and L ≥ p_I ≥ p* always.")
    st.caption(preset.note)
    st.caption("Convention: L = ½‖f(X) − y‖² + (β/2)(‖W1‖² + ‖b1‖² + ‖w2‖²), the squared loss of the "
               "Mathematics page (half the sum of squares). Training minimises L itself (Adam or GD on the "
               "explicit objective), then polishes with full-batch GD.")
    # built when opened: the first view does not load the DataFrame chunks
    ui.widgets.show_folded("All runs as a table", P + "table_open", show_runs_table)


def show_runs_table() -> None:
    """Every run as a row: L, p_I, the gaps, its patterns, neurons and certificate."""
    table = pd.DataFrame({
        "run": labels,
        "L": L,
        "p_I": pI,
        "(L − p_I)/p_I": [f"{g:.1e}" for g in (L - pI) / np.abs(pI)],
        "L/p* − 1": [f"{v:.2%}" for v in L / p_star - 1],
        "patterns |I|": [r.n_patterns for r in runs],
        "neurons alive": [r.alive for r in runs],
        "certificate": [f"{r.certificate:.3g}" for r in runs],
        "verdict": ["global optimum" if o else "spurious" for o in optimal],
        "train time (s)": [round(r.train_time, 2) for r in runs],
    })
    st.dataframe(table, hide_index=True)
    st.caption("certificate = max over all patterns of ‖Π_K(±X̃ᵀD λ)‖ / β with λ = y − f(X) "
               "(Mathematics page: optima and stationary points, step 6): ≤ 1 exactly when a stationary "
               "point is globally optimal.")
    if opt.stored:
        st.caption("The default example's runs are stored (assets/first_views.npz, checked by a test "
                   "that reruns them): their train times were measured when that file was made.")


def run_section() -> None:
    """One run next to the global optimum: both networks, the patterns the run lacks."""
    run = runs[run_choice()]
    opt_patterns = optimum.patterns(X, strict=True)
    run_set = {tuple(p) for p in run.patterns.astype(bool).tolist()}
    lacking = np.array([tuple(p) not in run_set for p in opt_patterns.astype(bool).tolist()])
    a, b = st.columns(2)
    with a:
        f1 = ui.charts.network_figure(run.network, data, height=430,
                                    title=f"{run.label}: L = {run.objective:.5g}, {run.alive} neurons")
        ui.plot.chart(f1, key=P + "run_chart")
    with b:
        few = optimum.width <= 30  # hundreds of neuron lines would hide the picture
        f2 = ui.charts.network_figure(optimum, data, height=430, show_neurons=few,
                                    title=f"global optimum: p* = {p_star:.5g}, {optimum.width} neurons")
        if lacking.any() and few:
            box = figures.bounding_box(X, 0.15, square=True)
            f2.add_traces(lf.missing_neuron_traces(optimum.W1[:, lacking], optimum.b1[lacking], box))
        ui.plot.chart(f2, key=P + "optimum_chart")
    n_lack = int(lacking.sum())
    if n_lack:
        st.markdown(f"The run realises **{run.n_patterns}** patterns; the global optimum uses "
                    f"**{optimum.width}** neurons, and **{n_lack}** of their patterns are missing from the "
                    "run " + ("(red dashed lines). " if optimum.width <= 30 else "(too many lines to draw). ")
                    +
                    f"Restricted to its own patterns the run is optimal (p_I = {run.p_I:.5g}); the missing "
                    f"patterns are what it would need to reach p* = {p_star:.5g}.")
    else:
        st.markdown(f"The run realises every pattern the optimum uses ({optimum.width} neurons): p_I = p*.")
    accs = ""
    if classification:
        accs = (f" Training accuracy: run {al.accuracy(run.network, X, y):.1%}, "
                f"optimum {al.accuracy(optimum, X, y):.1%}.")
    st.caption("Dotted lines: each neuron's hyperplane w1·x + b1 = 0." + accs)


def landscape_section() -> None:
    """The objective on the segment from the run to the optimum and on a plane through both."""
    picked = run_choice()
    run = runs[picked]
    if optimal[picked]:
        st.info("This run reached the global optimum (L = p*): there is nothing between them to slice. "
                "Pick a spurious run (orange).")
        return
    third = ui.widgets.choice(P + "third", "Third point of the plane", kind="radio", horizontal=True,
                              help="The plane passes through the stationary point (0, 0), the global "
                                   "optimum (1, 0) and this point.")
    run_key = (run.label, float(run.objective), run.network.width, tuple(np.round(run.network.w2, 12)))
    opt_key = (float(p_star), optimum.width, tuple(np.round(optimum.w2, 12)))
    with st.spinner("Evaluating the objective on the segment and the plane…"):
        try:
            land = al.landscape(X, y, float(beta), run, run_key, optimum, opt_key, third)
        except ValueError as exc:
            st.warning(f"No landscape for this pair: {exc}")
            return
    s1, s2 = st.columns([1, 1.35])
    with s1:
        ui.plot.chart(lf.segment_figure(land.ts, land.segment, p_star), key=P + "segment_chart")
        bump = float(np.max(land.segment) - max(land.segment[0], land.segment[-1]))
        st.caption(f"L along the straight line from the stationary point to the global optimum, with neurons "
                   f"matched first ({land.width} slots: the optimum's neurons are permuted, split among "
                   "the run's neurons of the same pattern and padded; its function and objective are "
                   "unchanged). " + (f"The path climbs {bump:.3g} above its higher end: a barrier."
                                     if bump > 1e-9 * abs(p_star) else "No barrier on this line."))
    with s2:
        figp = lf.plane_figure(land.s, land.t, land.plane, land.points, land.trajectory,
                               [f"{e}" for e in land.trajectory_labels])
        ui.plot.chart(figp, key=P + "plane_chart")
        st.caption("Contours of L on the plane (log colour scale). White: the training trajectory projected "
                   f"onto the plane (largest distance off the plane: {land.off_plane:.2f} × ‖θ* − θ‖); press "
                   "Play to watch it. The last point is after the GD polish.")


optimum = opt.minimal if opt.minimal is not None else opt.network
ui.widgets.show_sections(P + "section", runs_section, run_section, landscape_section)
