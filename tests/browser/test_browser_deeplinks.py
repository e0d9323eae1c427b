"""Deep links: the page list and the folder the pages live in.

The failure guarded against (Streamlit's legacy ``pages/`` mode: "Page not found" over the page)
hit only the first session of a fresh server, when a folder named ``pages/`` sits beside app.py.
The browser side (every page's link opened as the first visitor of its own fresh server) is in
tests/browser/test_browser_first_visit.py, which starts one fresh server per page for both checks.
"""

import ast
import re

import conftest
import pytest
from conftest import LONG, ROOT, wait_idle
from playwright.sync_api import Page, expect


def app_pages() -> list[tuple[str, str, str]]:
    """(file, title, url path) of every ``st.Page`` written out in app.py, in order."""
    tree = ast.parse((ROOT / "app.py").read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page":
            kw = {k.arg: k.value for k in node.keywords}
            path = kw.get("url_path")
            url = path.value if isinstance(path, ast.Constant) else None
            if "default" in kw and kw["default"].value is True:
                url = ""  # Streamlit serves the default page at the root
            found.append((node.args[0].value, kw["title"].value, url))
    return found


PAGES = app_pages()


def test_app_lists_every_view_once_and_no_pages_folder():
    files = [f for f, _, _ in PAGES]
    assert sorted(files) == sorted(f"views/{p.name}" for p in (ROOT / "views").glob("*.py"))
    assert len(set(files)) == len(files)
    assert not (ROOT / "pages").exists(), "a pages/ folder beside app.py turns on Streamlit's legacy mode"



@pytest.mark.browser
def test_a_page_link_under_a_base_url_path_finds_the_server_at_once(page: Page, tmp_path):
    """ui/preload.py gives the frontend the app's base (the page's address without the page):
    under ``server.baseUrlPath`` too, the page opened by its link asks no path that 404s (Streamlit's
    own guess asked ``/<page>/_stcore/health`` first) and shows its figure; the other pages' links
    stay under the base."""
    conftest.require_chromium()
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    with conftest.streamlit_server(tmp_path, "course") as url:
        page.goto(f"{url}/optimum")
        expect(page.locator('.js-plotly-plot .main-svg').first).to_be_visible(timeout=LONG)
        wait_idle(page)
        assert not failed
        link = page.get_by_test_id("stSidebarNav").get_by_role("link", name="Lasso path")
        link.click()
        expect(page).to_have_url(re.compile(r"/course/path/?(\?|$)"), timeout=LONG)
        expect(page.locator('.js-plotly-plot .main-svg').first).to_be_visible(timeout=LONG)
        wait_idle(page)
        assert not failed
        expect(page.get_by_test_id("stException")).to_have_count(0)
