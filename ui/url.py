"""The URL: the settings of the schema and the points, read on a session's first run and written
back on every run, so a link copied from any page reproduces that page's view.

- :func:`read_url` parses every parameter with the schema's one validator before any arithmetic;
  a bad or unknown parameter is a message naming it, the default is used, and the address bar is
  cleaned (the next :func:`sync_url` drops it).
- Drawn or uploaded data of at most :data:`URL_MAX_POINTS` points travel as ``pts``
  (:func:`encode_points`); :func:`decode_points` inflates with a streaming output cap, so a
  compressed bomb never costs more than a few kilobytes.
"""

from __future__ import annotations

import base64
import binascii
import zlib

import numpy as np
import streamlit as st

from convexnn import datasets as ds
from ui import messages
from ui.keys import S
from ui.schema import POINTS, RESERVED, SCHEMA, default
from ui.text import plain

URL_MAX_POINTS = 100
"""Drawn or uploaded data of at most this many points are written into the URL (``pts``)."""
_URL_SCALE = 1000.0  # coordinates travel as int16 multiples of 1e-3
_HEADER = 6
MAX_POINTS_TEXT = 4 * (_HEADER + URL_MAX_POINTS * 3 * 2 + URL_MAX_POINTS // 8 + 64)
"""Longest ``pts`` text accepted (base64 of the largest uncompressed point set, with slack)."""
_MAX_RAW = _HEADER + URL_MAX_POINTS * 3 * 2 + (URL_MAX_POINTS + 7) // 8
"""Most bytes a valid point set inflates to; decoding stops one byte beyond."""

URL_READ = "_url_read"
URL_WRITTEN = "_url_written"


def encode_points(data: ds.Dataset) -> str | None:
    """A compact URL-safe text of small data (coordinates and targets rounded to 1e-3), or None
    when there are more than :data:`URL_MAX_POINTS` points or values beyond +-32.7."""
    if data.n > URL_MAX_POINTS or data.dim > 2:
        return None
    values = np.column_stack([data.X, data.y])
    if np.abs(values).max() * _URL_SCALE > 32767:
        return None
    q = np.round(values * _URL_SCALE).astype("<i2")
    has_mask = data.is_test is not None
    header = bytes([1, data.dim, 0 if data.task == ds.CLASSIFICATION else 1, int(has_mask)])
    header += int(data.n).to_bytes(2, "little")
    body = q.tobytes() + (np.packbits(data.is_test).tobytes() if has_mask else b"")
    return base64.urlsafe_b64encode(zlib.compress(header + body, 9)).rstrip(b"=").decode("ascii")


def _inflate(text: str) -> bytes:
    """base64 + zlib of at most :data:`_MAX_RAW` + 1 output bytes (streaming cap)."""
    if len(text) > MAX_POINTS_TEXT:
        raise ValueError("the point text is too long")
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, _MAX_RAW + 1)
    except (ValueError, binascii.Error, zlib.error):
        raise ValueError("the text is not an encoded point set") from None
    if len(raw) > _MAX_RAW:
        raise ValueError(f"more than {URL_MAX_POINTS} points")
    if not inflater.eof:
        raise ValueError("the point text is cut off")
    return raw


def decode_points(text: str) -> ds.Dataset:
    """The data set of :func:`encode_points` (raises ``ValueError`` if the text is damaged)."""
    raw = _inflate(str(text))
    if len(raw) < _HEADER or raw[0] != 1 or raw[1] not in (1, 2) or raw[2] not in (0, 1):
        raise ValueError("unknown point format")
    d, task, has_mask = raw[1], (ds.CLASSIFICATION if raw[2] == 0 else ds.REGRESSION), bool(raw[3])
    n = int.from_bytes(raw[4:6], "little")
    size = n * (d + 1) * 2
    mask_size = (n + 7) // 8 if has_mask else 0
    if n > URL_MAX_POINTS or len(raw) != _HEADER + size + mask_size:
        raise ValueError("the point list has the wrong length")
    values = np.frombuffer(raw[_HEADER:_HEADER + size], dtype="<i2").reshape(n, d + 1) / _URL_SCALE
    mask = None
    if has_mask:
        mask = np.unpackbits(np.frombuffer(raw[_HEADER + size:], dtype=np.uint8))[:n].astype(bool)
    return ds.Dataset(values[:, :d], values[:, d], task, "shared", mask)


def read_url() -> ds.Dataset | None:
    """Take the settings from the URL into session state (first run of a session).

    Returns the data carried in ``pts`` (to be made the current data), or None. A value that
    cannot be used is a message naming the parameter; its default stays.
    """
    ss = st.session_state
    ss[URL_READ] = True
    params = st.query_params
    points = None
    for key in list(params.keys()):
        text = params.get(key, "")
        shown = plain(repr(str(text)), limit=40)
        if key in RESERVED:
            continue
        if key == POINTS:
            try:
                points = decode_points(text)
            except ValueError as exc:
                messages.flash("warning", f"The link's points could not be read ({plain(exc)}); "
                                          "showing the preset instead.", keep=True)
            continue
        setting = SCHEMA.get(key)
        if setting is None or not setting.url:
            messages.flash("warning", f"The link's parameter {plain(key, limit=40)} is not a setting of this "
                                      "app and was ignored.", keep=True)
            continue
        try:
            ss[key] = setting.parse(text)
        except ValueError as exc:
            ss[key] = default(key)
            messages.flash("warning", f"The link's {plain(key)}={shown} was ignored ({plain(exc)}); "
                                      f"using the default {plain(setting.to_url(setting.default))}.",
                           keep=True)
    return points


def url_params() -> dict[str, str]:
    """The URL parameters that reproduce the current view: settings that differ from their
    defaults, and the points themselves when they are not a preset and small enough."""
    ss = st.session_state
    out = {}
    for name, setting in SCHEMA.items():
        if not setting.url or name not in ss:
            continue
        value = ss[name]
        if setting.valid(value) and value != setting.default:
            out[name] = setting.to_url(value)
    if ss.get(S.SOURCE) != "preset" and S.DATA in ss:
        encoded = encode_points(ss[S.DATA])
        if encoded is not None:
            out[POINTS] = encoded
    return out


def sync_url() -> None:
    """Make the page URL exactly :func:`url_params` (besides Streamlit's own parameters): junk
    and defaults are removed from the address bar."""
    want = url_params()
    params = st.query_params
    for key in list(params.keys()):
        if key not in want and key not in RESERVED:
            del params[key]
    changes = {k: v for k, v in want.items() if params.get(k) != v}
    if changes:
        params.update(changes)
    st.session_state[URL_WRITTEN] = want


def points_in_url() -> bool:
    """Whether the current (non-preset) data fit in the URL."""
    ss = st.session_state
    return ss.get(S.SOURCE) == "preset" or encode_points(ss[S.DATA]) is not None
