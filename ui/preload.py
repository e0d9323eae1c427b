"""plotly.js loaded while Streamlit's own scripts load, not after the page's first figure arrives.

Streamlit's frontend imports its plotly chart component (``static/js/PlotlyChart.<hash>.js``,
4.7 MB with plotly.js inside) only when the first ``st.plotly_chart`` element arrives over the
websocket: after the app's scripts loaded, the websocket opened and the page's script ran. On a
2-core machine the browser then spends about 1 s compiling that module and running it (plotly.js
sets itself up: ~0.9 s of main-thread time in headless Chromium) before it draws the first figure,
while before it the browser mostly waited for the server.

:class:`PreloadPlotly` (an ASGI middleware given to the ``st.App`` in ``app.py``) changes only the
app's HTML page (every page's URL serves the same ``index.html``):

- on the pages that open on a plotly figure it adds ``<script type="module" src=...>`` for that
  module, so that the browser fetches, compiles and runs it while it waits for the websocket and
  the page's script; the component's later ``import()`` of the same URL finds the module already
  evaluated (one module map per document: it runs once);
- on the drawing pages (the Playground at ``/`` and the Data page), whose first view has no plotly
  figure, it adds a ``Link: <...>; rel=modulepreload`` header instead: fetched and compiled off the
  main thread, run only when the visitor opens a page with a figure.

A Streamlit version whose static folder has no such file gets the page unchanged.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from ui.schema import PAGE_DATA, PAGE_PLAYGROUND

PLOTLY_CHUNK = "PlotlyChart.*.js"
"""The file name of Streamlit's plotly chart component in its static folder (``static/js/``)."""
DRAWING_PAGES = (PAGE_PLAYGROUND, PAGE_DATA)
"""The url paths whose first view has no plotly figure: the Playground and the Data page."""


def plotly_chunk() -> str | None:
    """The static path of Streamlit's plotly chart component ("static/js/PlotlyChart.<hash>.js"),
    or None unless this Streamlit version has exactly one."""
    import streamlit

    found = sorted((Path(streamlit.__file__).parent / "static" / "static" / "js").glob(PLOTLY_CHUNK))
    return f"static/js/{found[0].name}" if len(found) == 1 else None


def page_path(path: str, base_url_path: str) -> str:
    """The app page a request path names ("" for the default page), without ``server.baseUrlPath``."""
    path = path.strip("/")
    base = base_url_path.strip("/")
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base):].strip("/")
    return path


def with_script(html: bytes, chunk: str) -> bytes:
    """The HTML page with a module script for ``chunk`` at the end of its head (as Streamlit writes
    its own: relative to the page, fetched in CORS mode)."""
    tag = f'<script type="module" crossorigin src="./{chunk}"></script>\n</head>'.encode()
    return html.replace(b"</head>", tag, 1)


class PreloadPlotly:
    """ASGI middleware: Streamlit's plotly component loaded with the app's HTML page (module doc)."""

    def __init__(self, app) -> None:
        from streamlit import config

        self.app = app
        self.chunk = plotly_chunk()
        self.base_url_path = str(config.get_option("server.baseUrlPath") or "")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or self.chunk is None or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        drawing = page_path(scope.get("path", ""), self.base_url_path) in DRAWING_PAGES
        start: dict = {}
        body: list[bytes] = []

        async def rewrite(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers):
                    start["pass"] = True
                    await send(message)
                elif drawing:
                    start["pass"] = True
                    headers.append((b"link", f"<{self.chunk}>; rel=modulepreload; crossorigin".encode()))
                    await send({**message, "headers": headers})
                else:
                    start.update(message)  # the page's HTML: held until its body is complete
                return
            if start.get("pass"):
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            await send_page(b"".join(body))

        async def send_page(html: bytes) -> None:
            headers = [(k, v) for k, v in start.get("headers", [])
                       if k.lower() not in (b"content-length", b"content-encoding")]
            if any(k.lower() == b"content-encoding" and v == b"gzip" for k, v in start.get("headers", [])):
                html = gzip.decompress(html)
            html = with_script(html, self.chunk)
            headers.append((b"content-length", str(len(html)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": html})

        await self.app(scope, receive, rewrite)
