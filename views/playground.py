# page: -1 | Playground | :material/draw: | playground
"""Playground: draw points and watch the certified global optimum move; AdamW trains beside it.

The canvas is the plot: its background is the optimum (regions, boundary, hyperplanes) of the
exact convex program over all patterns, re-solved on every click. Classroom links hide controls
with ``<control>_hide=true`` (see ``HIDEABLE``).
"""

import urllib.parse

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

import app_state
from app_state import K, S
from convexnn import playground as pg
from convexnn import stationary
from convexnn.figures import playground as fpg

app_state.init()  # also when Streamlit runs this file on its own

ss = st.session_state
P = "pg_"
CANVAS = P + "canvas"
INITIAL, SHOWN, SEEN = "_pg_initial", "_pg_shown", "_pg_seen"
PENDING, STALE = "_pg_pending", "_pg_stale"
LAST_GOOD, RUN, PAUSES = "_pg_last_good", "_pg_run", "_pg_pauses"
PLAYING, TIMER = "_pg_playing", "_pg_timer"
MAX_POINTS = 100  # most training points solved on each click (about a second at 100)
BETAS = [1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]
LRS = [1e-3, 3e-3, 1e-2, 3e-2, 1e-1]
STEPS_PER_TICK, TICK_SECONDS, MAX_STEPS = 100, 0.5, 20_000
HIDEABLE = {"mode": "click mode", "beta": "β", "loss": "loss", "program": "program", "edit": "undo/clear",
            "neurons": "neuron thumbnails", "adamw": "AdamW", "link": "lesson link"}
# controls a lesson link can hide: ?beta_hide=true&adamw_hide=true
hidden = {name for name in HIDEABLE
          if str(st.query_params.get(f"{name}_hide", "")).lower() in ("1", "true", "yes", "on")}


@st.cache_data(show_spinner=False, max_entries=256)
def optimum(X: np.ndarray, y: np.ndarray, beta: float, loss: str, program: str):
    """(Optimum, None) or (None, message): the package's solve, never raising on the page."""
    try:
        return pg.solve_optimum(X, y, beta, loss, program), None
    except ValueError as exc:
        return None, f"Cannot solve: {app_state.plain(exc)}."
    except Exception as exc:  # a solver failure is a message, never a traceback
        return None, f"The solver failed ({type(exc).__name__}); the last certified picture is kept."


@st.cache_data(show_spinner=False, max_entries=64)
def restricted_optimum(theta: np.ndarray, d: int, width: int, X, y, beta: float, loss: str):
    """p_I of the AdamW network theta (the optimum over the patterns it realises), or None."""
    try:
        sub = stationary.subsampled_optimum(stationary.unflatten(theta, d, width), X, y, beta, loss)
    except Exception:  # noqa: BLE001  (shown as "not available")
        return None
    return sub.p_I, sub.n_patterns, sub.certified


def receive_canvas() -> None:
    """Take a new drawing from the canvas into the shared data (app_state); reload the canvas only
    when the drawing to show differs from what it shows (an erase, Undo, Clear, new data).

    After a reload, a late echo of the drawing shown before it (``STALE``) is ignored until the
    reloaded drawing (``PENDING``) comes back, as on the Data page.
    """
    objects = app_state.canvas_objects(ss.get(CANVAS))
    entering = CANVAS not in ss
    if not entering and objects is not None:
        signature = app_state.canvas_signature(objects)
        if signature != ss.get(SEEN):
            ss[SEEN] = signature
            key = app_state.drawing_key(objects)
            pending = ss.get(PENDING)
            if pending is None or key == pending or key != ss.get(STALE):
                ss[PENDING] = None
                ss[SHOWN] = key
                ss[S.CANVAS_PENDING] = None  # app_state's own echo guard is for the Data page's canvas
                for note in app_state.receive_drawing(objects)[1]:
                    st.warning(note)
    want = app_state.drawing_key(ss.get(S.CANVAS_OBJECTS))
    if entering or INITIAL not in ss or want != ss.get(SHOWN):
        ss[STALE], ss[PENDING], ss[SHOWN] = ss.get(SHOWN), want, want
        ss[INITIAL] = {"version": "6.0.0", "objects": list(ss.get(S.CANVAS_OBJECTS) or [])}
        ss[SEEN] = app_state.canvas_signature(ss[INITIAL]["objects"])  # not a new drawing


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
        acc = float(np.mean(np.where(opt.model.predict(X) >= 0, 1.0, -1.0) == y))
        b.metric("training accuracy", f"{acc:.0%}")
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
        ss[P + key] = ss[key]
    if "beta" not in hidden:
        options = sorted(set(BETAS) | {float(ss[K.BETA])})
        st.select_slider("β (weight decay)", options, key=P + K.BETA, format_func=lambda v: f"{v:g}",
                         on_change=use_setting, args=(P + K.BETA, K.BETA),
                         help="The penalty (β/2)‖θ‖²: larger β, fewer neurons.")
    c1, c2 = st.columns(2)
    if "loss" not in hidden:
        c1.selectbox("Loss", app_state.LOSSES, key=P + K.LOSS, on_change=use_setting,
                     args=(P + K.LOSS, K.LOSS), help="logistic and hinge need labels ±1 (classification).")
    if "program" not in hidden:
        c2.selectbox("Program", app_state.PROGRAMS, key=P + K.PROGRAM, on_change=use_setting,
                     args=(P + K.PROGRAM, K.PROGRAM),
                     help="exact: ReLU cone constraints; gated: the relaxation without them.")


