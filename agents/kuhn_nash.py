"""``kuhn-nash``: a Nash equilibrium of Kuhn Poker, the game's scripted expert.

A thin agent around :mod:`games.kuhn_poker.expert`, where the equilibrium family
(``0 <= alpha <= 1/3``) is defined as pure functions. In a match of several hands it plays
each hand on its own, from the current hand's card and history.
"""

from __future__ import annotations

from games import Observation
from games.kuhn_poker.expert import check_alpha, equilibrium_distribution

from agents.base import Agent, Decision, sample_from

__all__ = ["KuhnNashAgent"]


class KuhnNashAgent(Agent):
    name = "kuhn-nash"

    def __init__(self, seed: int = 0, alpha: float = 0.0) -> None:
        super().__init__(seed)
        self.alpha = check_alpha(alpha)

    def policy(self, obs: Observation) -> dict[str, float] | None:
        """``{action: probability}`` over the legal actions; None when it is not our move."""
        if obs.game != "kuhn_poker":
            raise ValueError(
                f"kuhn-nash plays only kuhn_poker, got an observation of {obs.game!r}; "
                "use the game's own expert (agent 'expert') instead"
            )
        if not obs.legal_actions:
            return None
        try:
            return equilibrium_distribution(obs.info_state, self.alpha)
        except ValueError as err:
            raise ValueError(f"kuhn-nash cannot read this observation: {err}") from err

    def act(self, obs: Observation) -> Decision:
        dist = self.policy(obs)
        if dist is None:
            raise ValueError(
                f"kuhn-nash was asked to act for player {obs.player}, who has no legal action now"
            )
        return Decision(text=sample_from(dist, self.rng_for(obs)), distribution=dist)
