"""The server's warm-up: every page's default view computed once, in the background.

A page's first view is slow only while its cached computations (``st.cache_data``,
``st.cache_resource``, :func:`ui.compute.once`) are empty. The warm-up runs every page of the app,
one after the other, in a session of its own that no browser sees (a :class:`QuietClient` that
drops the page's output), from the server's start (:func:`lifespan`, the ``st.App`` of ``app.py``):
the default page before the server answers anyone (its run also lists the pages,
:func:`register_pages`), then the others. Because the pages themselves run, with the default
settings a new visitor has, the caches are filled under exactly the keys a visitor's first run asks
for: no list of computations to keep in step with the pages. A visitor who opens a page while it is
being warmed waits for that computation (Streamlit computes one key once), nothing is computed twice.

After the default page it yields to visitors: before each page it waits (up to
:data:`YIELD_SECONDS`) until no other session's script has run for :data:`QUIET_SECONDS` (a visitor's
browser is still drawing then), and it stops when the server stops.
``CONVEXNN_WARM_UP=0`` turns it off (``bench/firstview.py`` measures a cold server with it);
``CONVEXNN_WARM_UP_PAGES=home,dataset`` warms only those pages (after the default page).
``CONVEXNN_CACHE_LOG=<file>`` appends one line per cache miss (session id, function) to that file;
the tests read it to prove that a page's first run after the warm-up computes nothing.

Streamlit has no public API for a server-side session: this uses ``Runtime.connect_session`` and
``handle_backmsg`` (what the websocket handler calls), on the runtime's event loop, and is checked
by ``tests/browser/test_browser_first_visit.py`` for the pinned Streamlit version.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence

LOG = logging.getLogger("convexnn.warmup")

# Heaviest default views first (CPU seconds of a cold run, bench/firstview.py --split), then the
# others in the app's order.
HEAVY_FIRST = ("adamw", "complexity-theory", "deep", "optima", "stationary", "path", "neural-recovery",
               "real-data")
PAGE_SECONDS = 300.0
"""Longest wait for one page's run (a page still running then is left to finish on its own)."""
PAGES_SECONDS = 60.0
"""Longest wait for the page list (the default page's run registers it)."""
QUIET_SECONDS = 3.0
"""The warm-up runs a page only after the visitors' scripts have been idle this long."""
YIELD_SECONDS = 30.0
"""Longest wait, before each page, for the scripts of visitors' sessions to finish."""

finished = threading.Event()
"""Set when the warm-up has run every page (or given up)."""
stopping = threading.Event()
"""Set when the server stops: the warm-up runs no further page."""
default_warmed = threading.Event()
"""Set when the default page has run (or the warm-up is off or gave up)."""
_pages: list[str] = []
_pages_known = threading.Event()


def register_pages(paths: Sequence[str]) -> None:
    """The app's pages (url paths, "" for the default page): ``app.py`` tells the warm-up on each run."""
    if not _pages_known.is_set():
        _pages[:] = list(paths)
        _pages_known.set()


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


_warm_sessions: set[str] = set()
_last_visit = [float("-inf")]
"""When a visitor's run last started (time.monotonic(), by :func:`log_run`)."""


def _wait_for_visitors(runtime, own_id: str) -> None:
    """Wait until no visitor's script has run for :data:`QUIET_SECONDS` (at most
    :data:`YIELD_SECONDS`): a visitor's browser is still loading the page's parts then, and the
    warm-up would take the CPU from it."""
    start = time.monotonic()
    while not stopping.is_set() and time.monotonic() - start < YIELD_SECONDS:
        if _others_running(runtime, own_id):
            _last_visit[0] = time.monotonic()
        elif time.monotonic() - _last_visit[0] >= QUIET_SECONDS:
            return
        time.sleep(0.1)


