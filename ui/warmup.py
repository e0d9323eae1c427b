"""The server's warm-up: every page's default view computed once, in the background.

A page's first view is slow only while its cached computations (``st.cache_data``,
``st.cache_resource``, :func:`ui.compute.once`) are empty. The warm-up runs every page of the app,
one after the other, in a session of its own that no browser sees (a :class:`QuietClient` that
drops the page's output), right after the server's first visitor got a page. Because the pages
themselves run, with the default settings a new visitor has, the caches are filled under exactly
the keys a visitor's first run asks for: no list of computations to keep in step with the pages.
A visitor who opens a page while it is being warmed waits for that computation (Streamlit computes
one key once), nothing is computed twice.

It starts once per server (:func:`start`, called by ``app.py`` in a ``st.cache_resource``) and
yields to visitors: before each page it waits (up to :data:`YIELD_SECONDS`) until no other
session's script has run for :data:`QUIET_SECONDS`, the first visitor's first run included.
``CONVEXNN_WARM_UP=0`` turns it off (``bench/firstview.py`` measures a cold server with it);
``CONVEXNN_WARM_UP_PAGES=home,dataset`` warms only those pages.
``CONVEXNN_CACHE_LOG=<file>`` appends one line per cache miss (session id, function) to that file;
the tests read it to prove that a page's first run after the warm-up computes nothing.

Streamlit has no public API for a server-side session: this uses ``Runtime.connect_session`` and
``handle_backmsg`` (what the websocket handler calls), on the runtime's event loop, and is checked
by ``tests/browser/test_browser_first_visit.py`` for the pinned Streamlit version.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence

LOG = logging.getLogger("convexnn.warmup")

# Heaviest default views first (CPU seconds of a cold run, bench/firstview.py --split), then the
# others in the app's order.
HEAVY_FIRST = ("adamw", "complexity-theory", "deep", "optima", "stationary", "path", "neural-recovery",
               "real-data")
PAGE_SECONDS = 300.0
"""Longest wait for one page's run (a page still running then is left to finish on its own)."""
START_DELAY = 1.0
"""Seconds the warm-up waits at its start (the first visitor's run has begun by then)."""
QUIET_SECONDS = 3.0
"""The warm-up runs a page only after the visitors' scripts have been idle this long."""
YIELD_SECONDS = 30.0
"""Longest wait, before each page, for the scripts of visitors' sessions to finish."""

finished = threading.Event()
"""Set when the warm-up has run every page (or given up)."""


def enabled() -> bool:
    """Whether to warm up: in a real server (not AppTest's stand-in runtime), unless
    ``CONVEXNN_WARM_UP=0``."""
    from streamlit.runtime import Runtime

    if os.environ.get("CONVEXNN_WARM_UP", "1") == "0" or not Runtime.exists():
        return False
    return type(Runtime.instance()) is Runtime


def order(paths: Sequence[str]) -> list[str]:
    """The pages' url paths, heaviest default view first."""
    heavy = [p for p in HEAVY_FIRST if p in paths]
    return heavy + [p for p in paths if p not in heavy]


