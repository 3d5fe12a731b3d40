"""MkDocs hook: pages rendered from the code at build time, so they cannot fall behind it.

- ``docs/reference/cli.md`` holds the page's introduction and the marker
  ``<!-- arena-cli-reference -->``; each build replaces it with ``scripts/cli_doc.py``'s
  rendering of every ``arena`` command's ``--help``.
- ``docs/training.md`` holds ``<!-- arena-train-options -->``, replaced with the table of
  ``arena train``'s options from their declarations (:func:`training.options.markdown_table`).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- arena-cli-reference -->"
PAGE = "reference/cli.md"
SCRIPTS = ROOT / "scripts"


def _cli_reference() -> str:
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    import cli_doc

    return cli_doc.render()


def _train_options() -> str:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from training.config import SelfPlayConfig
    from training.options import markdown_table

    return markdown_table(SelfPlayConfig)


RENDERED = {PAGE: (MARKER, _cli_reference),
            "training.md": ("<!-- arena-train-options -->", _train_options)}
"""Page -> (its marker, what replaces it)."""


def on_page_markdown(markdown, page, config, files):  # noqa: ARG001 - the hook's signature
    found = RENDERED.get(page.file.src_uri)
    if found is None:
        return markdown
    marker, render = found
    if marker not in markdown:
        raise ValueError(f"{page.file.src_uri} lost its marker {marker}: put it back where "
                         "the rendered part goes")
    return markdown.replace(marker, render())
