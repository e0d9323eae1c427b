"""Journeys through the Data, Arrangements and Geometric algebra pages in headless Chromium.

The app is started once per session by the ``app_url`` fixture (tests/conftest.py).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from conftest import open_page, wait_idle
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from test_browser import empty_canvas

import ui
from convexnn import arrangements as A
from convexnn import datasets as ds
from convexnn import sampling as sm

LONG = 90_000


def goto(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_test_id("stSidebar").get_by_text("Current data")).to_be_visible(timeout=LONG)
    wait_idle(page)
    dialog = page.get_by_role("dialog")  # a fresh server's first deep link says "Page not found"
    if dialog.count():
        page.keyboard.press("Escape")


def params(page: Page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def no_exceptions(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)


def sweep_title(page: Page) -> str:
    return page.locator(".js-plotly-plot .gtitle").first.text_content()


@pytest.mark.browser
def test_drawn_points_reach_the_arrangements_page_the_url_and_come_back(page: Page, app_url):
    goto(page, app_url)
    open_page(page, "Data")
    canvas = empty_canvas(page)  # the cleared drawing shown before the first click (it was lost once)
    for x, y in [(80, 90), (90, 300), (200, 200)]:
        canvas.click(position={"x": x, "y": y})
    # The canvas sends its drawing ~200 ms after a click (its own debounce), so the app may still
    # be idle right after one: wait for the outcome of the clicks before switching the class (a
    # switch before the send would give them the new class, ui/drawing.py), and for the count
    # each later click must reach.
    expect(page.get_by_text("Drawn so far: 3 points", exact=False)).to_be_visible(timeout=LONG)
    wait_idle(page)
    page.get_by_test_id("stRadio").get_by_text("adds class −1").click()
    wait_idle(page)
    for count, (x, y) in enumerate([(320, 110), (330, 290)], start=4):
        canvas.click(position={"x": x, "y": y})
        expect(page.get_by_text(re.compile(rf"drawn: {count} points")).first).to_be_visible(timeout=LONG)
        wait_idle(page)
    assert "pts" in params(page)  # a small drawing travels in the URL
    # erase the middle point, then undo
    page.get_by_test_id("stRadio").get_by_text("erases a point").click()
    wait_idle(page)
    canvas.click(position={"x": 202, "y": 198})
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"drawn: 4 points")).first).to_be_visible(timeout=LONG)
    page.get_by_test_id("stButton").get_by_role("button", name="Undo").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"drawn: 5 points")).first).to_be_visible(timeout=LONG)
    # the arrangement of the five points: 5^2 - 5 + 2 = 22 patterns
    open_page(page, "Arrangements")
    expect(page.get_by_role("heading", name="Hyperplane arrangements")).to_be_visible(timeout=LONG)
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("22", timeout=LONG)
    assert "pts" in params(page)  # the URL still describes the data on another page
    open_page(page, "Data")
    expect(page.locator("canvas.upper-canvas")).to_be_visible(timeout=LONG)
    expect(page.get_by_text(re.compile(r"drawn: 5 points")).first).to_be_visible(timeout=LONG)
    no_exceptions(page)


def side_panel_pattern(page: Page) -> str | None:
    """The pattern the side panel names ("D12 of 382"), None while it names none."""
    panel = page.get_by_test_id("stMarkdownContainer").filter(has_text=re.compile(r"^Pattern"))
    text = panel.first.text_content()
    found = re.search(r"D\d+ of \d+", text)
    return found.group(0) if found else None


def title_pattern(page: Page) -> tuple[int, str]:
    """(theta, "D12 of 382") of the sweep figure's title."""
    title = sweep_title(page)
    found = re.match(r"θ = (\d+)°.*pattern (D\d+ of \d+)", title)
    assert found, title
    return int(found.group(1)), found.group(2)


THETA_DEFAULT = ui.schema.default("arr_theta")
"""The angle a link leaves out: the URL carries a setting only where it differs from its default
(ui/url.py, url_params)."""

AGREE = """(fallback) => {
  const title = document.querySelector('.js-plotly-plot .gtitle');
  const angle = title && title.textContent.match(/θ = (\\d+)°/);
  const thumb = document.querySelector('[data-testid="stSliderThumbValue"]');
  const link = new URLSearchParams(location.search).get('arr_theta') ?? fallback;
  return Boolean(angle && thumb && angle[1] === thumb.textContent.trim() && angle[1] === link);
}"""
"""In the page: the sweep figure's angle, the angle slider's thumb and the link's arr_theta (the
argument, the default, where the link leaves it out) agree."""


