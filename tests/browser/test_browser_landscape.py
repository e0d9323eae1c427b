"""Browser journeys: run restarts on the Stationary points page, play the AdamW animation.

Headless Debian Chromium through pytest-playwright (fixtures in tests/conftest.py).
"""

import re

import pytest
from conftest import open_page as click_page_link
from conftest import wait_idle
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

LONG = 180_000  # ms: the spiral's exact program takes 10-60 s on a busy machine


def open_page(page: Page, app_url: str, name: str) -> None:
    page.goto(app_url)
    expect(page.get_by_test_id("stSidebar")).to_be_visible(timeout=LONG)
    click_page_link(page, name)


def chart_with_legend(page: Page, text: str):
    return page.locator(".js-plotly-plot").filter(
        has=page.locator(".legendtext", has_text=text))


@pytest.mark.browser
def test_stationary_restarts_plot_and_trajectory(page: Page, app_url):
    open_page(page, app_url, "Stationary points")
    expect(page.get_by_role("heading", name="Stationary points vs global optima")).to_be_visible(timeout=LONG)
    expect(page.get_by_text(re.compile(r"Global optimum p\* = 1\.89242"))).to_be_visible(timeout=LONG)
    restarts = chart_with_legend(page, "p_I, convex program")
    expect(restarts).to_have_count(1, timeout=LONG)
    # one L marker and one p_I marker per run (8 runs by default)
    expect(restarts.locator("g.trace.scatter").nth(0).locator("path.point")).to_have_count(8)
    expect(restarts.locator("g.trace.scatter").nth(1).locator("path.point")).to_have_count(8)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    wait_idle(page)

    page.get_by_role("tab", name="The landscape between them").click()  # the page's tabs: built when opened
    plane = chart_with_legend(page, "training trajectory")
    expect(plane).to_have_count(1, timeout=LONG)
    plane.scroll_into_view_if_needed()
    current = plane.locator("text.slider-label", has_text=re.compile(r"^epoch"))
    expect(current).to_have_text(re.compile(r"epoch 0$"))
    plane.locator("g.updatemenu-button", has_text="Play").click()
    expect(current).not_to_have_text(re.compile(r"epoch 0$"), timeout=15_000)


@pytest.mark.browser
def test_adamw_animation_plays(page: Page, app_url):
    """On the current data (the moons): switching data as soon as the page shows stops the first
    run before the spiral's exact program (the last task), which the slow tests cover."""
    page.goto(app_url)
    expect(page.get_by_test_id("stSidebar")).to_be_visible(timeout=LONG)
    click_page_link(page, "AdamW vs convex", settle=False)
    expect(page.get_by_role("heading", name="AdamW vs the convex program")).to_be_visible(timeout=LONG)
    page.get_by_text("Current data", exact=True).first.click()
    wait_idle(page)
    expect(page.get_by_text("moons: 40 points").first).to_be_visible()
    summary = page.get_by_test_id("stDataFrame").first
    expect(summary).to_be_visible(timeout=LONG)
    wait_idle(page)  # the animation is drawn first and may be redrawn until the run ends
    anim = page.locator(".js-plotly-plot").filter(has=page.locator("g.updatemenu-button"))
    expect(anim).to_have_count(1, timeout=LONG)
    expect(anim.locator(".gtitle, .annotation-text", has_text="200 Gaussian")).to_have_count(1)
    for _ in range(5):  # a chart redrawn by a late rerun is detached while it scrolls: scroll again
        try:
            anim.scroll_into_view_if_needed()
            break
        except PlaywrightError:
            wait_idle(page)
    title = anim.locator(".annotation-text").first
    expect(title).to_have_text(re.compile(r"epoch 0: \d+%$"))  # the epoch and its training accuracy
    anim.locator("g.updatemenu-button", has_text="Play").click()
    expect(title).not_to_have_text(re.compile(r"epoch 0:"), timeout=20_000)
    anim.locator("g.updatemenu-button", has_text="Pause").click()
    page.get_by_role("tab", name="Objective against time").click()  # the page's tabs: built when opened
    time_chart = chart_with_legend(page, "convex, 200 Gaussian")  # the default convex programs: sampled
    expect(time_chart).to_have_count(1, timeout=LONG)
    wait_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
