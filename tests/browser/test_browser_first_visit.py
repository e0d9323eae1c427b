"""The first visit of every page, as a lecturer's first click on a freshly started server.

Each page is opened by its URL as the first visitor of its own fresh server (its start imported the
package and ran the default page; the warm-up of the other pages is limited to the default page
here, as it is for a visitor who comes in the first seconds, so the page visited computes its view): it
must show that page with its sidebar link active and no "Page not found" dialog (the deep-link
check of issue 13), and the time to a settled view is recorded: the app reports its script as not
running, no running indicator or spinner shows, and the page's main element (a plotly figure, the
drawing canvas, a heading for Mathematics) is visible; the times are read by a clock in the page
(:func:`start_clock`), from the navigation's start. The test asserts that each page settled
without an exception element; the times are printed as a table (run with ``-s``), never asserted:
wall time on a shared machine is not a property of the code. Speed goals and their measurements
live in the issue notes and bench/ (``bench/firstview.py`` splits them into server and browser CPU).

``test_warm_up_fills_every_page`` proves the server's warm-up (``ui/warmup.py``): after it, a new
visitor's first run of every page computes no cached function; it prints a second table, each
page's first visit (a new browser context) on a warmed server.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import conftest
import psutil
import pytest
from conftest import wait_idle
from playwright.sync_api import Page, expect

import ui
import ui.preload

LONG = 180_000  # ms: a cold server solves the defaults of the heaviest page; the machine may be busy


def app_pages() -> list[tuple[str, str]]:
    """(title, url path) of every page listed in app.py, in order ("" for the default page)."""
    text = (conftest.ROOT / "app.py").read_text()
    pages = []
    for call in re.findall(r"st\.Page\((.*?)\)(?:,|\s*\])", text, flags=re.S):
        title = re.search(r'title="([^"]+)"', call).group(1)
        if "default=True" in call:
            path = ""
        elif (found := re.search(r'url_path="([^"]+)"', call)) is not None:
            path = found.group(1)
        elif "ui.PAGE_DATA" in call:
            path = ui.PAGE_DATA
        else:
            path = re.search(r'"views/(\w+)\.py"', call).group(1)
        pages.append((title, path))
    return pages


PAGES = app_pages()
TIMES: dict[str, tuple[float, float, float, float]] = {}
"""Per page: settled s, main element shown s, server CPU s, load average (1 min) at the end; on a
fresh server (TIMES) and on a server after its warm-up (WARM_TIMES)."""
WARM_TIMES: dict[str, tuple[float, float, float, float]] = {}


MAIN_SELECTOR = {"": "canvas.upper-canvas", ui.PAGE_DATA: "canvas.upper-canvas"}
"""What a settled first view shows: the drawing canvas on the Playground and the Data page, a
section heading on Mathematics, otherwise a rendered plotly figure."""
FIGURE = '.js-plotly-plot .main-svg'


def main_element(page: Page, path: str):
    """The page's main element (:data:`MAIN_SELECTOR`)."""
    if path == "mathematics":
        return page.get_by_test_id("stHeading").nth(1)
    return page.locator(MAIN_SELECTOR.get(path, FIGURE))


CLOCK = """
window.__firstView = {shown: null, idle: null, state: null};
const selector = %s;
const deep = (root, sel) => {  // querySelectorAll into shadow roots too (the canvas component's)
  const found = [...root.querySelectorAll(sel)];
  for (const el of root.querySelectorAll('*')) if (el.shadowRoot) found.push(...deep(el.shadowRoot, sel));
  return found;
};
const mark = () => {
  const t = performance.now();
  const app = document.querySelector('[data-testid="stApp"]');
  const state = app ? app.getAttribute('data-test-script-state') : null;
  if (state === 'notRunning' && window.__firstView.state !== 'notRunning') window.__firstView.idle = t;
  window.__firstView.state = state;
  if (window.__firstView.shown === null) {
    const els = selector ? deep(document, selector)
                         : [...document.querySelectorAll('[data-testid="stHeading"]')].slice(1, 2);
    if (els.some(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; }))
      window.__firstView.shown = t;
  }
};
new MutationObserver(mark).observe(document, {subtree: true, childList: true, attributes: true,
                                              attributeFilter: ['data-test-script-state']});
const frame = () => { mark(); if (window.__firstView.shown === null) requestAnimationFrame(frame); };
requestAnimationFrame(frame);  // a canvas gets its size without a mutation of the document's tree
"""


