"""Werewolf's moves: the action grammar, the legal-action lists, speeches and the
statements read from them (what a player writes; what a player reads is
:mod:`games.werewolf.text`).

Actions (canonical; ``n`` a seat number)::

    night     [kill Player n]   (wolves)    [check Player n]    (Seer)
              [protect Player n] (Doctor)   [sleep]             (everyone else)
    day vote  [vote Player n] | [vote none]
    speech    free mode:   [say] <text>
              claims mode: [pass] | [claim seer|doctor|villager] | [accuse Player n]
                           | [defend Player n] | [reveal Player n werewolf|not]

Every finite action is one bracketed span, so that the shared parser
(:func:`games.parse.parse_action`: the last ``[...]`` of a reply, or its ``\\boxed{}``)
reads it from free model output: ``I vote [vote Player 3]`` plays ``[vote Player 3]``.

A free speech is the text after the *last* ``[say]`` of the answer (what a model wrote
before it, its reasoning, is never shown to anyone), its white space folded to single
spaces, control characters and terminal escapes made inert (:func:`common.untrusted.
terminal_safe`), and cut at ``max_speech_chars`` with the mark :data:`CUT`. A speech is
one line of the public log, so it cannot forge another line. The statements of claims
mode may also be written inside free text (``[claim] seer`` is read as well as
``[claim seer]``); :func:`statements` reads them from any speech.
"""

from __future__ import annotations

import re
from typing import Iterator

from games.core import IllegalAction
from common.untrusted import terminal_safe

from games.werewolf.roles import ROLE_NAMES

__all__ = [
    "CUT", "CLAIMABLE", "player", "target_of", "parse_speech", "statements", "grammar_lines",
    "kill_actions", "check_actions", "protect_actions", "vote_actions", "claim_actions",
    "vocabulary", "seats_text", "action_kinds", "KILL", "CHECK", "PROTECT", "REST", "BALLOT",
]

CUT = " [cut]"
"""Appended to a speech longer than ``max_speech_chars``."""
CLAIMABLE = ("seer", "doctor", "villager")
SLEEP = "[sleep]"
PASS = "[pass]"
VOTE_NONE = "[vote none]"
KILL, CHECK, PROTECT, REST, BALLOT = range(5)
"""Kinds of the finite night and vote actions (:func:`action_kinds`); REST is ``[sleep]``."""

_SAY = re.compile(r"\[\s*say\s*\]", re.IGNORECASE)
_STATEMENT = re.compile(
    r"\[\s*(claim|accuse|defend|reveal)\s*\]?\s*"
    r"(?:(seer|doctor|villager)|player\s*(\d{1,2})(?:\s+(werewolf|not))?)", re.IGNORECASE)


def player(n: int) -> str:
    return f"Player {n}"


def target_of(action: str) -> int:
    """The seat an action names: ``"[kill Player 3]"`` -> 3 (-1 for ``[vote none]``)."""
    i = action.find("Player ")
    if i < 0:
        return -1
    j = i + 7
    while j < len(action) and action[j].isdigit():
        j += 1
    return int(action[i + 7:j])


def seats_text(seats: Iterator[int] | list[int] | tuple[int, ...]) -> str:
    return ", ".join(f"Player {s}" for s in seats) or "none"


def _seats(mask: int, n: int) -> list[int]:
    return [s for s in range(n) if mask >> s & 1]


def kill_actions(mask: int, n: int) -> tuple[str, ...]:
    return tuple(f"[kill Player {s}]" for s in _seats(mask, n))


def check_actions(mask: int, n: int) -> tuple[str, ...]:
    return tuple(f"[check Player {s}]" for s in _seats(mask, n))


def protect_actions(mask: int, n: int) -> tuple[str, ...]:
    return tuple(f"[protect Player {s}]" for s in _seats(mask, n))


def vote_actions(mask: int, n: int) -> tuple[str, ...]:
    return tuple(f"[vote Player {s}]" for s in _seats(mask, n)) + (VOTE_NONE,)


