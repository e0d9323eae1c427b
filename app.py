"""convexnn: the app. Run with ``streamlit run app.py``.

The pages are listed here, in order, with ``st.navigation``; the sidebar shows that navigation.
What they share (the current data, the settings, the drawing, the URL) lives in the :mod:`ui`
package.

The page files live in ``views/``, not ``pages/``: Streamlit decides at server start that an app
with a folder named ``pages/`` beside its main script uses the legacy multipage mode
(``PagesManager.uses_pages_directory``), so the first visitor of a fresh server who opens a page's
link got a "Page not found" dialog (streamlit issues #8860, #9992, #9624). No option turns that
off; renaming the folder does.

This file is also the server. ``streamlit run app.py`` finds the ``st.App`` at its end and first
imports this module as ``app`` once, at server start: that imports the package and the UI (1-2 s of
CPU no visitor waits for), adds :class:`ui.preload.PreloadPlotly` (plotly.js loads with the page's
HTML) and starts the warm-up of every page's default view (:func:`ui.warmup.lifespan`) before
anyone visits. Streamlit then runs the file as the app's script on every rerun, as ``__main__``
(as AppTest does), and :func:`main` draws the page.
"""

import streamlit as st
from threadpoolctl import threadpool_limits

# Solves are small dense problems: one BLAS thread each is fastest when sessions run side by side
# (measured: a 1,000-iteration FISTA went from 24 s to 0.3 s on a loaded 2-core machine).
threadpool_limits(1)

# Pages that never use the current data, and what they use instead (the sidebar tells the truth);
# a page whose data depend on its own choice sets ui.S.PAGE_DATA while it runs.
OWN_DATA = {
    "adamw": "the spiral of the experiments (160 points), unless the page's Data choice is the current data",
    "stationary": "the page's Example (the documented cases, or the current data)",
    "neural-recovery": "planted linear models y = X w* with Gaussian X, drawn for each trial",
    "deep": "the page's own matrices (deep linear networks)",
    "real-data": "real features chosen on the page (digits 3 vs 8 by default)",
    "mathematics": "none (the mathematics behind the pages)",
}


def show_summary(summary, path: str) -> None:
    """The sidebar's current data and settings (replacing what the slot showed before)."""
    with summary.container():
        data = ui.current_data()
        s = ui.settings()
        own = st.session_state.get(ui.S.PAGE_DATA) or OWN_DATA.get(path)
        if own:
            st.markdown("**Data on this page**")
            st.caption(ui.plain(own))
        st.markdown("**Current data (Data page)**" if own else "**Current data**")
        st.caption(ui.plain(ui.describe(data)))
        st.markdown("**Settings**")
        st.caption(f"β = {s.beta:g} · {s.loss} loss · {s.program} program")
        st.caption("A two-layer ReLU network with weight decay is a convex program "
                   "(Pilanci & Ergen, ICML 2020).")


def main() -> None:
    """One run of the app's script: the page list, the sidebar, the chosen page and the URL."""
    st.set_page_config(page_title="convexnn: ReLU networks as convex programs", page_icon="🔷",
                       layout="wide")

    pages = [
        st.Page("views/playground.py", title="Playground", icon=":material/draw:",
                default=True),  # served at /
        st.Page("views/home.py", title="Home", icon=":material/home:", url_path="home"),
        st.Page("views/data.py", title="Data", icon=":material/scatter_plot:", url_path=ui.PAGE_DATA),
        st.Page("views/global_optimum.py", title="Global optimum", icon=":material/target:",
                url_path="optimum"),
        st.Page("views/optima.py", title="All global optima", icon=":material/call_split:",
                url_path="optima"),
        st.Page("views/lasso_path.py", title="Lasso path", icon=":material/timeline:", url_path="path"),
        st.Page("views/arrangements.py", title="Arrangements", icon=":material/grid_on:",
                url_path="patterns"),
        st.Page("views/geometric_algebra.py", title="Geometric algebra", icon=":material/change_history:",
                url_path="geometry"),
        st.Page("views/stationary.py", title="Stationary points", icon=":material/landscape:",
                url_path="stationary"),
        st.Page("views/adamw.py", title="AdamW vs convex", icon=":material/speed:", url_path="adamw"),
        st.Page("views/recovery.py", title="Neural recovery", icon=":material/troubleshoot:",
                url_path="neural-recovery"),
        st.Page("views/deep_networks.py", title="Deep networks", icon=":material/layers:",
                url_path="deep"),
        st.Page("views/complexity.py", title="Complexity", icon=":material/speed:",
                url_path="complexity-theory"),
        st.Page("views/real_data.py", title="Real data", icon=":material/science:",
                url_path="real-data"),
        st.Page("views/mathematics.py", title="Mathematics", icon=":material/menu_book:",
                url_path="mathematics"),
    ]

    page = st.navigation(pages, position="sidebar", expanded=True)
    ui.warmup.register_pages([p.url_path for p in pages])  # what the server's warm-up runs next
    ui.warmup.log_run(page.url_path)
    st.session_state.pop(ui.S.PAGE_DATA, None)
    ui.init(page.url_path)

    with st.sidebar:
        summary = st.empty()

    # the canvas forgets its drawing when its page is left: reload it from session state
    ui.drawing.enter_page(page.url_path, (ui.schema.PAGE_PLAYGROUND, ui.PAGE_DATA))

    # before the page too: a page that stops early (st.stop() on bad input) keeps it
    show_summary(summary, page.url_path)
    ui.sync_url()  # before the page too (the settings this rerun's callbacks changed), in case it stops
    messages = st.container()  # on top of the page: the messages of callbacks (an upload, Undo, a link)
    with messages:
        ui.show_messages()
    page.run()
    with messages:
        ui.show_messages(kept_too=False)  # what the page queued while it ran (a drawing's data refused)
    ui.sync_url()  # the page may have changed settings or data (a click on the canvas)
    show_summary(summary, page.url_path)  # after the page, so it shows what the page did


if __name__ == "__main__":  # Streamlit runs this file as the app's script, on every rerun
    import ui
    import ui.warmup

    main()
else:  # `streamlit run app.py` imports it once, at server start
    import logging

    from starlette.middleware import Middleware

    # Importing ui declares its st.cache_data functions before the server's runtime exists, and
    # Streamlit warns for each that it checked its parameters against a memory store ("No runtime
    # found"); the caches themselves are made at each function's first call, in the runtime's store.
    logging.getLogger("streamlit.runtime.caching.cache_data_api").disabled = True
    from ui.preload import PreloadPlotly
    from ui.warmup import lifespan

    logging.getLogger("streamlit.runtime.caching.cache_data_api").disabled = False

    app = st.App("app.py", lifespan=lifespan, middleware=[Middleware(PreloadPlotly)])
