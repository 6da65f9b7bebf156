"""The editors' guide, docs/editing.md, shown inside the admin (the import page links to it).

Rendered from the repository's own file on each request, so the admin and the docs never
disagree; the file ships with the site (the Docker image copies the whole tree).
"""

from __future__ import annotations

import re
from pathlib import Path

import markdown
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

GUIDE_PATH = Path(settings.BASE_DIR) / "docs" / "editing.md"
# Links to the other documents are repository paths ("configuration.md"): in the admin they
# would lead nowhere, so they become plain text. Web links and #anchors stay links.
_REPOSITORY_LINK = re.compile(r'<a href="(?!https?:|mailto:|#)[^"]*">(.*?)</a>', re.DOTALL)


def editing_guide() -> tuple[str, SafeString]:
    """The guide's title and its body as HTML, headings with ids (#importing-markdown)."""
    text = GUIDE_PATH.read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    title = first.removeprefix("# ").strip()
    # The repository's own document, not anyone's input: it is trusted as written.
    html = markdown.markdown(rest, extensions=["toc", "tables", "fenced_code"])
    return title, mark_safe(_REPOSITORY_LINK.sub(r"\1", html))  # noqa: S308
