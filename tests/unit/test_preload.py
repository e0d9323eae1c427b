"""ui.preload: plotly.js's cartesian bundle loaded with the app's HTML page, and the page told
where the server is (an ASGI middleware).

The middleware is driven here with a stand-in ASGI app; the browser side (the bundle fetched once,
the figure drawn) is checked by tests/browser/test_browser_first_visit.py on every page.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gzip

from ui import preload

HTML = b"<html><head><title>Streamlit</title></head><body><div id=root></div></body></html>"
LINK = b"<./app/static/plotly-cartesian.min.js>; rel=preload; as=script"
TAG = b'<script defer data-convexnn-plotly src="./app/static/plotly-cartesian.min.js"></script>\n'
BASE = preload.backend_script("optimum").encode()


def serve(path: str, body: bytes = HTML, content_type: bytes = b"text/html; charset=utf-8", *,
          method: str = "GET", status: int = 200, extra: list | None = None, request: list | None = None):
    """Run the middleware around an app that answers ``body``: (status, headers, body, the request
    headers the app saw)."""
    seen = []

    async def inner(scope, receive, send):
        seen.extend(scope["headers"])
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                   (b"etag", b'"abc"'), (b"accept-ranges", b"bytes"), *(extra or [])]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if method == "HEAD":
            await send({"type": "http.response.body", "body": b""})
            return
        half = len(body) // 2  # in two parts, as a streamed response may come
        await send({"type": "http.response.body", "body": body[:half], "more_body": True})
        await send({"type": "http.response.body", "body": body[half:]})

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {"type": "http", "method": method, "path": path, "headers": request or []}
    # in a thread of its own: the browser tests' Playwright keeps an event loop in the main thread
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, preload.PreloadPlotly(inner)(scope, receive, send)).result()
    body_sent = b"".join(m.get("body", b"") for m in sent[1:])
    return sent[0]["status"], dict(sent[0]["headers"]), body_sent, dict(seen)


def test_a_figure_page_gets_the_backend_and_bundle_scripts_once_whole_and_uncompressed():
    request = [(b"accept-encoding", b"gzip"), (b"range", b"bytes=10-"), (b"if-range", b'"abc"'),
               (b"cookie", b"x")]
    status, headers, out, seen = serve("/optimum", request=request)
    assert status == 200 and out == HTML.replace(b"</head>", BASE + TAG + b"</head>")
    assert b"link" not in headers
    assert int(headers[b"content-length"]) == len(out)
    assert not {b"etag", b"accept-ranges", b"content-encoding"} & set(headers)  # they named the original
    assert set(seen) == {b"cookie"}  # the app was asked for the whole page, uncompressed
    # HEAD: the length the GET's page has
    _, headers, out, _ = serve("/optimum", method="HEAD")
    assert out == b"" and int(headers[b"content-length"]) == len(HTML) + len(BASE) + len(TAG)


def test_what_is_not_a_whole_plain_page_passes_unchanged():
    compressed = gzip.compress(HTML)
    _, headers, out, _ = serve("/optimum", compressed, extra=[(b"content-encoding", b"gzip")])
    assert out == compressed and headers[b"etag"] == b'"abc"'
    _, headers, out, _ = serve("/optimum", HTML[:10], status=206)
    assert out == HTML[:10] and headers[b"content-length"] == b"10"
    script = b"console.log('</head>')"
    for path in ("/static/js/x.js", "/_stcore/health", "/app/static/x", "/optimum.js"):
        _, headers, out, _ = serve(path, script, b"text/html")
        assert out == script and b"link" not in headers


def test_drawing_pages_get_the_preload_header_and_no_bundle_script():
    for path, page in (("/", ""), ("", ""), ("/dataset", "dataset"), ("/dataset/", "dataset")):
        _, headers, out, _ = serve(path, request=[(b"accept-encoding", b"gzip")])
        added = preload.backend_script(page).encode() if page else b""
        assert out == HTML.replace(b"</head>", added + b"</head>") and headers[b"link"] == LINK


def test_the_backend_base_is_the_page_address_without_the_page():
    """The frontend of a page opened by its link asks for the server at the base this gives
    (Streamlit's own guess tries /<page>/_stcore/health first: a 404 and a back-off)."""
    assert "new URL('./', u)" in preload.backend_script("optimum")
    assert "new URL('./../', u)" in preload.backend_script("optimum/more")
    assert 'src="./../app/static/' in preload.bundle_script("optimum/more")
    assert "BACKEND_BASE_URL" in preload.backend_script("optimum")


def test_page_path_strips_the_base_url_path():
    assert preload.page_path("/", "") == ""
    assert preload.page_path("/dataset/", "") == "dataset"
    assert preload.page_path("/course/dataset", "course") == "dataset"
    assert preload.page_path("/course/", "/course/") == ""
    assert preload.page_path("/coursework", "course") == "coursework"
