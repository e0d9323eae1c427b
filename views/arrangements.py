"""Arrangements: sweep a hyperplane through the data and watch the patterns D = 1[X~ g >= 0]
appear; all patterns, the arrangement on the sphere of directions, and sampling compared."""

import time

import numpy as np
import streamlit as st

import ui
from convexnn import arrangements as A
from convexnn import sampling as sm
from convexnn.figures import arrangements as fa
from ui.arrangements import (
    area_figure,
    areas,
    cell_directions,
    count_only,
    coverage,
    coverage_figure,
    enumerate_patterns,
    map_figure,
    matrix_figure,
    missed_figure,
    sphere_figure,
)

ss = st.session_state
MAX_LIST_POINTS = 200  # above this many points the patterns are counted, not listed
ROTATE_STEP = 5
SHIFT_STEP = 0.05
TICK_SECONDS = 0.4
PLAYING, TIMER, FULL_RUN, PAUSED_AT = "_arr_playing", "_arr_timer", "_arr_full_run", "_arr_paused_at"
POSITION = ("arr_theta", "arr_offset", "arr_dir")  # the sliders (and 1-D radio) the sweep moves
LATE_TICK_SECONDS = 10.0  # after Pause, how long a tick sent before it may still arrive
LATE_TICK_STEPS = 3  # how many sweep steps ahead of the paused position such a tick may be
K_CHOICES = (100, 300, 1000, 3000, 10_000, 30_000, 100_000)


# --------------------------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------------------------

st.title("Hyperplane arrangements")
st.markdown(
    r"Every direction $g$ splits the data by the hyperplane $\{x : g^\top\tilde x = 0\}$ "
    r"($\tilde x = (x, 1)$ with a bias) and gives the **pattern** "
    r"$D = \mathrm{diag}(\mathbf 1[\tilde X g \ge 0])$: "
    r"which points are on the active side. Infinitely many $g$, but only finitely many patterns, "
    r"and the convex program has one pair of blocks per pattern."
)

data = ui.current_data()
if data.dim not in (1, 2):
    st.error("This page shows 1-D or 2-D data.")
    st.stop()

c_bias, c_info = st.columns([1, 3])
with c_bias:
    bias_choice = ui.widgets.choice(
        "arr_bias", "Bias column",
        help="with: x̃ = (x, 1), the hyperplanes are any lines; without: x̃ = x, lines through the "
             "origin; auto: without for the talk's example, with otherwise.",
    )
bias = (data.name != ui.TALK) if bias_choice == "auto" else bias_choice == "with"
X = data.X
n = data.n
Xt = A.lift(X, bias)
rank = int(A.reduce_rank(Xt)[0].shape[1])
listed = n <= MAX_LIST_POINTS
with c_info:
    st.caption(f"{ui.plain(ui.describe(data))} · rank of X̃ = {rank}"
               + ("" if listed else f" · more than {MAX_LIST_POINTS} points: the patterns are "
                  "counted, not listed"))

try:
    if listed:
        arr, t_enum = enumerate_patterns(X, bias)
        count = arr.count
    else:
        arr, (count, t_enum) = None, count_only(X, bias)
except ValueError as exc:
    st.error(f"Cannot enumerate the patterns: {exc}")
    st.stop()
if arr is not None:  # a pattern number from a link or from other data: checked against these data
    ui.schema.within_data("arr_goto", count, "patterns")

# ---- the hyperplane --------------------------------------------------------------------------
R = sm.offset_range(X)


def slider_position(G: np.ndarray) -> tuple[float, float]:
    """(theta, offset fraction) of a lifted gate, before rounding to the slider steps."""
    return sm.slider_position(G, data.dim, bias, R)


def go_to_pattern(k: int, points: np.ndarray) -> None:
    """Move the hyperplane into the cell of pattern k: the slider position (1 degree, 0.01 offset
    steps) nearest to the cell's centre that still shows pattern k."""
    p = points[k] if 0 <= k < len(points) else None
    if p is None or not np.all(np.isfinite(p)):
        ui.flash("warning", f"Pattern D{k + 1} lies only on a boundary: no slider position shows it.")
        return
    t_new, f_new, shown = sm.slider_position_in_cell(X, arr, k, p @ arr.basis.T, bias, R)
    if not shown:
        ui.flash("info", f"D{k + 1} is a small cell: no slider position shows it. "
                        "Hover the sphere to see it.")
    if data.dim == 2:
        ss["arr_theta"] = int(t_new) % 360
    else:
        ss["arr_dir"] = "right" if t_new == 0 else "left"
    if bias:
        ss["arr_offset"] = round(f_new, 2)


