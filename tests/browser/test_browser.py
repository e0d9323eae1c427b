"""Journeys through the running app in headless Debian Chromium (pytest-playwright).

The app is started once per session by the ``app_url`` fixture (tests/conftest.py); without
Chromium these tests skip, or fail when CI=true (checked by the two unmarked tests at the end).
"""

import re

import conftest
import pytest
from conftest import open_page, wait_idle
from playwright.sync_api import Page, expect

LONG = 90_000  # ms: a cold start loads plotly.js and solves; the machine may be busy


def no_exceptions(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)


def empty_canvas(page: Page):
    """On the Data page: wait for its canvas, clear the drawing and wait for the empty state; returns
    the canvas."""
    canvas = page.locator("canvas.upper-canvas")
    expect(canvas).to_be_visible(timeout=LONG)
    wait_idle(page)
    page.get_by_role("button", name="Clear the drawing").click()
    expect(page.get_by_text("The drawing is empty")).to_be_visible(timeout=LONG)
    wait_idle(page)
    return canvas


def sidebar_data(page: Page) -> str:
    return page.get_by_test_id("stSidebar").get_by_text(re.compile(r"\d+ points")).inner_text()


@pytest.mark.browser
def test_home_opens_ready(page: Page, app_url):
    page.goto(f"{app_url}/home")  # the app opens on the Playground; Home has its own link
    expect(page.get_by_role("heading", name="Training a ReLU network is a convex program")).to_be_visible(
        timeout=LONG)
    expect(page.get_by_text(re.compile(r"certified optimal: relative gap|not certified"))).to_be_visible(
        timeout=LONG)
    chart = page.locator(".js-plotly-plot")
    expect(chart).to_have_count(1)
    expect(chart.locator(".legendtext", has_text="decision boundary")).to_be_visible()
    expect(chart.locator("g.contour")).not_to_have_count(0)  # the boundary f = 0 is drawn
    expect(page.get_by_test_id("stMetricValue").first).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text("40 points")
    no_exceptions(page)


@pytest.mark.browser
def test_draw_points_then_switch_pages_and_find_them(page: Page, app_url):
    page.goto(app_url)
    wait_idle(page)
    open_page(page, "Data")
    canvas = empty_canvas(page)
    # three points of class +1 on the left, two of class -1 on the right
    for x, y in [(60, 80), (80, 200), (70, 320)]:
        canvas.click(position={"x": x, "y": y})
    # the canvas sends its drawing 200 ms after the last click; a switch before that send would
    # give these clicks the new class (ui/drawing.py), so wait for the drawing to arrive
    expect(page.get_by_text("Drawn so far: 3 points", exact=False)).to_be_visible(timeout=LONG)
    wait_idle(page)
    page.get_by_test_id("stRadio").get_by_text("class −1").click()
    wait_idle(page)
    # the canvas sends ~200 ms after a click, so the app may still be idle right after one: wait
    # for the count each click must reach before the next
    for count, (x, y) in enumerate([(330, 120), (320, 280)], start=4):
        canvas.click(position={"x": x, "y": y})
        expect(page.get_by_text(re.compile(rf"drawn: {count} points")).first).to_be_visible(timeout=LONG)
        wait_idle(page)
    five = re.compile(r"drawn: 5 points, classification \(3 \+1, 2 −1\)")
    expect(page.get_by_text(five).first).to_be_visible(timeout=LONG)
    open_page(page, "Global optimum")
    expect(page.get_by_text(re.compile(r"relative gap"))).to_be_visible(timeout=LONG)
    assert "drawn: 5 points" in sidebar_data(page)
    open_page(page, "Home")
    expect(page.get_by_role("heading", name="The global optimum on drawn")).to_be_visible(timeout=LONG)
    open_page(page, "Data")
    expect(page.locator("canvas.upper-canvas")).to_be_visible(timeout=LONG)
    assert "drawn: 5 points" in sidebar_data(page)
    # the canvas shows the drawing again: a click adds a sixth point to the five
    page.locator("canvas.upper-canvas").click(position={"x": 200, "y": 60})
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"drawn: 6 points")).first).to_be_visible(timeout=LONG)
    no_exceptions(page)


@pytest.mark.browser
def test_solve_on_the_global_optimum_page(page: Page, app_url):
    page.goto(app_url)
    wait_idle(page)
    open_page(page, "Global optimum")
    expect(page.get_by_role("heading", name="Global optimum")).to_be_visible(timeout=LONG)
    expect(page.get_by_text(re.compile(r"certified optimal: relative gap|not certified"))).to_be_visible(
        timeout=LONG)
    chart = page.locator(".js-plotly-plot")
    expect(chart.locator(".legendtext", has_text="decision boundary")).to_be_visible(timeout=LONG)
    # (the dual-bar chart repeats the neuron legend: the first one is the network's)
    expect(chart.locator(".legendtext", has_text="neuron, w2 > 0").first).to_be_visible()
    expect(chart.locator("g.contour")).not_to_have_count(0)
    expect(page.get_by_text(re.compile(r"Solved in [\d.]+ s: \d+ neurons"))).to_be_visible()
    # change beta: a new solve, a new certificate
    beta = page.get_by_role("spinbutton", name="β (weight decay)")
    beta.fill("0.5")
    beta.press("Enter")
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"relative gap"))).to_be_visible(timeout=LONG)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("β = 0.5")
    no_exceptions(page)


