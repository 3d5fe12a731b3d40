"""``expert``: every game's scripted expert, as the game declares it (``Game.expert``).

The games declare their experts (:mod:`games.expert`); this one agent plays them all:

- ``expert`` plays each game's expert with its default options, building (and keeping)
  the expert of each game it meets;
- an expert's own name (``kuhn-nash``, ``minimax``, ``negotiator``, ``werewolf-rules``,
  ``household-expert``, or a plug-in game's) plays that game's expert on that game only,
  with the options after the colon (``kuhn-nash:alpha=0.2``):
  :func:`agents.registry.make_agent` builds it with :meth:`ExpertAgent.of_expert`. A game
  that subclasses another inherits its expert, which then plays both.

Each move is drawn with the agent's seeded rng for that decision (``rng_for``), so the
same seed plays the same moves. An expert that searches gets the runner's determiniser.
"""

from __future__ import annotations

from typing import Any, Sequence

import games
from games import Observation
from games.core import Determiniser
from games.expert import Expert

from agents.base import Agent, Decision

__all__ = ["ExpertAgent"]


class ExpertAgent(Agent):
    name = "expert"

    def __init__(self, seed: int = 0) -> None:
        super().__init__(seed)
        self._experts: dict[str, Expert] = {}
        self._only: Expert | None = None
        """The one expert of an expert's own name (``kuhn-nash``); None: each game's."""
        self._games: list[str] = []
        """The games that declare ``_only`` as their expert."""

    @classmethod
    def of_expert(cls, expert: type[Expert], game_ids: Sequence[str], seed: int = 0,
                  **options: Any) -> "ExpertAgent":
        """The agent of one expert class only, for the games ``game_ids`` that declare
        it, built with ``options`` (its own keyword options; a bad value raises the
        expert's ValueError)."""
        agent = cls(seed)
        agent._only = expert(**options)
        agent._games = list(game_ids)
        return agent

    def expert_for(self, game_id: str) -> Expert:
        """The expert this agent plays on ``game_id`` (built on first use)."""
        if self._only is not None:
            if game_id not in self._games:
                raise ValueError(
                    f"{self._only.name} plays only {', '.join(map(repr, self._games))}, got "
                    f"an observation of {game_id!r}; use the 'expert' agent, which plays "
                    "each game's own expert")
            return self._only
        if game_id not in self._experts:
            self._experts[game_id] = _expert_class(game_id)()
        return self._experts[game_id]

    def wants_states(self, obs: Observation) -> bool:
        return self.expert_for(obs.game).searches

    def act_batch(self, obs: Sequence[Observation],
                  determinisers: Sequence[Determiniser | None] | None = None) -> list[Decision]:
        dets = determinisers or [None] * len(obs)
        return [self.act(o, d) for o, d in zip(obs, dets)]

    def act(self, obs: Observation, determiniser: Determiniser | None = None) -> Decision:
        expert = self.expert_for(obs.game)
        if obs.legal_actions is not None and not obs.legal_actions:
            raise ValueError(
                f"{expert.name} was asked to act for player {obs.player}, who has no legal "
                f"action now (turn {obs.turn}: not their move, or the game is over); ask "
                "the agent only at its own decisions")
        text, dist = expert.act(obs, self.rng_for(obs), determiniser)
        return Decision(text=text, distribution=None if dist is None else dict(dist))

    def policy(self, obs: Observation) -> dict[str, float] | None:
        """The expert's stated distribution at ``obs``; None where it states none or the
        player has no move."""
        expert = self.expert_for(obs.game)
        if obs.legal_actions is not None and not obs.legal_actions:
            return None
        dist = expert.policy(obs)
        return None if dist is None else dict(dist)


def _expert_class(game_id: str) -> type[Expert]:
    expert = games.game_class(game_id).expert
    if expert is None:
        raise ValueError(
            f"game {game_id!r} declares no scripted expert (Game.expert); use another "
            "agent, e.g. random or mcts")
    if not (isinstance(expert, type) and issubclass(expert, Expert)):
        raise TypeError(
            f"game {game_id!r} declares expert {expert!r}; Game.expert must be a "
            "games.expert.Expert subclass (the game's expert.py)")
    return expert
