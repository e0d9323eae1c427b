"""Real data: a convex two-layer head on features vs AdamW, test accuracy against wall time
(docs/experiments.md). Bundled digits and breast-cancer sets, uploads, optional sentence embeddings."""

import hashlib

import numpy as np
import pandas as pd
import streamlit as st

import ui
from convexnn import compare as cmp
from convexnn import realdata as rd
from convexnn.figures import compare as cf

P = "real_data_"
SOURCES = ui.schema.REAL_DATA_SOURCES
K_CHOICES = [10, 20, 50, 100, 200, 400]
METHOD_CHOICES = list(cmp.METHODS)
KEEP = {"persist_state": "session"}  # the form keeps its values through st.stop() and uploads

st.title("Real data: the convex head against AdamW")
st.caption(
    "A two-layer ReLU head on fixed features, trained two ways on the same rows: the **convex** gated "
    "program on k sampled activation patterns (FISTA) and **AdamW** on k neurons, each with its "
    "hyper-parameters chosen by validation. Test accuracy of the best-by-validation model so far against "
    "the wall time of the whole search, median and min–max band over seeds (Mathematics page: "
    "experiments).")
# the settings on the left, the figure and its numbers on the right: both above the fold at 1280x720
side, results = st.columns([1.1, 2.4], gap="medium")


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=16)
def bundled(source: str, classes: tuple) -> rd.LabelledData:
    if source == SOURCES[2]:
        return rd.breast_cancer()
    return rd.digits(classes)


# an upload is at most 10^7 numbers (80 MB): two cached (and four splits) bound the memory
@st.cache_data(show_spinner=False, max_entries=2, ttl=900)
def parse_upload(raw: bytes, name: str, label_column: str) -> rd.LabelledData:
    if name.lower().endswith((".npy", ".npz")):
        return rd.from_numpy_file(raw, name)
    return rd.from_csv_table(raw, label_column or None, name=name)


@st.cache_data(show_spinner=False, max_entries=4, ttl=900)
def embed(text: str) -> rd.LabelledData:
    sentences, labels = rd.parse_sentences(text)
    return rd.embed_sentences(sentences, labels)


@st.cache_data(show_spinner=False, max_entries=4, ttl=900)
def make_split(data: rd.LabelledData, test: float, standardize: str, max_train: int) -> rd.Split:
    return rd.split(data, test, seed=0, standardize=standardize, max_train=max_train)


with side:
    source = st.radio("Data", SOURCES, key=P + "source", **KEEP)
    data = None
    try:
        if source == SOURCES[0]:
            c1, c2 = st.columns(2)
            a = c1.selectbox("Digit", list(range(10)), key=P + "digit_a", **KEEP)
            b = c2.selectbox("against digit", list(range(10)), key=P + "digit_b", **KEEP)
            if a == b:
                st.warning("Choose two different digits.")
                st.stop()
            data = bundled(source, (int(a), int(b)))
        elif source == SOURCES[1]:
            chosen = st.multiselect("Digits (one head per class, predicted by argmax)", list(range(10)),
                                    key=P + "digits_ovr", **KEEP)
            if len(chosen) < 3:
                st.warning("Choose at least three digits (two digits: use the two-class choice).")
                st.stop()
            data = bundled(source, tuple(sorted(int(c) for c in chosen)))
        elif source == SOURCES[2]:
            data = bundled(source, ())
        elif source == SOURCES[3]:
            up = st.file_uploader("Features with labels: CSV (header row, one label column), .npy (last "
                                  "column = label) or .npz (arrays X and y)",
                                  type=["csv", "txt", "npy", "npz"],
                                  key=P + "upload", max_upload_size=ui.MAX_FEATURE_UPLOAD_MB)
            label_column = st.text_input("Label column (CSV)", "", key=P + "label_column",
                                         help="Its header name; empty: a column named label/y/target/class, "
                                              "else the last one.", **KEEP)
            if up is None:
                st.info(f"Upload a file: up to {rd.MAX_ROWS:,} rows and {rd.MAX_COLUMNS:,} feature columns, "
                        "two or more classes (one-vs-rest heads beyond two). Arrays are read with "
                        "`allow_pickle=False`.")
                st.stop()
            data = parse_upload(up.getvalue(), up.name, label_column.strip())
        else:
            if not rd.embedding_available():
                st.info(rd.EMBEDDING_HELP + " Then paste lines `label, sentence` here; they are embedded on "
                        "this machine (no download at run time).", icon=":material/info:")
                st.stop()
            text = st.text_area("One labelled sentence a line: `label, sentence`", key=P + "sentences",
                                height=200, **KEEP)
            if not text.strip():
                st.stop()
            with st.spinner("Embedding the sentences…"):
                data = embed(text)
    except ValueError as exc:
        st.error(f"These data cannot be used: {ui.plain(exc)}")
        st.stop()
