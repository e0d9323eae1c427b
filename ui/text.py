"""User text as plain text: the one escaping helper for every user-supplied string.

File names, CSV labels and cells, array names inside an ``.npz``, link values: whatever comes
from outside is passed through :func:`plain` before it reaches ``st.error``/``st.caption``/
``st.markdown``, so Markdown (``![i](http://x)``), HTML and ``:red[...]`` show literally.
"""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()<>!$~#|{}&]|:(?=[A-Za-z_]))")
_LINE_START = re.compile(r"^(\s*)([-+]|\d+(?=[.)]))")
_LINK_LIKE = re.compile(r"(?i)(https?|ftp|www)")


def plain(text: object, limit: int | None = None) -> str:
    """``text`` with every Markdown character escaped (newlines become spaces, so it never starts
    a line; URLs get a zero-width joiner so they are not auto-linked), cut to ``limit``
    characters before escaping. Renders literally in any Streamlit Markdown element."""
    text = str(text).replace("\r", " ").replace("\n", " ")
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    escaped = _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(0), text)
    escaped = _LINE_START.sub(lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2) in "-+"
                                                     else m.group(2) + "\\"), escaped)
    return _LINK_LIKE.sub(lambda m: m.group(0)[0] + "\u2060" + m.group(0)[1:], escaped)


def sentence(text: str) -> str:
    """``text`` as a sentence: capitalised, with a final full stop."""
    text = str(text).strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def safe_name(file_name: str) -> str:
    """A data set name from an uploaded file's name: the stem, at most 40 characters of letters,
    digits, spaces, dots and dashes (anything else becomes a dash)."""
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    name = re.sub(r"[^A-Za-z0-9 .\-]", "-", stem)[:40].strip(" .-")
    return name or "uploaded"
