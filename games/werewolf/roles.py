"""Werewolf's roles, options and rules text: the declaration before any logic.

Roles are small integers inside the state (:data:`WOLF`, :data:`SEER`, :data:`DOCTOR`,
:data:`VILLAGER`) and names at the boundary (:data:`ROLE_NAMES`). Teams: the wolves
(team 1) against the village (team 0: seer, doctor, villagers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from games.core import view_field

__all__ = [
    "WOLF", "SEER", "DOCTOR", "VILLAGER", "ROLE_NAMES", "ROLE_CODES", "VILLAGE", "WOLVES",
    "TEAM_NAMES", "WerewolfOptions", "check_options", "deck", "team_of", "rules_text",
    "SPEECH_MODES", "WOLF_DECISIONS", "TIE_RULES", "NIGHT", "PACK", "TALK", "VOTE", "OVER",
    "PHASE_NAMES",
]

WOLF, SEER, DOCTOR, VILLAGER = 0, 1, 2, 3
NIGHT, PACK, TALK, VOTE, OVER = 0, 1, 2, 3, 4
"""Phases: night, the leader's night step, the discussion, the vote, the end."""
PHASE_NAMES = ("night", "night (pack decision)", "discussion", "vote", "game over")
ROLE_NAMES = ("werewolf", "seer", "doctor", "villager")
ROLE_CODES = {name: code for code, name in enumerate(ROLE_NAMES)}
VILLAGE, WOLVES = 0, 1
TEAM_NAMES = ("village", "wolves")

SPEECH_MODES = ("free", "claims")
WOLF_DECISIONS = ("random", "leader")
TIE_RULES = ("random", "none")


@dataclass
class WerewolfOptions:
    """Every number of the rules, with its range (checked by :class:`games.Game`)."""

    players: int = field(default=7, metadata={"range": (5, 15)})
    """Seats; roles are dealt to them by the seed."""
    wolves: int = field(default=2, metadata={"range": (1, 3)})
    """Werewolves; must stay fewer than the other players (3 at most, so that every
    value in range is a valid game at the default 7 players)."""
    seers: int = field(default=1, metadata={"range": (0, 1)})
    doctors: int = field(default=1, metadata={"range": (0, 1)})
    discussion_rounds: int = field(default=1, metadata={"range": (0, 5)})
    """Rounds of speeches per day; each living player speaks once per round."""
    max_speech_chars: int = field(default=1000, metadata={"range": (20, 20_000)})
    """Longer speeches are cut with a mark, never refused."""
    max_rounds: int = field(default=10, metadata={"range": (1, 30)})
    """Days; a game still running after the vote of this day is a draw."""
    speech: str = "free"
    """``free``: ``[say] <text>``; ``claims``: one of a finite set of statements."""
    wolf_decision: str = "random"
    """``random``: wolves that disagree get a seeded choice among their targets;
    ``leader``: wolves propose, then the lowest-seated living wolf finalises."""
    doctor_repeat: bool = True
    """False: the Doctor may not protect the same player two nights running."""
    reveal_on_death: bool = False
    """True: a dead player's role is announced."""
    tie: str = "random"
    """A tied vote: ``random`` eliminates a seeded choice among the tied, ``none`` no one."""
    view: str = view_field()
    """``text``: sections of sentences; ``compact``: the same as short codes, without the
    lists of legal actions (:mod:`games.werewolf.compact`)."""


def check_options(o: WerewolfOptions) -> None:
    """Choices and the composition; one ValueError naming the rule and the fix."""
    for name, value, allowed in (("speech", o.speech, SPEECH_MODES),
                                 ("wolf_decision", o.wolf_decision, WOLF_DECISIONS),
                                 ("tie", o.tie, TIE_RULES)):
        if value not in allowed:
            raise ValueError(f"option {name}={value!r} for game 'werewolf' must be one of "
                             f"{', '.join(allowed)}; e.g. werewolf:{name}={allowed[0]}")
    others = o.players - o.wolves
    if o.wolves >= others:
        raise ValueError(
            f"werewolf with players={o.players} and wolves={o.wolves} breaks the rule that "
            f"wolves are fewer than the other players ({o.wolves} >= {others}); use at most "
            f"wolves={(o.players - 1) // 2}")
    if o.wolves + o.seers + o.doctors > o.players:
        raise ValueError(
            f"werewolf needs {o.wolves + o.seers + o.doctors} special roles but has "
            f"players={o.players}; add players or drop a seer or doctor")


def deck(o: WerewolfOptions) -> tuple[int, ...]:
    """The roles to deal, in declared order (shuffled by the seed at ``new_state``)."""
    specials = (WOLF,) * o.wolves + (SEER,) * o.seers + (DOCTOR,) * o.doctors
    return specials + (VILLAGER,) * (o.players - len(specials))


def team_of(role: int) -> int:
    return WOLVES if role == WOLF else VILLAGE


def rules_text(o: WerewolfOptions, grammar: Sequence[str]) -> str:
    """The rules as a player reads them (the observation's ``rules``)."""
    counts = f"{o.wolves} Werewolves, {o.seers} Seer, {o.doctors} Doctor, " \
             f"{o.players - o.wolves - o.seers - o.doctors} Villagers"
    extra = []
    if o.wolf_decision == "leader":
        extra.append("Wolves propose a victim; then the lowest-seated living wolf decides.")
    if not o.doctor_repeat:
        extra.append("The Doctor may not protect the same player two nights running.")
    extra.append("A dead player's role is announced." if o.reveal_on_death
                 else "Roles of the dead stay secret until the end.")
    extra.append("A tied vote eliminates no one." if o.tie == "none"
                 else "A tied vote eliminates one of the tied, chosen at random.")
    return "\n".join([
        f"Werewolf: {o.players} players (Player 0..Player {o.players - 1}): {counts}.",
        "Wolves know each other. Teams: the wolves against the village (everyone else).",
        "Night (secret, all at once): each living wolf chooses a non-wolf to kill (if they",
        "disagree, one of their choices at random); the Seer checks one player and learns",
        "'werewolf' or 'not a werewolf'; the Doctor protects one player (self allowed); a",
        "protected victim survives. Villagers sleep.",
        "Dawn: the death (or 'no one died') is announced.",
        f"Day: {o.discussion_rounds} round(s) of speeches, each living player once per round, "
        "starting",
        "from a seat that rotates each day; then a secret vote, revealed with voter names.",
        "The most votes eliminates that player; if everyone abstains, no one.",
        *extra,
        "The village wins when no wolf lives; the wolves win when living wolves are at least",
        f"as many as the other living players. After {o.max_rounds} days: a draw.",
        "Returns: +1 to every member of the winning team, -1 to the losers (the dead",
        "included), 0 to all on a draw.",
        "Actions:",
        *(f"  {line}" for line in grammar),
    ])
