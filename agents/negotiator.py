"""``negotiator``: the scripted expert of Simple Negotiation.

A thin agent around :func:`games.negotiation.expert.expert_move` (the policy, a pure
function of the player's own view, is described there): it reads its observation text
back with :func:`games.negotiation.text.read_view` and draws its randomness from the
decision's seeded rng.
"""

from __future__ import annotations

import random

from games import Observation
from games.negotiation.expert import ExpertSettings, expert_move
from games.negotiation.rules import COMPACT, TEXT_VIEW_START
from games.negotiation.text import NegotiationView, read_view

from agents.base import Agent, Decision

__all__ = ["NegotiatorAgent"]


class NegotiatorAgent(Agent):
    name = "negotiator"

    def __init__(self, seed: int = 0, margin: float = 0.1, max_units: int = 3) -> None:
        super().__init__(seed)
        self.settings = ExpertSettings(margin=margin, max_units=max_units)
        self.margin = margin
        self.max_units = max_units

    def act(self, obs: Observation) -> Decision:
        if obs.game != "negotiation":
            raise ValueError(
                f"the negotiator plays only 'negotiation', got an observation of "
                f"{obs.game!r}; use the 'expert' agent to pick each game's expert"
            )
        return Decision(text=self.choose(read_view(obs.text if obs.text.startswith(TEXT_VIEW_START) else COMPACT.expand(obs.text)), self.rng_for(obs)))

    def choose(self, view: NegotiationView, rng: random.Random) -> str:
        """The reply (canonical) for a view of the game."""
        return expert_move(view, rng, self.settings)