def start_clock(page: Page, path: str) -> None:
    """Before ``page.goto``: an in-page clock (ms from the navigation's start, by a mutation
    observer and each animation frame, not by the polling of Playwright's waits, which can see a
    change up to 1 s late)
    of when the main element first showed and when the app last became idle."""
    import json

    selector = None if path == "mathematics" else MAIN_SELECTOR.get(path, FIGURE)
    page.add_init_script(CLOCK % json.dumps(selector))


def open_settled(page: Page, url: str, path: str) -> tuple[float, float]:
    """Open ``url/path`` and wait for its settled view (main element visible, script idle, no
    spinner); return (settled s, main element shown s) by the page's own clock."""
    start_clock(page, path)
    page.goto(f"{url}/{path}")
    target = main_element(page, path)
    expect(target.first).to_be_visible(timeout=LONG)
    wait_idle(page, timeout=LONG)
    expect(page.get_by_test_id("stSpinner")).to_have_count(0, timeout=LONG)
    expect(target.first).to_be_visible(timeout=LONG)
    return read_clock(page)


def read_clock(page: Page) -> tuple[float, float]:
    """(settled s: the later of the main element shown and the app's script last becoming idle,
    main element shown s), from the navigation's start, as :func:`start_clock` recorded them."""
    times = page.evaluate("window.__firstView")
    shown = times["shown"] / 1000
    return max(shown, (times["idle"] or 0) / 1000), shown


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    load = os.getloadavg()
    for name, times in (("on a fresh server", TIMES), ("after the server's warm-up", WARM_TIMES)):
        if not times:
            continue
        lines = [f"first visit {name} (load average now {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})",
                 f"{'page':<22} {'settled s':>10} {'main shown s':>13} {'server CPU s':>13} {'load':>6}"]
        for title, (settled, shown, cpu, load1) in times.items():
            lines.append(f"{title:<22} {settled:>10.1f} {shown:>13.1f} {cpu:>13.1f} {load1:>6.2f}")
        print("\n" + "\n".join(lines))


def server_process(url: str) -> psutil.Process:
    """The ``streamlit run`` process this test started for ``url`` (by its port)."""
    port = url.rsplit(":", 1)[1]
    for child in psutil.Process().children(recursive=True):
        try:
            if "streamlit" in " ".join(child.cmdline()) and port in child.cmdline():
                return child
        except psutil.Error:
            continue
    raise LookupError(f"no streamlit process serves {url}")


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


@pytest.mark.browser
@pytest.mark.parametrize(("title", "path"), PAGES, ids=[p or "home" for _, p in PAGES])
def test_first_visit_settles(page: Page, tmp_path, monkeypatch, title: str, path: str):
    conftest.require_chromium()
    monkeypatch.setenv("CONVEXNN_WARM_UP_PAGES", "/")  # the page visited is computed by its visit
    page.set_viewport_size({"width": 1280, "height": 720})
    failed = []  # the frontend found the server at once (ui/preload.py): no 404 on the way
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    with conftest.streamlit_server(tmp_path) as url:
        server = server_process(url)
        cpu0 = cpu_seconds(server)
        TIMES[title] = (*open_settled(page, url, path), cpu_seconds(server) - cpu0, os.getloadavg()[0])
        expect(page.get_by_test_id("stException")).to_have_count(0)
        assert not failed
        # plotly.js's cartesian bundle came with the page's HTML (ui/preload.py): a deferred script on
        # a figure's page, a preload header on a drawing page, fetched once either way (a second
        # fetch would mean that a chart did not find it); Streamlit's full plotly.js is not fetched
        # (no first view has a 3-D figure)
        fetched = page.evaluate("performance.getEntriesByType('resource').map(r => r.name)")
        assert sum("/app/static/plotly-cartesian.min.js" in name for name in fetched) == 1
        assert not any("/PlotlyChart." in name for name in fetched)
        expect(page.locator("head script[data-convexnn-plotly]")).to_have_count(
            0 if path in ui.preload.DRAWING_PAGES else 1)
        # The deep link works for the first visitor: this page, its link active in the sidebar, and
        # no "Page not found" dialog (Streamlit's legacy pages/ mode hit only a fresh server's
        # first session; see tests/browser/test_browser_deeplinks.py for why the folder is views/).
        current = page.get_by_test_id("stSidebarNav").locator("a[aria-current='page']")
        expect(current).to_have_count(1, timeout=LONG)
        expect(current).to_contain_text(title)
        expect(page.get_by_text(re.compile("Page not found"))).to_have_count(0)
        expect(page.get_by_role("dialog")).to_have_count(0)
        assert page.url.split("?")[0].rstrip("/") == f"{url}/{path}".rstrip("/")


def log_lines(log: Path) -> list[list[str]]:
    return [line.split() for line in log.read_text().splitlines()] if log.exists() else []


