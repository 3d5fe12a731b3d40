"""One hand of Kuhn Poker as tables: cards, actions, who acts, what each history pays.

A hand's history is the comma-joined action words so far (``""``, ``"check"``,
``"bet"``, ``"check,bet"`` are the decision points; five histories end the hand). The
state (:mod:`games.kuhn_poker.state`), the text (:mod:`games.kuhn_poker.text`), the
equilibrium (:mod:`games.kuhn_poker.expert`) and the exact evaluation all read these.
"""

from __future__ import annotations

from typing import Sequence

__all__ = ["CARDS", "CHECK", "BET", "CALL", "FOLD", "LEGAL", "OUTCOME", "PAST", "TO_ACT",
           "NEXT", "hand_result"]

CARDS = "JQK"
"""Card letters by rank: index 0 is J (lowest), 2 is K (highest)."""

CHECK, BET, CALL, FOLD = "[check]", "[bet]", "[call]", "[fold]"

LEGAL: dict[str, tuple[str, str]] = {
    "": (CHECK, BET),
    "check": (CHECK, BET),
    "bet": (FOLD, CALL),
    "check,bet": (FOLD, CALL),
}
"""Decision histories -> (passive, aggressive) legal actions."""

OUTCOME: dict[str, tuple[int, bool]] = {
    "check,check": (1, True),
    "bet,call": (2, True),
    "check,bet,call": (2, True),
    "bet,fold": (1, False),
    "check,bet,fold": (-1, False),
}
"""Finished histories -> (chips the hand's first player wins if it has the higher card or
the fixed result of a fold, showdown?)."""

PAST = {"check": "checked", "bet": "bet", "call": "called", "fold": "folded"}

TO_ACT = {h: (0 if not h else h.count(",") + 1) % 2 for h in LEGAL}
"""Who acts, relative to the hand's first player (0: first, 1: second), by history."""

NEXT = {h: {a: f"{h},{a[1:-1]}" if h else a[1:-1] for a in acts} for h, acts in LEGAL.items()}
"""The history after each legal action: ``NEXT[history][action]``."""


def hand_result(cards: Sequence[int], hand: int, history: str) -> int:
    """Chips player 0 wins in a finished hand (player 0 acts first in even hands)."""
    stake, showdown = OUTCOME[history]
    first = hand % 2
    if showdown and cards[2 * hand + first] < cards[2 * hand + 1 - first]:
        stake = -stake
    return stake if first == 0 else -stake
