"""Shared fixtures: the running app for the browser tests, and Debian Chromium for Playwright.

Browser tests (``@pytest.mark.browser``) drive ``/usr/bin/chromium`` through pytest-playwright.
Without Chromium they skip with a message saying how to install it, except with ``CI=true``,
where a missing browser is a failure (CI must run them).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from threadpoolctl import threadpool_limits

# The suite runs beside a Streamlit server and Chromium on 2 cores: one BLAS thread per process.
threadpool_limits(1)

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 60.0


def chart_specs(at) -> list[dict]:
    """The plotly figures an AppTest run shows, in page order, as specs (``data``, ``layout``,
    ``frames``): those of ui.plot's chart component and of ``st.plotly_chart`` (3-D figures)."""
    def walk(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    specs = []
    for element in walk(at._tree):
        if element.type == "plotly_chart":
            specs.append(json.loads(element.proto.spec))
        elif element.type == "bidi_component" and element.proto.component_name == "convexnn_chart":
            specs.append(json.loads(json.loads(element.proto.json)["spec"]))
    return specs


def find_chromium() -> str | None:
    """Debian's Chromium: /usr/bin/chromium, else whatever ``chromium`` is on the PATH."""
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def require_chromium() -> str:
    path = find_chromium()
    if path is None:
        message = ("Chromium not found (/usr/bin/chromium or `chromium` on the PATH): browser tests "
                   "need Debian's Chromium, install it with `apt-get install -y chromium`.")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and {message}", pytrace=False)
        pytest.skip(message)
    return path


STEADY = 60_000
"""ms: the default wait of every Playwright ``expect`` and action in the suite. Playwright's own
defaults (5 s for ``expect``, 30 s for actions) fail on a loaded machine where a rerun can take
longer; a wait that holds returns at once, so only a failing check pays this."""


def _steady_waits() -> None:
    try:
        from playwright.sync_api import expect
    except ImportError:  # the browser layer is skipped without Playwright
        return
    expect.set_options(timeout=STEADY)


_steady_waits()


@pytest.fixture
def context(context):
    """pytest-playwright's browser context, with :data:`STEADY` as its actions' default wait."""
    context.set_default_timeout(STEADY)
    return context


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options, pointed at Debian's Chromium."""
    return {**browser_type_launch_args, "executable_path": require_chromium(), "args": CHROMIUM_ARGS}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"streamlit was not healthy at {url} after {timeout:.0f} s")


@contextlib.contextmanager
def streamlit_server(log_dir: Path, base_url_path: str = ""):
    """Start ``streamlit run app.py`` on a free port (a fresh server, under ``server.baseUrlPath``
    if given); yield its URL; stop that process (by its pid) afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}" + (f"/{base_url_path}" if base_url_path else "")
    log = log_dir / f"server-{port}.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py",
             "--server.headless", "true", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", "--server.baseUrlPath", base_url_path],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        wait_healthy(url, proc, SERVER_START_TIMEOUT)
        yield url
    except RuntimeError as exc:
        pytest.fail(f"{exc}\n--- server log ---\n{log.read_text()[-3000:]}", pytrace=False)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """One app server for the browser tests of a session."""
    require_chromium()  # no browser, no point in starting the server
    with streamlit_server(tmp_path_factory.mktemp("streamlit")) as url:
        yield url


# --------------------------------------------------------------------------------------------
# Waiting in the browser: by condition, with timeouts that hold on a loaded 2-core machine
# --------------------------------------------------------------------------------------------

LONG = 120_000
"""ms: the longest wait for a page to settle (a cold start loads plotly.js and solves; the
machine may be running the rest of the suite beside it)."""


def open_page(page, name: str, settle: bool = True) -> None:
    """Open a page by its sidebar link, wait until the browser shows its address, then (``settle``)
    until its runs end. On a busy server a click made right after the Playground's first run can be
    lost: the Playground ran again with its sliders at their minima and kept the address
    (``?pg_width=1&pg_lr=0.001``, seen twice in full-suite runs, never alone), or took the browser
    back to it after the clicked page had opened (once, in stop 24's suite run); the link is then
    clicked again, up to three times in all."""
    import re

    from playwright.sync_api import expect

    link = page.get_by_test_id("stSidebar").get_by_role("link", name=name, exact=True)
    path = link.get_attribute("href").split("://", 1)[-1].split("/", 1)[-1].split("?")[0].strip("/")
    target = re.compile(r"^[a-z]+://[^/]+/" + re.escape(path) + r"/?(\?|$)")
    for _ in range(3):
        link.click()
        try:
            expect(page).to_have_url(target)
        except AssertionError:  # the click was lost
            wait_idle(page)
            continue
        if not settle:
            return
        wait_idle(page)
        if target.match(page.url):  # still there once the runs ended
            return
    raise AssertionError(f"the sidebar link {name!r} did not keep its page open: the address is {page.url}")


def wait_idle(page, timeout: float = LONG) -> None:
    """Wait until Streamlit has finished its runs: the app reports its script as not running and
    its running indicator is gone. Callers then wait for the outcome they expect (a text)."""
    from playwright.sync_api import expect

    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-script-state", "notRunning",
                                  timeout=timeout)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=timeout)
