"""The Real data page in headless Debian Chromium: the digits comparison with small settings."""

import re

import pytest
from conftest import wait_idle
from playwright.sync_api import Page, expect

LONG = 120_000  # ms: four short runs, plus plotly.js on a cold page, on a possibly busy machine
SCREENSHOT = "/tmp/real_data_page.png"


@pytest.mark.browser
def test_digits_comparison_shows_the_time_figure_and_table(page: Page, app_url):
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(app_url)
    wait_idle(page)
    page.get_by_test_id("stSidebar").get_by_role("link", name="Real data", exact=True).click()
    expect(page.get_by_role("heading", name="Real data: the convex head against AdamW")).to_be_visible(
        timeout=LONG)
    expect(page.get_by_text(re.compile(r"digits 3 vs 8: 357 rows x 64 features"))).to_be_visible(timeout=LONG)
    # small settings: two seeds
    seeds = page.get_by_label("Seeds")
    seeds.fill("2")
    seeds.press("Enter")
    page.get_by_role("button", name="Run the comparison").click()
    expect(page.get_by_text(re.compile(r"Trained 4 runs"))).to_be_attached(timeout=LONG)
    wait_idle(page)
    chart = page.get_by_test_id("stPlotlyChart")
    expect(chart).to_have_count(1, timeout=LONG)
    expect(chart.locator(".legendtext", has_text="convex (gated)")).to_be_visible()
    expect(chart.locator(".legendtext", has_text="AdamW")).to_be_visible()
    expect(chart).to_contain_text("cumulative wall time")
    expect(chart.locator("g.scatterlayer path.js-line")).not_to_have_count(0)  # the median curves
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    expect(page.get_by_role("button", name="Download all checkpoints (CSV)")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    chart.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOT, full_page=True)
