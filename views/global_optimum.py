"""Global optimum: solve the convex program on the current data, show the network, its
certificate (the dual values of every pattern against β), export it and import a network back."""

import numpy as np
import streamlit as st

import ui
from convexnn import optima
from convexnn.program import losses

KEY_HIGHLIGHT = "optimum_highlight"
KEY_IMPORT = "optimum_import"

st.title("Global optimum")
st.caption("The convex program is solved and certified by its duality gap; the network is read "
           "off its nonzero blocks, one neuron per block.")

data = ui.current_data()

# one row of settings (a column for the samples only with sampled patterns): the figure starts high
sampled = ui.settings().patterns != "exact"
ui.widgets.problem_block(st.columns([1.0, 0.95, 1.6, 1.35, 1.4] + ([0.9] if sampled else [])))

s = ui.settings()
train = data.train()
bmax = None
if train.n <= ui.MAX_SOLVE_POINTS:
    bmax = ui.compute.beta_max(train.X, train.y, s.loss, s.program)

result = ui.results.solve_current(data, s)
if result is None:
    st.stop()

model = result.model
exact = result.program == "exact"
left, right = st.columns([1.35, 1], gap="large")
with right:
    ui.results.show_metrics(result, data, columns=2)
    if bmax is not None:
        st.caption(f"β_max = {bmax:.4g}: for β ≥ β_max the optimal network is zero.")
    highlight = None
    if result.width > 0:

        def neuron_label(j: int) -> str:
            if j == -1:
                return "none"
            if not exact:
                return f"unit {j}"
            return f"neuron {j} (pattern {result.active[j, 0]}, w2 {'>' if model.w2[j] > 0 else '<'} 0)"

        ui.schema.within_data(KEY_HIGHLIGHT, result.width, "neurons in the optimal network")
        choice = st.selectbox(
            "Shade one neuron's active side", [-1, *range(result.width)], key=KEY_HIGHLIGHT,
            format_func=neuron_label, **ui.widgets.KEEP,
            help="2-D: the half-plane where the neuron is active; 1-D: its active interval and "
                 "its contribution (w1 x + b1)₊ w2.")
        highlight = None if choice == -1 else int(choice)
with left:
    ui.results.show_figure(result, data, key="optimum_chart", height=520, highlight=highlight)

# ---- below the figure, one tab at a time: only the open tab is built, so the first view draws
# the certificate and not the neuron table (its DataFrame chunks cost the first view ~0.4 s) ----


def certificate_section() -> None:
    """The certificate, made visible: every pattern's dual value against β."""
    if result.bars is None or not len(result.bars):
        st.info("No dual values for this solve.")
        return
    top = float(result.bars.max()) / result.beta
    fig = ui.charts.dual_bars(result.bars, result.beta, result.active, height=340, gated=not exact)
    ui.plot.chart(fig, key="optimum_dual_bars")
    norm = "‖X̃ᵀDᵢλ‖" if not exact else "‖Π_Kᵢ(±X̃ᵀDᵢλ)‖"
    at_beta = int(np.sum(result.bars.max(axis=1) >= result.beta * (1 - 1e-6)))
    dual = ("the solver's dual: the hinge loss has no unique gradient" if s.loss == "hinge"
            else "λ = −∇ℓ(f)")
    st.caption(
        f"With the dual point λ ({dual}), the network is optimal iff every pattern's dual "
        f"value {norm} is at most β (Mathematics page: optima and stationary points). All "
        f"{len(result.bars):,} patterns, sorted: the "
        f"largest is {top:.6f} β. The patterns of the network's neurons (diamonds) reach the "
        f"line β (complementary slackness); {at_beta} patterns reach it in all, the others "
        "could carry a neuron of the same value too (e.g. a neighbouring cell sharing a face).")


def neurons_section() -> None:
    """The network's neurons (or the gated model's units), one row per nonzero block."""
    st.markdown(f"**The {result.width} neurons**" if exact else f"**The {result.width} gated units**")
    neurons = ui.results.neuron_table(result)
    st.dataframe(neurons, height=min(300, 35 * (result.width + 1) + 3), width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.4f")  # narrow columns: no cut
                                for c in neurons.columns if c != "pattern"})
    if exact:
        st.caption("Each row is one nonzero block u of the convex program: w1 = u/√‖u‖, "
                   "w2 = ±√‖u‖, so ‖(w1, b1)‖ = |w2| and the norm ‖u‖ = ‖(w1, b1)‖·|w2|.")


def export_section() -> None:
    """Export the network (JSON, Python) and import one back to evaluate it on the current data."""
    ex, im = st.columns(2, gap="large")
    with ex:
        export_network()
    with im:
        import_network()


def export_network() -> None:
    if exact and result.width > 0:
        st.markdown("The network as JSON (weights, biases, activation, input normalisation) or as "
                    "a runnable Python/numpy snippet.")
        b1, b2 = st.columns(2)
        b1.download_button("Download JSON", ui.compute.export_json(model), file_name="network.json",
                           mime="application/json", key="optimum_download_json",
                           icon=":material/download:")
        b2.download_button("Download Python", ui.compute.export_python(model), file_name="network.py",
                           mime="text/x-python", key="optimum_download_py", icon=":material/code:")
        # built when opened: st.code's highlighter costs the first view ~0.3 s
        ui.widgets.show_folded("Python snippet", "optimum_snippet_open",
                               lambda: st.code(ui.compute.export_python(model), language="python"))
    elif exact:
        st.info("The optimal network is zero: nothing to export.")
    else:
        st.info("The gated model is not a ReLU network; choose the exact program to export.")


def import_network() -> None:
    upload = st.file_uploader("Import a network (JSON) and evaluate it on the current data",
                              type=["json"], key=KEY_IMPORT, max_upload_size=ui.MAX_UPLOAD_MB)
    if upload is None:
        return
    try:
        loaded = optima.load_network(upload.getvalue(), input_dim=train.dim)
    except ValueError as exc:
        st.error(f"Could not read {ui.plain(upload.name)}: {ui.plain(exc)}.")
        return
    obj = loaded.objective(train.X, train.y, s.beta, s.loss)
    m1, m2, m3 = st.columns(3)
    m1.metric("Imported objective", f"{obj:.6g}",
              help=f"At β = {s.beta:g} with the {s.loss} loss, on the current data")
    m2.metric("Its neurons", f"{loaded.width}")
    f = loaded.predict(train.X)
    if data.task == "classification":
        m3.metric("Its accuracy", f"{losses.accuracy(f, train.y):.0%}")
    else:
        m3.metric("Its RMSE", f"{np.sqrt(np.mean((f - train.y) ** 2)):.3g}")
    gap = obj - result.objective
    if exact and result.patterns == "exact":
        same = abs(gap) <= 1e-6 * max(abs(result.objective), 1e-12)
        verdict = ("the same as the optimum: it is a global optimum" if same else
                   f"{gap:.3g} above the optimum p* = {result.objective:.6g}" if gap > 0 else
                   f"{-gap:.3g} below p* = {result.objective:.6g} (the optimum is certified "
                   "only to its relative gap)")
        st.caption(f"Objective {verdict}. Max |f_imported − f_optimal| on the data: "
                   f"{np.max(np.abs(f - model.predict(train.X))):.2e}.")
    from convexnn import figures

    ui.plot.chart(figures.network_figure(loaded, data, height=380), key="optimum_import_chart")


ui.widgets.show_sections("optimum_section", certificate_section, neurons_section, export_section)
