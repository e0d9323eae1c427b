"""convexnn: the app. Run with ``streamlit run app.py``.

Every file in ``pages/`` declares itself in its first line,
``# page: <order> | <title> | <icon> | <url path>``; the pages are listed in that order with
``st.navigation`` and linked from the sidebar. What they share (the current data, the settings,
the drawing) lives in :mod:`app_state`.

Streamlit still treats a ``pages/`` folder next to the main script the legacy way in the first
run of a fresh server (it would list and run those files on their own). So the built-in
navigation menu is hidden (``client.showSidebarNavigation = false``) in favour of our own links,
the url paths differ from the file names, and every page initialises the state itself.
"""

from pathlib import Path

import streamlit as st
from threadpoolctl import threadpool_limits

import app_state

# Solves are small dense problems: one BLAS thread each is fastest when sessions run side by side
# (measured: a 1,000-iteration FISTA went from 24 s to 0.3 s on a loaded 2-core machine).
threadpool_limits(1)

st.set_page_config(page_title="convexnn: ReLU networks as convex programs", page_icon="🔷", layout="wide")

app_state.init()

PAGES = app_state.discover_pages(Path(__file__).parent / "pages")
page = st.navigation(PAGES, position="hidden")

with st.sidebar:
    st.markdown("### convexnn")
    for p in PAGES:
        st.page_link(p, label=p.title, icon=p.icon)
    st.divider()
    summary = st.empty()

if page.url_path != app_state.PAGE_DATA:
    # the canvas forgets its drawing when its page is left: reload it from session state
    app_state.restore_canvas()


def show_summary() -> None:
    """The sidebar's current data and settings (replacing what the slot showed before)."""
    with summary.container():
        data = app_state.current_data()
        s = app_state.settings()
        st.markdown("**Current data**")
        st.caption(app_state.describe(data))
        st.markdown("**Settings**")
        st.caption(f"β = {s.beta:g} · {s.loss} loss · {s.program} program")
        st.caption("A two-layer ReLU network with weight decay is a convex program "
                   "(Pilanci & Ergen, ICML 2020).")


show_summary()  # before the page too: a page that stops early (st.stop() on bad input) keeps it
page.run()
show_summary()  # after the page, so it shows what the page did (a click on the canvas changes the data)
