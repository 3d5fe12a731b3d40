"""MkDocs hook: docstrings name objects in reST style (``:class:`Game```); on the API page
the role prefix is dropped and the name stays as code."""

from __future__ import annotations

import re

ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):(?=<code>)")
PAGE = "reference/api.md"


def on_page_content(html, page, config, files):  # noqa: ARG001 - the hook's signature
    if page.file.src_uri != PAGE:
        return html
    return ROLE.sub("", html).replace("<code>~", "<code>")
