"""Bounded text: a quoted value never makes a message longer than its limit."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from common.text import shorten


def test_short_text_is_kept_and_long_text_is_cut_with_a_mark():
    assert shorten("abc", 3) == "abc"
    assert shorten("abcd", 3) == "..."
    assert shorten("x" * 100) == "x" * 57 + "..."


@given(st.text(), st.integers(3, 200))
def test_the_result_is_a_prefix_within_the_limit(text, limit):
    got = shorten(text, limit)
    assert len(got) <= limit
    assert got == text or (got.endswith("...") and text.startswith(got[:-3]))


def test_a_limit_without_room_for_the_mark_is_refused():
    with pytest.raises(ValueError, match="at least 3"):
        shorten("abc", 2)