@contextlib.contextmanager
def quiet_session():
    """A session no browser sees, on the running server; yields ``run(path)``, which runs one page
    (url path, "" for the default page) after the visitors' scripts have been quiet and returns its
    wall seconds (``None`` once the server stops). A page that fails is logged, never raised."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.runtime import Runtime

    runtime = Runtime.instance()
    client = QuietClient()
    session_id = _on_loop(runtime, lambda: runtime.connect_session(client=client, user_info={}))
    _warm_sessions.add(session_id)
    _log_line(f"warm-up session {session_id}")

    def run(path: str) -> float | None:
        _wait_for_visitors(runtime, session_id)
        if stopping.is_set():
            return None
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_name = path
        client.run_finished.clear()
        t0 = time.perf_counter()
        _on_loop(runtime, lambda: runtime.handle_backmsg(session_id, msg))
        if not client.run_finished.wait(PAGE_SECONDS):
            LOG.warning("warm-up: page %r still running after %.0f s", path, PAGE_SECONDS)
        seconds = time.perf_counter() - t0
        _log_line(f"warmed {session_id} {path or '/'} {seconds:.1f} s")
        return seconds

    try:
        yield run
    finally:
        try:
            _on_loop(runtime, lambda: runtime.close_session(session_id))
        except Exception:  # noqa: BLE001  (the server is stopping)
            pass


START_IMPORTS = ("cvxpy", "joblib", "sklearn.datasets", "streamlit.emojis")
"""Packages the UI does not import but pages do (the Complexity page's default view solves with
cvxpy, Real data loads its digits with scikit-learn, Streamlit checks page icons with its emoji
table): 0.6-1.7 s of CPU at a page's first run on a fresh server (py-spy), imported at server start
(:func:`lifespan`) instead."""


def import_packages() -> None:
    """Import :data:`START_IMPORTS` (an optional package that is missing is left to its page)."""
    for name in START_IMPORTS:
        try:
            importlib.import_module(name)
        except ImportError:  # pragma: no cover  (an optional package; its page says so)
            pass


def _warm() -> None:
    """The warm-up thread: the default page, then the other pages."""
    try:
        with quiet_session() as run:
            run("")  # the default page: its run lists the pages (register_pages)
            _last_visit[0] = time.monotonic()  # the server answers now: a visitor may come first
            default_warmed.set()
            if not _pages_known.wait(PAGES_SECONDS):
                LOG.warning("warm-up: no page list after %.0f s", PAGES_SECONDS)
                return
            for path in order([p for p in chosen(_pages) if p != ""]):
                if run(path) is None:
                    return
    except Exception:  # noqa: BLE001  (a warm-up failure must never reach a visitor)
        LOG.exception("warm-up failed")
    finally:
        default_warmed.set()
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


def start() -> threading.Thread:
    """Start the warm-up thread (once per server); it does nothing if not :func:`enabled`."""
    record_cache_misses()
    stopping.clear()
    thread = threading.Thread(target=_warm, name="convexnn-warm-up", daemon=True)
    if enabled():
        thread.start()
    else:
        default_warmed.set()
        finished.set()
    return thread


@contextlib.asynccontextmanager
async def lifespan(app) -> AsyncIterator[None]:
    """The ``st.App`` lifespan of ``app.py``. Before the server answers anyone it imports the
    packages pages need (:func:`import_packages`) and runs the default page once (the first run of
    a process pays Streamlit's and plotly's one-time costs too: 0.2-0.5 s); the rest of the warm-up
    goes on in its thread, yielding to visitors, until every page ran or the server stops."""
    await asyncio.to_thread(import_packages)
    thread = start()
    await asyncio.to_thread(default_warmed.wait, PAGE_SECONDS)
    try:
        yield None
    finally:
        stopping.set()
        if thread.is_alive():  # a page's run in progress may end first (a daemon thread: never long)
            await asyncio.to_thread(thread.join, 3.0)


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
    """Note that a session's run started (the warm-up waits for visitors) and log
    "run <session id> <path>" (with ``CONVEXNN_CACHE_LOG``): which page a session ran."""
    sid = session_id()
    if sid not in _warm_sessions:
        _last_visit[0] = time.monotonic()
    _log_line(f"run {sid} {path or '/'}")
