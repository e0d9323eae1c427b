"""Page scripts show nothing by accident.

Streamlit's "magic" writes every bare expression statement of a page script to the page, in its
functions and blocks too (streamlit/runtime/scriptrunner/magic.py); only calls, ``await``,
``yield`` and docstrings are left alone. A string left as a constant's docstring at the top of a
page (``LABEL_PX = 13`` followed by a string) appeared as a line of text under the Data page's
title. The page scripts are ``app.py`` and ``views/*.py``; the modules they import are not
rewritten by magic.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE_SCRIPTS = [ROOT / "app.py", *sorted((ROOT / "views").glob("*.py"))]
LEFT_ALONE = (ast.Call, ast.Await, ast.Yield, ast.YieldFrom)
WITH_DOCSTRING = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def shown_by_magic(source: str) -> list[int]:
    """Line numbers of the bare expression statements magic would write to the page."""
    lines = []
    for parent in ast.walk(ast.parse(source)):
        for field in ("body", "orelse", "finalbody"):
            statements = getattr(parent, field, None)
            if not isinstance(statements, list):  # an IfExp's orelse is an expression
                continue
            for index, node in enumerate(statements):
                if not isinstance(node, ast.Expr) or isinstance(node.value, LEFT_ALONE):
                    continue
                docstring = (field == "body" and index == 0 and isinstance(parent, WITH_DOCSTRING)
                             and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str))
                if not docstring:
                    lines.append(node.lineno)
    return sorted(lines)


def test_the_check_finds_a_bare_string_and_spares_docstrings_and_calls():
    source = ('"""The page."""\nimport streamlit as st\nLIMIT = 13\n"""A constant\'s docstring."""\n'
              'def show():\n    """Its docstring."""\n    st.write("x")\n    "shown"\n'
              'with st.sidebar:\n    f"{LIMIT}"\n')
    assert shown_by_magic(source) == [4, 8, 10]


@pytest.mark.parametrize("script", PAGE_SCRIPTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_bare_expression_in_a_page_script(script: Path):
    lines = shown_by_magic(script.read_text(encoding="utf-8"))
    assert not lines, (f"{script.relative_to(ROOT)}: magic would write the expression on line(s) {lines} "
                       "to the page; make it a comment or a call")
