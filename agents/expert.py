"""``expert``: each game's scripted expert, named by the game's ``Game.expert`` spec.

One ``expert`` agent serves any mix of games: it builds (and keeps) the expert of each
game it meets.
"""

from __future__ import annotations

from typing import Sequence

import games
from games import Observation

from agents.base import Agent, Decision


class ExpertAgent(Agent):
    name = "expert"

    def __init__(self, seed: int = 0) -> None:
        super().__init__(seed)
        self._experts: dict[str, Agent] = {}

    def _expert_for(self, game_id: str) -> Agent:
        if game_id not in self._experts:
            from agents.registry import make_agent

            spec = games.game_class(game_id).expert
            if spec is None:
                raise ValueError(
                    f"game {game_id!r} declares no scripted expert (Game.expert); "
                    "use another agent, e.g. random or mcts"
                )
            self._experts[game_id] = make_agent(spec, seed=self.seed)
        return self._experts[game_id]

    def reset(self, seed: int) -> None:
        super().reset(seed)
        for agent in self._experts.values():
            agent.reset(seed)

    def act_batch(self, obs: Sequence[Observation]) -> list[Decision]:
        return [self._expert_for(o.game).act(o) for o in obs]

    def act(self, obs: Observation) -> Decision:
        return self._expert_for(obs.game).act(obs)

    def policy(self, obs: Observation) -> dict[str, float] | None:
        return self._expert_for(obs.game).policy(obs)
