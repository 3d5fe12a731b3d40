"""Werewolf's compact view: the text view (:mod:`games.werewolf.text`) with every fixed
phrase as a short code, and the lists of legal actions left out (the observation carries
them). ``COMPACT.expand(text, legal)`` gives the text view back exactly, so the compact
view holds the same information, no more and no less (tests check it over random play),
and the rule agent reads either view.

A seven-seat night observation::

    me P0 villager village
    N1; alive 7/7 P0, P1, P2, P3, P4, P5, P6 ; dead none
    log: -
    now N1 sleep

Speeches stay verbatim except seat names (``Player 3`` becomes ``P3``), so a free-mode
speech that itself writes ``P3`` reads back as ``Player 3``: the one place where the
round trip is not exact (claims mode, whose statements the rule agent reads, has none).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from games.phrasebook import Phrasebook

__all__ = ["COMPACT", "compact_text", "text_view"]


def _now(head: str):
    return lambda m, legal: head.format(*m.groups()) + ", ".join(legal)


_HEAD = r"^([ND]\d+(?: pack| talk \d+/\d+| vote| over)?)"
"""The STATE line's code once rewritten (``N1``, ``D2 talk 3/6``): the living/dead rule
applies on that line only, never inside a speech."""

_NIGHT_ASKS = (("kill", "choose a non-wolf to kill"), ("check", "choose a player to check"),
               ("protect", "choose a player to protect"), ("sleep", "you sleep"))

COMPACT = Phrasebook([
    (r"Player (\d+)", r"P\1", r"\bP(\d+)\b", r"Player \1"),
    (r"^YOU: (P\d+), (\w+) \((village|wolves) team\)\.", r"me \1 \2 \3",
     r"^me (P\d+) (\w+) (village|wolves)", r"YOU: \1, \2 (\3 team)."),
    (r"^(me .*) Partner wolves: (.*)\.$", r"\1 pack \2", r"^(me .*) pack (.*)$",
     r"\1 Partner wolves: \2."),
    (r"^STATE: Night (\d+) \(the pack decides\)\. Living", r"N\1 pack; Living",
     r"^N(\d+) pack; Living", r"STATE: Night \1 (the pack decides). Living"),
    (r"^STATE: Night (\d+)\. Living", r"N\1; Living", r"^N(\d+); Living",
     r"STATE: Night \1. Living"),
    (r"^STATE: Day (\d+), discussion \(speech (\d+) of (\d+)\)\. Living",
     r"D\1 talk \2/\3; Living", r"^D(\d+) talk (\d+)/(\d+); Living",
     r"STATE: Day \1, discussion (speech \2 of \3). Living"),
    (r"^STATE: Day (\d+), vote\. Living", r"D\1 vote; Living", r"^D(\d+) vote; Living",
     r"STATE: Day \1, vote. Living"),
    (r"^STATE: Day (\d+), game over\. Living", r"D\1 over; Living", r"^D(\d+) over; Living",
     r"STATE: Day \1, game over. Living"),
    (_HEAD + r"; Living \((\d+) of (\d+)\): (.*)\. Dead: (.*)\.$",
     r"\1; alive \2/\3 \4 ; dead \5",
     _HEAD + r"; alive (\d+)/(\d+) (.*) ; dead (.*)$", r"\1; Living (\2 of \3): \4. Dead: \5."),
    (r"^PRIVATE:$", "secret:", r"^secret:$", "PRIVATE:"),
    (r"^PUBLIC LOG:\n  \(nothing yet\)$", "log: -", r"^log: -$",
     "PUBLIC LOG:\n  (nothing yet)"),
    (r"^PUBLIC LOG:$", "log:", r"^log:$", "PUBLIC LOG:"),
    (r"^  Night (\d+): (P\d+) was killed\.$", r"  N\1 killed \2", r"^  N(\d+) killed (P\d+)$",
     r"  Night \1: \2 was killed."),
    (r"^  Day (\d+), (P\d+) said: ", r"  D\1 \2: ", r"^  D(\d+) (P\d+): ",
     r"  Day \1, \2 said: "),
    (r"^  Day (\d+) vote: ", r"  D\1 votes: ", r"^  D(\d+) votes: ", r"  Day \1 vote: "),
    (r"^  Day (\d+): (P\d+) was eliminated \((\d+) (votes?)\)\.$", r"  D\1 out \2 \3 \4",
     r"^  D(\d+) out (P\d+) (\d+) (votes?)$", r"  Day \1: \2 was eliminated (\3 \4)."),
    (r"^  Night (\d+): ", r"  N\1: ", r"^  N(\d+): ", r"  Night \1: "),
    (r"^  Day (\d+): ", r"  D\1: ", r"^  D(\d+): ", r"  Day \1: "),
    *((rf"^NOW: night (\d+); {ask}: .*$", rf"now N\1 {code}", rf"^now N(\d+) {code}$",
       _now("NOW: night {0}; " + ask + ": ")) for code, ask in _NIGHT_ASKS),
    (r"^NOW: your speech; choose one statement: .*$", "now speak", r"^now speak$",
     _now("NOW: your speech; choose one statement: ")),
    (r"^NOW: your speech\. Answer \[say\] <your speech> \(at most (\d+) characters; longer "
     r"is cut\)\.$", r"now say \1", r"^now say (\d+)$",
     r"NOW: your speech. Answer [say] <your speech> (at most \1 characters; longer is cut)."),
    (r"^NOW: vote to eliminate a player: .*$", "now vote", r"^now vote$",
     _now("NOW: vote to eliminate a player: ")),
    (r"^NOW: the pack's leader decides; you sleep: \[sleep\]$", "now leader", r"^now leader$",
     "NOW: the pack's leader decides; you sleep: [sleep]"),
    (r"^NOW: proposals: (.*)\. Decide the victim: .*$", r"now decide \1",
     r"^now decide (.*)$", _now("NOW: proposals: {0}. Decide the victim: ")),
    (r"^NOW: waiting for the others \(([^)]*)\); you chose (.*)\.$", r"now wait \1: \2",
     r"^now wait ([^:]*): (.*)$", r"NOW: waiting for the others (\1); you chose \2."),
    (r"^NOW: (P\d+) is speaking\.$", r"now \1 speaks", r"^now (P\d+) speaks$",
     r"NOW: \1 is speaking."),
    (r"^NOW: you are dead; you may only watch\.$", "now dead", r"^now dead$",
     "NOW: you are dead; you may only watch."),
    (r"^NOW: the game is over\.$", "now over", r"^now over$", "NOW: the game is over."),
])
"""The two-way table; see the module docstring."""


_CACHED_CHARS = 8192
"""Texts up to this length are cached (at most 4,096 of them, so at most 32 MB); a longer
text (a long game, long speeches) is rewritten each time rather than held."""


@lru_cache(maxsize=1 << 12)
def _cached(text: str) -> str:
    return COMPACT.compact(text)


def compact_text(text: str) -> str:
    """The compact view of a text-view observation (short texts cached: seats and
    decisions share many of them)."""
    return _cached(text) if len(text) <= _CACHED_CHARS else COMPACT.compact(text)


def text_view(text: str, legal: Sequence[str] | None) -> str:
    """The text view of an observation in either view (a text view comes back as it is)."""
    return text if text.startswith("YOU: ") else COMPACT.expand(text, legal)
