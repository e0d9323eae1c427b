"""The theory pages in headless Debian Chromium: each answers on its defaults, with its figures."""

import re

import pytest
from conftest import open_page, wait_idle
from playwright.sync_api import Page, expect

LONG = 180_000  # ms: the recovery grid on defaults takes ~25 s on 2 idle cores, more under load


def no_exceptions(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)


@pytest.mark.browser
def test_theory_pages_answer_on_defaults(page: Page, app_url):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(app_url)
    wait_idle(page)

    open_page(page, "Neural recovery", settle=False)
    expect(page.get_by_role("heading", name="Neural recovery of a planted linear model")).to_be_visible(
        timeout=LONG)
    expect(page.get_by_text(re.compile(r"Grid solved: 20 cells, 80 instances"))).to_be_visible(timeout=LONG)
    wait_idle(page)
    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(2, timeout=LONG)  # the programs' heatmaps (one figure), the slice
    expect(charts.nth(0)).to_contain_text("Gated program: P(recovery)")
    expect(charts.nth(0)).to_contain_text("Cone-constrained (ReLU) program: P(recovery)")
    expect(charts.nth(1).locator(".legendtext", has_text="1 − Wendel")).to_be_visible()
    page.get_by_role("tab", name="Pictures in the plane").click()  # each tab is built when opened
    expect(charts.first).to_contain_text("n = 2", timeout=LONG)
    expect(charts).to_have_count(1)
    wait_idle(page)
    page.get_by_role("tab", name="Certificate NIC-L").click()
    expect(page.get_by_test_id("stMetricValue").first).to_be_visible(timeout=LONG)
    expect(charts.first).to_contain_text("NIC-L per pattern", timeout=LONG)
    wait_idle(page)
    no_exceptions(page)

    open_page(page, "Deep networks", settle=False)
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("5.279763", timeout=LONG)
    expect(page.locator(".st-key-deep_gap_curve .main-svg").first).to_be_visible(timeout=LONG)
    wait_idle(page)
    page.get_by_role("tab", name="Gradient descent").click()  # each tab is built when opened
    expect(page.get_by_text(re.compile(r"Trained \d+ standard networks"))).to_be_visible(timeout=LONG)
    expect(page.get_by_text("stalls at a rank-deficient point")).to_be_attached(timeout=LONG)  # a grid cell
    wait_idle(page)
    page.get_by_role("tab", name="The parallel architecture").click()
    expect(page.get_by_text(re.compile(r"Trained \d+ parallel networks"))).to_be_visible(timeout=LONG)
    expect(page.locator(".js-plotly-plot")).to_have_count(1)
    wait_idle(page)
    no_exceptions(page)

    open_page(page, "Complexity", settle=False)
    charts = page.locator(".js-plotly-plot")
    expect(page.locator(".st-key-complexity_cnn .main-svg").first).to_be_visible(timeout=LONG)
    expect(charts).to_have_count(3, timeout=LONG)  # counts, times, the CNN bound; each tab when opened
    wait_idle(page)
    page.get_by_role("tab", name="Which data are easy").click()
    expect(page.get_by_test_id("stMain").locator("strong", has_text="orthogonally separable")).to_be_visible(
        timeout=LONG)
    expect(charts).to_have_count(1, timeout=LONG)  # two patterns against all
    wait_idle(page)
    page.get_by_role("tab", name="Max-Cut and hardness").click()
    expect(page.get_by_text(re.compile(r"Max-Cut on 16 points"))).to_be_visible(timeout=LONG)
    expect(charts).to_have_count(2, timeout=LONG)  # Max-Cut, the ladder
    wait_idle(page)
    no_exceptions(page)
