"""The Real data page in headless Debian Chromium: the digits comparison with small settings."""

import re

import numpy as np
import pytest
from conftest import open_page, wait_idle
from playwright.sync_api import Page, expect

LONG = 120_000  # ms: four short runs, plus plotly.js on a cold page, on a possibly busy machine
SCREENSHOT = "/tmp/real_data_page.png"


@pytest.mark.browser
def test_digits_comparison_shows_the_time_figure_and_table(page: Page, app_url):
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(app_url)
    wait_idle(page)
    open_page(page, "Real data", settle=False)
    expect(page.get_by_role("heading", name="Real data: the convex head against AdamW")).to_be_visible(
        timeout=LONG)
    main = page.get_by_test_id("stMain")  # the sidebar names the page's data too: read the page
    expect(main.get_by_text(re.compile(r"digits 3 vs 8: 357 rows x 64 features"))).to_be_visible(timeout=LONG)
    # small settings: two seeds
    seeds = page.get_by_label("Seeds")
    seeds.fill("2")
    seeds.press("Enter")
    page.get_by_role("button", name="Run the comparison").click()
    expect(page.get_by_text(re.compile(r"Trained 4 runs"))).to_be_attached(timeout=LONG)
    wait_idle(page)
    chart = page.locator(".js-plotly-plot")
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


@pytest.mark.browser
def test_the_form_keeps_its_values_through_an_upload_and_an_early_run(page: Page, app_url, tmp_path):
    """Choosing "Upload a file" stops the page before the form; uploading brings the form back
    with the values it had (it used to come back at the widgets' minima)."""
    page.goto(f"{app_url}/real-data")
    expect(page.get_by_role("heading", name="Real data: the convex head against AdamW")).to_be_visible(
        timeout=LONG)
    wait_idle(page)
    seeds = page.get_by_label("Seeds")
    # the default (waited for: a loaded machine may still be drawing the page); Max training rows
    # (2000, min 20) checks the minima
    expect(seeds).to_have_value("1", timeout=LONG)
    page.get_by_test_id("stRadio").get_by_text("Upload a file").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile("Upload a file: up to"))).to_be_visible(timeout=LONG)
    rng = np.random.default_rng(0)
    rows = ["a,b,c,label"] + [f"{x:.3f},{y:.3f},{z:.3f},{int(x > 0)}"
                              for x, y, z in rng.standard_normal((60, 3))]
    path = tmp_path / "small ![i](http x).csv"
    path.write_text("\n".join(rows) + "\n")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    wait_idle(page)
    in_page = page.get_by_test_id("stMain").get_by_text(re.compile(r"60 rows x 3 features"))
    expect(in_page).to_be_visible(timeout=LONG)
    expect(page.get_by_label("Seeds")).to_have_value("1", timeout=LONG)
    expect(page.get_by_label("Max training rows")).to_have_value("2000", timeout=LONG)
    expect(page.get_by_text("Choose at least one method and one width k.")).to_have_count(0)
    # the file name's Markdown is not an image (in the app: plotly.js adds a hidden svg to the body)
    expect(page.get_by_test_id("stApp").get_by_role("img")).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
