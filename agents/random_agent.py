"""``random``: a uniformly random legal action.

Where the game lists its legal actions the agent reads them off the observation. Where
actions are free text:

- a game that can draw a plausible move from an observation alone offers the hook
  ``Game.random_text_action(obs, rng)`` (TextArena environments: a move in the
  environment's own format, read off the player's text; the game then judges it), and
  the agent uses it;
- otherwise the agent draws with the game's ``State.random_action`` on a
  determinisation: the only decisions at which ``random`` wants states (the runner then
  hands it a determiniser and records that states were given).
"""

from __future__ import annotations

import random
from typing import Callable

import games
from games import Observation
from games.core import Determiniser

from agents.base import Agent, Decision

_TextSampler = Callable[[Observation, random.Random], str]


class RandomAgent(Agent):
    name = "random"

    def __init__(self, seed: int = 0) -> None:
        super().__init__(seed)
        self._samplers: dict[str, _TextSampler | None] = {}

    def _text_sampler(self, game_id: str) -> _TextSampler | None:
        """The game's ``random_text_action`` where it offers one (overrides the base's
        default), else None; looked up once per game."""
        if game_id not in self._samplers:
            try:
                game = games.make(game_id)
            except (ValueError, TypeError, ImportError):  # an id that does not rebuild
                game = None
            offered = game is not None and game.offers("random_text_action")
            self._samplers[game_id] = game.random_text_action if offered else None
        return self._samplers[game_id]

    def wants_states(self, obs: Observation) -> bool:
        return obs.legal_actions is None and self._text_sampler(obs.game) is None

    def act(self, obs: Observation, determiniser: Determiniser | None = None) -> Decision:
        rng = self.rng_for(obs)
        if obs.legal_actions is None:
            sampler = self._text_sampler(obs.game)
            if sampler is not None:
                return Decision(text=sampler(obs, rng))
            if determiniser is None:
                raise ValueError(
                    f"random draws free-text actions of {obs.game!r} from a determinised "
                    "state and got no determiniser; the runner gives one (outside it, use "
                    "agents.base.act_at(agent, state, player))"
                )
            state = determiniser.sample(rng)
            return Decision(text=state.random_action(obs.player, rng))
        dist = self.policy(obs)
        return Decision(text=obs.legal_actions[rng.randrange(len(obs.legal_actions))],
                        distribution=dist)

    def policy(self, obs: Observation) -> dict[str, float] | None:
        if not obs.legal_actions:
            return None
        p = 1.0 / len(obs.legal_actions)
        return {a: p for a in obs.legal_actions}
