"""The repository's mathematics (``docs/*.md``) for the in-app Mathematics page.

One section per file, in the order of :data:`ORDER` (files not listed follow by name); each
section has an anchor named after its file (``docs/lasso-path.md`` -> ``#lasso-path``), so help
texts can point to "Mathematics: the Lasso path". Whatever exists is shown; nothing is fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
ORDER = ("README", "convex-program", "arrangements", "sampling-and-geometric-algebra",
         "optima-and-stationary-points", "lasso-path", "recovery", "deep-networks", "complexity",
         "experiments", "solvers")
MAX_DOC_BYTES = 400_000


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    body: str


def _title(slug: str, text: str) -> tuple[str, str]:
    """The file's first-level heading as its title (removed from the body), else its name."""
    match = re.match(r"\s*#\s+(.+?)\s*\n", text)
    if match:
        return match.group(1).strip(), text[match.end():]
    return slug.replace("-", " ").capitalize(), text


def _demote(text: str) -> str:
    """Headings two levels down (a file's ``##`` becomes ``####``), outside code blocks, so a
    section's own headings sit under its title."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and re.match(r"#{1,4}\s", line):
            line = "##" + line
        out.append(line)
    return "\n".join(out)


def _link_sections(text: str) -> str:
    """Links between the files (``[x](lasso-path.md)``, ``[x](lasso-path.md#y)``) as links to the
    sections of this page (``#lasso-path``): in the app the files are sections, not files."""
    return re.sub(r"\]\((?:\./)?([A-Za-z0-9_-]+)\.md(?:#[^)]*)?\)", r"](#\1)", text)


def sections(folder: Path | None = None) -> list[Section]:
    """The documentation files of ``folder`` (default :data:`DOCS`) as sections (empty when there
    are none)."""
    folder = DOCS if folder is None else folder
    if not folder.is_dir():
        return []
    files = {p.stem: p for p in folder.glob("*.md") if p.is_file() and p.stat().st_size <= MAX_DOC_BYTES}
    slugs = [s for s in ORDER if s in files] + sorted(s for s in files if s not in ORDER)
    found = []
    for slug in slugs:
        title, body = _title(slug, files[slug].read_text(encoding="utf-8", errors="replace"))
        found.append(Section(slug, title, _link_sections(_demote(body))))
    return found
