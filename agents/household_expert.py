"""``household-expert``: the scripted expert of the household game.

A thin agent around :func:`games.household.planner.expert_command` (the planner, a pure
function of what the agent knows, is described there): it reads the observation's
information state back with :func:`games.household.planner.read_knowledge`. Deterministic,
so its policy is one command with probability 1.
"""

from __future__ import annotations

from games import Observation
from games.household.planner import expert_command, read_knowledge

from agents.base import Agent, Decision

__all__ = ["HouseholdExpertAgent"]


class HouseholdExpertAgent(Agent):
    name = "household-expert"

    def choose(self, obs: Observation) -> str:
        if obs.game != "household":
            raise ValueError(
                f"household-expert plays only 'household', got an observation of "
                f"{obs.game!r}; use the 'expert' agent to pick each game's expert")
        return f"[{expert_command(read_knowledge(obs.info_state))}]"

    def act(self, obs: Observation) -> Decision:
        action = self.choose(obs)
        return Decision(text=action, distribution={action: 1.0})

    def policy(self, obs: Observation) -> dict[str, float]:
        return {self.choose(obs): 1.0}
