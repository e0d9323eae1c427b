"""Nasty input in the running app (headless Chromium): broken, NaN, one-class, too long and too
large CSV files, a single drawn point, one drawn class, a link full of bad values and a loss that
does not fit the data. Each must give a readable message, no exception element, and leave a
session that still solves.

Set ``CONVEXNN_SHOTS=/some/dir`` to keep a screenshot of every nasty state.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import ROOT, open_page
from playwright.sync_api import Page, expect
from test_browser import LONG, empty_canvas, no_exceptions, sidebar_data, wait_idle

import ui

SHOTS = os.environ.get("CONVEXNN_SHOTS")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"nasty-{name}.png"), full_page=True)


def upload(page: Page, name: str, content: bytes, attempts: int = 5) -> None:
    """Upload one file on the Data page (removing the file uploaded before, as a user would). A
    removal clicked while a rerun redraws the uploader may be lost: it is clicked until the
    uploader holds no file and shows its file input again."""
    uploader = page.get_by_test_id("stFileUploader")
    expect(uploader).to_be_visible(timeout=LONG)
    file_input = uploader.locator("input[type=file]")
    remove = uploader.get_by_test_id("stFileUploaderDeleteBtn")
    for _ in range(attempts):
        if not remove.count():
            break
        remove.first.click()
        wait_idle(page)
    expect(remove).to_have_count(0, timeout=LONG)
    expect(file_input).to_have_count(1, timeout=LONG)
    file_input.set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    wait_idle(page)


def message(page: Page, pattern: str):
    """The alert (error, warning or info) whose text matches ``pattern``."""
    return page.get_by_test_id("stAlert").filter(has_text=re.compile(pattern)).first


def still_solves(page: Page) -> None:
    open_page(page, "Global optimum")
    expect(page.get_by_text(re.compile(r"certified optimal: relative gap"))).to_be_visible(timeout=LONG)
    no_exceptions(page)


@pytest.mark.browser
def test_bad_csv_files_are_refused_and_the_data_kept(page: Page, app_url):
    page.goto(app_url)
    wait_idle(page)
    open_page(page, "Data")
    before = sidebar_data(page)
    assert before.startswith("moons: 40 points")
    cases = [
        ("broken.csv", b"x1,x2,y\n1,2,1\n3,abc,-1\n", r"Could not read broken\.csv: Row 3, column x2: 'abc' "
                                                       r"is not a number\. The previous data are kept"),
        ("nan.csv", b"x1,x2,y\n0.1,0.2,1\nnan,0.3,-1\n0.5,0.5,1\n", r"NaN or infinite values.*previous data"),
        ("oneclass.csv", b"x1,x2,y\n0,0,1\n1,1,1\n2,0,1\n", r"Only one class is present.*previous data"),
        ("long.csv", ("x1,y\n" + "".join(f"{k},{k % 7}\n" for k in range(ui.MAX_POINTS + 1))).encode(),
         rf"has {ui.MAX_POINTS + 1} rows; the limit here is {ui.MAX_POINTS}"),
    ]  # (headers, encodings and every other malformed file: tests/unit/test_fuzz.py, without a browser)
    for name, content, pattern in cases:
        upload(page, name, content)
        expect(message(page, pattern)).to_be_visible(timeout=LONG)
        shot(page, name.removesuffix(".csv"))
        no_exceptions(page)
        assert sidebar_data(page) == before, f"{name} changed the data"
    # larger than server.maxUploadSize (5 MB): refused by Streamlit before the app sees it
    big = b"x1,x2,y\n" + b"0.123456789,0.987654321,1\n" * 230_000
    assert len(big) > 5 * 1024 * 1024
    upload(page, "huge.csv", big)
    uploader = page.get_by_test_id("stFileUploader")
    too_big = uploader.get_by_text(re.compile(r"must be 5(\.0)? ?MB or smaller", re.I))
    expect(too_big).to_be_visible(timeout=LONG)
    shot(page, "huge")
    no_exceptions(page)
    assert sidebar_data(page) == before
    # and a good file still loads, and solves
    upload(page, "labels.csv", b"x1,x2,y\n0,0,1\n1,1,-1\n2,0,1\n3,1,-1\n")
    expect(message(page, r"Loaded 4 points from labels\.csv")).to_be_visible(timeout=LONG)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("labels: 4 points", timeout=LONG)
    still_solves(page)


@pytest.mark.browser
def test_a_single_point_and_one_class_drawn(page: Page, app_url):
    page.goto(app_url)
    wait_idle(page)
    open_page(page, "Data")
    canvas = empty_canvas(page)
    canvas.click(position={"x": 100, "y": 100})
    wait_idle(page)
    expect(message(page, r"single point: add at least one more.*keeps the previous data")).to_be_visible(
        timeout=LONG)
    shot(page, "single-point")
    canvas.click(position={"x": 150, "y": 250})
    wait_idle(page)
    expect(message(page, r"Only one class is present: add points of the other class")).to_be_visible(
        timeout=LONG)
    shot(page, "one-class")
    no_exceptions(page)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("moons: 40 points")  # the previous data
    page.get_by_test_id("stRadio").get_by_text("class −1").click()
    wait_idle(page)
    canvas.click(position={"x": 320, "y": 200})
    wait_idle(page)
    three = re.compile(r"drawn: 3 points, classification \(2 \+1, 1 −1\)")
    expect(page.get_by_text(three).first).to_be_visible(timeout=LONG)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("drawn: 3 points", timeout=LONG)
    still_solves(page)
    assert sidebar_data(page).startswith("drawn: 3 points")


@pytest.mark.browser
def test_a_link_full_of_bad_values_and_a_loss_that_does_not_fit(page: Page, app_url):
    page.goto(f"{app_url}/optimum?preset=nonsense&n=abc&beta=-1&noise=9&loss=hinge&pts=%3Cscript%3E")
    wait_idle(page)
    for pattern in (r"preset='nonsense' was ignored \(use one of", r"n='abc' was ignored \(not a number",
                    r"beta='-1' was ignored \(must lie in", r"noise='9' was ignored \(must lie in",
                    r"points could not be read"):
        expect(message(page, pattern)).to_be_visible(timeout=LONG)
    # the link's hinge loss was kept, and the default moons are a classification: it solves
    expect(page.get_by_text(re.compile(r"certified optimal: relative gap"))).to_be_visible(timeout=LONG)
    shot(page, "bad-link")
    no_exceptions(page)
    assert "<script>" not in page.content().split("</head>", 1)[-1].replace("&lt;script&gt;", "")
    # a 1-D regression with the hinge loss cannot be solved: a message, not a traceback
    page.goto(f"{app_url}/optimum?preset=sine&loss=hinge")
    wait_idle(page)
    expect(message(page, r"Cannot solve: the hinge loss needs labels -1 or \+1")).to_be_visible(timeout=LONG)
    shot(page, "hinge-on-regression")
    no_exceptions(page)
    page.get_by_test_id("stSelectbox").filter(has_text="Loss").click()
    page.get_by_role("option", name="squared").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"certified optimal: relative gap"))).to_be_visible(timeout=LONG)
    no_exceptions(page)


# --------------------------------------------------------------------------------------------
# User text is never formatted (no browser needed)
# --------------------------------------------------------------------------------------------


def test_user_text_is_shown_as_plain_text():
    evil = "![x](http://evil.example/p.png) :red[big] **bold** <b>x</b> $x^2$ `code`\nsecond line"
    shown = ui.plain(evil)
    assert not re.search(r"(?<!\\)[!\[\]()*<>$`_~]", shown), shown  # every one escaped
    assert "\n" not in shown
    # the same characters, escaped (a word joiner after the h of http: never auto-linked)
    assert shown.replace("\\", "").replace("\u2060", "") == evil.replace("\n", " ")
    assert ui.text.safe_name("![x](http://e).csv") == "x--http---e"
    assert ui.text.safe_name("my data-2.v1.csv") == "my data-2.v1"
    assert ui.text.safe_name(".csv") == ui.text.safe_name("") == "uploaded"
    assert len(ui.text.safe_name("a" * 200 + ".csv")) == 40


def test_nothing_renders_html_or_unpickles():
    sources = [ROOT / "app.py", *(ROOT / "ui").glob("*.py"), *(ROOT / "views").glob("*.py"),
               *(ROOT / "convexnn").rglob("*.py")]
    assert len(sources) > 30
    for path in sources:
        text = path.read_text()
        assert "unsafe_allow_html=True" not in text, path
        assert "st.html(" not in text and "components.html(" not in text, path
        assert "pickle.load" not in text and "allow_pickle=True" not in text, path
        assert not re.search(r"(?<![\w.])(eval|exec)\(", text), path