LIGHT_PAGES = [(title, path) for title, path in PAGES if path in ("home", "dataset", "optimum", "patterns")]
"""The bounded form's pages: every kind of cached work (a solve, its figures, the enumeration and
the Arrangements figures, the Data page's preview) in about 15 s of warm-up instead of 2-3 minutes."""


@pytest.mark.browser
@pytest.mark.parametrize("pages", [
    pytest.param(LIGHT_PAGES, id="light-pages"),
    pytest.param(PAGES, id="every-page", marks=pytest.mark.slow),
])
def test_warm_up_fills_every_page(page: Page, browser, tmp_path, monkeypatch, request, pages):
    """After the server's warm-up (ui/warmup.py), the first run of every page is a cache hit: the
    warm-up ran each page in its own session, and a new visitor's session of each page then
    computes no cached function (the server logs every cache miss with its session id). CI warms
    four light pages (``CONVEXNN_WARM_UP_PAGES``); ``-m slow`` warms and visits every page."""
    if pages is PAGES and "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("2-3 minutes of warm-up: runs with -m slow (the light-pages form runs always)")
    conftest.require_chromium()
    log = tmp_path / "cache.log"
    monkeypatch.setenv("CONVEXNN_CACHE_LOG", str(log))
    monkeypatch.delenv("CONVEXNN_WARM_UP", raising=False)
    if pages is not PAGES:
        monkeypatch.setenv("CONVEXNN_WARM_UP_PAGES", ",".join(path or "/" for _, path in pages))
    with conftest.streamlit_server(tmp_path) as url:
        page.goto(f"{url}/mathematics")  # a visitor while the server warms up (it yields to them)
        wait_idle(page, timeout=LONG)
        deadline = time.monotonic() + 900  # the warm-up solves every page's defaults; a busy machine
        while not any(line[:2] == ["warm-up", "finished"] for line in log_lines(log)):
            assert time.monotonic() < deadline, f"no warm-up after 900 s:\n{log.read_text()}"
            time.sleep(1.0)  # polling a file the server writes (no browser condition to wait on)
        lines = log_lines(log)
        warm_session = next(line[2] for line in lines if line[:2] == ["warm-up", "session"])
        warmed = {line[2] for line in lines if line[0] == "warmed"}
        assert warmed == {p or "/" for _, p in pages} | {"/"}  # the default page lists the pages
        assert any(line[0] == "miss" and line[1] == warm_session for line in lines)  # it computed
        done = len(lines)
        server = server_process(url)
        for title, path in pages:  # each a new visitor: a browser context of its own (no cache)
            context = browser.new_context(viewport={"width": 1280, "height": 720})
            visitor = context.new_page()
            cpu0 = cpu_seconds(server)
            WARM_TIMES[title] = (*open_settled(visitor, url, path), cpu_seconds(server) - cpu0,
                                 os.getloadavg()[0])
            expect(visitor.get_by_test_id("stException")).to_have_count(0)
            context.close()
            new = log_lines(log)[done:]
            visitors = {line[1] for line in new if line[0] == "run"} - {warm_session}
            assert visitors, f"{title}: no visitor's run was logged"
            misses = [" ".join(line) for line in new if line[0] == "miss" and line[1] in visitors]
            assert misses == [], f"{title}: the first visit after the warm-up computed {misses}"
            done += len(new)


def test_warm_up_order_and_switch(monkeypatch):
    """The warm-up runs the heaviest default views first, every page once (or the pages
    CONVEXNN_WARM_UP_PAGES names); it is off outside a real server (AppTest's stand-in runtime,
    plain Python) and with CONVEXNN_WARM_UP=0."""
    import ui.warmup

    paths = [p for _, p in PAGES]
    ordered = ui.warmup.order(paths)
    assert sorted(ordered) == sorted(paths)
    assert ordered[0] == "adamw" and ordered.index("mathematics") > ordered.index("optima")
    ui.warmup.register_pages(paths)  # app.py's run tells the warm-up; the first list stays
    ui.warmup.register_pages(paths[:1])
    assert ui.warmup._pages == paths
    assert set(ui.warmup.HEAVY_FIRST) <= set(paths)  # no stale names
    assert not ui.warmup.enabled()  # no Streamlit runtime in this process
    assert ui.warmup.chosen(paths) == paths
    monkeypatch.setenv("CONVEXNN_WARM_UP_PAGES", "/, optimum,nonexistent")
    assert ui.warmup.chosen(paths) == ["", "optimum"]
    monkeypatch.setenv("CONVEXNN_WARM_UP", "0")
    assert not ui.warmup.enabled()
