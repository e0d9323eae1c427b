"""Figures as plain data: a built figure frozen to its dict and back, without validating again.

Building a plotly figure validates every property and merges the layout template (tens of
milliseconds for a network figure); its dict (:func:`freeze`) pickles in well under a millisecond,
and :func:`thaw` makes a figure of it again without a second validation (the dict came out of a
validated figure). The app caches frozen figures, so sessions showing the same result share one
build (``ui.charts``).
"""

from __future__ import annotations

import plotly.graph_objects as go


def freeze(fig: go.Figure) -> dict:
    """The figure as a plain dict (data, layout with its template, frames): picklable and cheap."""
    return fig.to_dict()


def thaw(spec: dict) -> go.Figure:
    """A new figure from :func:`freeze`'s dict, not validated again (it was when first built).

    The figure is the caller's own: changing it (``add_traces``, ``update_layout``) changes
    neither ``spec``'s other thawed copies nor the builder's cache.
    """
    return go.Figure(spec, _validate=False)


__all__ = ["freeze", "thaw"]
