"""Neural recovery: when does the min-norm ReLU network with a skip connection recover a planted
linear model? Phase transition (gated and cone-constrained programs), NIC-L, the 2-D pictures."""

import numpy as np
import pandas as pd
import streamlit as st

import ui
from convexnn import recovery as rc
from convexnn.figures import theory as tf
from ui import first_view as fv

D_CHOICES = list(range(2, 21))
MAX_TRIALS = 50
JOBS = 2
# Widget defaults: in the settings schema (ui/schema.py), which writes them into the session. The
# default grid is 20 cells x 4 trials = 80 instances (d = 4 and 8, each transition at n = 2d): a
# fast first view; more dimensions and trials on request.
KEEP = {"persist_state": "session"}  # widget values survive page switches


PROGRAMS_TEXT = (
    "- **gated program**: one unconstrained block per sampled pattern D_j (no cone constraints); "
    "the program of the reference experiments (`ReLU_skip/rec_rate_skip.py`).\n"
    "- **cone-constrained (ReLU) program**: blocks w_j, w'_j with (2D_j − I) X w_j ≥ 0, so each block "
    "is a real ReLU neuron on the data.\n"
    "- **linear model alone**: the least-norm solution pinv(X) y, which equals w\\* as soon as n ≥ d.\n\n"
    "Reference protocol: X_ij ~ N(0, 1/n), w\\* a unit Gaussian vector, max(n, 50) Gaussian gates "
    "(deduplicated), plus the all-ones pattern when some u ≠ 0 has Xu ≥ 0 (Wendel's event, probability "
    "2^−(n−1) Σ_{k<d} C(n−1, k), exactly ½ at n = 2d); success when ‖w0 − w\\*‖_∞ ≤ 10⁻⁴ and every other "
    "block is below 10⁻⁴. In the gated program the all-ones block duplicates w0, so whenever it is "
    "added the optimum is not unique and the solver splits w\\* between the two: that is why the gated "
    "failures follow Wendel's probability near n = 2d.")
FINDINGS = (
    "What the computation shows: the **gated** program (the reference's) recovers w\\* about half the time "
    "near n = 2d and almost always beyond it, following 1 − Wendel's probability. The "
    "**cone-constrained** program with the same sampled patterns recovers much earlier (at d = 10 already "
    "around n = 12–15 in our runs), so the n = 2d line is a statement about the gated program here. Many "
    "gated failures near 2d are ties: with the all-ones pattern present, w\\* is still optimal but no longer "
    "the only optimum, and the interior-point solver splits it between w0 and the all-ones block (choose "
    "\u201cnever added\u201d to see the gated program without that tie). The paper's "
    "claim is a high-probability statement; which program its n = 2d theorem covers we could not check "
    "against the paper's full text. Larger grids: `python -m convexnn recovery --d 10 20 --n 10:60:5 "
    "--trials 20 --jobs 2 --out grid.csv` (add `--dask ADDRESS` for a Dask cluster).")


def solve_cells(cells, trials: int, programs: tuple, planted: str, all_ones: str, seed: int,
                progress) -> list[dict]:
    """The trials of every cell (joblib, JOBS workers), solved once per grid for all sessions; the
    default grid is stored (ui.first_view: no worker processes to start on the first view)."""
    tasks = tuple((int(n), int(d), t) for n, d in cells for t in range(trials))
    args = (tasks, seed, tuple(programs), planted, all_ones)
    stored = fv.lookup(fv.recovery_grid, *args)
    if stored is not None:
        return stored
    key = ui.compute.fingerprint(tuple(cells), trials, programs, planted, all_ones, seed)
    return ui.compute.once("recovery_grid", key,
                           lambda: fv.recovery_grid(*args, n_jobs=JOBS, progress=progress))


@st.cache_data(show_spinner=False, max_entries=64)
def nic_sample(n: int, d: int, seed: int, planted: str) -> dict:
    prob = rc.planted_problem(n, d, seed=seed, planted=planted)
    out = {"n": n, "d": d, "patterns": int(prob.patterns.shape[0]), "all_ones": prob.all_ones_added}
    for program in rc.PROGRAMS:
        values, ones = rc.nic_values(prob.X, prob.w_star, prob.patterns, program)
        sol = rc.solve_min_norm(prob.X, prob.y, prob.patterns, program)
        out[program] = {"values": values, "ones": ones, "holds": rc.nic_holds(values, ones),
                        "recovered": rc.recovered(sol, prob.w_star), "objective": sol.objective,
                        "w0_error": float(np.linalg.norm(sol.w0 - prob.w_star)),
                        "relu_norm": sol.relu_norm()}
    return out


@st.cache_data(show_spinner=False, max_entries=1)
def illustrations():
    return rc.illustration(2), rc.illustration(5)