SHOWN = """() => [document.querySelector('.js-plotly-plot .gtitle')?.textContent,
                document.querySelector('[data-testid="stSliderThumbValue"]')?.textContent,
                location.search]"""
"""In the page: the figure's title, the first slider's thumb and the link, for a failure's message."""


def wait_until_they_agree(page: Page) -> None:
    """Wait for :data:`AGREE`; on a timeout, fail with what the page shows."""
    try:
        page.wait_for_function(AGREE, arg=str(THETA_DEFAULT), timeout=LONG)
    except PlaywrightTimeoutError:
        title, thumb, link = page.evaluate(SHOWN)
        raise AssertionError(f"figure, thumb and link never agreed: title {title!r}, thumb {thumb!r}, "
                             f"link {link!r}") from None


def link_theta(page: Page) -> str:
    """The link's arr_theta, the default where the link leaves it out."""
    return params(page).get("arr_theta", str(THETA_DEFAULT))


def pause_and_read(page: Page) -> tuple[int, str]:
    """Click Pause and wait until the sweep has stopped: the Play button back, the side panel naming
    the pattern, and the figure's angle, the slider's thumb and the link at one value (a tick the
    browser sent before it learnt of the pause is put back to the paused position:
    views/arrangements.py, ignore_late_ticks; before it, the thumb could stay 5 degrees behind the
    figure for good). Returns the figure's (theta, pattern)."""
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Play")).to_be_visible(timeout=LONG)
    wait_idle(page)
    wait_until_they_agree(page)
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"^Pattern D\d+ of 382"))).to_be_visible(timeout=LONG)
    expect(page.get_by_role("button", name="Pause")).to_have_count(0)
    theta, named = title_pattern(page)
    expect(page.get_by_test_id("stSliderThumbValue").first).to_have_text(str(theta))
    assert link_theta(page) == str(theta)  # the link holds the paused position
    return theta, named


@pytest.mark.browser
def test_the_sweep_plays_and_the_side_panel_names_the_figures_pattern(page: Page, app_url):
    """The sweep moves the sliders (the server draws each step): while it plays only the figure names
    the pattern; paused, the side panel, the figure's title and the angle slider agree, and the
    pattern is the one of that angle (computed here)."""
    goto(page, f"{app_url}/patterns?n=20")
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=LONG)
    data = ds.generate("moons", 20, ui.schema.DEFAULTS["noise"], ui.schema.DEFAULTS["seed"])
    arr = A.arrangement(data.X)

    def expected(theta: int) -> str:
        g = sm.gate(theta, 0.0, 2)
        return f"D{int(arr.index_of(A.lift(data.X) @ g >= 0)[0]) + 1} of {arr.count}"

    assert title_pattern(page) == (30, expected(30))
    assert side_panel_pattern(page) == expected(30)
    assert "arr_theta" not in params(page)  # the default angle: the link leaves it out
    wait_until_they_agree(page)
    page.get_by_role("button", name="Play").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible(timeout=LONG)
    expect(page.locator(".js-plotly-plot .gtitle").first).not_to_have_text(re.compile(r"^θ = 30°"),
                                                                             timeout=LONG)
    expect(page.get_by_text("Pattern: sweeping")).to_be_visible(timeout=LONG)
    theta, named = pause_and_read(page)
    assert theta != 30 and theta % 5 == 0
    assert side_panel_pattern(page) == named == expected(theta)
    no_exceptions(page)


@pytest.mark.browser
def test_pause_holds_on_a_slow_browser(page: Page, app_url):
    """A slow browser (its CPU throttled 4x) sends the Pause click late, and once more with the
    sweep's next tick, and its ticks carry positions the server has left: the sweep stops and
    stays stopped, with the figure, the slider's thumb and the link at one angle. Before the fix
    (views/arrangements.py: set_playing, ignore_late_ticks) 5 of 6 such pauses failed here: 3
    resumed the sweep (the repeated click toggled it back on), 2 left the thumb a step behind.
    The first Pause can reach the server before the sweep's first step (2 of 8 times here with
    the CPU throttled 4x): the sweep stays at the default angle, which the link leaves out."""
    goto(page, f"{app_url}/patterns?n=20")
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=LONG)
    wait_idle(page)
    page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
    for _ in range(2):
        page.get_by_role("button", name="Play").click()
        expect(page.get_by_text("Pattern: sweeping")).to_be_visible(timeout=LONG)
        pause_and_read(page)
    no_exceptions(page)