def click_mode(task: str) -> str:
    """The click's colour: a class, a regression point, or the eraser."""
    if task == "classification":
        cls = 1
        if "mode" not in hidden:
            cls = st.radio("A click", [1, -1, app_state.ERASE], horizontal=True, key=K.DRAW_CLASS,
                           persist_state="session", label_visibility="collapsed",
                           format_func={1: ":orange[●] class +1", -1: ":blue[●] class −1",
                                        app_state.ERASE: ":red[✕] erase"}.get)
        return app_state.ERASE_COLOR if cls == app_state.ERASE else app_state.CLASS_COLORS[cls]
    erase = "mode" not in hidden and st.toggle(":red[✕] a click erases", key=P + "erase_1d")
    return app_state.ERASE_COLOR if erase else app_state.REGRESSION_COLOR


receive_canvas()
data = app_state.current_data()
task = ss[S.CANVAS_TASK]
view = ss[S.CANVAS_VIEW]
s = app_state.settings()
app_state.show_flashes()

if not app_state.drawable(data):
    st.info(f"The current data ({app_state.plain(data.name)}) are a 2-D regression, which the "
            "playground cannot draw. Start a drawing (two classes) or pick a drawable preset on the "
            "Data page.")
    st.button("Start a drawing", key=P + "start", on_click=app_state.clear_canvas)
    st.stop()

train = data.train()
# the canvas, its numbers and the neurons side by side; what does not fit wraps below
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.2rem}</style>")
row = st.container(horizontal=True, wrap=True, gap="medium")
left = row.container(width=app_state.CANVAS_SIZE + 4)
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
                "click (the Global optimum page solves up to 200).")
    else:
        with st.spinner("solving…"):
            opt, error = optimum(train.X, train.y, float(s.beta), s.loss, s.program)
        if opt is not None and opt.certified:
            shown = ss[LAST_GOOD] = (opt, train.X, train.y)
        elif opt is not None:
            note = (f"The solve stopped before its certificate ({opt.status}); the last certified "
                    "optimum stays on the canvas.")
        else:
            note = error
    with numbers:
        if problem:
            st.warning(f"{problem} The optimum of the previous points stays on the canvas.")
        if note:
            st.warning(note)
        if shown is not None:
            show_numbers(shown[0], shown[1], shown[2], task)
        controls()

model = shown[0].model if shown is not None else None
order = pg.neuron_order(model) if model is not None else np.zeros(0, int)

with right:
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
    else:
        pick = None

highlight = int(order[pick - 1]) if pick is not None and model is not None and pick <= len(order) else None

with left:
    color = click_mode(task)
    if model is not None:
        background = fpg.optimum_image(model, view, task, app_state.CANVAS_SIZE, highlight, X=shown[1])
    else:
        background = fpg.blank_image(view, app_state.CANVAS_SIZE, "draw points of both classes")
    st_canvas(fill_color=color, stroke_color=color, stroke_width=app_state.POINT_STROKE,
              background_image=background, height=app_state.CANVAS_SIZE, width=app_state.CANVAS_SIZE,
              drawing_mode="point", point_display_radius=app_state.POINT_RADIUS,
              initial_drawing=ss[INITIAL], key=CANVAS)
    if "edit" not in hidden:
        b1, b2 = st.columns(2)
        b1.button("Undo", key=P + "undo", on_click=app_state.undo, disabled=not app_state.can_undo(),
                  icon=":material/undo:", width="stretch")
        b2.button("Clear", key=P + "clear", on_click=app_state.clear_canvas, icon=":material/delete:",
                  width="stretch")
    legend = ("Dark curve: the optimum f(x); thin lines: each neuron's kink" if task == "regression1d"
              else "Dark: the decision boundary f = 0; thin lines: each neuron's hyperplane")
    st.caption(f"{app_state.describe(data)}. {legend} (orange: output weight > 0, blue: < 0).")


# --------------------------------------------------------------------------------------------
# AdamW beside the optimum
# --------------------------------------------------------------------------------------------


def run_key() -> tuple:
    return (train.X.tobytes(), train.y.tobytes(), float(s.beta), s.loss, int(ss.get(P + "width", 20)),
            int(ss.get(P + "seed", 0)))


def reset_run() -> None:
    ss.pop(RUN, None)
    ss[PAUSES] = []


def toggle_play() -> None:
    ss[PLAYING] = not ss.get(PLAYING, False)


