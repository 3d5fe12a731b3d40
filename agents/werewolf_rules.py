"""``werewolf-rules``: the scripted expert of Werewolf, one behaviour per role.

A thin agent around :func:`games.werewolf.expert.expert_action` (the policy, a pure
function of the player's own view, is described there): it reads its observation text
back with :func:`games.werewolf.expert.read_view` and draws its randomness from the
decision's seeded rng. Every action it returns is legal.
"""

from __future__ import annotations

from games import Observation
from games.werewolf.compact import text_view
from games.werewolf.expert import expert_action, read_view

from agents.base import Agent, Decision

__all__ = ["WerewolfRulesAgent"]


class WerewolfRulesAgent(Agent):
    name = "werewolf-rules"

    def act(self, obs: Observation) -> Decision:
        if obs.game != "werewolf":
            raise ValueError(
                f"werewolf-rules plays only 'werewolf', got an observation of {obs.game!r}; "
                "use the 'expert' agent to pick each game's expert")
        if obs.legal_actions is not None and not obs.legal_actions:
            raise ValueError(f"werewolf-rules was asked to act for player {obs.player}, who "
                             "has no legal action now")
        view = read_view(text_view(obs.text, obs.legal_actions), obs.legal_actions)
        return Decision(text=expert_action(view, self.rng_for(obs)))
