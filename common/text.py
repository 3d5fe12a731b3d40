"""Bounded text: a value of any length shown in a message of bounded length.

An error message quotes what it refused (a reply, an item, an answer); a model may have
written ten thousand characters there. :func:`shorten` keeps the first ``limit``
characters, the last three of them ``...`` where something was cut.
"""

from __future__ import annotations

__all__ = ["shorten"]


def shorten(text: str, limit: int = 60) -> str:
    """``text`` when it has at most ``limit`` characters, else its first ``limit - 3``
    characters and ``...`` (``limit`` characters in all)."""
    if limit < 3:
        raise ValueError(f"shorten's limit must be at least 3 (room for '...'), got {limit}")
    return text if len(text) <= limit else text[: limit - 3] + "..."