st.session_state[ui.S.PAGE_DATA] = data.describe()  # the sidebar names the data of this page

# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------

with side, st.form(P + "form"):
    methods = st.multiselect("Methods", METHOD_CHOICES, key=P + "methods", format_func=cf.METHOD_NAMES.get,
                             help="The exact (cone-constrained) program uses the certified working-set "
                                  "solver: tens of seconds per β on the digits, so it is opt-in.", **KEEP)
    ks = st.multiselect("Width k (sampled patterns = AdamW neurons)", K_CHOICES, key=P + "ks", **KEEP)
    c1, c2 = st.columns(2)
    seeds = c1.number_input("Seeds", 1, 10, key=P + "seeds", **KEEP)
    test = c2.slider("Test fraction", 0.1, 0.9, step=0.05, key=P + "test", **KEEP)
    with st.expander("Sampling, scaling, solver and AdamW details"):
        sampling = st.selectbox("Pattern sampling", cmp.SAMPLING, key=P + "sampling",
                                format_func={"gaussian": "Gaussian",
                                             "geometric": "geometric algebra"}.get, **KEEP)
        sketch = st.number_input("Sketch dimension (GA; 0 = none)", 0, 1000, step=10, key=P + "sketch",
                                 **KEEP)
        standardize = st.selectbox("Scaling", rd.STANDARDIZE, key=P + "standardize",
                                   format_func={"none": "none", "standard": "standardise (train statistics)",
                                                "minmax": "min-max to [0, 1]", "unit": "unit-norm rows"}.get,
                                   **KEEP)
        max_train = st.number_input("Max training rows", 20, rd.MAX_ROWS, step=100, key=P + "max_train",
                                    **KEEP)
        d1, d2 = st.columns(2)
        epochs = d1.number_input("AdamW epochs", 1, 200, key=P + "epochs", **KEEP)
        batch = d2.number_input("Batch size", 1, 1000, key=P + "batch", **KEEP)
        tol = st.select_slider("FISTA relative gap", [1e-6, 1e-5, 1e-4, 1e-3], key=P + "tol",
                               format_func=lambda v: f"{v:g}", **KEEP)
        sizes = st.toggle("Also ¼ and ½ of the training rows", key=P + "sizes",
                          help="For the plot of accuracy against training-set size at a fixed "
                               "budget.", **KEEP)
        st.caption("β grid: 0.1, 0.03, 0.01 × β_max (β_max = max_i ‖X̃ᵀ D_i y‖, the smallest β with the zero "
                   "solution); learning rates 1e-2, 1e-3, 1e-4, AdamW weight decay 1e-3 (Mathematics "
                   "page: experiments).")
    run = st.form_submit_button("Run the comparison", type="primary", width="stretch")


def data_key(s: rd.Split) -> str:
    h = hashlib.sha1()
    for a in (s.X_train, s.X_test):
        h.update(np.ascontiguousarray(a).tobytes())
    for a in (s.labels_train, s.labels_test, s.classes):
        h.update(np.asarray(a).astype(str).tobytes())
    return h.hexdigest()


