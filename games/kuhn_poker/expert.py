"""A Nash equilibrium of Kuhn Poker as a pure function: the game's scripted expert.

The equilibria of Kuhn Poker form a one-parameter family, ``0 <= alpha <= 1/3``
(probabilities are of the aggressive action, bet or call):

=========================  =====  ==========  =====
information set            J      Q           K
=========================  =====  ==========  =====
first player, opening      alpha  0           3 alpha
first player, check-bet    0      alpha + 1/3 1
second player, facing bet  0      1/3         1
second player, after check 1/3    0           1
=========================  =====  ==========  =====

Every member gives the first player -1/18 chips per hand. In a match of several hands
each hand is played on its own, from the current hand's card and history (the last
segment of the information state). :class:`KuhnNash` is the game's expert (the agents
``expert`` and ``kuhn-nash``, option ``alpha``); exact evaluation uses
:func:`equilibrium_policy`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from games.core import Observation
from games.expert import Expert
from games.kuhn_poker.betting import CARDS, LEGAL

if TYPE_CHECKING:
    from games.algorithms.evaluation import Policy

__all__ = ["KuhnNash", "MAX_ALPHA", "check_alpha", "aggressive_probability",
           "equilibrium_distribution", "equilibrium_policy", "current_hand"]

MAX_ALPHA = 1.0 / 3.0
"""The equilibrium family's parameter ranges over ``[0, MAX_ALPHA]``."""


def check_alpha(alpha: object) -> float:
    """``alpha`` as a float, or ValueError saying the range and an example."""
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
        raise ValueError(f"kuhn-nash alpha must be a number in [0, 1/3], got {alpha!r}")
    if not 0.0 <= alpha <= MAX_ALPHA:
        raise ValueError(
            f"kuhn-nash alpha={alpha!r} is outside the equilibrium family: expected "
            "0 <= alpha <= 1/3 (about 0.3333), e.g. kuhn-nash:alpha=0.2"
        )
    return float(alpha)


def _table(alpha: float) -> dict[str, tuple[float, float, float]]:
    """History of the current hand -> probability of the aggressive action for J, Q, K."""
    third = 1.0 / 3.0
    return {
        "": (alpha, 0.0, 3.0 * alpha),
        "check,bet": (0.0, alpha + third, 1.0),
        "bet": (0.0, third, 1.0),
        "check": (third, 0.0, 1.0),
    }


def current_hand(info_state: str) -> tuple[str, str]:
    """(card, history) of the current hand from an information state of any match length,
    or ValueError naming the state."""
    card, sep, history = info_state.rsplit("|", 1)[-1].partition(":")
    if not sep or card not in CARDS or history not in LEGAL:
        raise ValueError(
            f"not a Kuhn Poker decision's information state: {info_state!r}; expected "
            "'<card>:<history>' such as 'K:check,bet'"
        )
    return card, history


def aggressive_probability(card: str, history: str, alpha: float = 0.0) -> float:
    """Probability of betting or calling at ``card`` and the hand's ``history``."""
    return _table(alpha)[history][CARDS.index(card)]


def equilibrium_distribution(info_state: str, alpha: float = 0.0) -> dict[str, float]:
    """``{passive: 1 - p, aggressive: p}`` of the equilibrium at a decision."""
    card, history = current_hand(info_state)
    passive, aggressive = LEGAL[history]
    p = aggressive_probability(card, history, alpha)
    return {passive: 1.0 - p, aggressive: p}


def equilibrium_policy(alpha: float = 0.0) -> "Policy":
    """The equilibrium as a batched policy (:data:`games.algorithms.evaluation.Policy`): None where
    the observing player has no move."""
    alpha = check_alpha(alpha)

    def policy(observations: Sequence["Observation"]) -> list[dict[str, float] | None]:
        return [equilibrium_distribution(o.info_state, alpha) if o.legal_actions else None
                for o in observations]

    return policy


class KuhnNash(Expert):
    """The equilibrium of parameter ``alpha`` (``0 <= alpha <= 1/3``, default 0), played
    from each decision's information state alone."""

    name = "kuhn-nash"

    def __init__(self, alpha: float = 0.0) -> None:
        self.alpha = check_alpha(alpha)

    def policy(self, obs: Observation) -> dict[str, float]:
        try:
            return equilibrium_distribution(obs.info_state, self.alpha)
        except ValueError as err:
            raise ValueError(f"kuhn-nash cannot read this observation: {err}") from err
