"""Why a Werewolf action is refused, in words a player (or a model's retry prompt) can
act on: the reason first, then the legal actions now.

Reasons, checked in this order: the wrong kind of action for the phase (``[vote]`` at
night, a speech during the vote), the wrong kind for the player's role (``[check]`` by
a non-Seer), an unknown player, a dead player, the player themself where not allowed, a
wolf attacking a wolf, the Doctor protecting the same player twice running. Messages
say only what the refused player may know (their own role, their partners).
"""

from __future__ import annotations

import re
from typing import Any

from games.werewolf.roles import (
    DOCTOR, NIGHT, PACK, PHASE_NAMES, ROLE_NAMES, SEER, TALK, VOTE, WOLF,
)

__all__ = ["explain"]

_SHAPE = re.compile(r"\s*\[\s*([a-z]+)\s*\]?\s*(?:player\s*(-?\d{1,6}))?", re.IGNORECASE)
_NIGHT_KIND = {"kill": WOLF, "check": SEER, "protect": DOCTOR}
_SPEECH = ("say", "pass", "claim", "accuse", "defend", "reveal")


def _legal(s: Any, p: int) -> str:
    legal = s._legal_now(p)
    if legal is None:
        return "legal now: [say] <your speech>"
    return "legal now: " + ", ".join(legal)


def _phase_of(kind: str) -> str:
    if kind in _NIGHT_KIND or kind == "sleep":
        return "the night"
    if kind == "vote":
        return "the day vote"
    if kind in _SPEECH:
        return "the day discussion"
    return ""


def _wrong_phase(s: Any, kind: str) -> str | None:
    belongs = _phase_of(kind)
    if not belongs:
        return f"[{kind}] is not a Werewolf action"
    now = PHASE_NAMES[s.phase]
    ok = {NIGHT: "the night", PACK: "the night", VOTE: "the day vote", TALK: "the day discussion"}
    if ok.get(s.phase) != belongs:
        return f"[{kind}] belongs to {belongs}, but it is now the {now}"
    return None


def _target_problem(s: Any, p: int, kind: str, seat: int) -> str | None:
    n = s.game.num_players
    if not 0 <= seat < n:
        return f"Player {seat} does not exist (players are Player 0 to Player {n - 1})"
    if not s.alive >> seat & 1:
        return f"Player {seat} is dead"
    if seat == p and kind in ("check", "vote", "accuse", "defend", "reveal", "kill"):
        return f"you cannot target yourself with [{kind}]"
    if kind == "kill" and s.wolves >> seat & 1:
        return f"Player {seat} is a wolf, your partner: wolves kill only non-wolves"
    if kind == "protect" and not s.game.options.doctor_repeat and s._last_protect(p) == seat:
        return (f"you protected Player {seat} last night; the Doctor may not protect the "
                "same player two nights running")
    return None


def explain(s: Any, p: int, action: str) -> str:
    """The refusal message for ``action`` by current player ``p`` (see the module doc)."""
    m = _SHAPE.match(action)
    legal = _legal(s, p)
    if m is None:
        return f"{action[:60]!r} is not an action here; write it in brackets; {legal}"
    kind = m.group(1).lower()
    reason = _wrong_phase(s, kind)
    if reason is None and kind in _NIGHT_KIND:
        if s.phase == PACK and kind == "kill" and s.roles[p] == WOLF:
            reason = "the pack's leader decides the victim now; you [sleep]"
        elif s.roles[p] != _NIGHT_KIND[kind]:
            reason = (f"[{kind}] is the {ROLE_NAMES[_NIGHT_KIND[kind]]}'s action; you are a "
                      f"{ROLE_NAMES[s.roles[p]]}")
    if reason is None and kind == "sleep":
        reason = "you have a night action to choose"
    if reason is None and m.group(2) is not None:
        reason = _target_problem(s, p, kind, int(m.group(2)))
    if reason is None:
        reason = f"{action[:60]!r} is not one of the actions allowed now"
    return f"{reason}; {legal}"
