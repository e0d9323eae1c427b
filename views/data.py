"""Data: presets, a drawing canvas (add, erase, undo), a train/test split, CSV and a shareable URL."""

import io

import numpy as np
import streamlit as st
from PIL import Image, ImageDraw, ImageFont
from streamlit_drawable_canvas import st_canvas

import ui
from convexnn import datasets as ds
from ui import K, S

ss = st.session_state

st.title("Data")
# a drawing the canvas sent in this rerun: take it before anything shows the data
mode_color = ui.drawing.click_color(ss.get(S.CANVAS_TASK, "classification"))
for note in ui.drawing.process_canvas(ss.get(K.CANVAS), mode_color):
    st.warning(ui.plain(note))

PRESET_LABELS = {
    "spiral": "spiral (two arms)", "moons": "moons", "circles": "circles", "xor": "xor",
    "gaussians": "two Gaussians", "linear": "linearly separable", "sine": "sine (1-D regression)",
    "abs": "|x| (1-D regression)", "steps": "steps (1-D regression)", "plane": "plane (2-D regression)",
    ui.TALK: "the talk's 3 points (X = [[3,3],[2,2],[1,0]])",
}


LABEL_PX = 13  # the canvas's tick labels and axis names, in pixels


def nice_ticks(lo: float, hi: float, count: int = 6) -> np.ndarray:
    raw = (hi - lo) / count
    step = 10 ** np.floor(np.log10(raw))
    step *= min((m for m in (1, 2, 5, 10) if m * step >= raw), default=10)
    return np.arange(np.ceil(lo / step) * step, hi + 1e-9, step)


def background(view, task: str) -> bytes:
    """A light grid with the axes and tick labels of the canvas's data window, as PNG bytes (text of
    LABEL_PX pixels, legible on a projector)."""
    size = ui.canvas.CANVAS_SIZE
    img = Image.new("RGB", (size, size), "#fbfbfb")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=LABEL_PX)
    x0, x1, y0, y1 = view
    for t in nice_ticks(x0, x1):
        px = ui.canvas.to_pixels([[t, y0]], view)[0, 0]
        axis = abs(t) < 1e-9
        draw.line([(px, 0), (px, size)], fill="#9a9a9a" if axis else "#e6e6e6", width=1)
        if 16 < px < size - 44:  # keep clear of the corners and the axis names
            draw.text((px + 3, size - 3), f"{t:g}", fill="#777777", font=font, anchor="ld")
    for t in nice_ticks(y0, y1):
        py = ui.canvas.to_pixels([[x0, t]], view)[0, 1]
        axis = abs(t) < 1e-9
        draw.line([(0, py), (size, py)], fill="#9a9a9a" if axis else "#e6e6e6", width=1)
        if 22 < py < size - 36:
            draw.text((3, py + 2), f"{t:g}", fill="#777777", font=font, anchor="la")
    draw.text((size - 4, size - 3), "x" if task == "regression1d" else "x1", fill="#555555", font=font,
              anchor="rd")
    draw.text((3, 3), "y" if task == "regression1d" else "x2", fill="#555555", font=font, anchor="la")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def load_pasted() -> None:
    text = ss.get("csv_text", "")
    ui.state.load_csv(text, "pasted CSV")


def on_upload() -> None:
    file = ss.get(K.UPLOAD)
    if file is not None:
        ui.state.load_csv(file.getvalue(), file.name)


def regenerate() -> None:
    """New random data of the same preset (the next seed), as TF Playground's regenerate."""
    ss[K.SEED] = int(ss.get(K.SEED, 0)) + 1
    ui.state.use_preset()


left, right = st.columns([1, 1.35], gap="large")

with left:
    st.subheader("Preset")
    ui.widgets.choice(K.PRESET, "Data set", on_change=ui.state.on_preset_change,
                      format_func=lambda p: PRESET_LABELS.get(p, p))
    fixed = ss.get(K.PRESET) in ui.FIXED_PRESETS
    follow = dict(on_change=ui.state.use_preset, disabled=fixed)
    ui.widgets.slider(K.N, "Points", **follow)
    ui.widgets.slider(K.NOISE, "Noise", step=0.01, **follow)
    ui.widgets.number(K.SEED, "Seed", step=1, **follow)
    ui.widgets.slider(K.TEST, "Held out for testing", step=0.05, on_change=ui.state.on_split_change,
                      format="%.2f", help="A seeded random share of the points becomes test data: drawn "
              "hollow, never used for training (as in TensorFlow Playground).")
    b1, b2 = st.columns(2)
    b1.button("Regenerate", key="regenerate", on_click=regenerate, disabled=fixed,
              icon=":material/refresh:", help="New random points of this preset (the next seed).")
    if ss.get(S.SOURCE) != "preset":
        b2.button("Back to the preset", key=K.GENERATE, on_click=ui.state.use_preset,
                  help="Replace the current data by the preset with these settings.")
    if fixed:
        st.caption("The talk's example has three fixed points; its arrangement (without bias) has "
                   "exactly the four patterns D1..D4, see the Arrangements page.")

    st.subheader("CSV")
    data = ui.current_data()
    st.download_button("Download the data as CSV", ds.to_csv(data), file_name=f"{data.name}.csv",
                       mime="text/csv", key=K.DOWNLOAD, on_click="ignore", icon=":material/download:")
    st.file_uploader("Upload a CSV file (columns x1[,x2],y[,split])", type=["csv"], key=K.UPLOAD,
                     on_change=on_upload, max_upload_size=ui.MAX_UPLOAD_MB,
                     help=f"Labels ±1 make a classification; at most {ui.MAX_POINTS} rows.")
    with st.expander("…or paste CSV text"):
        st.text_area("CSV text", key="csv_text", height=120, placeholder="x1,x2,y\n0.1,0.2,1\n-0.3,0.5,-1")
        st.button("Load the pasted CSV", key="load_csv_text", on_click=load_pasted)

