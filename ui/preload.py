"""The app's HTML page, made to reach its first view sooner: the server found at once, plotly.js
fetched and run while Streamlit's own scripts load.

:class:`PreloadPlotly` (an ASGI middleware given to the ``st.App`` in ``app.py``) changes only the
app's HTML page (every page's URL serves the same ``index.html``):

- **Where the server is.** Every app page but the default one gets an inline script that tells
  Streamlit's frontend the app's base URL (``window.__streamlit.BACKEND_BASE_URL``: the page's
  address without its own path segment). Without it the frontend of a page opened by its link
  (``/optimum``) first asks ``/optimum/_stcore/health``, gets 404, and tries the parent path only
  after a back-off: about 0.9 s of every such first view went to that wait. The base is taken
  relative to the page's address, so a reverse proxy's path prefix (with or without
  ``server.baseUrlPath``) is kept.
- **plotly.js.** The app's figures are drawn by plotly.js's cartesian bundle (:mod:`ui.plot`,
  served from ``static/``). Pages that open on a figure get ``<script defer src=...>`` for it, so
  it runs while the browser waits for the websocket and the page's script (the charts find
  ``window.Plotly``); the drawing pages (the Playground at ``/`` and the Data page), whose first
  view has no figure, get a ``Link: <...>; rel=preload; as=script`` header instead (fetched, run
  when a figure comes). Streamlit's own plotly component (full plotly.js, 4.7 MB) is loaded by
  Streamlit only for a 3-D figure, when one is shown. Preloading more, or running the page on
  its HTML request, was measured no faster (bench/README.md).

Each page's HTML is asked of Streamlit whole and uncompressed (no ``Range``, ``If-Range`` or
``Accept-Encoding``: 8 kB) and sent without the original's ``ETag`` and ``Accept-Ranges``, which
described the page before the scripts were added; a HEAD request gets the rewritten page's length.
"""

from __future__ import annotations

from ui.plot import BUNDLE
from ui.schema import PAGE_DATA, PAGE_PLAYGROUND

DRAWING_PAGES = (PAGE_PLAYGROUND, PAGE_DATA)
"""The url paths whose first view has no plotly figure: the Playground and the Data page."""
NOT_PAGES = ("_stcore", "static", "media", "component", "app")
"""First path segments Streamlit serves itself (never the app's HTML page)."""
FROM_REQUEST = (b"range", b"if-range", b"accept-encoding")
"""Request headers dropped for an app page: its HTML is rewritten whole and sent uncompressed
(8 kB), never as a byte range of the original."""
FROM_RESPONSE = (b"content-length", b"content-encoding", b"etag", b"accept-ranges", b"last-modified")
"""Response headers of the original HTML that do not describe the rewritten page."""


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


def up_to_base(page: str) -> str:
    """The relative path from the app page ``page`` ("" for the default page) to the app's base
    URL: "./" for a page one segment deep, one "../" more per further segment."""
    return "./" + "../" * (len([part for part in page.split("/") if part]) - 1)


def bundle_script(page: str) -> str:
    """A deferred script that runs plotly.js's cartesian bundle (:data:`ui.plot.BUNDLE`), relative
    to the page ``page``; the charts wait for it (``data-convexnn-plotly``)."""
    return f'<script defer data-convexnn-plotly src="{up_to_base(page)}{BUNDLE}"></script>\n'


def bundle_link(page: str) -> bytes:
    """A ``Link`` header value that preloads the bundle (fetched, not run), relative to ``page``."""
    return f"<{up_to_base(page)}{BUNDLE}>; rel=preload; as=script".encode()


def backend_script(page: str) -> str:
    """An inline script giving Streamlit's frontend the app's base URL: the page's address without
    the page's own path segments (``page``: the app page, "" for the default page). It runs before
    the frontend's modules (module scripts run after the document is parsed)."""
    return ("<script>(() => {const u = new URL(location.href); u.pathname = u.pathname.replace(/\\/+$/, '');"
            f" window.__streamlit = Object.assign({{}}, window.__streamlit, {{BACKEND_BASE_URL: "
            f"new URL('{up_to_base(page)}', u).href}});}})();</script>\n")


def with_head(html: bytes, tags: str) -> bytes:
    """The HTML page with ``tags`` at the end of its head."""
    return html.replace(b"</head>", tags.encode() + b"</head>", 1)


def is_html(headers) -> bool:
    return any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)


class PreloadPlotly:
    """ASGI middleware: plotly.js's cartesian bundle loaded with the app's HTML page, and the page
    told where the server is (module doc)."""

    def __init__(self, app) -> None:
        from streamlit import config

        self.app = app
        self.base_url_path = str(config.get_option("server.baseUrlPath") or "")

    async def __call__(self, scope, receive, send) -> None:
        page = app_page(scope.get("path", ""), self.base_url_path) if scope["type"] == "http" else None
        if page is None or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        tags = backend_script(page) if page else ""
        link = None
        if page in DRAWING_PAGES:
            link = bundle_link(page)
        else:
            tags += bundle_script(page)
        if not tags:  # the default page: its HTML unchanged (compressed, cached), a header added
            await self.app(scope, receive, self._with_link(send, link))
            return
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in FROM_REQUEST]
        scope = {**scope, "headers": headers}
        await self.app(scope, receive, self._rewrite(send, tags, link, head=scope["method"] == "HEAD"))

    @staticmethod
    def _with_link(send, link: bytes | None):
        """``send`` that adds the ``link`` header (if any) to an HTML page."""
        async def with_link(message) -> None:
            if link and message["type"] == "http.response.start" and is_html(message.get("headers", [])):
                message = {**message, "headers": [*message["headers"], (b"link", link)]}
            await send(message)

        return with_link

    @staticmethod
    def _rewrite(send, tags: str, link: bytes | None, head: bool):
        """``send`` that holds a whole (status 200) HTML page and sends it with ``tags`` at the end
        of its head and the ``link`` header (if any)."""
        start: dict = {}
        body: list[bytes] = []
        added = len(tags.encode())
        extra = [(b"link", link)] if link else []

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
                    await send({**message, "headers": kept + extra})
                else:
                    start.update(message)  # the page's HTML: held until its body is complete
                return
            if start.get("pass"):
                await send(message)
                return
            body.append(message.get("body", b""))
            if not message.get("more_body"):
                html = with_head(b"".join(body), tags)
                kept = [(k, v) for k, v in start["headers"] if k.lower() not in FROM_RESPONSE] + extra
                await send({**start, "headers": [*kept, (b"content-length", str(len(html)).encode())]})
                await send({"type": "http.response.body", "body": html})

        return rewrite
