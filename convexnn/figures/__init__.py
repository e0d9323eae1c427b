"""Plotly figure builders: pure functions from results to figures (no streamlit, no solving).

One module per topic; the shared look (class colours, boxes, equal axes, layout) and the network
figures live in :mod:`convexnn.figures.core`, re-exported here.
"""

from .core import *  # noqa: F401,F403
