"""The slow lane's list names tests that exist (a renamed test cannot drop out of it
unnoticed)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import slow_tests

ROOT = Path(__file__).resolve().parents[1]


def test_every_slow_entry_is_a_test_that_exists():
    entries = slow_tests()
    assert len(entries) > 20
    for entry in entries:
        path, _, name = entry.partition("::")
        text = (ROOT / path).read_text()
        if not name:  # a whole file
            continue
        assert re.search(rf"^(async )?def {re.escape(name)}\(", text, re.M), entry
