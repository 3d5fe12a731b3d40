"""MkDocs hook: the command line reference is rendered from the parsers at build time.

``docs/reference/cli.md`` holds the page's introduction and the marker below; each build
replaces the marker with ``scripts/cli_doc.py``'s rendering of every ``arena`` command's
``--help``, so the page cannot fall behind the options.
"""

from __future__ import annotations

import sys
from pathlib import Path

MARKER = "<!-- arena-cli-reference -->"
PAGE = "reference/cli.md"
SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def on_page_markdown(markdown, page, config, files):  # noqa: ARG001 - the hook's signature
    if page.file.src_uri != PAGE:
        return markdown
    if MARKER not in markdown:
        raise ValueError(f"{PAGE} lost its marker {MARKER}: put it back where the reference goes")
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    import cli_doc

    return markdown.replace(MARKER, cli_doc.render())
