"""Household text: feedback templates, the rules, and free-text commands to canonical form.

Canonical commands (lower case, one space, no articles, in brackets as every finite
action of the arena: ``[go to cabinet 3]``; the shared parser reads ``\\boxed{go to cabinet
3}`` or ``[Go to  cabinet 3]`` as that)::

    look | inventory | go to R | open R | close R | examine X | use L
    take O from R | put O in/on R | heat O with R | cool O with R | clean O with R

:func:`canonical_command` turns what a person or a model typed ("Take the Apple 1 from
countertop  1", "put mug 1 on the cabinet 2") into that form: case and spacing folded,
the articles ``a``/``an``/``the`` dropped, ``put O in R`` and ``put O on R`` written
``put O in/on R``. Whether the command is admissible now is the rules' business.
"""

from __future__ import annotations

import re
from typing import Sequence

from games.core import IllegalAction

__all__ = ["RULES", "GRAMMAR", "NOTHING", "canonical_command", "listing", "contents_line",
           "object_phrase"]

NOTHING = "Nothing happens."
GRAMMAR = ("look | inventory | go to R | open R | close R | examine X | use L | "
           "take O from R | put O in/on R | heat O with microwave R | cool O with fridge R "
           "| clean O with sinkbasin R  (R, O, L: names with numbers, e.g. cabinet 3)")

RULES = f"""Household: you are a helper in a house; do the task stated in the first
observation ("Your task is to: put a hot mug in cabinet.") within the step limit.
Receptacles (cabinet 3, countertop 1, fridge 1...) are listed at the start; what is in or
on one you see only when you are at it, and a closed one (cabinet, drawer, fridge,
microwave, safe, box start closed) must be opened first. "go to R" takes one step from
anywhere. You hold at most one object. Heat with a microwave, cool with a fridge, clean
with a sinkbasin (being at it, holding the object). To look at something under a lamp,
hold it where the lamp stands and turn the lamp on (use). "put two X in Y" needs two of
them in one Y. Any cabinet counts for "in cabinet". Success scores 1, anything else 0.
Commands: {GRAMMAR}. Anything else: "{NOTHING}"
"""

_ARTICLES = re.compile(r"\b(a|an|the|some)\b")
_SPACES = re.compile(r"\s+")
_VERBS = ("look", "inventory", "go to ", "open ", "close ", "examine ", "use ", "take ",
          "put ", "heat ", "cool ", "clean ")


def _article(name: str) -> str:
    return "an" if name[0] in "aeiou" else "a"


def listing(names: Sequence[str]) -> str:
    """``"a mug 1, a knife 2, and an apple 1"``; ``"nothing"`` when empty."""
    if not names:
        return "nothing"
    items = [f"{_article(n)} {n}" for n in names]
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + ", and " + items[-1]


def contents_line(receptacle: str, preposition: str, names: Sequence[str]) -> str:
    return f"{preposition.capitalize()} the {receptacle}, you see {listing(names)}."


def object_phrase(name: str, hot: bool, cold: bool, clean: bool) -> str:
    states = [s for s, on in (("hot", hot), ("cool", cold), ("clean", clean)) if on]
    return f"{name} ({', '.join(states)})" if states else name


def canonical_command(text: str) -> str:
    """The canonical form of a typed command, or :class:`IllegalAction` ("Nothing
    happens.") when it is no command of the grammar."""
    s = _ARTICLES.sub(" ", text.lower().replace("\\boxed{", " ").strip(" []{}.!\n\t"))
    s = _SPACES.sub(" ", s).strip()
    if s.startswith("put ") and " in/on " not in s:
        for prep in (" in ", " on ", " into ", " onto "):
            if prep in s:
                head, _, tail = s.partition(prep)
                s = f"{head} in/on {tail}"
                break
    if s in ("look", "inventory") or (s.startswith(_VERBS[2:]) and len(s.split()) >= 3):
        return f"[{s}]"
    raise IllegalAction(f"{NOTHING} {text.strip()[:60]!r} is not a command; commands: "
                        f"{GRAMMAR}")
