"""Deep links: the page list and the folder the pages live in.

The failure guarded against (Streamlit's legacy ``pages/`` mode: "Page not found" over the page)
hit only the first session of a fresh server, when a folder named ``pages/`` sits beside app.py.
The browser side (every page's link opened as the first visitor of its own fresh server) is in
tests/browser/test_browser_first_visit.py, which starts one fresh server per page for both checks.
"""

import ast

from conftest import ROOT


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