def claim_actions(mask: int, n: int) -> tuple[str, ...]:
    """Claims-mode statements about the players in ``mask`` (living others)."""
    seats = _seats(mask, n)
    out = [PASS] + [f"[claim {r}]" for r in CLAIMABLE]
    out += [f"[accuse Player {s}]" for s in seats]
    out += [f"[defend Player {s}]" for s in seats]
    for s in seats:
        out += [f"[reveal Player {s} werewolf]", f"[reveal Player {s} not]"]
    return tuple(out)


def action_kinds(n: int) -> dict[str, tuple[int, int]]:
    """Every night and vote action of an ``n``-seat game -> (kind, the seat it names or
    -1): ``"[kill Player 3]"`` -> ``(KILL, 3)``, ``"[vote none]"`` -> ``(BALLOT, -1)``."""
    everyone = (1 << n) - 1
    out = {SLEEP: (REST, -1)}
    for kind, build in ((KILL, kill_actions), (CHECK, check_actions),
                        (PROTECT, protect_actions), (BALLOT, vote_actions)):
        out.update((a, (kind, target_of(a))) for a in build(everyone, n))
    return out


def vocabulary(n: int, claims: bool) -> list[str]:
    """Every action of an ``n``-seat game in a fixed order (claims mode: all of them)."""
    everyone = (1 << n) - 1
    out = list(kill_actions(everyone, n) + check_actions(everyone, n)
               + protect_actions(everyone, n)) + [SLEEP]
    out += vote_actions(everyone, n)
    if claims:
        out += claim_actions(everyone, n)
    return out


def parse_speech(answer: str, cap: int) -> str:
    """A free-mode answer as a canonical speech ``"[say] <text>"`` (see the module doc),
    or IllegalAction when it holds no ``[say]``."""
    if not isinstance(answer, str):
        raise IllegalAction(f"a speech must be text such as '[say] Hello', got "
                            f"{type(answer).__name__}")
    found = None
    for found in _SAY.finditer(answer):
        pass
    if found is None:
        shown = answer.strip()[:40]
        raise IllegalAction(
            f"it is the day discussion: speak with [say] <your speech>, e.g. '[say] I "
            f"suspect Player 2' (votes and night actions come in their own phases); got "
            f"{shown!r}")
    text = " ".join(terminal_safe(answer[found.end():], multiline=False).split())
    if len(text) > cap:
        text = text[:cap] + CUT
    return f"[say] {text}" if text else "[say]"


def statements(speech: str) -> list[tuple[str, str | int, str]]:
    """The statements in a speech, in order: ``("claim", "seer", "")``, ``("accuse", 3,
    "")``, ``("reveal", 3, "werewolf")``, ``("defend", 3, "")``. Other text is ignored;
    a statement about a seat that does not exist is kept (the reader checks seats)."""
    out: list[tuple[str, str | int, str]] = []
    for m in _STATEMENT.finditer(speech):
        kind, role, seat, verdict = m.groups()
        kind = kind.lower()
        if kind == "claim" and role:
            out.append(("claim", role.lower(), ""))
        elif kind != "claim" and seat is not None:
            if kind == "reveal" and not verdict:
                continue
            out.append((kind, int(seat), (verdict or "").lower()))
    return out


def grammar_lines(claims: bool, cap: int) -> list[str]:
    speech = ("[pass] | [claim seer|doctor|villager] | [accuse Player n] | [defend Player n] "
              "| [reveal Player n werewolf|not]   (one statement per speech)" if claims else
              f"[say] <text>   (at most {cap} characters, longer is cut; statements such as "
              "[claim seer], [accuse Player n], [reveal Player n werewolf] may appear in it)")
    return [
        "night: [kill Player n] (wolves), [check Player n] (Seer), [protect Player n] "
        "(Doctor), [sleep] (others)",
        f"speech: {speech}",
        "vote: [vote Player n] | [vote none]",
        "Answer with the action in brackets, e.g. [vote Player 3] or \\boxed{[vote Player 3]}.",
    ]


def role_name(code: int) -> str:
    return ROLE_NAMES[code]