def on_goto() -> None:
    k = int(ss.get("arr_goto", 1)) - 1
    go_to_pattern(k, cell_directions(X, bias, rank))


def take_cell_click(chart: str) -> None:
    """A click on a cell's dot (the chart's selection, new since the last run) moves the
    hyperplane into that cell. Runs before the sliders are made."""
    event = ss.get(chart) or {}
    points = (event.get("selection") or {}).get("points") or []
    signature = repr(points)
    if not points or signature == ss.get(f"_{chart}_seen"):
        return
    ss[f"_{chart}_seen"] = signature
    for p in points:
        k = p.get("customdata")
        if isinstance(k, list):
            k = k[0]
        if k is not None and int(k) >= 1:
            go_to_pattern(int(k) - 1, cell_directions(X, bias, rank))
            return


if arr is not None:
    take_cell_click("arr_sphere")
    take_cell_click("arr_map")

if data.dim == 2:
    modes = ["rotate", "shift"] if bias else ["rotate"]
else:
    modes = ["shift"] if bias else ["rotate"]
can_play = data.dim == 2 or bias  # 1-D data without a bias has two hyperplanes only


def position_now() -> dict:
    """The sweep's position: the values of :data:`POSITION` in the session state."""
    return {key: ss[key] for key in POSITION if key in ss}


def set_playing(play: bool) -> None:
    """Play or Pause (the same again when a click reaches the server twice). The click can carry
    the sliders' position from before the last tick: the position is written back, so the
    browser's sliders show the line the page draws; a pause remembers it
    (:func:`ignore_late_ticks`)."""
    ss[PLAYING] = play
    position = position_now()
    ss.update(position)
    if play:
        ss.pop(PAUSED_AT, None)
    else:
        ss[PAUSED_AT] = (time.monotonic(), position)


def next_position(position: dict, anim: str) -> dict:
    """The sweep's next step from ``position``: the angle by ROTATE_STEP degrees, or the offset by
    SHIFT_STEP (wrapping around; in 1-D the active side flips at each wrap, so both directions of
    the threshold are swept)."""
    position = dict(position)
    if anim == "rotate" and data.dim == 2:
        position["arr_theta"] = (int(position["arr_theta"]) + ROTATE_STEP) % 360
    elif bias:
        offset_now = round(float(position["arr_offset"]) + SHIFT_STEP, 2)
        if offset_now > 1.0:
            offset_now = -1.0
            if data.dim == 1:
                position["arr_dir"] = "left" if position.get("arr_dir") == "right" else "right"
        position["arr_offset"] = offset_now
    return position


def sweep_step(anim: str) -> None:
    """Move the sliders one step of the sweep (before the widgets are made)."""
    ss.update(next_position(position_now(), anim))


def ignore_late_ticks(anim: str) -> None:
    """After Pause, put back the paused position when a tick the browser sent before it learnt of
    the pause moved it. Messages cross while the sweep plays: such a tick carries the sweep's next
    step, the server took it and drew it, and the slider's thumb kept the paused position (the
    figure at 45 degrees, the thumb at 40: seen on a loaded machine). A position one to
    LATE_TICK_STEPS steps ahead of the paused one within LATE_TICK_SECONDS is such a tick and is
    written back to the paused one, so thumb, figure and link agree; any other change is the
    user's, and ends the watch."""
    paused = ss.get(PAUSED_AT)
    if paused is None:
        return
    since, position = paused
    now = position_now()
    if now == position:
        return
    ahead, step = [], position
    for _ in range(LATE_TICK_STEPS):
        step = next_position(step, anim)
        ahead.append(step)
    if time.monotonic() - since <= LATE_TICK_SECONDS and now in ahead:
        ss.update(position)
    else:
        ss.pop(PAUSED_AT, None)


def resend_position() -> None:
    """Write the sliders' position back, so this run's sliders send it to the browser. Every
    paused run does it, not only the runs that change it: a slow browser can receive two runs'
    sliders before it draws them and then applies only the last one's; when that one carried no
    value, the position the other one sent was lost (seen with the CPU throttled 6x: the pause's
    45 degrees followed by a run without a value, and the thumb kept the 50 of a late tick, beside a
    figure and a link at 45)."""
    ss.update(position_now())


def line_label(theta: int, offset: float) -> str:
    if data.dim == 1:
        return f"x ≥ {-offset:.2f}" if theta == 0 else f"x ≤ {offset:.2f}"
    return f"θ = {theta:.0f}°" + (f", b = {offset:.2f}" if offset else "")


