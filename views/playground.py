"""Playground: draw points and watch the certified global optimum move; AdamW trains beside it.

The canvas is the plot: its background is the optimum (regions, boundary, hyperplanes) of the
convex program over all patterns, re-solved on every click (:func:`ui.compute.playground_optimum`).
The drawing is the app's one drawing (:mod:`ui.drawing`), so every page sees it. Classroom links
hide controls with ``<control>_hide=true`` (settings of the schema, see
:data:`ui.schema.PLAYGROUND_HIDEABLE`).
"""

import urllib.parse

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

import ui
from convexnn import playground as pg
from convexnn.figures import playground as fpg
from ui import K, S
from ui.schema import HIDE, PLAYGROUND_HIDEABLE

ss = st.session_state
P = "pg_"
CANVAS = P + "canvas"
WIDTH, LR = "pg_width", "pg_lr"
LAST_GOOD, RUN, PAUSES = "_pg_last_good", "_pg_run", "_pg_pauses"
PLAYING, TIMER = "_pg_playing", "_pg_timer"
MAX_POINTS = 100  # most training points solved on each click (about a second at 100)
BETAS = [1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]
STEPS_PER_TICK, TICK_SECONDS, MAX_STEPS = 100, 0.5, 20_000
SIZE = ui.canvas.CANVAS_SIZE

hidden = {name for name in PLAYGROUND_HIDEABLE if ui.schema.value(name + HIDE)}

# a drawing the canvas sent in this rerun: take it before anything shows the data
mode_color = ui.drawing.click_color(ss.get(S.CANVAS_TASK, "classification"), "mode" in hidden)
for note in ui.drawing.process_canvas(ss.get(CANVAS), mode_color):
    st.warning(ui.plain(note))


def show_numbers(opt, X: np.ndarray, y: np.ndarray, task: str) -> None:
    """The certificate badge, the objective and the neuron count of the optimum of (X, y)."""
    if opt.certified:
        st.success(opt.badge(), icon=":material/verified:")
    else:
        st.warning(opt.badge())
    a, b = st.columns(2)
    a.metric("objective p*", f"{opt.objective:.5g}", help="The convex program's optimal value: "
             "loss + β Σ‖u_i‖, equal to the network's loss + (β/2)‖θ‖².")
    if task == "classification":
        b.metric("training accuracy", f"{ui.compute.accuracy(opt.model, X, y):.0%}")
    else:
        b.metric("patterns", f"{opt.n_patterns:,}")
    st.markdown(f"**{opt.neuron_line()}**")
    st.caption(f"{opt.n_patterns:,} patterns, solved in {opt.cpu_seconds:.2f} s CPU · "
               f"β = {opt.beta:g}, {opt.loss} loss, {opt.program} program")


def use_setting(widget_key: str, setting_key: str) -> None:
    """Callback: a playground widget writes the shared setting (other pages show it with their own
    widget types, so the playground's widgets have keys of their own)."""
    ss[setting_key] = ss[widget_key]


def controls() -> None:
    """β, loss and program: this page's widgets for the shared settings ``K.BETA``, ``K.LOSS``,
    ``K.PROGRAM``."""
    for key in (K.BETA, K.LOSS, K.PROGRAM):
        ss[P + key] = ui.schema.value(key)
    if "beta" not in hidden:
        options = sorted(set(BETAS) | {float(ss[P + K.BETA])})
        st.select_slider("β (weight decay)", options, key=P + K.BETA, format_func=lambda v: f"{v:g}",
                         on_change=use_setting, args=(P + K.BETA, K.BETA),
                         help="The penalty (β/2)‖θ‖²: larger β, fewer neurons.")
    c1, c2 = st.columns(2)
    if "loss" not in hidden:
        c1.selectbox("Loss", ui.LOSSES, key=P + K.LOSS, on_change=use_setting,
                     args=(P + K.LOSS, K.LOSS), help="logistic and hinge need labels ±1 (classification).")
    if "program" not in hidden:
        c2.selectbox("Program", ui.PROGRAMS, key=P + K.PROGRAM, on_change=use_setting,
                     args=(P + K.PROGRAM, K.PROGRAM),
                     help="exact: ReLU cone constraints; gated: the relaxation without them.")


