"""MkDocs hook: the options table of ``arena train`` is rendered from the declarations.

``docs/training.md`` holds the marker below; each build replaces it with
:func:`training.options.markdown_table` of :class:`training.config.SelfPlayConfig`, so the
page lists exactly the options, ranges, defaults and help the code declares.
"""

from __future__ import annotations

import sys
from pathlib import Path

MARKER = "<!-- arena-train-options -->"
PAGE = "training.md"
ROOT = Path(__file__).resolve().parents[2]


def on_page_markdown(markdown, page, config, files):  # noqa: ARG001 - the hook's signature
    if page.file.src_uri != PAGE:
        return markdown
    if MARKER not in markdown:
        raise ValueError(f"{PAGE} lost its marker {MARKER}: put it back where the table goes")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from training.config import SelfPlayConfig
    from training.options import markdown_table

    return markdown.replace(MARKER, markdown_table(SelfPlayConfig))
