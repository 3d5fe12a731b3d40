"""A two-way table of phrases: a game's compact view written as a lossless rewrite of its
text view.

A game whose text view is prose around numbers (Werewolf, Simple Negotiation) gets its
compact view by rewriting each fixed phrase into a short code, and gets the text back by
the reverse rewrite. :meth:`Phrasebook.expand` of :meth:`Phrasebook.compact` gives the
text view again, character for character: the compact view provably carries the same
information (the games' tests check it over random play), and scripted agents that read
the text view read either (``expand`` first).

Each rule is ``(long, short, short_back, long_back)``: the regular expression ``long``
(``re.MULTILINE``: ``^``/``$`` are line ends) is replaced by the template ``short``;
going back, ``short_back`` is replaced by ``long_back``, a template or a function of the
match and the observation's legal actions (a compact view may leave out a list of legal
actions that the observation carries anyway). Rules apply in order; going back, in
reverse order. A rule's codes must not occur in the text it does not produce (the
round-trip tests catch a rule that breaks this).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence, Union

__all__ = ["Rule", "Phrasebook"]

Back = Union[str, Callable[["re.Match[str]", Sequence[str]], str]]


@dataclass(frozen=True)
class Rule:
    long: str
    short: str
    short_back: str
    long_back: Back


class Phrasebook:
    """Compiled rules; :meth:`compact` and :meth:`expand` are inverse on the game's texts."""

    def __init__(self, rules: Sequence[tuple[str, str, str, Back]]) -> None:
        self._forward = [(re.compile(r[0], re.M), r[1]) for r in rules]
        self._back = [(re.compile(r[2], re.M), r[3]) for r in reversed(rules)]

    def compact(self, text: str) -> str:
        for pattern, short in self._forward:
            text = pattern.sub(short, text)
        return text

    def expand(self, text: str, legal: Sequence[str] | None = None) -> str:
        """The text view of a compact ``text``; ``legal``: the observation's legal actions
        (rules that left them out put them back)."""
        shown = tuple(legal or ())
        for pattern, long in self._back:
            if callable(long):
                text = pattern.sub(lambda m, f=long: f(m, shown), text)
            else:
                text = pattern.sub(long, text)
        return text
