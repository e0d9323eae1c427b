"""A click made on the canvas just before a reload that changes its frame (AppTest, the canvas's
value injected as the component sends it): ui/drawing.py moves it to the new frame.

An undo loads its data anew and the canvas's view fits them; a drawing the canvas sends before
that reload reaches it is in the old frame's pixels. Found by tests/browser/test_browser_erase.py's
journey: an eraser clicked right after Undo erased nothing.
"""

import numpy as np
from streamlit.testing.v1 import AppTest

import ui
from ui import K, S

DATA_PAGE = "views/data.py"
ORANGE, BLUE = ui.canvas.CLASS_COLORS[1], ui.canvas.CLASS_COLORS[-1]


def draw(app, points_and_colors):
    objects = [ui.canvas.circle(px, py, color) for (px, py), color in points_and_colors]
    app.session_state[K.CANVAS] = {"drawing": {"raw": {"version": "6.0.0", "objects": objects}, "data": None}}
    return app.run()


def test_an_erase_clicked_before_an_undo_reload_erases_the_point_it_was_clicked_on():
    at = AppTest.from_file("../../app.py", default_timeout=120)
    at.run()
    at.switch_page(DATA_PAGE).run()
    at.button(key=K.CLEAR).click().run()
    four = [((100, 100), ORANGE), ((120, 300), ORANGE), ((300, 120), BLUE), ((320, 320), BLUE)]
    draw(at, four)
    old_view = at.session_state[S.CANVAS_VIEW]
    first = ui.canvas.from_pixels([100, 100], old_view)[0]  # the point the eraser will be clicked on
    five = [*four, ((200, 30), ORANGE)]
    draw(at, five)
    assert at.session_state[S.DATA].n == 5
    at.radio(key=K.DRAW_CLASS).set_value(ui.canvas.ERASE).run()
    at.button(key=K.UNDO).click().run()  # back to the four points, framed anew
    assert at.session_state[S.DATA].n == 4
    assert at.session_state[S.CANVAS_VIEW] != old_view  # the reload moves the points on the canvas
    # the canvas had not shown the reload yet: five points and an eraser on the first, old frame
    draw(at, [*five, ((101, 99), ui.canvas.ERASE_COLOR)])
    assert not at.exception, at.exception
    data = at.session_state[S.DATA]
    assert data.n == 3, ui.describe(data)
    assert np.min(np.hypot(*(data.X - first).T)) > 0.5  # that point is the one gone
    assert data.y.tolist() == [1.0, -1.0, -1.0]
    # and the canvas is reloaded with the three, in the new frame
    shown = at.session_state[S.CANVAS_INITIAL]["objects"]
    centres = np.array([ui.canvas.circle_centre(o) for o in shown])
    expected = ui.canvas.to_pixels(data.X, at.session_state[S.CANVAS_VIEW])
    assert np.allclose(np.sort(centres, axis=0), np.sort(expected, axis=0), atol=0.5)
