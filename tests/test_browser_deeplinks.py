"""Deep links on a fresh server: the first visitor who opens any page's link sees that page.

Each check starts its own server (tests/conftest.py ``streamlit_server``), because the failure
this guards against (Streamlit's legacy ``pages/`` mode, "Page not found" over the page) only hit
the first session of a fresh server.
"""

import ast
import re

import pytest
from conftest import LONG, ROOT, require_chromium, streamlit_server, wait_idle
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
@pytest.mark.parametrize("file, title, url_path", PAGES, ids=[t for _, t, _ in PAGES])
def test_first_visitor_of_a_fresh_server_gets_the_linked_page(page: Page, tmp_path, file, title, url_path):
    require_chromium()
    url_path = "dataset" if url_path is None else url_path  # the Data page's path is ui.PAGE_DATA
    with streamlit_server(tmp_path) as url:
        page.goto(f"{url}/{url_path}")
        wait_idle(page)
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav.get_by_role("link", name=title, exact=True)).to_be_visible(timeout=LONG)
        current = nav.locator("a[aria-current='page']")
        expect(current).to_have_count(1, timeout=LONG)
        expect(current).to_contain_text(title)
        heading = page.get_by_test_id("stMain").get_by_role("heading", level=1).first
        expect(heading).to_be_visible(timeout=LONG)
        expect(page.get_by_text(re.compile("Page not found"))).to_have_count(0)
        expect(page.get_by_role("dialog")).to_have_count(0)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        assert page.url.split("?")[0].rstrip("/") == f"{url}/{url_path}".rstrip("/")
