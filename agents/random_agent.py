"""``random``: a uniformly random legal action (free-text games: the game's sampler)."""

from __future__ import annotations

from games import Observation

from agents.base import Agent, Decision


class RandomAgent(Agent):
    name = "random"

    def act(self, obs: Observation) -> Decision:
        rng = self.rng_for(obs)
        if obs.legal_actions is None:
            state = obs.sample_state(rng)
            return Decision(text=state.random_action(obs.player, rng))
        dist = self.policy(obs)
        return Decision(text=obs.legal_actions[rng.randrange(len(obs.legal_actions))], distribution=dist)

    def policy(self, obs: Observation) -> dict[str, float] | None:
        if not obs.legal_actions:
            return None
        p = 1.0 / len(obs.legal_actions)
        return {a: p for a in obs.legal_actions}
