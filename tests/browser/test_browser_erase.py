"""Erase clicks made while the Data page's canvas reloads all count (headless Debian Chromium).

Every erase (and every undo) reloads the canvas with the drawing the server made of it
(ui/drawing.py). Here each next erase click is made the moment the page shows the previous one's
result, the same script run that hands the canvas its new drawing: the click lands while the
canvas reloads. No fixed sleeps: each step waits for the count of points it expects.
"""

import re

import numpy as np
import pytest
from conftest import LONG, wait_idle
from playwright.sync_api import Page, expect

import ui
from convexnn import datasets as ds

# 12 points on a 4 x 3 grid, class +1 on the left half, -1 on the right: 0.6 apart in data
# units, far more than the eraser's reach in canvas pixels
GRID = np.array([(x, y) for x in (-0.9, -0.3, 0.3, 0.9) for y in (-0.6, 0.0, 0.6)])
LABELS = np.where(GRID[:, 0] < 0, 1.0, -1.0)
ERASE_ORDER = (0, 6, 1, 7, 2, 8)
"""Points 0-5 are class +1, 6-11 class -1: erased in turn, so the drawing keeps both classes
(with one class only it is not a data set and the previous data stay)."""


def points_shown(count: int) -> re.Pattern:
    return re.compile(rf"^\s*Current data · \w+: {count} points,")


def current_data(page: Page):
    return page.get_by_text(re.compile(r"^\s*Current data · ")).first


@pytest.mark.browser
def test_erase_clicks_made_while_the_canvas_reloads_all_count(page: Page, app_url):
    data = ds.Dataset(GRID, LABELS, "classification", "shared")
    page.goto(f"{app_url}/dataset?pts={ui.url.encode_points(data)}")
    canvas = page.locator("canvas.upper-canvas")
    expect(canvas).to_be_visible(timeout=LONG)
    expect(current_data(page)).to_have_text(points_shown(12), timeout=LONG)
    wait_idle(page)
    pixels = ui.canvas.to_pixels(GRID, ui.canvas.canvas_view(data))
    page.get_by_test_id("stRadio").get_by_text("erases a point").click()
    wait_idle(page)

    # six erases, each clicked as the previous one's reload reaches the canvas (both classes stay)
    for k, index in enumerate(ERASE_ORDER):
        canvas.click(position={"x": float(pixels[index, 0]), "y": float(pixels[index, 1])})
        expect(current_data(page)).to_have_text(points_shown(11 - k), timeout=LONG)
    wait_idle(page)
    expect(current_data(page)).to_have_text(points_shown(6), timeout=LONG)
    expect(current_data(page)).to_contain_text("(3 +1, 3 −1)")

    # undo brings the last erased point back and reloads the canvas; an erase clicked as that
    # reload arrives counts too, and so does one clicked during the next erase's reload
    page.get_by_test_id("stButton").get_by_role("button", name="Undo").click()  # not the canvas's own
    expect(current_data(page)).to_have_text(points_shown(7), timeout=LONG)
    # undo loads its data anew: the canvas frames the seven points it shows now
    kept = [k for k in range(len(GRID)) if k not in ERASE_ORDER[:-1]]
    view = ui.canvas.canvas_view(ds.Dataset(GRID[kept], LABELS[kept], "classification"))
    pixels = ui.canvas.to_pixels(GRID, view)
    for k, index in enumerate((3, 9)):
        canvas.click(position={"x": float(pixels[index, 0]), "y": float(pixels[index, 1])})
        expect(current_data(page)).to_have_text(points_shown(6 - k), timeout=LONG)
    wait_idle(page)
    expect(current_data(page)).to_have_text(points_shown(5), timeout=LONG)
    expect(current_data(page)).to_contain_text("(2 +1, 3 −1)")
    expect(page.get_by_test_id("stException")).to_have_count(0)