def click_mode(task: str) -> str:
    """The click's colour: a class, a regression point, or the eraser."""
    if "mode" not in hidden and task == "classification":
        st.radio("A click", [1, -1, ui.canvas.ERASE], horizontal=True, key=K.DRAW_CLASS,
                 persist_state="session", label_visibility="collapsed",
                 format_func={1: ":orange[●] class +1", -1: ":blue[●] class −1",
                              ui.canvas.ERASE: ":red[✕] erase"}.get)
    elif "mode" not in hidden:
        st.toggle(":red[✕] a click erases", key=ui.drawing.ERASE_1D, persist_state="session")
    return ui.drawing.click_color(task, "mode" in hidden)


st.title("Playground", help="Draw points and watch the certified global optimum move.")
data = ui.current_data()
task = ss[S.CANVAS_TASK]
view = ss[S.CANVAS_VIEW]
s = ui.settings()

if not ui.canvas.drawable(data):
    st.info(f"The current data ({ui.plain(data.name)}) are a 2-D regression, which the "
            "playground cannot draw. Start a drawing (two classes) or pick a drawable preset on the "
            "Data page.")
    st.button("Start a drawing", key=P + "start", on_click=ui.drawing.clear_canvas)
    st.stop()

train = data.train()
# the canvas, its numbers and the neurons side by side; what does not fit wraps below
row = st.container(horizontal=True, wrap=True, gap="medium")
left = row.container(width=SIZE + 4)
middle = row.container(width=250)
right = row.container(width=250)

with middle:
    numbers = st.container()
    problem = ss.get(S.CANVAS_PROBLEM) if ss.get(S.SOURCE) == "drawing" else None
    shown, note = ss.get(LAST_GOOD), None
    if shown is not None and shown[1].shape[1] != train.X.shape[1]:
        shown = None  # the last optimum was of data with another number of inputs
    if train.n > MAX_POINTS:
        note = (f"{train.n} training points: the playground solves at most {MAX_POINTS} on each "
                f"click (the Global optimum page solves up to {ui.MAX_SOLVE_POINTS}).")
    else:
        with st.spinner("solving…"):
            opt, error = ui.compute.playground_optimum(train.X, train.y, float(s.beta), s.loss, s.program)
        if opt is not None and opt.certified:
            shown = ss[LAST_GOOD] = (opt, train.X, train.y)
        elif opt is not None:
            note = (f"The solve stopped before its certificate ({opt.status}); the last certified "
                    "optimum stays on the canvas.")
        else:
            note = error
    with numbers:
        if problem:
            st.warning(f"{ui.plain(problem)} The optimum of the previous points stays on the canvas.")
        if note:
            st.warning(note)
        if shown is not None:
            show_numbers(shown[0], shown[1], shown[2], task)
        controls()

model = shown[0].model if shown is not None else None
order = pg.neuron_order(model) if model is not None else np.zeros(0, int)

with right:
    pick = None
    if model is not None and "neurons" not in hidden and model.width > 0:
        signs = pg.neuron_signs(model, shown[1])
        weights = pg.neuron_weights(model)
        ranks = list(range(1, len(order) + 1))
        pick = st.pills("Neurons by weight (click one to highlight it)", ranks, key=P + "highlight",
                        format_func=lambda r: f"{r}{'+' if signs[order[r - 1]] > 0 else '−'}")
        tiles = fpg.thumbnails(model, view, order[:24], task, size=72, X=shown[1])
        labels = [f"{r} · {weights[order[r - 1]]:.2g}" for r in ranks[:24]]
        st.image(fpg.thumbnail_sheet(tiles, labels), width=234)
        if len(order) > 24:
            st.caption(f"…and {len(order) - 24} lighter neurons.")