class QuietClient:
    """A Streamlit session client that drops every message and notes when a full run finished."""

    def __init__(self) -> None:
        self.run_finished = threading.Event()

    def write_forward_msg(self, msg) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if msg.WhichOneof("type") == "script_finished" and msg.script_finished in (
                ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
            self.run_finished.set()

    @property
    def client_context(self):
        return None


def _on_loop(runtime, call: Callable[[], object], timeout: float = 30.0):
    """``call()`` on the runtime's event loop thread (where the session API must be used)."""
    loop = runtime._get_async_objs().eventloop

    async def run():
        return call()

    return asyncio.run_coroutine_threadsafe(run(), loop).result(timeout)


def _others_running(runtime, own_id: str) -> bool:
    """Whether a visitor's session is running its script."""
    from streamlit.runtime.app_session import AppSessionState

    return any(info.session.id != own_id and info.session._state == AppSessionState.APP_IS_RUNNING
               for info in runtime._session_mgr.list_active_sessions())


def _wait_for_visitors(runtime, own_id: str) -> None:
    """Wait until no visitor's script has run for :data:`QUIET_SECONDS` (at most
    :data:`YIELD_SECONDS`): a visitor's browser is still loading the page's parts then, and the
    warm-up would take the CPU from it."""
    start = last_busy = time.monotonic()
    while time.monotonic() - last_busy < QUIET_SECONDS and time.monotonic() - start < YIELD_SECONDS:
        if _others_running(runtime, own_id):
            last_busy = time.monotonic()
        time.sleep(0.1)


def run_pages(paths: Sequence[str]) -> list[tuple[str, float]]:
    """Run each page (by url path, "" for the default page) once in a quiet session; return
    (path, wall seconds) per page. Never raises: a failing page is logged and skipped."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.runtime import Runtime

    runtime = Runtime.instance()
    client = QuietClient()
    session_id = _on_loop(runtime, lambda: runtime.connect_session(client=client, user_info={}))
    _log_line(f"warm-up session {session_id}")
    times = []
    try:
        for path in paths:
            _wait_for_visitors(runtime, session_id)
            msg = BackMsg()
            msg.rerun_script.query_string = ""
            msg.rerun_script.page_name = path
            client.run_finished.clear()
            t0 = time.perf_counter()
            _on_loop(runtime, lambda m=msg: runtime.handle_backmsg(session_id, m))
            if not client.run_finished.wait(PAGE_SECONDS):
                LOG.warning("warm-up: page %r still running after %.0f s", path, PAGE_SECONDS)
            times.append((path, time.perf_counter() - t0))
            _log_line(f"warmed {session_id} {path or '/'} {times[-1][1]:.1f} s")
    finally:
        try:
            _on_loop(runtime, lambda: runtime.close_session(session_id))
        except Exception:  # noqa: BLE001  (the server is stopping)
            pass
    return times


LATE_IMPORTS = ("cvxpy", "joblib", "sklearn.datasets")
"""Packages no page's default view needs but some pages' later steps do (1.2 s of CPU): imported by
the warm-up instead of at the first visitor's first run (``ui/__init__.py``)."""


def _warm(paths: Sequence[str]) -> None:
    try:
        time.sleep(START_DELAY)  # the first visitor's session starts its run
        from streamlit.runtime import Runtime

        _wait_for_visitors(Runtime.instance(), "")
        for name in LATE_IMPORTS:
            try:
                importlib.import_module(name)
            except ImportError:  # pragma: no cover  (an optional package; its page says so)
                pass
        run_pages(order(paths))
    except Exception:  # noqa: BLE001  (a warm-up failure must never reach a visitor)
        LOG.exception("warm-up failed")
    finally:
        finished.set()
        _log_line("warm-up finished")


def chosen(paths: Sequence[str]) -> list[str]:
    """The pages to warm: all of them, or those named in ``CONVEXNN_WARM_UP_PAGES`` (url paths,
    comma-separated, "/" for the default page; the tests' bounded form warms a few light pages)."""
    names = os.environ.get("CONVEXNN_WARM_UP_PAGES")
    if not names:
        return list(paths)
    wanted = {"" if name.strip() == "/" else name.strip() for name in names.split(",")}
    return [p for p in paths if p in wanted]


def start(paths: Sequence[str]) -> threading.Thread:
    """Start the warm-up thread for these pages (url paths, filtered by :func:`chosen`); it does
    nothing if not :func:`enabled`. Call once per server (``app.py`` does, from a
    ``st.cache_resource``)."""
    record_cache_misses()
    thread = threading.Thread(target=_warm, args=(chosen(paths),), name="convexnn-warm-up", daemon=True)
    if enabled():
        thread.start()
    else:
        finished.set()
    return thread


# --------------------------------------------------------------------------------------------
# The cache-miss log (tests): which session computed which cached function
# --------------------------------------------------------------------------------------------

_log_lock = threading.Lock()


def _log_line(text: str) -> None:
    path = os.environ.get("CONVEXNN_CACHE_LOG")
    if path:
        with _log_lock, open(path, "a", encoding="utf-8") as out:
            out.write(text + "\n")


def record_cache_misses() -> None:
    """With ``CONVEXNN_CACHE_LOG`` set, log every cache miss of ``st.cache_data``/``st.cache_resource``
    as "miss <session id> <function>" (and each session's page as "run <session id> <path>" is
    logged by ``app.py``). Idempotent; without the variable it does nothing."""
    if not os.environ.get("CONVEXNN_CACHE_LOG"):
        return
    from streamlit.runtime.caching import cache_utils

    cls = cache_utils.CachedFunc
    if getattr(cls, "_convexnn_logged", False):
        return
    original = cls._handle_cache_miss

    def logged(self, *args, **kwargs):
        _log_line(f"miss {session_id()} {self._info.func.__module__}.{self._info.func.__qualname__}")
        return original(self, *args, **kwargs)

    cls._handle_cache_miss = logged
    cls._convexnn_logged = True


def session_id() -> str:
    """The current script run's session id ("-" outside a script run)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else "-"


def log_run(path: str) -> None:
    """Log "run <session id> <path>" (with ``CONVEXNN_CACHE_LOG``): which page a session ran."""
    _log_line(f"run {session_id()} {path or '/'}")
