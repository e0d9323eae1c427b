"""ui.preload: Streamlit's plotly component loaded with the app's HTML page (an ASGI middleware).

The middleware is driven here with a stand-in ASGI app (plain and gzip-compressed HTML, a
JavaScript file, a drawing page); the browser side (the module fetched once, before the figure) is
checked by tests/browser/test_browser_first_visit.py on every page.
"""

from __future__ import annotations

import asyncio
import gzip

import pytest

from ui import preload

HTML = b"<html><head><title>Streamlit</title></head><body><div id=root></div></body></html>"


def serve(path: str, body: bytes, content_type: bytes, gzipped: bool = False, method: str = "GET"):
    """Run the middleware around an app that answers ``body``; return (status, headers, body)."""
    async def inner(scope, receive, send):
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
        if gzipped:
            headers.append((b"content-encoding", b"gzip"))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        half = len(body) // 2  # in two parts, as a streamed response may come
        await send({"type": "http.response.body", "body": body[:half], "more_body": True})
        await send({"type": "http.response.body", "body": body[half:]})

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    middleware = preload.PreloadPlotly(inner)
    asyncio.run(middleware({"type": "http", "method": method, "path": path, "headers": []}, receive, send))
    headers = dict(sent[0]["headers"])
    return sent[0]["status"], headers, b"".join(m.get("body", b"") for m in sent[1:])


@pytest.fixture(autouse=True)
def chunk(monkeypatch):
    monkeypatch.setattr(preload, "plotly_chunk", lambda: "static/js/PlotlyChart.abc.js")


def test_a_figure_page_gets_the_module_script_once_and_a_right_length():
    for gzipped in (False, True):
        body = gzip.compress(HTML) if gzipped else HTML
        status, headers, out = serve("/optimum", body, b"text/html; charset=utf-8", gzipped)
        assert status == 200
        assert out.count(b'<script type="module" crossorigin src="./static/js/PlotlyChart.abc.js">') == 1
        assert out.index(b"PlotlyChart") < out.index(b"</head>") and out.count(b"</head>") == 1
        assert int(headers[b"content-length"]) == len(out)
        assert b"content-encoding" not in headers  # sent as plain HTML
        assert out.replace(b'<script type="module" crossorigin src="./static/js/PlotlyChart.abc.js"></script>\n', b"") == HTML


def test_drawing_pages_get_a_preload_header_and_their_html_unchanged():
    for path in ("/", "/dataset", "/dataset/"):
        _, headers, out = serve(path, HTML, b"text/html")
        assert out == HTML
        assert headers[b"link"] == b"<static/js/PlotlyChart.abc.js>; rel=modulepreload; crossorigin"


def test_other_responses_pass_unchanged():
    script = b"console.log('</head>')"
    _, headers, out = serve("/static/js/x.js", script, b"application/javascript")
    assert out == script and b"link" not in headers
    _, headers, out = serve("/optimum", HTML, b"text/html", method="HEAD")
    assert out == HTML and b"link" not in headers


def test_page_path_strips_the_base_url_path():
    assert preload.page_path("/", "") == ""
    assert preload.page_path("/dataset/", "") == "dataset"
    assert preload.page_path("/course/dataset", "course") == "dataset"
    assert preload.page_path("/course/", "/course/") == ""
    assert preload.page_path("/coursework", "course") == "coursework"


def test_the_pinned_streamlit_has_one_plotly_component(monkeypatch):
    monkeypatch.undo()
    chunk = preload.plotly_chunk()
    assert chunk is not None and chunk.startswith("static/js/PlotlyChart.") and chunk.endswith(".js")
