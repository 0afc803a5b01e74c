"""Docstrings and comments cite only what a reader of the repository can open.

WHY: the code explains its platform rules by citing ``(docs/platform/FILE.md, "Heading")``. A
citation of a file outside the repository (a brief, a design note, a numbered section of a
reference kept elsewhere, an issue tracker) leaves the reader with nothing to open, and a
citation of a heading that was renamed silently points nowhere.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLATFORM_DOCS = ROOT / "docs" / "platform"
SOURCES = [
    path
    for folder in ("ma_widgets", "tests", "bench", "examples")
    for path in sorted((ROOT / folder).rglob("*.py"))
    if path != Path(__file__).resolve()
]

OUTSIDE = re.compile(
    r"reference\s+(section|§)\s*\d"
    r"|\bsection\s+\d+(\.\d+)*\s+of\s+the\s+reference"
    r"|design\.md|BRIEF(\.md|\s+standards)|shared/reference|modelarts-(import|services)\.md"
    r"|\bissue\s+#?\d+",
    re.IGNORECASE,
)
CITATION = re.compile(r"docs/platform/([\w-]+\.md),\s*\"([^\"]+)\"")
# A heading wrapped over two comment or docstring lines: the break and the next line's marker.
LINE_BREAK = re.compile(r"\s*\n\s*(#:?\s*)?")


def _headings(doc: Path) -> set[str]:
    return {
        line.lstrip("#").strip()
        for line in doc.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }


def test_no_source_file_cites_something_outside_the_repository() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}: {match.group(0)}"
        for path in SOURCES
        for text in [path.read_text(encoding="utf-8")]
        for match in OUTSIDE.finditer(text)
    ]
    assert found == [], "cite docs/platform/FILE.md and a heading instead:\n" + "\n".join(found)


def test_every_platform_citation_names_an_existing_page_and_heading() -> None:
    headings = {doc.name: _headings(doc) for doc in PLATFORM_DOCS.glob("*.md")}
    broken = []
    for path in SOURCES:
        text = LINE_BREAK.sub(" ", path.read_text(encoding="utf-8"))
        for page, heading in CITATION.findall(text):
            if heading not in headings.get(page, set()):
                broken.append(f"{path.relative_to(ROOT)}: ({page}, {heading!r})")
    assert broken == [], "no such page or heading in docs/platform:\n" + "\n".join(broken)


def test_the_platform_index_lists_every_page() -> None:
    index = (PLATFORM_DOCS / "README.md").read_text(encoding="utf-8")
    pages = sorted(p.name for p in PLATFORM_DOCS.glob("*.md") if p.name != "README.md")
    assert pages, "docs/platform holds no page"
    assert [page for page in pages if f"({page})" not in index] == []