highlight = int(order[pick - 1]) if pick is not None and model is not None and pick <= len(order) else None

with left:
    color = click_mode(task)
    if model is not None:
        background = fpg.optimum_image(model, view, task, SIZE, highlight, X=shown[1])
    else:
        background = fpg.blank_image(view, SIZE, "draw points of both classes")
    st_canvas(fill_color=color, stroke_color=color, stroke_width=ui.canvas.POINT_STROKE,
              background_image=background, height=SIZE, width=SIZE, drawing_mode="point",
              point_display_radius=ui.canvas.POINT_RADIUS, initial_drawing=ss[S.CANVAS_INITIAL],
              key=CANVAS)
    if "edit" not in hidden:
        b1, b2 = st.columns(2)
        b1.button("Undo", key=P + "undo", on_click=ui.state.undo, disabled=not ui.state.can_undo(),
                  icon=":material/undo:", width="stretch")
        b2.button("Clear", key=P + "clear", on_click=ui.drawing.clear_canvas, icon=":material/delete:",
                  width="stretch")
    legend = ("Dark curve: the optimum f(x); thin lines: each neuron's kink" if task == "regression1d"
              else "Dark: the decision boundary f = 0; thin lines: each neuron's hyperplane")
    st.caption(f"{ui.plain(ui.describe(data))}. {legend} (orange: output weight > 0, blue: < 0).")


# --------------------------------------------------------------------------------------------
# AdamW beside the optimum
# --------------------------------------------------------------------------------------------


def run_key() -> tuple:
    return (train.X.tobytes(), train.y.tobytes(), float(s.beta), s.loss, int(ui.schema.value(WIDTH)), 0)


def reset_run() -> None:
    ss.pop(RUN, None)
    ss[PAUSES] = []


def set_playing(play: bool) -> None:
    """Play or Pause; a click that reaches the server twice (a slow browser repeats the trigger
    with the timer's next tick) does the same again."""
    ss[PLAYING] = play


def current_run() -> pg.AdamWRun | None:
    key = run_key()
    stored = ss.get(RUN)
    if stored is None or stored[0] != key:
        try:
            ss[RUN] = (key, pg.start_adamw(train.X, train.y, key[4], s.beta, s.loss, seed=key[5]))
        except ValueError as exc:
            st.warning(f"AdamW cannot start: {ui.plain(exc)}.")
            return None
        ss[PAUSES] = []
    return ss[RUN][1]


def advance(run: pg.AdamWRun) -> None:
    pg.advance_adamw(run, train.X, train.y, s.beta, s.loss, STEPS_PER_TICK, float(ui.schema.value(LR)))


def step_once() -> None:
    run = current_run()
    if run is not None:
        advance(run)


ss[TIMER] = bool(ss.get(PLAYING))  # the fragment's timer runs while playing (set per full run)


