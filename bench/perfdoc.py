"""docs/performance.md: each benchmark owns one "## " section and rewrites only that."""

import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def write_section(heading: str, text: str) -> None:
    """Replace the section under `heading` (up to the next "## "), keeping the rest."""
    doc = DOC.read_text() if DOC.exists() else "# Performance\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(doc):
        doc = pattern.sub(lambda _: text + "\n", doc, count=1).rstrip("\n") + "\n"
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(doc)
