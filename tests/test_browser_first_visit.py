"""The first visit of every page, as a lecturer's first click on a freshly started server.

Each page is opened by its URL as the first visitor of its own fresh server (nothing cached): it
must show that page with its sidebar link active and no "Page not found" dialog (the deep-link
check of issue 13), and the time to a settled view is recorded: the app reports its script as not
running, no running indicator or spinner shows, and the page's main element (a plotly figure, the
drawing canvas, a heading for Mathematics) is visible. The test asserts that each page settled
without an exception element; the times are printed as a table (run with ``-s``), never asserted:
wall time on a shared machine is not a property of the code. Speed goals and their measurements
live in the issue notes and bench/.
"""

from __future__ import annotations

import os
import re
import time

import conftest
import pytest
from conftest import wait_idle
from playwright.sync_api import Page, expect

import ui

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
TIMES: dict[str, tuple[float, float | None]] = {}


def main_element(page: Page, path: str):
    """What a settled first view shows: the canvas on Data, a section on Mathematics, otherwise
    a rendered plotly figure."""
    if path == ui.PAGE_DATA:
        return page.locator("canvas.upper-canvas")
    if path == "mathematics":
        return page.get_by_test_id("stHeading").nth(1)
    return page.locator('[data-testid="stPlotlyChart"] .main-svg')


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    load = os.getloadavg()
    lines = [f"first visit on a fresh server (load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})",
             f"{'page':<22} {'settled s':>10} {'main shown s':>13}"]
    for title, (settled, shown) in TIMES.items():
        lines.append(f"{title:<22} {settled:>10.1f} {shown if shown is None else round(shown, 1)!s:>13}")
    print("\n" + "\n".join(lines))


@pytest.mark.browser
@pytest.mark.parametrize(("title", "path"), PAGES, ids=[p or "home" for _, p in PAGES])
def test_first_visit_settles(page: Page, tmp_path, title: str, path: str):
    conftest.require_chromium()
    page.set_viewport_size({"width": 1280, "height": 720})
    with conftest.streamlit_server(tmp_path) as url:
        start = time.monotonic()
        page.goto(f"{url}/{path}")
        target = main_element(page, path)
        expect(target.first).to_be_visible(timeout=LONG)
        shown = time.monotonic() - start
        wait_idle(page, timeout=LONG)
        expect(page.get_by_test_id("stSpinner")).to_have_count(0, timeout=LONG)
        expect(target.first).to_be_visible(timeout=LONG)
        TIMES[title] = (time.monotonic() - start, shown)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        # The deep link works for the first visitor: this page, its link active in the sidebar, and
        # no "Page not found" dialog (Streamlit's legacy pages/ mode hit only a fresh server's
        # first session; see tests/test_browser_deeplinks.py for why the folder is views/).
        current = page.get_by_test_id("stSidebarNav").locator("a[aria-current='page']")
        expect(current).to_have_count(1, timeout=LONG)
        expect(current).to_contain_text(title)
        expect(page.get_by_text(re.compile("Page not found"))).to_have_count(0)
        expect(page.get_by_role("dialog")).to_have_count(0)
        assert page.url.split("?")[0].rstrip("/") == f"{url}/{path}".rstrip("/")