@st.cache_data(show_spinner=False, max_entries=2000)
def run_task(key: str, _split: rd.Split, spec_items: tuple, task: tuple) -> list[dict]:
    """One run (method, seed, k, size); keyed on the data hash, the settings and the task."""
    return cmp.run_task(_split, cmp.CompareSpec(**dict(spec_items)), task)


with results:
    if not methods or not ks:
        st.warning("Choose at least one method and one width k.")
        st.stop()

    split = make_split(data, float(test), standardize, int(max_train))
    if "convex_exact" in methods and split.n_train * split.dim > 20_000:
        st.warning(f"The exact program keeps all {split.n_train} constraints per cone: with {split.dim} "
                   "features expect tens of seconds per β and width (measured: 15-35 s at 143 rows x 64 "
                   "features, k = 50), up to its time limit of 60 s per solve.", icon=":material/hourglass:")
    rows_line = (f"{ui.plain(data.describe())} → {split.n_train} training rows (of which 20% validate the "
                 f"hyper-parameters), {split.X_test.shape[0]} test rows, {split.dim} features.")
    if split.n_train < 16:
        st.caption(rows_line)
        st.warning("Fewer than 16 training rows: lower the test fraction or use more data.")
        st.stop()

    train_sizes = (max(16, split.n_train // 4), max(16, split.n_train // 2)) if sizes else ()
    try:
        spec = cmp.CompareSpec(methods=tuple(m for m in METHOD_CHOICES if m in methods), ks=tuple(sorted(ks)),
                               seeds=tuple(range(int(seeds))), train_sizes=train_sizes, sampling=sampling,
                               sketch_dim=int(sketch) or None, tol=float(tol), epochs=int(epochs),
                               batch_size=int(batch))
    except ValueError as exc:
        st.error(f"Invalid settings: {ui.plain(exc)}")
        st.stop()

    AUTO_RUNS = 2  # the default (1 seed, convex gated and AdamW, k = 50: about a second each) opens ready
    key = data_key(split)
    spec_items = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in spec.as_dict().items()))
    request = (key, spec_items)
    if run or (P + "request" not in st.session_state and len(cmp.tasks(split, spec)) <= AUTO_RUNS):
        st.session_state[P + "request"] = request  # the first view runs a small default by itself
    if st.session_state.get(P + "request") != request:
        st.info("Press **Run the comparison** to train (about a second per run on the digits; the line below "
                "counts the runs).", icon=":material/play_arrow:")
        st.caption(f"{len(cmp.tasks(split, spec))} runs: methods × widths × seeds × training sizes = "
                   f"{len(spec.methods)} × {len(spec.ks)} × {len(spec.seeds)} × {len(train_sizes) + 1}.")
        st.caption(rows_line)
        st.stop()

    # ----------------------------------------------------------------------------------------
    # Run, with progress (changing a setting or pressing Stop interrupts between checkpoints)
    # ----------------------------------------------------------------------------------------

    todo = cmp.tasks(split, spec)
    rows: list[dict] = []
    stopped = False
    with st.status(f"Training: {len(todo)} runs…", expanded=True) as status:
        bar = st.progress(0.0, text="starting")
        if st.button("Stop", key=P + "stop"):
            st.session_state[P + "request"] = None
            stopped = True
        for i, task in enumerate(todo):
            if stopped:
                break
            m, s, k, n = task
            bar.progress(i / len(todo), text=f"{cf.METHOD_NAMES[m]}, seed {s}, k = {k}, "
                                             f"{n or split.n_train} training rows ({i + 1} of {len(todo)})")
            try:
                rows += run_task(key, split, spec_items, task)
            except Exception as exc:  # a failing run must not become a traceback
                status.update(label="A run failed", state="error")
                st.error(f"{cf.METHOD_NAMES[m]} failed: {type(exc).__name__}: {ui.plain(exc, limit=300)}")
                st.stop()
        bar.progress(1.0, text="done")
        n_runs = len({(r["method"], r["seed"], r["k"], r["n_train"]) for r in rows})
        status.update(label=f"Trained {n_runs} runs" + (" (stopped)" if stopped else ""), state="complete",
                      expanded=False)

    if not rows:
        st.info("Stopped before any run finished: press **Run the comparison** again.")
        st.stop()

    # ----------------------------------------------------------------------------------------
    # Results
    # ----------------------------------------------------------------------------------------

    st.markdown("**Test accuracy against wall time**")  # a bold line, not a heading: the figure stays high
    ui.plot.chart(cf.accuracy_time_figure(rows, height=400), key=P + "time_figure",
                  config={"displayModeBar": False})
    st.caption(rows_line)
