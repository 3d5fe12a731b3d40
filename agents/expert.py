"""``expert``: each game's scripted expert, named by the game's ``Game.expert`` spec.

One ``expert`` agent serves any mix of games: it builds (and keeps) the expert of each
game it meets.
"""

from __future__ import annotations

from typing import Sequence

import games
from games import Observation
from games.core import Determiniser

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

    def wants_states(self, obs: Observation) -> bool:
        return self._expert_for(obs.game).wants_states(obs)

    def act_batch(self, obs: Sequence[Observation],
                  determinisers: Sequence[Determiniser | None] | None = None) -> list[Decision]:
        dets = determinisers or [None] * len(obs)
        return [self.act(o, d) for o, d in zip(obs, dets)]

    def act(self, obs: Observation, determiniser: Determiniser | None = None) -> Decision:
        expert = self._expert_for(obs.game)
        return expert.act(obs) if determiniser is None else expert.act(obs, determiniser)

    def policy(self, obs: Observation) -> dict[str, float] | None:
        return self._expert_for(obs.game).policy(obs)