@pytest.mark.browser
def test_a_shared_url_gives_the_same_view(page: Page, app_url):
    theta, frac = 140, 0.25
    goto(page, f"{app_url}/patterns?preset=circles&n=30&seed=3&arr_theta={theta}&arr_offset={frac}"
               "&arr_tab=All+patterns")
    data = ds.circles(30, ui.schema.DEFAULTS["noise"], 3)
    arr = A.arrangement(data.X)
    g = sm.gate(theta, frac * sm.offset_range(data.X), 2)
    k = int(arr.index_of(A.lift(data.X) @ g >= 0)[0])
    expect(page.get_by_test_id("stSidebar")).to_contain_text("circles: 30 points", timeout=LONG)
    expect(page.get_by_text(f"D{k + 1} of {arr.count}").first).to_be_visible(timeout=LONG)
    expect(page.get_by_role("tab", name="All patterns")).to_have_attribute("aria-selected", "true")
    # the URL keeps the view while the user moves on
    p = params(page)
    assert p["preset"] == "circles" and p["n"] == "30" and p["arr_theta"] == str(theta)
    # a drawing shared in the URL
    shared = ds.Dataset(np.array([[0, 0], [1, 0], [0, 1], [1, 1.0]]), np.array([1, -1, -1, 1.0]),
                        "classification")
    goto(page, f"{app_url}/patterns?pts={ui.url.encode_points(shared)}")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("shared: 4 points", timeout=LONG)
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("14", timeout=LONG)  # 4 in a square
    no_exceptions(page)


@pytest.mark.browser
def test_sphere_and_geometric_algebra_pages_render(page: Page, app_url):
    goto(page, f"{app_url}/patterns?n=12&arr_tab=Sphere")
    expect(page.locator(".js-plotly-plot .gl-container, .js-plotly-plot canvas").first).to_be_attached(
        timeout=LONG)
    expect(page.get_by_text("The red diamond is the current g")).to_be_visible(timeout=LONG)
    open_page(page, "Geometric algebra")
    expect(page.get_by_text("first point x_i")).to_be_visible(timeout=LONG)  # the page's first control
    # a click on a data point of the cartesian chart (ui/plot.py) picks it: point 10 replaces x_i
    picks = page.locator(".js-plotly-plot").first.locator(".scatterlayer .point")
    expect(picks.nth(10)).to_be_attached(timeout=LONG)
    picks.nth(10).click(force=True)
    expect(page).to_have_url(re.compile(r"[?&]ga_i=10(&|$)"), timeout=LONG)
    expect(page.get_by_text(re.compile(r"passes through both points")).first).to_contain_text(
        "x_{10}", timeout=LONG)
    page.get_by_role("tab", name="Closed-form Lasso").click()  # its tabs are built when opened
    expect(page.get_by_text("Lasso value")).to_be_visible(timeout=LONG)
    assert params(page).get("ga_section") == "Closed-form Lasso"
    page.get_by_test_id("stRadio").get_by_text("l1", exact=True).click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"The ℓ1 Lasso matches the exact program"))).to_be_visible(
        timeout=LONG)
    assert params(page).get("ga_variant") == "l1"
    no_exceptions(page)


@pytest.mark.browser
def test_a_pattern_number_in_a_link_is_checked_against_the_data(page: Page, app_url):
    """A link's pattern number is shown when the data have it; beyond them it is named in a message,
    the default is used and the address bar drops it."""
    goto(page, f"{app_url}/patterns?n=20&arr_goto=7")
    box = page.get_by_test_id("stNumberInput").filter(has_text="Show pattern D_k").locator("input")
    expect(box).to_have_value("7", timeout=LONG)
    assert params(page).get("arr_goto") == "7"
    goto(page, f"{app_url}/patterns?n=20&arr_goto=9999")
    message = page.get_by_text(re.compile(r"arr_goto = 9999 is out of range.*\(382 patterns"))
    expect(message.first).to_be_visible(timeout=LONG)
    expect(box).to_have_value("1", timeout=LONG)
    assert "arr_goto" not in params(page)
    no_exceptions(page)