def grid_settings() -> tuple:
    """The grid's settings (folded away: the line below them says what is solved):
    (dimensions, programs, n range, n step, trials, planted w*, all-ones rule)."""
    # the grid's settings fold away (the line below them says what is solved): the figures start high
    with st.expander("Grid settings: dimensions, points, trials, programs"), st.form("recovery_grid_form"):
        c1, c2, c3 = st.columns([1.6, 1.4, 1.2])
        with c1:
            ds = st.multiselect("Dimensions d", D_CHOICES, key="recovery_ds", **KEEP)
            programs = st.multiselect("Programs", list(rc.PROGRAMS), format_func=tf.PROGRAM_NAMES.get,
                                      key="recovery_programs", **KEEP)
        with c2:
            n_range = st.slider("Points n", 2, 80, key="recovery_n_range", **KEEP)
            n_step = st.number_input("Step in n", 1, 20, key="recovery_n_step", **KEEP)
            all_ones = st.selectbox("All-ones pattern", ("reference", "never"), key="recovery_all_ones",
                                    format_func={"reference": "added when some u ≠ 0 has Xu ≥ 0 (reference)",
                                                 "never": "never added"}.get, **KEEP,
                                    help="In the gated program the all-ones block duplicates w0 (a tie).")
        with c3:
            trials = st.number_input("Trials per cell", 1, MAX_TRIALS, key="recovery_trials", **KEEP)
            planted = st.selectbox("w\\*", rc.PLANTED, key="recovery_planted",
                                   format_func={"gaussian": "unit Gaussian", "smallest":
                                                "smallest singular vector"}.get, **KEEP)
        st.form_submit_button("Run the grid", type="primary")
    return ds, programs, n_range, n_step, trials, planted, all_ones