with right:
    st.subheader("Draw")
    task = ss[S.CANVAS_TASK]
    data = ui.current_data()
    if not ui.canvas.drawable(data) and ss.get(S.SOURCE) != "drawing":
        st.info(f"The current data ({ui.plain(data.name)}) are a 2-D regression and cannot be drawn; "
                "here they are as a plot. *Start a drawing* replaces them by points you click "
                "(two classes).")
        ui.plot.chart(ui.charts.data_scatter(data, height=400), key="data_plot")
        st.button("Start a drawing", key=K.CLEAR, on_click=ui.drawing.clear_canvas)
    else:
        if task == "classification":
            st.radio("A click", [1, -1, ui.canvas.ERASE], horizontal=True, key=K.DRAW_CLASS,
                     persist_state="session",
                     format_func={1: ":orange[●] adds class +1", -1: ":blue[●] adds class −1",
                                  ui.canvas.ERASE: ":red[✕] erases a point"}.get)
        else:
            st.toggle(":red[✕] A click erases a point", key=ui.drawing.ERASE_1D, persist_state="session",
                      help="Off: a click at (x, y) adds the point x with target y.")
        color = ui.drawing.click_color(task)
        st.caption("Hover over the canvas for its toolbar: ↶ undo, ↷ redo, ✎ edit (drag points, "
                   "select several and ✕ delete them), :material/delete: back to the drawing as it "
                   "was loaded.")
        result = st_canvas(
            fill_color=color, stroke_color=color, stroke_width=ui.canvas.POINT_STROKE,
            background_image=background(ss[S.CANVAS_VIEW], task),
            height=ui.canvas.CANVAS_SIZE, width=ui.canvas.CANVAS_SIZE, drawing_mode="point",
            point_display_radius=ui.canvas.POINT_RADIUS, initial_drawing=ss[S.CANVAS_INITIAL],
            key=K.CANVAS,
        )
        for note in ui.drawing.process_canvas(result.json_data, color):
            st.warning(ui.plain(note))
        c1, c2 = st.columns(2)
        c1.button("Undo", key=K.UNDO, on_click=ui.state.undo, disabled=not ui.state.can_undo(),
                  icon=":material/undo:", help="Back to the data before the last change (a click, "
                  "a preset, a split, an upload or a clear).")
        c2.button("Clear the drawing", key=K.CLEAR, on_click=ui.drawing.clear_canvas,
                  icon=":material/delete:")
        problem = ss.get(S.CANVAS_PROBLEM)
        if problem and ss.get(S.SOURCE) == "drawing":
            st.warning(f"{ui.plain(problem)} Until then the app keeps the previous data "
                       f"({ui.plain(ui.describe(ui.current_data()))}).")

data = ui.current_data()
st.divider()
st.markdown(f"**Current data** · {ui.plain(ui.describe(data))} · source: {ss.get(S.SOURCE)}")
if data.train().n > ui.MAX_SOLVE_POINTS:
    st.warning(f"{data.train().n} training points: the Global optimum page solves at most "
               f"{ui.MAX_SOLVE_POINTS}.")
if ui.url.points_in_url():
    st.caption("The address bar holds this experiment (settings and, for drawn or uploaded data of "
               f"at most {ui.url.URL_MAX_POINTS} points, the points rounded to 0.001): copy it to "
               "share this view.")
else:
    st.caption(f"More than {ui.url.URL_MAX_POINTS} drawn or uploaded points do not fit in the "
               "address bar: share them as the CSV file.")
# lazy: the chart is drawn only when the expander is opened (plotly.js would otherwise load on the
# first view and hold the canvas back by 1.5-2.5 s of the browser's CPU; bench/firstview.py)
ui.widgets.show_folded("Show the points", "data_points_open",
                       lambda: ui.plot.chart(ui.charts.data_scatter(data, height=380), key="data_preview"))

ui.sync_url()  # the drawing of this run may have changed the data