ss[TIMER] = bool(ss.get(PLAYING)) and can_play  # the sweep's timer runs while playing (set per full run)


@st.fragment(run_every=TICK_SECONDS if ss[TIMER] else None)
def hyperplane_view() -> None:
    """The line, its pattern and the counts, all drawn from one gate g. While the sweep plays,
    the fragment's timer moves the sliders one step per tick and redraws only this part; the
    figure (its title and pattern strip) then names the pattern alone, since the browser draws
    it a moment after the side panel. Paused, the side panel names the same pattern."""
    playing = bool(ss.get(PLAYING)) and can_play
    anim = ss["arr_anim"] if ss.get("arr_anim") in modes else modes[0]
    if not playing:
        ignore_late_ticks(anim)
        resend_position()
    if playing != ss[TIMER] or not (playing or ss.get(FULL_RUN)):
        st.rerun()  # Play/Pause, or a slider moved while paused: the whole page follows the line
    if playing and not ss.get(FULL_RUN):
        sweep_step(anim)
    left, right = st.columns([1.55, 1], gap="large")
    with right:
        st.subheader("The hyperplane")
        if data.dim == 2:
            theta = ui.widgets.slider("arr_theta", "Angle of the normal w (degrees)",
                                      help="w = (cos θ, sin θ)")
        else:
            direction = ui.widgets.choice("arr_dir", "Active side", kind="radio", horizontal=True,
                                          help="right: x ≥ t (w = +1); left: x ≤ t (w = −1)")
            theta = 0 if direction == "right" else 180
        if bias:
            frac = ui.widgets.slider("arr_offset", "Offset b (fraction of the data radius)", step=0.01,
                                     help=f"b = fraction × {R:.3g}; the active side is wᵀx + b ≥ 0.")
        else:
            frac = 0.0
            st.caption("Without a bias every hyperplane passes through the origin (b = 0).")
        c_anim, c_play = st.columns([3, 2], vertical_alignment="bottom")
        ui.widgets.choice("arr_anim", "Sweep: the line", where=c_anim, kind="radio", options=modes,
                          horizontal=True)
        ui.widgets.play_pause("arr_", playing, set_playing, where=c_play, disabled=not can_play,
                              help="Moves the sliders step by step; the page below follows when paused.")
    offset = frac * R
    g = sm.gate(theta, offset, data.dim, bias)
    pattern = Xt @ g >= 0
    index = int(arr.index_of(pattern)[0]) if arr is not None else -1
    with left:
        ui.plot.chart(fa.sweep_figure(data, g[None], pattern[None], np.array([index]), count, bias, 0,
                      [line_label(theta, offset)], height=560),
                      key="arr_sweep")
    with right:
        if playing:  # the figure redraws a moment after this panel: one place names the pattern
            st.markdown("**Pattern**: sweeping; the figure's title names it, the strip below the "
                        "figure shows it. Pause to read it here.")
        else:
            st.markdown(f"**Pattern** {fa.pattern_label(index, count) if arr is not None else ''}: "
                        f"{int(pattern.sum())} of {n} points active")
            if n <= 60:
                st.code(fa.pattern_string(pattern), language=None)
        st.subheader("How many patterns?")
        m1, m2, m3 = st.columns(3)
        m1.metric("exact", f"{count:,}", help=f"enumerated in {t_enum:.3f} s")
        gp = A.general_position_count(n, rank)
        m2.metric("n² − n + 2" if (bias and data.dim == 2 and rank == 3) else "general", f"{gp:,}",
                  help="2 Σ_{k<r} C(n−1, k): the count for points in general position (rank r)")
        cover = A.cover_bound(n, rank)
        m3.metric("Cover bound", f"{cover:,.0f}" if cover < 1e5 else f"{cover:.2g}".replace("e+0", "e"),
                  help=f"Cover's bound 2r (e(n−1)/r)^r = {cover:,.0f}")
        if count < gp:
            st.caption(f"{gp - count} fewer than in general position: some points are collinear "
                       "(or repeated), so some lines coincide.")
        st.caption(f"Exact enumeration took {t_enum * 1000:.0f} ms (circle sweep, O(n² log n)).")


ss[FULL_RUN] = True
hyperplane_view()
ss[FULL_RUN] = False
# the rest of the page (drawn on full runs only) follows the sliders' line
theta = int(ss["arr_theta"]) if data.dim == 2 else (0 if ss.get("arr_dir", "right") == "right" else 180)
offset = (float(ss["arr_offset"]) if bias else 0.0) * R
g = sm.gate(theta, offset, data.dim, bias)
pattern = Xt @ g >= 0
index = int(arr.index_of(pattern)[0]) if arr is not None else -1