@st.fragment(run_every=TICK_SECONDS if ss[TIMER] else None)
def adamw_panel(p_star: float | None) -> None:
    if bool(ss.get(PLAYING)) != ss[TIMER]:
        st.rerun()  # Play/Pause: a full run starts or stops the fragment's timer
    run = current_run()
    if run is None:
        return
    playing = bool(ss.get(PLAYING))
    if playing and not run.diverged and run.step < MAX_STEPS:
        advance(run)
    elif playing:  # finished or diverged: pause (a full rerun stops the timer)
        ss[PLAYING] = False
        st.rerun()
    pic, chart = st.columns([1, 1.6])
    with pic:
        b1, b2, b3 = st.columns(3)
        ui.widgets.play_pause(P, playing, set_playing, where=b1)
        b2.button("Step", key=P + "step", on_click=step_once, disabled=playing, width="stretch",
                  help=f"{STEPS_PER_TICK} AdamW steps")
        b3.button("Reset", key=P + "reset", on_click=reset_run, width="stretch")
        inputs = train.X[:, 0] if task == "regression1d" else train.X
        st.image(fpg.optimum_image(run.network(), view, task, 300, points=(inputs, train.y), X=train.X),
                 width=300)
    L = run.objectives[-1]
    line = f"step {run.step:,} · L(θ) = {L:.5g}"
    if p_star is not None:
        line += f" · p* = {p_star:.5g} · L/p* − 1 = {L / p_star - 1:.1e}"
    line += f" · patterns now {run.patterns_now[-1]}, seen {len(run.seen)}"
    if not playing and run.step > 0:
        sub = ui.compute.restricted_optimum(run.theta, run.d, run.width, train.X, train.y, float(s.beta),
                                            s.loss)
        if sub is not None:
            p_I, n_patterns, certified = sub
            if not ss[PAUSES] or ss[PAUSES][-1][0] != run.step:
                ss[PAUSES].append((run.step, p_I))
            word = "" if certified else " (not certified)"
            line += f" · at this pause p_I = {p_I:.5g}{word} over its {n_patterns} patterns: L ≥ p_I ≥ p*"
    if run.diverged:
        line += " · diverged: lower the learning rate"
    with chart:
        if run.step > 0:  # not at step 0: plotly.js would hold the canvas back on the first view
            figure = fpg.objective_chart(run.steps, run.objectives, p_star, ss.get(PAUSES, []),
                                         run.patterns_now, height=300)
            ui.plot.chart(figure, key=P + "objective")
        else:
            st.caption("Play or Step: the objective L(θ) of AdamW against p* and the number of "
                       "activation patterns appear here, step by step.")
    st.markdown(line)


if "adamw" not in hidden:
    st.markdown("##### AdamW on the same data, live")
    w1, w2, w3 = st.columns([1, 1, 2])
    ui.widgets.slider(WIDTH, "Width", where=w1)
    ui.widgets.choice(LR, "Learning rate", where=w2, kind="select_slider", format_func=lambda v: f"{v:g}")
    w3.caption("AdamW (PyTorch's update, no decoupled decay) on L(θ) = loss + (β/2)‖θ‖², the "
               "objective of the convex program: its value never goes below p*. At a pause, p_I is "
               "the optimum over the activation patterns the network realises now: L ≥ p_I ≥ p*. "
               "New data or a new β start AdamW again.")
    current = (shown is not None and shown[0].beta == float(s.beta) and shown[0].loss == s.loss
               and shown[0].program == "exact"
               and np.array_equal(shown[1], train.X) and np.array_equal(shown[2], train.y))
    adamw_panel(shown[0].objective if current else None)  # p* of exactly these data and settings


# --------------------------------------------------------------------------------------------
# Classroom: a link that opens this view with chosen controls hidden
# --------------------------------------------------------------------------------------------

def lesson_link() -> None:
    """The link to this view with the chosen controls hidden (``<control>_hide=true``)."""
    pick_hide = st.multiselect("Hide", list(PLAYGROUND_HIDEABLE), default=sorted(hidden),
                               key=P + "hide", format_func=PLAYGROUND_HIDEABLE.get)
    params = {k: v for k, v in ui.url.url_params().items() if not k.endswith(HIDE)}
    params.update({name + HIDE: "true" for name in pick_hide})
    base = str(getattr(st.context, "url", "") or "").split("?")[0].rstrip("/")
    query = urllib.parse.urlencode(params)
    st.code(f"{base}/?{query}" if query else f"{base}/", language=None)
    st.caption("Copy the link with the button at its right; it opens this page with these data, "
               "these settings and the chosen controls hidden.")


if "link" not in hidden:  # built when opened (st.code's highlighter would load on the first view)
    ui.widgets.show_folded("Lesson link (hide controls for a class)", P + "lesson_open", lesson_link)
