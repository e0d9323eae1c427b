"""AppTest: parts of pages built only when opened (issue 16, the first view).

An expander with ``key=..., on_change="rerun"`` reruns the page when it is opened; its body runs only
while ``.open``. AppTest opens it by setting its key in session state, as the browser's click does.
"""

from __future__ import annotations

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
    return len(at.get("plotly_chart"))


def test_the_geometric_algebra_pages_3d_charts_are_built_when_opened():
    closed = run_page(GA_PAGE)
    assert not [m for m in closed.multiselect if m.key == "ga_three"]  # the expander's body did not run
    opened = run_page(GA_PAGE, {"ga_lifted_open": True, "ga_three_open": True})
    assert [m.value for m in opened.multiselect if m.key == "ga_three"] == [[0, 1, 2]]
    assert chart_count(opened) == chart_count(closed) + 2  # the lifted space and the plane in R^4
    assert any("in $\\mathbb R^4$" in m.value for m in opened.markdown)


def test_the_script_health_check_runs_the_app():
    """The Dockerfile's HEALTHCHECK: /_stcore/script-health-check (on in .streamlit/config.toml) runs
    app.py in a fresh server and answers 200 ("ok")."""
    import os
    import subprocess
    import sys
    import urllib.request
    from pathlib import Path

    from conftest import free_port, wait_healthy

    root = Path(__file__).resolve().parents[2]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
         str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=root, env=dict(os.environ, CONVEXNN_WARM_UP="0"), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        wait_healthy(url, proc, 60)
        with urllib.request.urlopen(f"{url}/_stcore/script-health-check", timeout=120) as response:
            assert response.status == 200 and response.read().decode().strip() == "ok"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
