"""Widgets built from the settings schema, and the blocks several pages share.

A schema widget takes its key, range and options from :data:`ui.schema.SCHEMA` and keeps its
value for the whole session (``persist_state="session"``), so it survives page switches,
``st.stop()`` and uploads. Its value is never passed as ``value=``: it is in session state
already (:func:`ui.schema.write_defaults`, or the link).

    ui.widgets.slider("arr_seeds", "seeds")
    ui.widgets.choice("loss", "Loss", where=col)           # a selectbox of the schema's choices
    ui.widgets.choice("program", "Program", kind="radio", horizontal=True)
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ui.schema import PATTERN_LABELS, SCHEMA, default

KEEP = {"persist_state": "session"}


def _setting(name: str):
    setting = SCHEMA[name]
    ss = st.session_state
    if name not in ss or not setting.valid(ss[name]):
        ss[name] = default(name)
    return setting


def slider(name: str, label: str, where=st, **kwargs):
    s = _setting(name)
    return where.slider(label, s.kind(s.lo), s.kind(s.hi), key=name, **KEEP, **kwargs)


def number(name: str, label: str, where=st, **kwargs):
    s = _setting(name)
    return where.number_input(label, min_value=s.kind(s.lo), max_value=s.kind(s.hi), key=name, **KEEP,
                              **kwargs)


def choice(name: str, label: str, where=st, kind: str = "selectbox", options=None, **kwargs):
    """A selectbox (``kind="radio"``/``"select_slider"`` for those) of the setting's choices, or
    of ``options`` (a subset of them that applies here; the value falls back to the first)."""
    s = _setting(name)
    options = list(s.choices if options is None else options)
    if st.session_state[name] not in options:
        st.session_state[name] = options[0]
    return getattr(where, kind)(label, options, key=name, **KEEP, **kwargs)


def toggle(name: str, label: str, where=st, **kwargs):
    _setting(name)
    return where.toggle(label, key=name, **KEEP, **kwargs)


def multi(name: str, label: str, where=st, **kwargs):
    """Several of the setting's choices, as pills: every choice stays readable in a narrow column
    (a multiselect cut its chips short: "geo…")."""
    s = _setting(name)
    return where.pills(label, list(s.choices), selection_mode="multi", key=name, **KEEP, **kwargs)


def play_pause(prefix: str, playing: bool, on_change: Callable[[bool], None], where=st,
               disabled: bool = False, help: str | None = None) -> None:
    """A Play button (key ``<prefix>play``) while stopped, a Pause button (``<prefix>pause``) while
    playing; a click calls ``on_change(True)`` or ``on_change(False)``. Two buttons, not one that
    toggles: a slow browser can send a click twice (its fragment timer's next tick repeats the
    click's trigger), and a toggle then undid the pause; a second click does what the first did."""
    if playing:
        where.button("Pause", key=prefix + "pause", on_click=on_change, args=(False,), width="stretch",
                     icon=":material/pause:", help=help)
    else:
        where.button("Play", key=prefix + "play", on_click=on_change, args=(True,), disabled=disabled,
                     width="stretch", icon=":material/play_arrow:", help=help)


def sections(name: str, where=st) -> list:
    """A page's sections as tabs, the setting's choices their labels, built lazily: a click on a
    tab reruns the page (``on_change="rerun"``) and only the open tab's ``.open`` is True, so a page
    builds the figures of one section per run (the first view draws only the first). The open tab
    is a setting, so a link reopens it (the arrangements' ``arr_tab=Sphere``)."""
    s = _setting(name)
    return where.tabs([str(c) for c in s.choices], key=name, on_change="rerun")


def show_folded(label: str, key: str, build: Callable[[], None]) -> None:
    """An expander whose content ``build`` makes only while it is open: opening or closing it
    reruns the page (``on_change="rerun"``), so a folded part (a chart, a table, ``st.code``'s
    highlighter) costs the first view nothing. ``key`` keeps it open across reruns."""
    folded = st.expander(label, key=key, on_change="rerun")
    if folded.open:
        with folded:
            build()


def show_sections(name: str, *builders: Callable[[], None]) -> None:
    """The page's sections as tabs (:func:`sections`), one function per tab in their order: only
    the open tab's function runs, inside its tab."""
    for tab, build in zip(sections(name), builders, strict=True):
        if tab.open:
            with tab:
                build()


PROGRAM_NAMES = {"exact": "exact ReLU", "gated": "gated relaxation"}


def problem_block(columns, beta: bool = True, prune: bool = True, patterns: bool = True,
                  samples: bool = True) -> None:
    """The shared β / loss / program / minimal-network / patterns widgets, one per column of
    ``columns`` (in that order, for the parts asked for)."""
    cols = iter(columns)
    if beta:
        number("beta", "β (weight decay)", where=next(cols), step=0.001, format="%.4g",
               help="The penalty is (β/2)(‖W1‖² + ‖b1‖² + ‖w2‖²).")
    choice("loss", "Loss", where=next(cols), help="squared: ½‖f − y‖²; logistic and hinge need labels ±1.")
    choice("program", "Program", where=next(cols), kind="radio", horizontal=True,
           format_func=PROGRAM_NAMES.get,
           help="exact: cone constraints, gives a ReLU network; gated: gates fixed, no constraints.")
    if prune:
        toggle("prune", "Minimal network", where=next(cols),
               help="Prune linearly dependent blocks (Mathematics page: the Lasso path): same fit, at "
                    "most n neurons.")
    if patterns:
        where = next(cols)
        chosen = choice("patterns", "Patterns", where=where, format_func=PATTERN_LABELS.get,
                        help="exact: every arrangement pattern D_i (the true p*); Gaussian or "
                             "geometric-algebra: patterns of sampled directions (a subset).")
        if samples and chosen != "exact":
            number("optimum_samples", "Samples", where=next(cols), step=100,
                   help="Number of sampled directions (seed 0).")