# ---- tabs ------------------------------------------------------------------------------------
tab_all, tab_sphere, tab_sampling = ui.widgets.sections("arr_tab")


if tab_all.open:
    with tab_all:
        if arr is None:
            st.info(f"{count:,} patterns: too many to list here (more than {MAX_LIST_POINTS} points).")
        else:
            c1, c2 = st.columns([2, 1], gap="large")
            with c1:
                fig = matrix_figure(X, bias)
                if index >= 0:
                    fa.mark_pattern(fig, index, n)
                ui.plot.chart(fig, key="arr_matrix")
            with c2:
                st.markdown(f"**{count:,} patterns** × {n} points. Row k is D_k; rows are in "
                            "descending binary order (point 0 is the leading bit), so D1 is the "
                            "all-ones pattern and the last one is all zeros.")
                if count <= 40:
                    st.dataframe({"D": [f"D{k + 1}" for k in range(count)],
                                  "pattern": [fa.pattern_string(p) for p in arr.patterns]},
                                 hide_index=True, height=min(35 * count + 40, 420))
                if data.name == ui.TALK and not bias:
                    st.success("The talk's example: X = [[3,3],[2,2],[1,0]] without bias has exactly "
                               "the four patterns D1 = 111, D2 = 110, D3 = 001, D4 = 000. Points 0 "
                               "and 1 are on one line through the origin, so there are only two "
                               "distinct lines and 2·2 = 4 patterns.")
                st.number_input("Show pattern D_k", min_value=1, max_value=max(count, 1), step=1,
                                key="arr_goto", on_change=on_goto, **ui.widgets.KEEP,
                                help="Moves the hyperplane into that pattern's cell.")

if tab_sphere.open:
    with tab_sphere:
        if arr is None:
            st.info("The sphere is drawn for at most "
                    f"{MAX_LIST_POINTS} points.")
        elif rank == 3:
            st.markdown(
                r"A direction $g \in \mathbb R^3$ and any positive multiple give the same pattern, so "
                r"patterns live on the sphere $S^2$. Point $i$ is active where $\tilde x_i^\top g \ge 0$: "
                r"the great circle $\{g : \tilde x_i^\top g = 0\}$ splits the sphere into its active and "
                r"inactive half. The circles of all points cut the sphere into **cells**, one per pattern "
                r"(antipodal cells have complementary patterns). Hover a cell or its centre dot to see "
                r"its pattern; click a region of the map below to move the hyperplane there.")
            g_red = g @ arr.basis

            c1, c2 = st.columns([1.4, 1], gap="medium")
            with c1:
                fig = sphere_figure(X, bias, rank)
                fa.move_marker(fig, g_red / np.linalg.norm(g_red) * 1.03)
                ui.plot.chart(fig, key="arr_sphere", on_select=True)
            with c2:
                st.markdown(f"The red diamond is the current g: pattern "
                            f"**{fa.pattern_label(index, count)}**, the line on the left of the page. "
                            "Here it is again:")
                ui.plot.chart(fa.sweep_figure(data, g[None], pattern[None], np.array([index]), count,
                              bias, 0, ["current g"], height=420),
                              key="arr_sphere_line")
            if data.dim == 2 and bias:
                st.markdown(
                    r"**The same cells as a map of all lines.** A line $w^\top x + b = 0$ with "
                    r"$w = (\cos\theta, \sin\theta)$ is a point $(\theta, b)$ of this map (the Hough "
                    r"transform). Data point $x_i$ becomes the curve "
                    r"$b = -(x_{i1}\cos\theta + x_{i2}\sin\theta)$ of the lines through it; "
                    r"the regions between the curves are the patterns (above all curves every point is "
                    r"active, below all of them none: the two caps of the sphere). "
                    r"**Click** a region's dot to move the line there.")

                fig = map_figure(X, bias, rank)
                fa.move_marker(fig, (theta % 360, offset))
                ui.plot.chart(fig, key="arr_map", on_select=True)
        else:
            st.markdown(
                r"With rank 2 the directions form a circle: each point's line "
                r"$\{g : \tilde x_i^\top g = 0\}$ "
                r"passes through the origin and cuts the circle twice. The arcs between the cuts are the "
                r"patterns, labelled as in the full list.")
            Z = Xt @ arr.basis
            ui.plot.chart(fa.circle_figure(Z, arr.patterns, g @ arr.basis, height=480,
                          axis_titles=("g1 (w)", "g2 (b)") if (data.dim == 1 and bias)
                          else ("g1", "g2")),
                          key="arr_circle")