table = pd.DataFrame(cmp.summary(rows))
full = max(r["n_train"] for r in rows)
shown = table[table["n_train"] == full].copy()
shown["method"] = shown["method"].map(cf.METHOD_NAMES)
shown["range"] = [f"{lo:.3f}–{hi:.3f}"
                  for lo, hi in zip(shown["test_acc_min"], shown["test_acc_max"], strict=True)]
shown["reach"] = [f"{t:.3g} s ({r}/{n} seeds)" if np.isfinite(t) else f"no ({r}/{n} seeds)"
                  for t, r, n in zip(shown["time_to_adamw_median"], shown["reached"], shown["seeds"],
                                     strict=True)]
shown = shown[["method", "k", "test_acc_median", "range", "time_median", "neurons_median",
               "adamw_final_median", "reach", "hyper"]].rename(columns={
                   "test_acc_median": "test accuracy", "range": "over seeds", "time_median": "time, s",
                   "neurons_median": "neurons", "adamw_final_median": "AdamW's final accuracy",
                   "reach": "first reaches it after", "hyper": "chosen"})
st.dataframe(shown, hide_index=True, column_config={
    "test accuracy": st.column_config.NumberColumn(format="%.4f"),
    "time, s": st.column_config.NumberColumn(format="%.3g"),
    "neurons": st.column_config.NumberColumn(format="%.0f"),
    "AdamW's final accuracy": st.column_config.NumberColumn(format="%.4f")})
st.caption("Medians over seeds. **Time**: until the last candidate (the whole search). **First reaches it "
           "after**: the median time at which the best-by-validation model so far first matches AdamW's "
           "median final test accuracy. "
           "Neurons: the convex head's nonzero blocks (one neuron each) against AdamW's fixed width k (times "
           "the number of heads for one-vs-rest). Times are wall-clock on this machine, shared with other "
           "sessions; AdamW's count optimizer steps only, the convex ones everything from pattern sampling "
           "to the last duality-gap check.")

sizes_present = sorted({r["n_train"] for r in rows})
if len(sizes_present) > 1:
    st.subheader("Test accuracy against training-set size, at a fixed time budget")
    budget = st.number_input("Budget (s)", min_value=1e-3, value=float(f"{cmp.default_budget(rows):.3g}"),
                             format="%.3g", key=P + "budget",
                             help="Default: the median time at which the convex gated runs finish on all "
                                  "training rows (t0 of the experiments, Mathematics page).")
    ui.plot.chart(cf.accuracy_size_figure(rows, float(budget)), key=P + "size_figure",
                  config={"displayModeBar": False})

c1, c2 = st.columns(2)
c1.download_button("Download all checkpoints (CSV)", cmp.rows_csv(rows), file_name="real_data_comparison.csv",
                   mime="text/csv", key=P + "download")
c2.download_button("Download the summary (CSV)", cmp.rows_csv(cmp.summary(rows)),
                   file_name="real_data_summary.csv", mime="text/csv", key=P + "download_summary")
st.caption("The same experiment from the command line: `python -m convexnn compare --data digits:3,8 --k 50 "
           "--seeds 3 --out results.csv` (add `--jobs` or `--dask ADDRESS` on a larger machine).")