@pytest.mark.browser
def test_bad_csv_shows_a_message(page: Page, app_url):
    page.goto(app_url)
    wait_idle(page)
    open_page(page, "Data")
    page.get_by_text("…or paste CSV text").click()
    page.get_by_label("CSV text").fill("x1,x2,y\n1,2,1\n3,abc,-1\n")
    page.get_by_role("button", name="Load the pasted CSV").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"'abc' is not a number. The previous data are kept"))).to_be_visible(
        timeout=LONG)
    no_exceptions(page)


# --------------------------------------------------------------------------------------------
# The rule for a missing browser (no browser needed to check it)
# --------------------------------------------------------------------------------------------


def test_missing_chromium_skips_with_a_clear_message(monkeypatch):
    monkeypatch.setattr(conftest, "find_chromium", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        conftest.require_chromium()


def test_missing_chromium_fails_on_ci(monkeypatch):
    monkeypatch.setattr(conftest, "find_chromium", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true and Chromium not found"):
        conftest.require_chromium()


@pytest.mark.browser
def test_quick_clicks_and_erases_are_all_kept(page: Page, app_url):
    """Clicks in quick succession (no wait between them), right after a class switch, then erase
    clicks right after switching to the eraser: every one counts, in the mode chosen before it.

    The canvas still draws in the old colour until the switch's rerun reaches it; the server gives
    a new circle the mode it has when the drawing arrives (ui/drawing.py), so nothing waits here.
    """
    page.goto(f"{app_url}/dataset")
    canvas = empty_canvas(page)
    left = [(60, 80), (80, 200), (70, 320)]
    right = [(330, 120), (320, 280), (300, 200)]
    for x, y in left:
        canvas.click(position={"x": x, "y": y})
    expect(page.get_by_text("Drawn so far: 3 points", exact=False)).to_be_visible(timeout=LONG)
    wait_idle(page)
    radio = page.get_by_test_id("stRadio")
    radio.get_by_text("class −1").click()
    for x, y in right:
        canvas.click(position={"x": x, "y": y})
    six = re.compile(r"drawn: 6 points, classification \(3 \+1, 3 −1\)")
    expect(page.get_by_text(six).first).to_be_visible(timeout=LONG)
    wait_idle(page)
    radio.get_by_text("erases a point").click()
    canvas.click(position={"x": left[0][0], "y": left[0][1]})
    five = re.compile(r"drawn: 5 points, classification \(2 \+1, 3 −1\)")
    expect(page.get_by_text(five).first).to_be_visible(timeout=LONG)
    wait_idle(page)
    canvas.click(position={"x": right[0][0], "y": right[0][1]})
    four = re.compile(r"drawn: 4 points, classification \(2 \+1, 2 −1\)")
    expect(page.get_by_text(four).first).to_be_visible(timeout=LONG)
    no_exceptions(page)


@pytest.mark.browser
def test_a_bad_link_is_cleaned_and_a_good_one_reproduces_the_view(page: Page, app_url, browser):
    page.goto(f"{app_url}/optimum?n=inf&seed=99999999999999999999&patterns=gaussian&optimum_samples=120"
              "&junk=%3Cb%3Ex")
    expect(page.get_by_text(re.compile(r"The link's n='inf' was ignored"))).to_be_visible(timeout=LONG)
    expect(page.get_by_text(re.compile(r"The link's parameter junk is not a setting"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"relative gap"))).to_be_visible(timeout=LONG)
    wait_idle(page)
    page.wait_for_url(re.compile(r"optimum_samples=120"), timeout=LONG)
    for gone in ("n=inf", "seed=", "junk"):
        assert gone not in page.url, page.url
    shared = page.url
    fresh = browser.new_context().new_page()  # another student opening the shared link
    fresh.goto(shared)
    expect(fresh.get_by_text(re.compile(r"relative gap"))).to_be_visible(timeout=LONG)
    expect(fresh.get_by_role("spinbutton", name="Samples")).to_have_value("120", timeout=LONG)
    expect(fresh.get_by_text(re.compile(r"Sampled patterns \("))).to_be_visible()
    expect(fresh.get_by_text(re.compile("was ignored"))).to_have_count(0)
    fresh.context.close()
    no_exceptions(page)
