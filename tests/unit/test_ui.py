"""The UI layer's pure parts (no browser, no AppTest): the settings schema's validator, the point
codec, the canvas pixel maths, the escaping helper, the docs sections."""

import base64
import math
import zlib

import numpy as np
import pytest

import ui
from convexnn import datasets as ds
from ui import canvas as cv
from ui.schema import SCHEMA

# --------------------------------------------------------------------------------------------
# The schema's one validator
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, text", [
    ("n", "inf"), ("n", "1e999"), ("n", "-inf"), ("n", "nan"), ("seed", "inf"),
    ("seed", "99999999999999999999"), ("seed", "-1"), ("n", "40.5"), ("n", "abc"), ("n", ""),
    ("beta", "0"), ("beta", "1e999"), ("beta", "nan"), ("noise", "0.7"), ("preset", "nope"),
    ("loss", "SQUARED"), ("prune", "maybe"), ("n", "4" * 70), ("arr_kmax", "12"), ("ga_variant", "x"),
])
def test_bad_link_values_are_refused_with_a_reason(name, text):
    with pytest.raises(ValueError) as info:
        SCHEMA[name].parse(text)
    assert str(info.value)


@pytest.mark.parametrize("name, text, value", [
    ("n", "60", 60), ("n", "6e1", 60), ("seed", "0", 0), ("beta", "0.05", 0.05), ("noise", "0.123", 0.12),
    ("preset", "spiral", "spiral"), ("prune", "false", False), ("arr_kmax", "1000", 1000),
])
def test_good_link_values_are_read(name, text, value):
    assert SCHEMA[name].parse(text) == value


def test_every_setting_round_trips_its_default_through_the_url():
    for name, setting in SCHEMA.items():
        assert setting.parse(setting.to_url(setting.default)) == setting.default, name
        if setting.kind in (int, float) and setting.choices is None:
            assert math.isfinite(setting.lo) and math.isfinite(setting.hi) and setting.lo <= setting.hi


def test_valid_accepts_widget_floats_and_refuses_other_types():
    noise = SCHEMA["noise"]
    assert noise.valid(0.15000000000000002) and not noise.valid("0.1") and not noise.valid(True)
    assert not SCHEMA["n"].valid(10**30) and not SCHEMA["n"].valid(float("inf"))


# --------------------------------------------------------------------------------------------
# The point codec
# --------------------------------------------------------------------------------------------


def test_points_round_trip_and_damage_is_a_value_error():
    X = np.random.default_rng(0).uniform(-1, 1, (30, 2))
    data = ds.Dataset(X, np.where(X[:, 0] > 0, 1.0, -1.0), "classification").with_split(0.2, 0)
    text = ui.url.encode_points(data)
    back = ui.url.decode_points(text)
    assert np.allclose(back.X, X, atol=6e-4) and np.array_equal(back.is_test, data.is_test)
    for bad in (text[:-5], "!!!", "", text + "A" * 10, "eJw"):
        with pytest.raises(ValueError):
            ui.url.decode_points(bad)


def test_a_compressed_bomb_is_refused_without_inflating_it():
    """400 kB of text inflating to hundreds of MB: decoding stops one byte past the largest valid
    point set, so the refusal costs kilobytes (the old zlib.decompress inflated all of it)."""
    bomb = base64.urlsafe_b64encode(zlib.compress(b"\x01\x02\x00\x00\x64\x00" + bytes(50_000_000), 9))
    text = bomb.decode().rstrip("=")
    with pytest.raises(ValueError, match="too long|more than"):
        ui.url.decode_points(text)
    small = base64.urlsafe_b64encode(zlib.compress(bytes(10**6), 9)).decode().rstrip("=")
    assert len(small) < ui.url.MAX_POINTS_TEXT  # short enough to reach the inflater
    with pytest.raises(ValueError, match="more than"):
        ui.url.decode_points(small)


# --------------------------------------------------------------------------------------------
# Canvas pixel maths
# --------------------------------------------------------------------------------------------