if tab_sampling.open:
    with tab_sampling:
        st.markdown(
            "Exact enumeration needs rank ≤ 3; in higher dimensions the program uses **sampled** "
            "patterns. Two samplers, compared with the exact list:\n"
            "- **Gaussian**: g ~ N(0, I). A direction lands in a cell with probability equal to the "
            "cell's share of the sphere, so small cells are found late or never.\n"
            "- **Geometric algebra** (GA): g is the normal of the hyperplane through randomly chosen "
            "data points (a generalized cross product), nudged so those points are active. Every draw "
            "lands next to a vertex of the arrangement, however small its cells, but only in the one "
            "cell where the chosen points are active; *mirror* adds −g (both inactive).")
        ui.widgets.choice("patterns", "Patterns for solving",
                          help="The pattern source of the experiment (saved in the URL as 'patterns'): all "
                          "exact patterns, or sampled ones. Solving pages that support sampled patterns "
                          "use it.")
        c1, c2, c3, c4 = st.columns(4)
        k_max = ui.widgets.choice("arr_kmax", "samples k up to", where=c1, kind="select_slider")
        seeds = ui.widgets.slider("arr_seeds", "seeds", where=c2)
        mirror = ui.widgets.toggle("arr_mirror", "GA with mirror (−g)", where=c3)
        sketch = None
        if data.dim > 1:
            use_sketch = ui.widgets.toggle("arr_sketch", "GA sketch (s = 1)", where=c4,
                                           help="Sketch S ∈ R^{1×2}: one random signed coordinate; lines "
                                        "through one point, parallel to an axis.")
            sketch = 1 if use_sketch else None
        with st.status("Sampling …", expanded=False) as status:
            cov = coverage(X, bias, int(k_max), int(seeds), sketch, bool(mirror))
            status.update(label=f"Sampled up to {k_max:,} directions with {seeds} seeds.", state="complete")
        sampling_key = (int(k_max), int(seeds), sketch, bool(mirror))
        f1, f2 = st.columns([1.5, 1], gap="large")
        with f1:
            ui.plot.chart(coverage_figure(X, bias, *sampling_key), key="arr_coverage")
        with f2:
            rows = []
            for m in cov.found:
                med = float(np.median(cov.found[m][:, -1]))
                rows.append({"method": sm.METHOD_LABELS[m], "found (median)": f"{med:.0f}",
                             "share": f"{100 * med / cov.exact:.1f}%" if cov.exact else "–",
                             "missed (seed 0)": cov.missed(m) if cov.exact else "–"})
            st.markdown(f"**Patterns found** with k = {k_max:,} directions:")
            st.dataframe(rows, hide_index=True)
            tk = cov.timing_k
            st.markdown(f"**Run time** for {tk:,} directions (one seed):")
            timing = {"exact enumeration (all patterns)": "exact",
                      "Gaussian (gaussian_patterns)": "gaussian",
                      "GA (geometric_algebra_patterns)": "geometric"}
            st.dataframe([{"method": label, "seconds": f"{cov.times.get(key, float('nan')):.4f}"}
                          for label, key in timing.items()], hide_index=True)
            if cov.outside and any(cov.outside.values()):
                st.error(f"Samplers returned patterns exact enumeration does not have: {cov.outside}")
            else:
                st.caption("Every sampled pattern is one of the exact patterns (checked).")
        if cov.exact is not None:
            miss_g = cov.nonzero & ~cov.found_mask["gaussian"]
            miss_a = cov.nonzero & ~cov.found_mask["geometric"]
            st.subheader("Which cells each sampler misses")
            if rank == 3:
                s1, s2 = st.columns([1.2, 1], gap="medium")
                A_cells = areas(X, bias)
                with s1:
                    ui.plot.chart(missed_figure(X, bias, rank, *sampling_key), key="arr_missed_sphere")
                with s2:
                    ui.plot.chart(area_figure(X, bias, *sampling_key), key="arr_areas")
                    fin = np.isfinite(A_cells) & (A_cells > 0)
                    if fin.any():
                        small = float(np.min(A_cells[fin]) / (4 * np.pi))
                        st.caption(
                            f"The smallest cell covers {small:.1e} of the sphere: about {1 / small:,.0f} "
                            f"Gaussian samples to hit it once on average. With k = {k_max:,} a cell of "
                            f"share a is missed with probability (1 − a)^k.")
            else:
                ui.plot.chart(fa.circle_figure(Xt @ arr.basis, arr.patterns, None, height=420,
                              missed=miss_g,
                              title="Arcs missed by Gaussian sampling (red)"),
                              key="arr_missed_circle")
