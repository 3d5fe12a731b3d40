"""``random``: a uniformly random legal action (free-text games: the game's sampler)."""

from __future__ import annotations

from games import Observation

from agents.base import Agent, Decision


class RandomAgent(Agent):
    name = "random"

    def act(self, obs: Observation) -> Decision:
        if obs.legal_actions is None:
            state = obs.sample_state(self.rng)
            return Decision(text=state.random_action(obs.player, self.rng))
        dist = self.policy(obs)
        return Decision(text=obs.legal_actions[self.rng.randrange(len(obs.legal_actions))], distribution=dist)

    def policy(self, obs: Observation) -> dict[str, float] | None:
        if not obs.legal_actions:
            return None
        p = 1.0 / len(obs.legal_actions)
        return {a: p for a in obs.legal_actions}
