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

A figure page's HTML is asked of Streamlit whole and uncompressed (no ``Range``, ``If-Range`` or
``Accept-Encoding``: 8 kB) and sent without the original's ``ETag`` and ``Accept-Ranges``, which
described the page before the script was added; a HEAD request gets the rewritten page's length. A
Streamlit version whose static folder has no such file gets the page unchanged.
"""

from __future__ import annotations

from pathlib import Path

from ui.schema import PAGE_DATA, PAGE_PLAYGROUND

PLOTLY_CHUNK = "PlotlyChart.*.js"
"""The file name of Streamlit's plotly chart component in its static folder (``static/js/``)."""
DRAWING_PAGES = (PAGE_PLAYGROUND, PAGE_DATA)
"""The url paths whose first view has no plotly figure: the Playground and the Data page."""
NOT_PAGES = ("_stcore", "static", "media", "component", "app")
"""First path segments Streamlit serves itself (never the app's HTML page)."""
FROM_REQUEST = (b"range", b"if-range", b"accept-encoding")
"""Request headers dropped for a figure page: its HTML is rewritten whole and sent uncompressed
(8 kB), never as a byte range of the original."""
FROM_RESPONSE = (b"content-length", b"content-encoding", b"etag", b"accept-ranges", b"last-modified")
"""Response headers of the original HTML that do not describe the rewritten page."""


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


def app_page(path: str, base_url_path: str) -> str | None:
    """The app page (url path, "" for the default page) a request path may name, or None for the
    paths Streamlit serves itself (files, ``_stcore``, static files). Streamlit answers any other
    path with the app's HTML page; an unknown name then shows "Page not found"."""
    page = page_path(path, base_url_path)
    return None if "." in page or page.split("/")[0] in NOT_PAGES else page


def with_script(html: bytes, chunk: str) -> bytes:
    """The HTML page with a module script for ``chunk`` at the end of its head (as Streamlit writes
    its own: relative to the page, fetched in CORS mode)."""
    tag = f'<script type="module" crossorigin src="./{chunk}"></script>\n</head>'.encode()
    return html.replace(b"</head>", tag, 1)


def is_html(headers) -> bool:
    return any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)


class PreloadPlotly:
    """ASGI middleware: Streamlit's plotly component loaded with the app's HTML page (module doc)."""

    def __init__(self, app) -> None:
        from streamlit import config

        self.app = app
        self.chunk = plotly_chunk()
        self.base_url_path = str(config.get_option("server.baseUrlPath") or "")

    async def __call__(self, scope, receive, send) -> None:
        page = app_page(scope.get("path", ""), self.base_url_path) if scope["type"] == "http" else None
        if page is None or self.chunk is None or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
        elif page in DRAWING_PAGES:
            await self.app(scope, receive, self._with_link(send))
        else:
            headers = [(k, v) for k, v in scope["headers"] if k.lower() not in FROM_REQUEST]
            scope = {**scope, "headers": headers}
            await self.app(scope, receive, self._with_script(send, head=scope["method"] == "HEAD"))

    def _with_link(self, send):
        """``send`` with the modulepreload header on an HTML page."""
        async def with_link(message) -> None:
            if message["type"] == "http.response.start" and is_html(message.get("headers", [])):
                link = f"<{self.chunk}>; rel=modulepreload; crossorigin".encode()
                message = {**message, "headers": [*message["headers"], (b"link", link)]}
            await send(message)

        return with_link

    def _with_script(self, send, head: bool):
        """``send`` that holds a whole (status 200) HTML page and sends it with the module script."""
        start: dict = {}
        body: list[bytes] = []
        added = len(with_script(b"</head>", self.chunk)) - len(b"</head>")

        async def rewrite(message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                rewritable = message.get("status") == 200 and is_html(headers) and not any(
                    k.lower() == b"content-encoding" for k, v in headers)
                if not rewritable:
                    start["pass"] = True
                    await send(message)
                elif head:  # no body: the length the GET's page has
                    kept = [(k, v) for k, v in headers if k.lower() not in FROM_RESPONSE]
                    kept += [(k, str(int(v) + added).encode()) for k, v in headers
                             if k.lower() == b"content-length"]
                    start["pass"] = True
                    await send({**message, "headers": kept})
                else:
                    start.update(message)  # the page's HTML: held until its body is complete
                return
            if start.get("pass"):
                await send(message)
                return
            body.append(message.get("body", b""))
            if not message.get("more_body"):
                html = with_script(b"".join(body), self.chunk)
                kept = [(k, v) for k, v in start["headers"] if k.lower() not in FROM_RESPONSE]
                await send({**start, "headers": [*kept, (b"content-length", str(len(html)).encode())]})
                await send({"type": "http.response.body", "body": html})

        return rewrite
