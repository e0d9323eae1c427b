"""Messages that survive a rerun, keyed explicitly by the page they belong to.

Callbacks (a click on Undo, an upload) cannot draw on the page; they queue a message with
:func:`flash`, and the page shows it with :func:`show_messages`. The page a message belongs to is
the page running when it was queued (``app.py`` records it with :func:`set_page`), not found by
inspecting frames.
"""

from __future__ import annotations

import time

import streamlit as st

FLASH = "_flash"
KEPT = "_flash_kept"
PAGE = "_page"
FLASH_SECONDS = 30.0
"""How long a message about the data (``flash(..., keep=True)``) stays on its page."""
LEVELS = ("error", "warning", "success", "info")


def set_page(url_path: str) -> None:
    """Record the page of this run (called by ``app.py`` before the page runs)."""
    st.session_state[PAGE] = url_path


def current_page() -> str:
    return str(st.session_state.get(PAGE, ""))


def flash(level: str, text: str, keep: bool = False) -> None:
    """Queue a message (Markdown: escape user text with :func:`ui.text.plain`) for the next
    :func:`show_messages`. ``keep``: a message about the data (an upload refused, points dropped),
    shown again on the reruns of the same page within :data:`FLASH_SECONDS` (an upload or a
    canvas is often followed by an automatic rerun that would wipe it a second later)."""
    st.session_state.setdefault(FLASH, []).append((level, text, keep))


def show_messages(page: str | None = None, kept_too: bool = True) -> None:
    """Show the queued messages (and forget them), then the kept ones of ``page`` (default: the
    page of this run) if recent. ``app.py`` calls it before the page runs, and again after it with
    ``kept_too=False`` for what the page queued itself."""
    ss = st.session_state
    page = current_page() if page is None else page
    queued = [tuple(m)[:3] for m in ss.get(FLASH, [])]
    ss[FLASH] = []
    kept = [(level, text) for level, text, keep in queued if keep]
    if not kept_too:
        if kept:
            ss[KEPT] = {"page": page, "until": time.monotonic() + FLASH_SECONDS, "messages": kept}
        for level, text, _ in queued:
            getattr(st, level if level in LEVELS else "info")(text)
        return
    if kept:
        ss[KEPT] = {"page": page, "until": time.monotonic() + FLASH_SECONDS, "messages": kept}
    old = ss.get(KEPT)
    shown = [(level, text) for level, text, _ in queued]
    if old and not kept and old["page"] == page and time.monotonic() < old["until"]:
        shown = old["messages"] + shown
    elif old and not kept:
        ss.pop(KEPT, None)
    for level, text in shown:
        getattr(st, level if level in LEVELS else "info")(text)


def forget_kept() -> None:
    """The data changed: messages about the previous attempt are no longer shown."""
    st.session_state.pop(KEPT, None)
