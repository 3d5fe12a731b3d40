"""``kuhn-nash``: a Nash equilibrium of Kuhn Poker, the game's scripted expert.

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

Every member gives the first player -1/18 chips per hand. In a match of several hands the
agent plays each hand on its own, from the current hand's card and history (the last
segment of the information state; the actor is the hand's first player when the history
has an even number of actions).
"""

from __future__ import annotations

from games import Observation

from agents.base import Agent, Decision, sample_from

__all__ = ["KuhnNashAgent"]

_AGGRESSIVE = {"": "[bet]", "check": "[bet]", "bet": "[call]", "check,bet": "[call]"}
_PASSIVE = {"": "[check]", "check": "[check]", "bet": "[fold]", "check,bet": "[fold]"}


def _table(alpha: float) -> dict[str, tuple[float, float, float]]:
    """History of the current hand -> probability of the aggressive action for J, Q, K."""
    third = 1.0 / 3.0
    return {
        "": (alpha, 0.0, 3.0 * alpha),
        "check,bet": (0.0, alpha + third, 1.0),
        "bet": (0.0, third, 1.0),
        "check": (third, 0.0, 1.0),
    }


class KuhnNashAgent(Agent):
    name = "kuhn-nash"

    def __init__(self, seed: int = 0, alpha: float = 0.0) -> None:
        super().__init__(seed)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
            raise ValueError(f"kuhn-nash alpha must be a number in [0, 1/3], got {alpha!r}")
        if not 0.0 <= alpha <= 1.0 / 3.0:
            raise ValueError(
                f"kuhn-nash alpha={alpha!r} is outside the equilibrium family: expected "
                "0 <= alpha <= 1/3 (about 0.3333), e.g. kuhn-nash:alpha=0.2"
            )
        self.alpha = float(alpha)
        self._probs = _table(self.alpha)

    def policy(self, obs: Observation) -> dict[str, float] | None:
        """``{action: probability}`` over the legal actions; None when it is not our move."""
        if obs.game != "kuhn_poker":
            raise ValueError(
                f"kuhn-nash plays only kuhn_poker, got an observation of {obs.game!r}; "
                "use the game's own expert (agent 'expert') instead"
            )
        if not obs.legal_actions:
            return None
        current = obs.info_state.rsplit("|", 1)[-1]
        card, sep, history = current.partition(":")
        if not sep or card not in ("J", "Q", "K") or history not in self._probs:
            raise ValueError(
                f"kuhn-nash cannot read information state {obs.info_state!r}: expected "
                "'<card>:<history>' such as 'K:check,bet'"
            )
        p = self._probs[history]["JQK".index(card)]
        return {_PASSIVE[history]: 1.0 - p, _AGGRESSIVE[history]: p}

    def act(self, obs: Observation) -> Decision:
        dist = self.policy(obs)
        if dist is None:
            raise ValueError(
                f"kuhn-nash was asked to act for player {obs.player}, who has no legal action now"
            )
        return Decision(text=sample_from(dist, self.rng_for(obs)), distribution=dist)