def phase_section() -> None:
    """The phase transition: the grid solved (stored for the defaults), one heatmap per program,
    the slice at one d with 1 − Wendel's probability, the table and its CSV."""
    ds, programs, n_range, n_step, trials, planted, all_ones = grid_settings()
    seed = 0
    ns = list(range(int(n_range[0]), int(n_range[1]) + 1, int(n_step)))
    if not ds or not programs:
        st.warning("Choose at least one dimension d and one program.")
        return
    ds = sorted(int(d) for d in ds)
    run_programs = tuple(programs) + ("linear",)
    cells = [(n, d) for d in ds for n in ns]
    st.caption(f"{len(cells)} cells × {int(trials)} trials = {len(cells) * int(trials)} instances, "
               f"each solved with {' and '.join(tf.PROGRAM_NAMES[p] for p in programs)}; "
               "a solved grid is kept for every session.")

    with st.status("Solving the grid…", expanded=False) as status:
        bar = st.progress(0.0, text="solving (or waiting for another session solving the same grid)")

        def progress(done: int, total: int) -> None:
            if done == total or done % 5 == 0:
                bar.progress(done / total, text=f"{done} of {total} new instances solved")

        try:
            results = solve_cells(cells, int(trials), run_programs, planted, all_ones, seed, progress)
        except Exception as exc:  # a solver failure must not become a traceback
            status.update(label="The grid failed", state="error")
            st.error(f"The grid failed: {type(exc).__name__}: {ui.plain(exc, limit=300)}")
            return
        bar.progress(1.0, text="done")
        plural = "s" if len(cells) != 1 else ""
        status.update(label=f"Grid solved: {len(cells)} cell{plural}, {len(results)} instances",
                      state="complete")

    spec = rc.GridSpec(ns=ns, ds=ds, trials=int(trials), programs=run_programs, planted=planted, seed=seed,
                       all_ones=all_ones)
    rows = rc.summarize(spec, results)

    ui.plot.chart(tf.phase_heatmap(rows, programs), key="recovery_heat", config={"displayModeBar": False})

    with st.expander("The two programs, and which one is which", expanded=False):
        st.markdown(PROGRAMS_TEXT)

    if st.session_state.get("recovery_slice_d") not in ds:  # a link's d or the last grid's: not in this grid
        st.session_state["recovery_slice_d"] = ds[len(ds) // 2]
    d_slice = st.select_slider("Slice at d =", options=ds, key="recovery_slice_d", **KEEP)
    wn = np.arange(max(1, min(ns)), max(ns) + 1)
    left, right = st.columns([1.5, 1])
    with left:
        ui.plot.chart(tf.phase_slice([r for r in rows if r["d"] == d_slice], d_slice,
                      wendel=(wn, [rc.wendel_probability(int(n), d_slice) for n in wn])),
                      key="recovery_slice", config={"displayModeBar": False})
    with right:
        table = pd.DataFrame([r for r in rows if r["d"] == d_slice])
        wide = table.pivot(index="n", columns="program", values="success_rate")
        wide["1 − Wendel"] = [1 - rc.wendel_probability(int(n), d_slice) for n in wide.index]
        short = {"gated": "gated", "exact": "cone-constr.", "linear": "linear"}
        wide = wide[[p for p in ("gated", "exact", "linear") if p in wide.columns] + ["1 − Wendel"]]
        wide = wide.rename(columns=short)
        st.markdown(f"**Success rate at d = {d_slice}** ({int(trials)} trials per n)")
        st.dataframe(wide.style.format("{:.2f}"), height=35 * (len(wide) + 1) + 3)
        st.download_button("Download the grid (CSV)", rc.grid_csv(rows), file_name="recovery_grid.csv",
                           mime="text/csv", key="recovery_download")
    st.info(FINDINGS)


def nic_section() -> None:
    """The certificate NIC-L on one sample (w* drawn as the grid's setting says)."""
    planted = ui.schema.value("recovery_planted")
    st.caption(
        "Recovery is certified by a dual vector λ with Xᵀλ = w\\*/‖w\\*‖ and, for every pattern, "
        "‖Xᵀ D_j λ‖ < 1 (gated) or ‖Π_K_j(±Xᵀ D_j λ)‖ < 1 (cone-constrained, K_j the pattern's cone). "
        "NIC-L takes the least-norm λ = X(XᵀX)⁻¹ŵ\\*; the all-ones pattern is excluded (its value is "
        "exactly 1, the tie with w0). NIC-L is sufficient, not necessary: another λ may still certify "
        "recovery.")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        nic_n = st.number_input("n", 2, 200, key="recovery_nic_n", **KEEP)
    with c2:
        nic_d = st.number_input("d", 1, 40, key="recovery_nic_d", **KEEP)
    with c3:
        nic_seed = st.number_input("seed", 0, 10_000, key="recovery_nic_seed", **KEEP)
    with c4:
        nic_program = st.radio("Program", rc.PROGRAMS, key="recovery_nic_program", horizontal=True,
                               format_func={"gated": "gated", "exact": "cone-constrained"}.get, **KEEP)
    try:
        with st.spinner("Solving the sample…"):
            sample = nic_sample(int(nic_n), int(nic_d), int(nic_seed), planted)
    except Exception as exc:
        st.error(f"Could not solve this sample: {type(exc).__name__}: {exc}")
    else:
        res = sample[nic_program]
        values, ones = res["values"], res["ones"]
        m1, m2, m3, m4 = st.columns(4)
        rest = values[~ones]
        if np.all(np.isnan(rest)):
            m1.metric("largest value (all-ones excluded)", "undefined")
            st.warning("XᵀX is singular (n < d): the least-norm λ does not exist, NIC-L is undefined.")
        else:
            m1.metric("largest value (all-ones excluded)", f"{np.nanmax(rest):.4f}" if rest.size else "–")
        m2.metric("NIC-L", "holds" if res["holds"] else "fails")
        m3.metric(tf.PROGRAM_NAMES[nic_program], "recovers w*" if res["recovered"] else "does not recover")
        m4.metric("‖θ‖ of the optimum (‖w\\*‖ = 1)", f"{res['objective']:.4f}")
        if not np.all(np.isnan(values)):
            ui.plot.chart(tf.nic_bars(values, ones, nic_program), key="recovery_nic_chart",
                          config={"displayModeBar": False})
        with_ones = "with" if sample["all_ones"] else "without"
        st.caption(f"{sample['patterns']} patterns ({with_ones} the all-ones pattern); "
                   f"‖w0 − w\\*‖ = {res['w0_error']:.2e}, ReLU blocks' total norm {res['relu_norm']:.2e}.")


def pictures_section() -> None:
    """The talk's two pictures in the plane: n = 2 and n = 5 points, d = 2."""
    st.caption(
        "2-D inputs without bias (d = 2, so 2d = 4), a planted linear function f*(x) = w\\*ᵀx, and the "
        "min-norm ReLU network with skip connection over all exact patterns (cone-constrained program). "
        "With n = 2 points a ReLU neuron interpolates at a smaller norm than the linear neuron, so the "
        "level lines bend at its kink; with n = 5 points (n > 2d) only the linear neuron is left and the "
        "fit is w\\*ᵀx everywhere.")
    try:
        two, five = illustrations()
        ui.plot.chart(tf.illustration_figure(two, five), key="recovery_pictures",
                      config={"displayModeBar": False})
    except Exception as exc:
        st.error(f"Could not draw the pictures: {type(exc).__name__}: {exc}")


st.title("Neural recovery of a planted linear model")
st.caption(
    "Data y = X w\\* from a linear model, fitted by a two-layer ReLU network with a skip connection, "
    "f(X) = X w0 + Σ_j (X w_j)_+ a_j, of minimum norm among all interpolants (the β → 0 limit of "
    "weight decay). As a convex program: min ‖w0‖ + Σ_j ‖w_j‖ s.t. X w0 + Σ_j D_j X w_j = y. "
    "Recovery means the optimum is w0 = w\\* with every ReLU block zero (Wang, Hua, Candès & Pilanci).")
ui.widgets.show_sections("recovery_section", phase_section, nic_section, pictures_section)
