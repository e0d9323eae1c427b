"""Browser journeys through the Global optimum, All global optima and Lasso path pages
(pytest-playwright + Debian Chromium; the app is started by the ``app_url`` fixture).

Each journey prints how long the page took to answer (``pytest -s`` shows it).
"""

from __future__ import annotations

import re
import time

import numpy as np
import pytest
from conftest import open_page as click_page_link
from conftest import wait_idle
from playwright.sync_api import Page, expect

import convexnn as cn
from convexnn import datasets as ds
from convexnn import optima

LONG = 90_000  # ms: a cold start loads plotly.js and solves; the machine may be busy


def open_page(page: Page, app_url: str, name: str) -> float:
    page.goto(app_url)
    wait_idle(page)
    t0 = time.perf_counter()
    click_page_link(page, name)
    return time.perf_counter() - t0


def no_exceptions(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)


@pytest.mark.browser
def test_solve_see_the_certificate_and_download_the_json(page: Page, app_url, tmp_path):
    seconds = open_page(page, app_url, "Global optimum")
    expect(page.get_by_text(re.compile(r"certified optimal: relative gap"))).to_be_visible(timeout=LONG)
    charts = page.locator(".js-plotly-plot")
    expect(charts.locator(".legendtext", has_text="β = 0.1")).to_be_visible(timeout=LONG)  # dual bars
    expect(charts.locator(".legendtext", has_text="decision boundary")).to_be_visible()
    print(f"\nGlobal optimum page answered in {seconds:.1f} s")
    page.get_by_role("tab", name="Export and import").click()  # the tabs are built when opened
    button = page.get_by_role("button", name="Download JSON")
    expect(button).to_be_visible(timeout=LONG)
    with page.expect_download() as info:
        button.click()
    path = tmp_path / "network.json"
    info.value.save_as(path)
    loaded = optima.load_network(path.read_text(), input_dim=2)
    width = int(page.get_by_test_id("stMetric").filter(has_text="Neurons")
                .get_by_test_id("stMetricValue").inner_text())
    assert loaded.width == width
    # the downloaded network is the optimum: same predictions as a local solve, objective p*
    data = ds.moons(40)
    local = cn.prune_to_minimal(cn.fit_convex(data.X, data.y, 0.1)).network()
    assert np.allclose(loaded.predict(data.X), local.predict(data.X), rtol=1e-6, atol=1e-8)
    objective = float(page.get_by_test_id("stMetric").filter(has_text="Objective")
                      .get_by_test_id("stMetricValue").inner_text())
    assert loaded.objective(data.X, data.y, 0.1) == pytest.approx(objective, rel=1e-5)
    no_exceptions(page)


@pytest.mark.browser
def test_play_the_lasso_path_to_its_end(page: Page, app_url):
    seconds = open_page(page, app_url, "Lasso path")
    expect(page.get_by_text(re.compile(r"^\d+/\d+$")).first).to_be_visible(timeout=LONG)  # certified
    chart = page.locator(".js-plotly-plot")
    current = chart.locator(".slider-label").first  # "β = <value>"
    expect(current).to_have_text(re.compile(r"β = [\d.]+"), timeout=LONG)
    labels = chart.locator(".slider-labels .slider-label").all_text_contents()
    assert len(labels) >= 5
    start = current.text_content()
    print(f"\nLasso path page answered in {seconds:.1f} s; path from {start}")
    t0 = time.perf_counter()
    chart.locator("g.updatemenu-button", has_text="Play").click()
    expect(current).to_have_text(f"β = {labels[-1]}", timeout=LONG)
    print(f"played {len(labels)} shown β labels to the end in {time.perf_counter() - t0:.1f} s")
    last = chart.locator("text", has_text=re.compile(r"^β = [\d.e-]+ · \d+ neurons"))
    expect(last).to_have_count(1)
    n_last = int(re.search(r"· (\d+) neurons", last.text_content()).group(1))
    assert n_last > 0
    no_exceptions(page)


@pytest.mark.browser
def test_split_a_neuron_and_see_the_objective_unchanged(page: Page, app_url):
    seconds = open_page(page, app_url, "All global optima")
    expect(page.get_by_text("Same function and same objective")).to_be_visible(timeout=LONG)
    print(f"\nAll global optima page answered in {seconds:.1f} s")

    def metric(label: str) -> str:
        return (page.get_by_test_id("stMetric").filter(has_text=re.compile(f"^{re.escape(label)}"))
                .get_by_test_id("stMetricValue").first.inner_text())

    p_star = re.search(r"p\* = ([\d.]+)", page.get_by_text(re.compile(r"p\* = ")).first.inner_text()).group(1)
    width = int(metric("Width"))
    objective = metric("Objective")
    assert float(objective) == pytest.approx(float(p_star), rel=1e-5)
    thumb = page.get_by_test_id("stSlider").filter(has_text="Copies").get_by_role("slider")
    thumb.focus()
    t0 = time.perf_counter()
    thumb.press("ArrowRight")  # 3 -> 4 copies
    wait_idle(page)
    expect(page.get_by_test_id("stSlider").filter(has_text="weight of copy 4")).to_be_visible(timeout=LONG)
    print(f"a split answered in {time.perf_counter() - t0:.2f} s")
    expect(page.get_by_text("Same function and same objective")).to_be_visible(timeout=LONG)
    assert int(metric("Width")) == width + 1
    assert metric("Objective") == objective
    assert float(metric("|Δ objective|")) <= 1e-12 * float(objective)
    no_exceptions(page)