def test_circle_delta_finds_added_and_removed_circles_within_rounding():
    base = [cv.circle(10, 10, "#f00"), cv.circle(50, 50, "#f00"), cv.circle(50, 50, "#00f")]
    moved = dict(base[0], left=base[0]["left"] + 0.3)  # the canvas rounds: same circle
    drawn = [moved, base[2], cv.circle(200, 100, "#f00")]
    added, gone = cv.circle_delta(drawn, base)
    assert added == [2] and gone == [2]  # one of the two circles at (50, 50) was removed
    assert cv.circle_delta([], base) == ([], [0, 1, 2])
    assert cv.circle_delta(drawn, []) == ([0, 1, 2], [])


def test_erasers_remove_the_nearest_point_only_when_close():
    pts = [cv.circle(100, 100, cv.CLASS_COLORS[1]), cv.circle(300, 300, cv.CLASS_COLORS[-1])]
    rest, erased = cv.apply_erasers(pts + [cv.circle(105, 98, cv.ERASE_COLOR),
                                           cv.circle(200, 200, cv.ERASE_COLOR)])
    assert erased == 1 and len(rest) == 1 and cv.circle_centre(rest[0]) == pytest.approx((300, 300))
    assert cv.apply_erasers(pts) == (pts, None)


def test_canvas_view_contains_the_data_and_is_square_in_2d():
    X = np.array([[0.0, 0.0], [2.0, 1.0], [1.0, -1.0]])
    x0, x1, y0, y1 = cv.canvas_view(ds.Dataset(X, np.array([1.0, -1.0, 1.0]), "classification"))
    assert x1 - x0 == pytest.approx(y1 - y0)
    px = cv.to_pixels(X, (x0, x1, y0, y1))
    assert (px > 0).all() and (px < cv.CANVAS_SIZE).all()


# --------------------------------------------------------------------------------------------
# User text is plain text
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "![i](http://example.org/x.png)", "<img src=x onerror=alert(1)>", ":red[alert]", "**bold** _it_",
    "`code`", "$x^2$", "# heading", "- list", "1. list", "[link](https://example.org)", "a\nb", "~~s~~",
    "https://example.org/a", ":smile:",
])
def test_plain_leaves_no_markdown_to_render(text):
    """Every character Markdown could act on is backslash-escaped (the browser test
    tests/browser/test_browser_nasty.py checks the rendering itself)."""
    shown = ui.plain(text)
    assert "\n" not in shown
    k = 0
    while k < len(shown):
        if shown[k] == "\\":
            k += 2
            continue
        assert shown[k] not in "`*_[]()<>!$~#|{}&", (text, shown, k)
        if shown[k] == ":" and k + 1 < len(shown):
            assert not shown[k + 1].isalpha(), (text, shown)
        k += 1
    assert not shown.lstrip().startswith(("-", "+", "1.")), shown
    assert "http://" not in shown and "https://" not in shown  # never auto-linked


def test_plain_cuts_long_text():
    assert ui.plain("x" * 500, limit=40) == "x" * 40 + "…"


def test_docs_sections_follow_the_file_order(tmp_path):
    (tmp_path / "lasso-path.md").write_text("# The Lasso path\n\n## Pruning\ntext\n")
    (tmp_path / "convex-program.md").write_text("no title\n```\n# not a heading\n```\n")
    (tmp_path / "zeta.md").write_text("# Zeta\n")
    found = ui.docs.sections(tmp_path)
    assert [s.slug for s in found] == ["convex-program", "lasso-path", "zeta"]
    assert found[1].title == "The Lasso path" and "#### Pruning" in found[1].body
    assert "# not a heading" in found[0].body and "### not" not in found[0].body
    assert ui.docs.sections(tmp_path / "missing") == []


def test_the_schema_lists_the_stationary_examples_of_the_page():
    from ui import landscape

    assert SCHEMA["stationary_preset"].choices == tuple(landscape.PRESETS)
    assert SCHEMA["stationary_preset"].default == landscape.DEFAULT_PRESET


def test_docs_links_between_files_become_links_to_sections(tmp_path):
    (tmp_path / "a.md").write_text("# A\nsee [the path](lasso-path.md) and [x](./b.md#y), not [w](https://e.org/c.md)\n")
    (body,) = [s.body for s in ui.docs.sections(tmp_path)]
    assert "[the path](#lasso-path)" in body and "[x](#b)" in body
    assert "(https://e.org/c.md)" in body