def current_run() -> pg.AdamWRun | None:
    key = run_key()
    stored = ss.get(RUN)
    if stored is None or stored[0] != key:
        try:
            ss[RUN] = (key, pg.start_adamw(train.X, train.y, key[4], s.beta, s.loss, seed=key[5]))
        except ValueError as exc:
            st.warning(f"AdamW cannot start: {app_state.plain(exc)}.")
            return None
        ss[PAUSES] = []
    return ss[RUN][1]


def step_once() -> None:
    run = current_run()
    if run is not None:
        pg.advance_adamw(run, train.X, train.y, s.beta, s.loss, STEPS_PER_TICK, float(ss.get(P + "lr", 1e-2)))


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
        pg.advance_adamw(run, train.X, train.y, s.beta, s.loss, STEPS_PER_TICK, float(ss.get(P + "lr", 1e-2)))
    elif playing:  # finished or diverged: pause (a full rerun stops the timer)
        ss[PLAYING] = False
        st.rerun()
    pic, chart = st.columns([1, 1.6])
    net = run.network()
    with pic:
        b1, b2, b3 = st.columns(3)
        b1.button("Pause" if playing else "Play", key=P + "play", on_click=toggle_play,
                  icon=":material/pause:" if playing else ":material/play_arrow:", width="stretch")
        b2.button("Step", key=P + "step", on_click=step_once, disabled=playing, width="stretch",
                  help=f"{STEPS_PER_TICK} AdamW steps")
        b3.button("Reset", key=P + "reset", on_click=reset_run, width="stretch")
        inputs = train.X[:, 0] if task == "regression1d" else train.X
        img = fpg.optimum_image(net, view, task, 300, points=(inputs, train.y), X=train.X)
        st.image(img, width=300)
    L = run.objectives[-1]
    line = f"step {run.step:,} · L(θ) = {L:.5g}"
    if p_star is not None:
        line += f" · p* = {p_star:.5g} · L/p* − 1 = {L / p_star - 1:.1e}"
    line += f" · patterns now {run.patterns_now[-1]}, seen {len(run.seen)}"
    if not playing and run.step > 0:
        sub = restricted_optimum(run.theta, run.d, run.width, train.X, train.y, float(s.beta), s.loss)
        if sub is not None:
            p_I = sub[0]
            if not ss[PAUSES] or ss[PAUSES][-1][0] != run.step:
                ss[PAUSES].append((run.step, p_I))
            word = "" if sub[2] else " (not certified)"
            line += f" · at this pause p_I = {p_I:.5g}{word} over its {sub[1]} patterns: L ≥ p_I ≥ p*"
    if run.diverged:
        line += " · diverged: lower the learning rate"
    with chart:
        st.plotly_chart(fpg.objective_chart(run.steps, run.objectives, p_star, ss.get(PAUSES, []),
                                            run.patterns_now, height=300), key=P + "objective", theme=None)
    st.markdown(line)


if "adamw" not in hidden:
    st.markdown("##### AdamW on the same data, live")
    w1, w2, w3 = st.columns([1, 1, 2])
    w1.slider("Width", 1, 100, 20, key=P + "width", bind="query-params")
    w2.select_slider("Learning rate", LRS, 1e-2, key=P + "lr", format_func=lambda v: f"{v:g}",
                     bind="query-params")
    w3.caption("AdamW (PyTorch's update, no decoupled decay) on L(θ) = loss + (β/2)‖θ‖², the "
               "objective of the convex program: its value never goes below p*. At a pause, p_I is "
               "the optimum over the activation patterns the network realises now: L ≥ p_I ≥ p*. "
               "New data or a new β start AdamW again.")
    current = (shown is not None and shown[0].beta == float(s.beta) and shown[0].loss == s.loss
               and shown[0].program == "exact"
               and np.array_equal(shown[1], train.X) and np.array_equal(shown[2], train.y))
    p_star = shown[0].objective if current else None  # p* of exactly these data and settings
    adamw_panel(p_star)


# --------------------------------------------------------------------------------------------
# Classroom: a link that opens this view with chosen controls hidden
# --------------------------------------------------------------------------------------------

if "link" not in hidden:
    with st.expander("Lesson link (hide controls for a class)"):
        pick_hide = st.multiselect("Hide", list(HIDEABLE), default=sorted(hidden), key=P + "hide",
                                   format_func=HIDEABLE.get)
        bound = {k: st.query_params[k] for k in (P + "width", P + "lr") if k in st.query_params}
        params = {**app_state.url_params(), **bound, **{f"{name}_hide": "true" for name in pick_hide}}
        base = str(getattr(st.context, "url", "") or "").split("?")[0].rstrip("/")
        query = urllib.parse.urlencode(params)
        st.code(f"{base}/?{query}" if query else f"{base}/", language=None)
        st.caption("Copy the link with the button at its right; it opens this page with these data, "
                   "these settings and the chosen controls hidden.")

app_state.sync_url()  # the drawing of this run may have changed the data
app_state.restore_canvas()  # the Data page's canvas opens with this drawing (this page reloads INITIAL)
