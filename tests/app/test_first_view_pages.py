"""AppTest: parts of pages built only when opened (issue 16, the first view).

An expander with ``key=..., on_change="rerun"`` reruns the page when it is opened; its body runs only
while ``.open``. AppTest opens it by setting its key in session state, as the browser's click does.
"""

from __future__ import annotations

from conftest import chart_specs
from streamlit.testing.v1 import AppTest

GA_PAGE = "views/geometric_algebra.py"


def run_page(page: str, state: dict | None = None) -> AppTest:
    """The app, switched to ``page``, with ``state`` set before that page's run; no exception."""
    at = AppTest.from_file("../../app.py", default_timeout=180)
    at.query_params["n"] = "20"
    at.run()
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart_count(at: AppTest) -> int:
    return len(chart_specs(at))


def test_the_geometric_algebra_pages_3d_charts_are_built_when_opened():
    closed = run_page(GA_PAGE)
    assert not [m for m in closed.multiselect if m.key == "ga_three"]  # the expander's body did not run
    opened = run_page(GA_PAGE, {"ga_lifted_open": True, "ga_three_open": True})
    assert [m.value for m in opened.multiselect if m.key == "ga_three"] == [[0, 1, 2]]
    assert chart_count(opened) == chart_count(closed) + 2  # the lifted space and the plane in R^4
    assert any("in $\\mathbb R^4$" in m.value for m in opened.markdown)


def test_a_fresh_server_warms_its_default_page_before_any_visitor(tmp_path):
    """``streamlit run app.py`` starts the server through app.py's ``st.App``: its lifespan starts the
    warm-up (ui/warmup.py) with the server, so the default page's view is computed (cache misses
    in the warm-up's own session) with no visitor at all, and the server answers health meanwhile."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    from conftest import free_port, wait_healthy

    root = Path(__file__).resolve().parents[2]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "cache.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
         str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=root, env=dict(os.environ, CONVEXNN_WARM_UP_PAGES="/", CONVEXNN_CACHE_LOG=str(log)),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(url, proc, 60)
        deadline = time.monotonic() + 300  # a busy machine
        while "warm-up finished" not in (log.read_text() if log.exists() else ""):
            text = log.read_text() if log.exists() else ""
            assert proc.poll() is None and time.monotonic() < deadline, text
            time.sleep(0.5)  # polling a file the server writes
        lines = [line.split() for line in log.read_text().splitlines()]
        session = next(line[2] for line in lines if line[:2] == ["warm-up", "session"])
        assert [line[2] for line in lines if line[0] == "warmed"] == ["/"]
        assert {line[1] for line in lines if line[0] in ("run", "miss")} == {session}  # no visitor
        assert any(line[0] == "miss" and line[2].endswith("playground_optimum") for line in lines)
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=60) as response:
            assert response.read().decode().strip() == "ok"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
